/**
 * A benchmark set: N synthetic pages from one seed, rotating through every layout, each page
 * with its own channel and degradations. Pages are made by worker threads (one per core) and
 * cached on disk by content hash of the generator, so a second run with the same seed and a
 * changed reader does not pay for generation again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FORM_IDS, type FormId, REPO_ROOT } from '../forms/sources.ts';
import type { Channel } from '../fax/profile.ts';
import type { PageTruth } from '../truth.ts';

export interface SetPage {
  index: number;
  seed: string;
  form: FormId;
  file: string;
  truth: PageTruth;
}

export interface SetSpec {
  pages: number;
  seed: string;
  /** Limit to some forms (default: all four, in rotation). */
  forms?: readonly FormId[];
  /** Only these channels, in rotation (default: each page draws its own). */
  channels?: readonly Channel[];
  cacheDir?: string;
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface PageJob {
  index: number;
  seed: string;
  form: FormId;
  channel?: Channel;
  file: string;
}


/** Hash of everything that decides what a page looks like: generator and form sources, font versions. */
export async function generatorHash(): Promise<string> {
  const h = createHash('sha256');
  const roots = [path.join(REPO_ROOT, 'packages/testkit/src'), path.join(REPO_ROOT, 'packages/forms/src')];
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'bench' && e.name !== 'testing') await walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) files.push(p);
    }
  };
  for (const r of roots) await walk(r);
  files.sort();
  for (const f of files) h.update(path.relative(REPO_ROOT, f)).update(await readFile(f));
  h.update(await readFile(path.join(REPO_ROOT, 'packages/testkit/package.json')));
  return h.digest('hex').slice(0, 16);
}

export function planSet(spec: SetSpec, dir: string): PageJob[] {
  const forms = spec.forms ?? FORM_IDS;
  const channels = spec.channels;
  return Array.from({ length: spec.pages }, (_, i) => {
    const form = forms[i % forms.length]!;
    if (!channels) return { index: i, seed: `${spec.seed}-${i}`, form, file: path.join(dir, `${spec.seed}-${i}`) };
    const channel = channels[Math.floor(i / forms.length) % channels.length]!;
    // The channel is part of the page's identity in the cache.
    return { index: i, seed: `${spec.seed}-${i}`, form, channel, file: path.join(dir, `${spec.seed}-${i}-${channel}`) };
  });
}

export async function buildSet(spec: SetSpec): Promise<{ pages: SetPage[]; dir: string; hash: string; generatedSeconds: number }> {
  const hash = await generatorHash();
  const dir = path.join(spec.cacheDir ?? path.join(tmpdir(), 'nexession-testkit-sets'), hash);
  await mkdir(dir, { recursive: true });
  const jobs = planSet(spec, dir);
  const missing: PageJob[] = [];
  for (const j of jobs) {
    const ok = await stat(`${j.file}.json`).then(
      () => true,
      () => false,
    );
    if (!ok) missing.push(j);
  }
  const t0 = performance.now();
  if (missing.length > 0) await generateInWorkers(missing, spec.threads ?? availableParallelism(), (n) => spec.onProgress?.(jobs.length - missing.length + n, jobs.length));
  const pages: SetPage[] = [];
  for (const j of jobs) {
    const truth = JSON.parse(await readFile(`${j.file}.json`, 'utf8')) as PageTruth & { file: string };
    pages.push({ index: j.index, seed: j.seed, form: j.form, file: path.join(dir, truth.file), truth });
  }
  return { pages, dir, hash, generatedSeconds: (performance.now() - t0) / 1000 };
}

async function generateInWorkers(jobs: PageJob[], threads: number, progress: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  const n = Math.max(1, Math.min(threads, jobs.length));
  await Promise.all(
    Array.from({ length: n }, async () => {
      const worker = new Worker(new URL('./generate-worker.ts', import.meta.url));
      try {
        while (next < jobs.length) {
          const job = jobs[next++]!;
          await new Promise<void>((resolve, reject) => {
            const onMessage = (m: { ok: boolean; error?: string }) => {
              worker.off('error', onError);
              if (m.ok) resolve();
              else reject(new Error(`page ${job.seed} (${job.form}): ${m.error}`));
            };
            const onError = (e: Error) => {
              worker.off('message', onMessage);
              reject(e);
            };
            worker.once('message', onMessage);
            worker.once('error', onError);
            worker.postMessage(job);
          });
          progress(++done);
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
}

/** Used by the worker: make one page and write its file and truth next to each other. */
export async function writePage(job: PageJob): Promise<void> {
  const { makeFaxedRequisition } = await import('../make.ts');
  const r = await makeFaxedRequisition({ form: job.form, seed: job.seed, ...(job.channel ? { channel: job.channel } : {}) });
  const file = `${path.basename(job.file)}.${r.fileName.split('.').pop()}`;
  await writeFile(path.join(path.dirname(job.file), file), r.bytes);
  await writeFile(`${job.file}.json`, JSON.stringify({ ...r.truth, file }));
}

