/**
 * Faxes arriving the way a fax server delivers them (written aside, then renamed into the watched
 * folder), and a patient poll for what the product does with them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FaxedRequisition } from '@nexession/testkit';
import type { RunningProduct } from './server.ts';

export function dropIntoInbox(product: RunningProduct, fax: FaxedRequisition): string {
  fs.mkdirSync(product.inboxDir, { recursive: true });
  const tmp = path.join(product.inboxDir, `.${fax.fileName}.part`);
  fs.writeFileSync(tmp, fax.bytes);
  const final = path.join(product.inboxDir, fax.fileName);
  fs.renameSync(tmp, final);
  return final;
}

/** Polls until `fn` gives a value; the limit only keeps a broken product from hanging the run. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined>, ms = 240_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
