/**
 * Hostile files through intake and the real reader: none may crash the server, hang the reading
 * job or be read before screening; what is refused is quarantined with its reason, and what
 * cannot be read stays in sight of an administrator.
 */
import fs from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markReadFailed, realReaderFactory } from '../src/requisitions/reading.ts';
import { signedIn, startTestApp, type Agent, type TestApp } from '../src/test/app.ts';
import { hugeImagePdf, ITU_G4, pngClaiming } from '../src/test/files.ts';

describe('hostile files, real reader', () => {
  let t: TestApp;
  let rev: Agent;
  let admin: Agent;
  const upload = (body: Buffer, name: string) => rev.request('POST', '/api/documents', body, { 'content-type': 'application/octet-stream', 'x-filename': name });

  beforeAll(async () => {
    t = await startTestApp({ readerFactory: realReaderFactory });
    rev = await signedIn(t, 'hana', ['reviewer']);
    admin = await signedIn(t, 'hugo', ['admin']);
  });
  afterAll(async () => {
    await t.readers.close();
    await t.close();
  });

  // Found by the security review: pdf.js decoded any image a page drew, whatever its size. A
  // 730 KB PDF drawing a 16000 x 16000 image took 54 s and 3.8 GB to read; larger ones can take
  // the process down. Fixed in the reader (pdf.js maxImageSize): the image is left out.
  it('does not decode a huge image hidden in a small PDF', async () => {
    const bomb = hugeImagePdf(8000, 8000); // 64 million pixels, about 190 KB
    expect(bomb.length).toBeLessThan(300_000);
    const up = await upload(bomb, 'bomb.pdf');
    expect(up.json().status).toBe('accepted');
    const read = await t.read(up.json().documentId);
    expect(read.requisitions).toHaveLength(1);
    const page = await t.ctx.db.selectFrom('document_pages').select('blob_key').where('document_id', '=', up.json().documentId).executeTakeFirstOrThrow();
    const png = await t.ctx.vault.open(t.ctx.db, await t.ctx.blobs.get(page.blob_key), `page:${up.json().documentId}:0`);
    const { channels } = await sharp(png).stats();
    // Decoded, the image would have painted the page black; left out, the page is white.
    expect(channels[0]!.mean).toBeGreaterThan(200);
  });

  it('refuses image files whose header claims more pixels than the limit, before decoding', async () => {
    for (const [name, bytes] of [['bomb.png', pngClaiming(100_000, 100_000)], ['just-over.png', pngClaiming(7_000, 7_000)]] as const) {
      const up = await upload(bytes, name);
      expect(up.json(), name).toMatchObject({ status: 'quarantined', reason: expect.stringMatching(/over the limit/) });
    }
  });

  it('a truncated fax neither crashes nor hangs the reader, and stays in sight when it cannot be read', async () => {
    const whole = await fs.readFile(ITU_G4);
    const cut = whole.subarray(0, Math.floor(whole.length / 3));
    const up = await upload(cut, 'cut.tif');
    const id = up.json().documentId as string;
    if (up.json().status === 'quarantined') {
      expect(up.json().reason).toBeTruthy();
    } else {
      // Whatever the reader makes of it, it answers: pages, or an error the job turns into read_failed.
      const outcome = await t.read(id).then(
        (r) => ({ ok: true as const, r }),
        (err: Error) => ({ ok: false as const, err }),
      );
      if (!outcome.ok) {
        await markReadFailed(t.ctx, id, 'the document could not be decoded');
        const items = (await admin.request('GET', '/api/documents/quarantine')).json().items as { id: string; status: string }[];
        expect(items.find((i) => i.id === id)?.status).toBe('read_failed');
      }
    }
    // The server still answers.
    expect((await rev.request('GET', '/api/queue')).statusCode).toBe(200);
  });
});
