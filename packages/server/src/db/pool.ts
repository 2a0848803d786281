/** The application's connection: a `pg` pool as the least-privilege role, wrapped by Kysely. */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Bigints (audit seq, sizes) come back as strings; JSON columns as parsed objects.
export function createDb(url: string, max = 10): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'nexession' });
  pool.on('error', () => undefined); // an idle client's error is reported by the next query
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}
