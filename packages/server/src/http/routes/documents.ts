/** Intake over HTTP: the raw file as the body; and the quarantine list for administrators. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { intakeDocument, listQuarantine, type JobSender } from '../../intake/store.ts';
import { roles } from '../access.ts';

export async function documentRoutes(app: FastifyInstance, opts: { ctx: AppContext; jobs: JobSender }): Promise<void> {
  const { ctx, jobs } = opts;
  // Any declared type is read as bytes: the type is decided by magic bytes, never by the header.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.config.maxUploadBytes }, (_req, body, done) => done(null, body));

  // Each upload is held in memory (up to the size limit) while it is hashed, screened and sealed:
  // a few at a time, the rest are told to come back, so a burst cannot exhaust memory.
  let inFlight = 0;
  const counted = new WeakSet<object>();
  const release = (req: { raw: object }) => {
    if (counted.delete(req.raw)) inFlight--;
  };
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST' || req.routeOptions.url !== '/api/documents') return;
    if (inFlight >= ctx.config.maxConcurrentUploads) {
      return reply.status(503).header('retry-after', '5').send({ error: { code: 'busy', message: 'other uploads are being stored; try again in a few seconds' } });
    }
    inFlight++;
    counted.add(req.raw);
  });
  app.addHook('onResponse', async (req) => release(req));
  app.addHook('onRequestAbort', async (req) => release(req));

  app.post(
    '/api/documents',
    { config: { access: roles('reviewer', 'lead_reviewer', 'admin') }, bodyLimit: ctx.config.maxUploadBytes },
    async (req, reply) => {
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        return reply.status(400).send({ error: { code: 'empty', message: 'send the file as the request body' } });
      }
      const filename = typeof req.headers['x-filename'] === 'string' ? req.headers['x-filename'].slice(0, 255) : null;
      const result = await intakeDocument(ctx, jobs, req.rc, body, { source: 'upload', filename, submittedBy: req.session!.user.id });
      return reply.status(201).send({
        documentId: result.documentId,
        sha256: result.sha256,
        status: result.status,
        ...(result.reason ? { reason: result.reason } : {}),
      });
    },
  );

  app.get('/api/documents/quarantine', { config: { access: roles('admin') } }, async (req) => ({ items: await listQuarantine(ctx, req.rc) }));
}
