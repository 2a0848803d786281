import { describe, expect, it } from 'vitest';
import type { QueueItem } from '../api/types.ts';
import { formatWaiting, queueKey, sortQueue } from './order.ts';

const item = (id: string, priority: QueueItem['priority'], receivedAt: string): QueueItem => ({
  id, priority, receivedAt, state: 'ready_for_review', waitingSeconds: 0, pageCount: 1, form: null, assignee: null, flaggedFields: 0,
});

describe('queue', () => {
  it('puts STAT first, then oldest', () => {
    const sorted = sortQueue([
      item('r-new', 'routine', '2026-01-01T10:00:00Z'),
      item('s-new', 'stat', '2026-01-01T10:05:00Z'),
      item('r-old', 'routine', '2026-01-01T08:00:00Z'),
      item('s-old', 'stat', '2026-01-01T09:00:00Z'),
    ]);
    expect(sorted.map((i) => i.id)).toEqual(['s-old', 's-new', 'r-old', 'r-new']);
  });

  it('words waiting times', () => {
    expect(formatWaiting(42)).toBe('42 s');
    expect(formatWaiting(6 * 60 + 59)).toBe('6 min');
    expect(formatWaiting(65 * 60)).toBe('1 h 05 min');
    expect(formatWaiting(51 * 3600)).toBe('2 d 3 h');
    expect(formatWaiting(-5)).toBe('0 s');
  });

  it('moves with the arrows and opens with Enter', () => {
    expect(queueKey(0, 'ArrowDown', 3)).toEqual({ kind: 'select', index: 1 });
    expect(queueKey(2, 'ArrowDown', 3)).toEqual({ kind: 'select', index: 2 });
    expect(queueKey(0, 'ArrowUp', 3)).toEqual({ kind: 'select', index: 0 });
    expect(queueKey(1, 'Enter', 3)).toEqual({ kind: 'open', index: 1 });
    expect(queueKey(0, 'End', 3)).toEqual({ kind: 'select', index: 2 });
    expect(queueKey(0, 'x', 3)).toEqual({ kind: 'none' });
    expect(queueKey(0, 'Enter', 0)).toEqual({ kind: 'none' });
  });
});
