/**
 * How long the server takes to answer a reviewer (UX.md: "confirming a field answers in under
 * 100 ms"), measured the way the workstation meets it: the real server in this process (embedded
 * PostgreSQL, the real reader, HTTPS on loopback with keep-alive, as a browser holds its
 * connection), synthetic faxes dropped into the watched folder, and one signed-in reviewer who
 * claims each requisition, opens it, fetches each field's crop and reviews every field the way
 * the page has it (confirm, correct to the page's value, or blank on the form), then confirms
 * identity and releases. Every request is timed from send to the last byte of the answer.
 *
 * Reading happens before any timing starts (all requisitions are read first), so the figures are
 * review answers only. Writes `<name>.json` (every sample) and `<name>.md` to var/benchmarks, or to
 * the folder given with --out.
 *
 *   npm run bench:review -w @nexession/server -- [--requisitions 3] [--out docs/benchmarks] [--name review-latency]
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { makeFaxedRequisition, type FaxedRequisition } from '@nexession/testkit';
import { startServer, type Running } from '../src/app/start.ts';
import { totpCode } from '../src/auth/totp.ts';
import { createActiveUserForDemo } from '../src/auth/users.ts';
import { loadConfig } from '../src/config.ts';
import { recordAudit, serviceContext } from '../src/audit/audit.ts';
import { startLisSimulator, type LisSimulator } from '../src/delivery/index.ts';
import { DEFAULT_LIS, setLisConnection } from '../src/requisitions/delivery-port.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TARGET_MS = 100;

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One HTTPS connection kept open, trusting only the server's own certificate. */
function client(baseUrl: string, ca: string) {
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 1 });
  let cookie = '';
  let csrf = '';
  return {
    setCsrf(v: string) {
      csrf = v;
    },
    request(method: string, url: string, body?: unknown): Promise<Answer> {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = {};
      if (cookie) headers['cookie'] = cookie;
      if (csrf) headers['x-nexession-csrf'] = csrf;
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(payload.length);
      }
      return new Promise((resolve, reject) => {
        const start = performance.now();
        const req = https.request(new URL(url, baseUrl), { method, agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const ms = performance.now() - start;
            for (const c of res.headers['set-cookie'] ?? []) {
              const m = /^nx_session=([^;]*)/.exec(c);
              if (m) cookie = `nx_session=${m[1]}`;
            }
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        if (payload) req.write(payload);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}
type Client = ReturnType<typeof client>;

/** A request that must succeed; a refusal ends the run with its status and error code. */
async function ok(c: Client, method: string, url: string, body?: unknown): Promise<Answer> {
  const a = await c.request(method, url, body);
  if (a.status !== 200) throw new Error(`${method} ${url}: ${a.status} ${errorCode(a)}`);
  return a;
}

/** Error codes only: an answer's message may carry values. */
function errorCode(a: Answer): string {
  try {
    return (JSON.parse(a.body) as { error?: { code?: string } }).error?.code ?? '';
  } catch {
    return '';
  }
}

interface ApiField {
  key: string;
  kind: 'checkbox' | 'text' | 'barcode';
  role: string;
  machineValue: string | boolean | null;
  flags: { code: string }[];
}

type Operation = 'field_review' | 'requisition_view' | 'field_crop' | 'identity_confirm' | 'release';
const OPERATIONS: Operation[] = ['field_review', 'requisition_view', 'field_crop', 'identity_confirm', 'release'];

interface Sample {
  op: Operation;
  ms: number;
  requisition: number;
  /** field_review: what the reviewer did. */
  action?: 'confirm' | 'correct' | 'absent_on_source';
  flagged?: boolean;
}

/** What a reviewer who reads the page would send for this field. */
function reviewFor(f: ApiField, fax: FaxedRequisition): { action: 'confirm' | 'correct' | 'absent_on_source'; value?: string | boolean; acknowledgeFlags: boolean } {
  const acknowledgeFlags = f.flags.length > 0;
  const truth = fax.truth.fields[f.key];
  if (f.kind === 'checkbox') {
    const want = truth?.kind === 'checkbox' ? truth.state === 'marked' : false;
    return f.machineValue === want ? { action: 'confirm', acknowledgeFlags } : { action: 'correct', value: want, acknowledgeFlags };
  }
  const written = truth?.kind === 'text' ? (truth.value ?? '').trim() : '';
  if (written === '') return { action: 'absent_on_source', acknowledgeFlags };
  return f.machineValue === written ? { action: 'confirm', acknowledgeFlags } : { action: 'correct', value: written, acknowledgeFlags };
}

function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
  return {
    n: s.length,
    median: round(quantile(s, 0.5)),
    p95: round(quantile(s, 0.95)),
    max: round(s.at(-1) ?? NaN),
    mean: round(s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN),
    over100: s.filter((v) => v >= TARGET_MS).length,
  };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function waitForQueue(c: Client, count: number, minutes: number): Promise<{ id: string; receivedAt: string }[]> {
  const end = Date.now() + minutes * 60_000;
  for (;;) {
    const q = JSON.parse((await c.request('GET', '/api/queue')).body) as { items: { id: string; receivedAt: string; state: string }[] };
    if (q.items.length >= count) return q.items;
    if (Date.now() > end) throw new Error(`only ${q.items.length} of ${count} requisitions were read in ${minutes} minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      requisitions: { type: 'string', default: '3' },
      out: { type: 'string', default: path.join(REPO_ROOT, 'var/benchmarks') },
      name: { type: 'string', default: 'review-latency' },
      seed: { type: 'string', default: 'bench-review' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run bench:review -- [--requisitions N] [--out DIR] [--name NAME] [--seed S]\nReports go to var/benchmarks/ (--out DIR: there).');
    return 0;
  }
  const count = Number(values.requisitions);
  if (!Number.isInteger(count) || count < 1) throw new Error('--requisitions takes a whole number of at least 1');
  // npm runs a workspace script in the package folder; a relative --out means the caller's folder.
  const outDir = path.resolve(process.env.INIT_CWD ?? process.cwd(), values.out);
  const command = `npm run bench:review -w @nexession/server -- ${argv.join(' ')}`.trim();
  const loadBefore = os.loadavg();
  const startedAt = new Date();

  const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-bench-review-'));
  // The reader keeps to one thread unless told otherwise: the machine is shared.
  const env = { ...process.env, NEXESSION_VAR_DIR: varDir, PORT: '0', HOST: '127.0.0.1', INBOX_POLL_MS: '200', READER_THREADS: process.env.READER_THREADS ?? '1' };
  const config = loadConfig(env, varDir);
  const log = pino({ level: 'warn' }, process.stderr);
  let running: Running | null = null;
  let lis: LisSimulator | null = null;
  let c: Client | null = null;
  try {
    process.stderr.write(`starting the server (embedded PostgreSQL) in ${varDir}\n`);
    running = await startServer(config, { log, webDist: null });
    // Release needs a LIS connection: the MLLP simulator, a real TCP peer that acknowledges.
    lis = await startLisSimulator({ port: 0, host: '127.0.0.1', outDir: path.join(varDir, 'lis') });
    await running.ctx.db.transaction().execute(async (trx) => {
      await setLisConnection(trx, { ...DEFAULT_LIS, host: lis!.host, port: lis!.port });
      await recordAudit(trx, running!.ctx.vault, serviceContext('bench'), { action: 'lis.configure', objectType: 'settings', objectId: 'lis_connection' });
    });
    const password = `bench ${randomBytes(8).toString('hex')}`;
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await createActiveUserForDemo(running.ctx, { username: 'bench-reviewer', displayName: 'Bench Reviewer', roles: ['reviewer'], password, totpSecret: secret });

    const faxes: FaxedRequisition[] = [];
    for (let i = 0; i < count; i++) {
      const fax = await makeFaxedRequisition({ form: 'demo-outreach', seed: `${values.seed}-${i}`, mode: 'fine', format: 'tiff-g4', severity: 'typical', style: 'typed', upsideDown: false, complete: true });
      faxes.push(fax);
      const part = path.join(config.inboxDir, `.${fax.fileName}.part`);
      fs.mkdirSync(config.inboxDir, { recursive: true });
      fs.writeFileSync(part, fax.bytes);
      fs.renameSync(part, path.join(config.inboxDir, fax.fileName));
    }

    c = client(running.url, fs.readFileSync(path.join(varDir, 'tls', 'cert.pem'), 'utf8'));
    await ok(c, 'POST', '/api/auth/login', { username: 'bench-reviewer', password });
    await ok(c, 'POST', '/api/auth/totp', { code: totpCode(secret) });
    c.setCsrf((JSON.parse((await ok(c, 'GET', '/api/auth/me')).body) as { csrf: string }).csrf);

    process.stderr.write(`reading ${count} faxed requisition(s) with the real reader\n`);
    const queue = await waitForQueue(c, count, 10);
    // Each requisition is matched to its fax by the document's content hash.
    const bySha = new Map(faxes.map((f) => [sha256(f.bytes), f] as const));

    const samples: Sample[] = [];
    const outcomes: { fields: number; corrected: number; blank: number; flagged: number; released: boolean; releaseAnswer: string }[] = [];
    for (const [n, item] of queue.entries()) {
      await ok(c, 'POST', `/api/requisitions/${item.id}/claim`);
      const view = await ok(c, 'GET', `/api/requisitions/${item.id}`);
      samples.push({ op: 'requisition_view', ms: view.ms, requisition: n });
      const detail = JSON.parse(view.body) as { documentSha256: string; fields: ApiField[] };
      const fax = bySha.get(detail.documentSha256);
      if (!fax) throw new Error(`requisition ${item.id} matches no fax this run made`);
      const outcome = { fields: detail.fields.length, corrected: 0, blank: 0, flagged: 0, released: false, releaseAnswer: '' };
      for (const f of detail.fields) {
        const crop = await c.request('GET', `/api/requisitions/${item.id}/fields/${encodeURIComponent(f.key)}/crop`);
        if (crop.status === 200) samples.push({ op: 'field_crop', ms: crop.ms, requisition: n });
        const body = reviewFor(f, fax);
        const r = await ok(c, 'POST', `/api/requisitions/${item.id}/fields/${encodeURIComponent(f.key)}/review`, body);
        samples.push({ op: 'field_review', ms: r.ms, requisition: n, action: body.action, flagged: body.acknowledgeFlags });
        if (body.action === 'correct') outcome.corrected++;
        if (body.action === 'absent_on_source') outcome.blank++;
        if (body.acknowledgeFlags) outcome.flagged++;
      }
      const identity = await c.request('POST', `/api/requisitions/${item.id}/identity`, { identifiers: ['name', 'dob'] });
      if (identity.status === 200) samples.push({ op: 'identity_confirm', ms: identity.ms, requisition: n });
      const release = await c.request('POST', `/api/requisitions/${item.id}/release`);
      outcome.released = release.status === 200;
      outcome.releaseAnswer = release.status === 200 ? 'released' : `${release.status} ${errorCode(release)}`;
      if (release.status === 200) samples.push({ op: 'release', ms: release.ms, requisition: n });
      outcomes.push(outcome);
    }

    const loadAfter = os.loadavg();
    const summary = Object.fromEntries(OPERATIONS.map((op) => [op, stats(samples.filter((s) => s.op === op).map((s) => s.ms))]));
    const reviewByAction = Object.fromEntries(
      (['confirm', 'correct', 'absent_on_source'] as const).map((a) => [a, stats(samples.filter((s) => s.op === 'field_review' && s.action === a).map((s) => s.ms))]),
    );
    const report = {
      name: values.name,
      command,
      startedAt: startedAt.toISOString(),
      commit: git(['rev-parse', '--short', 'HEAD']),
      uncommittedServerChanges: git(['status', '--porcelain', '--', 'packages/server/src']) !== '',
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverageBefore: loadBefore.map((v) => Math.round(v * 100) / 100),
        loadAverageAfter: loadAfter.map((v) => Math.round(v * 100) / 100),
        readerThreads: config.readerThreads,
      },
      setup: { form: 'demo-outreach', requisitions: count, seed: values.seed, transport: 'HTTPS over loopback, one keep-alive connection', database: 'embedded PostgreSQL' },
      targetMs: TARGET_MS,
      summary,
      reviewByAction,
      requisitions: outcomes,
      samples: samples.map((s) => ({ ...s, ms: Math.round(s.ms * 100) / 100 })),
    };
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, `${values.name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(path.join(outDir, `${values.name}.md`), markdown(report));
    const fr = summary['field_review']!;
    process.stdout.write(
      `field review over ${fr.n} answers: median ${fr.median} ms, p95 ${fr.p95} ms, max ${fr.max} ms (${fr.over100} at or over ${TARGET_MS} ms); ` +
        `requisition view median ${summary['requisition_view']!.median} ms\nreport: ${path.join(outDir, `${values.name}.md`)}\n`,
    );
    return 0;
  } finally {
    c?.close();
    await running?.close();
    await lis?.close();
    fs.rmSync(varDir, { recursive: true, force: true });
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

type Report = {
  name: string;
  command: string;
  startedAt: string;
  commit: string;
  uncommittedServerChanges: boolean;
  machine: { cpus: number; model: string; node: string; loadAverageBefore: number[]; loadAverageAfter: number[]; readerThreads: number };
  targetMs: number;
  summary: Record<string, ReturnType<typeof stats>>;
  reviewByAction: Record<string, ReturnType<typeof stats>>;
  requisitions: { fields: number; corrected: number; blank: number; flagged: number; released: boolean; releaseAnswer: string }[];
};

const LABELS: Record<Operation, string> = {
  field_review: 'Field review (`POST …/fields/:key/review`)',
  requisition_view: 'Open a requisition (`GET /api/requisitions/:id`)',
  field_crop: "A field's crop (`GET …/fields/:key/crop`)",
  identity_confirm: 'Identity confirmation (`POST …/identity`)',
  release: 'Release (`POST …/release`)',
};

function markdown(r: Report): string {
  const fr = r.summary['field_review']!;
  const met = fr.p95 !== null && fr.p95 < r.targetMs;
  const v = (x: number | null) => (x === null ? '–' : String(x));
  const row = (label: string, s: ReturnType<typeof stats>) => `| ${label} | ${s.n} | ${v(s.median)} | ${v(s.p95)} | ${v(s.max)} | ${v(s.mean)} | ${s.over100} |`;
  const lines = [
    `# Review latency: ${r.name}`,
    '',
    `Made by \`${r.command}\` on ${r.startedAt.slice(0, 10)} at commit ${r.commit}${r.uncommittedServerChanges ? ' (with uncommitted server work in the checkout)' : ''}.`,
    `Machine: ${r.machine.cpus} cores, ${r.machine.model}, Node ${r.machine.node}; load average ${r.machine.loadAverageBefore.join(' / ')} (1/5/15 min) before, ${r.machine.loadAverageAfter.join(' / ')} after.` +
      (Math.max(r.machine.loadAverageBefore[0]!, r.machine.loadAverageAfter[0]!) > r.machine.cpus / 2
        ? ` The machine was shared: other work was running on its ${r.machine.cpus} cores during the run, and may have slowed these times.`
        : ''),
    '',
    'The real server in one process (embedded PostgreSQL, the real reader, HTTPS on loopback with one keep-alive connection), ' +
      `${r.requisitions.length} synthetic demo-outreach fax(es) (G4, fine mode, typical degradation) read first; then one reviewer claims each, opens it, fetches every field's crop ` +
      "and reviews every field as the page has it, confirms identity and releases. Times are from sending a request to the answer's last byte, in milliseconds.",
    '',
    `## Target: confirming a field answers in under ${r.targetMs} ms (UX.md)`,
    '',
    `p95 of field reviews: ${fr.p95} ms over ${fr.n} answers; ${fr.over100} at or over ${r.targetMs} ms. **${met ? 'Met' : 'NOT met'}** at p95.`,
    '',
    `| request | n | median | p95 | max | mean | ≥ ${r.targetMs} ms |`,
    '|---|---|---|---|---|---|---|',
    ...OPERATIONS.map((op) => row(LABELS[op], r.summary[op]!)),
    '',
    'Field reviews by what the reviewer did:',
    '',
    `| action | n | median | p95 | max | mean | ≥ ${r.targetMs} ms |`,
    '|---|---|---|---|---|---|---|',
    ...Object.entries(r.reviewByAction).map(([a, s]) => row(a, s)),
    '',
    '## Requisitions',
    '',
    '| # | fields | corrected | blank on the form | flagged (acknowledged) | release |',
    '|---|---|---|---|---|---|',
    ...r.requisitions.map((q, i) => `| ${i + 1} | ${q.fields} | ${q.corrected} | ${q.blank} | ${q.flagged} | ${q.releaseAnswer} |`),
    '',
    `Every sample is in \`${r.name}.json\`, written beside this report by the same command.`,
    '',
  ];
  return lines.join('\n');
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
