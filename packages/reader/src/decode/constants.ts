/** The resolution pages are normalised to: close to fax resolution (204 x 196), so fine-mode faxes are barely resampled. */
export const WORKING_DPI = 200;

export const DEFAULT_LIMITS = {
  maxBytes: 50 * 1024 * 1024,
  maxPages: 200,
  // A letter page at 600 dpi is 33.7 million pixels.
  maxPixelsPerPage: 60_000_000,
} as const;

export const MM_PER_INCH = 25.4;
