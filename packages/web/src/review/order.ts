/**
 * The form's reading order: fields by their `order`, grouped by section, sections in the order
 * their first field appears. Navigation and the list use this one order, so what the reviewer
 * sees next is always what Enter moves to.
 */
import type { ReviewField } from '../api/types.ts';

export interface Section {
  name: string;
  keys: string[];
}

export function readingSections(fields: readonly ReviewField[]): Section[] {
  const sorted = [...fields].sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
  const sections: Section[] = [];
  const byName = new Map<string, Section>();
  for (const f of sorted) {
    let s = byName.get(f.section);
    if (!s) {
      s = { name: f.section, keys: [] };
      byName.set(f.section, s);
      sections.push(s);
    }
    s.keys.push(f.key);
  }
  return sections;
}

export function readingOrder(fields: readonly ReviewField[]): string[] {
  return readingSections(fields).flatMap((s) => s.keys);
}
