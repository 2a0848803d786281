/**
 * The HTTPS server as built by `buildApp`: TLS 1.2 or higher, and in TLS 1.2 only forward-secret
 * AEAD suites, with the generated ECDSA certificate and with a customer's RSA certificate.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test/app.ts';
import { buildApp } from './app.ts';
import { loadOrCreateTls } from './tls.ts';

function handshake(port: number, opts: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...opts }, () => {
      resolve(`${s.getProtocol()} ${s.getCipher().name}`);
      s.end();
    });
    s.on('error', () => resolve('refused'));
  });
}

describe('HTTPS', () => {
  let t: TestApp;
  const servers: FastifyInstance[] = [];
  const ports: Record<'ecdsa' | 'rsa', number> = { ecdsa: 0, rsa: 0 };

  beforeAll(async () => {
    t = await startTestApp();
    const generated = await loadOrCreateTls(path.join(t.dir, 'tls'), null);
    const rsa = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' });
    for (const [kind, material] of [['ecdsa', generated], ['rsa', { key: rsa.private, cert: rsa.cert }]] as const) {
      const app = await buildApp(t.ctx, { https: { key: material.key, cert: material.cert }, baseUrl: () => 'https://localhost', jobs: t.jobs, review: t.review });
      await app.listen({ host: '127.0.0.1', port: 0 });
      servers.push(app);
      ports[kind] = (app.server.address() as { port: number }).port;
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await t.close();
  });

  it('keeps the generated private key to its owner', async () => {
    expect((await fs.stat(path.join(t.dir, 'tls', 'key.pem'))).mode & 0o077).toBe(0);
    expect((await fs.stat(path.join(t.dir, 'tls'))).mode & 0o077).toBe(0);
  });

  it('refuses TLS 1.0 and 1.1', async () => {
    for (const port of Object.values(ports)) {
      expect(await handshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).toBe('refused');
    }
  });

  // Found by the security review: Node's default list let TLS 1.2 clients pick CBC suites with
  // SHA-1 MACs, and, with an RSA certificate, static-RSA key exchange (no forward secrecy).
  it('refuses CBC and static-RSA suites in TLS 1.2, and takes forward-secret AEAD ones', async () => {
    const tls12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
    expect(await handshake(ports.ecdsa, { ...tls12, ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256' })).toBe('refused');
    expect(await handshake(ports.rsa, { ...tls12, ciphers: 'AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA' })).toBe('refused');
    expect(await handshake(ports.rsa, { ...tls12, ciphers: 'ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384' })).toBe('refused');
    expect(await handshake(ports.ecdsa, tls12)).toMatch(/^TLSv1\.2 ECDHE-ECDSA-(AES\d+-GCM|CHACHA20)/);
    expect(await handshake(ports.rsa, tls12)).toMatch(/^TLSv1\.2 ECDHE-RSA-(AES\d+-GCM|CHACHA20)/);
    expect(await handshake(ports.ecdsa, {})).toMatch(/^TLSv1\.3 /);
  });
});
