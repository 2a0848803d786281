/**
 * AES-256-GCM with a data key. A sealed value names the data key that sealed it, and is bound
 * to a context string (e.g. "page:<document>:<n>") so a ciphertext moved to another place fails
 * to open instead of showing the wrong data.
 *
 * Format: "NX" | 0x01 | data key id (16 bytes, UUID) | iv (12) | tag (16) | ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const MAGIC = Buffer.from([0x4e, 0x58, 0x01]);
const HEADER = MAGIC.length + 16;
const IV = 12;
const TAG = 16;

export function uuidToBytes(id: string): Buffer {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error('not a UUID');
  return Buffer.from(hex, 'hex');
}

export function bytesToUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function sealWith(key: Buffer, keyId: string, plaintext: Uint8Array, context: string): Buffer {
  const header = Buffer.concat([MAGIC, uuidToBytes(keyId)]);
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.concat([header, Buffer.from(context)]));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ct]);
}

export function sealedKeyId(sealed: Uint8Array): string {
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (b.length < HEADER + IV + TAG || !b.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a sealed value');
  return bytesToUuid(b.subarray(MAGIC.length, HEADER));
}

export function openWith(key: Buffer, sealed: Uint8Array, context: string): Buffer {
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  sealedKeyId(b);
  const header = b.subarray(0, HEADER);
  const iv = b.subarray(HEADER, HEADER + IV);
  const tag = b.subarray(HEADER + IV, HEADER + IV + TAG);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.concat([header, Buffer.from(context)]));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(b.subarray(HEADER + IV + TAG)), decipher.final()]);
}
