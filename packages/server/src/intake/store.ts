/**
 * Taking a document in: hash, screen, seal with a new data key, store the blob durably, then in
 * one transaction record the document, its audit events and (when accepted) the read job. A
 * crash before the commit leaves at most an orphan sealed blob; after it, the job resumes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { fromKysely } from 'pg-boss';
import { recordAudit, type RequestContext } from '../audit/audit.ts';
import type { AppContext } from '../context.ts';
import { QUEUES } from '../jobs/boss.ts';
import { screenDocument } from './screen.ts';

export interface IntakeResult {
  documentId: string;
  sha256: string;
  status: 'accepted' | 'quarantined';
  reason?: string;
  /** True when the same inbox file had already been stored (a restart after a crash). */
  alreadyStored?: boolean;
}

export interface IntakeSource {
  source: 'upload' | 'inbox';
  /** Original file name, if any: sealed (it can name the patient). */
  filename?: string | null;
  submittedBy?: string | null;
  /** Inbox only: identifies the file so a retry after a crash finds the stored copy. */
  intakeKey?: string;
}

/** Sends jobs inside a transaction. Implemented by pg-boss; a stub in tests that need no worker. */
export interface JobSender {
  sendInTransaction(trx: AppContext['db'], queue: string, data: object): Promise<void>;
}

export function bossSender(boss: { send(name: string, data: object, options: object): Promise<unknown> }): JobSender {
  return {
    async sendInTransaction(trx, queue, data) {
      await boss.send(queue, data, { db: fromKysely(trx) });
    },
  };
}

export const documentContext = (documentId: string) => `document:${documentId}`;

export async function intakeDocument(
  ctx: AppContext,
  jobs: JobSender,
  rc: RequestContext,
  bytes: Uint8Array,
  src: IntakeSource,
): Promise<IntakeResult> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (src.intakeKey) {
    const prior = await ctx.db
      .selectFrom('documents')
      .select(['id', 'status', 'quarantine_reason'])
      .where('intake_key', '=', src.intakeKey)
      .executeTakeFirst();
    if (prior) {
      return {
        documentId: prior.id,
        sha256,
        status: prior.status === 'quarantined' ? 'quarantined' : 'accepted',
        ...(prior.quarantine_reason ? { reason: prior.quarantine_reason } : {}),
        alreadyStored: true,
      };
    }
  }
  const screening = await screenDocument(bytes, {
    maxBytes: ctx.config.maxUploadBytes,
    maxPages: ctx.config.maxPages,
    maxPixelsPerPage: ctx.config.maxPagePixels,
  });
  const documentId = randomUUID();
  const dataKeyId = await ctx.vault.createDataKey(ctx.db, 'document');
  const sealed = await ctx.vault.seal(ctx.db, dataKeyId, bytes, documentContext(documentId));
  const blobKey = await ctx.blobs.put(sealed);
  const sourceName = src.filename ? await ctx.vault.sealJson(ctx.db, dataKeyId, src.filename, `${documentContext(documentId)}:name`) : null;
  const status = screening.accepted ? 'accepted' : 'quarantined';
  await ctx.db.transaction().execute(async (trx) => {
    const duplicate = await trx
      .selectFrom('documents')
      .select('id')
      .where('sha256', '=', sha256)
      .orderBy('received_at')
      .limit(1)
      .executeTakeFirst();
    await trx
      .insertInto('documents')
      .values({
        id: documentId,
        received_at: ctx.now(),
        source: src.source,
        source_name: sourceName,
        submitted_by: src.submittedBy ?? null,
        sha256,
        size_bytes: bytes.length,
        format: screening.format,
        page_count: screening.pageCount,
        status,
        quarantine_reason: screening.accepted ? null : screening.reason,
        screening: JSON.stringify(screening.summary),
        data_key_id: dataKeyId,
        blob_key: blobKey,
        duplicate_of: duplicate?.id ?? null,
        intake_key: src.intakeKey ?? null,
      })
      .execute();
    if (screening.accepted) await jobs.sendInTransaction(trx, QUEUES.read, { documentId });
    await recordAudit(trx, ctx.vault, rc, {
      action: 'document.receive',
      objectType: 'document',
      objectId: documentId,
      details: { source: src.source, sha256, bytes: bytes.length, format: screening.format, duplicateOf: duplicate?.id ?? null },
    });
    await recordAudit(trx, ctx.vault, rc, {
      action: screening.accepted ? 'document.accept' : 'document.quarantine',
      objectType: 'document',
      objectId: documentId,
      details: screening.accepted ? { pages: screening.pageCount } : { reason: screening.reason },
    });
  });
  ctx.log.info({ documentId, status, source: src.source }, 'document stored');
  return { documentId, sha256, status, ...(screening.accepted ? {} : { reason: screening.reason }) };
}

/** The stored bytes of a document, opened with its data key. Callers audit the access. */
export async function documentBytes(ctx: AppContext, documentId: string): Promise<Buffer> {
  const row = await ctx.db.selectFrom('documents').select(['blob_key']).where('id', '=', documentId).executeTakeFirstOrThrow();
  return ctx.vault.open(ctx.db, await ctx.blobs.get(row.blob_key), documentContext(documentId));
}

/**
 * Documents that will not reach a reviewer: refused by screening (quarantined) and accepted but
 * unreadable (read_failed). Both must stay in sight of a person, or a faxed order is lost quietly.
 */
export async function listQuarantine(ctx: AppContext, rc: RequestContext) {
  const rows = await ctx.db
    .selectFrom('documents')
    .select(['id', 'received_at', 'sha256', 'status', 'quarantine_reason', 'read_error', 'format', 'size_bytes', 'source'])
    .where('status', 'in', ['quarantined', 'read_failed'])
    .orderBy('received_at', 'desc')
    .limit(500)
    .execute();
  await recordAudit(ctx.db, ctx.vault, rc, { action: 'quarantine.list', objectType: 'document', objectId: 'quarantine', details: { count: rows.length } });
  return rows.map((r) => ({
    id: r.id,
    receivedAt: r.received_at.toISOString(),
    sha256: r.sha256,
    status: r.status as 'quarantined' | 'read_failed',
    reason: r.status === 'quarantined' ? r.quarantine_reason! : `could not be read: ${r.read_error ?? 'reason not recorded'}`,
    format: r.format,
    bytes: Number(r.size_bytes),
    source: r.source,
  }));
}
