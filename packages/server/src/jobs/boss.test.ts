import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromKysely } from 'pg-boss';
import { appDb } from '../test/context.ts';
import { connect, freshDatabase, type TestDatabase } from '../test/db.ts';
import { installJobQueue, QUEUES, startJobBoss } from './boss.ts';

describe('job queue as the application role', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await freshDatabase();
    await installJobQueue(tdb.ownerUrl);
  });
  afterAll(async () => tdb.drop());

  it('sends in a transaction, works and completes with DML grants only', async () => {
    const errors: Error[] = [];
    const boss = await startJobBoss(tdb.appUrl, (e) => errors.push(e));
    const db = appDb(tdb.appUrl);
    try {
      // A job sent in a rolled-back transaction never runs.
      await db
        .transaction()
        .execute(async (trx) => {
          await boss.send(QUEUES.read, { documentId: 'rolled-back' }, { db: fromKysely(trx) });
          throw new Error('rollback');
        })
        .catch(() => undefined);
      await db.transaction().execute(async (trx) => {
        await boss.send(QUEUES.read, { documentId: 'committed' }, { db: fromKysely(trx) });
      });
      const seen: string[] = [];
      await new Promise<void>((resolve) => {
        void boss.work<{ documentId: string }>(QUEUES.read, { pollingIntervalSeconds: 0.5 }, async (jobs) => {
          for (const j of jobs) seen.push(j.data.documentId);
          resolve();
        });
      });
      expect(seen).toEqual(['committed']);
      // Re-installing (the next start) is harmless.
      await installJobQueue(tdb.ownerUrl);
      const app = await connect(tdb.appUrl);
      await expect(app.query('CREATE TABLE pgboss.evil (id int)')).rejects.toThrow(/permission denied/);
      await app.end();
    } finally {
      await boss.stop({ graceful: false });
      await db.destroy();
    }
    expect(errors.map((e) => e.message)).toEqual([]);
  });
});
