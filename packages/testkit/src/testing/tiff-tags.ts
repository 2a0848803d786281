/** Test support: the first IFD's basic tags, read straight from the bytes (no decoder in between). */
export interface TiffTags {
  width: number;
  height: number;
  compression: number;
  bitsPerSample: number;
  xResolution: number;
  yResolution: number;
  resolutionUnit: number;
}

export function readTiffTags(bytes: Uint8Array): TiffTags {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = v.getUint16(0) === 0x4949;
  if (!le && v.getUint16(0) !== 0x4d4d) throw new Error('not a TIFF');
  if (v.getUint16(2, le) !== 42) throw new Error('not a classic TIFF');
  const ifd = v.getUint32(4, le);
  const n = v.getUint16(ifd, le);
  const tags = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    const tag = v.getUint16(e, le);
    const type = v.getUint16(e + 2, le);
    let value: number;
    if (type === 3) value = v.getUint16(e + 8, le);
    else if (type === 4) value = v.getUint32(e + 8, le);
    else if (type === 5) {
      const off = v.getUint32(e + 8, le);
      value = v.getUint32(off, le) / v.getUint32(off + 4, le);
    } else continue;
    tags.set(tag, value);
  }
  const get = (t: number, d = NaN) => tags.get(t) ?? d;
  return { width: get(256), height: get(257), compression: get(259), bitsPerSample: get(258, 1), xResolution: get(282), yResolution: get(283), resolutionUnit: get(296, 2) };
}
