/**
 * Marks drawn into boxes of a rendered form, for tests: the kinds people make (tick, X, fill,
 * faint, small, thick, circle, crossed out, stray dot) with a steady hand, deterministic.
 */
import { ImageData, createCanvas } from '@napi-rs/canvas';
import type { GreyImage, RectPx } from '../types.ts';

export type TestMark = 'tick' | 'x' | 'fill' | 'faint' | 'small' | 'thick' | 'circle' | 'crossed-out' | 'stray-dot' | 'spill' | 'none';

export function drawMarks(page: GreyImage, marks: { box: RectPx; kind: TestMark }[], dpi: number): GreyImage {
  const canvas = createCanvas(page.width, page.height);
  const ctx = canvas.getContext('2d');
  const rgba = new Uint8ClampedArray(page.width * page.height * 4);
  for (let i = 0; i < page.data.length; i++) {
    const v = page.data[i]!;
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  ctx.putImageData(new ImageData(rgba, page.width, page.height), 0, 0);
  const mm = dpi / 25.4;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  const line = (pts: [number, number][], width: number, grey: number): void => {
    ctx.strokeStyle = `rgb(${grey},${grey},${grey})`;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(pts[0]![0], pts[0]![1]);
    for (const p of pts.slice(1)) ctx.lineTo(p[0], p[1]);
    ctx.stroke();
  };
  for (const { box, kind } of marks) {
    const cx = box.x + box.w / 2;
    const cy = box.y + box.h / 2;
    const s = Math.min(box.w, box.h) * 0.8;
    const pen = 0.4 * mm;
    const tick = (k: number, w: number, g: number): void =>
      line([[cx - 0.45 * s * k, cy], [cx - 0.1 * s * k, cy + 0.38 * s * k], [cx + 0.5 * s * k, cy - 0.5 * s * k]], w, g);
    const x = (r: number, w: number, g: number): void => {
      line([[cx - r, cy - r], [cx + r, cy + r]], w, g);
      line([[cx + r, cy - r], [cx - r, cy + r]], w, g);
    };
    switch (kind) {
      case 'tick':
        tick(1, pen, 20);
        break;
      case 'x':
        x(s * 0.4, pen, 30);
        break;
      case 'small':
        x(s * 0.2, pen, 20);
        break;
      case 'thick':
        tick(0.9, 1.0 * mm, 20);
        break;
      case 'faint':
        tick(1, 0.3 * mm, 175);
        break;
      case 'fill': {
        ctx.fillStyle = 'rgb(25,25,25)';
        ctx.fillRect(box.x + 1, box.y + 1, box.w - 2, box.h - 2);
        break;
      }
      case 'circle': {
        ctx.strokeStyle = 'rgb(20,20,20)';
        ctx.lineWidth = pen;
        ctx.beginPath();
        ctx.ellipse(cx, cy, box.w * 0.9, box.h * 0.85, 0, 0, Math.PI * 2);
        ctx.stroke();
        break;
      }
      case 'crossed-out': {
        x(s * 0.4, pen, 20);
        const pts: [number, number][] = [];
        for (let i = 0; i < 7; i++) pts.push([box.x - 0.2 * s + (i * box.w * 1.4) / 6, cy + (i % 2 === 0 ? -0.25 : 0.25) * s]);
        line(pts, pen * 1.4, 20);
        break;
      }
      case 'spill': {
        const k = 1.7;
        line([[cx - 0.45 * s * k + s * 0.2, cy - s * 0.1], [cx - 0.1 * s * k + s * 0.2, cy + 0.38 * s * k - s * 0.1], [cx + 0.5 * s * k + s * 0.2, cy - 0.5 * s * k - s * 0.1]], pen, 20);
        break;
      }
      case 'stray-dot': {
        ctx.fillStyle = 'rgb(20,20,20)';
        ctx.beginPath();
        ctx.arc(box.x + box.w + 1.6 * mm, box.y - 1.2 * mm, 0.35 * mm, 0, Math.PI * 2);
        ctx.fill();
        break;
      }
      case 'none':
        break;
    }
  }
  const out = ctx.getImageData(0, 0, page.width, page.height).data;
  const data = new Uint8Array(page.width * page.height);
  for (let i = 0; i < data.length; i++) data[i] = out[i * 4]!;
  return { width: page.width, height: page.height, data };
}
