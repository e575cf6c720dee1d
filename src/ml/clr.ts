/**
 * Centred log-ratio (CLR) transform of k-mer count profiles, and per-k reconstruction error.
 * Pure functions over typed arrays (Node, workers, tests).
 *
 * per-k (default): each k block (2, 10, 32, 136, 512, 2080 features) is a composition of its own:
 *   p = counts / sum(block), x = log(p + pc) − mean_block(log(p + pc)).
 * whole: one composition over all 2,772 features:
 *   p = counts / sum(all), x = log(p + pc) − mean_all(log(p + pc)).
 */
import { FEATURE_COUNT, K_OFFSETS, KS, canonicalCount } from '../core/kmer-layout';
import type { ClrMode } from './vae-config';

/** [start, end) of each k block, k = 1..6. */
export const K_BLOCKS: readonly { k: number; start: number; end: number }[] = KS.map((k) => ({
  k,
  start: K_OFFSETS[k],
  end: K_OFFSETS[k] + canonicalCount(k),
}));

const scratch = new Float64Array(FEATURE_COUNT);

function clrRange(counts: ArrayLike<number>, out: Float32Array, outOffset: number, start: number, end: number, pc: number): void {
  let total = 0;
  for (let i = start; i < end; i++) total += counts[i];
  const inv = total > 0 ? 1 / total : 0;
  let mean = 0;
  for (let i = start; i < end; i++) {
    const l = Math.log(counts[i] * inv + pc);
    scratch[i] = l;
    mean += l;
  }
  mean /= end - start;
  // Centred in double precision, rounded to float32 once.
  for (let i = start; i < end; i++) out[outOffset + i] = scratch[i] - mean;
}

/** CLR of one profile (2,772 counts) into `out` at `outOffset` (a fresh array when omitted). */
export function clrTransform(counts: ArrayLike<number>, mode: ClrMode = 'per-k', pseudocount = 1e-6, out?: Float32Array, outOffset = 0): Float32Array {
  if (counts.length !== FEATURE_COUNT) throw new Error(`clrTransform: expected ${FEATURE_COUNT} counts, got ${counts.length}`);
  const target = out ?? new Float32Array(FEATURE_COUNT);
  if (mode === 'whole') clrRange(counts, target, outOffset, 0, FEATURE_COUNT, pseudocount);
  else for (const b of K_BLOCKS) clrRange(counts, target, outOffset, b.start, b.end, pseudocount);
  return target;
}

/** CLR of many profiles into one row-major matrix (n × 2,772). */
export function clrMatrix(profiles: ArrayLike<number>[], mode: ClrMode = 'per-k', pseudocount = 1e-6): Float32Array {
  const m = new Float32Array(profiles.length * FEATURE_COUNT);
  profiles.forEach((p, i) => clrTransform(p, mode, pseudocount, m, i * FEATURE_COUNT));
  return m;
}

export interface PerKError {
  /** Mean squared error over all features. */
  total: number;
  /** Mean squared error within each k block, keyed 'k1'..'k6'. */
  perK: Record<`k${1 | 2 | 3 | 4 | 5 | 6}`, number>;
}

/**
 * Mean squared error between row-major matrices x and y (n × 2,772), overall and per k block,
 * averaged over rows and over the features of the block.
 */
export function perKMse(x: ArrayLike<number>, y: ArrayLike<number>, rows: number): PerKError {
  const d = FEATURE_COUNT;
  if (x.length !== rows * d || y.length !== rows * d) throw new Error(`perKMse: expected ${rows}×${d} values`);
  const sums = new Float64Array(K_BLOCKS.length);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    K_BLOCKS.forEach((b, bi) => {
      let s = 0;
      for (let i = b.start; i < b.end; i++) {
        const e = x[o + i] - y[o + i];
        s += e * e;
      }
      sums[bi] += s;
      total += s;
    });
  }
  const perK = {} as PerKError['perK'];
  K_BLOCKS.forEach((b, bi) => (perK[`k${b.k}` as keyof PerKError['perK']] = rows ? sums[bi] / (rows * (b.end - b.start)) : NaN));
  return { total: rows ? total / (rows * d) : NaN, perK };
}

/** "MSE: 1.41 [6mer=1.52, 5mer=1.21, …, 1mer=0.12]", the design documents' log line. */
export function formatPerK(e: PerKError): string {
  const parts = [6, 5, 4, 3, 2, 1].map((k) => `${k}mer=${e.perK[`k${k}` as keyof PerKError['perK']].toFixed(3)}`);
  return `MSE: ${e.total.toFixed(3)} [${parts.join(', ')}]`;
}
