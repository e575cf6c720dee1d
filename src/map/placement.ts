/**
 * Places points on a fitted 2-D map by their nearest fitted neighbours: a point's position is the
 * similarity-weighted mean of the positions of its k most cosine-similar fitted points. Used for
 * the rows a UMAP fitted on a sample did not see, and for genomes the user profiles (UMAP has no
 * exact out-of-sample map; PCA places those exactly with projectPca).
 */
import { ExactCosineIndex } from '../ml/search/exact-cosine';

export interface PlacementOptions {
  /** Neighbours averaged per point. @default 5 */
  k?: number;
  /** Queries per batch (the index scans once per batch). @default 256 */
  batch?: number;
}
export const PLACEMENT_DEFAULTS = { k: 5, batch: 256 } satisfies Required<PlacementOptions>;

/**
 * Coordinates (nq × 2) of `queries` (nq × dim) on a map whose fitted points are `fitted` (nf × dim,
 * any scale: they are compared by cosine) at `fittedCoords` (nf × 2). `onBatch(done)` is called after
 * each batch; returning false stops early (the rest stays NaN).
 */
export async function placeByNearest(
  fitted: Float32Array | ExactCosineIndex,
  fittedCoords: Float32Array,
  queries: Float32Array,
  dim: number,
  options: PlacementOptions = {},
  onBatch?: (done: number, total: number) => boolean | void | Promise<boolean | void>,
): Promise<Float32Array> {
  const { k, batch } = { ...PLACEMENT_DEFAULTS, ...options };
  const index = fitted instanceof ExactCosineIndex ? fitted : new ExactCosineIndex(fitted, dim);
  const nq = queries.length / dim;
  const out = new Float32Array(nq * 2).fill(NaN);
  const kk = Math.min(k, index.size);
  for (let q0 = 0; q0 < nq; q0 += batch) {
    const m = Math.min(batch, nq - q0);
    const r = index.searchBatch(queries.subarray(q0 * dim, (q0 + m) * dim), m, kk);
    for (let q = 0; q < m; q++) {
      let wx = 0;
      let wy = 0;
      let ws = 0;
      for (let t = 0; t < kk; t++) {
        const row = r.indices[q * kk + t];
        if (row < 0) continue;
        // Weight: similarity mapped to (0, 1], sharpened so an exact match dominates.
        const sim = Math.max(-1, Math.min(1, r.scores[q * kk + t]));
        const w = Math.pow((1 + sim) / 2, 8) + 1e-9;
        wx += w * fittedCoords[row * 2];
        wy += w * fittedCoords[row * 2 + 1];
        ws += w;
      }
      if (ws > 0) {
        out[(q0 + q) * 2] = wx / ws;
        out[(q0 + q) * 2 + 1] = wy / ws;
      }
    }
    if (onBatch && (await onBatch(Math.min(nq, q0 + m), nq)) === false) break;
  }
  return out;
}
