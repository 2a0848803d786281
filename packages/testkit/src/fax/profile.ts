/**
 * How a page travels from paper to the lab: the channel (fax fine or standard, scanner at 200 or
 * 300 dpi, grey or bilevel) and what goes wrong on the way. Chosen from a seed, recorded in the
 * ground truth, applied by `simulate.ts`.
 */
import type { Rng } from '../random.ts';

export const CHANNELS = ['fax-fine', 'fax-standard', 'scan-300-grey', 'scan-200-grey', 'scan-300-bw', 'scan-200-bw'] as const;
export type Channel = (typeof CHANNELS)[number];

export const OUTPUT_FORMATS = ['tiff-g4', 'tiff-g3', 'pdf', 'png', 'jpeg'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type Severity = 'clean' | 'typical' | 'harsh';

export interface ChannelSpec {
  xDpi: number;
  yDpi: number;
  bilevel: boolean;
  fax: boolean;
  /** Fixed output width in pixels (fax: 1728 across the scan line). */
  widthPx?: number;
}

export const CHANNEL_SPECS: Record<Channel, ChannelSpec> = {
  'fax-fine': { xDpi: 204, yDpi: 196, bilevel: true, fax: true, widthPx: 1728 },
  'fax-standard': { xDpi: 204, yDpi: 98, bilevel: true, fax: true, widthPx: 1728 },
  'scan-300-grey': { xDpi: 300, yDpi: 300, bilevel: false, fax: false },
  'scan-200-grey': { xDpi: 200, yDpi: 200, bilevel: false, fax: false },
  'scan-300-bw': { xDpi: 300, yDpi: 300, bilevel: true, fax: false },
  'scan-200-bw': { xDpi: 200, yDpi: 200, bilevel: true, fax: false },
};

export interface Profile {
  channel: Channel;
  severity: Severity;
  format: OutputFormat;
  /** Skew of the page on the feeder, degrees (positive: clockwise on the image). */
  skewDeg: number;
  /** Print and feed scale per axis. */
  scaleX: number;
  scaleY: number;
  /** Where the page sits, mm. */
  offsetXMm: number;
  offsetYMm: number;
  upsideDown: boolean;
  /** Bilevel threshold (grey below it turns black), or halftone dithering instead of a threshold. */
  threshold: number;
  halftone: boolean;
  /** Slight optical blur before binarisation, in source pixels (0 = none). */
  blur: number;
  /** Share of pixels flipped at random. */
  saltPepper: number;
  /** Share of dark pixels where a stroke breaks. */
  brokenStrokes: number;
  /** x positions of vertical streaks as a share of the width, with their widths in mm. */
  streaks: { at: number; widthMm: number; from: number; to: number }[];
  /** The sending machine's header line across the top. */
  headerLine: boolean;
  /** Share of the page height that arrives (1 = the whole page). */
  keptHeight: number;
  /** Grey scans: paper tone and noise. */
  paper: number;
  greyNoise: number;
  jpegQuality: number;
}

export interface ProfileRequest {
  channel?: Channel;
  severity?: Severity;
  format?: OutputFormat;
  upsideDown?: boolean;
}

export function chooseProfile(rng: Rng, req: ProfileRequest = {}): Profile {
  const channel = req.channel ?? rng.weighted([['fax-fine', 30], ['fax-standard', 25], ['scan-300-grey', 10], ['scan-200-grey', 10], ['scan-300-bw', 10], ['scan-200-bw', 15]] as const);
  const spec = CHANNEL_SPECS[channel];
  const severity = req.severity ?? rng.weighted([['clean', 20], ['typical', 55], ['harsh', 25]] as const);
  const harsh = severity === 'harsh';
  const clean = severity === 'clean';
  const skewMax = clean ? 0.3 : harsh ? 3 : 1.2;
  const scaleDev = clean ? 0.003 : harsh ? 0.03 : 0.012;
  const offMax = clean ? 1 : harsh ? 5 : 2.5;
  const format: OutputFormat =
    req.format ??
    (spec.fax
      ? rng.weighted([['tiff-g4', 45], ['tiff-g3', 35], ['pdf', 20]] as const)
      : spec.bilevel
        ? rng.weighted([['tiff-g4', 40], ['pdf', 40], ['png', 20]] as const)
        : rng.weighted([['pdf', 40], ['png', 30], ['jpeg', 30]] as const));
  const streakCount = harsh && rng.chance(0.35) ? rng.int(1, 3) : !clean && rng.chance(0.04) ? 1 : 0;
  const streaks = Array.from({ length: streakCount }, () => {
    const from = rng.chance(0.6) ? 0 : rng.range(0, 0.6);
    return { at: rng.range(0.05, 0.95), widthMm: rng.range(0.15, 0.6), from, to: rng.chance(0.6) ? 1 : rng.range(from + 0.2, 1) };
  });
  return {
    channel,
    severity,
    format,
    skewDeg: rng.range(-skewMax, skewMax),
    scaleX: 1 + rng.range(-scaleDev, scaleDev),
    scaleY: 1 + rng.range(-scaleDev, scaleDev) * (spec.fax ? 1.3 : 1),
    offsetXMm: rng.range(-offMax, offMax),
    offsetYMm: rng.range(-offMax, offMax),
    upsideDown: req.upsideDown ?? rng.chance(0.05),
    threshold: clean ? 140 : rng.range(harsh ? 105 : 120, harsh ? 175 : 160),
    halftone: spec.bilevel && !clean && rng.chance(harsh ? 0.2 : 0.06),
    blur: clean ? 0 : rng.range(0, harsh ? 1.4 : 0.8),
    saltPepper: clean ? 0 : harsh ? rng.range(0.001, 0.008) : rng.chance(0.5) ? rng.range(0.0002, 0.0015) : 0,
    brokenStrokes: clean ? 0 : harsh ? rng.range(0.02, 0.09) : rng.chance(0.2) ? rng.range(0.005, 0.03) : 0,
    streaks,
    headerLine: spec.fax ? rng.chance(0.85) : false,
    keptHeight: !clean && rng.chance(harsh ? 0.15 : 0.03) ? rng.range(0.86, 0.97) : 1,
    paper: spec.bilevel ? 255 : rng.range(232, 252),
    greyNoise: spec.bilevel ? 0 : rng.range(1, harsh ? 9 : 4),
    jpegQuality: rng.int(harsh ? 45 : 65, 92),
  };
}

/** The degradations a page got, as named tags: the benchmark groups its figures by these. */
export function degradationTags(p: Profile): string[] {
  const tags: string[] = [`channel:${p.channel}`, `severity:${p.severity}`, `format:${p.format}`];
  if (Math.abs(p.skewDeg) >= 1) tags.push('skew>=1deg');
  if (Math.abs(p.scaleX - 1) >= 0.015 || Math.abs(p.scaleY - 1) >= 0.015) tags.push('scale>=1.5%');
  if (p.upsideDown) tags.push('upside_down');
  if (p.halftone) tags.push('halftone');
  if (p.saltPepper >= 0.001) tags.push('salt_pepper');
  if (p.brokenStrokes >= 0.01) tags.push('broken_strokes');
  if (p.streaks.length > 0) tags.push('vertical_streaks');
  if (p.headerLine) tags.push('header_line');
  if (p.keptHeight < 1) tags.push('short_page');
  if (p.blur >= 0.7) tags.push('blur');
  return tags;
}
