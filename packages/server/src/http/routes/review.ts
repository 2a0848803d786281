/** Queue and review (reviewer, lead reviewer; auditors may look but not change). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ReviewService } from '../../requisitions/review.ts';
import { roles, rolesOrBreakGlass, sessionOf } from '../access.ts';
import { parseBody, uuidParam } from '../validate.ts';

const REVIEW = { access: roles('reviewer', 'lead_reviewer') };
// Reading a requisition: reviewers, auditors, and anyone holding break-glass (audited under it).
const LOOK = { access: rolesOrBreakGlass('reviewer', 'lead_reviewer', 'auditor') };

const fieldValue = z.union([z.string().max(2000), z.boolean(), z.null()]);

/**
 * The workstation loads the next requisition ahead of need; it says so with this header, and the
 * access is audited as `requisition.prefetch` (the data did reach the browser) instead of a view.
 * A client that lies about it still leaves an access in the trail: nothing goes unrecorded.
 */
export const PREFETCH_HEADER = 'x-nexession-prefetch';
const prefetch = (req: FastifyRequest) => ({ prefetch: req.headers[PREFETCH_HEADER] === '1' });

export async function reviewRoutes(app: FastifyInstance, opts: { review: ReviewService }): Promise<void> {
  const svc = opts.review;
  type IdParams = { Params: { id: string } };

  // Passive: the workstation polls it; polling is not a person's activity.
  app.get('/api/queue', { config: { access: { kind: 'roles', roles: ['reviewer', 'lead_reviewer'], passive: true, breakGlass: true } } }, async (req) => ({ items: await svc.queue(req.rc, sessionOf(req)) }));

  app.post<IdParams>('/api/requisitions/:id/claim', { config: REVIEW }, async (req) => {
    await svc.claim(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition'));
    return { ok: true };
  });

  app.get<IdParams>('/api/requisitions/:id', { config: LOOK }, async (req) => svc.detail(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition'), prefetch(req)));

  // A prefetched requisition put on screen: this is its `requisition.view`.
  app.post<IdParams>('/api/requisitions/:id/viewed', { config: REVIEW }, async (req) => {
    await svc.viewed(req.rc, uuidParam(req.params.id, 'requisition'));
    return { ok: true };
  });

  // Where a requisition stands, without PHI: what a released one shows when opened again (any role).
  app.get<IdParams>('/api/requisitions/:id/summary', { config: { access: rolesOrBreakGlass('reviewer', 'lead_reviewer', 'admin', 'auditor') } }, async (req) =>
    svc.summary(uuidParam(req.params.id, 'requisition')),
  );

  app.get<{ Params: { id: string; page: string } }>('/api/requisitions/:id/pages/:page/image', { config: LOOK }, async (req, reply) => {
    const page = Number(req.params.page);
    if (!Number.isInteger(page) || page < 0) return reply.status(404).send({ error: { code: 'not_found', message: 'no such page' } });
    const png = await svc.pageImage(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition'), page, prefetch(req));
    return reply.type('image/png').send(png);
  });

  app.get<{ Params: { id: string; key: string } }>('/api/requisitions/:id/fields/:key/crop', { config: LOOK }, async (req, reply) => {
    const png = await svc.fieldCrop(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition'), req.params.key, prefetch(req));
    return reply.type('image/png').send(png);
  });

  app.get<{ Params: { id: string; key: string } }>('/api/requisitions/:id/fields/:key/recompute', { config: LOOK }, async (req) =>
    svc.recomputeCheckbox(req.rc, uuidParam(req.params.id, 'requisition'), req.params.key),
  );

  app.post<{ Params: { id: string; key: string } }>('/api/requisitions/:id/fields/:key/review', { config: REVIEW }, async (req) => {
    const body = parseBody(
      z.object({ action: z.enum(['confirm', 'correct', 'absent_on_source']), value: fieldValue.optional(), acknowledgeFlags: z.boolean().optional() }),
      req.body,
    );
    return svc.reviewField(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition'), req.params.key, body);
  });

  app.post<IdParams>('/api/requisitions/:id/identity', { config: REVIEW }, async (req) => {
    const body = parseBody(z.object({ identifiers: z.array(z.string().max(32)).max(10) }), req.body);
    return svc.confirmIdentity(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition'), body.identifiers);
  });

  app.post<IdParams>('/api/requisitions/:id/release', { config: REVIEW }, async (req) => svc.release(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition')));

  app.post<IdParams>('/api/requisitions/:id/escalate', { config: REVIEW }, async (req) => {
    const body = parseBody(z.object({ reason: z.string().trim().min(1).max(1000) }), req.body);
    return svc.escalate(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition'), body.reason);
  });

  app.post<IdParams>('/api/requisitions/:id/reject', { config: { access: roles('lead_reviewer') } }, async (req) => {
    const body = parseBody(z.object({ reason: z.string().trim().min(1).max(1000) }), req.body);
    return svc.reject(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition'), body.reason);
  });

  app.post<IdParams>('/api/requisitions/:id/classify', { config: REVIEW }, async (req) => {
    const body = parseBody(z.object({ templateId: z.string().min(1).max(64), version: z.number().int().positive() }), req.body);
    return svc.classify(req.rc, sessionOf(req), uuidParam(req.params.id, 'requisition'), body.templateId, body.version);
  });

  app.get<IdParams>('/api/requisitions/:id/next', { config: REVIEW }, async (req) => ({ id: await svc.next(sessionOf(req), uuidParam(req.params.id, 'requisition')) }));
}
