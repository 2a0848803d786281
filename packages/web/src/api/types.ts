/**
 * The HTTP contract as the workstation sees it: a transcription of docs/api.md.
 * Changing this file means changing docs/api.md (and the server) in the same commit.
 */

export type Role = 'reviewer' | 'lead_reviewer' | 'admin' | 'auditor';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
}

export interface Me {
  user: SessionUser;
  csrf: string;
  idleTimeoutSeconds: number;
  idleWarningSeconds: number;
  /** Seconds left before the server's idle logoff, as of this answer. */
  idleRemainingSeconds?: number;
  /** The session's open break-glass (emergency access), or null. */
  breakGlass?: BreakGlassActive | null;
  /** The time box offered when opening break-glass (minutes). */
  breakGlassMinutes?: { default: number; max: number };
}

// --- break-glass ----------------------------------------------------------------------------------

export interface BreakGlassActive {
  id: string;
  openedAt: string;
  expiresAt: string;
  /** As of the answer that carried it. */
  remainingSeconds: number;
}

export type BreakGlassStatus = 'active' | 'ended' | 'expired' | 'session_ended';

export interface BreakGlassAccess {
  seq: number;
  at: string;
  action: string;
  objectType: string;
  objectId: string;
  field?: string;
}

export interface BreakGlassReport {
  id: string;
  user: { id: string; username: string; displayName: string; roles: Role[] };
  reason: string;
  openedAt: string;
  expiresAt: string;
  endedAt: string | null;
  status: BreakGlassStatus;
  accesses: BreakGlassAccess[];
  requisitions: string[];
  review: { by: string; at: string; note: string | null } | null;
}

export interface SetupInfo {
  valid: boolean;
  kind: 'first_admin' | 'invite' | null;
  /** The password step was already done with this link: going on issues a new TOTP secret. */
  started?: boolean;
}

export interface SetupPasswordAnswer {
  totp: TotpEnrolment;
  /** An earlier secret from this link no longer works: the person removes it from their app. */
  replacesEarlierSecret?: boolean;
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

export type Priority = 'stat' | 'routine';

export type RequisitionState =
  | 'reading'
  | 'ready_for_review'
  | 'in_review'
  | 'released'
  | 'delivered'
  | 'delivery_failed'
  | 'escalated'
  | 'rejected';

export interface QueueItem {
  id: string;
  priority: Priority;
  state: RequisitionState | string;
  receivedAt: string;
  waitingSeconds: number;
  pageCount: number;
  form: string | null;
  assignee: string | null;
  flaggedFields: number;
  /** The STAT box could not be read with certainty: a person decides on the review screen. */
  priorityUnsure?: boolean;
  /** The page was not recognised: a person says which form it is, then types its fields. */
  needsClassification?: boolean;
  /** Why it was escalated (a lead reviewer's queue only). */
  escalation?: Escalation;
}

export interface Escalation {
  by: string;
  at: string | null;
  /** The escalating person's words; null when they can no longer be read. */
  reason: string | null;
}

/** checkbox: boolean; text: string; null: blank. */
export type FieldValue = string | boolean | null;

export type ReviewState = 'unreviewed' | 'confirmed' | 'corrected' | 'absent_on_source';

export type ReviewAction = 'confirm' | 'correct' | 'absent_on_source';

export interface Flag {
  code: string;
  message: string;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface CheckboxNumbers {
  state: 'marked' | 'empty' | 'review';
  ratio: number;
  score: number;
  low: number;
  high: number;
  filled: number;
  dark: number;
  total: number;
}

export interface ReviewField {
  key: string;
  label: string;
  section: string;
  order: number;
  kind: 'checkbox' | 'text' | 'barcode';
  role: string;
  test?: { code: string; name: string };
  page: number;
  region: Rect;
  machineValue: FieldValue;
  value: FieldValue;
  confidence: number | null;
  checkbox?: CheckboxNumbers;
  flags: Flag[];
  review: { state: ReviewState; by?: string; at?: string; before?: FieldValue; after?: FieldValue };
}

export interface ValidationRule {
  citation: string;
  title: string;
  passed: boolean;
  message: string;
}

export interface Validation {
  passed: boolean;
  rules: ValidationRule[];
}

/** Which identifiers a person compared with the page. */
export type IdentifierKind = 'name' | 'dob' | 'sex' | 'mrn' | 'health_number' | 'address' | 'phone';

export interface Identity {
  confirmedBy: string;
  confirmedAt: string | null;
  identifiers: string[];
  /** False when a patient field changed after the confirmation: it must be confirmed again. */
  current?: boolean;
  /** Warnings recorded with the confirmation. */
  warnings?: IdentityWarning[];
}

/**
 * `danger`: a real wrong-patient risk, shown in red. `caution`: compare with the page once more
 * (fields corrected by hand, confirmed despite a flag), shown plainly.
 */
export interface IdentityWarning {
  code: string;
  message: string;
  severity: 'danger' | 'caution';
}

export interface PageInfo {
  index: number;
  width: number;
  height: number;
  dpi: number;
  flags: Flag[];
}

export interface Requisition {
  id: string;
  state: RequisitionState | string;
  priority: Priority;
  receivedAt: string;
  documentId: string;
  documentSha256: string;
  form: { id: string; version: number; name: string } | null;
  priorityUnsure?: boolean;
  needsClassification?: boolean;
  /** Who holds it (user name), if anyone. */
  assignee?: string | null;
  pages: PageInfo[];
  fields: ReviewField[];
  identity: Identity | null;
  identityWarnings: IdentityWarning[];
  validation: Validation;
  releaseBlockers: string[];
  release?: Release | null;
  escalation?: Escalation | null;
  delivery: Delivery | null;
}

export interface Release {
  by: string;
  at: string;
  /** Our order number (ORC-4). */
  placerOrderNumber: string | null;
}

export interface Delivery {
  id?: string;
  state: string;
  ackCode: string | null;
  /** The LIS's own order number, from its acknowledgement, once it arrives. */
  lisOrderNumber: string | null;
  controlId: string;
}

/** Where a requisition stands, without PHI (any role): what a released one shows when opened again. */
export interface RequisitionSummary {
  id: string;
  state: RequisitionState | string;
  priority: Priority;
  receivedAt: string;
  form: { id: string; version: number; name: string } | null;
  assignee: string | null;
  release: Release | null;
  delivery: Delivery | null;
}

export interface ReviewAnswer {
  field: ReviewField;
  validation: Validation;
  releaseBlockers: string[];
  /** Identity warnings as they stand after this change (before the identity step). */
  identityWarnings?: IdentityWarning[];
}

export interface IdentityAnswer {
  identity: Identity;
  identityWarnings?: IdentityWarning[];
  validation?: Validation;
  releaseBlockers: string[];
}

export interface ReleaseAnswer {
  state: 'released';
  placerOrderNumber?: string;
  delivery: { id: string; state: string };
}

// --- administration ---------------------------------------------------------------------------

export type UserStatus = 'invited' | 'enrolling' | 'active' | 'disabled';

export interface AdminUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  status: UserStatus;
  lastLoginAt?: string | null;
}

export interface TemplateSummary {
  id: string;
  version: number;
  name: string;
  status?: 'draft' | 'published' | 'retired';
  source?: 'builtin' | 'upload';
  active: boolean;
  usedBy: number;
  createdAt?: string;
}

/**
 * The proposal the server returns for an uploaded template: a LabForm (packages/forms/src/types.ts),
 * of which the workstation reads only this much. Regions are millimetres on the blank form.
 */
export interface ProposalForm {
  template: {
    id: string;
    version: number;
    name: string;
    pages: {
      widthMm: number;
      heightMm: number;
      fields: { key: string; label: string; kind: 'checkbox' | 'text' | 'barcode'; region: Rect }[];
    }[];
  };
  meanings: Record<string, { role: string; value?: string; test?: { code: string; name: string } } | undefined>;
  reviewOrder: string[];
}

export interface TemplateUploadAnswer {
  id: string;
  version: number;
  proposal: ProposalForm;
  /** Problems found in the proposal, in words (regions off the page, fields without meaning...). */
  problems: string[];
}

export type LisProfile = 'OML_O21' | 'ORM_O01';

export interface LisSettings {
  host: string;
  port: number;
  profile: LisProfile;
  tls: boolean;
}

export interface QuarantineItem {
  id: string;
  receivedAt: string;
  sha256: string;
  /** quarantined: refused by screening; read_failed: accepted but could not be read. */
  status?: 'quarantined' | 'read_failed';
  reason: string;
  format?: string | null;
  bytes?: number | null;
  source?: string | null;
}

// --- deliveries a person decides about --------------------------------------------------------------

export interface DeliverySummary {
  id: string;
  requisitionId: string;
  state: string;
  stateReason: string | null;
  controlId: string;
  profile: LisProfile;
  ackCode: string | null;
  lisOrderNumber: string | null;
  attempts: number;
  resendCount: number;
  resolution: 'resent' | 'marked_received' | null;
  payloadSha256: string;
  createdAt: string;
  updatedAt: string;
  ackedAt: string | null;
  needsPerson: boolean;
}

export interface DeliveryEvent {
  at: string;
  attempt: number | null;
  kind: string;
  reason: string | null;
  ackCode: string | null;
  actor: string;
  details: Record<string, unknown>;
}

// --- audit --------------------------------------------------------------------------------------

export interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  actorType?: 'user' | 'service' | 'anonymous';
  action: string;
  objectType: string;
  objectId: string | null;
  field?: string | null;
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown> | null;
  requestId: string | null;
  sourceIp: string | null;
  /** Made under break-glass: its id. */
  breakGlassId?: string;
  prevHash?: string;
  hash: string;
}

export interface AuditVerify {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
}
