/**
 * The watched folder. Polled (works on every file system, network shares included); a file is
 * taken once its size and modification time held still across two polls, and is removed from
 * the folder only after `intakeDocument` returned, i.e. after the sealed blob was fsynced and the
 * database row committed. A file stored just before a crash is recognised by its intake key on
 * the next pass and only then removed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { serviceContext } from '../audit/audit.ts';
import { recordAudit } from '../audit/audit.ts';
import type { AppContext } from '../context.ts';
import { intakeDocument, type JobSender } from './store.ts';

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

export function watchInbox(ctx: AppContext, jobs: JobSender, opts: { dir: string; pollMs: number; rejectedDir: string; autostart?: boolean }): InboxWatcher {
  const seen = new Map<string, Seen>();
  const rc = serviceContext('inbox');
  let running: Promise<number> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  async function takeFile(name: string, full: string, st: { size: number; mtimeMs: number }): Promise<void> {
    if (st.size > ctx.config.maxUploadBytes) {
      // Too big to hold in memory and seal: set aside, unread, with the reason beside it.
      await fs.mkdir(opts.rejectedDir, { recursive: true, mode: 0o700 });
      const target = path.join(opts.rejectedDir, `${Date.now()}-${path.basename(name)}`);
      await fs.rename(full, target);
      await fs.writeFile(`${target}.reason.txt`, `${st.size} bytes, over the limit of ${ctx.config.maxUploadBytes}\n`, { mode: 0o600 });
      await recordAudit(ctx.db, ctx.vault, rc, { action: 'document.reject_oversize', objectType: 'inbox', objectId: 'inbox', details: { bytes: st.size } });
      ctx.log.warn({ bytes: st.size }, 'inbox file over the size limit set aside');
      return;
    }
    const bytes = await fs.readFile(full);
    if (bytes.length !== st.size) return; // changed under us: next pass
    const sha = createHash('sha256').update(bytes).digest('hex');
    const intakeKey = createHash('sha256').update(`${name}\0${st.size}\0${Math.round(st.mtimeMs)}\0${sha}`).digest('hex');
    const result = await intakeDocument(ctx, jobs, rc, bytes, { source: 'inbox', filename: name, intakeKey });
    // Stored and committed: only now does the file leave the folder.
    await fs.rm(full, { force: true });
    const dir = await fs.open(opts.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    ctx.log.info({ documentId: result.documentId, status: result.status, alreadyStored: result.alreadyStored ?? false }, 'inbox file taken');
  }

  async function pass(): Promise<number> {
    await fs.mkdir(opts.dir, { recursive: true, mode: 0o700 });
    const names = (await fs.readdir(opts.dir)).filter((n) => !IGNORED.test(n)).sort();
    const now = Date.now();
    let taken = 0;
    for (const name of names) {
      if (stopped) break;
      const full = path.join(opts.dir, name);
      let st;
      try {
        st = await fs.stat(full);
      } catch {
        seen.delete(name);
        continue;
      }
      if (!st.isFile()) continue;
      const prior = seen.get(name);
      if (!prior || prior.size !== st.size || prior.mtimeMs !== st.mtimeMs || st.size === 0) {
        seen.set(name, { size: st.size, mtimeMs: st.mtimeMs, stableSince: now });
        continue;
      }
      try {
        await takeFile(name, full, st);
        seen.delete(name);
        taken++;
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
