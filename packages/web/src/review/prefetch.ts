/**
 * The next requisition, loaded while the reviewer finishes the current one, so that after
 * release it opens at once: its JSON, its page images and the crops of its first fields.
 * Every request says it is a prefetch: the server audits it as `requisition.prefetch` (the data
 * reached the browser), and `requisition.view` is recorded only when it is put on screen
 * (`api.viewed`), so the audit trail never says a person looked at a requisition they did not open.
 */
import { api } from '../api/client.ts';
import type { Requisition } from '../api/types.ts';
import { loadImage } from './imageCache.ts';
import { readingOrder } from './order.ts';

const FIRST_CROPS = 8;
const store = new Map<string, Promise<Requisition>>();

export function prefetchRequisition(id: string): void {
  if (store.has(id)) return;
  const p = api.requisition(id, { prefetch: true });
  store.set(id, p);
  p.then(
    (req) => {
      for (const page of req.pages) void loadImage(api.pageImagePath(id, page.index), id, { prefetch: true }).catch(() => undefined);
      for (const key of readingOrder(req.fields).slice(0, FIRST_CROPS)) {
        void loadImage(api.cropPath(id, key), id, { prefetch: true }).catch(() => undefined);
      }
    },
    () => store.delete(id),
  );
}

/** Hands over a prefetched requisition once (a later open fetches it fresh). */
export function takePrefetched(id: string): Promise<Requisition> | null {
  const p = store.get(id) ?? null;
  store.delete(id);
  return p;
}

export function dropPrefetched(): void {
  store.clear();
}
