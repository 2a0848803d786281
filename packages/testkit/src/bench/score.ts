/**
 * Scores a reader's page against the ground truth. The figure that matters most is the silent
 * error: a value the reader decided on its own (no flag on the field, none on the page) that is
 * wrong. A flagged value goes to a person with a reason, so it is review burden, not an error.
 * A truth marked `ambiguous` (a careful person would query it) is right only when flagged.
 */
import type { CheckboxReading, FieldReading, PageReading, TextReading } from '@nexession/reader';
import type { CheckboxTruth, FieldTruth, PageTruth, TextTruth } from '../truth.ts';

export type FieldKind = 'checkbox' | 'text-typed' | 'text-hand' | 'text-blank';

export type Outcome =
  /** Decided by the machine, and right. */
  | 'correct'
  /** Sent to a person (field flag, review state, page flag, or not read at all). */
  | 'flagged'
  /** Decided by the machine, and wrong (or an ambiguous mark decided without a flag). */
  | 'silent_error';

export interface FieldScore {
  key: string;
  kind: FieldKind;
  /** Text type of text fields; mark kind of checkboxes. */
  detail: string;
  outcome: Outcome;
  ambiguous: boolean;
  /** Whether the machine value (flagged or not) equals the truth; null for ambiguous truths. */
  valueRight: boolean | null;
  /** Why it was flagged (codes), or what was wrong, for the error list. */
  note?: string;
}

export interface PageScore {
  form: string;
  seed: string;
  degradations: string[];
  pageFlagged: boolean;
  pageFlagCodes: string[];
  classification: 'right' | 'unrecognised' | 'wrong_template';
  fields: FieldScore[];
}

/** Whitespace runs as one space; comb fields compare without any whitespace. */
export function normaliseText(s: string | null | undefined, compare: TextTruth['compare']): string {
  const t = (s ?? '').normalize('NFC').trim();
  return compare === 'no_spaces' ? t.replace(/\s+/g, '') : t.replace(/\s+/g, ' ');
}

export function fieldKind(t: FieldTruth): FieldKind {
  if (t.kind === 'checkbox') return 'checkbox';
  return t.style === 'typed' ? 'text-typed' : t.style === 'hand' ? 'text-hand' : 'text-blank';
}

export function scorePage(truth: PageTruth, reading: PageReading | null): PageScore {
  const gatesFailed = reading?.gates.filter((g) => !g.passed).map((g) => `gate:${g.code}`) ?? [];
  const pageFlagCodes = reading ? [...reading.flags.map((f) => f.code), ...gatesFailed] : ['no_reading'];
  const pageFlagged = pageFlagCodes.length > 0;
  const cls = reading?.classification;
  const classification: PageScore['classification'] =
    !cls || cls.kind === 'unrecognised' ? 'unrecognised' : cls.templateId === truth.templateId && cls.page === truth.templatePage ? 'right' : 'wrong_template';
  const byKey = new Map<string, FieldReading>((reading?.fields ?? []).map((f) => [f.key, f]));
  const fields: FieldScore[] = Object.entries(truth.fields).map(([key, t]) => {
    const r = classification === 'right' ? byKey.get(key) : undefined;
    return scoreField(key, t, r, { pageFlagged: pageFlagged || classification === 'unrecognised', wrongTemplate: classification === 'wrong_template' });
  });
  return { form: truth.form, seed: truth.seed, degradations: truth.degradations, pageFlagged, pageFlagCodes, classification, fields };
}

interface PageContext {
  pageFlagged: boolean;
  /** The page was taken for another form: whatever was read for this key is not this field. */
  wrongTemplate: boolean;
}

export function scoreField(key: string, t: FieldTruth, r: FieldReading | undefined, page: PageContext): FieldScore {
  const kind = fieldKind(t);
  const ambiguous = t.ambiguous !== undefined;
  const base = { key, kind, detail: t.kind === 'checkbox' ? t.mark : t.textType, ambiguous };
  if (page.wrongTemplate) {
    return page.pageFlagged
      ? { ...base, outcome: 'flagged', valueRight: null, note: 'page flagged (wrong template)' }
      : { ...base, outcome: 'silent_error', valueRight: false, note: 'page taken for another template, unflagged' };
  }
  if (!r) return { ...base, outcome: 'flagged', valueRight: null, note: page.pageFlagged ? 'page flagged' : 'not read' };
  if (t.kind === 'checkbox') return scoreCheckbox(base, t, r, page);
  return scoreText(base, t, r, page);
}

function scoreCheckbox(base: Omit<FieldScore, 'outcome' | 'valueRight'>, t: CheckboxTruth, r: FieldReading, page: PageContext): FieldScore {
  if (r.kind !== 'checkbox') return { ...base, outcome: 'flagged', valueRight: null, note: `read as ${r.kind}` };
  const c = r as CheckboxReading;
  const flagged = page.pageFlagged || c.state === 'review' || c.flags.length > 0;
  const valueRight = base.ambiguous || c.state === 'review' ? null : (c.state === 'marked') === (t.state === 'marked');
  if (flagged) return { ...base, outcome: 'flagged', valueRight, note: flagNote(c, page) };
  if (base.ambiguous) return { ...base, outcome: 'silent_error', valueRight, note: `ambiguous (${t.ambiguous}) decided as ${c.state} without a flag` };
  return valueRight
    ? { ...base, outcome: 'correct', valueRight }
    : { ...base, outcome: 'silent_error', valueRight, note: `read ${c.state}, truth ${t.state} (score ${c.evidence.score.toFixed(3)})` };
}

function scoreText(base: Omit<FieldScore, 'outcome' | 'valueRight'>, t: TextTruth, r: FieldReading, page: PageContext): FieldScore {
  if (r.kind !== 'text') return { ...base, outcome: 'flagged', valueRight: null, note: `read as ${r.kind}` };
  const tr = r as TextReading;
  const flagged = page.pageFlagged || tr.flags.length > 0;
  const read = normaliseText(tr.text, t.compare);
  const truth = normaliseText(t.value, t.compare);
  const valueRight = base.ambiguous ? null : read === truth;
  if (flagged) return { ...base, outcome: 'flagged', valueRight, note: flagNote(tr, page) };
  if (base.ambiguous) return { ...base, outcome: 'silent_error', valueRight, note: `ambiguous (${t.ambiguous}) read without a flag` };
  return valueRight ? { ...base, outcome: 'correct', valueRight } : { ...base, outcome: 'silent_error', valueRight, note: `read ${JSON.stringify(read)}, truth ${JSON.stringify(truth)}` };
}

function flagNote(r: FieldReading, page: PageContext): string {
  const codes = r.flags.map((f) => f.code);
  if (r.kind === 'checkbox' && r.state === 'review' && codes.length === 0) codes.push('review');
  if (page.pageFlagged) codes.push('page');
  return codes.join(',');
}

// ---------------------------------------------------------------------------------------------
// Aggregation

export interface Tally {
  fields: number;
  autoDecided: number;
  correct: number;
  silentErrors: number;
  flagged: number;
  /** Machine value right, flagged or not (ambiguous truths excluded). */
  valueRight: number;
  valueJudged: number;
  ambiguous: number;
  ambiguousFlagged: number;
  /** Flags on fields a careful person would not have queried: the reader's own review burden. */
  flaggedUnambiguous: number;
}

export const emptyTally = (): Tally => ({ fields: 0, autoDecided: 0, correct: 0, silentErrors: 0, flagged: 0, valueRight: 0, valueJudged: 0, ambiguous: 0, ambiguousFlagged: 0, flaggedUnambiguous: 0 });

export function add(t: Tally, f: FieldScore): void {
  t.fields++;
  if (f.outcome === 'flagged') t.flagged++;
  else {
    t.autoDecided++;
    if (f.outcome === 'correct') t.correct++;
    else t.silentErrors++;
  }
  if (f.valueRight !== null) {
    t.valueJudged++;
    if (f.valueRight) t.valueRight++;
  }
  if (f.ambiguous) {
    t.ambiguous++;
    if (f.outcome === 'flagged') t.ambiguousFlagged++;
  } else if (f.outcome === 'flagged') t.flaggedUnambiguous++;
}

export interface Rates {
  /** Correct among the values the machine decided alone. */
  autoAccuracy: number | null;
  /** Silent errors among all fields. */
  silentErrorRate: number | null;
  flagRate: number | null;
  /** Flags among the fields a careful person would not query (ambiguous truths left out). */
  needlessFlagRate: number | null;
  /** Machine value equal to the truth, flagged or not. */
  exactRate: number | null;
}

export function rates(t: Tally): Rates {
  const r = (a: number, b: number) => (b === 0 ? null : a / b);
  return { autoAccuracy: r(t.correct, t.autoDecided), silentErrorRate: r(t.silentErrors, t.fields), flagRate: r(t.flagged, t.fields), needlessFlagRate: r(t.flaggedUnambiguous, t.fields - t.ambiguous), exactRate: r(t.valueRight, t.valueJudged) };
}

/** Tallies grouped by a key function (a field may fall in several groups, e.g. one per degradation). */
export function tallyBy(pages: PageScore[], keys: (p: PageScore, f: FieldScore) => string[]): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const p of pages) {
    for (const f of p.fields) {
      for (const k of keys(p, f)) {
        let t = out.get(k);
        if (!t) {
          t = emptyTally();
          out.set(k, t);
        }
        add(t, f);
      }
    }
  }
  return out;
}
