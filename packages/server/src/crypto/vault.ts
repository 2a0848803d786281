/**
 * Envelope encryption over the database: data keys are created per document (and one for the
 * system), stored wrapped by the key provider's current KEK, and unwrapped on use (cached).
 * Destroying a data key (crypto-shredding) makes everything sealed with it unreadable,
 * including copies in backups.
 */
import { randomBytes } from 'node:crypto';
import type { Executor } from '../db/schema.ts';
import type { KeyProvider } from './keys.ts';
import { openWith, sealedKeyId, sealWith } from './seal.ts';

export type Purpose = 'system' | 'document' | 'template';

export class Vault {
  readonly #keys: KeyProvider;
  readonly #cache = new Map<string, Buffer>();
  readonly #limit: number;

  constructor(keys: KeyProvider, cacheLimit = 256) {
    this.#keys = keys;
    this.#limit = cacheLimit;
  }

  get keyProvider(): KeyProvider {
    return this.#keys;
  }

  async createDataKey(db: Executor, purpose: Purpose): Promise<string> {
    const key = randomBytes(32);
    const wrapped = await this.#keys.wrap(key);
    const row = await db
      .insertInto('data_keys')
      .values({ kek_version: this.#keys.currentVersion(), wrapped, purpose })
      .returning('id')
      .executeTakeFirstOrThrow();
    this.#remember(row.id, key);
    return row.id;
  }

  #remember(id: string, key: Buffer): void {
    if (this.#cache.size >= this.#limit) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(id, key);
  }

  async #dataKey(db: Executor, id: string): Promise<Buffer> {
    const cached = this.#cache.get(id);
    if (cached) return cached;
    const row = await db.selectFrom('data_keys').select(['wrapped', 'destroyed_at']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new Error(`data key ${id} not found`);
    if (row.destroyed_at) throw new Error(`data key ${id} was destroyed`);
    const key = await this.#keys.unwrap(row.wrapped);
    this.#remember(id, key);
    return key;
  }

  async seal(db: Executor, keyId: string, plaintext: Uint8Array, context: string): Promise<Buffer> {
    return sealWith(await this.#dataKey(db, keyId), keyId, plaintext, context);
  }

  async open(db: Executor, sealed: Uint8Array, context: string): Promise<Buffer> {
    const keyId = sealedKeyId(sealed);
    return openWith(await this.#dataKey(db, keyId), sealed, context);
  }

  async sealJson(db: Executor, keyId: string, value: unknown, context: string): Promise<Buffer> {
    return this.seal(db, keyId, Buffer.from(JSON.stringify(value)), context);
  }

  async openJson<T>(db: Executor, sealed: Uint8Array, context: string): Promise<T> {
    return JSON.parse((await this.open(db, sealed, context)).toString('utf8')) as T;
  }

  /** Crypto-shredding: the wrapped key is overwritten, so nothing sealed with it opens again. */
  async destroyDataKey(db: Executor, id: string): Promise<void> {
    await db.updateTable('data_keys').set({ wrapped: Buffer.alloc(0), destroyed_at: new Date() }).where('id', '=', id).execute();
    this.#cache.delete(id);
  }

  /** Re-wraps every live data key with the current KEK (after a KEK rotation). */
  async rewrapAll(db: Executor): Promise<number> {
    const current = this.#keys.currentVersion();
    const rows = await db
      .selectFrom('data_keys')
      .select(['id', 'wrapped'])
      .where('destroyed_at', 'is', null)
      .where('kek_version', '<>', current)
      .execute();
    for (const row of rows) {
      const key = await this.#keys.unwrap(row.wrapped);
      await db.updateTable('data_keys').set({ wrapped: await this.#keys.wrap(key), kek_version: current }).where('id', '=', row.id).execute();
    }
    return rows.length;
  }
}

/** The system data key seals values that belong to no document (TOTP secrets, user audit values). */
export async function systemKeyId(db: Executor, vault: Vault): Promise<string> {
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', 'system_data_key').executeTakeFirst();
  if (row) return (row.value as { id: string }).id;
  const id = await vault.createDataKey(db, 'system');
  const inserted = await db
    .insertInto('app_settings')
    .values({ key: 'system_data_key', value: JSON.stringify({ id }) })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('value')
    .executeTakeFirst();
  if (inserted) return id;
  const winner = await db.selectFrom('app_settings').select('value').where('key', '=', 'system_data_key').executeTakeFirstOrThrow();
  return (winner.value as { id: string }).id;
}
