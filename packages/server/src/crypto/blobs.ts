/**
 * Where large sealed objects (documents, page images, blank forms) live. The store only moves
 * bytes; callers seal before `put`. `put` returns only after the bytes and the folder entry are
 * on disk (fsync), because intake deletes the source file once the store says it has it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface BlobStore {
  put(bytes: Uint8Array): Promise<string>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
}

const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class LocalBlobStore implements BlobStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  #path(key: string): string {
    if (!KEY.test(key)) throw new Error('bad blob key');
    return path.join(this.#dir, key.slice(0, 2), key);
  }

  async put(bytes: Uint8Array): Promise<string> {
    const key = randomUUID();
    const file = this.#path(key);
    const folder = path.dirname(file);
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp`;
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    const dirHandle = await fs.open(folder, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    return key;
  }

  async get(key: string): Promise<Buffer> {
    const file = this.#path(key);
    return fs.readFile(file);
  }

  async delete(key: string): Promise<void> {
    const file = this.#path(key);
    await fs.rm(file, { force: true });
  }
}
