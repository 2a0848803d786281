/**
 * Zoom and pan of the page image as pure arithmetic: screen = image × scale + offset.
 * The current field is brought into view with enough of the page around it to see its printed
 * label; the page never slides out of its frame.
 */
import type { Rect } from '../api/types.ts';

export interface View {
  scale: number;
  x: number;
  y: number;
}

export interface Size {
  w: number;
  h: number;
}

export const MAX_SCALE = 4;
const PAD = 8;

export function fitScale(container: Size, image: Size): number {
  if (image.w <= 0 || image.h <= 0) return 1;
  return Math.max(0.01, Math.min((container.w - 2 * PAD) / image.w, (container.h - 2 * PAD) / image.h));
}

export function fitView(container: Size, image: Size): View {
  const scale = fitScale(container, image);
  return { scale, x: (container.w - image.w * scale) / 2, y: (container.h - image.h * scale) / 2 };
}

/** Keeps the page inside the frame: centred along an axis where it is smaller, edge to edge where larger. */
export function clampView(view: View, container: Size, image: Size): View {
  const axis = (offset: number, c: number, i: number) => {
    const size = i * view.scale;
    if (size + 2 * PAD <= c) return (c - size) / 2;
    return Math.min(PAD, Math.max(c - size - PAD, offset));
  };
  return { scale: view.scale, x: axis(view.x, container.w, image.w), y: axis(view.y, container.h, image.h) };
}

/** Zoomed so the region and some of the page around it fill the frame, centred on the region. */
export function focusView(container: Size, image: Size, region: Rect): View {
  const contextW = Math.max(region.w * 2.5, image.w * 0.35);
  const contextH = Math.max(region.h * 5, image.h * 0.12);
  const min = fitScale(container, image);
  const scale = Math.min(MAX_SCALE, Math.max(min, Math.min(container.w / contextW, container.h / contextH)));
  const cx = region.x + region.w / 2;
  const cy = region.y + region.h / 2;
  return clampView({ scale, x: container.w / 2 - cx * scale, y: container.h / 2 - cy * scale }, container, image);
}

/** Zooms by `factor` keeping the image point under `at` (screen coordinates) where it is. */
export function zoomAt(view: View, factor: number, at: { x: number; y: number }, container: Size, image: Size): View {
  const min = fitScale(container, image);
  const scale = Math.min(MAX_SCALE, Math.max(min, view.scale * factor));
  const k = scale / view.scale;
  return clampView({ scale, x: at.x - (at.x - view.x) * k, y: at.y - (at.y - view.y) * k }, container, image);
}

export function panBy(view: View, dx: number, dy: number, container: Size, image: Size): View {
  return clampView({ scale: view.scale, x: view.x + dx, y: view.y + dy }, container, image);
}

/** Whether a region is fully visible in the frame under a view. */
export function regionVisible(view: View, container: Size, region: Rect): boolean {
  const x0 = region.x * view.scale + view.x;
  const y0 = region.y * view.scale + view.y;
  return x0 >= 0 && y0 >= 0 && x0 + region.w * view.scale <= container.w && y0 + region.h * view.scale <= container.h;
}
