import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, freshDatabase, type TestDatabase } from '../test/db.ts';
import { loadMigrations, migrate } from './migrate.ts';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => db.drop());

  it('applies every migration once and records it', async () => {
    const files = await loadMigrations();
    const again = await migrate(db.ownerUrl);
    expect(again.applied).toEqual([]);
    expect(again.current).toBe(files.at(-1)!.version);
  });

  it('refuses a migration edited after it was applied', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-mig-'));
    try {
      const scratch = await freshDatabase({ migrate: false });
      try {
        await fs.writeFile(path.join(dir, '001_one.sql'), 'CREATE TABLE one (id int);');
        await migrate(scratch.ownerUrl, dir);
        await fs.writeFile(path.join(dir, '001_one.sql'), 'CREATE TABLE one (id bigint);');
        await expect(migrate(scratch.ownerUrl, dir)).rejects.toThrow(/changed after it was applied/);
        // A failing migration leaves nothing behind (own transaction).
        await fs.writeFile(path.join(dir, '001_one.sql'), 'CREATE TABLE one (id int);');
        await fs.writeFile(path.join(dir, '002_bad.sql'), 'CREATE TABLE two (id int); SELECT no_such_function();');
        await expect(migrate(scratch.ownerUrl, dir)).rejects.toThrow(/002_bad failed/);
        const c = await connect(scratch.ownerUrl);
        const t = await c.query("SELECT to_regclass('two') AS t");
        await c.end();
        expect(t.rows[0].t).toBeNull();
      } finally {
        await scratch.drop();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('gives the application role no DDL', async () => {
    const app = await connect(db.appUrl);
    try {
      await expect(app.query('CREATE TABLE evil (id int)')).rejects.toThrow(/permission denied/);
      await expect(app.query('DROP TABLE users')).rejects.toThrow(/must be owner/);
      await expect(app.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update')).rejects.toThrow(/must be owner/);
      await expect(app.query('CREATE TEMP TABLE t (id int)')).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });
});
