/**
 * One call from a seed to a faxed requisition and its ground truth: pick a synthetic patient,
 * decide what is written, paint it on the blank, send it through a simulated fax or scanner,
 * measure what arrived, and encode the file. Everything derives from (form, seed, options).
 */
import { encodePage } from './fax/encode.ts';
import { type Channel, type OutputFormat, type Profile, type Severity, chooseProfile, degradationTags } from './fax/profile.ts';
import { transmit } from './fax/simulate.ts';
import { type FormId, loadFormSource } from './forms/sources.ts';
import { type PageStyle, planFill } from './fill/content.ts';
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

export async function makeFaxedRequisition(opts: MakeRequisitionOptions): Promise<FaxedRequisition> {
  const source = await loadFormSource(opts.form);
  const root = new Rng(`${opts.form}|${opts.seed}`);
  const patient = makePatient(root.fork('patient'), opts.patient ? { country: source.country, overrides: opts.patient } : { country: source.country });
  const plan = planFill(source, patient, root.fork('plan'), {
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.stat !== undefined ? { stat: opts.stat } : {}),
    ...(opts.tests ? { tests: opts.tests } : {}),
    ...(opts.blankness !== undefined ? { blankness: opts.blankness } : {}),
  });
  for (const [key, kind] of Object.entries(opts.marks ?? {})) {
    if (!source.targets.some((t) => t.kind === 'checkbox' && t.key === key)) throw new Error(`${source.id} has no checkbox ${key}`);
    plan.boxes.set(key, MARK_MEANING[kind].state === 'marked' || kind === 'crossed-out');
  }
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
 * A few clean-ish, varied faxes for a demo: several forms, fine and standard mode, typed and
 * handwritten, the first one STAT. The Ontario form is included when ../shared/realdata is there.
 */
export async function makeDemoFaxes(n: number, seed: string | number): Promise<FaxedRequisition[]> {
  const plans: Omit<MakeRequisitionOptions, 'seed'>[] = [
    { form: 'demo-outreach', mode: 'fine', format: 'tiff-g4', severity: 'clean', stat: true, style: 'typed' },
    { form: 'demo-outreach', mode: 'standard', format: 'tiff-g3', severity: 'typical', style: 'mixed' },
    { form: 'gyn-cytology', mode: 'fine', format: 'pdf', severity: 'clean', style: 'hand' },
    { form: 'second-lab', mode: 'fine', format: 'tiff-g4', severity: 'typical', style: 'typed' },
    { form: 'ontario-2010', mode: 'fine', format: 'tiff-g4', severity: 'clean', style: 'typed' },
    { form: 'demo-outreach', channel: 'scan-300-grey', format: 'pdf', severity: 'clean', style: 'hand' },
  ];
  const out: FaxedRequisition[] = [];
  for (let i = 0; out.length < n && i < n + plans.length; i++) {
    const plan = plans[i % plans.length]!;
    try {
      out.push(await makeFaxedRequisition({ ...plan, upsideDown: false, seed: `${seed}-demo-${i}` }));
    } catch (e) {
      if (plan.form === 'ontario-2010' && (e as NodeJS.ErrnoException).code === 'ENOENT') continue; // no realdata here
      throw e;
    }
  }
  return out;
}
