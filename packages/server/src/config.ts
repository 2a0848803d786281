/**
 * Runtime configuration from the environment, resolved once. Paths default to `./var/...`
 * relative to the working directory, so `npm start` at the repository root keeps all state in
 * one folder that `.gitignore` already excludes.
 */
import os from 'node:os';
import path from 'node:path';
import { logFormat, type LogFormat } from './logging.ts';

export interface Config {
  varDir: string;
  /** HTTPS port; 0 picks a free one. */
  port: number;
  host: string;
  /** Public base URL used in printed links; derived from host and port when unset. */
  publicUrl: string | null;
  database: { appUrl: string; ownerUrl: string } | null;
  tls: { certFile: string; keyFile: string } | null;
  inboxDir: string;
  inboxPollMs: number;
  /** A watched-folder file is taken only once unmodified this long. */
  inboxSettleMs: number;
  idleTimeoutSeconds: number;
  idleWarningSeconds: number;
  /** A session ends this long after sign-in, however active. */
  sessionMaxHours: number;
  maxUploadBytes: number;
  /** Uploads stored at once; more are answered 503 (each is held in memory while it is stored). */
  maxConcurrentUploads: number;
  maxPages: number;
  maxPagePixels: number;
  logLevel: string;
  /** `human`: one line per event (the default on a terminal); `json`: for machines (the default otherwise). */
  logFormat: LogFormat;
  webDist: string | null;
  /** Break-glass: the time box when the person does not choose one, and the longest allowed (at most 240). */
  breakGlassMinutes: number;
  breakGlassMaxMinutes: number;
  /** Page-reading threads (0 = read in the calling thread). */
  readerThreads: number;
}

/** `READER_THREADS`, or one thread per core as the reader's own pool does. */
export function readerThreads(env: NodeJS.ProcessEnv = process.env): number {
  return int(env.READER_THREADS, os.availableParallelism());
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${value}`);
  return n;
}

/**
 * The demo's data folder when `NEXESSION_VAR_DIR` is unset: its own, so the demo (known
 * passwords, printed secrets) never touches the real folder and both run on one machine.
 */
export const DEMO_VAR_DIR = 'var-demo';

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), defaults: { varDir?: string } = {}): Config {
  const varDir = path.resolve(cwd, env.NEXESSION_VAR_DIR ?? defaults.varDir ?? 'var');
  const appUrl = env.DATABASE_URL;
  const ownerUrl = env.DATABASE_OWNER_URL;
  if ((appUrl && !ownerUrl) || (!appUrl && ownerUrl)) {
    throw new Error('DATABASE_URL and DATABASE_OWNER_URL are set together (application role and owner role), or neither');
  }
  const cert = env.TLS_CERT;
  const key = env.TLS_KEY;
  if ((cert && !key) || (!cert && key)) throw new Error('TLS_CERT and TLS_KEY are set together, or neither');
  return {
    varDir,
    port: int(env.PORT, 8443),
    host: env.HOST ?? '127.0.0.1',
    publicUrl: env.PUBLIC_URL ?? null,
    database: appUrl && ownerUrl ? { appUrl, ownerUrl } : null,
    tls: cert && key ? { certFile: path.resolve(cwd, cert), keyFile: path.resolve(cwd, key) } : null,
    inboxDir: path.resolve(cwd, env.INBOX_DIR ?? path.join(varDir, 'inbox')),
    inboxPollMs: int(env.INBOX_POLL_MS, 1000),
    inboxSettleMs: int(env.INBOX_SETTLE_MS, 2000),
    idleTimeoutSeconds: int(env.IDLE_TIMEOUT_SECONDS, 15 * 60),
    idleWarningSeconds: int(env.IDLE_WARNING_SECONDS, 60),
    sessionMaxHours: int(env.SESSION_MAX_HOURS, 12),
    maxUploadBytes: int(env.MAX_UPLOAD_BYTES, 50 * 1024 * 1024),
    maxConcurrentUploads: int(env.MAX_CONCURRENT_UPLOADS, 4),
    maxPages: int(env.MAX_PAGES, 50),
    maxPagePixels: int(env.MAX_PAGE_PIXELS, 40_000_000),
    logLevel: env.LOG_LEVEL ?? 'info',
    logFormat: logFormat(env, Boolean(process.stdout.isTTY)),
    webDist: env.WEB_DIST ?? null,
    ...breakGlassBox(env),
    readerThreads: readerThreads(env),
  };
}

function breakGlassBox(env: NodeJS.ProcessEnv): { breakGlassMinutes: number; breakGlassMaxMinutes: number } {
  const max = int(env.BREAK_GLASS_MAX_MINUTES, 240);
  const minutes = int(env.BREAK_GLASS_MINUTES, Math.min(30, max));
  // The database refuses a break-glass longer than 4 hours (migration 061).
  if (max < 1 || max > 240) throw new Error('BREAK_GLASS_MAX_MINUTES is between 1 and 240');
  if (minutes < 1 || minutes > max) throw new Error('BREAK_GLASS_MINUTES is between 1 and BREAK_GLASS_MAX_MINUTES');
  return { breakGlassMinutes: minutes, breakGlassMaxMinutes: max };
}
