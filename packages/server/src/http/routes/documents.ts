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
