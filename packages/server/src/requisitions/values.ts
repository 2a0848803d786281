/** Sealing and opening field values with the document's data key, each bound to its place. */
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/schema.ts';

export type FieldColumn = 'machine' | 'value' | 'evidence' | 'flags';

export const fieldContext = (requisitionId: string, key: string, column: FieldColumn) => `field:${requisitionId}:${key}:${column}`;

export async function sealField(ctx: AppContext, dataKeyId: string, requisitionId: string, key: string, column: FieldColumn, value: unknown, db: Executor = ctx.db): Promise<Buffer> {
  return ctx.vault.sealJson(db, dataKeyId, value ?? null, fieldContext(requisitionId, key, column));
}

export async function openField<T>(ctx: AppContext, sealed: Buffer | null, requisitionId: string, key: string, column: FieldColumn, db: Executor = ctx.db): Promise<T | null> {
  if (!sealed) return null;
  return ctx.vault.openJson<T>(db, sealed, fieldContext(requisitionId, key, column));
}
