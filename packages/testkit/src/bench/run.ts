/**
 * The accuracy and speed benchmark: make (or reuse) the set, read every page with packages/reader
 * on all cores, score it against the ground truth, run the naive full-page peer on the same
 * pages, and summarise.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import type { PageReading } from '@nexession/reader';
import type { Channel } from '../fax/profile.ts';
import { FORM_IDS, type FormId, REPO_ROOT } from '../forms/sources.ts';
import { peerContains, peerVersion, runPeer } from './peer.ts';
import { openReader, readerEntryPoint } from './reader-setup.ts';
import { type PageScore, scorePage } from './score.ts';
import { type SetPage, buildSet } from './test-set.ts';

export interface BenchOptions {
  pages: number;
  seed: string;
  name: string;
  command: string;
  forms?: readonly FormId[];
  /** Only these channels, in rotation (default: each page draws its own). */
  channels?: readonly Channel[];
  /** Reader worker threads (default: one per core). */
  threads?: number;
  peer: boolean;
  /** Run the peer on K pages spread evenly over the set (default: all, at most 200). */
  peerPages?: number;
  cacheDir?: string;
  log: (line: string) => void;
}

export interface Timing {
  pages: number;
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
  wallSeconds: number;
  pagesPerSecond: number;
  concurrency: number;
}

export interface PeerSummary {
  installed: boolean;
  version: string | null;
  timing: Timing | null;
  /** The reader's timing on exactly the pages the peer read. */
  readerOnSamePages: Timing | null;
  /** PDFs rendered to PNG for the peer (time not counted). */
  convertedPdfs: number;
  values: { kind: string; total: number; found: number }[];
  skippedReason?: string;
}

export interface BenchRun {
  options: Omit<BenchOptions, 'log'>;
  set: { hash: string; dir: string; generatedSeconds: number; pagesByForm: Record<string, number>; pagesByTag: Record<string, number> };
  reader: { available: boolean; reason?: string; commit: string; dirty: boolean; threads: number; warmupPages: number; timing: Timing | null; failures: { seed: string; error: string }[] };
  scores: PageScore[];
  /** Reading time of each page (ms), in the order of `scores`; null when not read. */
  pageMs: (number | null)[];
  peer: PeerSummary;
  /** Load average (1 min) before and after: other work on the machine slows both contenders. */
  machine: { cpus: number; model: string; node: string; loadBefore: number; loadAfter: number };
}

/** Which reader was measured: the repository's commit, and whether packages/reader had local changes. */
function readerGit(): { commit: string; dirty: boolean } {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const commit = git(['rev-parse', '--short', 'HEAD']) ?? 'unknown';
  const status = git(['status', '--porcelain', '--', 'packages/reader']);
  return { commit, dirty: status === null ? false : status.length > 0 };
}

export function timingOf(ms: number[], wallSeconds: number, concurrency: number): Timing {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => (s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!);
  return { pages: s.length, p50Ms: q(0.5), p95Ms: q(0.95), meanMs: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length), wallSeconds, pagesPerSecond: wallSeconds > 0 ? s.length / wallSeconds : 0, concurrency };
}

/** Runs `task` over items with at most `n` in flight, in order of items. */
async function pool<T>(items: T[], n: number, task: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}

async function readOne(reader: { read(bytes: Uint8Array): AsyncIterable<PageReading> }, bytes: Uint8Array): Promise<PageReading | null> {
  let first: PageReading | null = null;
  for await (const page of reader.read(bytes)) if (!first) first = page;
  return first;
}

export interface SetReading {
  readings: Map<number, PageReading | null>;
  ms: number[];
  msByIndex: Map<number, number>;
  failures: { seed: string; error: string }[];
  wallSeconds: number;
  warmupPages: number;
}

/**
 * Reads every page of a set with one reader (a worker pool of `threads`), `threads` documents in
 * flight, after an untimed warm-up on the first pages; times each page from bytes to reading.
 */
export async function readSet(pages: SetPage[], forms: readonly FormId[], threads: number, log: (line: string) => void = () => {}): Promise<SetReading> {
  const readings = new Map<number, PageReading | null>();
  const ms: number[] = [];
  const msByIndex = new Map<number, number>();
  const failures: { seed: string; error: string }[] = [];
  const reader = await openReader(forms, { threads });
  try {
    // Warm-up: start the workers and their OCR engines on a few pages, untimed.
    const warm = pages.slice(0, Math.min(threads, pages.length));
    await pool(warm, threads, async (p) => {
      await readOne(reader, new Uint8Array(await readFile(p.file))).catch(() => null);
    });
    const t0 = performance.now();
    let done = 0;
    await pool(pages, threads, async (p: SetPage) => {
      const bytes = new Uint8Array(await readFile(p.file));
      const s = performance.now();
      try {
        readings.set(p.index, await readOne(reader, bytes));
        const took = performance.now() - s;
        ms.push(took);
        msByIndex.set(p.index, took);
      } catch (e) {
        readings.set(p.index, null);
        failures.push({ seed: p.seed, error: e instanceof Error ? e.message : String(e) });
      }
      if (++done % Math.max(1, Math.floor(pages.length / 10)) === 0) log(`  read ${done}/${pages.length}`);
    });
    return { readings, ms, msByIndex, failures, wallSeconds: (performance.now() - t0) / 1000, warmupPages: warm.length };
  } finally {
    await reader.close();
  }
}

export async function runBenchmark(opts: BenchOptions): Promise<BenchRun> {
  const { log } = opts;
  const forms = opts.forms ?? FORM_IDS;
  const cores = availableParallelism();
  const threads = opts.threads ?? cores;
  const loadBefore = loadavg()[0]!;

  log(`making ${opts.pages} pages (seed ${opts.seed}) ...`);
  let lastPct = -1;
  const set = await buildSet({
    pages: opts.pages,
    seed: opts.seed,
    forms,
    ...(opts.channels ? { channels: opts.channels } : {}),
    ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    onProgress: (d, t) => {
      const pct = Math.floor((d / t) * 10);
      if (pct !== lastPct) {
        lastPct = pct;
        log(`  generated ${d}/${t}`);
      }
    },
  });
  const pagesByForm: Record<string, number> = {};
  const pagesByTag: Record<string, number> = {};
  for (const p of set.pages) {
    pagesByForm[p.form] = (pagesByForm[p.form] ?? 0) + 1;
    for (const t of p.truth.degradations) pagesByTag[t] = (pagesByTag[t] ?? 0) + 1;
  }

  // ---- reader
  const readings = new Map<number, PageReading | null>();
  const readMs: number[] = [];
  const readMsByIndex = new Map<number, number>();
  const failures: { seed: string; error: string }[] = [];
  const git = readerGit();
  let readerInfo: BenchRun['reader'] = { available: false, ...git, threads, warmupPages: 0, timing: null, failures };
  if (!readerEntryPoint()) {
    readerInfo.reason = 'packages/reader does not export createReader yet: nothing was read';
    log(readerInfo.reason);
  } else {
    log(`reading with packages/reader (${threads} threads) ...`);
    const r = await readSet(set.pages, forms, threads, log);
    for (const [k, v] of r.readings) readings.set(k, v);
    for (const [k, v] of r.msByIndex) readMsByIndex.set(k, v);
    readMs.push(...r.ms);
    failures.push(...r.failures);
    readerInfo = { available: true, ...git, threads, warmupPages: r.warmupPages, timing: timingOf(r.ms, r.wallSeconds, threads), failures };
  }
  const scores = set.pages.map((p) => scorePage(p.truth, readerInfo.available ? (readings.get(p.index) ?? null) : null));

  // ---- peer
  const peer: PeerSummary = { installed: false, version: null, timing: null, readerOnSamePages: null, convertedPdfs: 0, values: [] };
  peer.version = await peerVersion();
  peer.installed = peer.version !== null;
  if (!peer.installed) {
    peer.skippedReason = 'the tesseract command is not installed (Debian package tesseract-ocr)';
    log(peer.skippedReason);
  } else if (!opts.peer) {
    peer.skippedReason = 'skipped (--no-peer)';
  } else {
    const k = Math.min(set.pages.length, opts.peerPages ?? 200);
    const stride = set.pages.length / k;
    const subset = Array.from({ length: k }, (_, i) => set.pages[Math.floor(i * stride)]!);
    log(`running the peer (tesseract CLI, OMP_THREAD_LIMIT=1, ${cores} processes) on ${subset.length} pages ...`);
    const ms: number[] = [];
    const found = new Map<string, { total: number; found: number }>();
    const t0 = performance.now();
    await pool(subset, cores, async (p) => {
      const r = await runPeer(p.file, new Uint8Array(await readFile(p.file)));
      ms.push(r.ms);
      if (r.converted) peer.convertedPdfs++;
      for (const t of Object.values(p.truth.fields)) {
        if (t.kind !== 'text' || t.value === null || t.ambiguous) continue;
        const kind = t.style === 'hand' ? 'text-hand' : 'text-typed';
        const v = found.get(kind) ?? { total: 0, found: 0 };
        v.total++;
        if (peerContains(r.text, t.value)) v.found++;
        found.set(kind, v);
      }
    });
    peer.timing = timingOf(ms, (performance.now() - t0) / 1000, cores);
    const sameMs = subset.map((p) => readMsByIndex.get(p.index)).filter((v): v is number => v !== undefined);
    if (sameMs.length > 0) peer.readerOnSamePages = timingOf(sameMs, 0, threads);
    peer.values = [...found.entries()].map(([kind, v]) => ({ kind, ...v })).sort((a, b) => a.kind.localeCompare(b.kind));
  }

  const { log: _log, ...options } = opts;
  void _log;
  return {
    options,
    set: { hash: set.hash, dir: set.dir, generatedSeconds: set.generatedSeconds, pagesByForm, pagesByTag },
    reader: readerInfo,
    scores,
    pageMs: set.pages.map((p) => readMsByIndex.get(p.index) ?? null),
    peer,
    machine: { cpus: cores, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadBefore, loadAfter: loadavg()[0]! },
  };
}
