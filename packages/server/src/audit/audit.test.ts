import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Vault } from '../crypto/vault.ts';
import { systemKeyId } from '../crypto/vault.ts';
import type { Database } from '../db/schema.ts';
import { appDb, testVault } from '../test/context.ts';
import { connect, freshDatabase, type TestDatabase } from '../test/db.ts';
import { anchorHead, checkAnchors } from './anchors.ts';
import { listAudit, recordAudit, verifyAuditChain, type RequestContext } from './audit.ts';

const ctx: RequestContext = { actor: { type: 'service', id: 'test' }, requestId: 'req-1', sourceIp: '127.0.0.1' };

describe('audit log', () => {
  let tdb: TestDatabase;
  let db: Kysely<Database>;
  let vault: Vault;
  let key: string;

  beforeAll(async () => {
    tdb = await freshDatabase();
    db = appDb(tdb.appUrl);
    vault = await testVault();
    key = await systemKeyId(db, vault);
    for (let i = 0; i < 5; i++) {
      await recordAudit(db, vault, ctx, {
        action: 'field.correct',
        objectType: 'requisition',
        objectId: `r${i}`,
        field: 'patient_last_name',
        before: 'ZZYZX-WRONG',
        after: 'ZZYZX-RIGHT',
        sealWith: key,
        details: { n: i },
      });
    }
  });
  afterAll(async () => {
    await db.destroy();
    await tdb.drop();
  });

  it('chains every event and verifies', async () => {
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 5 });
  });

  it('stores before and after sealed, and shows them to a reader with the key', async () => {
    const c = await connect(tdb.appUrl);
    const raw = (await c.query('SELECT before, after FROM audit_events')).rows;
    await c.end();
    for (const r of raw) expect((r.before as Buffer).includes(Buffer.from('ZZYZX'))).toBe(false);
    const events = await listAudit(db, vault, { objectId: 'r3' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ field: 'patient_last_name', before: 'ZZYZX-WRONG', after: 'ZZYZX-RIGHT', requestId: 'req-1' });
  });

  it('ignores chain fields the application tries to forge', async () => {
    const c = await connect(tdb.appUrl);
    try {
      await c.query(`INSERT INTO audit_events (seq, at, actor_type, actor_id, action, object_type, object_id, prev_hash, hash)
                     VALUES (1, now() - interval '1 year', 'service', 'x', 'forged', 'o', 'o', 'aa', 'bb')`);
      const row = (await c.query("SELECT seq, prev_hash, hash FROM audit_events WHERE action = 'forged'")).rows[0];
      expect(Number(row.seq)).toBe(6);
      expect(row.hash).not.toBe('bb');
    } finally {
      await c.end();
    }
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE from the application role', async () => {
    const c = await connect(tdb.appUrl);
    try {
      await expect(c.query("UPDATE audit_events SET action = 'x' WHERE seq = 1")).rejects.toThrow(/permission denied/);
      await expect(c.query('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/permission denied/);
      await expect(c.query('TRUNCATE audit_events')).rejects.toThrow(/permission denied/);
    } finally {
      await c.end();
    }
  });

  it('refuses UPDATE and DELETE even from the owner (trigger)', async () => {
    const c = await connect(tdb.ownerUrl);
    try {
      await expect(c.query("UPDATE audit_events SET action = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
      await expect(c.query('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
      await expect(c.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    } finally {
      await c.end();
    }
  });

  it('detects a row a superuser altered behind the triggers', async () => {
    const su = await connect(tdb.superuserUrl.replace(/\/postgres$/, `/${tdb.name}`));
    try {
      await su.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await su.query("UPDATE audit_events SET details = '{\"n\":99}' WHERE seq = 3");
      await su.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    } finally {
      await su.end();
    }
    expect(await verifyAuditChain(db)).toEqual({ ok: false, checked: 2, firstBadSeq: 3 });
  });

  it('detects a deleted row', async () => {
    const scratch = await freshDatabase();
    const sdb = appDb(scratch.appUrl);
    try {
      for (let i = 0; i < 4; i++) await recordAudit(sdb, vault, ctx, { action: 'x', objectType: 'o', objectId: String(i) });
      const su = await connect(scratch.superuserUrl.replace(/\/postgres$/, `/${scratch.name}`));
      await su.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await su.query('DELETE FROM audit_events WHERE seq = 2');
      await su.end();
      expect(await verifyAuditChain(sdb)).toEqual({ ok: false, checked: 1, firstBadSeq: 2 });
    } finally {
      await sdb.destroy();
      await scratch.drop();
    }
  });

  it('detects a whole-chain rewrite by a superuser against an anchor kept outside the database', async () => {
    const scratch = await freshDatabase();
    const sdb = appDb(scratch.appUrl);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-anchor-'));
    const file = path.join(dir, 'anchors.jsonl');
    try {
      for (let i = 0; i < 3; i++) await recordAudit(sdb, vault, ctx, { action: 'x', objectType: 'o', objectId: String(i) });
      await anchorHead(sdb, file, new Date());
      expect(await checkAnchors(sdb, file)).toBeNull();
      // The superuser rewrites event 2 and recomputes every later hash: the chain verifies again...
      const su = await connect(scratch.superuserUrl.replace(/\/postgres$/, `/${scratch.name}`));
      await su.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await su.query("UPDATE audit_events SET object_id = 'rewritten' WHERE seq = 2");
      for (const seq of [2, 3]) {
        await su.query(`UPDATE audit_events e SET prev_hash = (SELECT hash FROM audit_events WHERE seq = $1 - 1) WHERE seq = $1`, [seq]);
        await su.query(`UPDATE audit_events e SET hash = encode(sha256(convert_to(audit_canonical(e), 'UTF8')), 'hex') WHERE seq = $1`, [seq]);
      }
      await su.end();
      expect((await verifyAuditChain(sdb)).ok).toBe(true);
      // ...but not against the anchor.
      expect(await checkAnchors(sdb, file)).toMatchObject({ seq: 3 });
    } finally {
      await sdb.destroy();
      await scratch.drop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
