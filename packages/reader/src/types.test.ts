import { describe, expect, it } from 'vitest';
import type { RectMm } from './types.ts';
describe('smoke', () => { it('runs', () => { const r: RectMm = { x: 1, y: 2, w: 3, h: 4 }; expect(r.w * r.h).toBe(12); }); });
