/** The auditor's export of a requisition's whole history as one PDF (auditors, or break-glass). */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../audit/audit.ts';
import { gatherHistory } from '../../audit/export/history.ts';
import { renderHistoryPdf } from '../../audit/export/pdf.ts';
import type { AppContext } from '../../context.ts';
import { rolesOrBreakGlass, sessionOf } from '../access.ts';
import { uuidParam } from '../validate.ts';

export async function exportRoutes(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  const { ctx } = opts;
  app.get<{ Params: { id: string } }>('/api/audit/requisitions/:id/export.pdf', { config: { access: rolesOrBreakGlass('auditor') } }, async (req, reply) => {
    const id = uuidParam(req.params.id, 'requisition');
    const session = sessionOf(req);
    const history = await gatherHistory(ctx, id, session.user.username);
    const pdf = Buffer.from(await renderHistoryPdf(history));
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    // The export is PHI leaving the system: recorded with what exactly left (its hash).
    await recordAudit(ctx.db, ctx.vault, req.rc, {
      action: 'audit.export',
      objectType: 'requisition',
      objectId: id,
      details: { format: 'pdf', bytes: pdf.length, sha256, events: history.audit.length, lastSeq: history.audit.at(-1)?.seq ?? null, chainOk: history.chain.ok },
    });
    ctx.log.info({ requisitionId: id, bytes: pdf.length }, 'requisition history exported');
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="requisition-${id}.pdf"`)
      .header('cache-control', 'no-store')
      .send(pdf);
  });
}
