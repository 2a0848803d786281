/** Connected components (8-connected) of a binary mask, with bounding box and pixel count. */

export interface Component {
  /** Label value in `labels`. */
  id: number;
  x0: number;
  y0: number;
  x1: number; // inclusive
  y1: number; // inclusive
  area: number;
}

export function components(mask: Uint8Array, width: number, height: number, minArea = 1): { list: Component[]; labels: Int32Array } {
  const labels = new Int32Array(mask.length).fill(-1);
  const list: Component[] = [];
  const stack = new Int32Array(mask.length);
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1 || labels[start] !== -1) continue;
    const id = list.length;
    const c: Component = { id, x0: width, y0: height, x1: -1, y1: -1, area: 0 };
    let sp = 0;
    stack[sp++] = start;
    labels[start] = id;
    while (sp > 0) {
      const p = stack[--sp]!;
      const x = p % width;
      const y = (p - x) / width;
      c.area++;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] === 1 && labels[q] === -1) {
            labels[q] = id;
            stack[sp++] = q;
          }
        }
      }
    }
    list.push(c);
  }
  if (minArea > 1) return { list: list.filter((c) => c.area >= minArea), labels };
  return { list, labels };
}
