/**
 * Anchors: the chain's head (seq, hash) written outside the database, to an append-only file
 * under var/. A superuser who rewrites the whole chain from some event on makes every hash
 * consistent again; an anchor taken before that rewrite no longer matches, and verification says
 * so. (Copy the file elsewhere, e.g. with backups, for the strongest guarantee.)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Executor } from '../db/schema.ts';

export interface Anchor {
  seq: number;
  hash: string;
  at: string;
}

export async function readAnchors(file: string): Promise<Anchor[]> {
  try {
    return (await fs.readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Anchor);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Appends the current head, unless it is the last anchor already. */
export async function anchorHead(db: Executor, file: string, now: Date): Promise<Anchor | null> {
  const head = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (!head) return null;
  const anchor: Anchor = { seq: Number(head.seq), hash: head.hash, at: now.toISOString() };
  const last = (await readAnchors(file)).at(-1);
  if (last && last.seq === anchor.seq && last.hash === anchor.hash) return last;
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await fs.open(file, 'a', 0o600);
  try {
    await handle.appendFile(JSON.stringify(anchor) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return anchor;
}

/** The first anchor the database no longer agrees with, or null. */
export async function checkAnchors(db: Executor, file: string): Promise<Anchor | null> {
  for (const a of await readAnchors(file)) {
    const row = await db.selectFrom('audit_events').select('hash').where('seq', '=', String(a.seq)).executeTakeFirst();
    if (!row || row.hash !== a.hash) return a;
  }
  return null;
}
