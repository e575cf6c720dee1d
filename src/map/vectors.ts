/**
 * Small helpers on row-major Float32Array matrices (n × dim) for the latent map. Pure: Node,
 * workers and the page alike.
 */

import { mulberry32 } from '../ml/random';

/** Rows scaled to unit length (a zero row stays zero): Euclidean distance then orders like cosine. */
export function normalizeRows(data: Float32Array, dim: number): Float32Array {
  const n = dim === 0 ? 0 : data.length / dim;
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[o + j] * data[o + j];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) out[o + j] = data[o + j] * inv;
  }
  return out;
}

/** Rows `rows` of a matrix, in that order. */
export function takeRows(data: Float32Array, dim: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i] * dim, (rows[i] + 1) * dim), i * dim);
  return out;
}

/** A seeded PRNG in [0, 1): projections are the same on every run (the project's one mulberry32). */
export const seededRandom = mulberry32;

/** `k` distinct row indices of 0..n−1 (sorted), chosen with a seeded partial Fisher–Yates shuffle. */
export function sampleIndices(n: number, k: number, seed = 1): Uint32Array {
  if (k >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(seed);
  const idx = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, k).sort();
}

/** FNV-1a over the bytes of typed arrays, as 8 hex digits: a cheap "did these change" key. */
export function hashArrays(...arrays: ArrayBufferView[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193);
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
