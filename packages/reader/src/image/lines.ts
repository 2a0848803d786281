/**
 * Printed rules of a form: pixels that belong to long horizontal or vertical dark runs. Small
 * gaps (broken strokes on a fax) are bridged. Text and handwriting rarely make runs this long.
 */

export interface LineMasks {
  width: number;
  height: number;
  /** 1 where the pixel lies on a horizontal run of at least `minLen` pixels. */
  horizontal: Uint8Array;
  vertical: Uint8Array;
}

export function lineMasks(mask: Uint8Array, width: number, height: number, minLen: number, maxGap = 2): LineMasks {
  return {
    width,
    height,
    horizontal: runs(mask, width, height, minLen, maxGap, true),
    vertical: runs(mask, width, height, minLen, maxGap, false),
  };
}

function runs(mask: Uint8Array, width: number, height: number, minLen: number, maxGap: number, horizontal: boolean): Uint8Array {
  const out = new Uint8Array(mask.length);
  const lines = horizontal ? height : width;
  const len = horizontal ? width : height;
  const step = horizontal ? 1 : width;
  for (let l = 0; l < lines; l++) {
    const base = horizontal ? l * width : l;
    let start = -1;
    let lastDark = -1;
    for (let i = 0; i <= len; i++) {
      const dark = i < len && mask[base + i * step] === 1;
      if (dark) {
        if (start < 0) start = i;
        lastDark = i;
      } else if (start >= 0 && i - lastDark > maxGap) {
        if (lastDark - start + 1 >= minLen) for (let k = start; k <= lastDark; k++) out[base + k * step] = 1;
        start = -1;
      }
    }
  }
  return out;
}
