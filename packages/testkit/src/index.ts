export { demoFaxOptions, makeDemoFaxes, makeFaxedRequisition, planRequisition, type FaxedRequisition, type MakeRequisitionOptions, type PlannedRequisition } from './make.ts';
export type { FillPlan } from './fill/content.ts';
export { FORM_IDS, type FormId, loadFormSource, realdataDir } from './forms/sources.ts';
export { CHANNELS, OUTPUT_FORMATS, type Channel, type OutputFormat, type Profile, type Severity } from './fax/profile.ts';
export { MARK_KINDS, MARK_MEANING, type MarkKind } from './fill/marks.ts';
export { makePatient, type SyntheticPatient, type PatientOverrides } from './patients/patient.ts';
export { isValidNpi, npiCheckDigit } from './patients/npi.ts';
export { Rng } from './random.ts';
export type * from './truth.ts';
