/**
 * MLLP framing (HL7 v2 over TCP): each message is sent as `0x0B <message bytes> 0x1C 0x0D`.
 *
 * The decoder is a byte-level state machine fed with whatever TCP delivers: a frame may arrive
 * split over many chunks, several frames may arrive in one chunk, and peers put NUL bytes, CR
 * or LF between frames. Bytes that cannot belong to a frame are counted and reported, never
 * silently glued to the next message.
 */

export const START_BLOCK = 0x0b;
export const END_BLOCK = 0x1c;
export const CARRIAGE_RETURN = 0x0d;

/** Frames larger than this are dropped and reported: a peer gone wrong must not eat the memory. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 3);
  out[0] = START_BLOCK;
  out.set(payload, 1);
  out[payload.length + 1] = END_BLOCK;
  out[payload.length + 2] = CARRIAGE_RETURN;
  return out;
}

export type FrameEvent =
  | { kind: 'frame'; payload: Buffer }
  /** Bytes outside any frame other than NUL, CR, LF, space (which are tolerated between frames). */
  | { kind: 'stray_bytes'; count: number }
  /** A frame was abandoned: a new start block came before its end, or it grew past the limit. */
  | { kind: 'abandoned_frame'; reason: 'restarted' | 'too_large'; bytes: number }
  /** `0x1C` not followed by `0x0D`: the frame is taken as ended, and the problem reported. */
  | { kind: 'missing_cr_after_end_block' };

type State = 'outside' | 'inside' | 'after_end_block';

const TOLERATED_BETWEEN_FRAMES = new Set([0x00, 0x0a, 0x0d, 0x20]);

export class MllpDecoder {
  #state: State = 'outside';
  #chunks: Buffer[] = [];
  #size = 0;
  #stray = 0;
  readonly #maxFrameBytes: number;

  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** True while part of a frame has been received but not its end. */
  get inFrame(): boolean {
    return this.#state !== 'outside';
  }

  /** Feeds received bytes; returns what they completed, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    while (i < buf.length) {
      if (this.#state === 'outside') {
        const start = buf.indexOf(START_BLOCK, i);
        const end = start < 0 ? buf.length : start;
        for (let k = i; k < end; k += 1) if (!TOLERATED_BETWEEN_FRAMES.has(buf[k]!)) this.#stray += 1;
        if (start < 0) break;
        this.#flushStray(events);
        this.#state = 'inside';
        this.#chunks = [];
        this.#size = 0;
        i = start + 1;
      } else if (this.#state === 'inside') {
        let stop = i;
        while (stop < buf.length && buf[stop] !== END_BLOCK && buf[stop] !== START_BLOCK) stop += 1;
        if (!this.#append(buf.subarray(i, stop), events)) {
          // Dropped as too large: the rest of it (up to the next start block) is stray.
          i = stop;
          continue;
        }
        if (stop >= buf.length) break;
        if (buf[stop] === START_BLOCK) {
          events.push({ kind: 'abandoned_frame', reason: 'restarted', bytes: this.#size });
          this.#chunks = [];
          this.#size = 0;
          i = stop + 1;
          continue;
        }
        this.#state = 'after_end_block';
        i = stop + 1;
      } else {
        const frame = { kind: 'frame' as const, payload: Buffer.concat(this.#chunks, this.#size) };
        this.#chunks = [];
        this.#size = 0;
        this.#state = 'outside';
        if (buf[i] === CARRIAGE_RETURN) {
          i += 1;
        } else {
          events.push({ kind: 'missing_cr_after_end_block' });
        }
        events.push(frame);
      }
    }
    if (this.#state === 'outside') this.#flushStray(events);
    return events;
  }

  /** Adds bytes to the frame; false when the frame was dropped for size (state is then `outside`). */
  #append(part: Buffer, events: FrameEvent[]): boolean {
    if (part.length === 0) return true;
    if (this.#size + part.length > this.#maxFrameBytes) {
      events.push({ kind: 'abandoned_frame', reason: 'too_large', bytes: this.#size + part.length });
      // Drop everything up to the next start block.
      this.#chunks = [];
      this.#size = 0;
      this.#state = 'outside';
      return false;
    }
    this.#chunks.push(Buffer.from(part));
    this.#size += part.length;
    return true;
  }

  #flushStray(events: FrameEvent[]): void {
    if (this.#stray > 0) {
      events.push({ kind: 'stray_bytes', count: this.#stray });
      this.#stray = 0;
    }
  }
}
