import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAck } from '../hl7/ack.ts';
import { buildOrderMessage } from '../hl7/order-message.ts';
import { header, parseHl7Bytes } from '../hl7/parse.ts';
import { MllpClient } from '../mllp/client.ts';
import { encodeFrame, MllpDecoder } from '../mllp/framing.ts';
import { syntheticConnection, syntheticOrder } from '../testing/fixtures.ts';
import { parseBehaviour, runLisSimCli } from './cli.ts';
import { type LisSimulator, receivedLine, startLisSimulator } from './simulator.ts';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-lis-'));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Sends raw bytes and returns the first frame that comes back. */
async function exchange(port: number, wire: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(wire));
    const decoder = new MllpDecoder();
    socket.on('data', (chunk) => {
      const frame = decoder.push(chunk).find((e) => e.kind === 'frame');
      if (frame && frame.kind === 'frame') {
        socket.destroy();
        resolve(frame.payload);
      }
    });
    socket.on('error', reject);
  });
}

describe('LIS simulator', () => {
  it('answers ORM^O01 v2.3 with ORR^O02 carrying the accession in ORC-3', async () => {
    const sim = await startLisSimulator({ port: 0, outDir: await tmpDir() });
    cleanups.push(() => sim.close());
    const order = syntheticOrder();
    const bytes = Buffer.from(buildOrderMessage(order, syntheticConnection({ profile: 'ORM_O01' })), 'utf8');
    const reply = parseHl7Bytes(await exchange(sim.port, encodeFrame(bytes)));
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(header(reply.message)).toMatchObject({ messageCode: 'ORR', triggerEvent: 'O02', version: '2.3', receivingApplication: 'NEXESSION', sendingApplication: 'LIS' });
    const ack = readAck(reply.message);
    expect(ack.ok && ack.ack).toMatchObject({ code: 'AA', controlId: order.controlId, lisOrders: [{ placer: 'REQ000123-1', filler: 'ACC100001' }, { placer: 'REQ000123-2', filler: 'ACC100001' }] });
    const summary = sim.received[0]!;
    expect(summary.orders.map((o) => [o.test.code, o.priority, o.specimen?.source])).toEqual([['1234', 'S', 'Cervix'], ['PAP1', 'S', 'Cervix']]);
    // The console line names the message by ids and counts, never the patient.
    const line = receivedLine(summary);
    expect(line).toBe(`LIS simulator: #1 ORM^O01 control id ${order.controlId}, 2 orders; answered AA, accession ACC100001; saved as ${summary.file}`);
    for (const phi of [summary.patient!.lastName, summary.patient!.firstName, summary.patient!.dob]) expect(line).not.toContain(phi);
  });

  it('answers an unreadable frame with AR and an empty MSA-2, and still writes the bytes', async () => {
    const sim = await startLisSimulator({ port: 0, outDir: await tmpDir() });
    cleanups.push(() => sim.close());
    const reply = parseHl7Bytes(await exchange(sim.port, encodeFrame(Buffer.from('not hl7'))));
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const ack = readAck(reply.message);
    expect(ack).toEqual({ ok: false, reason: 'MSA-2 is empty' });
    expect(sim.received[0]).toMatchObject({ parsed: false, controlId: '' });
    expect(await fs.readFile(path.join(sim.outDir, sim.received[0]!.file), 'utf8')).toBe('not hl7');
  });

  // Found by the security review: the simulator wrote each order (the patient's name, DOB,
  // address) world-readable (0644 in a 0755 folder), so any local account could read them.
  it('writes what it receives readable by its own user only', async () => {
    const outDir = path.join(await tmpDir(), 'lis-sim');
    await fs.mkdir(outDir, { mode: 0o755 });
    const sim = await startLisSimulator({ port: 0, outDir });
    cleanups.push(() => sim.close());
    const bytes = Buffer.from(buildOrderMessage(syntheticOrder(), syntheticConnection()), 'utf8');
    expect(parseHl7Bytes(await exchange(sim.port, encodeFrame(bytes))).ok).toBe(true);
    expect((await fs.stat(outDir)).mode & 0o777).toBe(0o700);
    const files = await fs.readdir(outDir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(((await fs.stat(path.join(outDir, f))).mode & 0o077).toString(8)).toBe('0');
  });

  it('keeps numbering accessions across restarts on the same folder', async () => {
    const outDir = await tmpDir();
    const send = async (sim: LisSimulator, n: number) => {
      const c = new MllpClient({ host: '127.0.0.1', port: sim.port });
      const controlId = `NX${n}`;
      const out = await c.send(Buffer.from(buildOrderMessage(syntheticOrder({ controlId }), syntheticConnection()), 'utf8'), controlId, { ackTimeoutMs: 5000 });
      c.close();
      return out.kind === 'acked' ? out.ack.lisOrders[0]?.filler : out.kind;
    };
    const a = await startLisSimulator({ port: 0, outDir });
    expect(await send(a, 1)).toBe('ACC100001');
    await a.close();
    const b = await startLisSimulator({ port: 0, outDir });
    expect(await send(b, 2)).toBe('ACC100002');
    await b.close();
    const files = (await fs.readdir(outDir)).sort();
    expect(files.filter((f) => f.endsWith('.hl7'))).toHaveLength(2);
    expect(files.filter((f) => f.endsWith('.json') && f !== 'lis-sim-state.json')).toHaveLength(2);
  });
});

describe('runLisSimCli', () => {
  it('starts from arguments and prints where it listens and where it writes', async () => {
    const dir = await tmpDir();
    const lines: string[] = [];
    const sim = (await runLisSimCli(['--port', '0', '--out', 'sim-out', '--behaviour', 'slow:10'], { out: (l) => lines.push(l), cwd: dir }))!;
    cleanups.push(() => sim.close());
    expect(lines[0]).toBe(`LIS simulator listening on 127.0.0.1:${sim.port} (MLLP, behaviour: slow)`);
    expect(lines[1]).toBe(`writing received messages to ${path.join(dir, 'sim-out')}`);
    expect((await fs.stat(path.join(dir, 'sim-out'))).isDirectory()).toBe(true);
  });

  it('refuses bad arguments with a clear error', async () => {
    await expect(runLisSimCli(['--port', '99999'], { out: () => undefined, cwd: os.tmpdir() })).rejects.toThrow(/--port/);
    await expect(runLisSimCli(['--tls-cert', 'x.pem'], { out: () => undefined, cwd: os.tmpdir() })).rejects.toThrow(/--tls-key/);
    await expect(runLisSimCli(['--nope'], { out: () => undefined, cwd: os.tmpdir() })).rejects.toThrow();
    expect(() => parseBehaviour('sometimes')).toThrow(/unknown behaviour/);
    const help: string[] = [];
    expect(await runLisSimCli(['--help'], { out: (l) => help.push(l), cwd: os.tmpdir() })).toBeNull();
    expect(help.join('\n')).toMatch(/^usage: nexession lis-sim/);
    expect(parseBehaviour('no-reply')).toEqual({ kind: 'no_reply' });
    expect(parseBehaviour('slow:250')).toEqual({ kind: 'slow', delayMs: 250 });
  });
});
