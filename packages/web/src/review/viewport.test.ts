import { describe, expect, it } from 'vitest';
import { clampView, fitView, focusView, regionVisible, zoomAt, MAX_SCALE } from './viewport.ts';

const frame = { w: 800, h: 1000 };
const page = { w: 1700, h: 2200 };

describe('page viewport', () => {
  it('fits the whole page, centred', () => {
    const v = fitView(frame, page);
    // The page is taller than the frame in proportion: height decides.
    expect(v.scale).toBeCloseTo(984 / 2200, 5);
    expect(v.y).toBeCloseTo(8, 5);
    expect(v.x).toBeCloseTo((800 - 1700 * v.scale) / 2, 5);
  });

  it('brings a small field near the bottom right fully into view, zoomed beyond fit', () => {
    const region = { x: 1500, y: 2100, w: 120, h: 40 };
    const v = focusView(frame, page, region);
    expect(v.scale).toBeGreaterThan(fitView(frame, page).scale);
    expect(v.scale).toBeLessThanOrEqual(MAX_SCALE);
    expect(regionVisible(v, frame, region)).toBe(true);
  });

  it('keeps a wide field visible too', () => {
    const region = { x: 100, y: 300, w: 1500, h: 60 };
    expect(regionVisible(focusView(frame, page, region), frame, region)).toBe(true);
  });

  it('zooming keeps the point under the pointer still', () => {
    const v0 = { scale: 1, x: -100, y: -200 };
    const at = { x: 400, y: 500 };
    const v1 = zoomAt(v0, 1.5, at, frame, page);
    const before = { x: (at.x - v0.x) / v0.scale, y: (at.y - v0.y) / v0.scale };
    const after = { x: (at.x - v1.x) / v1.scale, y: (at.y - v1.y) / v1.scale };
    expect(after.x).toBeCloseTo(before.x, 6);
    expect(after.y).toBeCloseTo(before.y, 6);
  });

  it('never zooms out past fit or lets the page slide out of the frame', () => {
    const v = zoomAt(fitView(frame, page), 0.1, { x: 0, y: 0 }, frame, page);
    expect(v.scale).toBeCloseTo(fitView(frame, page).scale, 6);
    const slid = clampView({ scale: 1, x: 5000, y: -9000 }, frame, page);
    expect(slid.x).toBeLessThanOrEqual(8);
    expect(slid.y).toBeGreaterThanOrEqual(frame.h - page.h - 8);
  });
});
