/**
 * Deny by default: every `/api` route states who may call it in `config.access`, and a route
 * without that rule is refused for everyone. Sessions, CSRF and idle time are checked here.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit, type RequestContext } from '../audit/audit.ts';
import { forbidden, HttpError, unauthorized } from '../auth/errors.ts';
import { resolveSession, touchSession, type Session } from '../auth/sessions.ts';
import { activeBreakGlass } from '../breakglass/breakglass.ts';
import type { AppContext } from '../context.ts';
import type { Role } from '../db/schema.ts';

export type Access =
  /** Anyone, signed in or not (sign-in, setup links). */
  | { kind: 'public' }
  /** A half-signed-in session (password done, TOTP next). */
  | { kind: 'partial' }
  /**
   * A full session (TOTP verified) holding one of the roles. `passive`: does not count as
   * activity. `breakGlass`: also open to a full session with an open break-glass, whatever its
   * roles (GET routes only: `buildApp` refuses it on any other method).
   */
  | { kind: 'roles'; roles: readonly Role[]; passive?: boolean; breakGlass?: boolean };

export const PUBLIC: Access = { kind: 'public' };
export const PARTIAL: Access = { kind: 'partial' };
export const ANY_ROLE: readonly Role[] = ['reviewer', 'lead_reviewer', 'admin', 'auditor'];
export const REVIEWERS: readonly Role[] = ['reviewer', 'lead_reviewer'];
export const roles = (...r: Role[]): Access => ({ kind: 'roles', roles: r });
/** Read routes that break-glass opens to anyone holding it (see `breakglass/breakglass.ts`). */
export const rolesOrBreakGlass = (...r: Role[]): Access => ({ kind: 'roles', roles: r, breakGlass: true });

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    session: Session | null;
    rc: RequestContext;
  }
}

export const SESSION_COOKIE = 'nx_session';
export const CSRF_HEADER = 'x-nexession-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A route of the API (by its pattern, e.g. "/api/requisitions/:id"), as opposed to the app shell. */
export function isApiRoute(pattern: string): boolean {
  return pattern === '/api' || pattern.startsWith('/api/');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sessionOf(req: FastifyRequest): Session {
  if (!req.session) throw unauthorized();
  return req.session;
}

export function registerAccessControl(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('session', null);
  app.decorateRequest('rc', null as unknown as RequestContext);
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    req.rc = { actor: { type: 'anonymous', id: 'anonymous' }, requestId: req.id, sourceIp: req.ip };
    // Decided by the route that matched, never by the raw URL: the router decodes the path, so
    // "/%61pi/users" reaches the "/api/users" handler while its raw URL does not start "/api/".
    const route = req.routeOptions.url;
    if (!route) return; // unknown route: the not-found handler answers
    const access = req.routeOptions.config.access;
    if (!isApiRoute(route)) {
      // The app shell's static files hold no PHI; any other route must still state its rule.
      if (access === undefined) return;
    } else if (!access) throw new HttpError(403, 'no_access_rule', 'this route has no access rule, so it is closed');
    const session = await resolveSession(ctx, req.cookies[SESSION_COOKIE]);
    req.session = session;
    if (session) req.rc = { ...req.rc, actor: { type: 'user', id: session.user.id, sessionId: session.id } };
    if (!access) return;
    if (access.kind === 'public') return;
    if (!session) throw unauthorized();
    if (access.kind === 'partial') {
      if (session.stage !== 'password') throw new HttpError(409, 'already_signed_in', 'already signed in');
      return;
    }
    if (session.stage !== 'full') throw unauthorized('finish signing in with your authenticator code');
    // An open break-glass marks everything this request writes to the audit log; one past its
    // time is closed here, before anything else happens.
    const glass = await activeBreakGlass(ctx, req.rc, session);
    if (glass) req.rc = { ...req.rc, breakGlassId: glass.id };
    // A signed-in person turned away is worth an audit event: it is how a curious insider shows.
    const denied = async (reason: 'role' | 'csrf') =>
      recordAudit(ctx.db, ctx.vault, req.rc, { action: 'access.denied', objectType: 'route', objectId: `${req.method} ${route}`, details: { reason } });
    const byRole = access.roles.some((r) => session.user.roles.includes(r));
    const byGlass = !byRole && access.breakGlass === true && glass !== null && SAFE_METHODS.has(req.method);
    if (!byRole && !byGlass) {
      await denied('role');
      throw forbidden();
    }
    if (!SAFE_METHODS.has(req.method)) {
      const header = req.headers[CSRF_HEADER];
      if (typeof header !== 'string' || !sameSecret(header, session.csrf)) {
        await denied('csrf');
        throw new HttpError(403, 'csrf', `missing or wrong ${CSRF_HEADER} header`);
      }
    }
    if (!access.passive) await touchSession(ctx, session);
  });
}
