import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors';
import { mulberry32 } from '../../src/ml/random';
import { ExactCosineIndex, IvfCosineIndex, TopK, mergeShardResults, normalizeRows, type SearchOptions } from '../../src/ml/search';

function randomMatrix(n: number, d: number, seed: number): Float32Array {
  const rnd = mulberry32(seed);
  const m = new Float32Array(n * d);
  for (let i = 0; i < m.length; i++) m[i] = rnd() * 2 - 1;
  return m;
}

function gaussian(rnd: () => number): number {
  let u = 0;
  while (u === 0) u = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** Points of a Gaussian mixture whose clusters overlap (centre spread ≈ cluster spread). */
function clusteredMatrix(n: number, d: number, clusters: number, seed: number): { data: Float32Array; draw: (m: number) => Float32Array } {
  const rnd = mulberry32(seed);
  const centers = new Float64Array(clusters * d).map(() => gaussian(rnd));
  const spread = new Float64Array(clusters).map(() => 0.3 + 0.5 * rnd());
  const draw = (m: number) => {
    const out = new Float32Array(m * d);
    for (let i = 0; i < m; i++) {
      const c = Math.floor(rnd() * clusters);
      for (let j = 0; j < d; j++) out[i * d + j] = centers[c * d + j] + spread[c] * gaussian(rnd);
    }
    return out;
  };
  return { data: draw(n), draw };
}

interface Ranked {
  indices: number[];
  scores: number[];
}

/**
 * The reference: a naive double-precision loop over the unit-length rows and a full sort (score
 * descending, then row ascending). Same arithmetic per row as the index, so scores match exactly.
 */
function referenceTopK(unitRows: Float32Array, d: number, query: Float32Array, k: number, options: SearchOptions = {}, queryIndex = 0): Ranked {
  const n = unitRows.length / d;
  let ss = 0;
  for (let j = 0; j < d; j++) ss += query[j] * query[j];
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  const q = Array.from(query, (v) => v * inv);
  const all: { row: number; score: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (options.exclude && options.exclude[i]) continue;
    const group = options.queryGroups ? options.queryGroups[queryIndex] : options.queryGroup;
    if (options.rowGroups && group !== undefined && options.rowGroups[i] === group) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += unitRows[i * d + j] * q[j];
    if (options.extraScore) s += options.extraScore.length === n ? options.extraScore[i] : options.extraScore[queryIndex * n + i];
    all.push({ row: i, score: s });
  }
  all.sort((a, b) => (a.score !== b.score ? b.score - a.score : a.row - b.row));
  const top = all.slice(0, k);
  return { indices: top.map((t) => t.row), scores: top.map((t) => Math.fround(t.score)) };
}

/** Cosine from the raw (unnormalised) vectors in double precision: an independent check. */
function rawCosine(raw: Float32Array, d: number, row: number, query: Float32Array): number {
  let dot = 0;
  let a = 0;
  let b = 0;
  for (let j = 0; j < d; j++) {
    const x = raw[row * d + j];
    dot += x * query[j];
    a += x * x;
    b += query[j] * query[j];
  }
  return a === 0 || b === 0 ? 0 : dot / Math.sqrt(a * b);
}

function recallAt(found: Int32Array, truth: Int32Array, nq: number, k: number): number {
  let hit = 0;
  for (let q = 0; q < nq; q++) {
    const want = new Set(truth.subarray(q * k, (q + 1) * k));
    for (let i = 0; i < k; i++) if (want.has(found[q * k + i])) hit++;
  }
  return hit / (nq * k);
}

describe('normalizeRows', () => {
  it('scales rows to unit length, keeps zero rows zero, and copies unless inPlace', () => {
    const m = new Float32Array([3, 4, 0, 0, 0, 0, -1, 0, 0]);
    const out = normalizeRows(m, 3);
    expect(out).not.toBe(m);
    expect(Array.from(out)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, 0, 0, -1, 0, 0]);
    expect(m[0]).toBe(3);
    expect(normalizeRows(m, 3, { inPlace: true })).toBe(m);
    expect(m[1]).toBeCloseTo(0.8, 6);
    const r = normalizeRows(randomMatrix(500, 17, 1), 17);
    for (let i = 0; i < 500; i++) {
      let ss = 0;
      for (let j = 0; j < 17; j++) ss += r[i * 17 + j] ** 2;
      expect(Math.abs(Math.sqrt(ss) - 1)).toBeLessThan(1e-6);
    }
  });

  it('rejects a matrix whose length is not a multiple of dim', () => {
    expect(() => normalizeRows(new Float32Array(7), 3)).toThrow(AppError);
  });
});

describe('ExactCosineIndex: equals a brute-force reference', () => {
  const cases: [n: number, d: number, k: number][] = [
    [1, 3, 5], // k > N
    [7, 5, 3],
    [100, 32, 10],
    [1003, 17, 25], // odd d, N not a multiple of 4 or of the block
    [2500, 32, 1],
    [3000, 64, 100],
    [5000, 8, 7], // several blocks
  ];
  for (const [n, d, k] of cases) {
    it(`N=${n}, d=${d}, k=${k}`, () => {
      const raw = randomMatrix(n, d, n * 31 + d);
      for (let i = 0; i < n; i += 13) raw.fill(0, i * d, (i + 1) * d); // zero vectors
      const unit = normalizeRows(raw, d);
      const index = new ExactCosineIndex(raw, d);
      const queries = randomMatrix(5, d, 7 + n);
      queries.fill(0, 4 * d, 5 * d); // a zero query: every score 0, lowest rows first
      for (let q = 0; q < 5; q++) {
        const query = queries.subarray(q * d, (q + 1) * d);
        const got = index.search(query, k);
        const want = referenceTopK(unit, d, query, k);
        expect(Array.from(got.indices)).toEqual(want.indices);
        expect(Array.from(got.scores)).toEqual(want.scores);
        expect(got.indices).toHaveLength(Math.min(k, n));
        for (let p = 0; p < got.indices.length; p++) {
          expect(Math.abs(got.scores[p] - rawCosine(raw, d, got.indices[p], query))).toBeLessThan(1e-5);
        }
      }
      expect(Array.from(index.search(queries.subarray(4 * d, 5 * d), k).indices)).toEqual(Array.from({ length: Math.min(k, n) }, (_, i) => i));
    });
  }

  it('ranks exact ties by lower row index, wherever the duplicates sit', () => {
    const d = 6;
    const base = randomMatrix(40, d, 3);
    const raw = new Float32Array(400 * d);
    for (let i = 0; i < 400; i++) raw.set(base.subarray((i % 40) * d, (i % 40 + 1) * d), i * d); // 10 copies of each row
    const index = new ExactCosineIndex(raw, d);
    const query = base.subarray(5 * d, 6 * d);
    const got = index.search(query, 12);
    expect(Array.from(got.indices.subarray(0, 10))).toEqual([5, 45, 85, 125, 165, 205, 245, 285, 325, 365]);
    expect(new Set(got.scores.subarray(0, 10)).size).toBe(1);
    expect(Array.from(got.indices)).toEqual(referenceTopK(normalizeRows(raw, d), d, query, 12).indices);
  });

  it('applies exclude, extraScore and rowGroups like the reference', () => {
    const n = 1500;
    const d = 12;
    const raw = randomMatrix(n, d, 11);
    const unit = normalizeRows(raw, d);
    const index = new ExactCosineIndex(raw, d);
    const rnd = mulberry32(5);
    const exclude = new Uint8Array(n).map(() => (rnd() < 0.3 ? 1 : 0));
    const extraScore = new Float32Array(n).map(() => (rnd() < 0.05 ? 0.5 * rnd() : 0));
    const rowGroups = new Int32Array(n).map(() => Math.floor(rnd() * 20));
    const query = randomMatrix(1, d, 99);
    const variants: SearchOptions[] = [{ exclude }, { extraScore }, { rowGroups, queryGroup: 3 }, { exclude, extraScore, rowGroups, queryGroup: 7 }];
    for (const options of variants) {
      const got = index.search(query, 20, options);
      const want = referenceTopK(unit, d, query, 20, options);
      expect(Array.from(got.indices)).toEqual(want.indices);
      expect(Array.from(got.scores)).toEqual(want.scores);
    }
    for (const row of index.search(query, 50, { exclude }).indices) expect(exclude[row]).toBe(0);
    for (const row of index.search(query, 50, { rowGroups, queryGroup: 3 }).indices) expect(rowGroups[row]).not.toBe(3);
    // rowGroups without a query group skips nothing.
    expect(index.search(query, 20, { rowGroups })).toEqual(index.search(query, 20));
    // Excluding everything leaves nothing.
    expect(index.search(query, 5, { exclude: new Uint8Array(n).fill(1) }).indices).toHaveLength(0);
  });

  it('maps rows to the ids given at construction', () => {
    const raw = randomMatrix(50, 4, 2);
    const ids = Array.from({ length: 50 }, (_, i) => 1000 + 2 * i);
    const index = new ExactCosineIndex(raw, 4, { ids });
    const got = index.search(raw.subarray(0, 4), 3);
    expect(Array.from(got.ids)).toEqual(Array.from(got.indices, (i) => 1000 + 2 * i));
    expect(got.indices[0]).toBe(0);
  });

  it('validates inputs with AppError BAD_OPTION', () => {
    const index = new ExactCosineIndex(randomMatrix(10, 4, 1), 4);
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).code).toBe('BAD_OPTION');
        return;
      }
      throw new Error('did not throw');
    };
    bad(() => index.search(new Float32Array(3), 1));
    bad(() => index.search(new Float32Array(4), -1));
    bad(() => index.search(new Float32Array(4), 1.5));
    bad(() => index.search(new Float32Array(4), 1, { extraScore: new Float32Array(9) }));
    bad(() => index.search(new Float32Array(4), 1, { exclude: new Uint8Array(11) }));
    bad(() => index.searchBatch(new Float32Array(8), 3, 1));
    bad(() => new ExactCosineIndex(new Float32Array(10), 4));
    bad(() => new ExactCosineIndex(new Float32Array(8), 4, { ids: [1] }));
    expect(index.search(new Float32Array(4), 0).indices).toHaveLength(0);
  });
});

describe('ExactCosineIndex.searchBatch', () => {
  it('equals one search per query for every batch size (4-query groups and tails)', () => {
    const n = 777;
    const d = 9;
    const index = new ExactCosineIndex(randomMatrix(n, d, 21), d);
    for (const nq of [1, 2, 3, 4, 5, 9]) {
      const queries = randomMatrix(nq, d, 100 + nq);
      const k = 8;
      const batch = index.searchBatch(queries, nq, k);
      expect(batch.indices).toHaveLength(nq * k);
      for (let q = 0; q < nq; q++) {
        const one = index.search(queries.subarray(q * d, (q + 1) * d), k);
        expect(Array.from(batch.indices.subarray(q * k, (q + 1) * k))).toEqual(Array.from(one.indices));
        expect(Array.from(batch.scores.subarray(q * k, (q + 1) * k))).toEqual(Array.from(one.scores));
      }
    }
  });

  it('pads k > N with -1 and -Infinity, and takes per-query extraScore and queryGroups', () => {
    const n = 6;
    const d = 3;
    const raw = randomMatrix(n, d, 4);
    const unit = normalizeRows(raw, d);
    const index = new ExactCosineIndex(raw, d);
    const queries = randomMatrix(3, d, 8);
    const extraScore = new Float32Array(3 * n).map((_, i) => (i % 7 === 0 ? 1 : 0));
    const rowGroups = new Int32Array([0, 0, 1, 1, 2, 2]);
    const queryGroups = new Int32Array([1, 2, 9]);
    const options: SearchOptions = { extraScore, rowGroups, queryGroups };
    const k = 8;
    const batch = index.searchBatch(queries, 3, k, options);
    for (let q = 0; q < 3; q++) {
      const want = referenceTopK(unit, d, queries.subarray(q * d, (q + 1) * d), k, options, q);
      const got = batch.indices.subarray(q * k, (q + 1) * k);
      expect(Array.from(got.subarray(0, want.indices.length))).toEqual(want.indices);
      expect(Array.from(got.subarray(want.indices.length))).toEqual(new Array(k - want.indices.length).fill(-1));
      expect(Array.from(batch.scores.subarray(q * k, q * k + want.indices.length))).toEqual(want.scores);
      expect(batch.scores[(q + 1) * k - 1]).toBe(-Infinity);
      expect(batch.ids[(q + 1) * k - 1]).toBe(-1);
    }
  });

  it('mergeShardResults over row shards equals one index over all rows', () => {
    const n = 1000;
    const d = 16;
    const unit = normalizeRows(randomMatrix(n, d, 77), d);
    const queries = randomMatrix(6, d, 78);
    const k = 15;
    const full = new ExactCosineIndex(unit, d, { normalized: true }).searchBatch(queries, 6, k);
    const bounds = [0, 300, 301, 1000];
    const shards = bounds.slice(0, -1).map((r0, s) => {
      const r = new ExactCosineIndex(unit.subarray(r0 * d, bounds[s + 1] * d), d, { normalized: true }).searchBatch(queries, 6, k);
      return { indices: r.indices, scores: r.scores, rowOffset: r0 };
    });
    const merged = mergeShardResults(shards, 6, k);
    expect(Array.from(merged.indices)).toEqual(Array.from(full.indices));
    expect(Array.from(merged.scores)).toEqual(Array.from(full.scores));
  });
});

describe('TopK', () => {
  it('keeps the k best of offers in any order, ties by lower row', () => {
    const rnd = mulberry32(9);
    const offers = Array.from({ length: 2000 }, (_, row) => ({ row, score: Math.floor(rnd() * 50) / 50 }));
    for (let i = offers.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [offers[i], offers[j]] = [offers[j], offers[i]];
    }
    for (const k of [1, 3, 64, 2500]) {
      const top = new TopK(k);
      for (const o of offers) top.offer(o.score, o.row);
      const rows = new Int32Array(Math.min(k, 2000));
      const scores = new Float32Array(rows.length);
      expect(top.writeSorted(rows, scores)).toBe(rows.length);
      const want = [...offers].sort((a, b) => b.score - a.score || a.row - b.row).slice(0, k);
      expect(Array.from(rows)).toEqual(want.map((w) => w.row));
    }
  });
});

describe('IvfCosineIndex', () => {
  const n = 20_000;
  const d = 32;
  const k = 10;
  const nq = 200;
  const { data, draw } = clusteredMatrix(n, d, 300, 2024);
  const queries = draw(nq); // fresh points from the same mixture: near the data, not in it
  const exact = new ExactCosineIndex(data, d);
  const truth = exact.searchBatch(queries, nq, k);
  const ivf = IvfCosineIndex.build(data, d);

  it('reaches recall@10 ≥ 0.99 at the default nprobe on clustered data, and the data is not trivial', () => {
    expect(ivf.nlist).toBe(141);
    const recall = recallAt(ivf.searchBatch(queries, nq, k).indices, truth.indices, nq, k);
    expect(recall).toBeGreaterThanOrEqual(0.99);
    const recallOneList = recallAt(ivf.searchBatch(queries, nq, k, { nprobe: 1 }).indices, truth.indices, nq, k);
    expect(recallOneList).toBeLessThan(0.95); // neighbours spill across lists: probing matters
    // …while scanning a fifth of the lists at most.
    expect(ivf.nprobe / ivf.nlist).toBeLessThan(0.21);
  });

  it('equals the exact index, filters included, when every list is probed', () => {
    const rnd = mulberry32(3);
    const exclude = new Uint8Array(n).map(() => (rnd() < 0.2 ? 1 : 0));
    const extraScore = new Float32Array(n).map(() => (rnd() < 0.01 ? 0.3 : 0));
    const rowGroups = new Int32Array(n).map(() => Math.floor(rnd() * 40));
    const queryGroups = new Int32Array(20).map((_, i) => i % 40);
    const q20 = queries.subarray(0, 20 * d);
    for (const options of [{}, { exclude, extraScore, rowGroups, queryGroups }] as SearchOptions[]) {
      const want = exact.searchBatch(q20, 20, k, options);
      const got = ivf.searchBatch(q20, 20, k, { ...options, nprobe: ivf.nlist });
      expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
      expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
    }
    const one = ivf.search(queries.subarray(0, d), k, { nprobe: ivf.nlist, exclude });
    expect(Array.from(one.indices)).toEqual(Array.from(exact.search(queries.subarray(0, d), k, { exclude }).indices));
  });

  it('builds the same index from the same data and seed, and round-trips through toParts', () => {
    const again = IvfCosineIndex.build(data, d);
    const a = ivf.toParts();
    const b = again.toParts();
    expect(Array.from(b.listOffsets)).toEqual(Array.from(a.listOffsets));
    expect(Array.from(b.listRows)).toEqual(Array.from(a.listRows));
    expect(Array.from(b.centroids)).toEqual(Array.from(a.centroids));
    const copy = IvfCosineIndex.fromParts({ ...a, centroids: a.centroids.slice(), listVectors: a.listVectors.slice() });
    expect(copy.searchBatch(queries.subarray(0, 20 * d), 20, k).indices).toEqual(ivf.searchBatch(queries.subarray(0, 20 * d), 20, k).indices);
    const other = IvfCosineIndex.build(data, d, { seed: 2 });
    expect(Array.from(other.toParts().centroids)).not.toEqual(Array.from(a.centroids));
  });

  it('handles tiny inputs: N < nlist defaults, k > N, an empty index', () => {
    const small = randomMatrix(5, 4, 1);
    const tiny = IvfCosineIndex.build(small, 4, { nlist: 50 });
    expect(tiny.nlist).toBe(5);
    const got = tiny.search(small.subarray(0, 4), 10, { nprobe: 99 }); // clamped to nlist
    expect(() => tiny.search(small.subarray(0, 4), 1, { nprobe: 0 })).toThrow(AppError);
    expect(() => IvfCosineIndex.build(small, 4, { nlist: -1 })).toThrow(AppError);
    expect(Array.from(got.indices)).toEqual(Array.from(new ExactCosineIndex(small, 4).search(small.subarray(0, 4), 10).indices));
    const empty = IvfCosineIndex.build(new Float32Array(0), 4);
    expect(empty.nprobe).toBe(0);
    expect(empty.search(new Float32Array(4), 3).indices).toHaveLength(0);
    expect(Array.from(empty.searchBatch(new Float32Array(8), 2, 2).indices)).toEqual([-1, -1, -1, -1]);
  });
});
