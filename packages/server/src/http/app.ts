/**
 * The HTTPS application: Fastify with one encapsulated plugin per area, access control that
 * denies by default, security headers, and the web app's built files at `/`.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { HttpError } from '../auth/errors.ts';
import { redactUrl } from '../logging.ts';
import type { AppContext } from '../context.ts';
import { registerAccessControl, type Access } from './access.ts';
import type { JobSender } from '../intake/store.ts';
import { authRoutes } from './routes/auth.ts';
import { breakGlassRoutes } from './routes/breakglass.ts';
import { exportRoutes } from './routes/export.ts';
import { documentRoutes } from './routes/documents.ts';
import { adminRoutes } from './routes/admin.ts';
import { reviewRoutes } from './routes/review.ts';
import type { ReviewService } from '../requisitions/review.ts';
import { userRoutes } from './routes/users.ts';
import { registerSecurityHeaders } from './security.ts';
import { HTTPS_TLS_OPTIONS } from './tls.ts';

export interface AppOptions {
  /** Sends durable jobs inside a transaction (pg-boss). */
  jobs: JobSender;
  review: ReviewService;
  https?: { key: string | Buffer; cert: string | Buffer } | null;
  /** Folder of the built web app (`packages/web/dist`); null serves the API only. */
  webDist?: string | null;
  /** The public base URL for links the server prints or returns (invites). */
  baseUrl: () => string;
  /** Further encapsulated plugins (areas), registered after the core ones. */
  plugins?: { plugin: FastifyPluginAsync<PluginOpts>; name: string }[];
}

export interface RouteInfo {
  method: string;
  url: string;
  access: Access | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteInfo[];
  }
}

export type PluginOpts = { ctx: AppContext; baseUrl: () => string; jobs: JobSender; review: ReviewService };

export async function buildApp(ctx: AppContext, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.https ? { https: { key: opts.https.key, cert: opts.https.cert, ...HTTPS_TLS_OPTIONS } } : {}),
    loggerInstance: ctx.log,
    // Fastify's own request lines carry the raw URL (one-time setup tokens included) at info:
    // requests are logged below instead, redacted, at debug.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  // Every route with its access rule, for the security tests that call each as every role.
  const routeTable: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    const access = r.config?.access;
    // Break-glass grants reading only: a route that changes anything can never be opened by it.
    if (access?.kind === 'roles' && access.breakGlass && methods.some((m) => m !== 'GET' && m !== 'HEAD')) {
      throw new Error(`break-glass may open GET routes only, not ${methods.join('/')} ${r.url}`);
    }
    for (const m of methods) if (m !== 'HEAD') routeTable.push({ method: m, url: r.url, access });
  });
  app.decorate('routeTable', routeTable);
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug(
      { method: req.method, url: redactUrl(req.url), route: req.routeOptions.url ?? null, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  await app.register(fastifyCookie);
  registerSecurityHeaders(app);
  registerAccessControl(app, ctx);

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, ...(err.extra ?? {}) } });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      // The error's name and code only: messages of lower layers can quote values.
      req.log.error({ err: { type: err.name, code: err.code } }, 'request failed');
      return reply.status(500).send({ error: { code: 'internal', message: 'something went wrong; the request id is in the X-Request-Id header' } });
    }
    const code = status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    return reply.status(status).send({ error: { code, message: status === 413 ? 'the body is too large' : 'the request could not be read' } });
  });

  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || !opts.webDist) {
      return reply.status(404).send({ error: { code: 'not_found', message: 'no such route' } });
    }
    // Client-side routes (/, /review/<id>, /setup/<token>) all load the app shell.
    return reply.type('text/html').sendFile('index.html');
  });

  const pluginOpts: PluginOpts = { ctx, baseUrl: opts.baseUrl, jobs: opts.jobs, review: opts.review };
  await app.register(authRoutes, pluginOpts);
  await app.register(userRoutes, pluginOpts);
  await app.register(documentRoutes, pluginOpts);
  await app.register(reviewRoutes, pluginOpts);
  await app.register(adminRoutes, pluginOpts);
  await app.register(breakGlassRoutes, pluginOpts);
  await app.register(exportRoutes, pluginOpts);
  for (const p of opts.plugins ?? []) await app.register(p.plugin, pluginOpts);

  if (opts.webDist && fs.existsSync(path.join(opts.webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: path.resolve(opts.webDist), index: ['index.html'], wildcard: false, cacheControl: false });
  } else {
    opts.webDist = null;
    app.get('/', { config: { access: { kind: 'public' } } }, async (_req, reply) =>
      reply.type('text/plain').send('Nexession API is running; the web app is not built (npm run build -w @nexession/web).'),
    );
  }
  return app;
}
