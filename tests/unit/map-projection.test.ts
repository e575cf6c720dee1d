/**
 * The latent map's projections (src/map): PCA against a known answer, exact placement of new
 * points with PCA, nearest-sample placement for UMAP, and UMAP keeping clusters apart (fitted on a
 * sample above the threshold, the rest placed).
 */
import { describe, expect, it } from 'vitest';
import { fitPca, projectPca, symmetricEigen } from '../../src/map/pca';
import { placeByNearest } from '../../src/map/placement';
import { placePoints, projectWithPca, projectWithUmap } from '../../src/map/projection';
import { hashArrays, normalizeRows, sampleIndices, seededRandom } from '../../src/map/vectors';

/** k Gaussian clusters in `dim` dims, `per` points each, centred on random unit directions × 3. */
function clusters(k: number, per: number, dim: number, seed = 7): { data: Float32Array; label: Int32Array } {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: k }, () => Array.from({ length: dim }, () => gauss() * 3));
  const data = new Float32Array(k * per * dim);
  const label = new Int32Array(k * per);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < per; i++) {
      const row = c * per + i;
      label[row] = c;
      for (let j = 0; j < dim; j++) data[row * dim + j] = centres[c][j] + gauss() * 0.3;
    }
  }
  return { data, label };
}

/** Share of points whose nearest other point (2-D) has the same label. */
function neighbourPurity(coords: Float32Array, label: Int32Array): number {
  const n = label.length;
  let same = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = (coords[i * 2] - coords[j * 2]) ** 2 + (coords[i * 2 + 1] - coords[j * 2 + 1]) ** 2;
      if (d < bd) [bd, best] = [d, j];
    }
    if (label[best] === label[i]) same++;
  }
  return same / n;
}

describe('PCA', () => {
  it('finds the eigenvalues of a symmetric matrix', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3);
    expect(Array.from(values).map((v) => +v.toFixed(9))).toEqual([5, 3, 1]);
    expect(Math.abs(vectors[2])).toBeCloseTo(1, 9); // first eigenvector is the z axis
  });

  it('recovers the main axis of points on a line, and projects them on it', () => {
    // Points along (3, 4)/5 with a little noise on the orthogonal axis.
    const data = new Float32Array(200);
    for (let i = 0; i < 100; i++) {
      const t = i - 50;
      const e = (i % 2 ? 0.01 : -0.01);
      data[i * 2] = 1 + (3 * t) / 5 - (4 * e) / 5;
      data[i * 2 + 1] = 2 + (4 * t) / 5 + (3 * e) / 5;
    }
    const m = fitPca(data, 2, 2);
    expect(m.components[0]).toBeCloseTo(0.6, 5);
    expect(m.components[1]).toBeCloseTo(0.8, 5);
    expect(m.explained[0]).toBeGreaterThan(0.9999);
    const c = projectPca(m, data);
    expect(c[0]).toBeCloseTo(-49.5, 3); // t = −50..49, centred on its mean −0.5
    expect(c[99 * 2]).toBeCloseTo(49.5, 3);
  });

  it('places a new point exactly where the same row sits on the fitted map', async () => {
    const { data } = clusters(4, 50, 16);
    const p = projectWithPca(data, 16);
    let max = 0;
    for (const v of p.coords) max = Math.max(max, Math.abs(v));
    expect(max).toBeCloseTo(1, 5); // scaled into [-1, 1]
    const row = 123;
    const placed = await placePoints(p.placer, data.slice(row * 16, (row + 1) * 16), 16);
    expect(placed[0]).toBeCloseTo(p.coords[row * 2], 5);
    expect(placed[1]).toBeCloseTo(p.coords[row * 2 + 1], 5);
  });
});

describe('placement by nearest fitted points', () => {
  it('puts an exact copy of a fitted point on it, and a point between two on the segment', async () => {
    const fitted = Float32Array.from([1, 0, 0, 1, -1, 0]);
    const coords = Float32Array.from([10, 0, 0, 10, -10, 0]);
    const out = await placeByNearest(fitted, coords, Float32Array.from([1, 0, Math.SQRT1_2, Math.SQRT1_2]), 2, { k: 2 });
    expect(out[0]).toBeCloseTo(10, 1);
    expect(out[1]).toBeCloseTo(0, 1);
    expect(out[2]).toBeCloseTo(5, 3);
    expect(out[3]).toBeCloseTo(5, 3);
  });
});

describe('UMAP', () => {
  it('keeps clusters apart, and fits a sample above the threshold, placing the rest', async () => {
    const dim = 16;
    const { data, label } = clusters(5, 60, dim);
    const phases = new Set<string>();
    const full = await projectWithUmap(data, dim, { nEpochs: 150 }, { onProgress: (p) => phases.add(p.phase) });
    expect(full.sampled).toBeNull();
    expect(full.coords.length).toBe(300 * 2);
    expect(neighbourPurity(full.coords, label)).toBeGreaterThan(0.95);
    expect([...phases]).toEqual(['neighbours', 'optimise', 'done']);

    const sampled = await projectWithUmap(data, dim, { nEpochs: 150, sampleAbove: 200, sampleSize: 150 }, { onProgress: (p) => phases.add(p.phase) });
    expect(sampled.sampled).toBe(150);
    expect(phases.has('place')).toBe(true);
    expect(sampled.coords.every(Number.isFinite)).toBe(true);
    expect(neighbourPurity(sampled.coords, label)).toBeGreaterThan(0.95);
    // The same parameters give the same map (seeded).
    const again = await projectWithUmap(data, dim, { nEpochs: 150, sampleAbove: 200, sampleSize: 150 });
    expect(hashArrays(again.coords)).toBe(hashArrays(sampled.coords));
  });

  it('stops with CANCELLED when the tick hook says so', async () => {
    const { data } = clusters(3, 40, 8);
    let ticks = 0;
    await expect(projectWithUmap(data, 8, { nEpochs: 400 }, { tick: () => ++ticks < 3 })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('vector helpers', () => {
  it('normalises rows, samples distinct sorted indices, hashes bytes', () => {
    const u = normalizeRows(Float32Array.from([3, 4, 0, 0]), 2);
    expect(Array.from(u)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
    const s = sampleIndices(1000, 100, 3);
    expect(new Set(s).size).toBe(100);
    expect([...s]).toEqual([...s].sort((a, b) => a - b));
    expect(hashArrays(Int32Array.of(1, 2))).not.toBe(hashArrays(Int32Array.of(2, 1)));
  });
});

describe('PCA of wide data (subspace iteration)', () => {
  it('agrees with the exact decomposition', async () => {
    const { fitPcaIterative } = await import('../../src/map/pca');
    const { data } = clusters(4, 40, 24, 3);
    const exact = fitPca(data, 24, 2);
    const iter = fitPcaIterative(data, 24, 2);
    for (let c = 0; c < 2; c++) {
      let dot = 0;
      for (let j = 0; j < 24; j++) dot += exact.components[c * 24 + j] * iter.components[c * 24 + j];
      expect(Math.abs(dot)).toBeCloseTo(1, 6);
      expect(iter.variance[c]).toBeCloseTo(exact.variance[c], 6);
    }
  });
});
