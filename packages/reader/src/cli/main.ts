/**
 * The command line: `read` prints what the reader makes of a document; `explain` recomputes one
 * checkbox decision from the normalised page image, prints the numbers beside the stored ones,
 * and writes the crop a person would look at.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { CheckboxEvidence, CheckboxReading, PageReading, ReaderOptions, TemplateInput } from '../types.ts';
import { decodePngGrey } from '../image/grey.ts';
import { recomputeOnImage } from '../measure/recompute.ts';
import { EDGE_LINE } from '../measure/checkboxDecision.ts';
import { createReader } from '../read/createReader.ts';
import { templateFromOscarMap } from '../template/fromOscarMap.ts';

const USAGE = `nexession-read: the Nexession reading engine

  nexession-read read <file> [template options] [--images DIR] [--embed-images]
      Reads a PDF, TIFF, PNG or JPEG and prints the readings as JSON. Page images are written
      to DIR as page-N.png (--images), embedded as base64 (--embed-images), or summarised by
      their SHA-256.

  nexession-read explain <file> <field> [template options] [--page N] [--crop FILE] [--json]
  nexession-read explain --reading READING.json --page-image PAGE.png <field> [--crop FILE] [--json]
      Recomputes a checkbox decision from the normalised page image and prints the numbers
      next to the stored ones, then writes the crop (default <field>-crop.png).

  template options:
      --template DEF.json --blank BLANK       a template definition and its blank form
      --oscar-map MAP.txt --blank BLANK       the template made from an OSCAR coordinate map
      (repeatable: --template/--oscar-map pairs with --blank in order)
`;

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function main(argv: string[], io: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'read') return await readCommand(rest, io);
    if (cmd === 'explain') return await explainCommand(rest, io);
    io.out(USAGE);
    return cmd === undefined || cmd === 'help' || cmd === '--help' ? 0 : 2;
  } catch (e) {
    io.err(`nexession-read: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

const TEMPLATE_OPTIONS = {
  template: { type: 'string', multiple: true },
  'oscar-map': { type: 'string', multiple: true },
  blank: { type: 'string', multiple: true },
  id: { type: 'string' },
  name: { type: 'string' },
} as const;

async function templatesFrom(values: { template?: string[]; 'oscar-map'?: string[]; blank?: string[]; id?: string; name?: string }): Promise<TemplateInput[]> {
  const blanks = values.blank ?? [];
  const defs = values.template ?? [];
  const maps = values['oscar-map'] ?? [];
  if (defs.length + maps.length !== blanks.length) throw new Error('give one --blank for each --template or --oscar-map');
  const out: TemplateInput[] = [];
  let b = 0;
  for (const d of defs) out.push({ definition: JSON.parse(fs.readFileSync(d, 'utf8')), blank: new Uint8Array(fs.readFileSync(blanks[b++]!)) });
  for (const m of maps) {
    const blank = new Uint8Array(fs.readFileSync(blanks[b++]!));
    const id = values.id ?? path.basename(m).replace(/\.[^.]+$/, '');
    out.push({ definition: await templateFromOscarMap(fs.readFileSync(m, 'utf8'), blank, { id, version: 1, name: values.name ?? id }), blank });
  }
  return out;
}

async function readDocument(file: string, templates: TemplateInput[], opts: Partial<ReaderOptions> = {}): Promise<PageReading[]> {
  const reader = await createReader({ templates, threads: 0, ...opts });
  try {
    const pages: PageReading[] = [];
    for await (const p of reader.read(new Uint8Array(fs.readFileSync(file)))) pages.push(p);
    return pages;
  } finally {
    await reader.close();
  }
}

async function readCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...TEMPLATE_OPTIONS, images: { type: 'string' }, 'embed-images': { type: 'boolean' } } });
  const file = positionals[0];
  if (!file) throw new Error('read: which file?');
  const pages = await readDocument(file, await templatesFrom(values));
  if (values.images) fs.mkdirSync(values.images, { recursive: true });
  const json = pages.map((p) => {
    const { png, ...image } = p.image;
    const sha256 = createHash('sha256').update(png).digest('hex');
    let where: Record<string, string> = {};
    if (values.images) {
      const f = path.join(values.images, `page-${p.index + 1}.png`);
      fs.writeFileSync(f, png);
      where = { pngFile: f };
    }
    if (values['embed-images']) where = { ...where, pngBase64: Buffer.from(png).toString('base64') };
    return { ...p, image: { ...image, pngSha256: sha256, ...where } };
  });
  io.out(`${JSON.stringify({ file: path.basename(file), pages: json }, null, 2)}\n`);
  return 0;
}

async function explainCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...TEMPLATE_OPTIONS, page: { type: 'string' }, crop: { type: 'string' }, json: { type: 'boolean' }, reading: { type: 'string' }, 'page-image': { type: 'string' } },
  });
  let reading: CheckboxReading;
  let png: Uint8Array;
  let key: string;
  if (values.reading) {
    // From stored artefacts: a reading (as JSON) and the stored page image.
    key = positionals[0] ?? '';
    if (!values['page-image']) throw new Error('explain --reading needs --page-image');
    const stored = JSON.parse(fs.readFileSync(values.reading, 'utf8')) as { fields?: unknown[]; pages?: { fields: unknown[] }[] };
    const fields = (stored.fields ?? stored.pages?.[Number(values.page ?? 1) - 1]?.fields ?? []) as CheckboxReading[];
    const r = fields.find((f) => f.key === key);
    if (!r || r.kind !== 'checkbox') throw new Error(`no checkbox "${key}" in ${values.reading}`);
    reading = r;
    png = new Uint8Array(fs.readFileSync(values['page-image']));
  } else {
    const [file, k] = positionals;
    if (!file || !k) throw new Error('explain: which file and which field?');
    key = k;
    const pages = await readDocument(file, await templatesFrom(values), { barcodes: 'off' });
    const page = pages[Number(values.page ?? 1) - 1];
    if (!page) throw new Error(`the document has no page ${values.page ?? 1}`);
    const r = page.fields.find((f) => f.key === key);
    if (!r) throw new Error(`page ${page.index + 1} has no field "${key}" (${page.classification.kind === 'unrecognised' ? 'the page was not recognised' : 'not in its template'})`);
    if (r.kind !== 'checkbox') throw new Error(`"${key}" is a ${r.kind} field; explain recomputes checkboxes`);
    // As stored: through JSON, so nothing but the recorded numbers is used.
    reading = JSON.parse(JSON.stringify(r)) as CheckboxReading;
    png = page.image.png;
  }
  const img = await decodePngGrey(png);
  const again = recomputeOnImage(img, reading.evidence);
  const cropFile = values.crop ?? `${key}-crop.png`;
  const cropRect = await writeCrop(img, reading.evidence, cropFile);
  if (values.json) {
    io.out(`${JSON.stringify({ key, stored: { state: reading.state, flags: reading.flags, evidence: reading.evidence }, recomputed: { dark: again.dark, total: again.total, ratio: again.ratio, score: again.score, state: again.state, matchesStored: again.matchesStored }, crop: { file: cropFile, rect: cropRect } }, null, 2)}\n`);
  } else {
    io.out(describe(key, reading, again, cropFile, cropRect));
  }
  return again.matchesStored ? 0 : 3;
}

async function writeCrop(img: { width: number; height: number; data: Uint8Array }, e: CheckboxEvidence, file: string): Promise<{ x: number; y: number; w: number; h: number }> {
  const m = 24; // 3 mm at 200 dpi
  const x = Math.max(0, e.found.x - m);
  const y = Math.max(0, e.found.y - m);
  const w = Math.min(img.width - x, e.found.w + 2 * m);
  const h = Math.min(img.height - y, e.found.h + 2 * m);
  await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } }).extract({ left: x, top: y, width: w, height: h }).png().toFile(file);
  return { x, y, w, h };
}

function describe(key: string, r: CheckboxReading, again: ReturnType<typeof recomputeOnImage>, cropFile: string, crop: { x: number; y: number; w: number; h: number }): string {
  const e = r.evidence;
  const i = e.interior;
  const b = e.binarisation;
  const lines = [
    `checkbox "${key}"`,
    `  pixels counted:  x ${i.x}..${i.x + i.w - 1}, y ${i.y}..${i.y + i.h - 1} of the normalised page image (${i.w} x ${i.h} = ${e.total})`,
    `  dark pixel:      grey below ${b.threshold}${b.minDarkNeighbours ? `, with at least ${b.minDarkNeighbours} of its 8 neighbours dark too` : ''}`,
    `  dark:            ${again.dark} of ${again.total}            (stored ${e.dark} of ${e.total})`,
    `  ratio:           ${again.ratio}   (stored ${e.ratio})`,
    ...(e.blank ? [`  blank form:      ${e.blank.dark} of ${e.blank.total} = ${e.blank.ratio}`] : []),
    `  score:           ${again.score}   (stored ${e.score})${e.blank ? ' = ratio - blank ratio' : ''}`,
    `  thresholds:      empty up to ${e.thresholds.low}, review up to ${e.thresholds.high}, marked from ${e.thresholds.high}, filled from ${e.thresholds.filled}`,
  ];
  for (const s of again.evidence.surround?.sides ?? []) lines.push(`  around (${s.side}):  ${s.dark} of ${s.total} dark, ${s.ratio.toFixed(4)} - blank ${s.blankRatio.toFixed(4)} = ${s.score.toFixed(4)}`);
  const reach = again.evidence.reach;
  if (reach) {
    const beyond = reach.outside.slice(reach.margin).reduce((a, b) => a + b, 0);
    lines.push(`  ink followed:    ${reach.inside} dark pixels inside (not on the form's print); ${beyond} reached more than ${reach.margin} pixels beyond the box (stroke out of the box from ${reach.minPixels} and ${Math.round(reach.minShare * 1000) / 10} % of inside)   (stored ${e.reach?.outside.slice(reach.margin).reduce((a, b) => a + b, 0)})`);
  }
  const dots = again.evidence.dots;
  if (dots) lines.push(`  every dark px:   ${dots.dark} of ${again.total} (grey below ${b.threshold}, no neighbour rule), blank form ${dots.blankDark}: (${dots.dark} - ${dots.blankDark}) / ${again.total} = ${Math.round(((dots.dark - dots.blankDark) / Math.max(1, again.total)) * 10000) / 10000}; not passed as empty from ${dots.minShare}   (stored ${e.dots?.dark})`);
  const profile = again.evidence.profile;
  if (profile) lines.push(`  dark per row:    ${profile.rows.join(' ')}; per column: ${profile.cols.join(' ')}   (a line along one edge: ${EDGE_LINE.lines} outer lines holding ${EDGE_LINE.minShareOfDark * 100} % of the dark pixels, themselves ${EDGE_LINE.minFill * 100} % dark)`);
  const faint = again.evidence.faint;
  if (faint) lines.push(`  light ink:       ${faint.dark} of ${again.total} (grey from ${b.threshold} to below ${faint.threshold} = paper ${faint.paper} - ${faint.depth}, no darker pixel within ${faint.clearance}, at least ${faint.minNeighbours} such neighbours), blank form ${faint.blankDark}: (${faint.dark} - ${faint.blankDark}) / ${again.total} = ${Math.round(((faint.dark - faint.blankDark) / Math.max(1, again.total)) * 10000) / 10000}; not passed as empty from ${faint.minShare}   (stored ${e.faint?.dark})`);
  const patch = again.evidence.patch;
  if (patch) lines.push(`  largest patch:   ${patch.pixels} touching dark pixels, ${patch.rect.w} x ${patch.rect.h} at ${patch.rect.x},${patch.rect.y} (a stroke from ${patch.strokeLength} long and ${patch.strokePixels} pixels; a trace from ${patch.traceLength} long)   (stored ${e.patch?.pixels})`);
  lines.push(
    `  decision:        ${again.state} by the numbers; stored state ${r.state}${r.flags.length ? `, flagged: ${r.flags.map((f) => f.message).join('; ')}` : ''}`,
    `  numbers match the stored evidence: ${again.matchesStored ? 'yes, exactly' : 'NO'}`,
    `  crop:            ${cropFile} (page x ${crop.x}, y ${crop.y}; counted area at ${i.x - crop.x},${i.y - crop.y} size ${i.w} x ${i.h} in the crop)`,
    '',
  );
  return lines.join('\n');
}
