/**
 * Reading with every core: page-reading threads, each with its own OCR engine, fed pages as the
 * document is decoded. At most one page per thread (plus one decoded ahead) is in flight, so
 * memory stays bounded on a long fax; pages come back in document order. Several documents may
 * be read at once: their pages share the threads.
 */
import { Worker } from 'node:worker_threads';
import type { DecodedPage, PageReading, Reader } from '../types.ts';
import { decodePages } from '../decode/decodePages.ts';
import { withDecoderFlags } from './decoderFlags.ts';
import type { WorkerRequest, WorkerResponse, WorkerSetup } from './pageWorker.ts';

interface Task {
  id: number;
  page: DecodedPage;
  resolve: (r: PageReading) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy: Task | null;
}

export function createPool(setup: WorkerSetup, threads: number, dpi: number): Reader {
  const queue: Task[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(new URL('./pageWorker.ts', import.meta.url), { workerData: setup });
    let markReady!: () => void;
    let fail!: (e: Error) => void;
    const slot: Slot = { worker, ready: new Promise<void>((res, rej) => ((markReady = res), (fail = rej))), busy: null };
    slot.ready.catch(() => undefined);
    worker.on('message', (m: WorkerResponse) => {
      if ('ready' in m) {
        markReady();
        return;
      }
      const t = slot.busy;
      slot.busy = null;
      if (t && t.id === m.id) {
        if (m.ok) {
          // Transferred buffers arrive as plain ArrayBuffers: restore the typed array.
          m.reading.image.png = new Uint8Array(m.reading.image.png.buffer, m.reading.image.png.byteOffset, m.reading.image.png.byteLength);
          t.resolve(m.reading);
        } else t.reject(new Error(`page ${t.page.index + 1}: ${m.error}`));
      }
      pump();
    });
    worker.on('error', (e) => {
      fail(e);
      const t = slot.busy;
      slot.busy = null;
      t?.reject(e);
      // Replace the thread so later pages still have somewhere to go.
      const i = slots.indexOf(slot);
      if (i >= 0 && !closed) slots[i] = spawn();
      pump();
    });
    return slot;
  };
  for (let i = 0; i < threads; i++) slots.push(spawn());

  const pump = (): void => {
    for (const s of slots) {
      if (s.busy || !queue.length) continue;
      const t = queue.shift()!;
      s.busy = t;
      void s.ready.then(
        () => {
          const data = t.page.image.data;
          // A fresh buffer of its own (decoders hand out external memory, which cannot be
          // transferred), then transferred rather than copied again.
          const own = new Uint8Array(data);
          const page = { ...t.page, image: { ...t.page.image, data: own } };
          s.worker.postMessage({ id: t.id, page } satisfies WorkerRequest, [own.buffer as ArrayBuffer]);
        },
        (e: Error) => {
          s.busy = null;
          t.reject(e);
        },
      );
    }
  };

  const submit = (page: DecodedPage): Promise<PageReading> =>
    new Promise<PageReading>((resolve, reject) => {
      if (closed) return reject(new Error('the reader is closed'));
      queue.push({ id: nextId++, page, resolve, reject });
      pump();
    });

  return {
    async *read(bytes: Uint8Array): AsyncGenerator<PageReading> {
      const window: Promise<PageReading>[] = [];
      for await (const page of decodePages(bytes, { dpi })) {
        const p = submit(page).then((reading) => withDecoderFlags(reading, page));
        p.catch(() => undefined);
        window.push(p);
        // Keep the threads fed with one page decoded ahead, never more.
        while (window.length > threads) yield await window.shift()!;
      }
      while (window.length) yield await window.shift()!;
    },
    async close() {
      closed = true;
      for (const t of queue.splice(0)) t.reject(new Error('the reader was closed'));
      await Promise.all(
        slots.map(async (s) => {
          await s.ready.catch(() => undefined);
          s.worker.postMessage({ close: true } satisfies WorkerRequest);
          await new Promise<void>((res) => {
            const timer = setTimeout(() => void s.worker.terminate().then(() => res()), 5000);
            s.worker.once('exit', () => {
              clearTimeout(timer);
              res();
            });
          });
        }),
      );
    },
  };
}
