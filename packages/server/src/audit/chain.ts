/**
 * The audit hash chain, computed the same way as the database trigger (migration 001,
 * `audit_canonical`): hash = sha256(prev_hash "\n" seq "\n" at-ms "\n" parts...), where each
 * nullable part is "-" when absent and "+" followed by its text when present; an event made under
 * break-glass ends with one more part, "bg+" and the break-glass id.
 */
import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export interface ChainRow {
  seq: string | number;
  at: Date;
  actor_type: string;
  actor_id: string;
  session_id: string | null;
  action: string;
  object_type: string;
  object_id: string;
  field: string | null;
  before: Buffer | null;
  after: Buffer | null;
  request_id: string | null;
  source_ip: string | null;
  details: string | null;
  /** Migration 061: part of the hash only when set, so earlier events hash as before. */
  break_glass_id?: string | null;
  prev_hash: string;
  hash: string;
}

const part = (v: string | null) => (v === null ? '-' : `+${v}`);

export function canonical(row: ChainRow): string {
  return (
    row.prev_hash +
    '\n' +
    [
      String(row.seq),
      String(row.at.getTime()),
      part(row.actor_type),
      part(row.actor_id),
      part(row.session_id),
      part(row.action),
      part(row.object_type),
      part(row.object_id),
      part(row.field),
      part(row.before === null ? null : row.before.toString('hex')),
      part(row.after === null ? null : row.after.toString('hex')),
      part(row.request_id),
      part(row.source_ip),
      part(row.details),
      ...(row.break_glass_id ? [`bg+${row.break_glass_id}`] : []),
    ].join('\n')
  );
}

export function chainHash(row: ChainRow): string {
  return createHash('sha256').update(canonical(row), 'utf8').digest('hex');
}
