/**
 * Principal component analysis of a row-major matrix (n × dim), for the latent and media maps.
 * The dim × dim covariance is built in one pass and its leading eigenvectors are found by the
 * cyclic Jacobi method: exact for the small dims here (latent 32, media vocabulary a few hundred
 * is handled too, but costs O(dim³)). New rows are placed exactly with `projectPca`.
 */
import { AppError } from '../core/errors';

export interface PcaModel {
  dim: number;
  /** Column means, length dim. */
  mean: Float64Array;
  /** k × dim, row-major: component c is components[c·dim .. (c+1)·dim). Sign: largest |loading| positive. */
  components: Float64Array;
  k: number;
  /** Variance along each component. */
  variance: Float64Array;
  /** Share of the total variance each component explains. */
  explained: Float64Array;
}

/** Eigen-decomposition of a symmetric matrix (row-major, m × m) by cyclic Jacobi sweeps: values descending, vectors as rows. */
export function symmetricEigen(a: Float64Array, m: number, maxSweeps = 60): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < m; p++) {
      diag += A[p * m + p] * A[p * m + p];
      for (let q = p + 1; q < m; q++) off += A[p * m + q] * A[p * m + q];
    }
    if (off <= 1e-22 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = A[p * m + p];
        const aqq = A[q * m + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = A[k * m + p];
          const akq = A[k * m + q];
          A[k * m + p] = c * akp - s * akq;
          A[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p * m + k];
          const aqk = A[q * m + k];
          A[p * m + k] = c * apk - s * aqk;
          A[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = V[k * m + p];
          const vkq = V[k * m + q];
          V[k * m + p] = c * vkp - s * vkq;
          V[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => A[y * m + y] - A[x * m + x]);
  const values = Float64Array.from(order, (i) => A[i * m + i]);
  const vectors = new Float64Array(m * m);
  order.forEach((col, r) => {
    for (let k = 0; k < m; k++) vectors[r * m + k] = V[k * m + col];
  });
  return { values, vectors };
}

/** Above this many dims, PCA uses subspace iteration instead of a full eigen-decomposition. */
export const JACOBI_MAX_DIM = 96;

/** Fits a PCA with `k` components (default 2) to n rows of `dim` values. */
export function fitPca(data: Float32Array | Float64Array, dim: number, k = 2): PcaModel {
  if (dim <= 0 || data.length % dim !== 0) throw new AppError('INTERNAL', `fitPca: ${data.length} values are not rows of ${dim}`);
  const n = data.length / dim;
  if (n === 0) throw new AppError('BAD_OPTION', 'PCA needs at least one point');
  k = Math.min(k, dim);
  if (dim > JACOBI_MAX_DIM) return fitPcaIterative(data, dim, k);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += data[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = data[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const o = a * dim;
      for (let b = a; b < dim; b++) cov[o + b] += ra * row[b];
    }
  }
  const denom = Math.max(1, n - 1);
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] /= denom;
      cov[b * dim + a] = cov[a * dim + b];
    }
  }
  const { values, vectors } = symmetricEigen(cov, dim);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  const components = vectors.slice(0, k * dim);
  for (let c = 0; c < k; c++) {
    // Deterministic sign: the largest loading is positive.
    let best = 0;
    for (let j = 1; j < dim; j++) if (Math.abs(components[c * dim + j]) > Math.abs(components[c * dim + best])) best = j;
    if (components[c * dim + best] < 0) for (let j = 0; j < dim; j++) components[c * dim + j] *= -1;
  }
  const variance = values.slice(0, k).map((v) => Math.max(0, v));
  return { dim, mean, components, k, variance, explained: variance.map((v) => (total > 0 ? v / total : 0)) };
}

function signFix(components: Float64Array, dim: number, k: number): void {
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let j = 1; j < dim; j++) if (Math.abs(components[c * dim + j]) > Math.abs(components[c * dim + best])) best = j;
    if (components[c * dim + best] < 0) for (let j = 0; j < dim; j++) components[c * dim + j] *= -1;
  }
}

/**
 * PCA of wide data (e.g. media × ingredient vocabulary) by subspace iteration: V ← orth(Xcᵀ Xc V),
 * never forming the dim × dim covariance. Converges to the leading components (fixed 200 sweeps or
 * when the subspace stops moving).
 */
export function fitPcaIterative(data: Float32Array | Float64Array, dim: number, k = 2, maxIter = 200): PcaModel {
  const n = data.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += data[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) total += (data[i * dim + j] - mean[j]) ** 2;
  total /= Math.max(1, n - 1);
  // Deterministic start: k fixed pseudo-random directions.
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296) - 0.5;
  let V = Float64Array.from({ length: k * dim }, rnd);
  const orth = (M: Float64Array) => {
    for (let c = 0; c < k; c++) {
      for (let p = 0; p < c; p++) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += M[c * dim + j] * M[p * dim + j];
        for (let j = 0; j < dim; j++) M[c * dim + j] -= d * M[p * dim + j];
      }
      let nn = 0;
      for (let j = 0; j < dim; j++) nn += M[c * dim + j] ** 2;
      const inv = nn > 0 ? 1 / Math.sqrt(nn) : 0;
      for (let j = 0; j < dim; j++) M[c * dim + j] *= inv;
    }
  };
  orth(V);
  const proj = new Float64Array(k);
  const variance = new Float64Array(k);
  for (let it = 0; it < maxIter; it++) {
    const W = new Float64Array(k * dim);
    for (let i = 0; i < n; i++) {
      const o = i * dim;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (data[o + j] - mean[j]) * V[c * dim + j];
        proj[c] = s;
      }
      for (let c = 0; c < k; c++) {
        const pc = proj[c];
        if (pc === 0) continue;
        for (let j = 0; j < dim; j++) W[c * dim + j] += (data[o + j] - mean[j]) * pc;
      }
    }
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += W[c * dim + j] * V[c * dim + j];
      variance[c] = s / Math.max(1, n - 1);
    }
    orth(W);
    let moved = 0;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += W[c * dim + j] * V[c * dim + j];
      moved = Math.max(moved, 1 - Math.abs(d));
    }
    V = W;
    if (moved < 1e-10) break;
  }
  signFix(V, dim, k);
  return { dim, mean, components: V, k, variance, explained: variance.map((v) => (total > 0 ? v / total : 0)) };
}

/** Coordinates of rows on the model's components: n × k, row-major (float32). */
export function projectPca(model: PcaModel, data: Float32Array | Float64Array, out?: Float32Array): Float32Array {
  const { dim, k, mean, components } = model;
  if (data.length % dim !== 0) throw new AppError('INTERNAL', `projectPca: ${data.length} values are not rows of ${dim}`);
  const n = data.length / dim;
  const coords = out ?? new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (data[i * dim + j] - mean[j]) * components[c * dim + j];
      coords[i * k + c] = s;
    }
  }
  return coords;
}
