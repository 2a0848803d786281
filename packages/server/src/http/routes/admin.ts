/** Templates, LIS connection and the audit trail. */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import path from 'node:path';
import { anchorHead, checkAnchors } from '../../audit/anchors.ts';
import { listAudit, recordAudit, verifyAuditChain } from '../../audit/audit.ts';
import { HttpError } from '../../auth/errors.ts';
import type { AppContext } from '../../context.ts';
import type { LabFieldMeaning, LabForm } from '@nexession/forms';
import { DEFAULT_LIS, getLisConnection, setLisConnection } from '../../requisitions/delivery-port.ts';
import { blankPagePng, listTemplates, publishTemplate, uploadTemplate } from '../../templates/store.ts';
import { roles, rolesOrBreakGlass } from '../access.ts';
import { parseBody, UUID_RE } from '../validate.ts';

/** What the workstation shows of an id: its first 8 characters (or more, or all of it). */
const ID_PREFIX = /^[0-9a-f]{8}[0-9a-f-]{0,28}$/;

/**
 * A requisition id as a person types it: the whole UUID, or a unique prefix of at least 8
 * characters (the workstation shows the first 8). 404 when none matches, 409 when several do.
 */
export async function resolveRequisitionId(ctx: AppContext, typed: string): Promise<string> {
  const t = typed.trim().toLowerCase();
  if (UUID_RE.test(t)) return t;
  if (!ID_PREFIX.test(t)) throw new HttpError(400, 'bad_request', 'a requisition id is a UUID, or at least its first 8 characters');
  const rows = await ctx.db
    .selectFrom('requisitions')
    .select('id')
    .where(sql<boolean>`id::text LIKE ${`${t}%`}`)
    .limit(2)
    .execute();
  if (rows.length === 0) throw new HttpError(404, 'not_found', `no requisition id starts with ${t}`);
  if (rows.length > 1) throw new HttpError(409, 'ambiguous_id', `more than one requisition id starts with ${t}: type more of it`);
  return rows[0]!.id;
}

export async function adminRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  await app.register(multipart, { limits: { fileSize: ctx.config.maxUploadBytes, files: 4, fields: 10 } });
  const ADMIN = { access: roles('admin') };

  app.get('/api/templates', { config: { access: roles('admin', 'reviewer', 'lead_reviewer') } }, async () => ({ items: await listTemplates(ctx) }));

  app.post('/api/templates', { config: ADMIN }, async (req) => {
    const parts: Record<string, Buffer | string> = {};
    for await (const part of req.parts()) {
      if (part.type === 'file') parts[part.fieldname] = await part.toBuffer();
      else parts[part.fieldname] = String(part.value);
    }
    const text = (k: string) => (parts[k] === undefined ? undefined : Buffer.isBuffer(parts[k]) ? (parts[k] as Buffer).toString('utf8') : (parts[k] as string));
    const blank = parts.blank;
    if (!Buffer.isBuffer(blank)) throw new HttpError(400, 'no_blank', 'send the blank form as the file part "blank"');
    const json = <T>(k: string): T | undefined => {
      const t = text(k);
      if (t === undefined) return undefined;
      try {
        return JSON.parse(t) as T;
      } catch {
        throw new HttpError(400, 'bad_json', `"${k}" is not valid JSON`);
      }
    };
    const up = {
      blank,
      ...(text('id') ? { id: text('id')! } : {}),
      ...(text('name') ? { name: text('name')! } : {}),
      ...(json<LabForm>('definition') ? { definition: json<LabForm>('definition')! } : {}),
      ...(text('fieldMap') ? { fieldMap: text('fieldMap')! } : {}),
      ...(json<Record<string, LabFieldMeaning>>('meanings') ? { meanings: json<Record<string, LabFieldMeaning>>('meanings')! } : {}),
    };
    return uploadTemplate(ctx, req.rc, up);
  });

  app.get<{ Params: { id: string; version: string; page: string } }>(
    '/api/templates/:id/:version/pages/:page/image',
    { config: ADMIN },
    async (req, reply) => {
      const png = await blankPagePng(ctx, req.params.id, Number(req.params.version), Number(req.params.page));
      return reply.type('image/png').send(png);
    },
  );

  app.post<{ Params: { id: string; version: string } }>('/api/templates/:id/:version/publish', { config: ADMIN }, async (req) => {
    await publishTemplate(ctx, req.rc, req.params.id, Number(req.params.version));
    return { active: true };
  });

  app.get('/api/lis', { config: ADMIN }, async () => ({ connection: await getLisConnection(ctx.db) }));

  app.put('/api/lis', { config: ADMIN }, async (req) => {
    const body = parseBody(
      z.object({
        host: z.string().min(1).max(255),
        port: z.number().int().min(1).max(65535),
        profile: z.enum(['OML_O21', 'ORM_O01']).default('OML_O21'),
        tls: z.boolean().default(false),
        sendingApplication: z.string().max(180).optional(),
        sendingFacility: z.string().max(180).optional(),
        receivingApplication: z.string().max(180).optional(),
        receivingFacility: z.string().max(180).optional(),
        ackTimeoutSeconds: z.number().int().min(1).max(600).optional(),
        tlsCaPem: z.string().max(20000).nullable().optional(),
        tlsServerName: z.string().max(255).nullable().optional(),
      }),
      req.body,
    );
    const prior = await getLisConnection(ctx.db);
    const connection = { ...DEFAULT_LIS, ...(prior ?? {}), ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) } as Parameters<typeof setLisConnection>[1];
    await ctx.db.transaction().execute(async (trx) => {
      await setLisConnection(trx, connection);
      await recordAudit(trx, ctx.vault, req.rc, { action: 'lis.configure', objectType: 'settings', objectId: 'lis_connection', details: { host: connection.host, port: connection.port, profile: connection.profile, tls: connection.tls } });
    });
    return { connection };
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/audit', { config: { access: rolesOrBreakGlass('auditor', 'admin') } }, async (req) => {
    const q = req.query;
    const date = (s: string | undefined) => {
      if (!s) return undefined;
      const d = new Date(s);
      if (Number.isNaN(d.getTime())) throw new HttpError(400, 'bad_request', 'from/to are ISO dates');
      return d;
    };
    let objectIds: string[] | undefined;
    let requisitionId: string | undefined;
    if (q.requisitionId) {
      requisitionId = await resolveRequisitionId(ctx, q.requisitionId);
      // A requisition's history includes its document's (arrival, screening, reading).
      const r = await ctx.db.selectFrom('requisitions').select('document_id').where('id', '=', requisitionId).executeTakeFirst();
      const deliveries = await ctx.db.selectFrom('deliveries').select('id').where('requisition_id', '=', requisitionId).execute().catch(() => []);
      objectIds = [requisitionId, ...(r ? [r.document_id] : []), ...deliveries.map((d) => d.id)];
    }
    const from = date(q.from);
    const to = date(q.to);
    const items = await listAudit(ctx.db, ctx.vault, {
      ...(objectIds ? { objectIds } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(q.breakGlassId && UUID_RE.test(q.breakGlassId) ? { breakGlassId: q.breakGlassId } : {}),
      limit: Math.max(1, Math.min(1000, Number(q.limit ?? 200) || 200)),
    });
    // Administrators read the trail without values (they see no PHI without a reason: break-glass).
    if (!req.session!.user.roles.includes('auditor') && !req.rc.breakGlassId) for (const i of items) {
        delete i.before;
        delete i.after;
      }
    await recordAudit(ctx.db, ctx.vault, req.rc, { action: 'audit.list', objectType: 'audit', objectId: requisitionId ?? 'all', details: { count: items.length } });
    return { items, ...(requisitionId ? { requisitionId } : {}) };
  });

  app.get('/api/audit/verify', { config: { access: roles('auditor', 'admin') } }, async (req) => {
    const anchors = path.join(ctx.config.varDir, 'audit', 'anchors.jsonl');
    const chain = await verifyAuditChain(ctx.db);
    const broken = await checkAnchors(ctx.db, anchors);
    const result = broken ? { ...chain, ok: false, anchorMismatchSeq: broken.seq } : chain;
    await recordAudit(ctx.db, ctx.vault, req.rc, { action: 'audit.verify', objectType: 'audit', objectId: 'chain', details: { ...result } });
    if (result.ok) await anchorHead(ctx.db, anchors, ctx.now());
    return result;
  });
}
