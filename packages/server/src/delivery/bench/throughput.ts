/**
 * Throughput figures for the delivery path (not a test: speed is measured, never asserted).
 *   npx node packages/server/src/delivery/bench/throughput.ts [messages]
 * Prints: builder messages/s, parser messages/s, and order messages/s over MLLP to the LIS
 * simulator (one connection, one message in flight, each written to disk before its ACK).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOrderMessage } from '../hl7/order-message.ts';
import { parseHl7Bytes } from '../hl7/parse.ts';
import { startLisSimulator } from '../lis-sim/simulator.ts';
import { MllpClient } from '../mllp/client.ts';
import { syntheticConnection, syntheticOrder } from '../testing/fixtures.ts';

const n = Number(process.argv[2] ?? 2000);
const connection = syntheticConnection();
const orders = Array.from({ length: n }, (_, i) => syntheticOrder({ controlId: `NXB${String(i).padStart(10, '0')}`, placerOrderNumber: `B${i}` }));

let t = performance.now();
const messages = orders.map((o) => Buffer.from(buildOrderMessage(o, connection), 'utf8'));
const buildMs = performance.now() - t;

t = performance.now();
for (const m of messages) if (!parseHl7Bytes(m).ok) throw new Error('parse failed');
const parseMs = performance.now() - t;

const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'nx-bench-sim-'));
const sim = await startLisSimulator({ port: 0, outDir });
const client = new MllpClient({ host: '127.0.0.1', port: sim.port });
t = performance.now();
let acked = 0;
for (let i = 0; i < n; i += 1) {
  const out = await client.send(messages[i]!, orders[i]!.controlId, { ackTimeoutMs: 10_000 });
  if (out.kind === 'acked' && out.ack.code === 'AA') acked += 1;
}
const sendMs = performance.now() - t;
client.close();
await sim.close();
await fs.rm(outDir, { recursive: true, force: true });

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
console.log(`messages: ${n} (${messages[0]!.length} bytes each, 2 tests)`);
console.log(`build:   ${rate(n, buildMs)} messages/s`);
console.log(`parse:   ${rate(n, parseMs)} messages/s`);
console.log(`MLLP → simulator (ACKed ${acked}/${n}, files written): ${rate(n, sendMs)} messages/s, ${(sendMs / n).toFixed(2)} ms per round trip`);
