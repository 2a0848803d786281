import { describe, expect, it } from 'vitest';
import { buildReport, reportMarkdown } from './report.ts';
import type { BenchRun } from './run.ts';
import type { FieldScore, PageScore } from './score.ts';

const f = (key: string, kind: FieldScore['kind'], outcome: FieldScore['outcome'], valueRight: boolean | null = outcome === 'correct'): FieldScore => ({ key, kind, detail: kind === 'checkbox' ? 'tick' : 'name', outcome, ambiguous: false, valueRight, ...(outcome === 'silent_error' ? { note: 'read "x", truth "y"' } : {}) });

function run(fields: FieldScore[], readerMs: number, peerMs: number): BenchRun {
  const page: PageScore = { form: 'demo-outreach', seed: 's-0', degradations: ['channel:fax-fine'], pageFlagged: false, pageFlagCodes: [], classification: 'right', fields };
  const timing = (ms: number) => ({ pages: 1, p50Ms: ms, p95Ms: ms, meanMs: ms, wallSeconds: ms / 1000, pagesPerSecond: 1000 / ms, concurrency: 1 });
  return {
    options: { pages: 1, seed: 's', name: 'unit', command: 'npm run bench:accuracy -- --pages 1 --seed s', peer: true },
    set: { hash: 'h', dir: '/tmp/x', generatedSeconds: 1, pagesByForm: { 'demo-outreach': 1 }, pagesByTag: { 'channel:fax-fine': 1 } },
    reader: { available: true, commit: 'abc1234', dirty: false, threads: 2, warmupPages: 1, timing: timing(readerMs), failures: [] },
    scores: [page],
    pageMs: [readerMs],
    peer: { installed: true, version: 'tesseract 5', timing: timing(peerMs), readerOnSamePages: timing(readerMs), convertedPdfs: 0, values: [{ kind: 'text-typed', total: 2, found: 1 }] },
    machine: { cpus: 2, model: 'test', node: 'v24', loadBefore: 1, loadAfter: 1 },
  };
}

describe('benchmark report', () => {
  it('says plainly which targets are missed, and lists the silent errors', () => {
    const r = buildReport(run([f('a', 'checkbox', 'correct'), f('b', 'checkbox', 'silent_error', false), f('n', 'text-typed', 'correct'), f('m', 'text-hand', 'flagged', null)], 400, 700), new Date('2025-01-01'));
    const byTarget = Object.fromEntries(r.targets.map((t) => [t.target, t.met]));
    expect(byTarget['Checkboxes: 0 silent errors']).toBe(false);
    expect(byTarget['Typed text: silent errors at most 0.5 %']).toBe(true);
    expect(byTarget['Median reading time at most 0.3 s per page per core']).toBe(false);
    expect(byTarget['At least 3 times faster than the full-page peer (median per page)']).toBe(false);
    expect(r.peer.timeRatioP50).toBeCloseTo(1.75);
    expect(r.silentErrors).toEqual([{ seed: 's-0', form: 'demo-outreach', key: 'b', kind: 'checkbox', detail: 'tick', note: 'read "x", truth "y"' }]);
    const md = reportMarkdown(r);
    expect(md).toContain('| Checkboxes: 0 silent errors | 1 of 2 | **NO** |');
    expect(md).toContain('**Missed: ');
    expect(md).toContain('npm run bench:accuracy -- --pages 1 --seed s');
    // Reading time per degradation group.
    expect(r.byDegradation[0]).toMatchObject({ group: 'channel:fax-fine', pages: 1, readP50Ms: 400 });
    expect(md).toContain('| channel:fax-fine | 1 | 0.40 s | 0.40 s |');
  });

  it('meets the targets when everything is right and fast', () => {
    const r = buildReport(run([f('a', 'checkbox', 'correct'), f('n', 'text-typed', 'correct'), f('h', 'text-hand', 'correct')], 200, 700), new Date('2025-01-01'));
    expect(r.targets.every((t) => t.met === true)).toBe(true);
    expect(reportMarkdown(r)).not.toContain('**Missed');
  });
});
