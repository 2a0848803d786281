/** Quarter turns of any row-major raster (grey bytes or float maps), clockwise. */

export type Quarter = 0 | 90 | 180 | 270;

export function rotateRaster<T extends Uint8Array | Float32Array>(data: T, w: number, h: number, q: Quarter): { data: T; width: number; height: number } {
  const out = new (data.constructor as { new (n: number): T })(data.length);
  if (q === 0) {
    out.set(data);
    return { data: out, width: w, height: h };
  }
  if (q === 180) {
    for (let i = 0, n = data.length; i < n; i++) out[i] = data[n - 1 - i]!;
    return { data: out, width: w, height: h };
  }
  const nw = h;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    if (q === 90) for (let x = 0; x < w; x++) out[x * nw + (h - 1 - y)] = data[row + x]!;
    else for (let x = 0; x < w; x++) out[(w - 1 - x) * nw + y] = data[row + x]!;
  }
  return { data: out, width: nw, height: w };
}
