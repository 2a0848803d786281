/**
 * The watched folder. Polled (works on every file system, network shares included); a file is
 * taken once its size and modification time held still across two polls and for at least the
 * settle time, and is removed from the folder only after `intakeDocument` returned, i.e. after
 * the sealed blob was fsynced and the database row committed, and only if it did not change while
 * it was being stored. A file stored just before a crash is recognised by its intake key on the
 * next pass and only then removed.
 *
 * The folder is a way in for anyone who can write to it, so it is read like hostile input: a
 * symbolic link is never followed (a link to /etc/shadow or to another lab's scans would
 * otherwise be read with the server's rights), nor a hard link to a file that lives elsewhere;
 * anything that is not a plain file (a FIFO would block the reader), an empty file that stays
 * empty, and a file over the size limit are set aside in the rejected folder with the reason
 * beside them and an audit event: refused, never lost, never read.
 */
import { createHash } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { serviceContext } from '../audit/audit.ts';
import { recordAudit } from '../audit/audit.ts';
import type { AppContext } from '../context.ts';
import { intakeDocument, type JobSender } from './store.ts';

/** An empty file that stays empty this long is set aside (a writer may create it before writing). */
export const EMPTY_GRACE_MS = 60_000;

interface Seen {
  size: number;
  mtimeMs: number;
  stableSince: number;
}

const IGNORED = /^\.|\.(part|tmp|crdownload|partial)$|~$/i;

export interface InboxWatcher {
  /** One pass over the folder (also what the timer runs). Resolves when the pass is done. */
  poll(): Promise<number>;
  stop(): Promise<void>;
}

export interface InboxOptions {
  dir: string;
  pollMs: number;
  rejectedDir: string;
  /** A file is taken only once unmodified for this long (besides two stable polls). */
  settleMs?: number;
  autostart?: boolean;
}

type SetAside = { kind: 'link' | 'hard_link' | 'not_a_file' | 'empty' | 'oversize'; reason: string; bytes?: number };

export function watchInbox(ctx: AppContext, jobs: JobSender, opts: InboxOptions): InboxWatcher {
  const settleMs = opts.settleMs ?? ctx.config.inboxSettleMs;
  const seen = new Map<string, Seen>();
  const rc = serviceContext('inbox');
  let running: Promise<number> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  /** Moves the entry itself (never what a link points to) to the rejected folder, with its reason. */
  async function setAside(name: string, full: string, why: SetAside): Promise<void> {
    await fs.mkdir(opts.rejectedDir, { recursive: true, mode: 0o700 });
    const target = path.join(opts.rejectedDir, `${ctx.now().getTime()}-${path.basename(name)}`);
    await fs.rename(full, target);
    await fs.writeFile(`${target}.reason.txt`, `${why.reason}\n`, { mode: 0o600 });
    await recordAudit(ctx.db, ctx.vault, rc, {
      action: why.kind === 'oversize' ? 'document.reject_oversize' : 'document.reject_inbox_entry',
      objectType: 'inbox',
      objectId: 'inbox',
      details: { kind: why.kind, reason: why.reason, ...(why.bytes !== undefined ? { bytes: why.bytes } : {}) },
    });
    ctx.log.warn({ kind: why.kind }, 'inbox entry set aside unread');
  }

  /** 'stored' once the document is in the database (the file is removed unless it changed meanwhile). */
  async function takeFile(name: string, full: string, st: { size: number; mtimeMs: number; ino: number; dev: number }): Promise<'stored' | 'set_aside' | 'changed'> {
    if (st.size > ctx.config.maxUploadBytes) {
      // Too big to hold in memory and seal: set aside, unread, with the reason beside it.
      await setAside(name, full, { kind: 'oversize', reason: `${st.size} bytes, over the limit of ${ctx.config.maxUploadBytes}`, bytes: st.size });
      return 'set_aside';
    }
    // O_NOFOLLOW: a link swapped in after the lstat is refused by the kernel, not followed.
    // O_NONBLOCK: a FIFO swapped in cannot block the watcher.
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(full, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
      await setAside(name, full, { kind: 'link', reason: 'a symbolic link: not followed, not read' });
      return 'set_aside';
    }
    let bytes: Buffer;
    try {
      const held = await handle.stat();
      if (!held.isFile() || held.ino !== st.ino || held.dev !== st.dev || held.size !== st.size) return 'changed'; // next pass
      if (held.nlink > 1) {
        await handle.close();
        await setAside(name, full, { kind: 'hard_link', reason: 'a hard link to a file that also lives elsewhere: not read' });
        return 'set_aside';
      }
      bytes = await handle.readFile();
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (bytes.length !== st.size) return 'changed'; // next pass
    const sha = createHash('sha256').update(bytes).digest('hex');
    const intakeKey = createHash('sha256').update(`${name}\0${st.size}\0${Math.round(st.mtimeMs)}\0${sha}`).digest('hex');
    const result = await intakeDocument(ctx, jobs, rc, bytes, { source: 'inbox', filename: name, intakeKey });
    // Stored and committed. A writer that was still at it (it paused longer than the settle
    // time) would lose what it writes next if the file went now: leave it; the next pass stores
    // the grown file as a new document.
    const after = await fs.lstat(full).catch(() => null);
    if (after && (after.size !== st.size || after.mtimeMs !== st.mtimeMs || after.ino !== st.ino)) {
      ctx.log.warn({ documentId: result.documentId }, 'inbox file changed while it was stored; left for the next pass');
      return 'stored';
    }
    // Only now does the file leave the folder.
    await fs.rm(full, { force: true });
    const dir = await fs.open(opts.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    ctx.log.info({ documentId: result.documentId, status: result.status, alreadyStored: result.alreadyStored ?? false }, 'inbox file taken');
    return 'stored';
  }

  async function pass(): Promise<number> {
    await fs.mkdir(opts.dir, { recursive: true, mode: 0o700 });
    const names = (await fs.readdir(opts.dir)).filter((n) => !IGNORED.test(n)).sort();
    const now = ctx.now().getTime();
    let taken = 0;
    for (const name of names) {
      if (stopped) break;
      const full = path.join(opts.dir, name);
      let st;
      try {
        // lstat: the entry itself. stat would follow a link to wherever it points.
        st = await fs.lstat(full);
      } catch {
        seen.delete(name);
        continue;
      }
      try {
        if (st.isDirectory()) continue;
        if (st.isSymbolicLink()) {
          await setAside(name, full, { kind: 'link', reason: 'a symbolic link: not followed, not read' });
          seen.delete(name);
          continue;
        }
        if (!st.isFile()) {
          await setAside(name, full, { kind: 'not_a_file', reason: 'not a plain file (FIFO, socket or device): not read' });
          seen.delete(name);
          continue;
        }
      } catch (err) {
        ctx.log.error({ err: { type: (err as Error).name } }, 'inbox entry could not be set aside; will retry');
        continue;
      }
      const prior = seen.get(name);
      if (!prior || prior.size !== st.size || prior.mtimeMs !== st.mtimeMs) {
        seen.set(name, { size: st.size, mtimeMs: st.mtimeMs, stableSince: now });
        continue;
      }
      const quietMs = now - st.mtimeMs;
      try {
        if (st.size === 0) {
          if (quietMs >= Math.max(settleMs, EMPTY_GRACE_MS)) {
            await setAside(name, full, { kind: 'empty', reason: 'an empty file (0 bytes) that stayed empty' });
            seen.delete(name);
          }
          continue;
        }
        if (settleMs > 0 && quietMs < settleMs) continue;
        const outcome = await takeFile(name, full, st);
        seen.delete(name);
        if (outcome === 'stored') taken++;
      } catch (err) {
        // Left in place; the next pass tries again.
        ctx.log.error({ err: { type: (err as Error).name } }, 'inbox file could not be stored; will retry');
      }
    }
    for (const name of seen.keys()) if (!names.includes(name)) seen.delete(name);
    return taken;
  }

  function poll(): Promise<number> {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      poll()
        .catch((err) => ctx.log.error({ err: { type: (err as Error).name } }, 'inbox poll failed'))
        .finally(schedule);
    }, opts.pollMs);
    timer.unref();
  }
  if (opts.autostart !== false) schedule();

  return {
    poll,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
