/**
 * The server's log: ids only, never a value or a secret, and readable by the person who started
 * it. Requests are logged by the application itself (Fastify's own request logging is off, as it
 * writes every URL verbatim: `/setup/<one-time token>` reached the log at info), at `debug`, with
 * secret-bearing URL parts replaced; `info` is kept for what an operator needs to see (start,
 * migrations, releases, deliveries, failures). On a terminal each record is one human line;
 * elsewhere (a service manager, a file) it stays JSON for machines.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export const REDACTED = '[redacted]';

/** Path segments that are followed by a bearer secret (`/setup/<token>`, `/api/setup/<token>/...`). */
const SECRET_AFTER = new Set(['setup']);
/** A segment shaped like one of our random tokens (32 bytes base64url), wherever it appears. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,}$/;
/** Ids are not secrets, and the log is where an operator follows one. */
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A URL as it may be logged: the segment after `setup` and anything shaped like a token replaced,
 * every query value replaced (keys kept, so the log still says which filters were used).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const pathPart = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const segments = pathPart.split('/');
  const out = segments.map((s, i) => {
    let decoded = s;
    try {
      decoded = decodeURIComponent(s);
    } catch {
      // keep as is
    }
    const prev = i > 0 ? segments[i - 1]!.toLowerCase() : '';
    if (i > 0 && s !== '' && (SECRET_AFTER.has(prev) || (TOKEN_SHAPE.test(decoded) && !UUID_SHAPE.test(decoded)))) return REDACTED;
    return s;
  });
  let redacted = out.join('/');
  if (query) {
    const keys = query.split('&').filter(Boolean).map((kv) => {
      const eq = kv.indexOf('=');
      const key = eq === -1 ? kv : kv.slice(0, eq);
      return /^[A-Za-z0-9_.-]{1,40}$/.test(key) ? `${key}=${REDACTED}` : REDACTED;
    });
    redacted += `?${keys.join('&')}`;
  }
  return redacted;
}

export type LogFormat = 'json' | 'human';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'app', 'msg']);

function shown(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

/** One JSON log record as one line a person reads: `09:14:03 INFO requisition released requisitionId=…`. */
export function humanLine(record: Record<string, unknown>): string {
  const t = typeof record.time === 'number' ? new Date(record.time) : new Date();
  const clock = `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}:${String(t.getSeconds()).padStart(2, '0')}`;
  const level = LEVELS[Number(record.level)] ?? String(record.level ?? '');
  const rest = Object.entries(record)
    .filter(([k, v]) => !SKIP.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${shown(v)}`);
  return [clock, level.padEnd(5), String(record.msg ?? ''), ...rest].join(' ').trimEnd();
}

/** A stream that turns pino's JSON lines into human lines (anything else passes through). */
export function humanStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const lines = chunk.toString().split('\n').filter((l) => l.length > 0);
      for (const line of lines) {
        let text = line;
        try {
          text = humanLine(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not JSON: as it came
        }
        out.write(`${text}\n`);
      }
      cb();
    },
  });
}

/** `LOG_FORMAT`, or human on a terminal and JSON otherwise. */
export function logFormat(env: NodeJS.ProcessEnv, isTty: boolean): LogFormat {
  const f = env.LOG_FORMAT?.trim().toLowerCase();
  if (f === 'json') return 'json';
  if (f === 'human' || f === 'pretty') return 'human';
  if (f) throw new Error(`LOG_FORMAT is json or human, not ${env.LOG_FORMAT}`);
  return isTty ? 'human' : 'json';
}

export function createLogger(opts: { level: string; format: LogFormat; out?: NodeJS.WritableStream }): Logger {
  const out = opts.out ?? process.stdout;
  const options = { level: opts.level, base: { app: 'nexession' } };
  return opts.format === 'human' ? pino(options, humanStream(out)) : pino(options, out as NodeJS.WritableStream & { write: (s: string) => boolean });
}
