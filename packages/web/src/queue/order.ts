/** Queue order and wording: STAT first, then oldest. Pure. */
import type { QueueItem } from '../api/types.ts';

export function sortQueue(items: readonly QueueItem[]): QueueItem[] {
  return [...items].sort((a, b) => {
    if (a.priority !== b.priority) return a.priority === 'stat' ? -1 : 1;
    const t = Date.parse(a.receivedAt) - Date.parse(b.receivedAt);
    return t !== 0 ? t : a.id.localeCompare(b.id);
  });
}

/** "45 s", "6 min", "1 h 05 min", "2 d 3 h": short enough to scan down a column. */
export function formatWaiting(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  const d = Math.floor(h / 24);
  return `${d} d ${h % 24} h`;
}

export type QueueMove = { kind: 'select'; index: number } | { kind: 'open'; index: number } | { kind: 'none' };

/** Arrow keys move the selection, Enter opens it. */
export function queueKey(selected: number, key: string, length: number): QueueMove {
  if (length === 0) return { kind: 'none' };
  const clamp = (i: number) => Math.min(length - 1, Math.max(0, i));
  switch (key) {
    case 'ArrowDown':
      return { kind: 'select', index: clamp(selected + 1) };
    case 'ArrowUp':
      return { kind: 'select', index: clamp(selected - 1) };
    case 'Home':
      return { kind: 'select', index: 0 };
    case 'End':
      return { kind: 'select', index: length - 1 };
    case 'PageDown':
      return { kind: 'select', index: clamp(selected + 10) };
    case 'PageUp':
      return { kind: 'select', index: clamp(selected - 10) };
    case 'Enter':
      return { kind: 'open', index: clamp(selected) };
    default:
      return { kind: 'none' };
  }
}
