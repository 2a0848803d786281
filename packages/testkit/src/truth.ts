/**
 * Ground truth for one synthetic page: what was really written and marked, what a careful person
 * would query, and what happened to the page on the way. JSON-serialisable; `schema` versions it.
 */
import type { RectPx } from '@nexession/reader';
import type { Affine } from './fax/affine.ts';
import type { Profile } from './fax/profile.ts';
import type { MarkKind } from './fill/marks.ts';

export const TRUTH_SCHEMA = 'nexession-testkit-truth/1';

export interface CheckboxTruth {
  kind: 'checkbox';
  /** What the page shows: the state a careful person reads from this image. */
  state: 'marked' | 'empty';
  /** What the writer meant (differs when a mark was crossed out or lost on the line). */
  intended: 'marked' | 'empty';
  /** Set when a careful person would query this box; the reader must flag it. */
  ambiguous?: string;
  mark: MarkKind;
  /** Share of the mark's own ink inside the box that survived transmission (0..1); null with no mark. */
  visibleInk: number | null;
  /** The box's interior on the output image (px of the file as written). */
  regionPx: RectPx;
}

export interface TextTruth {
  kind: 'text';
  /** Exactly the text drawn; null when the field was left blank. */
  value: string | null;
  /** How to compare: `exact` (whitespace runs count as one space) or `no_spaces` (comb fields). */
  compare: 'exact' | 'no_spaces';
  style: 'typed' | 'hand' | null;
  font: string | null;
  sizePt: number | null;
  /** Set when a careful person could not read it from this image (e.g. cut off the page). */
  ambiguous?: string;
  textType: string;
  regionPx: RectPx;
}

export type FieldTruth = CheckboxTruth | TextTruth;

export interface PageTruth {
  schema: typeof TRUTH_SCHEMA;
  /** The form filled: a built-in form id or "ontario-2010". */
  form: string;
  templateId: string;
  templateVersion: number;
  /** 0-based page of the template. */
  templatePage: number;
  seed: string;
  patientId: string;
  pageStyle: 'typed' | 'hand' | 'mixed';
  stat: boolean;
  output: {
    format: string;
    compression: string;
    widthPx: number;
    heightPx: number;
    xDpi: number;
    yDpi: number;
    bilevel: boolean;
  };
  /** The degradations applied, as tags (for grouping) and as the full profile (for reproduction). */
  degradations: string[];
  profile: Profile;
  /** Template mm → output px, as the simulator placed the page. */
  transform: Affine;
  fields: Record<string, FieldTruth>;
}
