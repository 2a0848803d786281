/** Worker thread: makes benchmark pages on request (see test-set.ts). */
import { parentPort } from 'node:worker_threads';
import { type PageJob, writePage } from './test-set.ts';

parentPort!.on('message', (job: PageJob) => {
  writePage(job).then(
    () => parentPort!.postMessage({ ok: true }),
    (e: unknown) => parentPort!.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
