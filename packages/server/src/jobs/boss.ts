/**
 * Durable jobs on pg-boss (PostgreSQL, SKIP LOCKED). The owner role installs and migrates the
 * pg-boss schema and its queues; the application role gets DML on it and nothing more, so the
 * application's pg-boss runs with `migrate: false` and no index rebuilds.
 */
import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { APP_ROLE } from '../db/bootstrap.ts';

export const JOB_SCHEMA = 'pgboss';

export const QUEUES = {
  /** Read a stored document into pages, readings and requisitions. */
  read: 'document-read',
} as const;

/** Queues the core owns, with their retry policy. Other areas create theirs the same way. */
export const QUEUE_OPTIONS: Record<string, { retryLimit: number; retryDelay: number; retryBackoff: boolean; expireInSeconds: number; heartbeatSeconds?: number }> = {
  // A worker that dies mid-read stops its heartbeat: the job is retried by the next supervisor
  // pass instead of waiting out the 15-minute expiry.
  [QUEUES.read]: { retryLimit: 5, retryDelay: 10, retryBackoff: true, expireInSeconds: 900, heartbeatSeconds: 15 },
};

export async function installJobQueue(ownerUrl: string, extraQueues: Record<string, object> = {}): Promise<void> {
  const boss = new PgBoss({ connectionString: ownerUrl, schema: JOB_SCHEMA, migrate: true, supervise: false, schedule: false, max: 2 });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    for (const [name, options] of Object.entries({ ...QUEUE_OPTIONS, ...extraQueues })) {
      if (!(await boss.getQueue(name))) await boss.createQueue(name, options);
    }
  } finally {
    await boss.stop({ graceful: false });
  }
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`GRANT USAGE ON SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE}`);
    await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE}`);
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE}`);
  } finally {
    await client.end();
  }
}

export async function startJobBoss(appUrl: string, onError: (err: Error) => void): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: appUrl,
    schema: JOB_SCHEMA,
    migrate: false,
    createSchema: false,
    schedule: false,
    supervise: true,
    reindex: false,
    max: 4,
  });
  boss.on('error', onError);
  await boss.start();
  return boss;
}
