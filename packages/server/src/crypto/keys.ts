/**
 * Key-encryption keys (KEKs) and the providers that hold them. The database never sees a KEK:
 * it stores data keys wrapped by one. A wrapped key says which KEK version wrapped it, so a new
 * KEK version can be introduced (and old data keys re-wrapped) without touching any ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface KeyProvider {
  /** The KEK version that wraps new data keys. */
  currentVersion(): number;
  wrap(dataKey: Buffer): Promise<Buffer>;
  unwrap(wrapped: Buffer): Promise<Buffer>;
}

const WRAP_IV = 12;
const TAG = 16;

function aad(version: number): Buffer {
  return Buffer.from(`nexession:data-key:kek-v${version}`);
}

/** Wrapped format: kek version (u32 BE) | iv (12) | tag (16) | encrypted key. */
export function wrapWith(kek: Buffer, version: number, dataKey: Buffer): Buffer {
  const iv = randomBytes(WRAP_IV);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(aad(version));
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(version);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ct]);
}

export function wrappedVersion(wrapped: Buffer): number {
  if (wrapped.length < 4 + WRAP_IV + TAG + 1) throw new Error('wrapped key too short');
  return wrapped.readUInt32BE(0);
}

export function unwrapWith(kek: Buffer, wrapped: Buffer): Buffer {
  const version = wrappedVersion(wrapped);
  const iv = wrapped.subarray(4, 4 + WRAP_IV);
  const tag = wrapped.subarray(4 + WRAP_IV, 4 + WRAP_IV + TAG);
  const decipher = createDecipheriv('aes-256-gcm', kek, iv);
  decipher.setAAD(aad(version));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(wrapped.subarray(4 + WRAP_IV + TAG)), decipher.final()]);
}

/**
 * The default provider: KEK files `kek-v<N>.key` (32 random bytes, base64) in a folder only
 * this process's user can read (0700, files 0600). Created on first start.
 */
export class LocalKeyFileProvider implements KeyProvider {
  readonly #keys: Map<number, Buffer>;
  readonly #dir: string;

  private constructor(dir: string, keys: Map<number, Buffer>) {
    this.#dir = dir;
    this.#keys = keys;
  }

  static async open(dir: string): Promise<LocalKeyFileProvider> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
    const keys = new Map<number, Buffer>();
    for (const file of await fs.readdir(dir)) {
      const m = /^kek-v(\d+)\.key$/.exec(file);
      if (!m) continue;
      const full = path.join(dir, file);
      const st = await fs.stat(full);
      if ((st.mode & 0o077) !== 0) throw new Error(`key file ${full} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
      const key = Buffer.from((await fs.readFile(full, 'utf8')).trim(), 'base64');
      if (key.length !== 32) throw new Error(`key file ${full} does not hold a 256-bit key`);
      keys.set(Number(m[1]), key);
    }
    const provider = new LocalKeyFileProvider(dir, keys);
    if (keys.size === 0) await provider.rotate();
    return provider;
  }

  currentVersion(): number {
    return Math.max(...this.#keys.keys());
  }

  /** Adds a new KEK version; new data keys are wrapped with it, old ones still unwrap. */
  async rotate(): Promise<number> {
    const version = this.#keys.size === 0 ? 1 : this.currentVersion() + 1;
    const key = randomBytes(32);
    const file = path.join(this.#dir, `kek-v${version}.key`);
    const handle = await fs.open(file, 'wx', 0o600);
    try {
      await handle.writeFile(key.toString('base64') + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.#keys.set(version, key);
    return version;
  }

  async wrap(dataKey: Buffer): Promise<Buffer> {
    const version = this.currentVersion();
    return wrapWith(this.#keys.get(version)!, version, dataKey);
  }

  async unwrap(wrapped: Buffer): Promise<Buffer> {
    const version = wrappedVersion(wrapped);
    const kek = this.#keys.get(version);
    if (!kek) throw new Error(`key-encryption key version ${version} is not available`);
    return unwrapWith(kek, wrapped);
  }
}
