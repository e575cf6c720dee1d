/**
 * Diagnostics of a latent space, for the map's Diagnostics panel: the cosine distance of random
 * pairs (how spread the space is), the distance of each point to its nearest other point (how
 * crowded; near 0 = duplicates), and PC1 against GC % (how much of the main axis is composition).
 * Pure; histograms have fixed bins over cosine distance 0..2.
 */
import { ExactCosineIndex } from '../ml/search/exact-cosine';
import { normalizeRows, sampleIndices, seededRandom, takeRows } from './vectors';

export interface Histogram {
  /** Bin edges, bins + 1 values. */
  edges: Float64Array;
  counts: Float64Array;
  /** Values binned, mean and median. */
  n: number;
  mean: number;
  median: number;
}

export function histogram(values: Float64Array, bins: number, min: number, max: number): Histogram {
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => min + ((max - min) * i) / bins);
  const counts = new Float64Array(bins);
  let sum = 0;
  for (const v of values) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((v - min) / (max - min)) * bins)));
    counts[b]++;
    sum += v;
  }
  const sorted = Float64Array.from(values).sort();
  const median = sorted.length ? (sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2) : NaN;
  return { edges, counts, n: values.length, mean: values.length ? sum / values.length : NaN, median };
}

export interface LatentDiagnostics {
  randomPairs: Histogram;
  nearestNeighbour: Histogram;
  /** Points with a nearest neighbour at cosine distance < 1e-4 (duplicates or near-duplicates). */
  nearDuplicates: number;
  /** Queries used for the nearest-neighbour distribution (a sample above `nnSample`). */
  nnQueries: number;
  /** Pearson r of PC1 against GC (rows with a GC value). */
  pc1GcR: number;
}

export interface DiagnosticsOptions {
  /** @default 20000 */
  pairs?: number;
  /** Nearest-neighbour distances of at most this many points (a seeded sample). @default 2000 */
  nnSample?: number;
  /** @default 40 */
  bins?: number;
  /** @default 11 */
  seed?: number;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i], b = y[i];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    n++;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  if (n < 2) return NaN;
  const cov = sxy - (sx * sy) / n;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  return vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : NaN;
}

/** Diagnostics of n embeddings (n × dim); `pc1` and `gc` (length n) give the PC1–GC correlation. */
export function latentDiagnostics(vectors: Float32Array, dim: number, pc1: ArrayLike<number>, gc: ArrayLike<number>, options: DiagnosticsOptions = {}): LatentDiagnostics {
  const { pairs = 20_000, nnSample = 2_000, bins = 40, seed = 11 } = options;
  const unit = normalizeRows(vectors, dim);
  const n = unit.length / dim;
  const random = seededRandom(seed);
  const pairD = new Float64Array(n > 1 ? pairs : 0);
  for (let p = 0; p < pairD.length; p++) {
    const a = Math.floor(random() * n);
    let b = Math.floor(random() * (n - 1));
    if (b >= a) b++;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += unit[a * dim + j] * unit[b * dim + j];
    pairD[p] = 1 - dot;
  }
  const queries = sampleIndices(n, Math.min(n, nnSample), seed);
  const index = new ExactCosineIndex(unit, dim, { normalized: true });
  const nnD = new Float64Array(queries.length);
  const batch = 256;
  for (let q0 = 0; q0 < queries.length; q0 += batch) {
    const rows = queries.subarray(q0, q0 + batch);
    const r = index.searchBatch(takeRows(unit, dim, rows), rows.length, 2);
    for (let q = 0; q < rows.length; q++) {
      // The nearest row other than itself (an exact duplicate may come first: either is the same distance).
      const first = r.indices[q * 2] === rows[q] ? 1 : 0;
      nnD[q0 + q] = Math.max(0, 1 - r.scores[q * 2 + first]);
    }
  }
  let dup = 0;
  for (const d of nnD) if (d < 1e-4) dup++;
  return {
    randomPairs: histogram(pairD, bins, 0, 2),
    nearestNeighbour: histogram(nnD, bins, 0, Math.max(0.05, Math.min(2, Math.ceil(Math.max(0, ...nnD) * 20) / 20))),
    nearDuplicates: Math.round((dup / Math.max(1, queries.length)) * n),
    nnQueries: queries.length,
    pc1GcR: pearson(pc1, gc),
  };
}
