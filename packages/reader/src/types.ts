/**
 * The reader's public contract. Everything the server stores about a reading, and everything
 * an auditor needs to recompute a decision, is in these types. Changing them is a cross-package
 * change: update the server and testkit in the same commit.
 *
 * Coordinates: templates are in millimetres from the top-left corner of the page (y down).
 * Readings are in pixels of the *normalised page image* (`PageImage`), which is the image the
 * server stores and the image `explain` recomputes from. Pixels of that image are square.
 */

export interface RectMm {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface RectPx {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** 8-bit grey, one byte per pixel, row-major, 0 = black, 255 = white. */
export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/** How a text field's characters are constrained and checked. Never used to change a value. */
export type TextType =
  | 'name'
  | 'date' // any written date; the reader reports the text as written, with a parsed ISO form when unambiguous
  | 'time'
  | 'icd10_list'
  | 'npi'
  | 'phone'
  | 'address'
  | 'postal_code'
  | 'identifier' // MRN, health number, member id: letters, digits, spaces and dashes
  | 'digits'
  | 'sex'
  | 'free';

export interface TemplateFieldBase {
  /** Stable key within the template, e.g. "patient_last_name", "b_tsh". */
  key: string;
  /** The label printed on the form next to the field, as printed. */
  label: string;
  /** Where the field is on the blank form. For a checkbox: the box (or cell) itself. */
  region: RectMm;
}

export interface CheckboxField extends TemplateFieldBase {
  kind: 'checkbox';
  /** `square`: a drawn box; `cell`: a cell of an "x" column with no drawn outline of its own. */
  style: 'square' | 'cell';
  /** Key of the `CheckboxGroup` this box belongs to, if any. */
  group?: string;
}

export interface TextField extends TemplateFieldBase {
  kind: 'text';
  textType: TextType;
  /**
   * For dates and times, the order the form asks for, e.g. "YYYY-MM-DD", "MM/DD/YYYY", "HH:mm".
   * Used only to check and to report an unambiguous ISO form; the text as read is kept.
   */
  format?: string;
  /** Write-in lines or comb boxes printed inside the region, removed before OCR. */
  printedLines?: boolean;
}

export interface BarcodeField extends TemplateFieldBase {
  kind: 'barcode';
}

export type TemplateField = CheckboxField | TextField | BarcodeField;

export interface CheckboxGroup {
  key: string;
  label: string;
  /** `one`: exactly one box expected ("check one"); `at_most_one`: zero or one; `any`. */
  rule: 'one' | 'at_most_one' | 'any';
  members: string[];
}

export interface TemplatePageDefinition {
  widthMm: number;
  heightMm: number;
  fields: TemplateField[];
  groups: CheckboxGroup[];
}

/** What an administrator publishes: pure data, JSON-serialisable. */
export interface TemplateDefinition {
  id: string;
  version: number;
  name: string;
  pages: TemplatePageDefinition[];
}

// ---------------------------------------------------------------------------------------------
// Reading results
// ---------------------------------------------------------------------------------------------

/** A reason, in words a reviewer understands, attached to a field or a page. */
export interface Flag {
  /** Machine code, e.g. "checkbox_review_band", "ocr_low_confidence", "npi_check_digit". */
  code: string;
  /** Human sentence, e.g. "fill 0.14 is between 0.08 and 0.20". Never contains field values of other fields. */
  message: string;
}

export interface Gate {
  code: 'rotation' | 'skew' | 'scale' | 'residual' | 'streaks' | 'registration_features';
  passed: boolean;
  value: number;
  limit: number;
  message: string;
}

export interface CheckboxEvidence {
  /** Where the template says the box is, mapped onto this page. */
  expected: RectPx;
  /** Where local re-location found it; equals `expected` when nothing better was found. */
  found: RectPx;
  matchScore: number;
  /** The exact pixels counted: a rectangle of the normalised page image. */
  interior: RectPx;
  /**
   * A pixel is dark when its grey value is strictly below `threshold` and, when
   * `minDarkNeighbours` is given, at least that many of its 8 neighbours are dark by the same
   * threshold (isolated fax noise does not count). Applies to `dark`/`total`.
   */
  binarisation: { rule: 'grey_below'; threshold: number; minDarkNeighbours?: number };
  dark: number;
  total: number;
  ratio: number;
  /** The same measurement on the blank template, when blank subtraction is used. */
  blank?: { dark: number; total: number; ratio: number };
  /** The figure compared with the thresholds (ratio, or ratio minus blank ratio). */
  score: number;
  thresholds: { low: number; high: number; filled: number };
  /**
   * Where the ink in the box goes (see `measure/reach.ts`): the dark pixels of the interior
   * (same binarisation) not on `print` (the form's printed rules and outlines near the box,
   * widened) are followed outwards through touching dark pixels, crossing print for at most
   * `printBudget` pixels in a row, within `radius` pixels of `box` (the box as found).
   * `inside` counts the starting pixels; `outside[k]` the pixels reached, not on print, k + 1
   * pixels beyond the box (chessboard distance). Ink reaching more than `margin` pixels beyond
   * the box, at least `minPixels` and `minShare` of `inside`, is a stroke through or out of the
   * box (a line across it, a neighbour's mark, a mark spilling over), not a mark made in it.
   */
  reach?: {
    box: RectPx;
    radius: number;
    print: RectPx[];
    printBudget: number;
    inside: number;
    outside: number[];
    margin: number;
    minPixels: number;
    minShare: number;
  };
  /**
   * The largest patch of touching (8-connected) dark pixels of the interior, not on `reach.print`:
   * a stroke, not fax specks. `pixels` and its bounding `rect`; its longer side is compared with
   * `strokeLength` (a stroke: with at least `strokePixels` pixels the box is marked whatever its
   * fill) and `traceLength` (a trace of a mark: the box is not passed as empty).
   */
  patch?: { pixels: number; rect: RectPx; strokeLength: number; strokePixels: number; traceLength: number };
  /**
   * Dark pixels of the interior by grey alone (`binarisation.threshold`, no neighbour rule), and
   * the same on the blank form's interior. A faint mark broken into specks and dots loses most of
   * its pixels to the neighbour rule: when `(dark - blankDark) / total` reaches `minShare`, the
   * box is not passed as empty.
   */
  dots?: { dark: number; blankDark: number; minShare: number };
  /**
   * Light ink: pixels of the interior lighter than a pen mark (grey not below
   * `binarisation.threshold`) but clearly darker than the paper (grey below `threshold`, which is
   * the page's paper level `paper` less `depth`), with no pen-dark pixel within `clearance`
   * pixels and `minNeighbours` of their 8 neighbours below `threshold`; and the same on the blank
   * form's interior. A faint pencil mark on a grey scan is visible to a person yet lighter than
   * the binarisation; the grey fringe round black specks on a resampled fax is not light ink.
   * When `(dark - blankDark) / total` reaches `minShare`, the box is not passed as empty (a
   * person looks; it is never marked by this alone).
   */
  /**
   * Dark pixels of the interior (as `dark` counts them) per row, top to bottom, and per column,
   * left to right. Ink mostly in the outermost lines of one side is the printed outline inside
   * the measured area, not a mark (`EDGE_LINE`).
   */
  profile?: { rows: number[]; cols: number[] };
  faint?: { threshold: number; paper: number; depth: number; clearance: number; minNeighbours: number; dark: number; blankDark: number; minShare: number };
  /**
   * Ink just outside the box on each side (a circle drawn round it): for each strip, dark pixels
   * (grey below `threshold`, pen-dark) not inside any `exclude` rectangle (neighbouring boxes),
   * as a share of the strip, minus the same share on the blank form. A circle shows on two
   * opposite sides (`minScore` counts as ink on a side). The `near-left` and `near-right` strips
   * hug the box at mid-height: a stroke through the box that runs out of both (a mark struck
   * through) shows there (`minNearScore`).
   */
  surround?: {
    threshold: number;
    minScore: number;
    minNearScore: number;
    exclude: RectPx[];
    sides: { side: 'left' | 'right' | 'top' | 'bottom' | 'near-left' | 'near-right'; rect: RectPx; dark: number; total: number; ratio: number; blankRatio: number; score: number }[];
  };
}

export type CheckboxState = 'marked' | 'empty' | 'review';

export interface OcrWord {
  text: string;
  confidence: number; // 0..1
  bbox: RectPx;
}

export interface TextEvidence {
  engine: string; // e.g. "tesseract.js 7.0.0 / eng 4.0.0_best_int"
  words: OcrWord[];
  /** Share of dark pixels in the field region after form lines were removed. */
  inkRatio: number;
  linesRemoved: boolean;
}

export interface ReadingBase {
  key: string;
  /** The field's region on the normalised page image (after registration). */
  region: RectPx;
  flags: Flag[];
}

export interface CheckboxReading extends ReadingBase {
  kind: 'checkbox';
  state: CheckboxState;
  evidence: CheckboxEvidence;
}

export interface TextReading extends ReadingBase {
  kind: 'text';
  /** Text as read, `null` when the field has no ink. Never completed, mapped or corrected. */
  text: string | null;
  /**
   * For dates and times only: the ISO form (YYYY-MM-DD, HH:mm) of the text as read, when it
   * parses unambiguously by the field's format. A reading of the text, never a correction of it.
   */
  parsed?: string;
  confidence: number; // 0..1
  evidence: TextEvidence;
}

export interface BarcodeReading extends ReadingBase {
  kind: 'barcode';
  text: string | null;
  format: string | null;
}

export type FieldReading = CheckboxReading | TextReading | BarcodeReading;

export interface PageImage {
  width: number;
  height: number;
  /** Square pixels after normalisation. */
  dpi: number;
  /** Lossless PNG of the normalised grey page: the image every region refers to. */
  png: Uint8Array;
}

export interface SourcePageInfo {
  format: 'pdf' | 'tiff' | 'png' | 'jpeg';
  widthPx: number;
  heightPx: number;
  xDpi: number;
  yDpi: number;
  widthMm: number;
  heightMm: number;
  compression?: string;
}

export type PageClassification =
  | { kind: 'template'; templateId: string; templateVersion: number; page: number; score: number }
  | { kind: 'unrecognised'; reason: string; bestScore: number };

export interface Registration {
  /** Affine map from template millimetres to page pixels: [a, b, c, d, e, f], x' = a x + b y + c, y' = d x + e y + f. */
  transform: [number, number, number, number, number, number];
  residualMm: number;
  features: number;
  scale: number;
  rotationDeg: number;
}

export interface PageReading {
  /** 0-based index of the page within the document. */
  index: number;
  source: SourcePageInfo;
  image: PageImage;
  /** What was done to the source to make `image`. */
  orientation: { rotation: 0 | 90 | 180 | 270; skewDeg: number };
  classification: PageClassification;
  registration: Registration | null;
  gates: Gate[];
  /** Page-level problems that send the whole page to a person (gates failed, unrecognised...). */
  flags: Flag[];
  fields: FieldReading[];
  barcodes: { text: string; format: string; region: RectPx }[];
}

// ---------------------------------------------------------------------------------------------
// Screening, decoding and the reader's entry points
// ---------------------------------------------------------------------------------------------

export type DocumentFormat = 'pdf' | 'tiff' | 'png' | 'jpeg';

/** Where a page's resolution came from: the file's own header, or assumed from its pixel size. */
export type DpiSource = 'header' | 'assumed' | 'render';

export interface InspectLimits {
  maxBytes: number;
  maxPages: number;
  /** At the source resolution (PDF: at the render dpi the reader uses). */
  maxPixelsPerPage: number;
}

export interface InspectedPage {
  widthPx: number;
  heightPx: number;
  xDpi: number;
  yDpi: number;
  widthMm: number;
  heightMm: number;
  dpiSource: DpiSource;
  compression?: string;
}

/** Active or hidden content found in a PDF. Any entry means the document is refused. */
export interface PdfActiveContent {
  /** Where JavaScript was found, e.g. "OpenAction", "document", "page 2 annotation", "/JS in object 7". */
  javascript: string[];
  launch: string[];
  embeddedFiles: string[];
  encrypted: boolean;
  /** Other things a PDF reader may act on that screening refuses (XFA forms, RichMedia, unscreenable streams). */
  other: string[];
}

export interface DocumentInfo {
  format: DocumentFormat;
  bytes: number;
  pageCount: number;
  pages: InspectedPage[];
  pdf?: PdfActiveContent;
}

/** Screening verdict. `reason` is one sentence; `reasons` lists every problem found. */
export type InspectVerdict =
  | { ok: true; info: DocumentInfo }
  | { ok: false; reason: string; reasons: string[]; info?: DocumentInfo };

export interface DecodeOptions {
  /** Square-pixel resolution of the normalised pages (default 200). */
  dpi?: number;
  /** Refuse a page above this many source pixels (default 60 million). */
  maxPixelsPerPage?: number;
  maxPages?: number;
}

/** One page of a document, normalised to square-pixel 8-bit grey at `dpi`. */
export interface DecodedPage {
  index: number;
  source: SourcePageInfo;
  image: GreyImage;
  dpi: number;
}

export interface TemplateInput {
  definition: TemplateDefinition;
  /** The blank form the template was made from (PDF or image), one blank page per template page. */
  blank: Uint8Array;
}

export interface ReaderOptions {
  templates: TemplateInput[];
  /** Page-reading worker threads (default: one per core). 0 reads in this thread. */
  threads?: number;
  /** Tesseract workers per reading thread (default 1). */
  ocrWorkers?: number;
  /** `best`: eng 4.0.0_best_int (slower, more accurate); `fast`: eng 4.0.0. Default `fast`. */
  ocrModel?: 'fast' | 'best';
  /**
   * Where to look for barcodes: `fields` (default): the template's barcode fields, and the whole
   * of a page no template recognises; `page`: every whole page (about 0.1-0.2 s a page); `off`.
   */
  barcodes?: 'page' | 'fields' | 'off';
  /** Normalised page resolution (default 200 dpi). */
  dpi?: number;
}

export interface Reader {
  read(bytes: Uint8Array): AsyncIterable<PageReading>;
  close(): Promise<void>;
}

/** What `recomputeCheckbox` derives from a stored page image and stored evidence. */
export interface CheckboxRecomputation {
  dark: number;
  total: number;
  ratio: number;
  score: number;
  /** The decision the thresholds alone give. A reading may be `review` for a stated extra reason (flags). */
  state: CheckboxState;
  /** True when every number equals the stored evidence exactly. */
  matchesStored: boolean;
}
