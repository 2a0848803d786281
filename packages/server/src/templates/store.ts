/**
 * Form templates: the built-in forms seeded on first start (their blank PDFs stored sealed),
 * administrator uploads (blank + OSCAR map + meanings, or a LabForm JSON) as new draft versions,
 * publication, and the published set the reader works with. A version is immutable once
 * published or used (a database trigger enforces it).
 */
import { createHash } from 'node:crypto';
import { builtInForms, labFormProblems, ontarioLabForm, type LabFieldMeaning, type LabForm } from '@nexession/forms';
import { decodePages, sniffFormat, templateFromOscarMap } from '@nexession/reader';
import { sql } from 'kysely';
import { recordAudit, serviceContext, type RequestContext } from '../audit/audit.ts';
import { plainBytes } from '../bytes.ts';
import { badRequest, conflict, notFound } from '../auth/errors.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/schema.ts';

export interface PublishedForm {
  id: string;
  version: number;
  name: string;
  labForm: LabForm;
  blank: Uint8Array;
}

const blankContext = (id: string, version: number) => `template:${id}:${version}:blank`;

async function storeBlank(ctx: AppContext, db: Executor, id: string, version: number, blank: Uint8Array) {
  const keyId = await ctx.vault.createDataKey(db, 'template');
  const blobKey = await ctx.blobs.put(await ctx.vault.seal(db, keyId, blank, blankContext(id, version)));
  return {
    blank_blob_key: blobKey,
    blank_data_key_id: keyId,
    blank_sha256: createHash('sha256').update(blank).digest('hex'),
    blank_format: sniffFormat(blank) ?? 'unknown',
  };
}

/** Inserts each built-in form's current version once (first start, and when a new one ships). */
export async function seedBuiltInTemplates(ctx: AppContext): Promise<string[]> {
  const seeded: string[] = [];
  for (const form of builtInForms) {
    const { id, version, name } = form.labForm.template;
    const exists = await ctx.db.selectFrom('templates').select('id').where('id', '=', id).where('version', '=', version).executeTakeFirst();
    if (exists) continue;
    const blank = await form.drawBlank();
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('templates')
        .values({
          id,
          version,
          name,
          form: JSON.stringify(form.labForm),
          source: 'builtin',
          status: 'published',
          published_at: ctx.now(),
          ...(await storeBlank(ctx, trx, id, version, blank)),
        })
        .onConflict((oc) => oc.columns(['id', 'version']).doNothing())
        .execute();
      await trx
        .updateTable('templates')
        .set({ status: 'retired' })
        .where('id', '=', id)
        .where('version', '<', version)
        .where('status', '=', 'published')
        .execute();
      await recordAudit(trx, ctx.vault, serviceContext('seed'), { action: 'template.seed', objectType: 'template', objectId: `${id}/${version}` });
    });
    seeded.push(`${id}/${version}`);
  }
  return seeded;
}

export async function publishedForms(ctx: AppContext): Promise<PublishedForm[]> {
  const rows = await ctx.db.selectFrom('templates').selectAll().where('status', '=', 'published').orderBy('id').execute();
  const out: PublishedForm[] = [];
  for (const r of rows) {
    if (!r.blank_blob_key) continue;
    const blank = await ctx.vault.open(ctx.db, await ctx.blobs.get(r.blank_blob_key), blankContext(r.id, r.version));
    out.push({ id: r.id, version: r.version, name: r.name, labForm: r.form as LabForm, blank: plainBytes(blank) });
  }
  return out;
}

/** The LabForm of one version, whatever its status (requisitions keep their version). */
export async function labFormOf(db: Executor, id: string, version: number): Promise<{ name: string; labForm: LabForm } | null> {
  const r = await db.selectFrom('templates').select(['name', 'form']).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return r ? { name: r.name, labForm: r.form as LabForm } : null;
}

/** One page of a version's blank form as PNG (for drawing the proposal's regions over it). */
export async function blankPagePng(ctx: AppContext, id: string, version: number, page: number, dpi = 100): Promise<Buffer> {
  const r = await ctx.db.selectFrom('templates').select(['blank_blob_key']).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  if (!r?.blank_blob_key) throw notFound('no such template version');
  const blank = await ctx.vault.open(ctx.db, await ctx.blobs.get(r.blank_blob_key), blankContext(id, version));
  let n = 0;
  for await (const p of decodePages(plainBytes(blank), { dpi })) {
    if (n++ === page) {
      const sharp = (await import('sharp')).default;
      return sharp(Buffer.from(p.image.data), { raw: { width: p.image.width, height: p.image.height, channels: 1 } }).png().toBuffer();
    }
  }
  throw notFound('no such page');
}

export async function listTemplates(ctx: AppContext) {
  const rows = await ctx.db
    .selectFrom('templates')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('requisitions')
          .select(['template_id', 'template_version', sql<string>`count(*)`.as('n')])
          .groupBy(['template_id', 'template_version'])
          .as('u'),
      (j) => j.onRef('u.template_id', '=', 'templates.id').onRef('u.template_version', '=', 'templates.version'),
    )
    .select(['templates.id', 'templates.version', 'templates.name', 'templates.status', 'templates.source', 'templates.created_at', 'u.n'])
    .orderBy('templates.id')
    .orderBy('templates.version', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    name: r.name,
    status: r.status,
    source: r.source,
    active: r.status === 'published',
    usedBy: Number(r.n ?? 0),
    createdAt: r.created_at.toISOString(),
  }));
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface TemplateUpload {
  id?: string;
  name?: string;
  blank: Uint8Array;
  /** A whole LabForm (template + meanings + reviewOrder). */
  definition?: LabForm;
  /** An OSCAR coordinate map: the reader makes the template from it and the blank. */
  fieldMap?: string;
  /** Meanings keyed by field key (with `fieldMap`). */
  meanings?: Record<string, LabFieldMeaning>;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'form';
}

/** A new draft version; returns the proposal (the LabForm) and any problems found in it. */
export async function uploadTemplate(ctx: AppContext, rc: RequestContext, up: TemplateUpload) {
  const format = sniffFormat(up.blank);
  if (!format) throw badRequest('bad_blank', 'the blank form must be a PDF, TIFF, PNG or JPEG');
  if (!up.definition && !up.fieldMap) throw badRequest('no_definition', 'send a definition (LabForm JSON) or a fieldMap (OSCAR coordinate map)');
  const name = (up.name ?? up.definition?.template.name ?? 'Uploaded form').trim().slice(0, 200);
  const id = up.id ?? up.definition?.template.id ?? slug(name);
  if (!ID.test(id)) throw badRequest('bad_id', 'template id: lower-case letters, digits, . _ -');
  const last = await ctx.db.selectFrom('templates').select((eb) => eb.fn.max('version').as('v')).where('id', '=', id).executeTakeFirst();
  const version = Number(last?.v ?? 0) + 1;
  let labForm: LabForm;
  if (up.fieldMap) {
    let definition;
    try {
      definition = await templateFromOscarMap(up.fieldMap, plainBytes(up.blank), { id, version, name });
    } catch (err) {
      throw badRequest('bad_field_map', `the field map could not be used: ${(err as Error).message}`);
    }
    labForm = ontarioLabForm(definition, up.meanings ?? {}).labForm;
  } else {
    const d = up.definition!;
    labForm = { ...d, template: { ...d.template, id, version, name } };
  }
  const problems = labFormProblems(labForm);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('templates')
      .values({
        id,
        version,
        name,
        form: JSON.stringify(labForm),
        source: 'upload',
        status: 'draft',
        created_by: rc.actor.type === 'user' ? rc.actor.id : null,
        ...(await storeBlank(ctx, trx, id, version, up.blank)),
      })
      .execute();
    await recordAudit(trx, ctx.vault, rc, {
      action: 'template.upload',
      objectType: 'template',
      objectId: `${id}/${version}`,
      details: { fields: labForm.template.pages.reduce((n, p) => n + p.fields.length, 0), problems: problems.length },
    });
  });
  return { id, version, proposal: labForm, problems };
}

export async function publishTemplate(ctx: AppContext, rc: RequestContext, id: string, version: number): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('templates').select(['status']).where('id', '=', id).where('version', '=', version).forUpdate().executeTakeFirst();
    if (!row) throw notFound('no such template version');
    if (row.status === 'retired') throw conflict('retired', 'this version was retired; upload a new one');
    await trx.updateTable('templates').set({ status: 'published', published_at: ctx.now(), published_by: rc.actor.type === 'user' ? rc.actor.id : null }).where('id', '=', id).where('version', '=', version).execute();
    await trx.updateTable('templates').set({ status: 'retired' }).where('id', '=', id).where('version', '<>', version).where('status', '=', 'published').execute();
    await recordAudit(trx, ctx.vault, rc, { action: 'template.publish', objectType: 'template', objectId: `${id}/${version}` });
  });
}
