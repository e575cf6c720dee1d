/**
 * The latent map's projections of n embeddings (n × dim) to 2-D, with progress and cancel:
 * - PCA of the unit-length embeddings (instant, exact for new points: the default);
 * - UMAP (umap-js) on cosine geometry (unit-length rows, Euclidean = monotone in cosine). Above
 *   `sampleAbove` rows, UMAP is fitted on a seeded sample of `sampleSize` rows and every other row is
 *   placed by its nearest sampled rows (placement.ts); new points are placed the same way.
 * Pure: runs in the map worker and in Node tests. `hooks.tick` is awaited between steps (the worker
 * yields there so a cancel message gets through) and may return false to stop.
 */
import { UMAP } from 'umap-js';
import { AppError } from '../core/errors';
import { fitPca, projectPca, type PcaModel } from './pca';
import { ExactCosineIndex } from '../ml/search/exact-cosine';
import { placeByNearest } from './placement';
import { normalizeRows, sampleIndices, seededRandom, takeRows } from './vectors';

export type ProjectionMethod = 'pca' | 'umap';
export const PROJECTION_METHODS: readonly ProjectionMethod[] = ['pca', 'umap'];

export interface UmapParams {
  /** @default 15 */
  nNeighbors?: number;
  /** @default 0.1 */
  minDist?: number;
  /** Optimisation epochs (umap-js picks 500 for ≤ 10,000 rows, else 200, when 0). @default 0 */
  nEpochs?: number;
  /** Fit on a sample above this many rows. @default 12000 */
  sampleAbove?: number;
  /** Rows in that sample. @default 8000 */
  sampleSize?: number;
  /** @default 42 */
  seed?: number;
}
export const UMAP_DEFAULTS = { nNeighbors: 15, minDist: 0.1, nEpochs: 0, sampleAbove: 12_000, sampleSize: 8_000, seed: 42 } satisfies Required<UmapParams>;

export function resolveUmapParams(p: UmapParams = {}): Required<UmapParams> {
  const r = { ...UMAP_DEFAULTS, ...p };
  if (!(r.nNeighbors >= 2 && r.nNeighbors <= 200)) throw new AppError('BAD_OPTION', `UMAP neighbours ${r.nNeighbors}: must be 2..200`);
  if (!(r.minDist >= 0 && r.minDist <= 1)) throw new AppError('BAD_OPTION', `UMAP min_dist ${r.minDist}: must be 0..1`);
  if (!(r.sampleSize >= 100)) throw new AppError('BAD_OPTION', `UMAP sample size ${r.sampleSize}: must be ≥ 100`);
  return r;
}

export type ProjectionPhase = 'pca' | 'neighbours' | 'optimise' | 'place' | 'done';

export interface ProjectionProgress {
  phase: ProjectionPhase;
  /** Steps done and total in this phase (epochs, or rows placed). */
  done: number;
  total: number;
}

export interface ProjectionHooks {
  onProgress?(p: ProjectionProgress): void;
  /** Awaited between steps; false stops (the projection throws CANCELLED). */
  tick?(): boolean | void | Promise<boolean | void>;
}

/** What a fitted projection keeps to place new points. */
export type Placer =
  | { method: 'pca'; pca: PcaModel }
  | { method: 'umap'; fitted: Float32Array; fittedCoords: Float32Array; dim: number };

export interface Projection {
  method: ProjectionMethod;
  /** Parameters used (resolved), as stored with the cached projection. */
  params: Record<string, number | boolean | string>;
  /** n × 2, row-major. */
  coords: Float32Array;
  placer: Placer;
  /** UMAP: rows the map was fitted on (the rest were placed); null when all. */
  sampled: number | null;
}

const cancelled = () => new AppError('CANCELLED', 'Projection cancelled');

/**
 * Scales coordinates into [-1, 1] around the centre (keeps the aspect ratio); returns the centre and
 * scale used. With `clip` > 0 the range is that of the clip..1−clip quantiles, so a few far
 * outliers do not squeeze the bulk into a corner (they land outside [-1, 1]).
 */
export function centreCoords(coords: Float32Array, clip = 0): { cx: number; cy: number; s: number } {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  if (clip > 0) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < coords.length; i += 2) if (Number.isFinite(coords[i]) && Number.isFinite(coords[i + 1])) xs.push(coords[i]), ys.push(coords[i + 1]);
    if (xs.length) {
      xs.sort((a, b) => a - b);
      ys.sort((a, b) => a - b);
      const lo = Math.floor(clip * (xs.length - 1));
      const hi = Math.ceil((1 - clip) * (xs.length - 1));
      [x0, x1, y0, y1] = [xs[lo], xs[hi], ys[lo], ys[hi]];
    }
  } else {
    for (let i = 0; i < coords.length; i += 2) {
      const x = coords[i], y = coords[i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (!Number.isFinite(x0)) return { cx: 0, cy: 0, s: 1 };
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const half = Math.max(x1 - x0, y1 - y0) / 2 || 1;
  const s = 1 / half;
  for (let i = 0; i < coords.length; i += 2) {
    coords[i] = (coords[i] - cx) * s;
    coords[i + 1] = (coords[i + 1] - cy) * s;
  }
  return { cx, cy, s };
}

/** PCA of the unit-length rows, 2 components, scaled into [-1, 1]. */
export function projectWithPca(vectors: Float32Array, dim: number): Projection {
  const unit = normalizeRows(vectors, dim);
  const pca = fitPca(unit, dim, 2);
  const coords = projectPca(pca, unit);
  const { cx, cy, s } = centreCoords(coords);
  // Fold the scaling into the model, so placing a new point gives the same frame.
  const model: PcaModel = { ...pca, mean: pca.mean, components: pca.components.map((v) => v * s) };
  const offset = [cx * s, cy * s];
  // projectPca(model) = s·(x−μ)·c; the map coordinate is that minus s·centre: shift the mean accordingly.
  const shifted = shiftPcaMean(model, offset);
  return {
    method: 'pca',
    params: { normalized: true, explained1: round(pca.explained[0]), explained2: round(pca.explained[1] ?? 0) },
    coords,
    placer: { method: 'pca', pca: shifted },
    sampled: null,
  };
}

/** A PCA model whose projections are shifted by −offset (offset in component units). */
function shiftPcaMean(m: PcaModel, offset: number[]): PcaModel {
  // (x − μ')·c = (x − μ)·c − offset  ⇔  μ'·c = μ·c + offset. Solve in the span of the components
  // (orthogonal rows with squared norms s²): μ' = μ + Σ_c offset_c · c / |c|².
  const mean = Float64Array.from(m.mean);
  for (let c = 0; c < m.k; c++) {
    let nn = 0;
    for (let j = 0; j < m.dim; j++) nn += m.components[c * m.dim + j] ** 2;
    if (nn === 0) continue;
    for (let j = 0; j < m.dim; j++) mean[j] += (offset[c] * m.components[c * m.dim + j]) / nn;
  }
  return { ...m, mean };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** UMAP of the unit-length rows (sampled above `sampleAbove`), scaled into [-1, 1]. */
export async function projectWithUmap(vectors: Float32Array, dim: number, params: UmapParams = {}, hooks: ProjectionHooks = {}): Promise<Projection> {
  const p = resolveUmapParams(params);
  const n = vectors.length / dim;
  if (n < 3) throw new AppError('BAD_OPTION', `UMAP needs at least 3 points (the map has ${n})`, 'use PCA');
  const unit = normalizeRows(vectors, dim);
  const sample = n > p.sampleAbove ? sampleIndices(n, p.sampleSize, p.seed) : null;
  const fitted = sample ? takeRows(unit, dim, sample) : unit;
  const nf = fitted.length / dim;
  const rows: number[][] = Array.from({ length: nf }, (_, i) => Array.from(fitted.subarray(i * dim, (i + 1) * dim)));
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(p.nNeighbors, nf - 1), minDist: p.minDist, nEpochs: p.nEpochs || undefined, random: seededRandom(p.seed) });
  // Exact k nearest neighbours (cosine, in batches: progress and cancel), instead of umap-js's
  // approximate NN-descent, which runs as one uninterruptible step.
  const knn = await exactKnn(fitted, dim, Math.min(p.nNeighbors, nf - 1), hooks);
  umap.setPrecomputedKNN(knn.indices, knn.distances);
  const epochs = umap.initializeFit(rows);
  let last = 0;
  for (let e = 0; e < epochs; e++) {
    umap.step();
    const t = Date.now();
    if (t - last > 40 || e === epochs - 1) {
      last = t;
      hooks.onProgress?.({ phase: 'optimise', done: e + 1, total: epochs });
      if ((await hooks.tick?.()) === false) throw cancelled();
    }
  }
  const emb = umap.getEmbedding();
  const fittedCoords = new Float32Array(nf * 2);
  emb.forEach((v, i) => {
    fittedCoords[i * 2] = v[0];
    fittedCoords[i * 2 + 1] = v[1];
  });
  centreCoords(fittedCoords);
  let coords = fittedCoords;
  if (sample) {
    coords = new Float32Array(n * 2);
    const inSample = new Int32Array(n).fill(-1);
    sample.forEach((row, i) => (inSample[row] = i));
    const rest: number[] = [];
    for (let i = 0; i < n; i++) if (inSample[i] < 0) rest.push(i);
    const placed = await placeByNearest(fitted, fittedCoords, takeRows(unit, dim, rest), dim, {}, async (done, total) => {
      hooks.onProgress?.({ phase: 'place', done, total });
      return (await hooks.tick?.()) !== false;
    });
    if (Number.isNaN(placed[placed.length - 1])) throw cancelled();
    sample.forEach((row, i) => {
      coords[row * 2] = fittedCoords[i * 2];
      coords[row * 2 + 1] = fittedCoords[i * 2 + 1];
    });
    rest.forEach((row, j) => {
      coords[row * 2] = placed[j * 2];
      coords[row * 2 + 1] = placed[j * 2 + 1];
    });
  }
  hooks.onProgress?.({ phase: 'done', done: 1, total: 1 });
  return {
    method: 'umap',
    params: { nNeighbors: p.nNeighbors, minDist: p.minDist, nEpochs: epochs, seed: p.seed, sampleAbove: p.sampleAbove, sampleSize: p.sampleSize, normalized: true },
    coords,
    placer: { method: 'umap', fitted, fittedCoords, dim },
    sampled: sample ? nf : null,
  };
}

/** Places new embeddings (m × dim) on a fitted projection: PCA exactly, UMAP by nearest fitted rows. */
export async function placePoints(placer: Placer, vectors: Float32Array, dim: number): Promise<Float32Array> {
  const unit = normalizeRows(vectors, dim);
  if (placer.method === 'pca') return projectPca(placer.pca, unit);
  return placeByNearest(placer.fitted, placer.fittedCoords, unit, dim);
}

/** Each unit row's k nearest rows (itself first) with Euclidean distances, as umap-js takes them. */
export async function exactKnn(unit: Float32Array, dim: number, k: number, hooks: ProjectionHooks = {}, batch = 256): Promise<{ indices: number[][]; distances: number[][] }> {
  const index = new ExactCosineIndex(unit, dim, { normalized: true });
  const n = index.size;
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let q0 = 0; q0 < n; q0 += batch) {
    const m = Math.min(batch, n - q0);
    const r = index.searchBatch(unit.subarray(q0 * dim, (q0 + m) * dim), m, k);
    for (let q = 0; q < m; q++) {
      const self = q0 + q;
      const ids = [self];
      const ds = [0];
      for (let t = 0; t < k && ids.length < k; t++) {
        const row = r.indices[q * k + t];
        if (row < 0 || row === self) continue;
        ids.push(row);
        ds.push(Math.sqrt(Math.max(0, 2 - 2 * r.scores[q * k + t])));
      }
      while (ids.length < k) {
        ids.push(self);
        ds.push(0);
      }
      indices.push(ids);
      distances.push(ds);
    }
    hooks.onProgress?.({ phase: 'neighbours', done: q0 + m, total: n });
    if ((await hooks.tick?.()) === false) throw cancelled();
  }
  return { indices, distances };
}
