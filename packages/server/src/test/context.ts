/** Shared test plumbing: a vault with a throwaway key folder, a Kysely pool as the app role. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { LocalKeyFileProvider } from '../crypto/keys.ts';
import { Vault } from '../crypto/vault.ts';
import { createDb } from '../db/pool.ts';
import type { Database } from '../db/schema.ts';

export async function tempDir(prefix = 'nx-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function testVault(dir?: string): Promise<Vault> {
  return new Vault(await LocalKeyFileProvider.open(path.join(dir ?? (await tempDir()), 'keys')));
}

export function appDb(url: string): Kysely<Database> {
  return createDb(url, 5).db;
}
