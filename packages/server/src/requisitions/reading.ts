/**
 * The reading job: a stored document through the reader, into sealed page images, readings and
 * requisitions (one per recognised form instance; unrecognised pages become a requisition a
 * person classifies). Everything is written in one transaction guarded by the document's state,
 * so a job that crashed half way and runs again writes it exactly once.
 */
import type { PageReading, TemplateInput } from '@nexession/reader';
import type { LabForm } from '@nexession/forms';
import { randomUUID } from 'node:crypto';
import { recordAudit, serviceContext } from '../audit/audit.ts';
import { plainBytes } from '../bytes.ts';
import { readerThreads } from '../config.ts';
import type { AppContext } from '../context.ts';
import { documentBytes } from '../intake/store.ts';
import { publishedForms, type PublishedForm } from '../templates/store.ts';
import { fieldsFromReadings, groupPages, priorityOf, type ReadField } from './fields.ts';
import { sealField } from './values.ts';

export interface ReadingEngine {
  read(bytes: Uint8Array): AsyncIterable<PageReading>;
  close(): Promise<void>;
}

export type ReaderFactory = (templates: TemplateInput[]) => Promise<ReadingEngine>;

/** One engine for the current published set; rebuilt when the set changes. */
export class ReaderCache {
  readonly #factory: ReaderFactory;
  #key = '';
  #engine: Promise<ReadingEngine> | null = null;

  constructor(factory: ReaderFactory) {
    this.#factory = factory;
  }

  async get(forms: PublishedForm[]): Promise<ReadingEngine> {
    const key = forms.map((f) => `${f.id}/${f.version}`).join(',');
    if (this.#engine && key === this.#key) return this.#engine;
    const old = this.#engine;
    this.#key = key;
    this.#engine = this.#factory(forms.map((f) => ({ definition: f.labForm.template, blank: f.blank })));
    this.#engine.catch(() => {
      this.#engine = null;
    });
    if (old) void old.then((e) => e.close()).catch(() => undefined);
    return this.#engine;
  }

  async close(): Promise<void> {
    const e = this.#engine;
    this.#engine = null;
    if (e) await (await e).close().catch(() => undefined);
  }
}

/** The reader package's engine (`createReader`), one reading thread per core unless `READER_THREADS` says otherwise. */
export const realReaderFactory: ReaderFactory = async (templates) => {
  const reader = (await import('@nexession/reader')) as Record<string, unknown>;
  const createReader = reader.createReader as ((o: { templates: TemplateInput[]; threads?: number }) => Promise<ReadingEngine> | ReadingEngine) | undefined;
  if (typeof createReader !== 'function') throw new ReaderUnavailable('the reading engine (createReader) is not available in @nexession/reader yet');
  return createReader({ templates, threads: readerThreads() });
};

export const pageContext = (documentId: string, index: number) => `page:${documentId}:${index}`;

/** The reading engine cannot be started (our own message: safe to log). */
export class ReaderUnavailable extends Error {
  override name = 'ReaderUnavailable';
}

/** A failure that retrying cannot fix (the document cannot be decoded). */
export class UnreadableDocument extends Error {}

export interface ReadOutcome {
  documentId: string;
  requisitions: string[];
  skipped: boolean;
}

export async function readDocument(ctx: AppContext, readers: ReaderCache, documentId: string): Promise<ReadOutcome> {
  const doc = await ctx.db.selectFrom('documents').select(['id', 'status', 'data_key_id', 'received_at']).where('id', '=', documentId).executeTakeFirst();
  if (!doc || doc.status !== 'accepted') return { documentId, requisitions: [], skipped: true };
  const bytes = await documentBytes(ctx, documentId);
  const forms = await publishedForms(ctx);
  const byVersion = new Map(forms.map((f) => [`${f.id}/${f.version}`, f]));
  const engine = await readers.get(forms);
  const pages: PageReading[] = [];
  const pageBlobs = new Map<number, string>();
  try {
    for await (const page of engine.read(plainBytes(bytes))) {
      pages.push(page);
      pageBlobs.set(page.index, await ctx.blobs.put(await ctx.vault.seal(ctx.db, doc.data_key_id, page.image.png, pageContext(documentId, page.index))));
    }
  } catch (err) {
    if ((err as Error).name === 'DecodeError') throw new UnreadableDocument('the document could not be decoded', { cause: err });
    throw err;
  }
  if (pages.length === 0) throw new UnreadableDocument('the document has no pages');

  const groups = groupPages(pages, (id, v) => byVersion.get(`${id}/${v}`)?.labForm.template.pages.length);
  const planned = groups.map((g) => {
    const form = g.kind === 'form' ? byVersion.get(`${g.templateId}/${g.templateVersion}`)! : null;
    const fields = form ? fieldsFromReadings(form.labForm, g.pages) : [];
    return { id: randomUUID(), group: g, form, fields, priority: form ? priorityOf(fields) : { priority: 'routine' as const, unsure: false } };
  });
  const sealedFields = new Map<string, Awaited<ReturnType<typeof sealFieldRow>>[]>();
  for (const p of planned) {
    const rows = [];
    for (const f of p.fields) rows.push(await sealFieldRow(ctx, doc.data_key_id, p.id, f));
    sealedFields.set(p.id, rows);
  }

  const rc = serviceContext('reader');
  const written = await ctx.db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('documents').select('status').where('id', '=', documentId).forUpdate().executeTakeFirstOrThrow();
    if (locked.status !== 'accepted') return false;
    for (const page of pages) {
      await trx
        .insertInto('document_pages')
        .values({
          document_id: documentId,
          page_index: page.index,
          width: page.image.width,
          height: page.image.height,
          dpi: page.image.dpi,
          blob_key: pageBlobs.get(page.index)!,
          source: JSON.stringify(page.source),
          orientation: JSON.stringify(page.orientation),
          classification: JSON.stringify(page.classification),
          registration: page.registration ? JSON.stringify(page.registration) : null,
          gates: JSON.stringify(page.gates),
          flags: JSON.stringify(page.flags),
        })
        .execute();
    }
    for (const p of planned) {
      await trx
        .insertInto('requisitions')
        .values({
          id: p.id,
          document_id: documentId,
          pages: p.group.pages.map((x) => x.index),
          template_id: p.form?.id ?? null,
          template_version: p.form?.version ?? null,
          state: 'ready_for_review',
          priority: p.priority.priority,
          priority_unsure: p.priority.unsure,
          needs_classification: p.group.kind === 'unrecognised',
          received_at: doc.received_at,
        })
        .execute();
      const rows = sealedFields.get(p.id)!;
      for (let i = 0; i < rows.length; i += 200) await trx.insertInto('requisition_fields').values(rows.slice(i, i + 200)).execute();
    }
    await trx.updateTable('documents').set({ status: 'read', page_count: pages.length }).where('id', '=', documentId).execute();
    await recordAudit(trx, ctx.vault, rc, {
      action: 'document.read',
      objectType: 'document',
      objectId: documentId,
      details: { pages: pages.length, requisitions: planned.length, unrecognisedPages: pages.filter((x) => x.classification.kind !== 'template').length },
    });
    for (const p of planned) {
      await recordAudit(trx, ctx.vault, rc, {
        action: 'requisition.create',
        objectType: 'requisition',
        objectId: p.id,
        details: {
          documentId,
          template: p.form ? `${p.form.id}/${p.form.version}` : null,
          pages: p.group.pages.map((x) => x.index),
          fields: p.fields.length,
          flagged: p.fields.filter((f) => f.flags.length > 0).length,
          priority: p.priority.priority,
        },
      });
    }
    return true;
  });
  if (!written) return { documentId, requisitions: [], skipped: true };
  ctx.log.info({ documentId, requisitions: planned.map((p) => p.id), pages: pages.length }, 'document read');
  return { documentId, requisitions: planned.map((p) => p.id), skipped: false };
}

async function sealFieldRow(ctx: AppContext, dataKeyId: string, requisitionId: string, f: ReadField) {
  return {
    requisition_id: requisitionId,
    key: f.key,
    label: f.label,
    section: f.section,
    ord: f.order,
    kind: f.kind,
    role: f.role,
    meaning: JSON.stringify(f.meaning),
    page: f.page,
    region: JSON.stringify(f.region),
    method: f.method,
    machine_value: await sealField(ctx, dataKeyId, requisitionId, f.key, 'machine', f.machineValue),
    value: null,
    confidence: f.confidence,
    checkbox: f.checkbox ? JSON.stringify(f.checkbox) : null,
    evidence: await sealField(ctx, dataKeyId, requisitionId, f.key, 'evidence', f.evidence),
    flags: await sealField(ctx, dataKeyId, requisitionId, f.key, 'flags', f.flags),
    flag_count: f.flags.length,
  };
}

/** Marks a document that cannot be read, so it leaves the pipeline visibly (admins see it). */
export async function markReadFailed(ctx: AppContext, documentId: string, reason: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('documents').set({ status: 'read_failed', read_error: reason }).where('id', '=', documentId).where('status', '=', 'accepted').returning('id').executeTakeFirst();
    if (r) await recordAudit(trx, ctx.vault, serviceContext('reader'), { action: 'document.read_failed', objectType: 'document', objectId: documentId, details: { reason } });
  });
  ctx.log.warn({ documentId }, 'document could not be read');
}

export type { LabForm };
