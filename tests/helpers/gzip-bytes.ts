/** Test helpers over gzip bytes, built on node:zlib only (independent of src/). */
import { gunzipSync } from 'node:zlib';

/** Byte offsets where each member of a (multi-member) gzip file starts, found with zlib. */
export function gzipMemberStarts(gz: Uint8Array): number[] {
  const starts = [0];
  for (let off = 18; off + 3 <= gz.length; off++) {
    if (gz[off] !== 0x1f || gz[off + 1] !== 0x8b || gz[off + 2] !== 8) continue;
    const prev = starts.at(-1)!;
    try {
      const out = gunzipSync(gz.subarray(prev, off));
      const isize = new DataView(gz.buffer, gz.byteOffset + off - 4, 4).getUint32(0, true);
      if (out.length === isize) starts.push(off);
    } catch {
      // not a member boundary
    }
  }
  return starts;
}

/** A copy with one byte XOR-ed (offset < 0 counts from the end). The input is never changed. */
export function flipByte(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  const out = new Uint8Array(bytes); // a copy (Buffer#slice would be a view)
  out[offset < 0 ? out.length + offset : offset] ^= mask;
  return out;
}

/** What zlib makes of it: the bytes, or null when zlib refuses them. */
export function zlibGunzip(bytes: Uint8Array): Uint8Array | null {
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch {
    return null;
  }
}
