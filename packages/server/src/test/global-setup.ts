/**
 * vitest globalSetup for the server project: ONE embedded PostgreSQL for the whole run, with the
 * owner and application roles. Each test file then makes its own fresh database (test/db.ts).
 * `DATABASE_SUPERUSER_URL` points the tests at an existing server instead.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureRoles, type RolePasswords } from '../db/bootstrap.ts';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../db/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pg: { superuserUrl: string; passwords: RolePasswords };
  }
}

let cluster: EmbeddedCluster | null = null;
let dir: string | null = null;

export async function setup(project: TestProject): Promise<void> {
  const passwords: RolePasswords = { ownerPassword: 'test-owner-pw', appPassword: 'test-app-pw' };
  let superuserUrl = process.env.DATABASE_SUPERUSER_URL;
  if (!superuserUrl) {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-server-test-'));
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), secretsFile: path.join(dir, 'secrets', 'pg.json') });
    superuserUrl = cluster.superuserUrl;
  }
  await ensureRoles(superuserUrl, passwords);
  project.provide('pg', { superuserUrl, passwords });
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}
