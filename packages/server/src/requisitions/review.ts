/**
 * The review service: queue, claim, view, page images and crops, field review, identity,
 * release, escalation. Every PHI access writes an audit event; every change is checked here and
 * again by the database (release guard, field finality, live MFA sessions).
 */
import type { LabForm } from '@nexession/forms';
import type { Flag } from '@nexession/reader';
import { sql } from 'kysely';
import { recordAudit, type RequestContext } from '../audit/audit.ts';
import { conflict, forbidden, HttpError, notFound } from '../auth/errors.ts';
import type { Session } from '../auth/sessions.ts';
import type { AppContext } from '../context.ts';
import type { Executor, RequisitionState, ReviewState } from '../db/schema.ts';
import { getLisConnection, type DeliveryPort } from './delivery-port.ts';
import { sectionOf, type FieldValue } from './fields.ts';
import { availableIdentifiers, identityWarnings, IDENTIFIER_KINDS, type IdentifierKind, type Warning } from './identity.ts';
import { extractOf, identityFieldsReviewed, loadRequisition, releaseBlockers, validationOf, validationPolicy, type Loaded, type LoadedField } from './model.ts';
import { buildConfirmedOrder } from './order.ts';
import { cropRegion } from './crop.ts';
import { pageContext } from './reading.ts';
import type { Validation } from './validation/rules.ts';
import { openField, sealField } from './values.ts';

const isLead = (s: Session) => s.user.roles.includes('lead_reviewer');
const OPEN_STATES: RequisitionState[] = ['ready_for_review', 'in_review'];

export interface ReviewField {
  key: string;
  label: string;
  section: string;
  order: number;
  kind: 'checkbox' | 'text' | 'barcode';
  role: string;
  test?: { code: string; name: string };
  page: number;
  region: { x: number; y: number; w: number; h: number };
  machineValue: FieldValue;
  value: FieldValue;
  confidence: number | null;
  checkbox?: unknown;
  flags: Flag[];
  review: { state: ReviewState; by?: string; at?: string; before?: FieldValue; after?: FieldValue };
}

export interface Escalation {
  by: string;
  at: string | null;
  /** The escalating person's words; null when they can no longer be opened. */
  reason: string | null;
}

export class ReviewService {
  readonly #ctx: AppContext;
  readonly #delivery: DeliveryPort;
  readonly #baseUrl: () => string;

  constructor(ctx: AppContext, delivery: DeliveryPort, baseUrl: () => string) {
    this.#ctx = ctx;
    this.#delivery = delivery;
    this.#baseUrl = baseUrl;
  }

  // -- queue -----------------------------------------------------------------------------------

  async queue(rc: RequestContext, session: Session) {
    const ctx = this.#ctx;
    const states: RequisitionState[] = isLead(session) ? ['ready_for_review', 'in_review', 'escalated'] : OPEN_STATES;
    const rows = await ctx.db
      .selectFrom('requisitions as r')
      .leftJoin('users as u', 'u.id', 'r.assignee')
      .leftJoin('templates as t', (j) => j.onRef('t.id', '=', 'r.template_id').onRef('t.version', '=', 'r.template_version'))
      .select([
        'r.id',
        'r.priority',
        'r.priority_unsure',
        'r.state',
        'r.received_at',
        'r.pages',
        'r.needs_classification',
        'u.username as assignee',
        't.name as form',
        'r.escalated_by',
        'r.escalated_reason',
        (eb) =>
          eb
            .selectFrom('requisition_fields as f')
            .select(sql<number>`count(*)::int`.as('n'))
            .whereRef('f.requisition_id', '=', 'r.id')
            .where('f.flag_count', '>', 0)
            .where('f.review_state', '=', 'unreviewed')
            .as('flagged'),
      ])
      .where('r.state', 'in', states)
      .orderBy(sql`CASE WHEN r.priority = 'stat' THEN 0 ELSE 1 END`)
      .orderBy('r.received_at')
      .limit(500)
      .execute();
    const now = ctx.now().getTime();
    // A lead reviewer sees why each escalated requisition came to them (the reviewer's words).
    const escalations = isLead(session) ? await this.#escalations(rows.filter((r) => r.escalated_by !== null && (r.state === 'escalated' || r.state === 'in_review'))) : new Map();
    await recordAudit(ctx.db, ctx.vault, rc, { action: 'queue.list', objectType: 'queue', objectId: 'review', details: { count: rows.length, escalations: escalations.size || undefined } });
    return rows.map((r) => ({
      id: r.id,
      priority: r.priority,
      priorityUnsure: r.priority_unsure,
      state: r.state,
      receivedAt: r.received_at.toISOString(),
      waitingSeconds: Math.max(0, Math.floor((now - r.received_at.getTime()) / 1000)),
      pageCount: r.pages.length,
      form: r.form ?? null,
      needsClassification: r.needs_classification,
      assignee: r.assignee ?? null,
      flaggedFields: Number(r.flagged ?? 0),
      ...(escalations.has(r.id) ? { escalation: escalations.get(r.id)! } : {}),
    }));
  }

  /** Who escalated each requisition, when, and their reason (sealed with the document's data key). */
  async #escalations(rows: { id: string; escalated_by: string | null; escalated_reason: Buffer | null }[]): Promise<Map<string, Escalation>> {
    const ctx = this.#ctx;
    const out = new Map<string, Escalation>();
    if (rows.length === 0) return out;
    const names = await this.#usernames(rows.map((r) => r.escalated_by));
    const ids = rows.map((r) => r.id);
    const times = await ctx.db
      .selectFrom('audit_events')
      .select(['object_id', (eb) => eb.fn.max('at').as('at')])
      .where('action', '=', 'requisition.escalate')
      .where('object_type', '=', 'requisition')
      .where('object_id', 'in', ids)
      .groupBy('object_id')
      .execute();
    const at = new Map(times.map((t) => [t.object_id, t.at as Date | null]));
    for (const r of rows) {
      let reason: string | null = null;
      if (r.escalated_reason) {
        try {
          reason = await ctx.vault.openJson<string>(ctx.db, r.escalated_reason, `requisition:${r.id}:escalation`);
        } catch {
          reason = null; // shredded with its document
        }
      }
      const when = at.get(r.id);
      out.set(r.id, { by: names.get(r.escalated_by ?? '') ?? r.escalated_by ?? 'unknown', at: when ? new Date(when).toISOString() : null, reason });
    }
    return out;
  }

  async next(session: Session, currentId: string | null): Promise<string | null> {
    const states: RequisitionState[] = isLead(session) ? ['ready_for_review', 'in_review', 'escalated'] : OPEN_STATES;
    let q = this.#ctx.db
      .selectFrom('requisitions')
      .select('id')
      .where('state', 'in', states)
      .where((eb) => eb.or([eb('assignee', 'is', null), eb('assignee', '=', session.user.id)]))
      .orderBy(sql`CASE WHEN priority = 'stat' THEN 0 ELSE 1 END`)
      .orderBy('received_at')
      .limit(1);
    if (currentId) q = q.where('id', '<>', currentId);
    return (await q.executeTakeFirst())?.id ?? null;
  }

  // -- claim -----------------------------------------------------------------------------------

  async claim(rc: RequestContext, session: Session, id: string): Promise<void> {
    const ctx = this.#ctx;
    await ctx.db.transaction().execute(async (trx) => {
      const r = await trx.selectFrom('requisitions').select(['state', 'assignee', 'escalated_by']).where('id', '=', id).forUpdate().executeTakeFirst();
      if (!r) throw notFound('no such requisition');
      if (r.state === 'escalated' && !isLead(session)) throw forbidden('an escalated requisition is for a lead reviewer');
      if (!['ready_for_review', 'in_review', 'escalated'].includes(r.state)) throw conflict('not_reviewable', `the requisition is ${r.state.replace(/_/g, ' ')}`);
      // Once escalated it stays with lead reviewers: a lead's claim (state in_review) left idle
      // must not hand it back to a plain reviewer, who could then release it.
      if (r.escalated_by !== null && !isLead(session)) throw forbidden('an escalated requisition is for a lead reviewer');
      if (r.state === 'in_review' && r.assignee === session.user.id) return;
      if (r.state === 'in_review' && r.assignee && r.assignee !== session.user.id && !isLead(session)) {
        const holderLive = await trx
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', r.assignee)
          .where('stage', '=', 'full')
          .where('ended_at', 'is', null)
          .where('last_seen_at', '>', new Date(ctx.now().getTime() - ctx.config.idleTimeoutSeconds * 1000))
          .executeTakeFirst();
        if (holderLive) throw conflict('claimed', 'another person is working on this requisition');
      }
      await trx.updateTable('requisitions').set({ state: 'in_review', assignee: session.user.id, claimed_at: ctx.now(), updated_at: ctx.now() }).where('id', '=', id).execute();
      await recordAudit(trx, ctx.vault, rc, { action: 'requisition.claim', objectType: 'requisition', objectId: id, details: { from: r.state, previousAssignee: r.assignee } });
    });
  }

  // -- view ------------------------------------------------------------------------------------

  async #views(l: Loaded): Promise<{ validation: Validation; blockers: string[] }> {
    const validation = validationOf(l, await validationPolicy(this.#ctx.db));
    const lisConfigured = (await getLisConnection(this.#ctx.db)) !== null;
    return { validation, blockers: releaseBlockers({ loaded: l, validation, lisConfigured }) };
  }

  async #usernames(ids: (string | null)[]): Promise<Map<string, string>> {
    const list = [...new Set(ids.filter((x): x is string => !!x))];
    if (list.length === 0) return new Map();
    const rows = await this.#ctx.db.selectFrom('users').select(['id', 'username']).where('id', 'in', list).execute();
    return new Map(rows.map((r) => [r.id, r.username]));
  }

  #field(f: LoadedField, names: Map<string, string>): ReviewField {
    const r = f.row;
    const state = r.review_state as ReviewState;
    const review: ReviewField['review'] = { state };
    if (state !== 'unreviewed') {
      if (r.reviewed_by) review.by = names.get(r.reviewed_by) ?? r.reviewed_by;
      if (r.reviewed_at) review.at = r.reviewed_at.toISOString();
      review.before = f.machineValue;
      review.after = f.value;
    }
    return {
      key: r.key,
      label: r.label,
      section: r.section,
      order: r.ord,
      kind: r.kind,
      role: r.role,
      ...(f.meaning.test ? { test: { code: f.meaning.test.code, name: f.meaning.test.name } } : {}),
      page: r.page,
      region: r.region,
      machineValue: f.machineValue,
      value: state === 'unreviewed' ? f.machineValue : f.value,
      confidence: r.confidence,
      ...(r.checkbox ? { checkbox: r.checkbox } : {}),
      flags: f.flags,
      review,
    };
  }

  async #load(db: Executor, id: string, forUpdate = false): Promise<Loaded> {
    const l = await loadRequisition(this.#ctx, db, id, { forUpdate });
    if (!l) throw notFound('no such requisition');
    return l;
  }

  /** Identity warnings as they stand: before confirmation, for what the requisition carries. */
  #warnings(l: Loaded): Warning[] {
    const chosen = l.req.identity_confirmed_by ? ((l.req.identity_identifiers ?? []) as IdentifierKind[]) : null;
    return identityWarnings(l, extractOf(l), this.#ctx.now(), chosen);
  }

  /**
   * The requisition with its values. `prefetch`: the workstation loads it ahead of need (the
   * next one in the queue), audited as `requisition.prefetch`; `requisition.view` is recorded
   * when it is shown (`viewed`), so the trail says what a person looked at.
   */
  async detail(rc: RequestContext, session: Session, id: string, opts: { prefetch?: boolean } = {}) {
    const ctx = this.#ctx;
    const l = await this.#load(ctx.db, id);
    const prefetch = opts.prefetch === true && this.#prefetchable(session, l.req);
    const { validation, blockers } = await this.#views(l);
    const names = await this.#usernames([...l.fields.map((f) => f.row.reviewed_by), l.req.identity_confirmed_by, l.req.assignee, l.req.released_by]);
    const pages = await ctx.db
      .selectFrom('document_pages')
      .select(['page_index', 'width', 'height', 'dpi', 'flags'])
      .where('document_id', '=', l.req.document_id)
      .where('page_index', 'in', l.req.pages)
      .orderBy('page_index')
      .execute();
    const delivery = (await this.#delivery.status(ctx.db, [id])).get(id) ?? null;
    // The escalating person's words are for lead reviewers (and auditors, or anyone under
    // break-glass), as in the queue: a plain reviewer opening the id never reads them.
    const mayReadEscalation = isLead(session) || session.user.roles.includes('auditor') || !!rc.breakGlassId;
    const escalation = l.req.escalated_by && mayReadEscalation ? ((await this.#escalations([l.req])).get(id) ?? null) : null;
    await recordAudit(ctx.db, ctx.vault, rc, prefetch
      ? { action: 'requisition.prefetch', objectType: 'requisition', objectId: id, details: { part: 'detail', fields: l.fields.length } }
      : { action: 'requisition.view', objectType: 'requisition', objectId: id, details: { fields: l.fields.length } });
    return {
      id,
      state: l.req.state,
      priority: l.req.priority,
      priorityUnsure: l.req.priority_unsure,
      receivedAt: l.req.received_at.toISOString(),
      documentId: l.req.document_id,
      documentSha256: l.documentSha256,
      form: l.req.template_id && l.form ? { id: l.req.template_id, version: l.req.template_version, name: l.form.name } : null,
      needsClassification: l.req.needs_classification,
      assignee: l.req.assignee ? (names.get(l.req.assignee) ?? null) : null,
      pages: pages.map((p) => ({ index: p.page_index, width: p.width, height: p.height, dpi: p.dpi, flags: p.flags })),
      fields: l.fields.map((f) => this.#field(f, names)),
      identity: l.req.identity_confirmed_by
        ? {
            confirmedBy: names.get(l.req.identity_confirmed_by) ?? l.req.identity_confirmed_by,
            confirmedAt: l.req.identity_confirmed_at?.toISOString() ?? null,
            identifiers: l.req.identity_identifiers ?? [],
            current: l.req.identity_revision === l.req.identity_fields_revision,
          }
        : null,
      identityWarnings: this.#warnings(l),
      validation,
      releaseBlockers: blockers,
      release: this.#release(l.req, names),
      escalation,
      delivery: delivery ? { id: delivery.id, state: delivery.state, ackCode: delivery.ackCode, lisOrderNumber: delivery.lisOrderNumber, controlId: delivery.controlId } : null,
    };
  }

  #release(r: Loaded['req'], names: Map<string, string>) {
    return r.released_by && r.released_at
      ? { by: names.get(r.released_by) ?? r.released_by, at: r.released_at.toISOString(), placerOrderNumber: r.placer_order_number }
      : null;
  }

  /**
   * A prefetch is only what the workstation does: load the requisition `next` could hand this
   * reviewer (open, unclaimed or theirs). Any other read sent with the prefetch header is a look
   * at it and is audited as one (a prefetch must not be a way to read PHI without a view event).
   */
  #prefetchable(session: Session, r: { state: RequisitionState; assignee: string | null }): boolean {
    if (!session.user.roles.some((x) => x === 'reviewer' || x === 'lead_reviewer')) return false;
    const states: RequisitionState[] = isLead(session) ? ['ready_for_review', 'in_review', 'escalated'] : OPEN_STATES;
    return states.includes(r.state) && (r.assignee === null || r.assignee === session.user.id);
  }

  async #prefetchAllowed(session: Session, id: string): Promise<boolean> {
    const r = await this.#ctx.db.selectFrom('requisitions').select(['state', 'assignee']).where('id', '=', id).executeTakeFirst();
    return !!r && this.#prefetchable(session, r);
  }

  /**
   * The requisition was put on screen after a prefetch: the display is what `requisition.view`
   * records. Only after this session prefetched it: otherwise anyone could plant views of
   * requisitions they never loaded.
   */
  async viewed(rc: RequestContext, id: string): Promise<void> {
    const ctx = this.#ctx;
    const r = await ctx.db.selectFrom('requisitions').select('id').where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('no such requisition');
    const sessionId = rc.actor.type === 'user' ? rc.actor.sessionId : null;
    const prefetched = sessionId
      ? await ctx.db
          .selectFrom('audit_events')
          .select('seq')
          .where('action', '=', 'requisition.prefetch')
          .where('object_type', '=', 'requisition')
          .where('object_id', '=', id)
          .where('session_id', '=', sessionId)
          .limit(1)
          .executeTakeFirst()
      : undefined;
    if (!prefetched) throw conflict('not_prefetched', 'this requisition was not prefetched in this session: open it instead');
    await recordAudit(ctx.db, ctx.vault, rc, { action: 'requisition.view', objectType: 'requisition', objectId: id, details: { prefetched: true } });
  }

  /**
   * Where a requisition stands, without PHI (any role): its state, who released it and when, its
   * order numbers and its delivery. What a released requisition shows when it is opened again.
   */
  async summary(id: string) {
    const ctx = this.#ctx;
    const r = await ctx.db
      .selectFrom('requisitions as r')
      .leftJoin('templates as t', (j) => j.onRef('t.id', '=', 'r.template_id').onRef('t.version', '=', 'r.template_version'))
      .select(['r.id', 'r.state', 'r.priority', 'r.received_at', 'r.template_id', 'r.template_version', 't.name as form_name', 'r.released_by', 'r.released_at', 'r.placer_order_number', 'r.assignee'])
      .where('r.id', '=', id)
      .executeTakeFirst();
    if (!r) throw notFound('no such requisition');
    const names = await this.#usernames([r.released_by, r.assignee]);
    const delivery = (await this.#delivery.status(ctx.db, [id])).get(id) ?? null;
    return {
      id: r.id,
      state: r.state,
      priority: r.priority,
      receivedAt: r.received_at.toISOString(),
      form: r.template_id && r.template_version !== null ? { id: r.template_id, version: r.template_version, name: r.form_name ?? r.template_id } : null,
      assignee: r.assignee ? (names.get(r.assignee) ?? null) : null,
      release: r.released_by && r.released_at ? { by: names.get(r.released_by) ?? r.released_by, at: r.released_at.toISOString(), placerOrderNumber: r.placer_order_number } : null,
      delivery: delivery ? { id: delivery.id, state: delivery.state, ackCode: delivery.ackCode, lisOrderNumber: delivery.lisOrderNumber, controlId: delivery.controlId } : null,
    };
  }

  async pageImage(rc: RequestContext, session: Session, id: string, page: number, opts: { prefetch?: boolean } = {}): Promise<Buffer> {
    const ctx = this.#ctx;
    const prefetch = opts.prefetch === true && (await this.#prefetchAllowed(session, id));
    const r = await ctx.db.selectFrom('requisitions').select(['document_id', 'pages']).where('id', '=', id).executeTakeFirst();
    if (!r || !r.pages.includes(page)) throw notFound('no such page');
    const p = await ctx.db.selectFrom('document_pages').select('blob_key').where('document_id', '=', r.document_id).where('page_index', '=', page).executeTakeFirstOrThrow();
    const png = await ctx.vault.open(ctx.db, await ctx.blobs.get(p.blob_key), pageContext(r.document_id, page));
    await recordAudit(ctx.db, ctx.vault, rc, prefetch
      ? { action: 'requisition.prefetch', objectType: 'requisition', objectId: id, details: { part: 'page_image', page } }
      : { action: 'page.image', objectType: 'requisition', objectId: id, details: { page } });
    return png;
  }

  async fieldCrop(rc: RequestContext, session: Session, id: string, key: string, opts: { prefetch?: boolean } = {}): Promise<Buffer> {
    const ctx = this.#ctx;
    const prefetch = opts.prefetch === true && (await this.#prefetchAllowed(session, id));
    const r = await ctx.db.selectFrom('requisitions').select(['document_id']).where('id', '=', id).executeTakeFirst();
    const f = r && (await ctx.db.selectFrom('requisition_fields').select(['page', 'region']).where('requisition_id', '=', id).where('key', '=', key).executeTakeFirst());
    if (!r || !f) throw notFound('no such field');
    const p = await ctx.db.selectFrom('document_pages').select(['blob_key', 'width', 'height']).where('document_id', '=', r.document_id).where('page_index', '=', f.page).executeTakeFirstOrThrow();
    const png = await ctx.vault.open(ctx.db, await ctx.blobs.get(p.blob_key), pageContext(r.document_id, f.page));
    const crop = await cropRegion(png, f.region, p);
    await recordAudit(ctx.db, ctx.vault, rc, prefetch
      ? { action: 'requisition.prefetch', objectType: 'requisition', objectId: id, field: key, details: { part: 'crop' } }
      : { action: 'field.crop', objectType: 'requisition', objectId: id, field: key });
    return crop;
  }

  /**
   * Rule 3, checked: the stored page image and the stored evidence of a checkbox give the same
   * counts and decision again (the reader's `recomputeCheckbox`, arithmetic only).
   */
  async recomputeCheckbox(rc: RequestContext, id: string, key: string) {
    const ctx = this.#ctx;
    const reader = (await import('@nexession/reader')) as Record<string, unknown>;
    const recompute = reader.recomputeCheckbox as ((png: Uint8Array, evidence: unknown) => Promise<Record<string, unknown>>) | undefined;
    if (typeof recompute !== 'function') throw new HttpError(501, 'not_available', 'the reader cannot recompute checkboxes yet');
    const r = await ctx.db.selectFrom('requisitions').select(['document_id']).where('id', '=', id).executeTakeFirst();
    const f = r && (await ctx.db.selectFrom('requisition_fields').select(['page', 'kind', 'method', 'evidence', 'checkbox']).where('requisition_id', '=', id).where('key', '=', key).executeTakeFirst());
    if (!r || !f) throw notFound('no such field');
    if (f.kind !== 'checkbox' || f.method !== 'checkbox' || !f.evidence) throw conflict('not_measured', 'this field is not a measured checkbox');
    const evidence = await openField<unknown>(ctx, f.evidence, id, key, 'evidence');
    const p = await ctx.db.selectFrom('document_pages').select(['blob_key']).where('document_id', '=', r.document_id).where('page_index', '=', f.page).executeTakeFirstOrThrow();
    const png = await ctx.vault.open(ctx.db, await ctx.blobs.get(p.blob_key), pageContext(r.document_id, f.page));
    const result = await recompute(new Uint8Array(png), evidence);
    await recordAudit(ctx.db, ctx.vault, rc, { action: 'field.recompute', objectType: 'requisition', objectId: id, field: key, details: { matchesStored: result.matchesStored } });
    const { evidence: _e, ...numbers } = result;
    return { key, stored: f.checkbox, recomputed: numbers, evidence };
  }

  // -- changes ---------------------------------------------------------------------------------

  #mustHold(l: Loaded, session: Session): void {
    if (l.req.state !== 'in_review' || l.req.assignee !== session.user.id) {
      throw conflict('not_claimed', 'claim the requisition before changing it');
    }
  }

  /** Stores the validation for the current field revision; returns it and the blockers. */
  async #revalidate(trx: Executor, id: string) {
    const fresh = await this.#load(trx, id);
    const { validation, blockers } = await this.#views(fresh);
    await trx
      .updateTable('requisitions')
      .set({ validation_passed: validation.passed, validation_revision: fresh.req.field_revision, validation: JSON.stringify(validation) })
      .where('id', '=', id)
      .execute();
    return { fresh, validation, blockers };
  }

  async reviewField(
    rc: RequestContext,
    session: Session,
    id: string,
    key: string,
    body: { action: 'confirm' | 'correct' | 'absent_on_source'; value?: FieldValue; acknowledgeFlags?: boolean },
  ) {
    const ctx = this.#ctx;
    return ctx.db.transaction().execute(async (trx) => {
      const l = await this.#load(trx, id, true);
      this.#mustHold(l, session);
      const f = l.fields.find((x) => x.row.key === key);
      if (!f) throw notFound('no such field');
      const before = f.row.review_state === 'unreviewed' ? f.machineValue : f.value;
      let value: FieldValue;
      let state: ReviewState;
      if (body.action === 'confirm') {
        if (f.flags.length > 0 && body.acknowledgeFlags !== true) {
          throw conflict('flag_not_acknowledged', `this field is flagged (${f.flags.map((x) => x.message).join('; ')}): confirm it deliberately`);
        }
        if (f.row.kind === 'checkbox' && typeof f.machineValue !== 'boolean') {
          throw conflict('needs_value', 'the machine could not decide this box: say whether it is marked (correct it)');
        }
        value = f.machineValue;
        state = 'confirmed';
      } else if (body.action === 'correct') {
        if (body.value === undefined) throw new HttpError(400, 'bad_request', 'a correction needs a value');
        if (f.row.kind === 'checkbox' && typeof body.value !== 'boolean') throw new HttpError(400, 'bad_request', 'a checkbox is true or false');
        if (f.row.kind !== 'checkbox' && body.value !== null && typeof body.value !== 'string') throw new HttpError(400, 'bad_request', 'a text field is a string or null');
        value = typeof body.value === 'string' ? body.value.normalize('NFC') : body.value;
        if (typeof value === 'string' && value.length > 2000) throw new HttpError(400, 'bad_request', 'the value is too long');
        state = value === f.machineValue ? 'confirmed' : 'corrected';
      } else {
        value = null;
        state = 'absent_on_source';
      }
      await trx
        .updateTable('requisition_fields')
        .set({
          value: await sealField(ctx, l.dataKeyId, id, key, 'value', value, trx),
          review_state: state,
          reviewed_by: session.user.id,
          reviewed_at: ctx.now(),
          reviewed_session_id: session.id,
          flags_acknowledged: f.flags.length > 0,
        })
        .where('requisition_id', '=', id)
        .where('key', '=', key)
        .execute();
      if (f.row.role === 'order.stat') {
        await trx.updateTable('requisitions').set({ priority: value === true ? 'stat' : 'routine', priority_unsure: false }).where('id', '=', id).execute();
      }
      const { fresh, validation, blockers } = await this.#revalidate(trx, id);
      await recordAudit(trx, ctx.vault, rc, {
        action: `field.${state === 'absent_on_source' ? 'absent' : body.action === 'correct' && state === 'corrected' ? 'correct' : 'confirm'}`,
        objectType: 'requisition',
        objectId: id,
        field: key,
        before,
        after: value,
        sealWith: l.dataKeyId,
        details: { state, flagsAcknowledged: f.flags.length > 0 ? body.acknowledgeFlags === true || body.action !== 'confirm' : undefined, revision: fresh.req.field_revision },
      });
      const names = await this.#usernames([session.user.id]);
      const field = this.#field(fresh.fields.find((x) => x.row.key === key)!, names);
      // Identity warnings follow every change, so they are in front of the person before they confirm.
      return { field, validation, releaseBlockers: blockers, identityWarnings: this.#warnings(fresh) };
    });
  }

  async confirmIdentity(rc: RequestContext, session: Session, id: string, identifiers: string[]) {
    const ctx = this.#ctx;
    return ctx.db.transaction().execute(async (trx) => {
      const l = await this.#load(trx, id, true);
      this.#mustHold(l, session);
      const chosen = [...new Set(identifiers)];
      const unknown = chosen.filter((c) => !(IDENTIFIER_KINDS as readonly string[]).includes(c));
      if (unknown.length) throw new HttpError(400, 'bad_request', `unknown identifier kind(s): ${unknown.join(', ')}`);
      if (chosen.length < 2) throw new HttpError(400, 'two_identifiers', 'confirm at least two identifiers');
      if (!identityFieldsReviewed(l)) throw conflict('patient_fields_unreviewed', 'review the patient fields first');
      const x = extractOf(l);
      const available = availableIdentifiers(x);
      const absent = chosen.filter((c) => !available.has(c as IdentifierKind));
      if (absent.length) throw conflict('identifier_absent', `not on this requisition: ${absent.join(', ')}`);
      const warnings = identityWarnings(l, x, ctx.now(), chosen as IdentifierKind[]);
      await trx
        .updateTable('requisitions')
        .set({
          identity_confirmed_by: session.user.id,
          identity_confirmed_at: ctx.now(),
          identity_session_id: session.id,
          identity_identifiers: chosen,
          identity_revision: l.req.identity_fields_revision,
          identity_warnings: JSON.stringify(warnings),
        })
        .where('id', '=', id)
        .execute();
      const { validation, blockers } = await this.#revalidate(trx, id);
      await recordAudit(trx, ctx.vault, rc, {
        action: 'identity.confirm',
        objectType: 'requisition',
        objectId: id,
        details: { identifiers: chosen, warnings: warnings.map((w) => w.code) },
      });
      return {
        identity: { confirmedBy: session.user.username, confirmedAt: ctx.now().toISOString(), identifiers: chosen, current: true, warnings },
        identityWarnings: warnings,
        validation,
        releaseBlockers: blockers,
      };
    });
  }

  async release(rc: RequestContext, session: Session, id: string) {
    const ctx = this.#ctx;
    // Break-glass is for reading in an emergency; a release is never made under it (the database
    // refuses it too, migration 061).
    if (session.breakGlass) throw conflict('break_glass_active', 'end break-glass before releasing: nothing is released under emergency access');
    const connection = await getLisConnection(ctx.db);
    return ctx.db.transaction().execute(async (trx) => {
      const l = await this.#load(trx, id, true);
      this.#mustHold(l, session);
      const { validation, blockers } = await this.#views(l);
      if (blockers.length > 0 || !connection) {
        throw conflict('release_blocked', `release refused: ${blockers.join('; ')}`, { releaseBlockers: blockers });
      }
      const seq = await sql<{ n: string }>`SELECT nextval('placer_order_seq')::text AS n`.execute(trx);
      const placerOrderNumber = `NX${seq.rows[0]!.n.padStart(8, '0')}`;
      const controlId = await this.#delivery.allocateControlId(trx);
      const order = buildConfirmedOrder(l, extractOf(l), {
        placerOrderNumber,
        controlId,
        messageTime: ctx.now(),
        pageCount: l.req.pages.length,
        referenceUrl: null,
      });
      await trx
        .updateTable('requisitions')
        .set({
          state: 'released',
          released_by: session.user.id,
          released_at: ctx.now(),
          released_session_id: session.id,
          validation_passed: validation.passed,
          validation_revision: l.req.field_revision,
          validation: JSON.stringify(validation),
          placer_order_number: placerOrderNumber,
          control_id: controlId,
          updated_at: ctx.now(),
        })
        .where('id', '=', id)
        .execute();
      const delivery = await this.#delivery.enqueue(trx, order, connection);
      await recordAudit(trx, ctx.vault, rc, {
        action: 'requisition.release',
        objectType: 'requisition',
        objectId: id,
        details: { placerOrderNumber, controlId, deliveryId: delivery.id, tests: order.tests.map((t) => t.code), revision: l.req.field_revision },
      });
      ctx.log.info({ requisitionId: id, deliveryId: delivery.id }, 'requisition released');
      return { state: 'released' as const, placerOrderNumber, delivery };
    });
  }

  async escalate(rc: RequestContext, session: Session, id: string, reason: string) {
    const ctx = this.#ctx;
    await ctx.db.transaction().execute(async (trx) => {
      const l = await this.#load(trx, id, true);
      if (!OPEN_STATES.includes(l.req.state)) throw conflict('not_reviewable', `the requisition is ${l.req.state.replace(/_/g, ' ')}`);
      if (l.req.state === 'in_review' && l.req.assignee !== session.user.id && !isLead(session)) throw conflict('claimed', 'another person is working on this requisition');
      await trx
        .updateTable('requisitions')
        .set({
          state: 'escalated',
          assignee: null,
          escalated_by: session.user.id,
          escalated_reason: await ctx.vault.sealJson(trx, l.dataKeyId, reason, `requisition:${id}:escalation`),
          updated_at: ctx.now(),
        })
        .where('id', '=', id)
        .execute();
      await recordAudit(trx, ctx.vault, rc, { action: 'requisition.escalate', objectType: 'requisition', objectId: id, after: reason, sealWith: l.dataKeyId });
    });
    return { state: 'escalated' as const };
  }

  async reject(rc: RequestContext, session: Session, id: string, reason: string) {
    const ctx = this.#ctx;
    if (!isLead(session)) throw forbidden('only a lead reviewer rejects a requisition');
    await ctx.db.transaction().execute(async (trx) => {
      const l = await this.#load(trx, id, true);
      if (![...OPEN_STATES, 'escalated'].includes(l.req.state)) throw conflict('not_reviewable', `the requisition is ${l.req.state.replace(/_/g, ' ')}`);
      await trx.updateTable('requisitions').set({ state: 'rejected', assignee: null, updated_at: ctx.now() }).where('id', '=', id).execute();
      await recordAudit(trx, ctx.vault, rc, { action: 'requisition.reject', objectType: 'requisition', objectId: id, after: reason, sealWith: l.dataKeyId });
    });
    return { state: 'rejected' as const };
  }

  /** Unrecognised pages: a person says which form they are; its fields are then typed by hand. */
  async classify(rc: RequestContext, session: Session, id: string, templateId: string, version: number) {
    const ctx = this.#ctx;
    return ctx.db.transaction().execute(async (trx) => {
      const l = await this.#load(trx, id, true);
      this.#mustHold(l, session);
      if (!l.req.needs_classification || l.fields.length > 0) throw conflict('already_classified', 'this requisition already has its form');
      const t = await trx.selectFrom('templates').select(['form', 'status']).where('id', '=', templateId).where('version', '=', version).executeTakeFirst();
      if (!t || t.status !== 'published') throw notFound('no such published template');
      const form = t.form as LabForm;
      const pages = await trx.selectFrom('document_pages').select(['page_index', 'dpi']).where('document_id', '=', l.req.document_id).where('page_index', 'in', l.req.pages).orderBy('page_index').execute();
      if (pages.length < form.template.pages.length) throw conflict('page_count', `the form has ${form.template.pages.length} page(s); this requisition has ${pages.length}`);
      const order = new Map(form.reviewOrder.map((k, i) => [k, i]));
      const flag: Flag = { code: 'manual_entry', message: 'the page was not recognised: type the value as it is on the page' };
      let n = 0;
      for (const [pi, tpage] of form.template.pages.entries()) {
        const page = pages[pi]!;
        const k = page.dpi / 25.4;
        for (const tf of tpage.fields) {
          const meaning = form.meanings[tf.key] ?? { role: 'other' as const };
          await trx
            .insertInto('requisition_fields')
            .values({
              requisition_id: id,
              key: tf.key,
              label: tf.label,
              section: sectionOf(meaning.role),
              ord: order.get(tf.key) ?? 10_000 + n,
              kind: tf.kind,
              role: meaning.role,
              meaning: JSON.stringify(meaning),
              page: page.page_index,
              region: JSON.stringify({ x: Math.round(tf.region.x * k), y: Math.round(tf.region.y * k), w: Math.round(tf.region.w * k), h: Math.round(tf.region.h * k) }),
              method: 'manual',
              machine_value: await sealField(ctx, l.dataKeyId, id, tf.key, 'machine', null, trx),
              evidence: null,
              flags: await sealField(ctx, l.dataKeyId, id, tf.key, 'flags', [flag], trx),
              flag_count: 1,
            })
            .execute();
          n++;
        }
      }
      await trx.updateTable('requisitions').set({ template_id: templateId, template_version: version, needs_classification: false }).where('id', '=', id).execute();
      await recordAudit(trx, ctx.vault, rc, { action: 'requisition.classify', objectType: 'requisition', objectId: id, details: { template: `${templateId}/${version}`, fields: n } });
      return { fields: n };
    });
  }

  // -- delivery outcome (called by the delivery area inside its transaction) ---------------------

  readonly deliveryHooks = {
    delivered: async (trx: Executor, requisitionId: string, info: { deliveryId: string; ackCode: string | null }) => {
      await trx.updateTable('requisitions').set({ state: 'delivered', updated_at: this.#ctx.now() }).where('id', '=', requisitionId).where('state', 'in', ['released', 'delivery_failed']).execute();
      await recordAudit(trx, this.#ctx.vault, { actor: { type: 'service', id: 'delivery' }, requestId: null, sourceIp: null }, {
        action: 'requisition.delivered',
        objectType: 'requisition',
        objectId: requisitionId,
        details: { deliveryId: info.deliveryId, ackCode: info.ackCode },
      });
    },
    deliveryFailed: async (trx: Executor, requisitionId: string, info: { deliveryId: string; state: string; ackCode: string | null }) => {
      await trx.updateTable('requisitions').set({ state: 'delivery_failed', updated_at: this.#ctx.now() }).where('id', '=', requisitionId).where('state', 'in', ['released', 'delivered', 'delivery_failed']).execute();
      await recordAudit(trx, this.#ctx.vault, { actor: { type: 'service', id: 'delivery' }, requestId: null, sourceIp: null }, {
        action: 'requisition.delivery_failed',
        objectType: 'requisition',
        objectId: requisitionId,
        details: { deliveryId: info.deliveryId, state: info.state, ackCode: info.ackCode },
      });
    },
  };
}
