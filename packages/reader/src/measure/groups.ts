/**
 * "Check one" rules over the boxes of a group, applied after every box is measured: two marks
 * where one is allowed are flagged. A group with no box marked is not flagged here: that is the
 * form left incomplete (a missing answer for validation to report), not a doubt about what the
 * page shows.
 */
import type { CheckboxGroup, CheckboxReading } from '../types.ts';

export function applyGroupRules(groups: CheckboxGroup[], readings: Map<string, CheckboxReading>, labels: Map<string, string>): void {
  for (const g of groups) {
    if (g.rule === 'any') continue;
    const members = g.members.map((k) => readings.get(k)).filter((r): r is CheckboxReading => r !== undefined);
    const marked = members.filter((r) => r.state === 'marked');
    const names = g.members.map((k) => labels.get(k) ?? k).join(', ');
    if (marked.length >= 2) {
      for (const r of marked) {
        r.state = 'review';
        r.flags.push({ code: 'group_multiple', message: `${marked.length} boxes are marked in "${g.label}", which allows one (${names})` });
      }
    }
  }
}
