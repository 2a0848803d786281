/**
 * HTTPS material: the configured certificate, or a self-signed one generated on first start
 * under `var/tls` (ECDSA P-256, SHA-256, for localhost and the loopback addresses).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';

/**
 * What the HTTPS server accepts: TLS 1.2 or 1.3, and in TLS 1.2 only forward-secret AEAD suites
 * (ECDHE with AES-GCM or ChaCha20-Poly1305, Mozilla's "intermediate" list). Node's default list
 * also takes CBC suites with SHA-1 and, with a customer's RSA certificate, static-RSA key exchange
 * (no forward secrecy). TLS 1.3 suites are all AEAD and are not affected by this list.
 */
export const HTTPS_TLS_OPTIONS = {
  minVersion: 'TLSv1.2' as const,
  ciphers: [
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
};

export interface TlsMaterial {
  key: string;
  cert: string;
  selfSigned: boolean;
  fingerprint?: string;
}

export async function loadOrCreateTls(tlsDir: string, configured: { certFile: string; keyFile: string } | null): Promise<TlsMaterial> {
  if (configured) {
    return { cert: await fs.readFile(configured.certFile, 'utf8'), key: await fs.readFile(configured.keyFile, 'utf8'), selfSigned: false };
  }
  const certFile = path.join(tlsDir, 'cert.pem');
  const keyFile = path.join(tlsDir, 'key.pem');
  try {
    return { cert: await fs.readFile(certFile, 'utf8'), key: await fs.readFile(keyFile, 'utf8'), selfSigned: true };
  } catch {
    // first start: generate below
  }
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'Nexession (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 397 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  await fs.mkdir(tlsDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(keyFile, pems.private, { mode: 0o600 });
  await fs.writeFile(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, selfSigned: true, fingerprint: pems.fingerprint };
}
