/**
 * A small LIS for demos and tests: an MLLP server (TCP or TLS) that parses each order message,
 * writes it to `outDir` (the raw bytes and a JSON summary) BEFORE acknowledging it, and answers
 * with an application acknowledgement:
 *
 * - v2.5.1 (OML^O21) → ORL^O22, v2.3 (ORM^O01) → ORR^O02, with MSA-1 `AA`, MSA-2 = the received
 *   MSH-10, MSA-3 `accession <number>`, and one `ORC|OK|<placer>|<accession>^<app>` per order:
 *   the LIS order number is the filler number in ORC-3 (one accession per message, as a lab
 *   accessions one requisition); MSA-3 repeats it for people reading the ACK.
 *
 * Test behaviours make it misbehave the ways real receivers do: reject (AR), error (AE), no
 * reply, slow reply, an ACK for another control id, garbage, a connection closed mid-frame.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { buildAck, type LisOrder } from '../hl7/ack.ts';
import { instantToHl7 } from '../hl7/dates.ts';
import { parseImagePointer } from '../hl7/order-message.ts';
import { firstSegment, header, type Hl7Message, type Hl7Segment, parseHl7Bytes, segmentsNamed, value } from '../hl7/parse.ts';
import { encodeFrame, MllpDecoder } from '../mllp/framing.ts';

export type Behaviour =
  | { kind: 'accept' }
  | { kind: 'reject'; text?: string }
  | { kind: 'error'; text?: string }
  | { kind: 'no_reply' }
  | { kind: 'slow'; delayMs: number }
  /** ACK with a different MSA-2, as a confused receiver would send. */
  | { kind: 'wrong_control_id' }
  /** A frame that is not HL7 at all. */
  | { kind: 'garbled' }
  /** Half an ACK frame, then the connection is closed. */
  | { kind: 'close_mid_frame' }
  /** Close the connection without answering. */
  | { kind: 'close' };

export interface BehaviourContext {
  /** 1-based count of messages received by this simulator. */
  index: number;
  controlId: string;
}

export interface LisSimulatorOptions {
  port: number;
  host?: string;
  outDir: string;
  tls?: { key: string; cert: string } | null;
  behaviour?: Behaviour | ((ctx: BehaviourContext) => Behaviour);
  /** Clock for ACK timestamps (tests). */
  now?: () => Date;
  /** First accession number when the folder has none yet. */
  firstAccession?: number;
}

export interface ReceivedSummary {
  index: number;
  receivedAt: string;
  file: string;
  bytes: number;
  sha256: string;
  parsed: boolean;
  parseError?: string;
  problems: string[];
  controlId: string;
  messageType: string;
  version: string;
  charset: string;
  ack: { code: string; accession: string | null } | null;
  patient: {
    identifiers: { id: string; idType: string; extra: string }[];
    lastName: string; firstName: string; middleName: string;
    dob: string; sex: string; phone: string;
    address: { line: string; city: string; state: string; postalCode: string; country: string };
  } | null;
  insurance: { payer: string; groupNumber: string; planType: string; memberId: string } | null;
  orders: {
    orderControl: string;
    placer: string;
    placerGroup: string;
    priority: string;
    test: { code: string; name: string; system: string };
    collected: string;
    provider: { id: string; lastName: string; firstName: string; idType: string }[];
    comments: string[];
    diagnoses: { code: string; system: string }[];
    observations: { valueType: string; code: string; value: string; resultStatus: string; imageReference?: { documentId: string; sha256: string } | null }[];
    specimen: { source: string; collected: string } | null;
  }[];
}

/**
 * One console line per received message, for the person watching a demo: ids and counts only
 * (control id, message type, accession, file), never a name or a value from the message.
 */
export function receivedLine(s: ReceivedSummary): string {
  if (!s.parsed) return `LIS simulator: #${s.index} unreadable message (${s.bytes} bytes), answered AR; saved as ${s.file}`;
  const orders = s.orders.length;
  const answer = s.ack ? `answered ${s.ack.code}${s.ack.accession ? `, accession ${s.ack.accession}` : ''}` : 'not an order';
  return `LIS simulator: #${s.index} ${s.messageType || '?'} control id ${s.controlId || '?'}, ${orders} order${orders === 1 ? '' : 's'}; ${answer}; saved as ${s.file}`;
}

export interface LisSimulator extends EventEmitter {
  port: number;
  host: string;
  outDir: string;
  tls: boolean;
  /** Every message received so far, in order. */
  readonly received: ReceivedSummary[];
  /** Resolves when `count` messages have been received (and written). */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedSummary[]>;
  /** Closes every connection and the listener. */
  close(): Promise<void>;
}

function resolveBehaviour(option: LisSimulatorOptions['behaviour'], ctx: BehaviourContext): Behaviour {
  if (!option) return { kind: 'accept' };
  return typeof option === 'function' ? option(ctx) : option;
}

function v(msg: Hl7Message, seg: Hl7Segment | undefined, n: number, comp = 1, rep = 1, sub = 1): string {
  return seg ? value(msg, seg, n, { comp, rep, sub }) : '';
}

/** Reads an order message into the summary written next to its bytes. */
export function summariseOrder(msg: Hl7Message): Pick<ReceivedSummary, 'patient' | 'insurance' | 'orders'> {
  const pid = firstSegment(msg, 'PID');
  const in1 = firstSegment(msg, 'IN1');
  const patient = pid
    ? {
        identifiers: (pid.fields[3] ?? '').split(msg.delimiters.repetition).filter(Boolean).map((_, r) => ({
          id: v(msg, pid, 3, 1, r + 1), extra: v(msg, pid, 3, 2, r + 1), idType: v(msg, pid, 3, 5, r + 1),
        })),
        lastName: v(msg, pid, 5, 1), firstName: v(msg, pid, 5, 2), middleName: v(msg, pid, 5, 3),
        dob: v(msg, pid, 7), sex: v(msg, pid, 8), phone: v(msg, pid, 13),
        address: { line: v(msg, pid, 11, 1), city: v(msg, pid, 11, 3), state: v(msg, pid, 11, 4), postalCode: v(msg, pid, 11, 5), country: v(msg, pid, 11, 6) },
      }
    : null;
  const insurance = in1 ? { payer: v(msg, in1, 4), groupNumber: v(msg, in1, 8), planType: v(msg, in1, 15), memberId: v(msg, in1, 36) } : null;

  // Order groups: each ORC starts one; the segments after it up to the next ORC belong to it.
  const orders: ReceivedSummary['orders'] = [];
  let current: ReceivedSummary['orders'][number] | null = null;
  let orc: Hl7Segment | undefined;
  for (const seg of msg.segments) {
    if (seg.name === 'ORC') {
      orc = seg;
      current = {
        orderControl: v(msg, seg, 1), placer: v(msg, seg, 2), placerGroup: v(msg, seg, 4),
        priority: v(msg, seg, 7, 6), test: { code: '', name: '', system: '' }, collected: '',
        provider: [], comments: [], diagnoses: [], observations: [], specimen: null,
      };
      orders.push(current);
    } else if (!current) {
      continue;
    } else if (seg.name === 'TQ1') {
      current.priority = v(msg, seg, 9);
    } else if (seg.name === 'OBR') {
      current.test = { code: v(msg, seg, 4, 1), name: v(msg, seg, 4, 2), system: v(msg, seg, 4, 3) };
      current.collected = v(msg, seg, 7);
      const reps = (seg.fields[16] ?? '').split(msg.delimiters.repetition).filter(Boolean);
      current.provider = reps.map((_, r) => ({ id: v(msg, seg, 16, 1, r + 1), lastName: v(msg, seg, 16, 2, r + 1), firstName: v(msg, seg, 16, 3, r + 1), idType: v(msg, seg, 16, 13, r + 1) }));
      if (!current.priority) current.priority = v(msg, seg, 27, 6) || v(msg, orc, 7, 6);
      const legacySource = v(msg, seg, 15, 1, 1, 2);
      if (legacySource) current.specimen = { source: legacySource, collected: current.collected };
    } else if (seg.name === 'NTE') {
      current.comments.push(v(msg, seg, 3));
    } else if (seg.name === 'DG1') {
      current.diagnoses.push({ code: v(msg, seg, 3, 1), system: v(msg, seg, 3, 3) });
    } else if (seg.name === 'OBX') {
      const valueType = v(msg, seg, 2);
      const val = v(msg, seg, 5, 1);
      current.observations.push({
        valueType, code: v(msg, seg, 3, 1), value: val, resultStatus: v(msg, seg, 11),
        ...(valueType === 'RP' ? { imageReference: parseImagePointer(val) } : {}),
      });
    } else if (seg.name === 'SPM') {
      current.specimen = { source: v(msg, seg, 4, 2) || v(msg, seg, 4, 1), collected: v(msg, seg, 17, 1) };
    }
  }
  return { patient, insurance, orders };
}

async function nextAccessionStart(outDir: string, first: number): Promise<number> {
  try {
    const state = JSON.parse(await fs.readFile(path.join(outDir, 'lis-sim-state.json'), 'utf8')) as { nextAccession?: number };
    if (Number.isInteger(state.nextAccession)) return state.nextAccession!;
  } catch {
    // first run in this folder
  }
  return first;
}

export async function startLisSimulator(options: LisSimulatorOptions): Promise<LisSimulator> {
  const host = options.host ?? '127.0.0.1';
  const outDir = path.resolve(options.outDir);
  // What it receives is the patient's order: readable by this user only, like everything in var/.
  await fs.mkdir(outDir, { recursive: true, mode: 0o700 });
  await fs.chmod(outDir, 0o700);
  const now = options.now ?? (() => new Date());
  let accession = await nextAccessionStart(outDir, options.firstAccession ?? 100001);
  let index = 0;
  const received: ReceivedSummary[] = [];
  const sockets = new Set<net.Socket>();
  const emitter = new EventEmitter();
  // Writes happen one at a time so numbering and the state file stay consistent.
  let writeChain: Promise<unknown> = Promise.resolve();

  async function record(payload: Buffer): Promise<{ summary: ReceivedSummary; message: Hl7Message | null; accession: string | null }> {
    index += 1;
    const n = index;
    const parsed = parseHl7Bytes(payload);
    const message = parsed.ok ? parsed.message : null;
    const h = message ? header(message) : null;
    const controlId = h?.controlId ?? '';
    const safeId = controlId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'unknown';
    const stamp = now().toISOString();
    const base = `${stamp.replace(/[:.]/g, '-')}-${String(n).padStart(5, '0')}-${safeId}`;
    const isOrder = h !== null && (h.messageCode === 'OML' || h.messageCode === 'ORM');
    const acc = isOrder ? `ACC${accession++}` : null;
    const summary: ReceivedSummary = {
      index: n,
      receivedAt: stamp,
      file: `${base}.hl7`,
      bytes: payload.length,
      sha256: createHash('sha256').update(payload).digest('hex'),
      parsed: parsed.ok,
      ...(parsed.ok ? {} : { parseError: parsed.error }),
      problems: (parsed.ok ? parsed.message.problems : parsed.problems).map((p) => p.code),
      controlId,
      messageType: h ? [h.messageCode, h.triggerEvent, h.structure].filter(Boolean).join('^') : '',
      version: h?.version ?? '',
      charset: h?.charset ?? '',
      ack: null,
      patient: null,
      insurance: null,
      orders: [],
      ...(message ? summariseOrder(message) : {}),
    };
    if (acc) summary.ack = { code: 'AA', accession: acc };
    await fs.writeFile(path.join(outDir, summary.file), payload, { mode: 0o600 });
    await fs.writeFile(path.join(outDir, `${base}.json`), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });
    await fs.writeFile(path.join(outDir, 'lis-sim-state.json'), `${JSON.stringify({ nextAccession: accession })}\n`, { mode: 0o600 });
    return { summary, message, accession: acc };
  }

  function ackFor(message: Hl7Message | null, code: 'AA' | 'AE' | 'AR', text: string | undefined, acc: string | null, answers?: string): Buffer {
    const controlId = `SIM${Date.now().toString(36)}${index}`.slice(0, 20);
    const time = instantToHl7(now());
    if (!message) {
      // Nothing readable: a bare ACK with an empty MSA-2 (we cannot know what it answers).
      const raw = `MSH|^~\\&|LIS-SIM||||${time}||ACK|${controlId}|P|2.5.1\rMSA|AR||${text ?? 'unreadable message'}\r`;
      return Buffer.from(raw, 'utf8');
    }
    const orders: LisOrder[] = code === 'AA' && acc
      ? segmentsNamed(message, 'ORC').map((orc) => ({ placer: value(message, orc, 2), filler: acc }))
      : [];
    const out = buildAck(message, {
      code,
      answersControlId: answers ?? header(message).controlId,
      controlId,
      time,
      ...(text !== undefined ? { text } : acc && code === 'AA' ? { text: `accession ${acc}` } : {}),
      orders,
    });
    return Buffer.from(out, 'utf8');
  }

  async function handle(socket: net.Socket, payload: Buffer): Promise<void> {
    const { summary, message, accession: acc } = await record(payload);
    const behaviour = resolveBehaviour(options.behaviour, { index: summary.index, controlId: summary.controlId });
    received.push(summary);
    emitter.emit('message', summary);
    if (socket.destroyed) return;
    switch (behaviour.kind) {
      case 'accept':
        socket.write(encodeFrame(ackFor(message, message ? 'AA' : 'AR', undefined, acc)));
        break;
      case 'reject':
        socket.write(encodeFrame(ackFor(message, 'AR', behaviour.text ?? 'rejected by LIS simulator', null)));
        break;
      case 'error':
        socket.write(encodeFrame(ackFor(message, 'AE', behaviour.text ?? 'application error in LIS simulator', null)));
        break;
      case 'no_reply':
        break;
      case 'slow':
        setTimeout(() => {
          if (!socket.destroyed) socket.write(encodeFrame(ackFor(message, message ? 'AA' : 'AR', undefined, acc)));
        }, behaviour.delayMs);
        break;
      case 'wrong_control_id':
        socket.write(encodeFrame(ackFor(message, 'AA', undefined, acc, `NOT${summary.controlId}`.slice(0, 20))));
        break;
      case 'garbled':
        socket.write(encodeFrame(Buffer.from('this is not an HL7 acknowledgement', 'utf8')));
        break;
      case 'close_mid_frame': {
        const frame = encodeFrame(ackFor(message, 'AA', undefined, acc));
        socket.end(frame.subarray(0, Math.floor(frame.length / 2)));
        break;
      }
      case 'close':
        socket.destroy();
        break;
    }
  }

  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const decoder = new MllpDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame') continue;
        writeChain = writeChain.then(() => handle(socket, event.payload)).catch((e: unknown) => {
          // A failed write must not take the simulator down; tests see it as a missing message.
          emitter.emit('failure', e);
          socket.destroy();
        });
      }
    });
  };

  const server = options.tls
    ? tls.createServer({ key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' }, onConnection)
    : net.createServer(onConnection);
  // TLS handshake failures are the client's business; keep serving.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  const sim = Object.assign(emitter, {
    port: address.port,
    host,
    outDir,
    tls: Boolean(options.tls),
    received,
    waitForMessages(count: number, timeoutMs = 30_000): Promise<ReceivedSummary[]> {
      if (received.length >= count) return Promise.resolve(received.slice(0, count));
      return new Promise<ReceivedSummary[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          emitter.off('message', check);
          reject(new Error(`LIS simulator: ${received.length} of ${count} messages within ${timeoutMs} ms`));
        }, timeoutMs);
        function check() {
          if (received.length >= count) {
            clearTimeout(timer);
            emitter.off('message', check);
            resolve(received.slice(0, count));
          }
        }
        emitter.on('message', check);
      });
    },
    async close(): Promise<void> {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writeChain.catch(() => undefined);
      emitter.emit('closed');
    },
  });
  return sim;
}
