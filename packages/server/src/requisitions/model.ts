/**
 * A requisition as loaded for review: its row, its fields opened (values are PHI, opened only
 * here, inside an audited request), the form, and what follows from them (validation, blockers).
 */
import type { Flag } from '@nexession/reader';
import type { LabFieldMeaning, LabForm } from '@nexession/forms';
import type { AppContext } from '../context.ts';
import type { Executor, RequisitionFieldRow, RequisitionRow, ReviewState } from '../db/schema.ts';
import { labFormOf } from '../templates/store.ts';
import { Extract } from './extract.ts';
import type { CheckboxNumbers, FieldValue } from './fields.ts';
import { DEFAULT_POLICY, validate, type Validation, type ValidationPolicy } from './validation/rules.ts';
import { openField } from './values.ts';

export interface LoadedField {
  row: RequisitionFieldRow;
  machineValue: FieldValue;
  /** The person's value once reviewed; null before. */
  value: FieldValue;
  flags: Flag[];
  meaning: LabFieldMeaning;
}

export interface Loaded {
  req: RequisitionRow;
  dataKeyId: string;
  documentSha256: string;
  form: { name: string; labForm: LabForm } | null;
  fields: LoadedField[];
}

export async function loadRequisition(ctx: AppContext, db: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<Loaded | null> {
  let q = db.selectFrom('requisitions').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const req = await q.executeTakeFirst();
  if (!req) return null;
  const doc = await db.selectFrom('documents').select(['data_key_id', 'sha256']).where('id', '=', req.document_id).executeTakeFirstOrThrow();
  const rows = await db.selectFrom('requisition_fields').selectAll().where('requisition_id', '=', id).orderBy('ord').execute();
  const fields: LoadedField[] = [];
  for (const row of rows) {
    fields.push({
      row,
      machineValue: await openField<FieldValue>(ctx, row.machine_value, id, row.key, 'machine', db),
      value: await openField<FieldValue>(ctx, row.value, id, row.key, 'value', db),
      flags: (await openField<Flag[]>(ctx, row.flags, id, row.key, 'flags', db)) ?? [],
      meaning: row.meaning as LabFieldMeaning,
    });
  }
  const form = req.template_id && req.template_version ? await labFormOf(db, req.template_id, req.template_version) : null;
  return { req, dataKeyId: doc.data_key_id, documentSha256: doc.sha256, form, fields };
}

export function effectiveValue(f: LoadedField): FieldValue {
  return f.row.review_state === 'unreviewed' ? f.machineValue : f.value;
}

export function extractOf(l: Loaded): Extract {
  const views = l.fields.map((f) => ({
    key: f.row.key,
    role: f.row.role,
    kind: f.row.kind,
    meaning: f.meaning,
    value: effectiveValue(f),
    state: f.row.review_state as ReviewState,
  }));
  return l.form ? Extract.fromForm(l.form.labForm, views) : new Extract(views);
}

export async function validationPolicy(db: Executor): Promise<ValidationPolicy> {
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', 'validation_policy').executeTakeFirst();
  return { ...DEFAULT_POLICY, ...((row?.value as Partial<ValidationPolicy>) ?? {}) };
}

export function validationOf(l: Loaded, policy: ValidationPolicy): Validation {
  if (l.fields.length === 0) {
    return { passed: false, rules: [{ citation: '42 CFR 493.1241(c)', title: 'Requisition content', passed: false, message: 'the pages were not recognised as a form: classify them or escalate' }] };
  }
  return validate(extractOf(l), policy);
}

const PATIENT = /^patient\./;

export interface BlockerInput {
  loaded: Loaded;
  validation: Validation;
  lisConfigured: boolean;
}

/** Why release is not possible yet, in words; empty when it is. */
export function releaseBlockers({ loaded, validation, lisConfigured }: BlockerInput): string[] {
  const { req, fields } = loaded;
  const out: string[] = [];
  if (!['ready_for_review', 'in_review'].includes(req.state)) out.push(`requisition is ${req.state.replace(/_/g, ' ')}`);
  if (fields.length === 0) out.push('pages not recognised as a form');
  const unreviewed = fields.filter((f) => f.row.review_state === 'unreviewed').length;
  if (unreviewed > 0) out.push(`${unreviewed} field${unreviewed === 1 ? '' : 's'} not reviewed`);
  if (!req.identity_confirmed_by) out.push('identity not confirmed');
  else if (req.identity_revision !== req.identity_fields_revision) out.push('identity must be confirmed again (patient fields changed)');
  if (!validation.passed) {
    const failed = validation.rules.filter((r) => !r.passed).map((r) => r.citation.replace('42 CFR 493.1241', ''));
    out.push(`validation failed: ${failed.join(', ')}`);
  }
  if (!lisConfigured) out.push('no LIS connection is configured');
  return out;
}

export function identityFieldsReviewed(l: Loaded): boolean {
  return l.fields.filter((f) => PATIENT.test(f.row.role)).every((f) => f.row.review_state !== 'unreviewed');
}

export type { CheckboxNumbers };
