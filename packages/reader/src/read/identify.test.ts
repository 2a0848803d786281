/**
 * Which form is this, and which way up: real fax files against the real Ontario template.
 * A page of no known form is unrecognised, never forced onto the nearest template.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePages } from '../decode/decodePages.ts';
import { decodePngGrey, rotateQuarter, rotateSmall } from '../image/grey.ts';
import { decodeBlank } from '../template/blankPages.ts';
import { ontarioTemplate } from '../testing/ontario.ts';
import { ITU_G4, ONTARIO, readBytes } from '../testing/realdata.ts';
import type { GreyImage, PageReading, Reader } from '../types.ts';
import { createInProcessReader } from './reader.ts';

let reader: Reader;
let blank: GreyImage;

beforeAll(async () => {
  const t = await ontarioTemplate();
  reader = await createInProcessReader({ templates: [{ definition: t, blank: readBytes(ONTARIO.pdf) }] }, { text: null, barcodes: null, barcodeMode: 'off' });
  blank = (await decodeBlank(readBytes(ONTARIO.pdf), 200))[0]!.image;
});

async function readAll(bytes: Uint8Array): Promise<PageReading[]> {
  const out: PageReading[] = [];
  for await (const p of reader.read(bytes)) out.push(p);
  return out;
}

async function pngOf(img: GreyImage): Promise<Uint8Array> {
  return new Uint8Array(await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } }).png().withMetadata({ density: 200 }).toBuffer());
}

describe('identification', () => {
  it('recognises the real Ontario faxes (fine and standard mode), registered within a fraction of a millimetre', async () => {
    for (const file of [ONTARIO.faxFine, ONTARIO.faxStandard]) {
      const [p] = await readAll(readBytes(file));
      expect(p!.classification).toMatchObject({ kind: 'template', templateId: 'ontario-2010', page: 0 });
      if (p!.classification.kind === 'template') expect(p!.classification.score).toBeGreaterThan(0.8);
      expect(p!.registration!.residualMm).toBeLessThan(0.2);
      expect(p!.registration!.scale).toBeGreaterThan(0.99);
      expect(p!.registration!.scale).toBeLessThan(1.01);
      expect(p!.gates.every((g) => g.passed)).toBe(true);
      expect(p!.flags).toEqual([]);
    }
  });

  it('reads every page of the ITU G4 test charts as unrecognised, with a reason', async () => {
    const pages = await readAll(readBytes(ITU_G4));
    expect(pages.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const p of pages) {
      expect(p.classification.kind, `page ${p.index + 1}`).toBe('unrecognised');
      if (p.classification.kind === 'unrecognised') {
        expect(p.classification.reason.length).toBeGreaterThan(20);
        expect(p.classification.bestScore).toBeLessThan(0.3);
      }
      expect(p.fields).toEqual([]);
      expect(p.flags.map((f) => f.code)).toContain('unrecognised');
      // The page is still stored, normalised, for a person to classify.
      expect(p.image.png.length).toBeGreaterThan(1000);
    }
  });

  it('turns an upside-down page of text that matches no template, by its text', async () => {
    let letter: GreyImage | null = null;
    for await (const p of decodePages(readBytes(ITU_G4))) {
      letter = p.image; // ITU chart 1: a typed business letter
      break;
    }
    const [p] = await readAll(await pngOf(rotateQuarter(letter!, 180)));
    expect(p!.classification.kind).toBe('unrecognised');
    expect(p!.orientation.rotation).toBe(180);
    // The stored image is the letter the right way up again.
    const stored = await decodePngGrey(p!.image.png);
    let same = 0;
    for (let i = 0; i < stored.data.length; i += 97) if (Math.abs(stored.data[i]! - letter!.data[i]!) < 64) same++;
    expect(same / Math.ceil(stored.data.length / 97)).toBeGreaterThan(0.97);
    // A page with no clear text (a circuit diagram) is left as it came.
    const pages: GreyImage[] = [];
    for await (const q of decodePages(readBytes(ITU_G4))) pages.push(q.image);
    const [diagram] = await readAll(await pngOf(pages[1]!));
    expect(diagram!.orientation.rotation).toBe(0);
  });

  it('turns a page that lies on its side, and deskews a tilted one, recording what it did', async () => {
    const [sideways] = await readAll(await pngOf(rotateQuarter(blank, 90)));
    expect(sideways!.orientation.rotation).toBe(270);
    expect(sideways!.classification.kind).toBe('template');
    expect([sideways!.image.width, sideways!.image.height]).toEqual([blank.width, blank.height]);

    const [tilted] = await readAll(await pngOf(rotateSmall(blank, 2.5)));
    expect(tilted!.orientation.skewDeg).toBeCloseTo(2.5, 0);
    expect(tilted!.classification.kind).toBe('template');
    // What is left after deskewing is a small residual rotation, well inside the gate.
    expect(Math.abs(tilted!.registration!.rotationDeg)).toBeLessThan(0.2);
    expect(tilted!.gates.find((g) => g.code === 'skew')!.passed).toBe(true);
  });

  it('fails the scale gate for a page printed at 95 %, and says so', async () => {
    const small = await sharp(blank.data, { raw: { width: blank.width, height: blank.height, channels: 1 } })
      .resize(Math.round(blank.width * 0.95), Math.round(blank.height * 0.95))
      .extend({ top: 55, bottom: 55, left: 42, right: 43, background: '#ffffff' })
      .png()
      .withMetadata({ density: 200 })
      .toBuffer();
    const [p] = await readAll(new Uint8Array(small));
    expect(p!.classification.kind).toBe('template');
    expect(p!.registration!.scale).toBeCloseTo(0.95, 2);
    const scale = p!.gates.find((g) => g.code === 'scale')!;
    expect(scale.passed).toBe(false);
    expect(scale.message).toMatch(/95\.0 %/);
    expect(p!.flags.map((f) => f.code)).toContain('gate_scale');
    expect(p!.fields.every((f) => f.flags.some((x) => x.code === 'page_gate_failed'))).toBe(true);
  });
});
