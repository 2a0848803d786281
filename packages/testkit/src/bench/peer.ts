/**
 * The naive peer a lab would script instead of Nexession: Debian's `tesseract` command-line
 * program on each whole page, one thread per process (OMP_THREAD_LIMIT=1; without it tesseract
 * fights itself for the cores). It has no idea of fields or checkboxes: the benchmark only asks
 * how many of the written values appear somewhere in its text, and how long it takes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { rasterisePdf } from '../raster/rasterise-pdf.ts';

const run = promisify(execFile);

export async function peerVersion(): Promise<string | null> {
  try {
    const { stdout, stderr } = await run('tesseract', ['--version'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
    return (stdout || stderr).split('\n')[0]!.trim();
  } catch {
    return null;
  }
}

export interface PeerResult {
  text: string;
  /** Wall time of the tesseract process alone. */
  ms: number;
  /** Whether the file had to be turned into an image first (PDF): not counted in `ms`. */
  converted: boolean;
}

/** Runs tesseract on one page file. PDFs are rendered to a 300 dpi PNG first (tesseract reads no PDF). */
export async function runPeer(file: string, bytes: Uint8Array): Promise<PeerResult> {
  let input = file;
  let dir: string | null = null;
  const isPdf = bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46;
  try {
    if (isPdf) {
      dir = await mkdtemp(path.join(tmpdir(), 'nx-peer-'));
      const page = await rasterisePdf(bytes, 300);
      input = path.join(dir, 'page.png');
      await writeFile(input, await sharp(Buffer.from(page.data), { raw: { width: page.width, height: page.height, channels: 1 } }).png().toBuffer());
    }
    const t0 = performance.now();
    const { stdout } = await run('tesseract', [input, 'stdout'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 16 * 1024 * 1024 });
    return { text: stdout, ms: performance.now() - t0, converted: isPdf };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** Whether a written value appears in the peer's text (whitespace runs as one space, exact characters). */
export function peerContains(peerText: string, value: string): boolean {
  const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();
  return norm(peerText).includes(norm(value));
}
