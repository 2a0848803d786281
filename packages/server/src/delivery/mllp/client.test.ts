/**
 * The MLLP client against real peers over real TCP/TLS: the LIS simulator and scripted raw
 * sockets. Each test asserts what a broken client would get wrong: matching the wrong ACK,
 * resending after a timeout, losing a frame split across packets.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { buildOrderMessage } from '../hl7/order-message.ts';
import { startLisSimulator, type Behaviour, type LisSimulator } from '../lis-sim/simulator.ts';
import { syntheticConnection, syntheticOrder } from '../testing/fixtures.ts';
import { ackFrame, freeClosedPort, type RawPeer, startRawPeer, testCertificate } from '../testing/raw-peer.ts';
import { type AttemptOutcome, MllpClient, sendWithRetry, type UnmatchedFrame } from './client.ts';
import { encodeFrame } from './framing.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-lis-'));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function simulator(behaviour?: Behaviour | ((ctx: { index: number }) => Behaviour), extra: { tls?: { cert: string; key: string } } = {}): Promise<LisSimulator> {
  const sim = await startLisSimulator({ port: 0, outDir: await tmpDir(), ...(behaviour ? { behaviour } : {}), ...extra });
  cleanups.push(() => sim.close());
  return sim;
}

async function peer(...args: Parameters<typeof startRawPeer>): Promise<RawPeer> {
  const p = await startRawPeer(...args);
  cleanups.push(() => p.close());
  return p;
}

function client(port: number, options: { tls?: { ca?: string } | null; onUnmatched?: (f: UnmatchedFrame) => void } = {}): MllpClient {
  const c = new MllpClient({ host: '127.0.0.1', port, connectTimeoutMs: 5000, ...(options.tls ? { tls: options.tls } : {}) }, options.onUnmatched ? { onUnmatched: options.onUnmatched } : {});
  cleanups.push(() => c.close());
  return c;
}

function order(n: number) {
  const controlId = `NX${String(n).padStart(10, '0')}`;
  return { controlId, bytes: Buffer.from(buildOrderMessage(syntheticOrder({ controlId, placerOrderNumber: `REQ${n}` }), syntheticConnection()), 'utf8') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectKind<K extends AttemptOutcome['kind']>(o: AttemptOutcome, kind: K): Extract<AttemptOutcome, { kind: K }> {
  expect(o.kind, JSON.stringify({ ...o, ackBytes: undefined })).toBe(kind);
  return o as Extract<AttemptOutcome, { kind: K }>;
}

describe('MllpClient with the LIS simulator', () => {
  it('sends an order and records the AA with the LIS order number; the simulator wrote what it got', async () => {
    const sim = await simulator();
    const { controlId, bytes } = order(1);
    const out = expectKind(await client(sim.port).send(bytes, controlId, { ackTimeoutMs: 5000 }), 'acked');
    expect(out.ack).toMatchObject({ code: 'AA', verdict: 'accepted', controlId });
    expect(out.ack.lisOrders).toEqual([{ placer: 'REQ1-1', filler: 'ACC100001' }, { placer: 'REQ1-2', filler: 'ACC100001' }]);
    expect(out.ack.text).toBe('accession ACC100001');
    const [summary] = sim.received;
    expect(summary).toMatchObject({ controlId, messageType: 'OML^O21^OML_O21', version: '2.5.1', parsed: true, problems: [] });
    expect(await fs.readFile(path.join(sim.outDir, summary!.file))).toEqual(bytes);
    const json = JSON.parse(await fs.readFile(path.join(sim.outDir, summary!.file.replace(/\.hl7$/, '.json')), 'utf8'));
    expect(json.patient.lastName).toBe('Testperson');
    expect(json.orders[1].observations.find((o: { valueType: string }) => o.valueType === 'RP').imageReference.sha256).toBe(syntheticOrder().document.sha256);
  });

  it('sends several messages over one connection, each matched to its own ACK', async () => {
    const sim = await simulator();
    const c = client(sim.port);
    for (let n = 1; n <= 5; n += 1) {
      const { controlId, bytes } = order(n);
      const out = expectKind(await c.send(bytes, controlId, { ackTimeoutMs: 5000 }), 'acked');
      expect(out.ack.controlId).toBe(controlId);
      expect(out.ack.lisOrders[0]!.filler).toBe(`ACC${100000 + n}`);
    }
    expect(sim.received.map((r) => r.controlId)).toEqual([1, 2, 3, 4, 5].map((n) => order(n).controlId));
  });

  it.each([
    [{ kind: 'reject' } as Behaviour, 'AR', 'rejected'],
    [{ kind: 'error', text: 'unknown test code' } as Behaviour, 'AE', 'error'],
  ])('reports %j as %s (%s), never as accepted', async (behaviour, code, verdict) => {
    const sim = await simulator(behaviour);
    const { controlId, bytes } = order(1);
    const out = expectKind(await client(sim.port).send(bytes, controlId, { ackTimeoutMs: 5000 }), 'acked');
    expect(out.ack.code).toBe(code);
    expect(out.ack.verdict).toBe(verdict);
    expect(out.ack.lisOrders).toEqual([]);
    if (code === 'AE') expect(out.ack.text).toContain('unknown test code');
  });

  it('makes a message with no reply ambiguous and never resends it', async () => {
    const sim = await simulator({ kind: 'no_reply' });
    const { controlId, bytes } = order(1);
    const { final, attempts } = await sendWithRetry(client(sim.port), bytes, controlId, { ackTimeoutMs: 300, retry: { maxAttempts: 5, delaysMs: [0] } });
    expect(expectKind(final, 'ambiguous').reason).toBe('ack_timeout');
    expect(attempts).toHaveLength(1);
    await sleep(200);
    expect(sim.received).toHaveLength(1);
  });

  it('makes a connection closed mid-ACK ambiguous', async () => {
    const sim = await simulator({ kind: 'close_mid_frame' });
    const { controlId, bytes } = order(1);
    const out = expectKind(await client(sim.port).send(bytes, controlId, { ackTimeoutMs: 5000 }), 'ambiguous');
    expect(out.reason).toBe('closed_after_send');
  });

  it('does not take garbage or an ACK for another control id as the answer', async () => {
    for (const kind of ['garbled', 'wrong_control_id'] as const) {
      const sim = await simulator({ kind });
      const { controlId, bytes } = order(1);
      const out = expectKind(await client(sim.port).send(bytes, controlId, { ackTimeoutMs: 300 }), 'ambiguous');
      expect(out.unmatched.map((u) => u.reason)).toEqual([kind === 'garbled' ? 'unparseable' : 'other_control_id']);
    }
  });

  it('accepts a slow ACK that arrives within the timeout', async () => {
    const sim = await simulator({ kind: 'slow', delayMs: 200 });
    const { controlId, bytes } = order(1);
    expectKind(await client(sim.port).send(bytes, controlId, { ackTimeoutMs: 5000 }), 'acked');
  });

  it('speaks TLS (1.2 or higher) to a peer whose certificate it trusts, and refuses one it does not', async () => {
    const cert = await testCertificate();
    const sim = await simulator(undefined, { tls: cert });
    const { controlId, bytes } = order(1);
    expectKind(await client(sim.port, { tls: { ca: cert.cert } }).send(bytes, controlId, { ackTimeoutMs: 5000 }), 'acked');
    const untrusted = expectKind(await client(sim.port, { tls: {} }).send(bytes, controlId, { ackTimeoutMs: 5000 }), 'not_sent');
    expect(untrusted.reason).toBe('tls_failed');
    // A peer that offers only TLS 1.1 is refused.
    const old = tls.createServer({ ...cert, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, (s) => s.destroy());
    await new Promise<void>((r) => old.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => old.close(() => r())));
    const port = (old.address() as { port: number }).port;
    expect(expectKind(await client(port, { tls: { ca: cert.cert } }).send(bytes, controlId, { ackTimeoutMs: 1000 }), 'not_sent').reason).toBe('tls_failed');
    expect(sim.received).toHaveLength(1);
  });
});

describe('MllpClient with a scripted raw peer', () => {
  it('reads an ACK split over many TCP packets with NUL bytes around it', async () => {
    const p = await peer((f) => {
      const wire = Buffer.concat([Buffer.from([0, 0]), ackFrame('AA', f.controlId), Buffer.from([0])]);
      let i = 0;
      const drip = () => {
        if (i >= wire.length || f.socket.destroyed) return;
        f.socket.write(wire.subarray(i, i + 3));
        i += 3;
        setTimeout(drip, 2);
      };
      drip();
    });
    const { controlId, bytes } = order(1);
    const out = expectKind(await client(p.port).send(bytes, controlId, { ackTimeoutMs: 5000 }), 'acked');
    expect(out.ack.controlId).toBe(controlId);
    expect(out.unmatched).toEqual([]);
  });

  it('reads a wrong-MSA-2 ACK and the right one arriving in one packet, and takes only the right one', async () => {
    const p = await peer((f) => f.socket.write(Buffer.concat([ackFrame('AR', 'SOMEONE-ELSE'), Buffer.from([0]), ackFrame('AA', f.controlId)])));
    const { controlId, bytes } = order(1);
    const out = expectKind(await client(p.port).send(bytes, controlId, { ackTimeoutMs: 5000 }), 'acked');
    expect(out.ack.code).toBe('AA');
    expect(out.unmatched).toMatchObject([{ reason: 'other_control_id', answersControlId: 'SOMEONE-ELSE', ackCode: 'AR' }]);
  });

  it('never matches a late ACK for the previous message to the next one', async () => {
    // Message 1 gets no answer in time; its AA arrives after message 2 was sent; message 2 never gets one.
    let first = '';
    const p = await peer((f) => {
      if (f.index === 1) first = f.controlId;
      else f.socket.write(ackFrame('AA', first));
    });
    const c = client(p.port);
    const m1 = order(1);
    const m2 = order(2);
    expectKind(await c.send(m1.bytes, m1.controlId, { ackTimeoutMs: 200 }), 'ambiguous');
    const out = expectKind(await c.send(m2.bytes, m2.controlId, { ackTimeoutMs: 400 }), 'ambiguous');
    expect(out.unmatched).toMatchObject([{ reason: 'other_control_id', answersControlId: m1.controlId, ackCode: 'AA' }]);
    expect(p.frames.map((f) => f.controlId)).toEqual([m1.controlId, m2.controlId]);
    expect(p.connections).toBe(1);
  });

  it('reports a late ACK that arrives while nothing is waiting', async () => {
    const seen: UnmatchedFrame[] = [];
    const p = await peer((f) => setTimeout(() => f.socket.write(ackFrame('AA', f.controlId)), 300));
    const c = client(p.port, { onUnmatched: (u) => seen.push(u) });
    const m1 = order(1);
    expectKind(await c.send(m1.bytes, m1.controlId, { ackTimeoutMs: 100 }), 'ambiguous');
    await sleep(400);
    expect(seen).toMatchObject([{ reason: 'other_control_id', answersControlId: m1.controlId, ackCode: 'AA' }]);
  });

  it('reconnects after the LIS dropped an idle connection', async () => {
    const p = await peer((f) => {
      f.socket.write(ackFrame('AA', f.controlId));
      setTimeout(() => f.socket.destroy(), 20);
    });
    const c = client(p.port);
    for (let n = 1; n <= 3; n += 1) {
      const m = order(n);
      expectKind(await c.send(m.bytes, m.controlId, { ackTimeoutMs: 5000 }), 'acked');
      await sleep(80);
    }
    expect(p.connections).toBe(3);
    expect(p.frames.map((f) => f.connection)).toEqual([1, 2, 3]);
  });

  it('retries a refused connection with the same bytes and control id, then delivers once', async () => {
    const port = await freeClosedPort();
    const m = order(1);
    let sim: LisSimulator | null = null;
    let seen = 0;
    const { final, attempts } = await sendWithRetry(client(port), m.bytes, m.controlId, {
      ackTimeoutMs: 5000,
      retry: { maxAttempts: 5, delaysMs: [10] },
      onAttempt: () => {
        seen += 1;
      },
      // The LIS comes up after the second refused attempt.
      sleep: async () => {
        if (seen === 2 && !sim) {
          sim = await startLisSimulator({ port, outDir: await tmpDir() });
          cleanups.push(() => sim!.close());
        }
      },
    });
    expect(attempts.map((a) => (a.outcome.kind === 'not_sent' ? a.outcome.reason : a.outcome.kind))).toEqual(['connect_refused', 'connect_refused', 'acked']);
    expectKind(final, 'acked');
    const received = (sim as LisSimulator | null)!.received;
    expect(received.map((r) => [r.controlId, r.sha256])).toEqual([[m.controlId, createHash('sha256').update(m.bytes).digest('hex')]]);
  });

  it('gives up on refused connections after the attempt limit, with nothing sent', async () => {
    const port = await freeClosedPort();
    const m = order(1);
    const { final, attempts } = await sendWithRetry(client(port), m.bytes, m.controlId, { ackTimeoutMs: 1000, retry: { maxAttempts: 3, delaysMs: [1] } });
    expect(attempts).toHaveLength(3);
    expect(expectKind(final, 'not_sent').written).toBe(false);
  });

  it('abandons safely when the peer answers garbage before the message is fully written', async () => {
    // The peer does not read (so a large frame cannot be fully written) and sends garbage at once.
    const p = await peer(() => undefined, (socket) => {
      socket.pause();
      socket.write('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    const big = Buffer.alloc(64 * 1024 * 1024, 0x41);
    const out = expectKind(await client(p.port).send(big, 'BIG1', { ackTimeoutMs: 5000 }), 'not_sent');
    expect(out.reason).toBe('reply_before_sent');
    expect(p.frames).toHaveLength(0);
  });

  it('does not write when the step before writing fails (the outbox could not record the attempt)', async () => {
    const p = await peer((f) => f.socket.write(ackFrame('AA', f.controlId)));
    const m = order(1);
    const out = expectKind(await client(p.port).send(m.bytes, m.controlId, { ackTimeoutMs: 1000, beforeWrite: async () => { throw new Error('db down'); } }), 'not_sent');
    expect(out.reason).toBe('aborted_before_write');
    await sleep(100);
    expect(p.frames).toHaveLength(0);
  });

  it('reconnects when the LIS closed the connection while the attempt was being recorded', async () => {
    const p = await peer((f) => f.socket.write(ackFrame('AA', f.controlId)));
    const c = client(p.port);
    const m1 = order(1);
    expectKind(await c.send(m1.bytes, m1.controlId, { ackTimeoutMs: 5000 }), 'acked');
    const m2 = order(2);
    const out = await c.send(m2.bytes, m2.controlId, {
      ackTimeoutMs: 5000,
      beforeWrite: async () => {
        for (const s of p.sockets) s.destroy();
        await sleep(50);
      },
    });
    expectKind(out, 'acked');
    expect(p.frames.map((f) => [f.controlId, f.connection])).toEqual([[m1.controlId, 1], [m2.controlId, 2]]);
  });

  it('treats AE/CE as error and AR/CR as rejected, CA as accepted', async () => {
    const codes = ['CA', 'CE', 'CR'];
    const p = await peer((f) => f.socket.write(ackFrame(codes[f.index - 1]!, f.controlId)));
    const c = client(p.port);
    const verdicts: string[] = [];
    for (let n = 1; n <= 3; n += 1) {
      const m = order(n);
      verdicts.push(expectKind(await c.send(m.bytes, m.controlId, { ackTimeoutMs: 5000 }), 'acked').ack.verdict);
    }
    expect(verdicts).toEqual(['accepted', 'error', 'rejected']);
  });

  it('does not let an unescaped frame byte in a value break framing (the builder escapes it)', async () => {
    const p = await peer((f) => f.socket.write(ackFrame('AA', f.controlId)));
    const bytes = Buffer.from(buildOrderMessage(syntheticOrder({ comments: ['evil \x1c\x0d\x0b frame bytes'] }), syntheticConnection()), 'utf8');
    expect(bytes.includes(0x1c)).toBe(false);
    expectKind(await client(p.port).send(bytes, syntheticOrder().controlId, { ackTimeoutMs: 5000 }), 'acked');
    expect(p.frames[0]!.payload).toEqual(bytes);
    expect(encodeFrame(bytes).length).toBe(bytes.length + 3);
  });
});
