/**
 * The whole server in one process, as `npm start` runs it (on a test database instead of the
 * embedded one): real HTTPS with the generated certificate, the watched folder, the reading and
 * delivery workers on pg-boss, and the LIS simulator over MLLP. The page readings come from a
 * scripted reader (the real engine is exercised in the reader's own tests and the browser e2e).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from '../src/app/start.ts';
import { totpCode } from '../src/auth/totp.ts';
import { loadConfig } from '../src/config.ts';
import { startLisSimulator, type LisSimulator } from '../src/delivery/index.ts';
import { tempDir } from '../src/test/context.ts';
import { freshDatabase, type TestDatabase } from '../src/test/db.ts';
import { demoValues, FakeReader } from '../src/test/fake-reader.ts';
import { greyPng } from '../src/test/files.ts';
import { HttpsSession } from '../src/test/https-client.ts';

const NAME = 'PLOVERSTRAND';
const MISREAD = 'PL0VERSTRAND';

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the running server, end to end over HTTPS and MLLP', () => {
  let tdb: TestDatabase;
  let dir: string;
  let running: Running;
  let sim: LisSimulator;
  let ca: string;
  const reader = new FakeReader();
  const logs: string[] = [];

  beforeAll(async () => {
    tdb = await freshDatabase({ migrate: false });
    dir = await tempDir('nx-e2e-');
    const config = loadConfig({ NEXESSION_VAR_DIR: dir, DATABASE_URL: tdb.appUrl, DATABASE_OWNER_URL: tdb.ownerUrl, PORT: '0', INBOX_POLL_MS: '100' }, dir);
    const sink = new Writable({ write: (c, _e, cb) => (logs.push(c.toString()), cb()) });
    running = await startServer(config, { log: pino({ level: 'debug' }, sink), readerFactory: reader.factory, webDist: null });
    ca = await fs.readFile(path.join(dir, 'tls', 'cert.pem'), 'utf8');
    sim = await startLisSimulator({ port: 0, outDir: path.join(dir, 'lis') });
  });
  afterAll(async () => {
    await sim?.close();
    await running?.close();
    await tdb?.drop();
  });

  it('speaks TLS 1.2 or higher only, with its generated certificate for localhost', async () => {
    const url = new URL(running.url);
    const old = await new Promise<string>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: Number(url.port), servername: 'localhost', ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => resolve('connected'));
      s.on('error', (e) => resolve(e.message));
    });
    expect(old).not.toBe('connected');
    const modern = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: Number(url.port), servername: 'localhost', ca }, () => {
        resolve(s.getProtocol() ?? '');
        s.end();
      });
      s.on('error', reject);
    });
    expect(['TLSv1.2', 'TLSv1.3']).toContain(modern);
  });

  it('takes a faxed requisition from the watched folder to an acknowledged HL7 order', async () => {
    // First administrator through the printed one-time link. (A code works once: signing in
    // right after enrolling uses the next 30-second step, which TOTP accepts one step early.)
    expect(running.setupUrl).toMatch(/\/setup\/[A-Za-z0-9_-]{43}$/);
    const token = running.setupUrl!.split('/').at(-1)!;
    const anon = new HttpsSession(running.url, ca);
    const pw = await anon.request('POST', `/api/setup/${token}/password`, { username: 'first-admin', password: 'a long admin passphrase' });
    expect(pw.status).toBe(200);
    const adminSecret: string = pw.json().totp.secret;
    expect((await anon.request('POST', `/api/setup/${token}/totp`, { code: totpCode(adminSecret) })).status).toBe(200);

    const admin = new HttpsSession(running.url, ca);
    expect((await admin.request('POST', '/api/auth/login', { username: 'first-admin', password: 'a long admin passphrase' })).json()).toEqual({ next: 'totp' });
    expect((await admin.request('POST', '/api/auth/totp', { code: totpCode(adminSecret, Date.now() + 30_000) })).status).toBe(200);
    await admin.refreshCsrf();
    expect((await admin.request('PUT', '/api/lis', { host: sim.host, port: sim.port, profile: 'OML_O21', tls: false })).status).toBe(200);
    const invite = await admin.request('POST', '/api/users', { username: 'rev', displayName: 'Reviewer', roles: ['reviewer'] });
    const inviteToken = (invite.json().inviteUrl as string).split('/').at(-1)!;
    const enrol = await anon.request('POST', `/api/setup/${inviteToken}/password`, { password: 'quiet harbour lantern 42' });
    const revSecret: string = enrol.json().totp.secret;
    expect((await anon.request('POST', `/api/setup/${inviteToken}/totp`, { code: totpCode(revSecret) })).status).toBe(200);
    const rev = new HttpsSession(running.url, ca);
    await rev.request('POST', '/api/auth/login', { username: 'rev', password: 'quiet harbour lantern 42' });
    expect((await rev.request('POST', '/api/auth/totp', { code: totpCode(revSecret, Date.now() + 30_000) })).status).toBe(200);
    await rev.refreshCsrf();

    // A fax arrives in the watched folder.
    const png = greyPng(1700, 2200, (x, y) => ((x * 7 + y * 3) % 97 === 0 ? 0 : 255));
    // The form prints "ORDERING PROVIDER (LAST, FIRST)": the name is split by that order.
    reader.script(png, [{ template: { id: 'demo-outreach', version: 2 }, values: { ...demoValues(MISREAD), provider_name: 'FENNIMORE, ADA' } }]);
    await fs.writeFile(path.join(running.ctx.config.inboxDir, 'fax-0001.png.part'), png);
    await fs.rename(path.join(running.ctx.config.inboxDir, 'fax-0001.png.part'), path.join(running.ctx.config.inboxDir, 'fax-0001.png'));
    const item = await until('the requisition in the queue', async () => (await rev.request('GET', '/api/queue')).json().items[0]);
    expect(await fs.readdir(running.ctx.config.inboxDir)).toEqual([]);
    const id: string = item.id;

    expect((await rev.request('POST', `/api/requisitions/${id}/claim`)).status).toBe(200);
    const detail = (await rev.request('GET', `/api/requisitions/${id}`)).json();
    expect((await rev.request('POST', `/api/requisitions/${id}/fields/patient_last_name/review`, { action: 'correct', value: NAME })).status).toBe(200);
    for (const f of detail.fields) {
      if (f.key === 'patient_last_name') continue;
      const r = await rev.request('POST', `/api/requisitions/${id}/fields/${f.key}/review`, { action: 'confirm', acknowledgeFlags: f.flags.length > 0 });
      expect(r.status, f.key).toBe(200);
    }
    expect((await rev.request('POST', `/api/requisitions/${id}/identity`, { identifiers: ['name', 'dob'] })).status).toBe(200);
    const rel = await rev.request('POST', `/api/requisitions/${id}/release`);
    expect(rel.status, rel.body.toString()).toBe(200);

    // The LIS gets one OML^O21 carrying the confirmed values and the image reference.
    const [msg] = await sim.waitForMessages(1, 20_000);
    expect(msg!.messageType).toMatch(/^OML\^O21/);
    expect(msg!.patient).toMatchObject({ lastName: NAME, firstName: 'Wren', dob: '19840322', sex: 'F' });
    expect(msg!.orders.map((o) => o.test.code).sort()).toEqual(['20020', '20450', '30100']);
    expect(msg!.orders[0]!.provider[0]).toMatchObject({ id: '1234567893', lastName: 'FENNIMORE', firstName: 'ADA', idType: 'NPI' });
    expect(msg!.orders[0]!.diagnoses.map((d) => d.code)).toEqual(['E11.9', 'I10']);
    const image = msg!.orders.flatMap((o) => o.observations).find((o) => o.imageReference);
    expect(image?.imageReference).toEqual({ documentId: detail.documentId, sha256: detail.documentSha256 });

    const done = await until('delivered', async () => {
      const d = (await rev.request('GET', `/api/requisitions/${id}`)).json();
      return d.state === 'delivered' ? d : null;
    });
    expect(done.delivery).toMatchObject({ state: 'acked', ackCode: 'AA' });

    // The correction is in the audit log with before and after (an auditor reads it).
    const auditorInvite = await admin.request('POST', '/api/users', { username: 'aud', displayName: 'Auditor', roles: ['auditor'] });
    const at = (auditorInvite.json().inviteUrl as string).split('/').at(-1)!;
    const audSecret: string = (await anon.request('POST', `/api/setup/${at}/password`, { password: 'copper meadow thistle 17' })).json().totp.secret;
    await anon.request('POST', `/api/setup/${at}/totp`, { code: totpCode(audSecret) });
    const aud = new HttpsSession(running.url, ca);
    await aud.request('POST', '/api/auth/login', { username: 'aud', password: 'copper meadow thistle 17' });
    await aud.request('POST', '/api/auth/totp', { code: totpCode(audSecret, Date.now() + 30_000) });
    const trail = (await aud.request('GET', `/api/audit?requisitionId=${id}&limit=1000`)).json().items;
    expect(trail.find((e: { action: string; field?: string }) => e.action === 'field.correct' && e.field === 'patient_last_name')).toMatchObject({ before: MISREAD, after: NAME, actor: 'rev' });
    expect(trail.some((e: { action: string }) => e.action === 'requisition.delivered')).toBe(true);
    expect((await aud.request('GET', '/api/audit/verify')).json()).toMatchObject({ ok: true });

    const all = logs.join('');
    expect(all).toContain(id);
    expect(all).not.toContain(NAME);
    expect(all).not.toContain(MISREAD);
    // No secrets either: the one-time setup and invitation tokens travel in URLs, and URLs are
    // logged (at debug, as here) with them replaced; TOTP secrets and passwords never appear.
    for (const secret of [token, inviteToken, at, adminSecret, revSecret, audSecret, 'a long admin passphrase', 'quiet harbour lantern 42']) {
      expect(all).not.toContain(secret);
    }
    expect(all).toContain('/api/setup/[redacted]/password');
  });
});
