/**
 * Everything in one process, embedded defaults: PostgreSQL (or DATABASE_URL), migrations as the
 * owner role, the application as the least-privilege role, keys, blobs, jobs (reading and
 * delivery), the watched folder, and HTTPS. Returns a handle that shuts it all down in order.
 */
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import { LocalBlobStore } from '../crypto/blobs.ts';
import { LocalKeyFileProvider } from '../crypto/keys.ts';
import { systemKeyId, Vault } from '../crypto/vault.ts';
import { ensureDatabase, ensureRoles, loadOrCreateRolePasswords } from '../db/bootstrap.ts';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../db/embedded.ts';
import { migrate } from '../db/migrate.ts';
import { createDb } from '../db/pool.ts';
import { createDeliveryService, DELIVERY_QUEUE_OPTIONS, type DeliveryService } from '../delivery/index.ts';
import { asDeliveryDb } from '../delivery/tables.ts';
import { deliveryRoutes } from '../delivery/http/routes.ts';
import { firstAdminSetupToken } from '../auth/users.ts';
import { anchorHead } from '../audit/anchors.ts';
import { closeLapsedBreakGlass } from '../breakglass/breakglass.ts';
import { buildApp } from '../http/app.ts';
import { loadOrCreateTls } from '../http/tls.ts';
import { watchInbox, type InboxWatcher } from '../intake/inbox.ts';
import { bossSender } from '../intake/store.ts';
import { installJobQueue, QUEUES, QUEUE_OPTIONS, startJobBoss } from '../jobs/boss.ts';
import type { DeliveryPort, DeliveryStatus } from '../requisitions/delivery-port.ts';
import { markReadFailed, readDocument, ReaderCache, ReaderUnavailable, realReaderFactory, UnreadableDocument, type ReaderFactory } from '../requisitions/reading.ts';
import { ReviewService } from '../requisitions/review.ts';
import { seedBuiltInTemplates } from '../templates/store.ts';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

export interface DatabaseUrls {
  ownerUrl: string;
  appUrl: string;
  embedded: EmbeddedCluster | null;
}

/**
 * One process owns the embedded database at a time: a second `start` (or `migrate`) while one
 * runs would otherwise stop the running one's PostgreSQL as an orphan.
 */
async function takeOwnership(pidFile: string): Promise<void> {
  try {
    const pid = Number((await fs.readFile(pidFile, 'utf8')).trim());
    if (Number.isInteger(pid) && pid !== process.pid) {
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
      if (alive) throw new Error(`Nexession is already running on this data folder (process ${pid}); stop it first (or delete ${pidFile} if no such process is Nexession)`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.writeFile(pidFile, `${process.pid}\n`, { mode: 0o600 });
  process.once('exit', () => {
    rmSync(pidFile, { force: true });
  });
}

/** Embedded PostgreSQL under var/pg (roles and database made on first start), or the configured server. */
export async function openDatabase(config: Config, log: Logger): Promise<DatabaseUrls> {
  if (config.database) return { ownerUrl: config.database.ownerUrl, appUrl: config.database.appUrl, embedded: null };
  const secrets = path.join(config.varDir, 'secrets');
  await takeOwnership(path.join(config.varDir, 'nexession.pid'));
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(config.varDir, 'pg'),
    secretsFile: path.join(secrets, 'postgres-superuser.json'),
    log: (line) => log.debug({ component: 'postgres' }, line),
  });
  const passwords = await loadOrCreateRolePasswords(path.join(secrets, 'database-roles.json'));
  await ensureRoles(embedded.superuserUrl, passwords);
  const urls = await ensureDatabase(embedded.superuserUrl, 'nexession', passwords);
  log.info({ port: embedded.port }, 'embedded PostgreSQL running');
  return { ...urls, embedded };
}

/** Migrations and the job schema, as the owner role. */
export async function migrateAll(ownerUrl: string): Promise<string[]> {
  const { applied } = await migrate(ownerUrl);
  await installJobQueue(ownerUrl, { ...QUEUE_OPTIONS, ...DELIVERY_QUEUE_OPTIONS });
  return applied;
}

export interface Running {
  ctx: AppContext;
  app: FastifyInstance;
  url: string;
  setupUrl: string | null;
  boss: PgBoss;
  delivery: DeliveryService;
  review: ReviewService;
  inbox: InboxWatcher;
  database: DatabaseUrls;
  close(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  readerFactory?: ReaderFactory;
  /** Serve this built web app (default: packages/web/dist when it exists). */
  webDist?: string | null;
}

function lazyDeliveryPort(get: () => DeliveryService, status: DeliveryPort['status']): DeliveryPort {
  return {
    allocateControlId: (trx) => get().allocateControlId(trx),
    enqueue: async (trx, order, connection) => {
      const d = await get().enqueueDelivery(trx, order, connection);
      return { id: d.id, state: d.state };
    },
    status,
  };
}

export async function startServer(config: Config, opts: StartOptions): Promise<Running> {
  const log = opts.log;
  await fs.mkdir(config.varDir, { recursive: true, mode: 0o700 });
  const database = await openDatabase(config, log);
  const cleanups: (() => Promise<void>)[] = [];
  if (database.embedded) cleanups.push(() => database.embedded!.stop());
  try {
    const applied = await migrateAll(database.ownerUrl);
    if (applied.length) log.info({ applied }, 'migrations applied');

    const keys = await LocalKeyFileProvider.open(path.join(config.varDir, 'keys'));
    const vault = new Vault(keys);
    const { db } = createDb(database.appUrl, 10);
    cleanups.unshift(() => db.destroy());
    const ctx: AppContext = {
      config,
      db,
      vault,
      blobs: new LocalBlobStore(path.join(config.varDir, 'blobs')),
      systemKeyId: await systemKeyId(db, vault),
      log,
      now: () => new Date(),
    };
    const seeded = await seedBuiltInTemplates(ctx);
    if (seeded.length) log.info({ templates: seeded }, 'built-in templates seeded');

    let closing = false;
    // Connection errors while shutting down are expected; anything else is logged (no values: pg-boss errors carry SQL states).
    const boss = await startJobBoss(database.appUrl, (err) => {
      if (!closing) log.error({ err: { type: err.name, code: (err as { code?: string }).code } }, 'job queue error');
    });
    cleanups.unshift(async () => {
      closing = true;
    });
    cleanups.unshift(() => boss.stop({ graceful: true, timeout: 10_000 }));
    const jobs = bossSender(boss);

    let delivery: DeliveryService | null = null;
    const status: DeliveryPort['status'] = async (_db, ids) => {
      const out = new Map<string, DeliveryStatus>();
      for (const id of ids) {
        const d = await delivery!.forRequisition(id);
        if (d) out.set(id, { id: d.id, state: d.state, ackCode: d.ackCode ?? null, lisOrderNumber: d.lisOrderNumber ?? null, controlId: d.controlId ?? null });
      }
      return out;
    };
    const baseUrlRef = { url: '' };
    const review = new ReviewService(ctx, lazyDeliveryPort(() => delivery!, status), () => baseUrlRef.url);
    delivery = createDeliveryService({ db: asDeliveryDb(db), vault, boss, log, now: ctx.now, requisitions: review.deliveryHooks });
    await delivery.startWorker(boss);
    cleanups.unshift(() => delivery!.stopWorker());

    const readers = new ReaderCache(opts.readerFactory ?? realReaderFactory);
    cleanups.unshift(() => readers.close());
    await boss.work<{ documentId: string }>(QUEUES.read, { batchSize: 1, localConcurrency: 1, pollingIntervalSeconds: 1 }, async (batch) => {
      for (const job of batch) {
        const { documentId } = job.data;
        try {
          await readDocument(ctx, readers, documentId);
        } catch (err) {
          const finalAttempt = job.retryCount >= QUEUE_OPTIONS[QUEUES.read]!.retryLimit;
          if (err instanceof UnreadableDocument || finalAttempt) {
            await markReadFailed(ctx, documentId, err instanceof UnreadableDocument ? err.message : 'reading failed repeatedly');
            continue;
          }
          const safe = err instanceof ReaderUnavailable ? { type: err.name, message: err.message } : { type: (err as Error).name };
          log.warn({ documentId, attempt: job.retryCount, err: safe }, 'reading failed; will retry');
          throw err;
        }
      }
    });

    const tls = await loadOrCreateTls(path.join(config.varDir, 'tls'), config.tls);
    const webDist = opts.webDist === undefined ? WEB_DIST : opts.webDist;
    const app = await buildApp(ctx, {
      https: { key: tls.key, cert: tls.cert },
      webDist,
      baseUrl: () => baseUrlRef.url,
      jobs,
      review,
      plugins: [{ plugin: deliveryRoutes(() => delivery!), name: 'delivery' }],
    });
    cleanups.unshift(() => app.close());
    let port = config.port;
    try {
      await app.listen({ host: config.host, port });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
      log.warn({ port }, 'port in use; taking a free one');
      await app.listen({ host: config.host, port: 0 });
    }
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : port;
    const host = config.host === '0.0.0.0' || config.host === '127.0.0.1' || config.host === '::' ? 'localhost' : config.host;
    baseUrlRef.url = config.publicUrl ?? `https://${host}:${port}`;

    const inbox = watchInbox(ctx, jobs, { dir: config.inboxDir, pollMs: config.inboxPollMs, rejectedDir: path.join(config.varDir, 'inbox-rejected') });
    cleanups.unshift(() => inbox.stop());

    // The chain's head, outside the database, at every start and hourly.
    const anchorFile = path.join(config.varDir, 'audit', 'anchors.jsonl');
    await anchorHead(db, anchorFile, ctx.now());
    const anchorTimer = setInterval(() => void anchorHead(db, anchorFile, ctx.now()).catch(() => undefined), 3600_000);
    anchorTimer.unref();
    cleanups.unshift(async () => {
      clearInterval(anchorTimer);
      await anchorHead(db, anchorFile, ctx.now()).catch(() => undefined);
    });

    // Break-glass past its time, or whose session ended, is closed and audited even when nobody
    // calls again from that session (the access hook closes it at once when they do).
    const glassTimer = setInterval(() => void closeLapsedBreakGlass(ctx).catch(() => undefined), 60_000);
    glassTimer.unref();
    cleanups.unshift(async () => clearInterval(glassTimer));

    const token = await firstAdminSetupToken(ctx);
    const setupUrl = token ? `${baseUrlRef.url}/setup/${token}` : null;
    let closed = false;
    return {
      ctx,
      app,
      url: baseUrlRef.url,
      setupUrl,
      boss,
      delivery,
      review,
      inbox,
      database,
      async close() {
        if (closed) return;
        closed = true;
        closing = true;
        for (const c of cleanups) await c().catch((err: Error) => log.error({ err: { type: err.name } }, 'shutdown step failed'));
      },
    };
  } catch (err) {
    for (const c of cleanups) await c().catch(() => undefined);
    throw err;
  }
}
