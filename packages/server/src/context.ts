/**
 * What every area is given: the database as the application role, the vault, the blob store,
 * the logger (ids only, never values) and the settings. Built once by `app/start.ts` (or a test).
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { BlobStore } from './crypto/blobs.ts';
import type { Vault } from './crypto/vault.ts';
import type { Database } from './db/schema.ts';

export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  vault: Vault;
  blobs: BlobStore;
  /** The data key for values that belong to no document (TOTP secrets, user audit values). */
  systemKeyId: string;
  log: Logger;
  now(): Date;
}
