/**
 * Fonts for filling forms, bundled from npm (@fontsource, SIL OFL 1.1) and registered with
 * @napi-rs/canvas from the package files: nothing is downloaded at run time and no system font is
 * needed. Typed values look like EMR printouts and typewriters; hand-style values use script-like
 * fonts that the painter jitters glyph by glyph.
 */
import { GlobalFonts, createCanvas } from '@napi-rs/canvas';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface FontFace {
  /** Family name registered with the canvas. */
  family: string;
  style: 'typed' | 'hand';
  package: string;
  file: string;
  weight: 400 | 700;
}

const FACES: readonly FontFace[] = [
  { family: 'NX Arimo', style: 'typed', package: '@fontsource/arimo', file: 'arimo-latin-400-normal.woff2', weight: 400 },
  { family: 'NX Arimo Bold', style: 'typed', package: '@fontsource/arimo', file: 'arimo-latin-700-normal.woff2', weight: 700 },
  { family: 'NX Tinos', style: 'typed', package: '@fontsource/tinos', file: 'tinos-latin-400-normal.woff2', weight: 400 },
  { family: 'NX Cousine', style: 'typed', package: '@fontsource/cousine', file: 'cousine-latin-400-normal.woff2', weight: 400 },
  { family: 'NX Courier Prime', style: 'typed', package: '@fontsource/courier-prime', file: 'courier-prime-latin-400-normal.woff2', weight: 400 },
  { family: 'NX Caveat', style: 'hand', package: '@fontsource/caveat', file: 'caveat-latin-500-normal.woff2', weight: 400 },
  { family: 'NX Patrick Hand', style: 'hand', package: '@fontsource/patrick-hand', file: 'patrick-hand-latin-400-normal.woff2', weight: 400 },
  { family: 'NX Kalam', style: 'hand', package: '@fontsource/kalam', file: 'kalam-latin-400-normal.woff2', weight: 400 },
];

let registered = false;

export function registerFonts(): void {
  if (registered) return;
  for (const f of FACES) {
    const dir = path.dirname(require.resolve(`${f.package}/package.json`));
    const key = GlobalFonts.registerFromPath(path.join(dir, 'files', f.file), f.family);
    if (!key) throw new Error(`could not register font ${f.family} from ${f.package}`);
  }
  registered = true;
}

export const TYPED_FACES = FACES.filter((f) => f.style === 'typed' && f.weight === 400);
export const HAND_FACES = FACES.filter((f) => f.style === 'hand');
export const BOLD_TYPED = FACES.find((f) => f.family === 'NX Arimo Bold')!;

const capRatios = new Map<string, number>();

/** Cap height / font size of a family, measured on the canvas (handwriting fonts differ a lot). */
export function capRatio(family: string): number {
  let r = capRatios.get(family);
  if (r === undefined) {
    registerFonts();
    const ctx = createCanvas(8, 8).getContext('2d');
    ctx.font = `100px "${family}"`;
    r = ctx.measureText('H').actualBoundingBoxAscent / 100;
    capRatios.set(family, r);
  }
  return r;
}
