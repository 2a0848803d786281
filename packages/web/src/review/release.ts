/**
 * Whether the Release button is enabled, and the words that say why not. The server decides
 * (and PostgreSQL again); this only keeps the button honest between keystrokes: it reflects the
 * optimistic local state at once and the server's own blockers once every save is answered.
 */
import type { Identity, ReviewField, Validation } from '../api/types.ts';
import type { Draft } from './values.ts';
import { draftDiffers } from './values.ts';

export interface ReleaseInput {
  fields: readonly ReviewField[];
  drafts: Readonly<Record<string, Draft>>;
  identity: Identity | null;
  validation: Validation;
  /** The server's blockers from its last answer. */
  serverBlockers: readonly string[];
  /** Saves sent and not yet answered. */
  pendingSaves: number;
  /** A release request is on its way. */
  releasing: boolean;
}

export interface ReleaseGate {
  enabled: boolean;
  /** Why it is disabled; when enabled, what it will wait for (if anything). */
  reasons: string[];
  /** Enabled on the local state while saves are still on their way: a press waits for them, then the server decides. */
  waitsForSaves: boolean;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the state on this screen says still blocks release (saves in flight aside). */
export function localReasons(input: Omit<ReleaseInput, 'serverBlockers' | 'releasing' | 'pendingSaves'>): string[] {
  const reasons: string[] = [];
  if (input.fields.length === 0) reasons.push('no fields to review (say which form it is, or escalate)');
  const unreviewed = input.fields.filter((f) => f.review.state === 'unreviewed').length;
  if (unreviewed > 0) reasons.push(`${count(unreviewed, 'field', 'fields')} not reviewed`);
  const byKey = new Map(input.fields.map((f) => [f.key, f]));
  const unsaved = Object.entries(input.drafts).filter(([key, d]) => {
    const f = byKey.get(key);
    return f !== undefined && draftDiffers(d, f.value);
  }).length;
  if (unsaved > 0) reasons.push(`${count(unsaved, 'typed value', 'typed values')} not saved (Enter saves, Esc discards)`);
  if (input.identity === null) reasons.push('identity not confirmed');
  else if (input.identity.current === false) reasons.push('identity must be confirmed again (a patient field changed)');
  if (!input.validation.passed) {
    const failed = input.validation.rules.filter((r) => !r.passed);
    reasons.push(
      failed.length > 0
        ? `validation fails: ${failed.map((r) => `${r.citation} ${r.message}`).join('; ')}`
        : 'validation has not passed',
    );
  }
  return reasons;
}

export function releaseGate(input: ReleaseInput): ReleaseGate {
  if (input.releasing) return { enabled: false, reasons: ['releasing…'], waitsForSaves: false };
  const local = localReasons(input);
  const saving = input.pendingSaves > 0 ? `saving ${count(input.pendingSaves, 'change', 'changes')}…` : null;
  if (local.length > 0) return { enabled: false, reasons: saving ? [...local, saving] : local, waitsForSaves: false };
  // The server's blockers are from before the saves in flight: they are judged once those are answered.
  if (saving) return { enabled: true, reasons: [`${saving} release waits for them`], waitsForSaves: true };
  if (input.serverBlockers.length > 0) return { enabled: false, reasons: [...input.serverBlockers], waitsForSaves: false };
  return { enabled: true, reasons: [], waitsForSaves: false };
}
