/**
 * pdf.js refuses a Node `Buffer` ("Please provide binary data as Uint8Array"): everything handed
 * to the reader goes through here first.
 */
export function plainBytes(b: Uint8Array): Uint8Array {
  return Buffer.isBuffer(b) ? new Uint8Array(b) : b;
}
