/**
 * How k-mer profiles and embeddings are stored as BLOBs, and the content hash that deduplicates
 * genomes. Byte order is always little-endian (written through DataView, so the host's order does
 * not matter).
 *
 * Profile blob (genome_profiles.counts): FEATURE_COUNT numbers in kmer-layout.ts order, encoded as
 * - 'u32le': unsigned 32-bit integers, 4 bytes each (11,088 bytes), when every count is a whole
 *   number below 2^32 — true for any genome under ~4 Gbp;
 * - 'f64le': IEEE 754 doubles, 8 bytes each (22,176 bytes), otherwise.
 *
 * Content hash (genomes.content_hash): lower-case hex SHA-256 of
 *   u32le(layoutVersion) ‖ f64le(counts[0]) … f64le(counts[FEATURE_COUNT-1]) ‖ f64le(lengthBp)
 * i.e. independent of the blob encoding: the same sequence, plain or gzipped, under any file name,
 * hashes the same. Uses Web Crypto (crypto.subtle), present in Node >= 20 and in browsers/workers.
 */
import { FEATURE_COUNT, LAYOUT_VERSION } from '../core/kmer-layout';

export type ProfileEncoding = 'u32le' | 'f64le';

export function encodeProfileCounts(counts: Float64Array): { encoding: ProfileEncoding; bytes: Uint8Array } {
  const fitsU32 = counts.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff);
  if (fitsU32) {
    const bytes = new Uint8Array(counts.length * 4);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < counts.length; i++) dv.setUint32(i * 4, counts[i], true);
    return { encoding: 'u32le', bytes };
  }
  const bytes = new Uint8Array(counts.length * 8);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < counts.length; i++) dv.setFloat64(i * 8, counts[i], true);
  return { encoding: 'f64le', bytes };
}

export function decodeProfileCounts(encoding: string, bytes: Uint8Array, featureCount = FEATURE_COUNT): Float64Array {
  const width = encoding === 'u32le' ? 4 : encoding === 'f64le' ? 8 : 0;
  if (!width) throw new Error(`unknown profile encoding '${encoding}'`);
  if (bytes.length !== featureCount * width) {
    throw new Error(`profile blob has ${bytes.length} bytes, expected ${featureCount} x ${width}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(featureCount);
  for (let i = 0; i < featureCount; i++) out[i] = width === 4 ? dv.getUint32(i * 4, true) : dv.getFloat64(i * 8, true);
  return out;
}

/** Float32 little-endian blob of an embedding vector (genome_embeddings.vector). */
export function encodeFloat32(v: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(v.length * 4);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(i * 4, v[i], true);
  return bytes;
}

export function decodeFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4) throw new Error(`float32 blob of ${bytes.length} bytes is not a multiple of 4`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}

/** The exact bytes the content hash is taken over (see the file comment). */
export function profileHashInput(counts: Float64Array, lengthBp: number, layoutVersion = LAYOUT_VERSION): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(4 + counts.length * 8 + 8);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, layoutVersion, true);
  for (let i = 0; i < counts.length; i++) dv.setFloat64(4 + i * 8, counts[i], true);
  dv.setFloat64(4 + counts.length * 8, lengthBp, true);
  return bytes;
}

export async function profileContentHash(counts: Float64Array, lengthBp: number, layoutVersion = LAYOUT_VERSION): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', profileHashInput(counts, lengthBp, layoutVersion));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
