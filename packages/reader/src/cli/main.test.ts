/** The command line, run in-process (and once as the real bin). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeBlank } from '../template/blankPages.ts';
import { faxTiff } from '../testing/fax.ts';
import { drawMarks } from '../testing/marks.ts';
import { ontarioTemplate } from '../testing/ontario.ts';
import { ONTARIO, readBytes } from '../testing/realdata.ts';
import { mmRect } from '../read/readPage.ts';
import { main } from './main.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('nexession-read', () => {
  it('explain recomputes a marked box from the page image, prints the stored numbers, writes the crop', async () => {
    const t = await ontarioTemplate();
    const blank = (await decodeBlank(readBytes(ONTARIO.pdf), 200))[0]!.image;
    const box = t.pages[0]!.fields.find((f) => f.key === 'b_tsh')!;
    const filled = drawMarks(blank, [{ box: mmRect(box.region, 200), kind: 'x' }], 200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-read-'));
    const fax = path.join(dir, 'fax.tif');
    fs.writeFileSync(fax, await faxTiff(filled, 200, 'fine'));
    const crop = path.join(dir, 'crop.png');
    const tpl = ['--oscar-map', ONTARIO.map, '--blank', ONTARIO.pdf];
    const r = await run(['explain', fax, 'b_tsh', ...tpl, '--crop', crop, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.recomputed.matchesStored).toBe(true);
    expect(j.recomputed.state).toBe('marked');
    expect(j.stored.state).toBe('marked');
    expect({ dark: j.recomputed.dark, total: j.recomputed.total, ratio: j.recomputed.ratio, score: j.recomputed.score }).toEqual({ dark: j.stored.evidence.dark, total: j.stored.evidence.total, ratio: j.stored.evidence.ratio, score: j.stored.evidence.score });
    const meta = await sharp(crop).metadata();
    expect([meta.width, meta.height]).toEqual([j.crop.rect.w, j.crop.rect.h]);

    // The same from stored artefacts: the reading as JSON and the page image as PNG.
    const images = path.join(dir, 'pages');
    const read = await run(['read', fax, ...tpl, '--images', images]);
    expect(read.code).toBe(0);
    const readJson = JSON.parse(read.out);
    expect(readJson.pages[0].classification.kind).toBe('template');
    expect(readJson.pages[0].image.pngSha256).toMatch(/^[0-9a-f]{64}$/);
    const readingFile = path.join(dir, 'reading.json');
    fs.writeFileSync(readingFile, JSON.stringify(readJson.pages[0]));
    const again = await run(['explain', '--reading', readingFile, '--page-image', readJson.pages[0].image.pngFile, 'b_tsh', '--crop', path.join(dir, 'c2.png')]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/numbers match the stored evidence: yes, exactly/);
    expect(again.out).toMatch(new RegExp(`dark: +${j.stored.evidence.dark} of ${j.stored.evidence.total}`));

    // A tampered stored number does not match, and the exit code says so.
    const tampered = structuredClone(readJson.pages[0]);
    tampered.fields.find((f: { key: string }) => f.key === 'b_tsh').evidence.dark += 5;
    fs.writeFileSync(readingFile, JSON.stringify(tampered));
    const bad = await run(['explain', '--reading', readingFile, '--page-image', readJson.pages[0].image.pngFile, 'b_tsh', '--crop', path.join(dir, 'c3.png')]);
    expect(bad.code).toBe(3);
    expect(bad.out).toMatch(/numbers match the stored evidence: NO/);

    // Every dark pixel by grey alone (the specks rule) recomputes too; a tampered count is caught.
    const dots = readJson.pages[0].fields.find((f: { key: string }) => f.key === 'b_tsh').evidence.dots;
    expect(dots.dark).toBeGreaterThanOrEqual(j.stored.evidence.dark);
    expect(again.out).toMatch(new RegExp(`every dark px: +${dots.dark} of ${j.stored.evidence.total} .*\\(stored ${dots.dark}\\)`));
    const tamperedDots = structuredClone(readJson.pages[0]);
    tamperedDots.fields.find((f: { key: string }) => f.key === 'b_tsh').evidence.dots.dark += 1;
    fs.writeFileSync(readingFile, JSON.stringify(tamperedDots));
    const badDots = await run(['explain', '--reading', readingFile, '--page-image', readJson.pages[0].image.pngFile, 'b_tsh', '--crop', path.join(dir, 'c4.png')]);
    expect(badDots.code).toBe(3);
  });

  it('runs as the declared bin', () => {
    const bin = path.resolve(here, '../../bin/nexession-read.js');
    const pkg = JSON.parse(fs.readFileSync(path.resolve(here, '../../package.json'), 'utf8'));
    expect(pkg.bin['nexession-read']).toBe('bin/nexession-read.js');
    expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/nexession-read read <file>/);
  });
});
