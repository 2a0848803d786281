/**
 * A requisition's whole history, gathered for the auditor's export: the document as received,
 * screening, reading, every field with its crop and evidence, every review action, identity,
 * validation, release, delivery (the exact bytes sent and the ACK), the audit events and the
 * chain check. Gathering opens sealed values (PHI): only the audited export route calls this.
 */
import path from 'node:path';
import type { Flag } from '@nexession/reader';
import type { AppContext } from '../../context.ts';
import { payloadContext } from '../../delivery/outbox/outbox.ts';
import { asDeliveryDb } from '../../delivery/tables.ts';
import { documentContext } from '../../intake/store.ts';
import { notFound } from '../../auth/errors.ts';
import { cropRegion } from '../../requisitions/crop.ts';
import type { FieldValue } from '../../requisitions/fields.ts';
import { loadRequisition, validationOf, validationPolicy } from '../../requisitions/model.ts';
import { pageContext } from '../../requisitions/reading.ts';
import { openField } from '../../requisitions/values.ts';
import type { Validation } from '../../requisitions/validation/rules.ts';
import { checkAnchors } from '../anchors.ts';
import { listAudit, verifyAuditChain, type AuditEventView } from '../audit.ts';

export interface ReviewAction {
  seq: number;
  at: string;
  by: string;
  action: string;
  before: unknown;
  after: unknown;
}

export interface FieldHistory {
  key: string;
  label: string;
  section: string;
  kind: string;
  role: string;
  method: string;
  page: number;
  region: { x: number; y: number; w: number; h: number };
  test: { code: string; name: string } | null;
  machineValue: FieldValue;
  value: FieldValue;
  reviewState: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  confidence: number | null;
  checkbox: Record<string, unknown> | null;
  evidence: unknown;
  flags: Flag[];
  /** PNG of the region with its margin, or null when the page image is gone. */
  crop: Buffer | null;
  reviews: ReviewAction[];
}

export interface PageHistory {
  index: number;
  width: number;
  height: number;
  dpi: number;
  source: unknown;
  orientation: unknown;
  classification: unknown;
  registration: unknown;
  gates: { code: string; passed: boolean; value: number; limit: number; message: string }[];
  flags: Flag[];
}

export interface DeliveryHistory {
  id: string;
  state: string;
  stateReason: string | null;
  profile: string;
  controlId: string;
  placerOrderNumber: string;
  connection: { host: string; port: number; tls: boolean };
  /** The exact bytes stored and sent, or null when they can no longer be opened. */
  payload: Buffer | null;
  payloadSha256: string;
  payloadBytes: number;
  attempts: number;
  resendCount: number;
  ackCode: string | null;
  ackControlId: string | null;
  lisOrderNumber: string | null;
  ackedAt: string | null;
  resolution: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  events: { at: string; attempt: number | null; kind: string; reason: string | null; ackCode: string | null; actor: string }[];
}

export interface RequisitionHistory {
  generatedAt: string;
  generatedBy: string;
  requisition: {
    id: string;
    state: string;
    priority: string;
    priorityUnsure: boolean;
    form: { id: string; version: number; name: string } | null;
    needsClassification: boolean;
    pages: number[];
    createdAt: string;
    placerOrderNumber: string | null;
    controlId: string | null;
    fieldRevision: number;
  };
  document: {
    id: string;
    sha256: string;
    receivedAt: string;
    source: string;
    sourceName: string | null;
    submittedBy: string | null;
    format: string;
    sizeBytes: number;
    pageCount: number | null;
    status: string;
    quarantineReason: string | null;
    readError: string | null;
    screening: Record<string, unknown>;
    duplicateOf: string | null;
  };
  pages: PageHistory[];
  fields: FieldHistory[];
  identity: { by: string; at: string | null; sessionId: string | null; identifiers: string[]; warnings: { code: string; message: string; severity?: 'danger' | 'caution' }[]; current: boolean } | null;
  /** As stored with the release (or last review); `recomputed` is today's evaluation of the same fields. */
  validation: { stored: Validation | null; recomputed: Validation };
  release: { by: string; at: string | null; sessionId: string | null } | null;
  escalatedBy: string | null;
  delivery: DeliveryHistory | null;
  /** Oldest first: the requisition's, its document's and its delivery's events, and break-glass reads of it. */
  audit: AuditEventView[];
  chain: { ok: boolean; checked: number; firstBadSeq?: number; anchorMismatchSeq?: number };
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function gatherHistory(ctx: AppContext, requisitionId: string, generatedBy: string): Promise<RequisitionHistory> {
  const db = ctx.db;
  const l = await loadRequisition(ctx, db, requisitionId);
  if (!l) throw notFound('no such requisition');
  const r = l.req;
  const doc = await db.selectFrom('documents').selectAll().where('id', '=', r.document_id).executeTakeFirstOrThrow();
  const delivery = await asDeliveryDb(db).selectFrom('deliveries').selectAll().where('requisition_id', '=', requisitionId).executeTakeFirst();
  const userIds = [r.identity_confirmed_by, r.released_by, r.escalated_by, doc.submitted_by, delivery?.resolved_by ?? null, ...l.fields.map((f) => f.row.reviewed_by)];
  const names = new Map<string, string>();
  const ids = [...new Set(userIds.filter((x): x is string => !!x))];
  if (ids.length) for (const u of await db.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).execute()) names.set(u.id, u.username);
  const who = (id: string | null) => (id ? (names.get(id) ?? id) : null);

  // The audit trail of the requisition, its document and its delivery, oldest first.
  const objectIds = [requisitionId, doc.id, ...(delivery ? [delivery.id] : [])];
  const audit = await listAudit(db, ctx.vault, { objectIds, ascending: true, limit: 10_000 });

  const pageRows = await db.selectFrom('document_pages').selectAll().where('document_id', '=', doc.id).where('page_index', 'in', r.pages).orderBy('page_index').execute();
  const pageImages = new Map<number, Buffer | null>();
  for (const p of pageRows) {
    try {
      pageImages.set(p.page_index, await ctx.vault.open(db, await ctx.blobs.get(p.blob_key), pageContext(doc.id, p.page_index)));
    } catch {
      pageImages.set(p.page_index, null); // crypto-shredded or missing: said so in the export
    }
  }

  const fields: FieldHistory[] = [];
  for (const f of l.fields) {
    const row = f.row;
    const page = pageRows.find((p) => p.page_index === row.page);
    const png = pageImages.get(row.page) ?? null;
    const crop = page && png ? await cropRegion(png, row.region, page).catch(() => null) : null;
    const reviews = audit
      .filter((e) => e.objectId === requisitionId && e.field === row.key && e.action.startsWith('field.') && !['field.crop', 'field.recompute'].includes(e.action))
      .map((e) => ({ seq: e.seq, at: e.at, by: e.actor, action: e.action, before: e.before, after: e.after }));
    fields.push({
      key: row.key,
      label: row.label,
      section: row.section,
      kind: row.kind,
      role: row.role,
      method: row.method,
      page: row.page,
      region: row.region,
      test: f.meaning.test ? { code: f.meaning.test.code, name: f.meaning.test.name } : null,
      machineValue: f.machineValue,
      value: row.review_state === 'unreviewed' ? null : f.value,
      reviewState: row.review_state,
      reviewedBy: who(row.reviewed_by),
      reviewedAt: iso(row.reviewed_at),
      confidence: row.confidence,
      checkbox: (row.checkbox as Record<string, unknown> | null) ?? null,
      evidence: await openField<unknown>(ctx, row.evidence, requisitionId, row.key, 'evidence', db).catch(() => ({ unreadable: true })),
      flags: f.flags,
      crop,
      reviews,
    });
  }

  let sourceName: string | null = null;
  if (doc.source_name) sourceName = await ctx.vault.openJson<string>(db, doc.source_name, `${documentContext(doc.id)}:name`).catch(() => null);

  let payload: Buffer | null = null;
  if (delivery) payload = await ctx.vault.open(db, delivery.payload, payloadContext(delivery.id)).catch(() => null);
  const deliveryEvents = delivery
    ? await asDeliveryDb(db).selectFrom('delivery_events').selectAll().where('delivery_id', '=', delivery.id).orderBy('id').execute()
    : [];

  const chain = await verifyAuditChain(db);
  const broken = await checkAnchors(db, path.join(ctx.config.varDir, 'audit', 'anchors.jsonl'));
  const policy = await validationPolicy(db);

  return {
    generatedAt: ctx.now().toISOString(),
    generatedBy,
    requisition: {
      id: r.id,
      state: r.state,
      priority: r.priority,
      priorityUnsure: r.priority_unsure,
      form: r.template_id && r.template_version && l.form ? { id: r.template_id, version: r.template_version, name: l.form.name } : null,
      needsClassification: r.needs_classification,
      pages: r.pages,
      createdAt: r.created_at.toISOString(),
      placerOrderNumber: r.placer_order_number,
      controlId: r.control_id,
      fieldRevision: r.field_revision,
    },
    document: {
      id: doc.id,
      sha256: doc.sha256,
      receivedAt: doc.received_at.toISOString(),
      source: doc.source,
      sourceName,
      submittedBy: who(doc.submitted_by),
      format: doc.format,
      sizeBytes: Number(doc.size_bytes),
      pageCount: doc.page_count,
      status: doc.status,
      quarantineReason: doc.quarantine_reason,
      readError: doc.read_error,
      screening: doc.screening,
      duplicateOf: doc.duplicate_of,
    },
    pages: pageRows.map((p) => ({
      index: p.page_index,
      width: p.width,
      height: p.height,
      dpi: p.dpi,
      source: p.source,
      orientation: p.orientation,
      classification: p.classification,
      registration: p.registration,
      gates: (p.gates as PageHistory['gates']) ?? [],
      flags: (p.flags as Flag[]) ?? [],
    })),
    fields,
    identity: r.identity_confirmed_by
      ? {
          by: who(r.identity_confirmed_by)!,
          at: iso(r.identity_confirmed_at),
          sessionId: r.identity_session_id,
          identifiers: r.identity_identifiers ?? [],
          warnings: r.identity_warnings ?? [],
          current: r.identity_revision === r.identity_fields_revision,
        }
      : null,
    validation: { stored: (r.validation as Validation | null) ?? null, recomputed: validationOf(l, policy) },
    release: r.released_by ? { by: who(r.released_by)!, at: iso(r.released_at), sessionId: r.released_session_id } : null,
    escalatedBy: who(r.escalated_by),
    delivery: delivery
      ? {
          id: delivery.id,
          state: delivery.state,
          stateReason: delivery.state_reason,
          profile: delivery.profile,
          controlId: delivery.control_id,
          placerOrderNumber: delivery.placer_order_number,
          connection: { host: delivery.connection.host, port: delivery.connection.port, tls: delivery.connection.tls },
          payload,
          payloadSha256: delivery.payload_sha256,
          payloadBytes: delivery.payload_bytes,
          attempts: delivery.attempts,
          resendCount: delivery.resend_count,
          ackCode: delivery.ack_code,
          ackControlId: delivery.ack_control_id,
          lisOrderNumber: delivery.lis_order_number,
          ackedAt: iso(delivery.acked_at),
          resolution: delivery.resolution,
          resolvedBy: who(delivery.resolved_by),
          resolvedAt: iso(delivery.resolved_at),
          events: deliveryEvents.map((e) => ({ at: e.at.toISOString(), attempt: e.attempt, kind: e.kind, reason: e.reason, ackCode: e.ack_code, actor: names.get(e.actor) ?? e.actor })),
        }
      : null,
    audit,
    chain: broken ? { ...chain, ok: false, anchorMismatchSeq: broken.seq } : chain,
  };
}
