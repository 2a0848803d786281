/** A fresh, migrated database per test file, on the run's one PostgreSQL cluster. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { ensureDatabase, type DatabaseUrls } from '../db/bootstrap.ts';
import { migrate } from '../db/migrate.ts';

export interface TestDatabase extends DatabaseUrls {
  name: string;
  superuserUrl: string;
  drop(): Promise<void>;
}

export async function freshDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const { superuserUrl, passwords } = inject('pg');
  const name = `nx_test_${randomBytes(6).toString('hex')}`;
  const urls = await ensureDatabase(superuserUrl, name, passwords);
  if (opts.migrate !== false) await migrate(urls.ownerUrl);
  return {
    ...urls,
    name,
    superuserUrl,
    async drop() {
      const client = new pg.Client({ connectionString: superuserUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A single connection as `url`, for tests that speak SQL directly. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
