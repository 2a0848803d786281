/**
 * `npx nexession lis-sim [--port 2575] [--host 127.0.0.1] [--out ./var/lis-sim]
 *   [--tls-cert cert.pem --tls-key key.pem] [--behaviour accept|reject|error|no-reply|slow:<ms>|garbled|close-mid-frame|close|wrong-control-id]`
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Behaviour, type LisSimulator, receivedLine, startLisSimulator } from './simulator.ts';

export const LIS_SIM_USAGE = `usage: nexession lis-sim [--port 2575] [--host 127.0.0.1] [--out ./var/lis-sim]
                       [--tls-cert <pem> --tls-key <pem>]
                       [--behaviour accept|reject|error|no-reply|slow:<ms>|wrong-control-id|garbled|close-mid-frame|close]`;

export function parseBehaviour(text: string): Behaviour {
  const t = text.trim().toLowerCase().replace(/_/g, '-');
  if (t === 'accept' || t === 'aa') return { kind: 'accept' };
  if (t === 'reject' || t === 'ar') return { kind: 'reject' };
  if (t === 'error' || t === 'ae') return { kind: 'error' };
  if (t === 'no-reply') return { kind: 'no_reply' };
  if (t === 'wrong-control-id') return { kind: 'wrong_control_id' };
  if (t === 'garbled') return { kind: 'garbled' };
  if (t === 'close-mid-frame') return { kind: 'close_mid_frame' };
  if (t === 'close') return { kind: 'close' };
  const slow = /^slow(?::(\d+))?$/.exec(t);
  if (slow) return { kind: 'slow', delayMs: Number(slow[1] ?? 5000) };
  throw new Error(`unknown behaviour: ${text}`);
}

export interface LisSimCliIo {
  out: (line: string) => void;
  cwd: string;
}

/**
 * Starts the simulator from command-line arguments and prints where it listens and where it
 * writes. Resolves with the running simulator (its listener keeps the process alive; SIGINT and
 * SIGTERM close it), or null after printing the usage for `--help`. Bad arguments throw.
 */
export async function runLisSimCli(argv: string[], io: LisSimCliIo = { out: (l) => console.log(l), cwd: process.cwd() }): Promise<LisSimulator | null> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '2575' },
      host: { type: 'string', default: '127.0.0.1' },
      out: { type: 'string', default: './var/lis-sim' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      behaviour: { type: 'string', default: 'accept' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(LIS_SIM_USAGE);
    return null;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) throw new Error('--tls-cert and --tls-key go together');
  const outDir = path.resolve(io.cwd, values.out);
  const tls = values['tls-cert'] && values['tls-key']
    ? { cert: await fs.readFile(path.resolve(io.cwd, values['tls-cert']), 'utf8'), key: await fs.readFile(path.resolve(io.cwd, values['tls-key']), 'utf8') }
    : null;
  const behaviour = parseBehaviour(values.behaviour);
  const sim = await startLisSimulator({ port, host: values.host, outDir, tls, behaviour });
  io.out(`LIS simulator listening on ${sim.host}:${sim.port} (MLLP${sim.tls ? ' over TLS' : ''}, behaviour: ${behaviour.kind})`);
  io.out(`writing received messages to ${sim.outDir}`);
  sim.on('message', (summary) => io.out(receivedLine(summary)));
  const stop = () => {
    void sim.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  sim.once('closed', () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
  return sim;
}
