/**
 * A development stand-in for the Nexession API (docs/api.md), with synthetic requisitions drawn
 * as SVG. It lets the workstation be looked at and driven in a browser before the server exists.
 * Development only: enabled with NEXESSION_MOCK=1 in `vite` / `vite preview`; never in dist/.
 * All data is synthetic. Sign in with any user name, password "demo-password-1", code "123456".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';

type FieldValue = string | boolean | null;
interface Field {
  key: string;
  label: string;
  section: string;
  order: number;
  kind: 'checkbox' | 'text';
  role: string;
  test?: { code: string; name: string };
  page: number;
  region: { x: number; y: number; w: number; h: number };
  machineValue: FieldValue;
  value: FieldValue;
  confidence: number | null;
  checkbox?: { state: 'marked' | 'empty' | 'review'; ratio: number; score: number; low: number; high: number; filled: number; dark: number; total: number };
  flags: { code: string; message: string }[];
  review: { state: string; by?: string; at?: string; before?: FieldValue; after?: FieldValue };
  /** What is "written" on the synthetic page. */
  ink: string;
}
interface Req {
  id: string;
  state: string;
  priority: 'stat' | 'routine';
  receivedAt: string;
  assignee: string | null;
  fields: Field[];
  identity: { confirmedBy: string; confirmedAt: string; identifiers: string[]; current: boolean } | null;
  /** Warnings that are not computed from the fields (as the server's future duplicate check would). */
  identityWarnings: Warning[];
  needsClassification: boolean;
  release?: { by: string; at: string; placerOrderNumber: string; releasedMs: number };
  escalation?: { by: string; at: string; reason: string };
}
type Warning = { code: string; message: string; severity: 'danger' | 'caution' };

const W = 1700;
const H = 2200;
const LOW = 0.08;
const HIGH = 0.2;

function text(key: string, label: string, section: string, order: number, role: string, x: number, y: number, w: number, ink: string, machine: string | null, confidence: number, flags: Field['flags'] = []): Field {
  return { key, label, section, order, kind: 'text', role, page: 0, region: { x, y, w, h: 56 }, machineValue: machine, value: machine, confidence, flags, review: { state: 'unreviewed' }, ink };
}

function box(key: string, label: string, code: string, order: number, x: number, y: number, ratio: number, flags: Field['flags'] = []): Field {
  const state = ratio >= HIGH ? 'marked' : ratio <= LOW ? 'empty' : 'review';
  const total = 1444;
  const value = state === 'review' ? null : state === 'marked';
  return {
    key, label, section: 'Tests ordered', order, kind: 'checkbox', role: 'order.test', test: { code, name: label }, page: 0,
    region: { x, y, w: 38, h: 38 }, machineValue: value, value, confidence: null,
    checkbox: { state, ratio, score: ratio, low: LOW, high: HIGH, filled: 0.85, dark: Math.round(ratio * total), total },
    flags: state === 'review' ? [{ code: 'checkbox_review_band', message: `fill ${ratio.toFixed(2)} is between ${LOW.toFixed(2)} and ${HIGH.toFixed(2)}` }, ...flags] : flags,
    review: { state: 'unreviewed' }, ink: state === 'empty' ? '' : ratio > 0.3 ? 'X' : '/',
  };
}

const PATIENTS = [
  { last: 'MORIN', first: 'Alice', dob: '1984-07-12', sex: 'F', mrn: 'MRN-204481', hn: '5821 447 003' },
  { last: 'OKAFOR', first: 'Daniel', dob: '1959-11-03', sex: 'M', mrn: 'MRN-377120', hn: '1190 552 871' },
  { last: 'LINDQVIST', first: 'Maja', dob: '2011-02-27', sex: 'F', mrn: 'MRN-118034', hn: '7730 118 254' },
];

function makeReq(n: number, priority: 'stat' | 'routine', minutesAgo: number): Req {
  const p = PATIENTS[n % PATIENTS.length]!;
  const lowConf = n % 2 === 0;
  const fields: Field[] = [
    text('patient_last_name', 'Last name', 'Patient', 1, 'patient.last_name', 260, 300, 520, p.last, lowConf ? p.last.slice(0, -2) + p.last.slice(-1) + p.last.slice(-2, -1) : p.last, lowConf ? 0.41 : 0.96, lowConf ? [{ code: 'ocr_low_confidence', message: 'OCR confidence 41 %' }] : []),
    text('patient_first_name', 'First name', 'Patient', 2, 'patient.first_name', 1060, 300, 480, p.first, p.first, 0.93),
    text('patient_dob', 'Date of birth (YYYY-MM-DD)', 'Patient', 3, 'patient.dob', 260, 400, 360, p.dob, p.dob, 0.9),
    text('patient_sex', 'Sex', 'Patient', 4, 'patient.sex', 820, 400, 120, p.sex, p.sex, 0.97),
    text('patient_mrn', 'MRN', 'Patient', 5, 'patient.mrn', 1060, 400, 480, p.mrn, p.mrn, 0.88),
    text('patient_hn', 'Health number', 'Patient', 6, 'patient.health_number', 260, 500, 520, p.hn, p.hn, 0.86),
    text('provider_name', 'Ordering provider', 'Provider', 10, 'provider.name', 260, 680, 620, 'Dr. R. Castellano', 'Dr. R. Castellano', 0.84),
    text('provider_npi', 'NPI', 'Provider', 11, 'provider.npi', 1060, 680, 480, '1234567890', '1234567890', 0.95, [{ code: 'npi_check_digit', message: 'NPI check digit fails' }]),
    box('b_tsh', 'TSH', '3012', 20, 200, 900, 0.41),
    box('b_hba1c', 'HbA1C', '4548', 21, 200, 970, 0.03),
    box('b_cbc', 'CBC', '1001', 22, 200, 1040, n % 2 === 0 ? 0.14 : 0.36),
    box('b_lipid', 'Lipid panel', '2760', 23, 900, 900, 0.05),
    box('b_pap', 'Pap smear (gyn cytology)', '8810', 24, 900, 970, 0.02),
    text('icd10', 'ICD-10 codes', 'Diagnosis', 30, 'order.icd10', 260, 1250, 900, 'E03.9, R53.83', 'E03.9, R53.83', 0.79),
    text('specimen_source', 'Specimen source', 'Specimen', 40, 'specimen.source', 260, 1420, 520, 'Venous blood', 'Venous blood', 0.92),
    text('collection_date', 'Collection date', 'Specimen', 41, 'specimen.collection_date', 1060, 1420, 480, n % 2 === 1 ? '' : '2026-12-03', n % 2 === 1 ? null : '2026-12-03', n % 2 === 1 ? 0 : 0.9),
    text('collection_time', 'Collection time', 'Specimen', 42, 'specimen.collection_time', 260, 1520, 300, '08:40', '08:40', 0.81),
  ];
  return {
    id: `00000000-0000-4000-8000-${String(100000000000 + n).slice(-12)}`,
    state: 'ready_for_review',
    priority,
    receivedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    assignee: null,
    fields,
    identity: null,
    identityWarnings: n % 3 === 2 ? [{ code: 'possible_duplicate', severity: 'danger', message: 'a requisition for another patient with the same last name and DOB arrived 4 minutes earlier' }] : [],
    needsClassification: false,
  };
}

/** A page no published form matched: no fields until a person says which form it is. */
function unrecognised(n: number, minutesAgo: number): Req {
  const r = makeReq(n, 'routine', minutesAgo);
  return { ...r, needsClassification: true, fields: [], identityWarnings: [] };
}

function manualFields(n: number): Field[] {
  const flag = { code: 'manual_entry', message: 'the page was not recognised: type the value as it is on the page' };
  return makeReq(n, 'routine', 0).fields.map((f) => ({
    ...f, machineValue: null, value: null, confidence: null, flags: [flag], ...(f.checkbox ? { checkbox: undefined } : {}),
  }));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function pageSvg(r: Req, viewBox = `0 0 ${W} ${H}`, size = { w: W, h: H }): string {
  const parts: string[] = [];
  parts.push(`<rect width="${W}" height="${H}" fill="#fbfbf8"/>`);
  parts.push(`<text x="80" y="130" font-size="48" font-family="serif" font-weight="bold">DEMO OUTREACH LABORATORY — TEST REQUISITION</text>`);
  parts.push(`<text x="80" y="190" font-size="26" font-family="sans-serif">Synthetic form for development · not a real patient</text>`);
  const heads: Record<string, number> = { Patient: 260, Provider: 640, 'Tests ordered': 860, Diagnosis: 1210, Specimen: 1380 };
  for (const [h, y] of Object.entries(heads)) {
    parts.push(`<text x="80" y="${y}" font-size="30" font-family="sans-serif" font-weight="bold">${esc(h.toUpperCase())}</text><line x1="80" x2="${W - 80}" y1="${y + 10}" y2="${y + 10}" stroke="#000" stroke-width="2"/>`);
  }
  for (const f of r.fields) {
    const { x, y, w, h } = f.region;
    if (f.kind === 'checkbox') {
      parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="#000" stroke-width="3"/>`);
      parts.push(`<text x="${x + 60}" y="${y + 30}" font-size="30" font-family="sans-serif">${esc(f.label)}  (${f.test?.code})</text>`);
      if (f.ink === 'X') parts.push(`<path d="M${x + 6} ${y + 6} L${x + w - 6} ${y + h - 6} M${x + w - 6} ${y + 6} L${x + 6} ${y + h - 6}" stroke="#123" stroke-width="7"/>`);
      if (f.ink === '/') parts.push(`<path d="M${x + 10} ${y + h - 8} L${x + w - 12} ${y + 12}" stroke="#123" stroke-width="4"/>`);
    } else {
      parts.push(`<text x="${x - 10}" y="${y + 38}" font-size="24" font-family="sans-serif" text-anchor="end">${esc(f.label.replace(/ \(.*\)/, ''))}</text>`);
      parts.push(`<line x1="${x}" x2="${x + w}" y1="${y + h - 4}" y2="${y + h - 4}" stroke="#000" stroke-width="2"/>`);
      if (f.ink) parts.push(`<text x="${x + 12}" y="${y + 42}" font-size="40" font-family="'DejaVu Serif', serif" font-style="italic" fill="#1a2a4a">${esc(f.ink)}</text>`);
    }
  }
  parts.push(`<text x="80" y="${H - 80}" font-size="22" font-family="monospace">FAX 2026-12-03 09:14  p.1/1</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size.w}" height="${size.h}" viewBox="${viewBox}">${parts.join('')}</svg>`;
}

function validation(r: Req) {
  const v = (role: string) => r.fields.find((f) => f.role === role)?.value;
  const has = (role: string) => {
    const x = v(role);
    return typeof x === 'string' ? x.trim() !== '' : x !== null && x !== undefined;
  };
  const anyTest = r.fields.some((f) => f.role === 'order.test' && f.value === true);
  const rules = [
    { citation: '(c)(1)', title: 'Requester', passed: has('provider.name'), message: has('provider.name') ? 'ordering provider named' : 'ordering provider missing' },
    { citation: '(c)(2)', title: 'Patient name', passed: has('patient.last_name'), message: has('patient.last_name') ? 'present' : 'patient name missing' },
    { citation: '(c)(3)', title: 'Sex and date of birth', passed: has('patient.sex') && has('patient.dob'), message: has('patient.dob') ? 'present' : 'date of birth missing' },
    { citation: '(c)(4)', title: 'Tests ordered', passed: anyTest, message: anyTest ? 'at least one test' : 'no test is marked' },
    { citation: '(c)(5)', title: 'Specimen source', passed: has('specimen.source'), message: has('specimen.source') ? 'stated' : 'specimen source missing' },
    { citation: '(c)(6)', title: 'Collection date', passed: has('specimen.collection_date'), message: has('specimen.collection_date') ? 'stated' : 'collection date missing' },
  ];
  return { passed: rules.every((x) => x.passed), rules };
}

function blockers(r: Req): string[] {
  const out: string[] = [];
  const n = r.fields.filter((f) => f.review.state === 'unreviewed').length;
  if (n > 0) out.push(`${n} ${n === 1 ? 'field' : 'fields'} not reviewed`);
  if (!r.identity) out.push('identity not confirmed');
  else if (!r.identity.current) out.push('identity must be confirmed again');
  const val = validation(r);
  if (!val.passed) out.push(`validation fails: ${val.rules.filter((x) => !x.passed).map((x) => `${x.citation} ${x.message}`).join('; ')}`);
  return out;
}

/** As the server does: red only for wrong-patient risks; fields typed by hand are a caution. */
function warnings(r: Req): Warning[] {
  const corrected = r.fields.filter((f) => f.role.startsWith('patient.') && f.review.state === 'corrected').map((f) => f.label);
  return [...r.identityWarnings, ...(corrected.length ? [{ code: 'patient_corrected', severity: 'caution' as const, message: `corrected by hand: ${corrected.join(', ')}. Compare with the page once more` }] : [])];
}

/** The LIS simulator answers a moment after the release: ACK AA with its order number. */
function delivery(r: Req) {
  if (!r.release) return null;
  const acked = Date.now() - r.release.releasedMs > 600;
  if (acked && r.state === 'released') r.state = 'delivered';
  return { id: `d-${r.id.slice(-4)}`, state: acked ? 'acked' : 'pending', ackCode: acked ? 'AA' : null, lisOrderNumber: acked ? `ACC1${r.id.slice(-5)}` : null, controlId: `NX0000000${r.id.slice(-5)}` };
}

function summary(r: Req) {
  const d = delivery(r);
  return {
    id: r.id, state: r.state, priority: r.priority, receivedAt: r.receivedAt, form: r.needsClassification ? null : { id: 'demo-outreach', version: 2, name: 'Demo outreach requisition' },
    assignee: r.assignee, release: r.release ? { by: r.release.by, at: r.release.at, placerOrderNumber: r.release.placerOrderNumber } : null, delivery: d,
  };
}

function view(r: Req) {
  return {
    id: r.id, state: r.state, priority: r.priority, receivedAt: r.receivedAt, documentId: r.id.replace('8000', '9000'),
    documentSha256: 'a3f1c9e2'.repeat(8), form: r.needsClassification ? null : { id: 'demo-outreach', version: 2, name: 'Demo outreach requisition' },
    needsClassification: r.needsClassification, assignee: r.assignee,
    pages: [{ index: 0, width: W, height: H, dpi: 200, flags: [] }],
    fields: r.fields.map(({ ink: _ink, ...f }) => f),
    identity: r.identity, identityWarnings: warnings(r), validation: validation(r), releaseBlockers: blockers(r),
    release: summary(r).release, escalation: r.escalation ?? null, delivery: delivery(r),
  };
}

export function mockApi(options: { delayMs?: number; idleSeconds?: number } = {}): Plugin {
  const reqs: Req[] = [makeReq(0, 'routine', 42), makeReq(1, 'stat', 6), makeReq(2, 'routine', 95), makeReq(3, 'routine', 12), makeReq(4, 'stat', 31), unrecognised(5, 3)];
  const audit: { seq: number; at: string; actor: string; action: string; objectType: string; objectId: string | null; field?: string; before?: unknown; after?: unknown; requestId: string; sourceIp: string; hash: string }[] = [];
  // Sessions by cookie, as the real server does (nx_session, HttpOnly, SameSite=Strict).
  const sessions = new Map<string, { stage: 'password' | 'full'; user: string }>();
  // Break-glass, as the server keeps it: one open per session (the mock has one session at a time).
  let glass: { id: string; opened: number; expires: number; reason: string; user: string } | null = null;
  const glasses: { id: string; opened: number; expires: number; reason: string; user: string; ended?: number }[] = [];
  let user = 'reviewer1';
  const idle = options.idleSeconds ?? Number(process.env['NEXESSION_MOCK_IDLE'] ?? 900);
  const delay = options.delayMs ?? Number(process.env['NEXESSION_MOCK_DELAY'] ?? 40);
  const users = [
    { id: 'u1', username: 'admin', displayName: 'First Admin', roles: ['admin'], status: 'active', lastLoginAt: new Date().toISOString() },
    { id: 'u2', username: 'reviewer1', displayName: 'Rae Viewer', roles: ['reviewer'], status: 'active', lastLoginAt: null },
  ];
  let deliveryDecided = false;
  let lis = { host: '127.0.0.1', port: 2575, profile: 'OML_O21', tls: false };
  const log = (action: string, objectType: string, objectId: string | null, extra: { field?: string; before?: unknown; after?: unknown } = {}) => {
    audit.push({ seq: audit.length + 1, at: new Date().toISOString(), actor: user, action, objectType, objectId, ...extra, requestId: `req-${audit.length + 1}`, sourceIp: '127.0.0.1', hash: (audit.length * 7919 + 0xabcdef).toString(16).padStart(16, '0') });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith('/api/')) return false;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    if ((req.headers['content-type'] ?? '').includes('json') && raw) body = JSON.parse(raw) as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, delay));
    const send = (status: number, data: unknown, type = 'application/json') => {
      res.statusCode = status;
      res.setHeader('content-type', type);
      res.setHeader('cache-control', 'no-store');
      res.end(type === 'application/json' ? JSON.stringify(data) : (data as string));
      return true;
    };
    const fail = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => send(status, { error: { code, message }, ...extra });
    const p = url.pathname;
    const m = req.method ?? 'GET';
    const sid = /(?:^|;\s*)nx_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
    const session = sessions.get(sid);
    if (session) user = session.user;
    const stage = session?.stage ?? 'none';

    if (p.startsWith('/api/setup/')) {
      const [, , , token, step] = p.split('/');
      if (token === 'bad') return send(200, { valid: false, kind: null, started: false });
      // "started": the password step was done with this link before.
      if (!step) return send(200, { valid: true, kind: token === 'first' ? 'first_admin' : 'invite', started: token === 'started' });
      if (step === 'password') {
        const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
        const qr = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><rect width="21" height="21" fill="#fff"/>${Array.from({ length: 120 }, (_, i) => `<rect x="${(i * 7) % 21}" y="${(i * 11) % 21}" width="1" height="1"/>`).join('')}<rect x="0" y="0" width="7" height="7" fill="none" stroke="#000"/></svg>`;
        return send(200, { totp: { secret, uri: `otpauth://totp/Nexession:new?secret=${secret}`, qrSvg: qr }, replacesEarlierSecret: token === 'started' });
      }
      if (step === 'totp') return body['code'] === '123456' ? send(200, { ok: true }) : fail(400, 'bad_code', 'That code is not valid');
    }
    if (p === '/api/auth/login' && m === 'POST') {
      if (body['password'] !== 'demo-password-1') return fail(401, 'bad_credentials', 'User name or password is wrong');
      const id = Math.random().toString(36).slice(2);
      sessions.set(id, { stage: 'password', user: String(body['username']) });
      res.setHeader('set-cookie', `nx_session=${id}; HttpOnly; SameSite=Strict; Path=/`);
      return send(200, { next: 'totp' });
    }
    if (p === '/api/auth/totp' && m === 'POST') {
      if (!session || stage !== 'password' || body['code'] !== '123456') return fail(401, 'bad_code', 'That code is not valid');
      session.stage = 'full';
      user = session.user;
      log('auth.login', 'user', null);
      return send(200, { user: { id: 'u', username: user, displayName: user, roles: [] } });
    }
    if (p === '/api/auth/logout') {
      sessions.delete(sid);
      return send(200, { ok: true });
    }
    if (stage !== 'full') return fail(401, 'unauthenticated', 'Sign in first');
    if (m !== 'GET' && req.headers['x-nexession-csrf'] !== 'csrf-mock') return fail(403, 'csrf', 'CSRF token missing');
    const roles = user.startsWith('admin') ? ['admin'] : user.startsWith('audit') ? ['auditor'] : user.startsWith('lead') ? ['lead_reviewer'] : ['reviewer'];
    if (glass && glass.expires <= Date.now()) glass = null;
    const glassView = () => (glass ? { id: glass.id, openedAt: new Date(glass.opened).toISOString(), expiresAt: new Date(glass.expires).toISOString(), remainingSeconds: Math.floor((glass.expires - Date.now()) / 1000) } : null);
    if (p === '/api/auth/me') return send(200, { user: { id: 'u', username: user, displayName: user, roles }, csrf: 'csrf-mock', idleTimeoutSeconds: idle, idleWarningSeconds: 60, breakGlass: glassView(), breakGlassMinutes: { default: 30, max: 240 } });
    if (p === '/api/break-glass' && m === 'POST') {
      const reason = String(body['reason'] ?? '').trim();
      if (reason.length < 15) return fail(400, 'reason_required', 'state the reason in words (at least 15 characters)');
      const minutes = Number(body['minutes'] ?? 30);
      glass = { id: `bg-${Math.random().toString(36).slice(2)}`, opened: Date.now(), expires: Date.now() + minutes * 60_000, reason, user };
      glasses.push({ ...glass });
      log('break_glass.open', 'break_glass', glass.id);
      return send(200, { breakGlass: glassView() });
    }
    if (p === '/api/break-glass/end' && m === 'POST') {
      if (!glass) return fail(409, 'no_break_glass', 'no break-glass is open in this session');
      log('break_glass.end', 'break_glass', glass.id);
      const g = glasses.find((x) => x.id === glass!.id);
      if (g) g.ended = Date.now();
      glass = null;
      return send(200, { ok: true });
    }
    if (p === '/api/break-glass' && m === 'GET') {
      return send(200, { items: glasses.map((g) => ({ id: g.id, user: { id: 'u', username: g.user, displayName: g.user, roles }, reason: g.reason, openedAt: new Date(g.opened).toISOString(), expiresAt: new Date(g.expires).toISOString(), endedAt: g.ended ? new Date(g.ended).toISOString() : null, status: g.ended ? 'ended' : 'active', accesses: [], requisitions: [], review: null })) });
    }
    if (p === '/api/auth/keepalive') return send(200, { ok: true });

    if (p === '/api/queue') {
      log('list', 'queue', null);
      const lead = roles.includes('lead_reviewer');
      const items = reqs
        .filter((r) => ['ready_for_review', 'in_review', ...(lead ? ['escalated'] : [])].includes(r.state))
        .map((r) => ({ id: r.id, priority: r.priority, state: r.state, receivedAt: r.receivedAt, waitingSeconds: (Date.now() - Date.parse(r.receivedAt)) / 1000, pageCount: 1, form: r.needsClassification ? null : 'Demo outreach requisition', needsClassification: r.needsClassification, assignee: r.assignee, flaggedFields: r.fields.filter((f) => f.flags.length > 0).length, ...(lead && r.escalation ? { escalation: r.escalation } : {}) }));
      return send(200, { items });
    }
    const rm = /^\/api\/requisitions\/([^/]+)(?:\/(.*))?$/.exec(p);
    if (rm) {
      const r = reqs.find((x) => x.id === rm[1]);
      if (!r) return fail(404, 'not_found', 'No such requisition');
      const rest = rm[2] ?? '';
      if (rest === '' && m === 'GET') {
        log(req.headers['x-nexession-prefetch'] === '1' ? 'requisition.prefetch' : 'requisition.view', 'requisition', r.id);
        return send(200, view(r));
      }
      if (rest === 'viewed' && m === 'POST') {
        log('requisition.view', 'requisition', r.id);
        return send(200, { ok: true });
      }
      if (rest === 'summary') return send(200, summary(r));
      if (rest === 'claim') {
        if (!['ready_for_review', 'in_review', 'escalated'].includes(r.state)) return fail(409, 'not_reviewable', `the requisition is ${r.state.replace(/_/g, ' ')}`);
        if (r.assignee && r.assignee !== user) return fail(409, 'held', `${r.assignee} is working on this requisition`);
        r.assignee = user;
        r.state = 'in_review';
        return send(200, { ok: true });
      }
      if (rest === 'pages/0/image') {
        log('image', 'requisition', r.id);
        return send(200, pageSvg(r), 'image/svg+xml');
      }
      const cm = /^fields\/([^/]+)\/(crop|review)$/.exec(rest);
      if (cm) {
        const f = r.fields.find((x) => x.key === decodeURIComponent(cm[1]!));
        if (!f) return fail(404, 'not_found', 'No such field');
        if (cm[2] === 'crop') {
          log('crop', 'requisition', r.id, { field: f.key });
          const mx = f.kind === 'checkbox' ? 10 : 16;
          const { x, y, w, h } = f.region;
          const vb = `${x - mx} ${y - mx} ${w + 2 * mx} ${h + 2 * mx}`;
          return send(200, pageSvg(r, vb, { w: (w + 2 * mx) * 2, h: (h + 2 * mx) * 2 }), 'image/svg+xml');
        }
        const action = body['action'];
        if (action === 'confirm' && f.flags.length > 0 && body['acknowledgeFlags'] !== true) return fail(409, 'flag_not_acknowledged', 'This field is flagged');
        const before = f.value;
        if (action === 'confirm') f.review = { state: 'confirmed', by: user, at: new Date().toISOString(), after: f.value };
        else if (action === 'correct') {
          f.value = (body['value'] as FieldValue) ?? null;
          f.review = { state: 'corrected', by: user, at: new Date().toISOString(), before, after: f.value };
        } else if (action === 'absent_on_source') {
          f.value = null;
          f.review = { state: 'absent_on_source', by: user, at: new Date().toISOString(), before, after: null };
        } else return fail(400, 'bad_action', 'Unknown action');
        log(String(action), 'field', r.id, { field: f.key, before, after: f.value });
        if (f.role.startsWith('patient.') && r.identity) r.identity.current = false;
        const { ink: _ink, ...out } = f;
        return send(200, { field: out, validation: validation(r), releaseBlockers: blockers(r), identityWarnings: warnings(r) });
      }
      if (rest === 'identity') {
        const ids = body['identifiers'];
        if (!Array.isArray(ids) || ids.length < 2) return fail(400, 'two_identifiers', 'Two identifiers are required');
        r.identity = { confirmedBy: user, confirmedAt: new Date().toISOString(), identifiers: ids as string[], current: true };
        log('identity', 'requisition', r.id, { after: ids });
        return send(200, { identity: { ...r.identity, warnings: warnings(r) }, identityWarnings: warnings(r), releaseBlockers: blockers(r) });
      }
      if (rest === 'release') {
        const b = blockers(r);
        if (b.length > 0) return fail(409, 'not_releasable', b.join('; '), { releaseBlockers: b });
        r.state = 'released';
        r.assignee = null;
        r.release = { by: user, at: new Date().toISOString(), placerOrderNumber: `NX000${r.id.slice(-5)}`, releasedMs: Date.now() };
        log('release', 'requisition', r.id);
        return send(200, { state: 'released', placerOrderNumber: r.release.placerOrderNumber, delivery: { id: `d-${r.id.slice(-4)}`, state: 'pending' } });
      }
      if (rest === 'classify') {
        if (!r.needsClassification) return fail(409, 'already_classified', 'this requisition already has its form');
        r.fields = manualFields(Number(r.id.slice(-2)));
        r.needsClassification = false;
        return send(200, { fields: r.fields.length });
      }
      if (rest === 'reject') {
        r.state = 'rejected';
        return send(200, { state: 'rejected' });
      }
      if (rest === 'escalate') {
        r.state = 'escalated';
        r.assignee = null;
        r.escalation = { by: user, at: new Date().toISOString(), reason: String(body['reason'] ?? '') };
        log('escalate', 'requisition', r.id, { after: body['reason'] });
        return send(200, { state: 'escalated' });
      }
      if (rest === 'next') {
        const order = [...reqs].filter((x) => x.id !== r.id && x.state === 'ready_for_review').sort((a, b) => (a.priority === b.priority ? Date.parse(a.receivedAt) - Date.parse(b.receivedAt) : a.priority === 'stat' ? -1 : 1));
        return send(200, { id: order[0]?.id ?? null });
      }
    }
    if (p === '/api/users' && m === 'GET') return send(200, { items: users });
    if (p === '/api/users' && m === 'POST') {
      const u = { id: `u${users.length + 1}`, username: String(body['username']), displayName: String(body['displayName']), roles: body['roles'] as string[], status: 'invited', lastLoginAt: null };
      users.push(u);
      log('user.create', 'user', u.id);
      return send(200, { user: u, inviteUrl: `/setup/invite-${u.id}` });
    }
    const dm = /^\/api\/users\/([^/]+)\/disable$/.exec(p);
    if (dm) {
      const u = users.find((x) => x.id === dm[1]);
      if (u) u.status = 'disabled';
      return send(200, { ok: true });
    }
    if (p === '/api/lis' && m === 'GET') return send(200, { connection: lis });
    if (p === '/api/lis' && m === 'PUT') {
      lis = { ...lis, ...(body as typeof lis) };
      return send(200, { connection: lis });
    }
    if (p === '/api/documents/quarantine') return send(200, { items: [{ id: 'q-0001', receivedAt: new Date(Date.now() - 3_600_000).toISOString(), sha256: 'be5f'.repeat(16), reason: 'PDF carries JavaScript (/JS in an OpenAction)' }] });
    if (p === '/api/templates' && m === 'GET') return send(200, { items: [{ id: 'demo-outreach', version: 2, name: 'Demo outreach requisition', active: true, usedBy: reqs.length }] });
    if (p === '/api/templates' && m === 'POST') {
      return send(200, {
        id: 'ontario-2010', version: 1,
        problems: ['field b_other has no meaning'],
        proposal: {
          template: {
            id: 'ontario-2010', version: 1, name: 'Ontario Laboratory Requisition (2010)',
            pages: [{ widthMm: 215.9, heightMm: 279.4, fields: [
              { key: 'patient_last_name', label: 'Patient last name', kind: 'text', region: { x: 30, y: 30, w: 70, h: 7 } },
              { key: 'b_tsh', label: 'TSH', kind: 'checkbox', region: { x: 25, y: 103, w: 5.7, h: 5.7 } },
              { key: 'b_other', label: 'Other', kind: 'checkbox', region: { x: 25, y: 113, w: 5.7, h: 5.7 } },
            ] }],
          },
          meanings: { patient_last_name: { role: 'patient.last_name' }, b_tsh: { role: 'order.test', test: { code: 'TSH', name: 'TSH' } } },
          reviewOrder: ['patient_last_name', 'b_tsh', 'b_other'],
        },
      });
    }
    if (/^\/api\/templates\/[^/]+\/\d+\/pages\/\d+\/image$/.test(p)) return send(200, pageSvg(reqs[0]!), 'image/svg+xml');
    if (/^\/api\/templates\/[^/]+\/\d+\/publish$/.test(p)) return send(200, { active: true });
    if (p.startsWith('/api/deliveries')) {
      const d = {
        id: 'dddddddd-0000-4000-8000-000000000001', requisitionId: reqs[2]!.id, state: 'ambiguous', stateReason: 'no ACK within 30 s after the message was sent',
        controlId: 'NX-000042', profile: 'OML_O21', ackCode: null, lisOrderNumber: null, attempts: 1, resendCount: 0, resolution: null,
        payloadSha256: 'c0ffee'.repeat(10) + 'abcd', createdAt: new Date(Date.now() - 600_000).toISOString(), updatedAt: new Date(Date.now() - 540_000).toISOString(), ackedAt: null, needsPerson: true,
      };
      if (p === '/api/deliveries') return send(200, { items: deliveryDecided ? [] : [d] });
      if (p.endsWith('/ack')) return send(200, { text: null });
      if (p.endsWith('/resend') || p.endsWith('/mark-received')) {
        deliveryDecided = true;
        return send(200, { deliveryId: d.id, state: p.endsWith('/resend') ? 'pending' : 'acked' });
      }
      return send(200, { delivery: d, events: [
        { at: d.createdAt, attempt: 1, kind: 'sent', reason: null, ackCode: null, actor: 'delivery', details: {} },
        { at: d.updatedAt, attempt: 1, kind: 'ambiguous', reason: d.stateReason, ackCode: null, actor: 'delivery', details: {} },
      ] });
    }
    if (p === '/api/audit') return send(200, { items: [...audit].reverse().slice(0, Number(url.searchParams.get('limit') ?? 200)) });
    if (p === '/api/audit/verify') return send(200, { ok: true, checked: audit.length });
    return fail(404, 'not_found', `No mock for ${m} ${p}`);
  };

  const middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    handle(req, res).then(
      (done) => {
        if (!done) next();
      },
      (e: unknown) => {
        res.statusCode = 500;
        res.end(String(e));
      },
    );
  };
  return {
    name: 'nexession-mock-api',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
  };
}
