/**
 * Page images and crops, fetched once through the audited endpoints and kept as object URLs in
 * memory only (never the HTTP cache: PHI responses are no-store). Cleared per requisition and
 * on sign-out, so nothing outlives the session in this tab.
 */
import { fetchBlob } from '../api/client.ts';

interface Entry {
  owner: string;
  promise: Promise<string>;
  url: string | null;
}

const entries = new Map<string, Entry>();

/**
 * Resolves to an object URL for an image path; `owner` groups entries (a requisition id).
 * `prefetch`: loaded ahead of need, audited by the server as a prefetch; shown later from here.
 */
export function loadImage(path: string, owner: string, opts: { prefetch?: boolean } = {}): Promise<string> {
  const existing = entries.get(path);
  if (existing) return existing.promise;
  const entry: Entry = { owner, url: null, promise: Promise.resolve('') };
  entry.promise = fetchBlob(path, opts.prefetch ? { prefetch: true } : {}).then(
    (blob) => {
      const url = URL.createObjectURL(blob);
      if (entries.get(path) === entry) entry.url = url;
      else URL.revokeObjectURL(url); // dropped while loading
      return url;
    },
    (err: unknown) => {
      if (entries.get(path) === entry) entries.delete(path);
      throw err;
    },
  );
  entries.set(path, entry);
  return entry.promise;
}

/** The object URL if it is already loaded (for a first render without flicker). */
export function loadedImage(path: string): string | null {
  return entries.get(path)?.url ?? null;
}

export function dropOwner(owner: string): void {
  for (const [path, e] of entries) {
    if (e.owner !== owner) continue;
    if (e.url) URL.revokeObjectURL(e.url);
    entries.delete(path);
  }
}

export function dropAll(): void {
  for (const e of entries.values()) if (e.url) URL.revokeObjectURL(e.url);
  entries.clear();
}
