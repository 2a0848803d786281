/**
 * `npm run bench:accuracy -- --pages N --seed S [--name NAME] [--out DIR] [--threads T]
 *   [--no-peer] [--peer-pages K] [--forms a,b] [--channels fax-fine,fax-standard] [--standard]`
 *
 * The Ontario acceptance run (issue 4): `--pages 200 --seed ontario-accept --forms ontario-2010
 *   --channels fax-fine,fax-standard --name ontario-200 --no-peer --out docs/benchmarks`.
 *
 * Writes NAME.json and NAME.md and prints the Markdown. Ad-hoc runs write to var/benchmarks/
 * (ignored by git); `--standard` (the committed set: 1,000 pages, seed standard-1000, name
 * standard-1000) writes to docs/benchmarks/; `--out DIR` writes where it says.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CHANNELS, type Channel } from '../fax/profile.ts';
import { FORM_IDS, type FormId, REPO_ROOT } from '../forms/sources.ts';
import { buildReport, reportMarkdown } from './report.ts';
import { runBenchmark } from './run.ts';

/** Where a run's report goes: `--out`, else the committed folder for `--standard`, else var/benchmarks. */
export function reportDir(opts: { out?: string | undefined; standard: boolean }, root = REPO_ROOT, cwd = process.cwd()): string {
  if (opts.out) return path.resolve(cwd, opts.out);
  return path.join(root, opts.standard ? 'docs/benchmarks' : 'var/benchmarks');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pages: { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      threads: { type: 'string' },
      'no-peer': { type: 'boolean', default: false },
      'peer-pages': { type: 'string' },
      forms: { type: 'string' },
      channels: { type: 'string' },
      standard: { type: 'boolean', default: false },
      'cache-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench:accuracy -- --pages N --seed S [--name NAME] [--out DIR] [--threads T] [--no-peer] [--peer-pages K] [--forms a,b] [--standard]\n' +
      'Reports go to var/benchmarks/ (--standard: docs/benchmarks/; --out DIR: there).\n');
    return 0;
  }
  const pages = values.standard ? 1000 : Number(values.pages ?? 50);
  const seed = values.standard ? 'standard-1000' : (values.seed ?? '1');
  if (!Number.isInteger(pages) || pages < 1) throw new Error('--pages must be a positive integer');
  const name = values.name ?? (values.standard ? 'standard-1000' : `bench-${pages}p-seed-${seed}`);
  const forms = values.forms ? (values.forms.split(',') as FormId[]) : FORM_IDS;
  for (const f of forms) if (!FORM_IDS.includes(f)) throw new Error(`unknown form ${f}; known: ${FORM_IDS.join(', ')}`);
  const channels = values.channels ? (values.channels.split(',') as Channel[]) : undefined;
  for (const c of channels ?? []) if (!CHANNELS.includes(c)) throw new Error(`unknown channel ${c}; known: ${CHANNELS.join(', ')}`);
  const outDir = reportDir({ out: values.out, standard: values.standard });
  const command = `npm run bench:accuracy -- ${values.standard ? '--standard' : `--pages ${pages} --seed ${seed}`}${values.forms ? ` --forms ${values.forms}` : ''}${values.channels ? ` --channels ${values.channels}` : ''}${values.name ? ` --name ${values.name}` : ''}${values.threads ? ` --threads ${values.threads}` : ''}${values['no-peer'] ? ' --no-peer' : ''}${values['peer-pages'] ? ` --peer-pages ${values['peer-pages']}` : ''}${values.out ? ` --out ${values.out}` : ''}`;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const run = await runBenchmark({
    pages,
    seed,
    name,
    command,
    forms,
    ...(channels ? { channels } : {}),
    peer: !values['no-peer'],
    ...(values.threads ? { threads: Number(values.threads) } : {}),
    ...(values['peer-pages'] ? { peerPages: Number(values['peer-pages']) } : {}),
    ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}),
    log,
  });
  const report = buildReport(run, new Date());
  const md = reportMarkdown(report);
  await mkdir(outDir, { recursive: true });
  // The cache folder is machine-specific: keep it out of the committed JSON.
  const json = { ...report, set: { ...report.set, dir: undefined } };
  await writeFile(path.join(outDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(path.join(outDir, `${name}.md`), md);
  process.stdout.write(md);
  log(`wrote ${path.join(outDir, `${name}.md`)} and .json`);
  return 0;
}
