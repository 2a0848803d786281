/**
 * An application on a fresh database, driven through Fastify `inject`, with every log line
 * captured (so a test can prove no PHI reaches the logs).
 */
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { totpCode } from '../auth/totp.ts';
import { createActiveUserForDemo } from '../auth/users.ts';
import { loadConfig } from '../config.ts';
import type { AppContext } from '../context.ts';
import { LocalBlobStore } from '../crypto/blobs.ts';
import { systemKeyId } from '../crypto/vault.ts';
import type { Role } from '../db/schema.ts';
import { buildApp, type AppOptions } from '../http/app.ts';
import { bossSender, type JobSender } from '../intake/store.ts';
import { installJobQueue, startJobBoss } from '../jobs/boss.ts';
import type { PgBoss } from 'pg-boss';
import { deliveryPort } from '../app/delivery.ts';
import { DELIVERY_QUEUE_OPTIONS } from '../delivery/outbox/outbox.ts';
import { readDocument, ReaderCache, type ReaderFactory, type ReadOutcome } from '../requisitions/reading.ts';
import { ReviewService } from '../requisitions/review.ts';
import { seedBuiltInTemplates } from '../templates/store.ts';
import { FakeReader } from './fake-reader.ts';
import { appDb, tempDir, testVault } from './context.ts';
import { freshDatabase, type TestDatabase } from './db.ts';

export interface TestApp {
  app: FastifyInstance;
  boss: PgBoss;
  jobs: JobSender;
  review: ReviewService;
  reader: FakeReader;
  readers: ReaderCache;
  /** Runs the reading job for a document now (what the worker does). */
  read(documentId: string): Promise<ReadOutcome>;
  ctx: AppContext;
  tdb: TestDatabase;
  dir: string;
  logs: string[];
  /** Moves the application's clock (sessions, TOTP). */
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function startTestApp(opts: { env?: Record<string, string>; plugins?: AppOptions['plugins']; readerFactory?: ReaderFactory } = {}): Promise<TestApp> {
  const tdb = await freshDatabase();
  const dir = await tempDir('nx-app-');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const db = appDb(tdb.appUrl);
  const vault = await testVault(dir);
  let offset = 0;
  const config = loadConfig({ NEXESSION_VAR_DIR: dir, ...opts.env }, dir);
  const ctx: AppContext = {
    config,
    db,
    vault,
    blobs: new LocalBlobStore(`${dir}/blobs`),
    systemKeyId: await systemKeyId(db, vault),
    log,
    now: () => new Date(Date.now() + offset),
  };
  await installJobQueue(tdb.ownerUrl, DELIVERY_QUEUE_OPTIONS);
  const boss = await startJobBoss(tdb.appUrl, (err) => log.error({ err: { type: err.name, message: err.message } }, 'job queue error'));
  const jobs = bossSender(boss);
  const review = new ReviewService(ctx, deliveryPort({ vault, boss }), () => 'https://localhost:8443');
  await seedBuiltInTemplates(ctx);
  const reader = new FakeReader();
  const readers = new ReaderCache(opts.readerFactory ?? reader.factory);
  const app = await buildApp(ctx, { baseUrl: () => 'https://localhost:8443', plugins: opts.plugins ?? [], jobs, review });
  await app.ready();
  return {
    app,
    boss,
    jobs,
    review,
    reader,
    readers,
    async read(documentId: string) {
      return readDocument(ctx, readers, documentId);
    },
    ctx,
    tdb,
    dir,
    logs,
    advance(ms) {
      offset += ms;
    },
    async close() {
      await app.close();
      await boss.stop({ graceful: false });
      await db.destroy();
      await tdb.drop();
    },
  };
}

export interface Agent {
  userId: string;
  cookie: string;
  csrf: string;
  totpSecret: string;
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export const TEST_PASSWORD = 'correct horse battery staple';
// A fixed base32 secret per username keeps failures reproducible.
export function testSecret(username: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let s = '';
  for (let i = 0; i < 32; i++) s += alphabet[(username.charCodeAt(i % username.length) * (i + 7)) % 32];
  return s;
}

/** Creates an active user and signs in with password and TOTP; returns a request helper. */
export async function signedIn(t: TestApp, username: string, roles: Role[]): Promise<Agent> {
  const secret = testSecret(username);
  const user = await createActiveUserForDemo(t.ctx, { username, displayName: username, roles, password: TEST_PASSWORD, totpSecret: secret });
  return signIn(t, username, secret, user.id);
}

export async function signIn(t: TestApp, username: string, secret: string, userId: string): Promise<Agent> {
  const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: TEST_PASSWORD } });
  if (login.statusCode !== 200) throw new Error(`login ${login.statusCode} ${login.body}`);
  const partial = login.cookies.find((c) => c.name === 'nx_session')!.value;
  // A code works once: when this user already used the current step, wait for the next one.
  const last = await t.ctx.db.selectFrom('users').select('totp_last_step').where('id', '=', userId).executeTakeFirstOrThrow();
  if (last.totp_last_step !== null && Number(last.totp_last_step) >= Math.floor(t.ctx.now().getTime() / 30_000)) t.advance(30_000);
  const code = totpCode(secret, t.ctx.now().getTime());
  const totp = await t.app.inject({ method: 'POST', url: '/api/auth/totp', payload: { code }, cookies: { nx_session: partial } });
  if (totp.statusCode !== 200) throw new Error(`totp ${totp.statusCode} ${totp.body}`);
  const cookie = totp.cookies.find((c) => c.name === 'nx_session')!.value;
  const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { nx_session: cookie } });
  const csrf = me.json().csrf as string;
  return {
    userId,
    cookie,
    csrf,
    totpSecret: secret,
    request(method, url, body, headers = {}) {
      const init: InjectOptions = {
        method: method as 'GET',
        url,
        cookies: { nx_session: cookie },
        headers: { 'x-nexession-csrf': csrf, ...headers },
      };
      if (body !== undefined) init.payload = body as InjectOptions['payload'];
      return t.app.inject(init);
    },
  };
}
