/** Sign-in (password then TOTP), sign-out, who am I, keep-alive, and the setup links. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../audit/audit.ts';
import { z } from 'zod';
import { completeTotp, AddressLimiter, loginWithPassword, logout, touchSession } from '../../auth/sessions.ts';
import { confirmTotpWithToken, describeSetupToken, setPasswordWithToken } from '../../auth/users.ts';
import { activeBreakGlass } from '../../breakglass/breakglass.ts';
import type { AppContext } from '../../context.ts';
import { ANY_ROLE, PARTIAL, PUBLIC, SESSION_COOKIE, sessionOf } from '../access.ts';
import { parseBody } from '../validate.ts';

/**
 * Whoever holds a setup link is not signed in: the audit trail names the link ("setup link"),
 * not an anonymous someone, and the event's object is the account being set up.
 */
function viaSetupLink(req: FastifyRequest): RequestContext {
  return { ...req.rc, actor: { type: 'anonymous', id: 'setup link' } };
}

function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
}

export async function authRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  const limiter = new AddressLimiter();

  app.post('/api/auth/login', { config: { access: PUBLIC } }, async (req, reply) => {
    const body = parseBody(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }), req.body);
    const token = await loginWithPassword(ctx, req.rc, limiter, body.username, body.password);
    setSessionCookie(reply, token);
    return { next: 'totp' };
  });

  app.post('/api/auth/totp', { config: { access: PARTIAL } }, async (req, reply) => {
    const body = parseBody(z.object({ code: z.string().min(6).max(10) }), req.body);
    const { token, session } = await completeTotp(ctx, req.rc, sessionOf(req), body.code);
    setSessionCookie(reply, token);
    return { user: session.user };
  });

  app.post('/api/auth/logout', { config: { access: { kind: 'roles', roles: ANY_ROLE, passive: true } } }, async (req, reply) => {
    await logout(ctx, req.rc, sessionOf(req));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/api/auth/me', { config: { access: { kind: 'roles', roles: ANY_ROLE, passive: true } } }, async (req) => {
    const s = sessionOf(req);
    const idleLeft = Math.max(0, ctx.config.idleTimeoutSeconds - Math.floor((ctx.now().getTime() - s.lastSeenAt.getTime()) / 1000));
    return {
      user: s.user,
      csrf: s.csrf,
      idleTimeoutSeconds: ctx.config.idleTimeoutSeconds,
      idleWarningSeconds: ctx.config.idleWarningSeconds,
      idleRemainingSeconds: idleLeft,
      // Shown on every screen while open: a red banner with the time left and an end button.
      breakGlass: await activeBreakGlass(ctx, req.rc, s),
      breakGlassMinutes: { default: ctx.config.breakGlassMinutes, max: ctx.config.breakGlassMaxMinutes },
    };
  });

  app.post('/api/auth/keepalive', { config: { access: { kind: 'roles', roles: ANY_ROLE, passive: true } } }, async (req) => {
    await touchSession(ctx, sessionOf(req), true);
    return { ok: true };
  });

  app.get<{ Params: { token: string } }>('/api/setup/:token', { config: { access: PUBLIC } }, async (req) => {
    const d = await describeSetupToken(ctx, req.params.token);
    return d;
  });

  app.post<{ Params: { token: string } }>('/api/setup/:token/password', { config: { access: PUBLIC } }, async (req) => {
    const body = parseBody(
      z.object({ username: z.string().max(64).optional(), displayName: z.string().max(120).optional(), password: z.string().min(1).max(256) }),
      req.body,
    );
    const { replacesEarlierSecret, ...totp } = await setPasswordWithToken(ctx, viaSetupLink(req), req.params.token, body);
    return { totp, replacesEarlierSecret };
  });

  app.post<{ Params: { token: string } }>('/api/setup/:token/totp', { config: { access: PUBLIC } }, async (req) => {
    const body = parseBody(z.object({ code: z.string().min(6).max(10) }), req.body);
    await confirmTotpWithToken(ctx, viaSetupLink(req), req.params.token, body.code);
    return { ok: true };
  });
}
