import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/pool.ts';
import { connect, freshDatabase, type TestDatabase } from '../test/db.ts';
import { LocalBlobStore } from './blobs.ts';
import { LocalKeyFileProvider } from './keys.ts';
import { openWith, sealWith } from './seal.ts';
import { systemKeyId, Vault } from './vault.ts';

const ID = '0b7e3f3c-5a0e-4c1e-9a55-1f2d3c4b5a69';

describe('sealing', () => {
  it('round-trips and refuses a ciphertext moved to another context or altered', () => {
    const key = Buffer.alloc(32, 7);
    const sealed = sealWith(key, ID, Buffer.from('MARTINEZ-OKAFOR'), 'field:a');
    expect(sealed.includes(Buffer.from('MARTINEZ'))).toBe(false);
    expect(openWith(key, sealed, 'field:a').toString()).toBe('MARTINEZ-OKAFOR');
    expect(() => openWith(key, sealed, 'field:b')).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => openWith(key, flipped, 'field:a')).toThrow();
    expect(() => openWith(Buffer.alloc(32, 8), sealed, 'field:a')).toThrow();
  });
});

describe('key file provider and vault', () => {
  let dir: string;
  let db: TestDatabase;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-keys-'));
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('creates a 0600 key file in a 0700 folder on first start and refuses a readable one', async () => {
    const keysDir = path.join(dir, 'keys');
    const provider = await LocalKeyFileProvider.open(keysDir);
    expect(provider.currentVersion()).toBe(1);
    expect((await fs.stat(keysDir)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(keysDir, 'kek-v1.key'))).mode & 0o777).toBe(0o600);
    await fs.chmod(path.join(keysDir, 'kek-v1.key'), 0o644);
    await expect(LocalKeyFileProvider.open(keysDir)).rejects.toThrow(/readable by others/);
    await fs.chmod(path.join(keysDir, 'kek-v1.key'), 0o600);
  });

  it('seals with per-object data keys, survives KEK rotation, and shreds', async () => {
    const keysDir = path.join(dir, 'keys2');
    const provider = await LocalKeyFileProvider.open(keysDir);
    const { db: kdb } = createDb(db.appUrl);
    try {
      const vault = new Vault(provider);
      const docKey = await vault.createDataKey(kdb, 'document');
      const sealed = await vault.sealJson(kdb, docKey, { last: 'QUARTERMAINE' }, 'ctx');
      // The stored wrapped key names its KEK version; a fresh vault (no cache) can open it.
      await provider.rotate();
      expect(provider.currentVersion()).toBe(2);
      const fresh = new Vault(await LocalKeyFileProvider.open(keysDir));
      expect(await fresh.openJson(kdb, sealed, 'ctx')).toEqual({ last: 'QUARTERMAINE' });
      expect(await fresh.rewrapAll(kdb)).toBe(1);
      const row = await kdb.selectFrom('data_keys').selectAll().where('id', '=', docKey).executeTakeFirstOrThrow();
      expect(row.kek_version).toBe(2);
      expect(await new Vault(await LocalKeyFileProvider.open(keysDir)).openJson(kdb, sealed, 'ctx')).toEqual({ last: 'QUARTERMAINE' });
      // A vault with a different KEK cannot open it.
      const stranger = new Vault(await LocalKeyFileProvider.open(path.join(dir, 'other')));
      await expect(stranger.open(kdb, sealed, 'ctx')).rejects.toThrow();
      await fresh.destroyDataKey(kdb, docKey);
      await expect(new Vault(provider).open(kdb, sealed, 'ctx')).rejects.toThrow(/destroyed/);
      // One system key, however often it is asked for.
      const a = await systemKeyId(kdb, vault);
      const b = await systemKeyId(kdb, new Vault(provider));
      expect(a).toBe(b);
    } finally {
      await kdb.destroy();
    }
  });

  it('stores blobs durably and never in the clear', async () => {
    const store = new LocalBlobStore(path.join(dir, 'blobs'));
    const key = await store.put(Buffer.from('sealed bytes'));
    expect((await store.get(key)).toString()).toBe('sealed bytes');
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/bad blob key/);
    await store.delete(key);
    await expect(store.get(key)).rejects.toThrow();
  });

  it('keeps data keys wrapped in the database', async () => {
    const c = await connect(db.appUrl);
    try {
      const rows = (await c.query('SELECT wrapped FROM data_keys WHERE destroyed_at IS NULL')).rows;
      for (const r of rows) expect((r.wrapped as Buffer).length).toBe(4 + 12 + 16 + 32);
    } finally {
      await c.end();
    }
  });
});
