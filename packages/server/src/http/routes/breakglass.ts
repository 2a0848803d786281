/** Break-glass: open (anyone signed in with MFA), end, the report, and the second person's acknowledgement. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { endBreakGlass, listBreakGlass, openBreakGlass, reviewBreakGlass } from '../../breakglass/breakglass.ts';
import type { AppContext } from '../../context.ts';
import { ANY_ROLE, roles, sessionOf } from '../access.ts';
import { parseBody, uuidParam } from '../validate.ts';

export async function breakGlassRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const REPORT = { access: roles('lead_reviewer', 'admin', 'auditor') };

  app.post('/api/break-glass', { config: { access: roles(...ANY_ROLE) } }, async (req) => {
    const body = parseBody(z.object({ reason: z.string().max(2000), minutes: z.number().int().optional() }), req.body);
    return { breakGlass: await openBreakGlass(ctx, req.rc, sessionOf(req), body) };
  });

  app.post('/api/break-glass/end', { config: { access: roles(...ANY_ROLE) } }, async (req) => {
    await endBreakGlass(ctx, req.rc, sessionOf(req));
    return { ok: true };
  });

  app.get<{ Querystring: { unreviewed?: string } }>('/api/break-glass', { config: REPORT }, async (req) => ({
    items: await listBreakGlass(ctx, req.rc, { unreviewedOnly: req.query.unreviewed === '1' }),
  }));

  app.post<{ Params: { id: string } }>('/api/break-glass/:id/review', { config: REPORT }, async (req) => {
    const body = parseBody(z.object({ note: z.string().max(2000).optional() }), req.body);
    return reviewBreakGlass(ctx, req.rc, sessionOf(req), uuidParam(req.params.id, 'break-glass'), body.note ?? null);
  });
}
