/**
 * Sets up packages/reader the way the server will: every form of the set as a template (the
 * drawn forms with their own definitions, the Ontario form made from its blank and OSCAR map by
 * the reader's `templateFromOscarMap`), one reader with a worker pool.
 */
import * as readerModule from '@nexession/reader';
import type { Reader, ReaderOptions, TemplateDefinition, TemplateInput } from '@nexession/reader';
import { type FormId, loadFormSource } from '../forms/sources.ts';

type CreateReader = (options: ReaderOptions) => Reader | Promise<Reader>;

/** The reader's entry point, when the reader exports one yet. */
export function readerEntryPoint(): CreateReader | null {
  const fn = (readerModule as Record<string, unknown>).createReader;
  return typeof fn === 'function' ? (fn as CreateReader) : null;
}

export async function templatesFor(forms: readonly FormId[]): Promise<TemplateInput[]> {
  const out: TemplateInput[] = [];
  for (const id of forms) {
    const source = await loadFormSource(id);
    let definition: TemplateDefinition;
    if (source.template) definition = source.template;
    else if (source.oscarMap) {
      definition = await readerModule.templateFromOscarMap(source.oscarMap, source.blankPdf, { id: source.templateId, version: source.templateVersion, name: 'Ontario Laboratory Requisition 4422-84 (2010/09)' });
    } else throw new Error(`no template for ${id}`);
    out.push({ definition, blank: source.blankPdf });
  }
  return out;
}

export async function openReader(forms: readonly FormId[], opts: { threads?: number } = {}): Promise<Reader> {
  const create = readerEntryPoint();
  if (!create) throw new Error('packages/reader does not export createReader yet');
  const templates = await templatesFor(forms);
  return create({ templates, ...(opts.threads !== undefined ? { threads: opts.threads } : {}) });
}
