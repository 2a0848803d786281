/**
 * A crash mid-job loses nothing: a reading job held by a worker that died (no more heartbeats)
 * is picked up again by the next process and written exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installJobQueue, QUEUES, startJobBoss } from '../jobs/boss.ts';
import { demoValues } from '../test/fake-reader.ts';
import { greyPng } from '../test/files.ts';
import { signedIn, startTestApp, type TestApp } from '../test/app.ts';
import { readDocument } from './reading.ts';

describe('jobs resume after a crash', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('reads a document whose first worker died mid-read', async () => {
    const rev = await signedIn(t, 'cora', ['reviewer']);
    const png = greyPng(1700, 2200, (x, y) => (x === y ? 0 : 255));
    t.reader.script(png, [{ template: { id: 'demo-outreach', version: 2 }, values: demoValues() }]);
    const up = await rev.request('POST', '/api/documents', png, { 'content-type': 'image/png' });
    const documentId: string = up.json().documentId;

    // Process 1 takes the job and dies while reading (its handler never returns; its pg-boss stops).
    const dying = await startJobBoss(t.tdb.appUrl, () => undefined);
    await new Promise<void>((started) => {
      void dying.work(QUEUES.read, { pollingIntervalSeconds: 0.5 }, () => {
        started();
        return new Promise(() => undefined);
      });
    });
    await dying.stop({ graceful: false });
    const held = await t.ctx.db.selectFrom('documents').select('status').where('id', '=', documentId).executeTakeFirstOrThrow();
    expect(held.status).toBe('accepted');

    // Process 2 starts; once the dead worker's heartbeat is overdue the job is retried.
    await installJobQueue(t.tdb.ownerUrl);
    const next = await startJobBoss(t.tdb.appUrl, () => undefined);
    try {
      await new Promise((r) => setTimeout(r, 16_000));
      await next.supervise(QUEUES.read);
      const done = new Promise<string[]>((resolve) => {
        void next.work<{ documentId: string }>(QUEUES.read, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
          resolve((await readDocument(t.ctx, t.readers, job!.data.documentId)).requisitions);
        });
      });
      const made = await done;
      expect(made).toHaveLength(1);
    } finally {
      await next.stop({ graceful: false });
    }
    const n = await t.ctx.db.selectFrom('requisitions').select((eb) => eb.fn.countAll<string>().as('n')).where('document_id', '=', documentId).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
    expect((await t.ctx.db.selectFrom('documents').select('status').where('id', '=', documentId).executeTakeFirstOrThrow()).status).toBe('read');
  });
});
