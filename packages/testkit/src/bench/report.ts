/**
 * Turns a benchmark run into the JSON and Markdown reports committed under docs/benchmarks/:
 * targets first (met or not, said plainly), then figures per field kind, text type, mark kind,
 * form and degradation, timing, the peer, and the silent errors themselves.
 */
import { type BenchRun, type Timing, timingOf } from './run.ts';
import { type FieldScore, type PageScore, type Rates, type Tally, rates, tallyBy } from './score.ts';

export interface TargetResult {
  target: string;
  measured: string;
  met: boolean | null;
}

export interface GroupRow extends Tally, Rates {
  group: string;
  /** Reading time of the pages in this group (page groups only). */
  pages?: number;
  readP50Ms?: number;
  readP95Ms?: number;
}

export interface BenchReport {
  name: string;
  command: string;
  date: string;
  machine: BenchRun['machine'];
  set: BenchRun['set'] & { pages: number; seed: string };
  reader: Omit<BenchRun['reader'], 'failures'> & { failures: number };
  targets: TargetResult[];
  pages: { total: number; flagged: number; unrecognised: number; wrongTemplate: number; flagCodes: Record<string, number> };
  byKind: GroupRow[];
  byTextType: GroupRow[];
  byMark: GroupRow[];
  byForm: GroupRow[];
  byDegradation: GroupRow[];
  peer: BenchRun['peer'] & { timeRatioP50: number | null; throughputRatio: number | null };
  silentErrors: { seed: string; form: string; key: string; kind: string; detail: string; note: string }[];
  readerFailures: BenchRun['reader']['failures'];
}

const rows = (m: Map<string, Tally>, order?: string[]): GroupRow[] =>
  [...m.entries()]
    .sort((a, b) => (order ? order.indexOf(a[0]) - order.indexOf(b[0]) : a[0].localeCompare(b[0])))
    .map(([group, t]) => ({ group, ...t, ...rates(t) }));

export function buildReport(run: BenchRun, date: Date): BenchReport {
  const s = run.scores;
  const byKind = rows(tallyBy(s, (_p, f) => [f.kind]), ['checkbox', 'text-typed', 'text-hand', 'text-blank']);
  const find = (k: string) => byKind.find((r) => r.group === k);
  const rt = run.reader.timing;
  const pt = run.peer.timing;
  // Same run, same pages: the reader's median on the pages the peer read.
  const rs = run.peer.readerOnSamePages;
  const timeRatioP50 = rs && pt && rs.p50Ms > 0 ? pt.p50Ms / rs.p50Ms : null;
  const throughputRatio = rt && pt && pt.pagesPerSecond > 0 ? rt.pagesPerSecond / pt.pagesPerSecond : null;

  const targets: TargetResult[] = [];
  const read = run.reader.available;
  const cb = find('checkbox');
  const typed = find('text-typed');
  const hand = find('text-hand');
  const pct = (v: number | null | undefined, d = 2) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(d)} %`);
  targets.push({ target: 'Checkboxes: 0 silent errors', measured: cb ? `${cb.silentErrors} of ${cb.fields}` : 'n/a', met: read && cb ? cb.silentErrors === 0 : null });
  targets.push({
    target: 'Checkboxes: flag rate at most 1 % (of boxes a careful person would not query)',
    measured: `${pct(cb?.needlessFlagRate)} (all flags: ${pct(cb?.flagRate)}, ${cb ? cb.ambiguous : 0} boxes ambiguous by design)`,
    met: read && cb?.needlessFlagRate != null ? cb.needlessFlagRate <= 0.01 : null,
  });
  targets.push({ target: 'Typed text: at least 98 % of values exactly right', measured: pct(typed?.exactRate), met: read && typed?.exactRate != null ? typed.exactRate >= 0.98 : null });
  targets.push({ target: 'Typed text: silent errors at most 0.5 %', measured: pct(typed?.silentErrorRate), met: read && typed?.silentErrorRate != null ? typed.silentErrorRate <= 0.005 : null });
  targets.push({ target: 'Hand-style text: silent errors at most 1 %', measured: pct(hand?.silentErrorRate), met: read && hand?.silentErrorRate != null ? hand.silentErrorRate <= 0.01 : null });
  targets.push({ target: 'Median reading time at most 0.3 s per page per core', measured: rt ? `${(rt.p50Ms / 1000).toFixed(3)} s` : 'n/a', met: rt ? rt.p50Ms <= 300 : null });
  targets.push({ target: 'At least 3 times faster than the full-page peer (median per page)', measured: timeRatioP50 === null ? 'n/a' : `${timeRatioP50.toFixed(2)} x`, met: timeRatioP50 === null ? null : timeRatioP50 >= 3 });

  const flagCodes: Record<string, number> = {};
  for (const p of s) for (const c of p.pageFlagCodes) flagCodes[c] = (flagCodes[c] ?? 0) + 1;
  const errors = s.flatMap((p: PageScore) => p.fields.filter((f: FieldScore) => f.outcome === 'silent_error').map((f) => ({ seed: p.seed, form: p.form, key: f.key, kind: f.kind, detail: f.detail, note: f.note ?? '' })));

  return {
    name: run.options.name,
    command: run.options.command,
    date: date.toISOString(),
    machine: run.machine,
    set: { ...run.set, pages: run.options.pages, seed: run.options.seed },
    reader: { ...run.reader, failures: run.reader.failures.length },
    targets,
    pages: { total: s.length, flagged: s.filter((p) => p.pageFlagged).length, unrecognised: s.filter((p) => p.classification === 'unrecognised').length, wrongTemplate: s.filter((p) => p.classification === 'wrong_template').length, flagCodes },
    byKind,
    byTextType: rows(tallyBy(s, (_p, f) => (f.kind === 'checkbox' ? [] : [`${f.detail}${f.kind === 'text-hand' ? ' (hand)' : f.kind === 'text-blank' ? ' (blank)' : ''}`]))),
    byMark: rows(tallyBy(s, (_p, f) => (f.kind === 'checkbox' ? [f.detail] : []))),
    byForm: withTiming(rows(tallyBy(s, (p) => [p.form])), run, (p) => [p.form]),
    byDegradation: withTiming(rows(tallyBy(s, (p) => p.degradations)), run, (p) => p.degradations),
    peer: { ...run.peer, timeRatioP50, throughputRatio },
    silentErrors: errors,
    readerFailures: run.reader.failures,
  };
}

/** Adds each group's page count and reading time (p50, p95) to page-level groups. */
function withTiming(groups: GroupRow[], run: BenchRun, keys: (p: PageScore) => string[]): GroupRow[] {
  const ms = new Map<string, number[]>();
  const pages = new Map<string, number>();
  run.scores.forEach((p, i) => {
    for (const k of keys(p)) {
      pages.set(k, (pages.get(k) ?? 0) + 1);
      const t = run.pageMs[i];
      if (t !== null && t !== undefined) ms.set(k, [...(ms.get(k) ?? []), t]);
    }
  });
  return groups.map((g) => {
    const t = ms.get(g.group);
    const timing = t && t.length ? timingOf(t, 0, 1) : null;
    return { ...g, pages: pages.get(g.group) ?? 0, ...(timing ? { readP50Ms: timing.p50Ms, readP95Ms: timing.p95Ms } : {}) };
  });
}

// ---------------------------------------------------------------------------------------------
// Markdown

const fmtPct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)} %`);
const fmtT = (t: Timing | null) => (t ? `p50 ${(t.p50Ms / 1000).toFixed(3)} s, p95 ${(t.p95Ms / 1000).toFixed(3)} s, mean ${(t.meanMs / 1000).toFixed(3)} s, ${t.pagesPerSecond.toFixed(2)} pages/s (${t.pages} pages, ${t.concurrency} at a time, ${t.wallSeconds.toFixed(1)} s wall)` : 'n/a');

function table(title: string, r: GroupRow[], note?: string): string {
  const timed = r.some((x) => x.pages !== undefined);
  const head = `### ${title}\n\n${note ? `${note}\n\n` : ''}| group |${timed ? ' pages | read p50 | read p95 |' : ''} fields | decided alone | accuracy of decided | silent errors | silent error rate | flagged | flag rate | flag rate, unambiguous | value right (flagged or not) | ambiguous flagged |\n|---|${timed ? '---:|---:|---:|' : ''}---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n`;
  const sec = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
  return (
    head +
    r
      .map(
        (x) =>
          `| ${x.group} |${timed ? ` ${x.pages ?? 0} | ${sec(x.readP50Ms)} | ${sec(x.readP95Ms)} |` : ''} ${x.fields} | ${x.autoDecided} | ${fmtPct(x.autoAccuracy)} | ${x.silentErrors} | ${fmtPct(x.silentErrorRate)} | ${x.flagged} | ${fmtPct(x.flagRate)} | ${fmtPct(x.needlessFlagRate)} | ${fmtPct(x.exactRate)} | ${x.ambiguous ? `${x.ambiguousFlagged}/${x.ambiguous}` : '-'} |`,
      )
      .join('\n') +
    '\n'
  );
}

export function reportMarkdown(r: BenchReport): string {
  const out: string[] = [];
  out.push(`# Accuracy and speed benchmark: ${r.name}\n`);
  out.push(`Made by \`${r.command}\` on ${r.date.slice(0, 10)} (${r.machine.cpus} cores, ${r.machine.model}, Node ${r.machine.node}; load average ${r.machine.loadBefore.toFixed(1)} before, ${r.machine.loadAfter.toFixed(1)} after: other work on a shared machine slows both the reader and the peer).`);
  out.push(`Set: ${r.set.pages} synthetic pages, seed \`${r.set.seed}\`, generator ${r.set.hash}; pages per form: ${Object.entries(r.set.pagesByForm).map(([k, v]) => `${k} ${v}`).join(', ')}.\n`);
  out.push('A **silent error** is a value the reader decided alone (no flag on the field or the page) that is wrong, or a mark a careful person would query (`ambiguous` in the ground truth) decided without a flag. Flagged values go to a person with a reason: they are review burden, not errors. "Value right" compares the machine value with the truth whether flagged or not. "Flag rate, unambiguous" counts flags only among fields a careful person would not have queried: the set has ambiguous marks by design (filled, circled, crossed out), which must be flagged.\n');
  if (!r.reader.available) out.push(`> **The reader did not read this set: ${r.reader.reason}.** Every figure below that depends on reading is empty or counts fields as flagged.\n`);
  out.push(`Pages per channel, severity, format and degradation: ${Object.entries(r.set.pagesByTag).sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${k} ${v}`).join(', ')}.\n`);
  out.push('## Targets\n');
  out.push('| target | measured | met |\n|---|---|---|');
  for (const t of r.targets) out.push(`| ${t.target} | ${t.measured} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**NO**'} |`);
  const missed = r.targets.filter((t) => t.met === false);
  out.push(missed.length ? `\n**Missed: ${missed.map((t) => t.target).join('; ')}.**\n` : '\n');
  out.push('## Pages\n');
  out.push(`${r.pages.total} pages; ${r.pages.flagged} flagged as a whole (${r.pages.unrecognised} unrecognised, ${r.pages.wrongTemplate} taken for another form). Reader failures: ${r.reader.failures}.`);
  const codes = Object.entries(r.pages.flagCodes).sort((a, b) => b[1] - a[1]);
  if (codes.length) out.push(`\nPage flag codes: ${codes.map(([c, n]) => `\`${c}\` ${n}`).join(', ')}.`);
  out.push('\n## Speed\n');
  out.push(`- Reader at commit ${r.reader.commit}${r.reader.dirty ? ' with uncommitted changes in packages/reader (work in progress)' : ''}: ${fmtT(r.reader.timing)}${r.reader.available ? `; ${r.reader.warmupPages} warm-up page(s) read first, untimed.` : ''}`);
  if (!r.peer.installed) out.push(`- Peer: not run: ${r.peer.skippedReason}.`);
  else if (!r.peer.timing) out.push(`- Peer (${r.peer.version}): ${r.peer.skippedReason ?? 'not run'}.`);
  else {
    out.push(`- Peer, \`tesseract\` CLI on each full page with OMP_THREAD_LIMIT=1 (${r.peer.version}): ${fmtT(r.peer.timing)}${r.peer.convertedPdfs ? `; ${r.peer.convertedPdfs} PDF pages were rendered to PNG for it first, not timed` : ''}.`);
    out.push(`- Reader on the same ${r.peer.timing.pages} pages: ${fmtT(r.peer.readerOnSamePages).replace(/, [0-9.]+ pages\/s.*$/, '')}.`);
    out.push(`- Time ratio in this run (peer median / reader median, same pages): ${r.peer.timeRatioP50 === null ? 'n/a' : `${r.peer.timeRatioP50.toFixed(2)} x`}; throughput ratio (reader pages/s / peer pages/s): ${r.peer.throughputRatio === null ? 'n/a' : `${r.peer.throughputRatio.toFixed(2)} x`}.`);
    out.push(`- Field values found anywhere in the peer's text (it reads no checkboxes and knows no fields): ${r.peer.values.map((v) => `${v.kind} ${v.found}/${v.total} (${fmtPct(v.total ? v.found / v.total : null)})`).join(', ')}.`);
  }
  out.push('\n## Figures\n');
  out.push(table('By field kind', r.byKind));
  out.push(table('By text type', r.byTextType));
  out.push(table('Checkboxes by mark', r.byMark, '`none` is an empty box; `stray-dot` an empty box with a dot beside it; `fill`, `circle`, `crossed-out` are ambiguous by design and must be flagged.'));
  out.push(table('By form', r.byForm));
  out.push(table('By degradation', r.byDegradation, 'A page counts in every group it belongs to (its channel, severity, format and each degradation it got).'));
  out.push('## Silent errors\n');
  if (r.silentErrors.length === 0) out.push('None.\n');
  else {
    const shown = r.silentErrors.slice(0, 60);
    out.push(`${r.silentErrors.length} in all${r.silentErrors.length > shown.length ? `; the first ${shown.length} (all are in the JSON)` : ''}. Synthetic values only.\n`);
    out.push('| page seed | form | field | kind | detail | what happened |\n|---|---|---|---|---|---|');
    for (const e of shown) out.push(`| ${e.seed} | ${e.form} | ${e.key} | ${e.kind} | ${e.detail} | ${e.note.replace(/\|/g, '\\|')} |`);
  }
  return `${out.join('\n')}\n`;
}
