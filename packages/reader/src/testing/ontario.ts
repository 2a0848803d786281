/** The Ontario 2010 template, built once per test file from the real blank and OSCAR map. */
import fs from 'node:fs';
import { templateFromOscarMap } from '../template/fromOscarMap.ts';
import type { TemplateDefinition } from '../types.ts';
import { ONTARIO, readBytes } from './realdata.ts';

let cached: Promise<TemplateDefinition> | null = null;

export function ontarioTemplate(): Promise<TemplateDefinition> {
  cached ??= templateFromOscarMap(fs.readFileSync(ONTARIO.map, 'utf8'), readBytes(ONTARIO.pdf), { id: 'ontario-2010', version: 1, name: 'Ontario Laboratory Requisition 4422-84 (2010/09)' });
  return cached;
}

/** Boxes on the Ontario form that are drawn squares; every other tick anchor is an "x"-column cell. */
export const ONTARIO_SQUARES = [
  'ohip', 'thirdParty', 'wcb', 'copy2clinician', 'male', 'female', 'b_glucose_random', 'b_glucose_fasting',
  'v_immune_HepatitisA', 'v_immune_HepatitisB', 'v_immune_HepatitisC', 'psa_total', 'psa_free', 'psa_insured',
  'psa_uninsured', 'vitd_insured', 'vitd_uninsured', 'fobt_nonCCC', 'fobt_CCC',
];
