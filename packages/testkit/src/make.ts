/**
 * One call from a seed to a faxed requisition and its ground truth: pick a synthetic patient,
 * decide what is written, paint it on the blank, send it through a simulated fax or scanner,
 * measure what arrived, and encode the file. Everything derives from (form, seed, options).
 */
import { encodePage } from './fax/encode.ts';
import { type Channel, type OutputFormat, type Profile, type Severity, chooseProfile, degradationTags } from './fax/profile.ts';
import { transmit } from './fax/simulate.ts';
import { type FormId, type FormSource, loadFormSource } from './forms/sources.ts';
import { type FillPlan, type PageStyle, planFill } from './fill/content.ts';
import { MARK_MEANING, type MarkKind } from './fill/marks.ts';
import { paintPage } from './fill/paint.ts';
import { measureTruth } from './measure-truth.ts';
import { type PatientOverrides, type SyntheticPatient, makePatient } from './patients/patient.ts';
import { Rng } from './random.ts';
import { type PageTruth, TRUTH_SCHEMA } from './truth.ts';

export interface MakeRequisitionOptions {
  form: FormId;
  seed: string | number;
  /** Fax resolution: `fine` 204x196 dpi, `standard` 204x98 dpi. Omitted: any channel, scanners included. */
  mode?: 'fine' | 'standard';
  /** A specific channel (overrides `mode`). */
  channel?: Channel;
  format?: OutputFormat;
  severity?: Severity;
  upsideDown?: boolean;
  patient?: PatientOverrides;
  style?: PageStyle;
  stat?: boolean;
  /** Exactly these test checkbox keys are meant to be marked. */
  tests?: string[];
  /** Blank optional fields less (0) or more (>1) often than usual. */
  blankness?: number;
  /** Draw these marks in these boxes (e.g. a crossed-out mark for a test); the truth follows. */
  marks?: Record<string, MarkKind>;
  /** Everything the ordered tests need is written and marks are plain: releasable when read correctly (demos). */
  complete?: boolean;
}

export interface FaxedRequisition {
  bytes: Uint8Array;
  mime: string;
  /** A file name a fax service might use, from the seed (no PHI). */
  fileName: string;
  truth: PageTruth;
  patient: SyntheticPatient;
}

const EXT: Record<OutputFormat, string> = { 'tiff-g4': 'tif', 'tiff-g3': 'tif', pdf: 'pdf', png: 'png', jpeg: 'jpg' };

/** What is written on a requisition, before it is drawn: the same (form, seed, options) as `makeFaxedRequisition`. */
export interface PlannedRequisition {
  source: FormSource;
  patient: SyntheticPatient;
  plan: FillPlan;
  root: Rng;
}

/**
 * Patients of the gynecologic cytology form: nearly all women; the rest men (a trans man with a
 * cervix is screened too), whose sex the form's F / M / Other boxes carry like any other.
 */
const PAP_FEMALE_SHARE = 0.95;

export async function planRequisition(opts: MakeRequisitionOptions): Promise<PlannedRequisition> {
  const source = await loadFormSource(opts.form);
  const root = new Rng(`${opts.form}|${opts.seed}`);
  const patient = makePatient(root.fork('patient'), {
    country: source.country,
    ...(opts.patient ? { overrides: opts.patient } : {}),
    ...(source.id === 'gyn-cytology' ? { femaleShare: PAP_FEMALE_SHARE } : {}),
  });
  const plan = planFill(source, patient, root.fork('plan'), {
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.stat !== undefined ? { stat: opts.stat } : {}),
    ...(opts.tests ? { tests: opts.tests } : {}),
    ...(opts.blankness !== undefined ? { blankness: opts.blankness } : {}),
    ...(opts.complete ? { complete: true } : {}),
  });
  for (const [key, kind] of Object.entries(opts.marks ?? {})) {
    if (!source.targets.some((t) => t.kind === 'checkbox' && t.key === key)) throw new Error(`${source.id} has no checkbox ${key}`);
    plan.boxes.set(key, MARK_MEANING[kind].state === 'marked' || kind === 'crossed-out');
  }
  return { source, patient, plan, root };
}

export async function makeFaxedRequisition(opts: MakeRequisitionOptions): Promise<FaxedRequisition> {
  const { source, patient, plan, root } = await planRequisition(opts);
  const painted = await paintPage(source, plan, root.fork('paint'), opts.marks);
  const channel: Channel | undefined = opts.channel ?? (opts.mode === 'fine' ? 'fax-fine' : opts.mode === 'standard' ? 'fax-standard' : undefined);
  const profile: Profile = chooseProfile(root.fork('profile'), {
    ...(channel ? { channel } : {}),
    ...(opts.severity ? { severity: opts.severity } : {}),
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.upsideDown !== undefined ? { upsideDown: opts.upsideDown } : {}),
  });
  const hrng = root.fork('header');
  const header = profile.headerLine
    ? `${String(hrng.int(1, 12)).padStart(2, '0')}/${String(hrng.int(1, 28)).padStart(2, '0')}/2025 ${String(hrng.int(7, 18)).padStart(2, '0')}:${String(hrng.int(0, 59)).padStart(2, '0')}   FROM: ${patient.provider.clinic.toUpperCase()}   ${patient.provider.fax}   P.001/001`
    : null;
  const sent = transmit(painted, profile, root.fork('transmit'), header);
  const fields = measureTruth(source, plan, painted, sent, profile);
  const encoded = await encodePage({ image: sent.image, xDpi: sent.xDpi, yDpi: sent.yDpi, bilevel: sent.bilevel, jpegQuality: profile.jpegQuality }, profile.format);
  const truth: PageTruth = {
    schema: TRUTH_SCHEMA,
    form: source.id,
    templateId: source.templateId,
    templateVersion: source.templateVersion,
    templatePage: 0,
    seed: String(opts.seed),
    patientId: patient.id,
    pageStyle: plan.style,
    stat: plan.stat,
    output: { format: profile.format, compression: encoded.compression, widthPx: sent.image.width, heightPx: sent.image.height, xDpi: sent.xDpi, yDpi: sent.yDpi, bilevel: sent.bilevel },
    degradations: degradationTags(profile),
    profile,
    transform: sent.forward,
    fields,
  };
  return { bytes: encoded.bytes, mime: encoded.mime, fileName: `${source.id}-${String(opts.seed).replace(/[^\w-]/g, '_')}.${EXT[profile.format]}`, truth, patient };
}

/**
 * The demo's faxes, in order: several forms, fine and standard mode, typed and handwritten, the
 * first one STAT. Each is `complete`: releasable once read correctly (a demo whose first fax
 * cannot be released teaches nothing), while optional fields stay as varied as usual.
 * Every built-in form is in it, the gynecologic cytology one since it asks for the patient's sex
 * (version 2): without it 42 CFR 493.1241(c)(3) failed on every requisition written on it.
 */
const DEMO_PLANS: readonly Omit<MakeRequisitionOptions, 'seed'>[] = ([
  { form: 'demo-outreach', mode: 'fine', format: 'tiff-g4', severity: 'clean', stat: true, style: 'typed' },
  { form: 'second-lab', mode: 'fine', format: 'tiff-g4', severity: 'typical', style: 'typed' },
  { form: 'ontario-2010', mode: 'fine', format: 'tiff-g4', severity: 'clean', style: 'typed' },
  { form: 'gyn-cytology', mode: 'fine', format: 'pdf', severity: 'clean', style: 'hand' },
  { form: 'demo-outreach', mode: 'standard', format: 'tiff-g3', severity: 'typical', style: 'mixed' },
  { form: 'second-lab', mode: 'fine', format: 'pdf', severity: 'clean', style: 'hand' },
  { form: 'demo-outreach', channel: 'scan-300-grey', format: 'pdf', severity: 'clean', style: 'hand' },
] satisfies Omit<MakeRequisitionOptions, 'seed'>[]).map((p): Omit<MakeRequisitionOptions, 'seed'> => ({ ...p, complete: true, upsideDown: false }));

/** The options of the demo's first `count` faxes (the Ontario one needs ../shared/realdata). */
export function demoFaxOptions(count: number, seed: string | number): MakeRequisitionOptions[] {
  return Array.from({ length: count }, (_, i) => ({ ...DEMO_PLANS[i % DEMO_PLANS.length]!, seed: `${seed}-demo-${i}` }));
}

/** A few clean-ish, varied faxes for a demo. The Ontario form is included when ../shared/realdata is there. */
export async function makeDemoFaxes(n: number, seed: string | number): Promise<FaxedRequisition[]> {
  const out: FaxedRequisition[] = [];
  for (const opts of demoFaxOptions(n + DEMO_PLANS.length, seed)) {
    if (out.length >= n) break;
    try {
      out.push(await makeFaxedRequisition(opts));
    } catch (e) {
      if (opts.form === 'ontario-2010' && (e as NodeJS.ErrnoException).code === 'ENOENT') continue; // no realdata here
      throw e;
    }
  }
  return out;
}
