import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Requisition } from '../api/types.ts';
import { dropAll } from './imageCache.ts';
import { dropPrefetched, prefetchRequisition, takePrefetched } from './prefetch.ts';

const ID = '3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';

afterEach(() => {
  vi.unstubAllGlobals();
  dropPrefetched();
  dropAll();
});

describe('prefetching the next requisition', () => {
  it('tells the server every request is a prefetch (audited as such, not as a view)', async () => {
    const calls: { url: string; prefetch: string | undefined }[] = [];
    const req = {
      id: ID,
      pages: [{ index: 0, width: 10, height: 10, dpi: 200, flags: [] }],
      fields: [{ key: 'patient_last_name', order: 1, section: 'Patient', kind: 'text', review: { state: 'unreviewed' } }],
    } as unknown as Requisition;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, prefetch: (init.headers as Record<string, string>)['x-nexession-prefetch'] });
      return url.endsWith(ID) ? new Response(JSON.stringify(req)) : new Response(new Blob([new Uint8Array([1])]));
    });
    prefetchRequisition(ID);
    expect((await takePrefetched(ID))?.id).toBe(ID);
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    expect(calls.map((c) => c.url)).toEqual([`/api/requisitions/${ID}`, `/api/requisitions/${ID}/pages/0/image`, `/api/requisitions/${ID}/fields/patient_last_name/crop`]);
    expect(calls.every((c) => c.prefetch === '1')).toBe(true);
  });
});
