/** CLR transform and per-k reconstruction error against values computed by hand. */
import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { clrMatrix, clrTransform, formatPerK, K_BLOCKS, perKMse } from '../../src/ml/clr';

describe('CLR', () => {
  it('has the six k blocks of the layout: 2, 10, 32, 136, 512, 2080', () => {
    expect(K_BLOCKS.map((b) => b.end - b.start)).toEqual([2, 10, 32, 136, 512, 2080]);
    expect(K_BLOCKS[5].end).toBe(FEATURE_COUNT);
  });

  it('per-k: each block is its own composition (hand-computed k = 1 block)', () => {
    const counts = new Float64Array(FEATURE_COUNT).fill(1);
    counts[0] = 1; // A
    counts[1] = 3; // C
    const x = clrTransform(counts, 'per-k', 1e-6);
    // p = [0.25, 0.75]; l = log(p + 1e-6); clr = l − mean(l)
    const l0 = Math.log(0.25 + 1e-6);
    const l1 = Math.log(0.75 + 1e-6);
    expect(x[0]).toBeCloseTo(l0 - (l0 + l1) / 2, 6);
    expect(x[1]).toBeCloseTo(l1 - (l0 + l1) / 2, 6);
    // A uniform block is all zeros, and every block sums to zero.
    for (const b of K_BLOCKS) {
      let s = 0;
      for (let i = b.start; i < b.end; i++) s += x[i];
      expect(Math.abs(s)).toBeLessThan(1e-4);
      if (b.k > 1) for (let i = b.start; i < b.end; i++) expect(x[i]).toBeCloseTo(0, 6);
    }
  });

  it('per-k: a zero count gets log(pseudocount) before centring', () => {
    const counts = new Float64Array(FEATURE_COUNT).fill(5);
    counts[0] = 0;
    counts[1] = 10;
    const x = clrTransform(counts, 'per-k', 1e-6);
    const l0 = Math.log(1e-6);
    const l1 = Math.log(1 + 1e-6);
    expect(x[0]).toBeCloseTo((l0 - l1) / 2, 5);
  });

  it('whole: one composition over all 2,772 features', () => {
    const counts = new Float64Array(FEATURE_COUNT).fill(2);
    counts[5] = 4;
    const x = clrTransform(counts, 'whole', 1e-6);
    const total = 2 * (FEATURE_COUNT - 1) + 4;
    const lo = Math.log(2 / total + 1e-6);
    const hi = Math.log(4 / total + 1e-6);
    const mean = (lo * (FEATURE_COUNT - 1) + hi) / FEATURE_COUNT;
    expect(x[5]).toBeCloseTo(hi - mean, 5);
    expect(x[0]).toBeCloseTo(lo - mean, 5);
  });

  it('an all-zero profile gives a finite vector, and clrMatrix stacks rows', () => {
    const x = clrTransform(new Float64Array(FEATURE_COUNT), 'per-k');
    expect(x.every((v) => Number.isFinite(v) && Math.abs(v) < 1e-9)).toBe(true);
    const a = new Float64Array(FEATURE_COUNT).map((_, i) => i + 1);
    const m = clrMatrix([a, a], 'per-k');
    expect(m.length).toBe(2 * FEATURE_COUNT);
    expect(m.subarray(FEATURE_COUNT)).toEqual(clrTransform(a, 'per-k'));
  });

  it('rejects a profile of the wrong length', () => {
    expect(() => clrTransform(new Float64Array(10))).toThrow(/2772/);
  });
});

describe('per-k MSE', () => {
  it('averages squared errors within each k block and overall (hand-computed)', () => {
    const x = new Float32Array(2 * FEATURE_COUNT);
    const y = new Float32Array(2 * FEATURE_COUNT);
    // Row 0: error 2 on both k = 1 features; row 1: error 1 on one k = 6 feature.
    y[0] = 2;
    y[1] = 2;
    y[FEATURE_COUNT + K_BLOCKS[5].start] = 1;
    const e = perKMse(x, y, 2);
    expect(e.perK.k1).toBeCloseTo((4 + 4) / (2 * 2), 9);
    expect(e.perK.k6).toBeCloseTo(1 / (2 * 2080), 9);
    expect(e.perK.k2).toBe(0);
    expect(e.total).toBeCloseTo((4 + 4 + 1) / (2 * FEATURE_COUNT), 9);
    expect(formatPerK(e)).toMatch(/^MSE: 0\.002 \[6mer=0\.000, 5mer=0\.000, 4mer=0\.000, 3mer=0\.000, 2mer=0\.000, 1mer=2\.000\]$/);
  });
});
