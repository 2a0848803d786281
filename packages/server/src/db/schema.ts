/**
 * Kysely row types for the core tables (migrations 001-049). The delivery area declares its own
 * tables in `src/delivery/tables.ts`; `Database` is the union the application queries.
 * Columns are named as in SQL. Sealed (encrypted) columns are `Buffer`.
 */
import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { DeliveryTables } from '../delivery/tables.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TimestampNullable = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type JsonDefault<T> = ColumnType<T, string | undefined, string>;
type JsonNullable<T> = ColumnType<T | null, string | null | undefined, string | null>;

export type Role = 'reviewer' | 'lead_reviewer' | 'admin' | 'auditor';
export const ROLES: readonly Role[] = ['reviewer', 'lead_reviewer', 'admin', 'auditor'];

export interface DataKeysTable {
  id: Generated<string>;
  kek_version: number;
  wrapped: Buffer;
  purpose: 'system' | 'document' | 'template';
  created_at: Generated<Date>;
  destroyed_at: TimestampNullable;
}

export type UserStatus = 'invited' | 'enrolling' | 'active' | 'disabled';

export interface UsersTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  roles: Role[];
  status: UserStatus;
  password_hash: string | null;
  totp_secret: Buffer | null;
  totp_last_step: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  failed_logins: Generated<number>;
  locked_until: TimestampNullable;
  is_demo: Generated<boolean>;
  created_at: Generated<Date>;
  created_by: string | null;
}

export interface SetupTokensTable {
  id: Generated<string>;
  token_hash: Buffer;
  kind: 'first_admin' | 'invite';
  user_id: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: TimestampNullable;
}

export interface SessionsTable {
  id: Generated<string>;
  token_hash: Buffer;
  user_id: string;
  stage: 'password' | 'full';
  csrf: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  mfa_verified_at: TimestampNullable;
  ended_at: TimestampNullable;
  end_reason: string | null;
  source_ip: string | null;
}

export interface AuditEventsTable {
  /** Set by the database trigger; whatever is inserted is overwritten. */
  seq: ColumnType<string, never, never>;
  at: ColumnType<Date, never, never>;
  actor_type: 'user' | 'service' | 'anonymous';
  actor_id: string;
  session_id: string | null;
  action: string;
  object_type: string;
  object_id: string;
  field: string | null;
  before: Buffer | null;
  after: Buffer | null;
  request_id: string | null;
  source_ip: string | null;
  details: string | null;
  /** The break-glass this event was made under (the database fills it in for an open one). */
  break_glass_id: ColumnType<string | null, string | null | undefined, never>;
  prev_hash: ColumnType<string, never, never>;
  hash: ColumnType<string, never, never>;
}

export interface AppSettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Generated<Date>;
}

export type DocumentStatus = 'accepted' | 'quarantined' | 'read' | 'read_failed';
export type DocumentFormat = 'pdf' | 'tiff' | 'png' | 'jpeg' | 'unknown';

export interface DocumentsTable {
  id: Generated<string>;
  received_at: Generated<Date>;
  source: 'upload' | 'inbox';
  source_name: Buffer | null;
  submitted_by: string | null;
  sha256: string;
  size_bytes: ColumnType<string, number | string, number | string>;
  format: DocumentFormat;
  page_count: number | null;
  status: DocumentStatus;
  quarantine_reason: string | null;
  screening: JsonDefault<Record<string, unknown>>;
  data_key_id: string;
  blob_key: string;
  duplicate_of: string | null;
  intake_key: string | null;
  read_error: string | null;
}

export interface DocumentPagesTable {
  document_id: string;
  page_index: number;
  width: number;
  height: number;
  dpi: number;
  blob_key: string;
  source: Json<unknown>;
  orientation: Json<unknown>;
  classification: Json<unknown>;
  registration: JsonNullable<unknown>;
  gates: JsonDefault<unknown>;
  flags: JsonDefault<unknown>;
}

export interface TemplatesTable {
  id: string;
  version: number;
  name: string;
  form: Json<unknown>;
  source: 'builtin' | 'upload';
  status: 'draft' | 'published' | 'retired';
  blank_blob_key: string | null;
  blank_data_key_id: string | null;
  blank_sha256: string | null;
  blank_format: string | null;
  created_at: Generated<Date>;
  created_by: string | null;
  published_at: TimestampNullable;
  published_by: string | null;
}

export type RequisitionState =
  | 'reading'
  | 'ready_for_review'
  | 'in_review'
  | 'released'
  | 'delivered'
  | 'delivery_failed'
  | 'escalated'
  | 'rejected';

export interface RequisitionsTable {
  id: Generated<string>;
  document_id: string;
  pages: number[];
  template_id: string | null;
  template_version: number | null;
  state: RequisitionState;
  priority: 'stat' | 'routine';
  priority_unsure: Generated<boolean>;
  needs_classification: Generated<boolean>;
  received_at: Timestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  assignee: string | null;
  claimed_at: TimestampNullable;
  field_revision: ColumnType<number, never, never>;
  identity_fields_revision: ColumnType<number, never, never>;
  identity_confirmed_by: string | null;
  identity_confirmed_at: TimestampNullable;
  identity_session_id: string | null;
  identity_identifiers: string[] | null;
  identity_revision: number | null;
  identity_warnings: JsonDefault<{ code: string; message: string; severity?: 'danger' | 'caution' }[]>;
  validation_passed: boolean | null;
  validation_revision: number | null;
  validation: JsonNullable<unknown>;
  released_by: string | null;
  released_at: TimestampNullable;
  released_session_id: string | null;
  escalated_by: string | null;
  escalated_reason: Buffer | null;
  placer_order_number: string | null;
  control_id: string | null;
}

export type ReviewState = 'unreviewed' | 'confirmed' | 'corrected' | 'absent_on_source';

export interface RequisitionFieldsTable {
  requisition_id: string;
  key: string;
  label: string;
  section: string;
  ord: number;
  kind: 'checkbox' | 'text' | 'barcode';
  role: string;
  meaning: Json<unknown>;
  page: number;
  region: Json<{ x: number; y: number; w: number; h: number }>;
  method: 'checkbox' | 'ocr' | 'barcode' | 'manual';
  machine_value: Buffer | null;
  value: Buffer | null;
  confidence: number | null;
  checkbox: JsonNullable<unknown>;
  evidence: Buffer | null;
  flags: Buffer | null;
  flag_count: Generated<number>;
  review_state: Generated<ReviewState>;
  reviewed_by: string | null;
  reviewed_at: TimestampNullable;
  reviewed_session_id: string | null;
  flags_acknowledged: Generated<boolean>;
}

export type BreakGlassEndReason = 'ended' | 'expired' | 'session_ended';

export interface BreakGlassTable {
  id: Generated<string>;
  user_id: string;
  session_id: string;
  /** Sealed with the system data key. */
  reason: Buffer;
  opened_at: Timestamp;
  expires_at: Timestamp;
  ended_at: TimestampNullable;
  end_reason: BreakGlassEndReason | null;
  reviewed_by: string | null;
  reviewed_at: TimestampNullable;
  reviewed_session_id: string | null;
  review_note: Buffer | null;
}

export interface CoreTables {
  data_keys: DataKeysTable;
  users: UsersTable;
  setup_tokens: SetupTokensTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  app_settings: AppSettingsTable;
  documents: DocumentsTable;
  document_pages: DocumentPagesTable;
  templates: TemplatesTable;
  requisitions: RequisitionsTable;
  requisition_fields: RequisitionFieldsTable;
  break_glass: BreakGlassTable;
}

/** The whole application database: the core tables and the delivery area's (migration 050). */
export type Database = CoreTables & DeliveryTables;
export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Either the pool or a transaction: functions that take this run inside whatever they are given. */
export type Executor = Kysely<Database>;

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type DocumentRow = Selectable<DocumentsTable>;
export type RequisitionRow = Selectable<RequisitionsTable>;
export type RequisitionFieldRow = Selectable<RequisitionFieldsTable>;
export type NewRequisitionField = Insertable<RequisitionFieldsTable>;
export type RequisitionUpdate = Updateable<RequisitionsTable>;
