/**
 * Dot-product kernels over a row-major Float32Array matrix, shared by the exact and the IVF
 * index. Plain JavaScript numbers are doubles and V8 does not vectorise, so the speed comes from
 * register blocking: one pass over a row's d values feeds 4 rows × 1 query or 4 rows × 4 queries
 * of independent accumulators, which keeps the FP units busy and reads each value once.
 *
 * Every (row, query) score is accumulated the same way in every kernel and at every position
 * (a single double sum over j = 0..d-1, in order, queries held as doubles), so a row gets
 * bit-for-bit the same score from a single query, a batch, a block tail or a naive loop.
 * @internal
 */

/** `out[i - r0] = x[i]·q` for rows r0 ≤ i < r1. `q` holds the query as doubles (length d). */
export function scoreRowsOne(x: Float32Array, d: number, r0: number, r1: number, q: Float64Array, out: Float64Array): void {
  let i = r0;
  let o = r0 * d;
  const end4 = r1 - ((r1 - r0) & 3);
  for (; i < end4; i += 4, o += 4 * d) {
    const o1 = o + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < d; j++) {
      const a = q[j];
      s0 += x[o + j] * a;
      s1 += x[o1 + j] * a;
      s2 += x[o2 + j] * a;
      s3 += x[o3 + j] * a;
    }
    const p = i - r0;
    out[p] = s0;
    out[p + 1] = s1;
    out[p + 2] = s2;
    out[p + 3] = s3;
  }
  for (; i < r1; i++, o += d) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[o + j] * q[j];
    out[i - r0] = s;
  }
}

/**
 * Four queries at once: `out[t * stride + (i - r0)] = x[i]·q_t` for t = 0..3 and r0 ≤ i < r1.
 * `qi` holds the four queries interleaved as doubles: `qi[j * 4 + t]` (length 4d).
 */
export function scoreRowsFour(
  x: Float32Array,
  d: number,
  r0: number,
  r1: number,
  qi: Float64Array,
  out: Float64Array,
  stride: number,
): void {
  let i = r0;
  let o = r0 * d;
  const end4 = r1 - ((r1 - r0) & 3);
  const o1s = stride;
  const o2s = 2 * stride;
  const o3s = 3 * stride;
  for (; i < end4; i += 4, o += 4 * d) {
    const o1 = o + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0; // row i,   queries 0..3
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0; // row i+1
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0; // row i+2
    let e0 = 0, e1 = 0, e2 = 0, e3 = 0; // row i+3
    for (let j = 0, p = 0; j < d; j++, p += 4) {
      const q0 = qi[p];
      const q1 = qi[p + 1];
      const q2 = qi[p + 2];
      const q3 = qi[p + 3];
      let v = x[o + j];
      a0 += v * q0;
      a1 += v * q1;
      a2 += v * q2;
      a3 += v * q3;
      v = x[o1 + j];
      b0 += v * q0;
      b1 += v * q1;
      b2 += v * q2;
      b3 += v * q3;
      v = x[o2 + j];
      c0 += v * q0;
      c1 += v * q1;
      c2 += v * q2;
      c3 += v * q3;
      v = x[o3 + j];
      e0 += v * q0;
      e1 += v * q1;
      e2 += v * q2;
      e3 += v * q3;
    }
    const p = i - r0;
    out[p] = a0;
    out[p + 1] = b0;
    out[p + 2] = c0;
    out[p + 3] = e0;
    out[o1s + p] = a1;
    out[o1s + p + 1] = b1;
    out[o1s + p + 2] = c1;
    out[o1s + p + 3] = e1;
    out[o2s + p] = a2;
    out[o2s + p + 1] = b2;
    out[o2s + p + 2] = c2;
    out[o2s + p + 3] = e2;
    out[o3s + p] = a3;
    out[o3s + p + 1] = b3;
    out[o3s + p + 2] = c3;
    out[o3s + p + 3] = e3;
  }
  for (; i < r1; i++, o += d) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let j = 0, p = 0; j < d; j++, p += 4) {
      const v = x[o + j];
      a0 += v * qi[p];
      a1 += v * qi[p + 1];
      a2 += v * qi[p + 2];
      a3 += v * qi[p + 3];
    }
    const p = i - r0;
    out[p] = a0;
    out[o1s + p] = a1;
    out[o2s + p] = a2;
    out[o3s + p] = a3;
  }
}

/**
 * Copies a query into doubles, scaled to unit length (a zero query stays zero), so every score
 * against unit-length rows is a cosine.
 */
export function normalizeQuery(src: Float32Array, srcOffset: number, d: number, dst: Float64Array, dstOffset = 0, dstStep = 1): void {
  let ss = 0;
  for (let j = 0; j < d; j++) {
    const v = src[srcOffset + j];
    ss += v * v;
  }
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let j = 0; j < d; j++) dst[dstOffset + j * dstStep] = src[srcOffset + j] * inv;
}
