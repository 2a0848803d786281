/**
 * HTTP routes for deliveries a person must look at (lead reviewer, admin; auditors may look):
 *
 * | method, path | body | answer |
 * |---|---|---|
 * | `GET /api/deliveries?attention=1` | | `{ items: DeliverySummary[] }` (ambiguous, error, rejected; oldest first) |
 * | `GET /api/deliveries/:id` | | `{ delivery: DeliverySummary, events: DeliveryEventView[] }` |
 * | `GET /api/deliveries/:id/ack` | | `{ text: string \| null }`: the LIS's ACK text (may name the patient; audited; lead reviewers and auditors, not administrators) |
 * | `POST /api/deliveries/:id/resend` | `{ note?: string }` | `{ deliveryId, state: "pending" }` |
 * | `POST /api/deliveries/:id/mark-received` | `{ lisOrderNumber?: string \| null, note?: string }` | `{ deliveryId, state: "acked" }` |
 *
 * Register with `buildApp(ctx, { plugins: [{ plugin: deliveryRoutes(() => service), name: 'delivery' }] })`.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit.ts';
import { HttpError } from '../../auth/errors.ts';
import type { AppContext } from '../../context.ts';
import { roles, rolesOrBreakGlass } from '../../http/access.ts';
import { parseBody, uuidParam } from '../../http/validate.ts';
import { DeliveryDecisionError } from '../outbox/decisions.ts';
import type { DeliveryService } from '../outbox/service.ts';

const DECIDE = { access: roles('lead_reviewer', 'admin') };
const LOOK = { access: roles('lead_reviewer', 'admin', 'auditor') };
// The ACK text may name the patient: break-glass opens it to others (audited under it).
const ACK = { access: rolesOrBreakGlass('lead_reviewer', 'auditor') };

function asHttp(err: unknown): never {
  if (err instanceof DeliveryDecisionError) {
    throw new HttpError(err.code === 'not_found' ? 404 : err.code === 'not_a_person' ? 403 : 409, err.code, err.message);
  }
  // The database's own guard (23514 check_violation) refused the decision: say so without its text.
  if ((err as { code?: string }).code === '23514') throw new HttpError(409, 'refused_by_database', 'the database refused this decision for this delivery and session');
  throw err;
}

export function deliveryRoutes(service: () => DeliveryService): FastifyPluginAsync<{ ctx: AppContext }> {
  return async (app: FastifyInstance, opts: { ctx: AppContext }) => {
    const { ctx } = opts;
    type IdParams = { Params: { id: string } };

    app.get<{ Querystring: { attention?: string } }>('/api/deliveries', { config: LOOK }, async (req) => {
      if (req.query.attention !== '1') throw new HttpError(400, 'bad_request', 'only ?attention=1 is supported');
      return { items: await service().needingAttention() };
    });

    app.get<IdParams>('/api/deliveries/:id', { config: LOOK }, async (req) => {
      const id = uuidParam(req.params.id, 'delivery');
      const delivery = await service().byId(id);
      if (!delivery) throw new HttpError(404, 'not_found', 'no such delivery');
      return { delivery, events: await service().events(id) };
    });

    // The ACK text may name the patient: people who see PHI only (not administrators, who see
    // none without a reason; found by the security review).
    app.get<IdParams>('/api/deliveries/:id/ack', { config: ACK }, async (req, reply) => {
      const id = uuidParam(req.params.id, 'delivery');
      const delivery = await service().byId(id);
      if (!delivery) throw new HttpError(404, 'not_found', 'no such delivery');
      const text = await service().ackText(id);
      await recordAudit(ctx.db, ctx.vault, req.rc, {
        action: 'delivery.ack_view',
        objectType: 'requisition',
        objectId: delivery.requisitionId,
        details: { deliveryId: id, hasText: text !== null },
      });
      void reply.header('cache-control', 'no-store');
      return { text };
    });

    app.post<IdParams>('/api/deliveries/:id/resend', { config: DECIDE }, async (req) => {
      const body = parseBody(z.object({ note: z.string().max(2000).optional() }), req.body);
      return service().resendAnyway(req.rc, uuidParam(req.params.id, 'delivery'), body.note ?? null).catch(asHttp);
    });

    app.post<IdParams>('/api/deliveries/:id/mark-received', { config: DECIDE }, async (req) => {
      const body = parseBody(z.object({ lisOrderNumber: z.string().min(1).max(64).nullable().optional(), note: z.string().max(2000).optional() }), req.body);
      return service()
        .markReceivedByLis(req.rc, uuidParam(req.params.id, 'delivery'), { lisOrderNumber: body.lisOrderNumber ?? null, note: body.note ?? null })
        .catch(asHttp);
    });
  };
}
