/** User administration (admin): list, invite, disable. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createUser, disableUser, listUsers } from '../../auth/users.ts';
import type { AppContext } from '../../context.ts';
import { ROLES, type Role } from '../../db/schema.ts';
import { roles } from '../access.ts';
import { parseBody, uuidParam } from '../validate.ts';

export async function userRoutes(app: FastifyInstance, opts: { ctx: AppContext; baseUrl: () => string }): Promise<void> {
  const { ctx } = opts;
  const admin = { access: roles('admin') };

  app.get('/api/users', { config: admin }, async () => ({ items: await listUsers(ctx) }));

  app.post('/api/users', { config: admin }, async (req) => {
    const body = parseBody(
      z.object({
        username: z.string().min(2).max(64),
        displayName: z.string().max(120).default(''),
        roles: z.array(z.enum(ROLES as [Role, ...Role[]])).min(1),
      }),
      req.body,
    );
    const { user, inviteToken } = await createUser(ctx, req.rc, body);
    return { user, inviteUrl: `${opts.baseUrl()}/setup/${inviteToken}` };
  });

  app.post<{ Params: { id: string } }>('/api/users/:id/disable', { config: admin }, async (req) => {
    await disableUser(ctx, req.rc, uuidParam(req.params.id, 'user'));
    return { ok: true };
  });
}
