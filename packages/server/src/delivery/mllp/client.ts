/**
 * MLLP client: sends one order message at a time over a kept-open TCP (or TLS ≥ 1.2)
 * connection and waits for the ACK whose MSA-2 equals the message's MSH-10.
 *
 * The outcome of one attempt is one of:
 * - `acked`: an ACK for this control id arrived (AA/CA accepted, AE/CE error, AR/CR rejected);
 * - `not_sent`: the frame's last byte never left us (connection refused, TLS failure, the
 *   connection dropped or the peer answered garbage before our write completed). Nothing can
 *   have reached the LIS, so a retry is safe;
 * - `ambiguous`: the whole frame was handed to the network but no ACK for it came (timeout,
 *   connection closed). The LIS may have the order: a person decides, never an automatic resend.
 *
 * Frames that are not the ACK we wait for (a late ACK for an earlier message, an ACK with
 * another MSA-2, garbage) are never matched to the current message; they are reported in
 * `unmatched` (or to `onUnmatched` when nothing is waiting), as evidence.
 */
import net from 'node:net';
import tls from 'node:tls';
import { type Ack, readAck } from '../hl7/ack.ts';
import { parseHl7Bytes } from '../hl7/parse.ts';
import { encodeFrame, MllpDecoder } from './framing.ts';

export interface MllpEndpoint {
  host: string;
  port: number;
  /** TLS (minimum version 1.2, certificate always verified), or plain TCP when absent. */
  tls?: { ca?: string | null; servername?: string | null } | null;
  connectTimeoutMs?: number;
}

export type NotSentReason =
  | 'connect_refused'
  | 'connect_timeout'
  | 'connect_failed'
  | 'tls_failed'
  | 'closed_before_sent'
  | 'reply_before_sent'
  | 'write_failed'
  | 'aborted_before_write';

export type AmbiguousReason = 'ack_timeout' | 'closed_after_send' | 'error_after_send';

export interface UnmatchedFrame {
  at: Date;
  /** MSA-2 of the frame when it was a readable ACK, else null. */
  answersControlId: string | null;
  ackCode: string | null;
  reason: 'other_control_id' | 'not_an_ack' | 'unparseable' | 'stray_bytes' | 'abandoned_frame';
  bytes: number;
}

export type AttemptOutcome =
  | { kind: 'acked'; ack: Ack; ackBytes: Buffer; written: true; unmatched: UnmatchedFrame[] }
  | { kind: 'not_sent'; reason: NotSentReason; detail: string; written: false; unmatched: UnmatchedFrame[] }
  | { kind: 'ambiguous'; reason: AmbiguousReason; detail: string; written: true; unmatched: UnmatchedFrame[] };

export interface SendOptions {
  ackTimeoutMs: number;
  /**
   * Runs once the connection is up, just before the frame is written. The outbox uses it to
   * commit "this attempt is about to be written" so a crash after this point is known to be
   * ambiguous. If it throws, nothing is written and the outcome is `not_sent`.
   */
  beforeWrite?: () => Promise<void>;
}

interface Pending {
  controlId: string;
  written: boolean;
  unmatched: UnmatchedFrame[];
  settle: (outcome: AttemptOutcome) => void;
}

const NETWORK_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function describeConnectError(err: NodeJS.ErrnoException, isTls: boolean): { reason: NotSentReason; detail: string } {
  if (err.code === 'ECONNREFUSED') return { reason: 'connect_refused', detail: 'connection refused' };
  if (err.code === 'ETIMEDOUT') return { reason: 'connect_timeout', detail: 'connect timed out' };
  if (err.code && NETWORK_ERRORS.has(err.code)) return { reason: 'connect_failed', detail: err.code };
  // Anything else before the handshake completed (bad certificate, wrong name, a plain-TCP peer).
  if (isTls) return { reason: 'tls_failed', detail: `TLS handshake failed: ${err.code ?? err.message}` };
  return { reason: 'connect_failed', detail: err.code ?? err.message };
}

export class MllpClient {
  readonly #endpoint: MllpEndpoint;
  readonly #onUnmatched: ((frame: UnmatchedFrame) => void) | undefined;
  #socket: net.Socket | null = null;
  #connecting: net.Socket | null = null;
  #decoder = new MllpDecoder();
  #pending: Pending | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(endpoint: MllpEndpoint, options: { onUnmatched?: (frame: UnmatchedFrame) => void } = {}) {
    this.#endpoint = endpoint;
    this.#onUnmatched = options.onUnmatched;
  }

  /** Sends one message and waits for its ACK. Calls are serialised: one message in flight per connection. */
  send(payload: Uint8Array, controlId: string, options: SendOptions): Promise<AttemptOutcome> {
    const run = this.#queue.then(() => this.#sendNow(payload, controlId, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Closes the client for good: a connection being opened is abandoned, and a message waiting
   * for its ACK settles now, as ambiguous if its frame was written, as not sent otherwise.
   */
  close(): void {
    this.#closed = true;
    this.#connecting?.destroy(new Error('client closed'));
    this.#connecting = null;
    const p = this.#pending;
    if (p) {
      p.settle(p.written
        ? { kind: 'ambiguous', reason: 'closed_after_send', detail: 'client closed after the message was sent, before its ACK', written: true, unmatched: p.unmatched }
        : { kind: 'not_sent', reason: 'aborted_before_write', detail: 'client closed before the message was sent', written: false, unmatched: p.unmatched });
    }
    this.#drop();
  }

  get connected(): boolean {
    return this.#socket !== null;
  }

  async #sendNow(payload: Uint8Array, controlId: string, options: SendOptions): Promise<AttemptOutcome> {
    if (this.#closed) return { kind: 'not_sent', reason: 'aborted_before_write', detail: 'client closed', written: false, unmatched: [] };
    let socket: net.Socket;
    try {
      socket = await this.#connection();
    } catch (e) {
      const { reason, detail } = describeConnectError(e as NodeJS.ErrnoException, Boolean(this.#endpoint.tls));
      return { kind: 'not_sent', reason, detail, written: false, unmatched: [] };
    }
    if (options.beforeWrite) {
      try {
        await options.beforeWrite();
      } catch (e) {
        return { kind: 'not_sent', reason: 'aborted_before_write', detail: `before-write step failed: ${(e as Error).message}`, written: false, unmatched: [] };
      }
    }
    // The LIS may have closed an idle connection while we were recording the attempt: open a
    // fresh one rather than give up (nothing has been written yet).
    if (socket !== this.#socket || socket.destroyed || !socket.writable) {
      try {
        socket = await this.#connection();
      } catch (e) {
        const { reason, detail } = describeConnectError(e as NodeJS.ErrnoException, Boolean(this.#endpoint.tls));
        return { kind: 'not_sent', reason, detail, written: false, unmatched: [] };
      }
    }
    return new Promise<AttemptOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const pending: Pending = {
        controlId,
        written: false,
        unmatched: [],
        settle: (outcome) => {
          if (this.#pending !== pending) return;
          this.#pending = null;
          if (timer) clearTimeout(timer);
          resolve(outcome);
        },
      };
      this.#pending = pending;
      socket.write(encodeFrame(payload), (err) => {
        if (this.#pending !== pending) return;
        if (err) {
          // The kernel did not take the whole frame: its end block never left, the LIS cannot have it.
          pending.settle({ kind: 'not_sent', reason: 'write_failed', detail: err.message, written: false, unmatched: pending.unmatched });
          this.#drop();
          return;
        }
        pending.written = true;
        timer = setTimeout(() => {
          pending.settle({ kind: 'ambiguous', reason: 'ack_timeout', detail: `no ACK within ${options.ackTimeoutMs} ms`, written: true, unmatched: pending.unmatched });
        }, options.ackTimeoutMs);
      });
    });
  }

  #connection(): Promise<net.Socket> {
    const existing = this.#socket;
    if (existing && !existing.destroyed && existing.writable && !existing.readableEnded) return Promise.resolve(existing);
    this.#drop();
    const { host, port } = this.#endpoint;
    const timeoutMs = this.#endpoint.connectTimeoutMs ?? 10_000;
    return new Promise<net.Socket>((resolve, reject) => {
      const t = this.#endpoint.tls;
      const socket = t
        ? tls.connect({
            host,
            port,
            minVersion: 'TLSv1.2',
            rejectUnauthorized: true,
            ...(t.ca ? { ca: t.ca } : {}),
            ...(t.servername ? { servername: t.servername } : net.isIP(host) ? {} : { servername: host }),
          })
        : net.connect({ host, port });
      const readyEvent = t ? 'secureConnect' : 'connect';
      this.#connecting = socket;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      const onError = (err: Error) => {
        clearTimeout(timer);
        if (this.#connecting === socket) this.#connecting = null;
        socket.destroy();
        reject(err);
      };
      socket.once('error', onError);
      socket.once(readyEvent, () => {
        clearTimeout(timer);
        if (this.#connecting === socket) this.#connecting = null;
        socket.off('error', onError);
        if (this.#closed) {
          socket.destroy();
          reject(new Error('client closed'));
          return;
        }
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        this.#attach(socket);
        resolve(socket);
      });
    });
  }

  #attach(socket: net.Socket): void {
    this.#socket = socket;
    this.#decoder = new MllpDecoder();
    socket.on('data', (chunk: Buffer) => {
      if (this.#socket === socket) this.#onData(chunk);
    });
    const lost = (why: string) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      socket.destroy();
      const p = this.#pending;
      if (!p) return;
      if (p.written) {
        p.settle({ kind: 'ambiguous', reason: why === 'error' ? 'error_after_send' : 'closed_after_send', detail: `connection ${why} after the message was sent, before its ACK`, written: true, unmatched: p.unmatched });
      } else {
        p.settle({ kind: 'not_sent', reason: 'closed_before_sent', detail: `connection ${why} before the message was fully sent`, written: false, unmatched: p.unmatched });
      }
    };
    socket.on('error', () => lost('error'));
    socket.on('end', () => lost('ended'));
    socket.on('close', () => lost('closed'));
  }

  #drop(): void {
    const s = this.#socket;
    this.#socket = null;
    s?.destroy();
  }

  #record(frame: UnmatchedFrame): void {
    if (this.#pending) this.#pending.unmatched.push(frame);
    else this.#onUnmatched?.(frame);
  }

  #onData(chunk: Buffer): void {
    for (const event of this.#decoder.push(chunk)) {
      if (event.kind === 'frame') {
        this.#onFrame(event.payload);
      } else if (event.kind === 'stray_bytes' || event.kind === 'abandoned_frame') {
        this.#onGarbage({ at: new Date(), answersControlId: null, ackCode: null, reason: event.kind, bytes: event.kind === 'stray_bytes' ? event.count : event.bytes });
      }
    }
  }

  /** Garbage while our frame is still being written means the peer is not answering it: abandon, safely. */
  #onGarbage(frame: UnmatchedFrame): void {
    this.#record(frame);
    const p = this.#pending;
    if (p && !p.written) {
      p.settle({ kind: 'not_sent', reason: 'reply_before_sent', detail: 'the peer sent something else before our message was fully sent', written: false, unmatched: p.unmatched });
      this.#drop();
    }
  }

  #onFrame(payload: Buffer): void {
    const parsed = parseHl7Bytes(payload);
    if (!parsed.ok) {
      this.#onGarbage({ at: new Date(), answersControlId: null, ackCode: null, reason: 'unparseable', bytes: payload.length });
      return;
    }
    const read = readAck(parsed.message);
    if (!read.ok) {
      this.#onGarbage({ at: new Date(), answersControlId: null, ackCode: null, reason: 'not_an_ack', bytes: payload.length });
      return;
    }
    const p = this.#pending;
    if (p && read.ack.controlId === p.controlId) {
      p.settle({ kind: 'acked', ack: read.ack, ackBytes: payload, written: true, unmatched: p.unmatched });
      return;
    }
    // A late ACK for an earlier message, or one for a message we never sent: evidence, not an answer.
    this.#record({ at: new Date(), answersControlId: read.ack.controlId, ackCode: read.ack.code, reason: 'other_control_id', bytes: payload.length });
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. Only `not_sent` outcomes are retried. */
  maxAttempts: number;
  /** Delay before retry n (1-based): `delaysMs[n-1]`, the last one repeating. */
  delaysMs: number[];
}

export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
  outcome: AttemptOutcome;
}

/**
 * Sends with retries of transient failures only. The same bytes (and so the same MSH-10) go out
 * on every attempt. Stops at the first outcome that is not `not_sent`: an ambiguous attempt is
 * never followed by another.
 */
export async function sendWithRetry(
  client: MllpClient,
  payload: Uint8Array,
  controlId: string,
  options: SendOptions & { retry: RetryPolicy; onAttempt?: (record: AttemptRecord) => void | Promise<void>; sleep?: (ms: number) => Promise<void> },
): Promise<{ final: AttemptOutcome; attempts: AttemptRecord[] }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts: AttemptRecord[] = [];
  for (let n = 1; ; n += 1) {
    const startedAt = new Date();
    const outcome = await client.send(payload, controlId, options);
    const record = { attempt: n, startedAt, finishedAt: new Date(), outcome };
    attempts.push(record);
    await options.onAttempt?.(record);
    if (outcome.kind !== 'not_sent' || n >= options.retry.maxAttempts) return { final: outcome, attempts };
    const delays = options.retry.delaysMs;
    await sleep(delays[Math.min(n - 1, delays.length - 1)] ?? 0);
  }
}
