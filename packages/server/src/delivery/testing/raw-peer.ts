/**
 * A scripted MLLP peer for tests: real TCP, with the test deciding, frame by frame, what goes
 * back on the wire (split packets, NUL bytes, wrong MSA-2, late ACKs, silence, garbage).
 */
import net from 'node:net';
import { generate } from 'selfsigned';
import { header, parseHl7Bytes } from '../hl7/parse.ts';
import { encodeFrame, MllpDecoder } from '../mllp/framing.ts';

export interface RawPeerFrame {
  socket: net.Socket;
  payload: Buffer;
  controlId: string;
  /** 1-based over the peer's life. */
  index: number;
  /** 1-based connection number this frame arrived on. */
  connection: number;
}

export interface RawPeer {
  port: number;
  frames: RawPeerFrame[];
  connections: number;
  sockets: Set<net.Socket>;
  close(): Promise<void>;
}

export async function startRawPeer(
  onFrame: (frame: RawPeerFrame) => void,
  onConnection?: (socket: net.Socket, n: number) => void,
): Promise<RawPeer> {
  const peer: RawPeer = { port: 0, frames: [], connections: 0, sockets: new Set(), close: async () => undefined };
  const server = net.createServer((socket) => {
    peer.connections += 1;
    const n = peer.connections;
    peer.sockets.add(socket);
    socket.on('close', () => peer.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    onConnection?.(socket, n);
    const decoder = new MllpDecoder(64 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      for (const e of decoder.push(chunk)) {
        if (e.kind !== 'frame') continue;
        const parsed = parseHl7Bytes(e.payload);
        const frame = { socket, payload: e.payload, controlId: parsed.ok ? header(parsed.message).controlId : '', index: peer.frames.length + 1, connection: n };
        peer.frames.push(frame);
        onFrame(frame);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.port = (server.address() as net.AddressInfo).port;
  peer.close = async () => {
    for (const s of peer.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return peer;
}

/** A minimal ACK frame answering `controlId`. */
export function ackFrame(code: string, controlId: string, extra = ''): Buffer {
  return encodeFrame(Buffer.from(`MSH|^~\\&|LIS|LAB|NEXESSION|FAC|20250101000000||ACK^O21^ACK|A${controlId}|P|2.5.1\rMSA|${code}|${controlId}|${extra}\r`, 'utf8'));
}

/** A self-signed certificate for 127.0.0.1 and localhost. */
export async function testCertificate(): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 2 * 86_400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

export function freeClosedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
