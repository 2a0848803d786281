import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { demoOutreach } from '@nexession/forms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceContext } from '../audit/audit.ts';
import { contentBombPdf, evasivePdfs, greyPng, hostilePdfs, ONTARIO_BLANK_PDF, ONTARIO_FINE_G3, ONTARIO_STANDARD_G3 } from '../test/files.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../test/app.ts';
import { connect } from '../test/db.ts';
import { watchInbox } from './inbox.ts';
import { documentBytes, intakeDocument } from './store.ts';
import { QUEUES } from '../jobs/boss.ts';
import { markReadFailed } from '../requisitions/reading.ts';

async function readJobsFor(t: TestApp, documentId: string): Promise<number> {
  const c = await connect(t.tdb.appUrl);
  try {
    const r = await c.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'documentId' = $2`, [QUEUES.read, documentId]);
    return r.rows[0].n;
  } finally {
    await c.end();
  }
}

describe('intake', () => {
  let t: TestApp;
  let reviewer: Agent;
  let admin: Agent;
  beforeAll(async () => {
    t = await startTestApp();
    reviewer = await signedIn(t, 'rita', ['reviewer']);
    admin = await signedIn(t, 'adam', ['admin']);
  });
  afterAll(async () => t.close());

  const upload = (who: Agent, body: Buffer, filename = 'scan.pdf', type = 'application/octet-stream') =>
    who.request('POST', '/api/documents', body, { 'content-type': type, 'x-filename': filename });

  it('accepts a real G3 fax (fine and standard mode), stores it sealed with its SHA-256 and queues the read', async () => {
    for (const file of [ONTARIO_FINE_G3, ONTARIO_STANDARD_G3]) {
      const bytes = await fs.readFile(file);
      const r = await upload(reviewer, bytes, 'doe_jane_labreq.tif');
      expect(r.statusCode).toBe(201);
      const body = r.json();
      expect(body.status).toBe('accepted');
      expect(body.sha256).toMatch(/^[0-9a-f]{64}$/);
      const doc = await t.ctx.db.selectFrom('documents').selectAll().where('id', '=', body.documentId).executeTakeFirstOrThrow();
      expect(doc).toMatchObject({ format: 'tiff', page_count: 1, status: 'accepted', sha256: body.sha256 });
      // Sealed at rest: the blob is not the file, the name is not in the clear; opening gives the file back.
      const blob = await t.ctx.blobs.get(doc.blob_key);
      expect(blob.equals(bytes)).toBe(false);
      expect(doc.source_name!.includes(Buffer.from('doe_jane'))).toBe(false);
      expect((await documentBytes(t.ctx, doc.id)).equals(bytes)).toBe(true);
      expect(await readJobsFor(t, body.documentId)).toBe(1);
    }
    const standard = await t.ctx.db.selectFrom('documents').select('screening').where('format', '=', 'tiff').orderBy('received_at', 'desc').executeTakeFirstOrThrow();
    const page = (standard.screening as { pages: { xDpi: number; yDpi: number }[] }).pages[0]!;
    expect(Math.round(page.xDpi / page.yDpi)).toBe(2);
  });

  it('accepts a benign PDF; quarantines the real Ontario blank, which carries form JavaScript', async () => {
    const benign = await upload(reviewer, Buffer.from(await demoOutreach.drawBlank()), 'form.pdf', 'application/pdf');
    expect(benign.json(), benign.body).toMatchObject({ status: 'accepted' });
    const ontario = await upload(reviewer, await fs.readFile(ONTARIO_BLANK_PDF), 'form.pdf', 'application/pdf');
    expect(ontario.json()).toMatchObject({ status: 'quarantined', reason: expect.stringMatching(/JavaScript/) });
  });

  it('types by magic bytes: a PNG named .pdf is a PNG; a text file named .pdf is quarantined', async () => {
    const png = await upload(reviewer, greyPng(400, 300), 'requisition.pdf', 'application/pdf');
    expect(png.json()).toMatchObject({ status: 'accepted' });
    const doc = await t.ctx.db.selectFrom('documents').select('format').where('id', '=', png.json().documentId).executeTakeFirstOrThrow();
    expect(doc.format).toBe('png');

    const fake = await upload(reviewer, Buffer.from('PK\x03\x04 this is a zip, not a pdf'), 'requisition.pdf', 'application/pdf');
    expect(fake.statusCode).toBe(201);
    expect(fake.json()).toMatchObject({ status: 'quarantined' });
    expect(fake.json().reason).toMatch(/not a PDF, TIFF, PNG or JPEG/);
    expect(await readJobsFor(t, fake.json().documentId)).toBe(0);
  });

  it('quarantines hostile PDFs with their reason, queues no read, and lists them for admins only', async () => {
    const expected: Record<keyof typeof hostilePdfs, RegExp> = {
      javascript: /JavaScript/,
      launch: /launch action/,
      embeddedFile: /embedded file/,
      encrypted: /encrypted/,
    };
    const ids: string[] = [];
    for (const [kind, make] of Object.entries(hostilePdfs) as [keyof typeof hostilePdfs, () => Buffer][]) {
      const r = await upload(reviewer, make(), `${kind}.pdf`);
      expect(r.statusCode, kind).toBe(201);
      expect(r.json().status, kind).toBe('quarantined');
      expect(r.json().reason, kind).toMatch(expected[kind]);
      // No names from inside the file in the reason.
      expect(r.json().reason).not.toMatch(/doe_jane/);
      expect(await readJobsFor(t, r.json().documentId)).toBe(0);
      ids.push(r.json().documentId);
    }
    expect((await reviewer.request('GET', '/api/documents/quarantine')).statusCode).toBe(403);
    const list = await admin.request('GET', '/api/documents/quarantine');
    expect(list.statusCode).toBe(200);
    const listed = list.json().items.map((i: { id: string }) => i.id);
    for (const id of ids) expect(listed).toContain(id);
    // Kept sealed like everything else.
    const doc = await t.ctx.db.selectFrom('documents').selectAll().where('id', '=', ids[0]!).executeTakeFirstOrThrow();
    expect((await t.ctx.blobs.get(doc.blob_key)).includes(Buffer.from('JavaScript'))).toBe(false);
  });

  // Found by the security review: these PDFs passed the reader's screening and were read; pdf.js
  // resolves the hidden launch action in every one of them.
  it('quarantines PDFs shaped to slip an action past a byte scanner, and queues no read', async () => {
    const failures: string[] = [];
    for (const [name, make] of Object.entries(evasivePdfs)) {
      const r = await upload(reviewer, make(), `${name}.pdf`);
      expect(r.statusCode).toBe(201);
      const body = r.json();
      if (body.status !== 'quarantined' || !/launch action|SubmitForm/.test(body.reason)) failures.push(`${name}: ${body.status} ${body.reason ?? ''}`);
      else expect(await readJobsFor(t, body.documentId)).toBe(0);
    }
    expect(failures).toEqual([]);
  });

  it('quarantines a PDF whose compressed content expands past the limit', async () => {
    const r = await upload(reviewer, await contentBombPdf(210), 'bomb.pdf');
    expect(r.json()).toMatchObject({ status: 'quarantined', reason: 'PDF contains a compressed stream that expands to more than 200 MB (object 4)' });
    expect(await readJobsFor(t, r.json().documentId)).toBe(0);
  });

  // Found by the security review: a document that passed screening but could not be read became
  // read_failed and vanished from every screen (no requisition, not in the quarantine list): a
  // faxed order lost without anyone being told.
  it('keeps documents that could not be read in the administrators’ list, with the reason', async () => {
    const r = await upload(reviewer, greyPng(30, 30, (x) => (x % 2 ? 0 : 255)), 'unreadable.png');
    expect(r.json().status).toBe('accepted');
    await markReadFailed(t.ctx, r.json().documentId, 'the document could not be decoded');
    const items = (await admin.request('GET', '/api/documents/quarantine')).json().items as { id: string; status: string; reason: string }[];
    expect(items.find((i) => i.id === r.json().documentId)).toMatchObject({ status: 'read_failed', reason: 'could not be read: the document could not be decoded' });
    expect(items.filter((i) => i.status === 'quarantined').length).toBeGreaterThan(0);
  });

  it('stores a few uploads at a time and tells the rest to come back (memory is bounded)', async () => {
    const limit = t.ctx.config.maxConcurrentUploads;
    const open: PassThrough[] = [];
    const pending = [];
    for (let i = 0; i < limit; i++) {
      const body = new PassThrough();
      body.write(greyPng(20, 20).subarray(0, 10));
      open.push(body);
      pending.push(t.app.inject({ method: 'POST', url: '/api/documents', payload: body, cookies: { nx_session: reviewer.cookie }, headers: { 'x-nexession-csrf': reviewer.csrf, 'content-type': 'application/octet-stream' } }));
    }
    // Each held upload is past the gate once the server has started reading its body.
    while (!open.every((b) => b.readableLength === 0)) await new Promise((resolve) => setTimeout(resolve, 10));
    const busy = await upload(reviewer, greyPng(20, 20));
    expect(busy.statusCode).toBe(503);
    expect(busy.json().error.code).toBe('busy');
    expect(busy.headers['retry-after']).toBe('5');
    for (const [i, body] of open.entries()) body.end(greyPng(20, 20, () => 250 - i).subarray(10));
    for (const r of await Promise.all(pending)) expect(r.statusCode).toBe(201);
    expect((await upload(reviewer, greyPng(21, 21))).statusCode).toBe(201);
  });

  it('refuses anonymous and auditor uploads, and empty bodies', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/documents', payload: greyPng(10, 10), headers: { 'content-type': 'application/octet-stream' } })).statusCode).toBe(401);
    const auditor = await signedIn(t, 'audrey', ['auditor']);
    expect((await upload(auditor, greyPng(10, 10))).statusCode).toBe(403);
    expect((await upload(reviewer, Buffer.alloc(0))).statusCode).toBe(400);
  });

  it('watches the inbox: takes a file once its size is stable, removes it only after storing', async () => {
    const inbox = path.join(t.dir, 'inbox');
    const watcher = watchInbox(t.ctx, t.jobs, { dir: inbox, pollMs: 50, rejectedDir: path.join(t.dir, 'rejected'), settleMs: 0, autostart: false });
    await fs.mkdir(inbox, { recursive: true });
    const fax = await fs.readFile(ONTARIO_FINE_G3);
    // A file still being written: first half, then the rest.
    await fs.writeFile(path.join(inbox, 'fax-001.tif'), fax.subarray(0, 1000));
    await fs.writeFile(path.join(inbox, '.hidden.tif'), fax);
    await fs.writeFile(path.join(inbox, 'partial.tif.part'), fax);
    expect(await watcher.poll()).toBe(0);
    await fs.writeFile(path.join(inbox, 'fax-001.tif'), fax);
    expect(await watcher.poll()).toBe(0); // size changed since last pass
    expect(await watcher.poll()).toBe(1);
    expect(await fs.readdir(inbox)).toEqual(['.hidden.tif', 'partial.tif.part']);
    const doc = await t.ctx.db.selectFrom('documents').selectAll().where('source', '=', 'inbox').executeTakeFirstOrThrow();
    expect(doc.status).toBe('accepted');
    await fs.writeFile(path.join(inbox, 'evil.pdf'), hostilePdfs.javascript());
    await watcher.poll();
    await watcher.poll();
    const q = await t.ctx.db.selectFrom('documents').selectAll().where('source', '=', 'inbox').where('status', '=', 'quarantined').executeTakeFirstOrThrow();
    expect(q.quarantine_reason).toMatch(/JavaScript/);
    expect(await readJobsFor(t, q.id)).toBe(0);
    await watcher.stop();
  });

  // Found by the security review: the watcher used stat() and readFile(), which follow links. A
  // symbolic link dropped in the inbox (to /etc/shadow, to another lab's scans) was read with the
  // server's rights (root, in the embedded default) and stored; an image behind it was shown to
  // reviewers. An empty file sat in the folder forever, neither taken nor refused.
  it('never follows a link in the inbox: sets it aside unread, with its reason, and audits it', async () => {
    const inbox = path.join(t.dir, 'inbox-links');
    const rejected = path.join(t.dir, 'rejected-links');
    const outside = path.join(t.dir, 'outside');
    await fs.mkdir(inbox, { recursive: true });
    await fs.mkdir(outside, { recursive: true, mode: 0o700 });
    const secret = greyPng(40, 40);
    await fs.writeFile(path.join(outside, 'private.png'), secret, { mode: 0o600 });
    await fs.symlink(path.join(outside, 'private.png'), path.join(inbox, 'innocent.png'));
    await fs.symlink('/etc/shadow', path.join(inbox, 'shadow.pdf'));
    await fs.symlink(outside, path.join(inbox, 'folder-link'));
    await fs.link(path.join(outside, 'private.png'), path.join(inbox, 'hard.png'));
    const before = await t.ctx.db.selectFrom('documents').select('id').execute();
    const watcher = watchInbox(t.ctx, t.jobs, { dir: inbox, pollMs: 50, rejectedDir: rejected, settleMs: 0, autostart: false });
    for (let i = 0; i < 3; i++) await watcher.poll();
    await watcher.stop();
    // Nothing was stored: no document was made from what the links point at.
    const after = await t.ctx.db.selectFrom('documents').select('id').execute();
    expect(after.length).toBe(before.length);
    expect(await fs.readdir(inbox)).toEqual([]);
    // The links themselves were moved, with their reasons; their targets are untouched.
    const set = (await fs.readdir(rejected)).sort();
    expect(set.filter((n) => !n.endsWith('.reason.txt')).map((n) => n.replace(/^\d+-/, '')).sort()).toEqual(['folder-link', 'hard.png', 'innocent.png', 'shadow.pdf']);
    for (const n of set.filter((x) => x.endsWith('.reason.txt'))) expect(await fs.readFile(path.join(rejected, n), 'utf8')).toMatch(/link: not (followed|read)|hard link/);
    expect(await fs.readFile(path.join(outside, 'private.png'))).toEqual(secret);
    const audits = await t.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'document.reject_inbox_entry').execute();
    expect(audits.map((a) => JSON.parse(a.details!).kind).sort()).toEqual(['hard_link', 'link', 'link', 'link']);
  });

  it('sets aside FIFOs without blocking, empty files that stay empty, and waits for a writer to settle', async () => {
    const inbox = path.join(t.dir, 'inbox-odd');
    const rejected = path.join(t.dir, 'rejected-odd');
    await fs.mkdir(inbox, { recursive: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(inbox, 'pipe.tif')]);
    await fs.writeFile(path.join(inbox, 'empty.pdf'), '');
    const fax = await fs.readFile(ONTARIO_FINE_G3);
    await fs.writeFile(path.join(inbox, 'slow.tif'), fax.subarray(0, 2000));
    const watcher = watchInbox(t.ctx, t.jobs, { dir: inbox, pollMs: 50, rejectedDir: rejected, settleMs: 5_000, autostart: false });
    expect(await watcher.poll()).toBe(0);
    expect(await watcher.poll()).toBe(0);
    // The half-written fax held still for two polls, but not for the settle time: still there.
    expect((await fs.readdir(inbox)).sort()).toEqual(['empty.pdf', 'slow.tif']);
    await fs.writeFile(path.join(inbox, 'slow.tif'), fax);
    t.advance(61_000);
    expect(await watcher.poll()).toBe(0);
    expect(await watcher.poll()).toBe(1);
    await watcher.stop();
    expect(await fs.readdir(inbox)).toEqual([]);
    const doc = await t.ctx.db.selectFrom('documents').select(['size_bytes', 'status']).where('sha256', '=', createHash('sha256').update(fax).digest('hex')).where('source', '=', 'inbox').orderBy('received_at', 'desc').executeTakeFirstOrThrow();
    expect(Number(doc.size_bytes)).toBe(fax.length);
    const reasons = await Promise.all((await fs.readdir(rejected)).filter((n) => n.endsWith('.reason.txt')).map((n) => fs.readFile(path.join(rejected, n), 'utf8')));
    expect(reasons.sort()).toEqual(['an empty file (0 bytes) that stayed empty\n', 'not a plain file (FIFO, socket or device): not read\n']);
  });

  it('a file stored just before a crash is recognised on restart, not stored twice', async () => {
    const bytes = greyPng(50, 50);
    const first = await intakeDocument(t.ctx, t.jobs, serviceContext('inbox'), bytes, { source: 'inbox', filename: 'x.png', intakeKey: 'k-crash' });
    const again = await intakeDocument(t.ctx, t.jobs, serviceContext('inbox'), bytes, { source: 'inbox', filename: 'x.png', intakeKey: 'k-crash' });
    expect(again).toMatchObject({ documentId: first.documentId, alreadyStored: true });
    const n = await t.ctx.db.selectFrom('documents').select((eb) => eb.fn.countAll<string>().as('n')).where('intake_key', '=', 'k-crash').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it('audits every step', async () => {
    const rows = await t.ctx.db.selectFrom('audit_events').select(['action']).where('object_type', '=', 'document').execute();
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['document.receive', 'document.accept', 'document.quarantine']) expect(actions).toContain(a);
  });
});
