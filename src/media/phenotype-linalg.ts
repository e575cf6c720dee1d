/**
 * Small dense linear algebra for the phenotype models: a symmetric eigendecomposition
 * (Householder tridiagonalisation + implicit QL, the EISPACK tred2/tql2 pair as in JAMA), a
 * pivoting linear solver for small systems, and weighted ridge regression with its exact
 * leave-group-out predictions for a whole path of penalties from one decomposition.
 * Matrices are row-major Float64Array. Pure TS (Node and workers).
 */

/** Eigenvalues (ascending) and eigenvectors (columns of a row-major d×d matrix) of a symmetric matrix. */
export function symmetricEigen(a: ArrayLike<number>, d: number): { values: Float64Array; vectors: Float64Array } {
  const V: number[][] = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => a[i * d + j]));
  const dv = new Float64Array(d);
  const e = new Float64Array(d);
  if (d === 0) return { values: dv, vectors: new Float64Array(0) };
  // tred2: Householder reduction to tridiagonal form.
  for (let j = 0; j < d; j++) dv[j] = V[d - 1][j];
  for (let i = d - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(dv[k]);
    if (scale === 0) {
      e[i] = dv[i - 1];
      for (let j = 0; j < i; j++) {
        dv[j] = V[i - 1][j];
        V[i][j] = 0;
        V[j][i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        dv[k] /= scale;
        h += dv[k] * dv[k];
      }
      let f = dv[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      dv[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = dv[j];
        V[j][i] = f;
        g = e[j] + V[j][j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k][j] * dv[k];
          e[k] += V[k][j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * dv[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * dv[j];
      for (let j = 0; j < i; j++) {
        f = dv[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k][j] -= f * e[k] + g * dv[k];
        dv[j] = V[i - 1][j];
        V[i][j] = 0;
      }
    }
    dv[i] = h;
  }
  for (let i = 0; i < d - 1; i++) {
    V[d - 1][i] = V[i][i];
    V[i][i] = 1;
    const h = dv[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) dv[k] = V[k][i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k][i + 1] * V[k][j];
        for (let k = 0; k <= i; k++) V[k][j] -= g * dv[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k][i + 1] = 0;
  }
  for (let j = 0; j < d; j++) {
    dv[j] = V[d - 1][j];
    V[d - 1][j] = 0;
  }
  V[d - 1][d - 1] = 1;
  e[0] = 0;

  // tql2: implicit QL on the tridiagonal matrix.
  for (let i = 1; i < d; i++) e[i - 1] = e[i];
  e[d - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < d; l++) {
    tst1 = Math.max(tst1, Math.abs(dv[l]) + Math.abs(e[l]));
    let m = l;
    while (m < d) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      for (let iter = 0; iter < 200; iter++) {
        let g = dv[l];
        let p = (dv[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        dv[l] = e[l] / (p + r);
        dv[l + 1] = e[l] * (p + r);
        const dl1 = dv[l + 1];
        let h = g - dv[l];
        for (let i = l + 2; i < d; i++) dv[i] -= h;
        f += h;
        p = dv[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * dv[i] - s * g;
          dv[i + 1] = h + s * (c * g + s * dv[i]);
          for (let k = 0; k < d; k++) {
            h = V[k][i + 1];
            V[k][i + 1] = s * V[k][i] + c * h;
            V[k][i] = c * V[k][i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        dv[l] = c * p;
        if (!(Math.abs(e[l]) > eps * tst1)) break;
      }
    }
    dv[l] += f;
    e[l] = 0;
  }
  // Sort ascending.
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => dv[x] - dv[y]);
  const values = Float64Array.from(order, (i) => dv[i]);
  const vectors = new Float64Array(d * d);
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) vectors[r * d + c] = V[r][order[c]];
  return { values, vectors };
}

/** Solves A x = b for a small dense n×n system (Gaussian elimination, partial pivoting). A and b are not modified. */
export function solveLinear(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const m = Float64Array.from(a as ArrayLike<number>);
  const x = Float64Array.from(b as ArrayLike<number>);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (!(Math.abs(m[p * n + c]) > 1e-13)) throw new Error('solveLinear: singular matrix');
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
      [x[c], x[p]] = [x[p], x[c]];
    }
    const piv = m[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / piv;
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c];
    for (let k = c + 1; k < n; k++) s -= m[c * n + k] * x[k];
    x[c] = s / m[c * n + c];
  }
  return x;
}

/** A linear model ŷ = intercept + coef · x. */
export interface LinearFit {
  intercept: number;
  coef: Float64Array;
}

/**
 * Weighted ridge regression, decomposed once for a path of penalties:
 *   minimise Σ wᵢ (yᵢ − b − xᵢ·β)² + λ |β|²   (the intercept b is not penalised).
 * Rows are centred by the weighted means, so the intercept column is orthogonal to the others and
 * the hat matrix in the √w-scaled space is H = s sᵀ / Σw + Z (ZᵀZ + λI)⁻¹ Zᵀ (s = √w). From the
 * eigendecomposition ZᵀZ = V D Vᵀ, every λ costs O(n·d) for the fit and O(Σ|g|²·d) for the exact
 * leave-group-out residuals e₋g = (I − H_gg)⁻¹ e_g.
 */
export class RidgePath {
  readonly n: number;
  readonly d: number;
  private readonly sw: Float64Array;
  private readonly wSum: number;
  private readonly xMean: Float64Array;
  private readonly values: Float64Array;
  private readonly vectors: Float64Array;
  /** U = Z V (n×d). */
  private readonly u: Float64Array;

  /** x: n×d row-major; w: positive weights. */
  constructor(x: ArrayLike<number>, n: number, d: number, w: ArrayLike<number>) {
    this.n = n;
    this.d = d;
    this.sw = new Float64Array(n);
    let wSum = 0;
    for (let i = 0; i < n; i++) {
      if (!(w[i] > 0)) throw new Error(`RidgePath: weight ${i} is ${w[i]}; weights must be positive`);
      wSum += w[i];
      this.sw[i] = Math.sqrt(w[i]);
    }
    this.wSum = wSum;
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += w[i] * x[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= wSum;
    this.xMean = mean;
    const z = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = this.sw[i] * (x[i * d + j] - mean[j]);
    const g = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let a = 0; a < d; a++) {
        const za = z[o + a];
        if (za === 0) continue;
        for (let b = a; b < d; b++) g[a * d + b] += za * z[o + b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) g[a * d + b] = g[b * d + a];
    const eig = symmetricEigen(g, d);
    this.values = eig.values;
    this.vectors = eig.vectors;
    this.u = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += z[i * d + j] * eig.vectors[j * d + k];
        this.u[i * d + k] = s;
      }
    }
  }

  private shrink(lambda: number): Float64Array {
    return Float64Array.from(this.values, (v) => 1 / (Math.max(v, 0) + lambda));
  }

  /** Weighted mean of y and Uᵀ t (t = √w (y − ȳ)). */
  private project(y: ArrayLike<number>): { yMean: number; ut: Float64Array } {
    const { n, d } = this;
    let yMean = 0;
    for (let i = 0; i < n; i++) yMean += this.sw[i] * this.sw[i] * y[i];
    yMean /= this.wSum;
    const ut = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const t = this.sw[i] * (y[i] - yMean);
      for (let k = 0; k < d; k++) ut[k] += this.u[i * d + k] * t;
    }
    return { yMean, ut };
  }

  /** Effective degrees of freedom of the penalised part, Σ dₖ / (dₖ + λ). */
  degreesOfFreedom(lambda: number): number {
    let df = 0;
    for (const v of this.values) df += Math.max(v, 0) / (Math.max(v, 0) + lambda);
    return df;
  }

  /** The fit for one penalty (coefficients in the units of x). */
  fit(y: ArrayLike<number>, lambda: number): LinearFit {
    const { d } = this;
    const { yMean, ut } = this.project(y);
    const s = this.shrink(lambda);
    const coef = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      const a = s[k] * ut[k];
      for (let j = 0; j < d; j++) coef[j] += this.vectors[j * d + k] * a;
    }
    let intercept = yMean;
    for (let j = 0; j < d; j++) intercept -= coef[j] * this.xMean[j];
    return { intercept, coef };
  }

  /**
   * Exact leave-group-out predictions for each penalty: out[l][i] is the prediction for row i by
   * the model fitted without any row of i's group (groups[i]), at lambdas[l].
   */
  leaveGroupOut(y: ArrayLike<number>, groups: ArrayLike<number>, lambdas: readonly number[]): Float64Array[] {
    const { n, d } = this;
    const { yMean, ut } = this.project(y);
    const members = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const list = members.get(groups[i]) ?? [];
      list.push(i);
      members.set(groups[i], list);
    }
    return lambdas.map((lambda) => {
      const s = this.shrink(lambda);
      const a = Float64Array.from(ut, (v, k) => v * s[k]);
      // Fitted values in the √w space: ŝᵢ·ȳ + Uᵢ·a; residuals e = t_full − fitted, t_full = √w y.
      const e = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let f = this.sw[i] * yMean;
        for (let k = 0; k < d; k++) f += this.u[i * d + k] * a[k];
        e[i] = this.sw[i] * y[i] - f;
      }
      const pred = new Float64Array(n);
      for (const idx of members.values()) {
        const m = idx.length;
        const ih = new Float64Array(m * m);
        for (let p = 0; p < m; p++) {
          for (let q = p; q < m; q++) {
            const ip = idx[p];
            const iq = idx[q];
            let h = (this.sw[ip] * this.sw[iq]) / this.wSum;
            for (let k = 0; k < d; k++) h += this.u[ip * d + k] * this.u[iq * d + k] * s[k];
            ih[p * m + q] = (p === q ? 1 : 0) - h;
            ih[q * m + p] = ih[p * m + q];
          }
        }
        let eg: Float64Array;
        try {
          eg = solveLinear(ih, Float64Array.from(idx, (i) => e[i]), m);
        } catch {
          eg = new Float64Array(m).fill(NaN); // the group carries directions no other row has: no estimate
        }
        idx.forEach((i, p) => (pred[i] = y[i] - eg[p] / this.sw[i]));
      }
      return pred;
    });
  }
}
