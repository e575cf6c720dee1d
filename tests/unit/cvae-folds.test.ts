/**
 * The fold CVAEs of `eval media --cvae` (src/media/cvae-folds.ts) on the MediaDive fixture
 * database, with a tiny configuration: each fold's model is trained without the pairs of its
 * fold's genera (and only those), a genus maps to the model that never saw it, a rerun loads the
 * same weights from the cache, and a changed configuration is another cache key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CVAE_FOLDS, genusFold, trainFoldCvaes, type FoldCacheStore } from '../../src/media/cvae-folds';
import { initNodeBackend } from '../../src/ml/node-backend';
import { exportCvaeWeights } from '../../src/ml/recipe-cvae';
import { RECIPE_CVAE_PRESETS } from '../../src/ml/recipe-cvae-config';
import { loadCvaeInput } from '../../src/ml/recipe-cvae-pipeline';
import { scoreMediaForQuery } from '../../src/ml/recipe-cvae-score';
import { mediaDb } from './db-test-helpers';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const tiny = { ...RECIPE_CVAE_PRESETS.tiny, epochsPerPhase: [1, 1, 0, 0] };

function memoryCache(): FoldCacheStore & { map: Map<string, Uint8Array>; gets: number } {
  const map = new Map<string, Uint8Array>();
  const c = { map, gets: 0, get: (k: string) => (c.gets++, map.get(k) ?? null), set: (k: string, b: Uint8Array) => void map.set(k, b) };
  return c;
}

describe('genusFold', () => {
  it('is a fixed hash of the genus name into K folds', () => {
    expect(genusFold('Escherichia')).toBe(genusFold('Escherichia'));
    const folds = new Set(['Escherichia', 'Bacillus', 'Methanococcus', 'Pseudomonas', 'Thermococcus', 'Halobacterium', 'Sulfolobus', 'Streptomyces', 'Clostridium', 'Vibrio'].map((g) => genusFold(g)));
    expect(folds.size).toBeGreaterThan(2);
    for (const f of folds) expect(f >= 0 && f < CVAE_FOLDS).toBe(true);
    expect(genusFold('Bacillus', 2)).toBeLessThan(2);
  });
});

describe('trainFoldCvaes on the fixture database', () => {
  it('trains each fold without its genera, maps a genus to the model that never saw it, and caches', async () => {
    const db = await mediaDb();
    try {
      const K = 2;
      const input = loadCvaeInput(db);
      const strainPairs = input.data.pairs.filter((p) => p.strainId !== null && p.genus !== null);
      const genera = [...new Set(strainPairs.map((p) => p.genus!))];
      expect(new Set(genera.map((g) => genusFold(g, K))).size).toBe(2);
      const cache = memoryCache();
      const a = await trainFoldCvaes(db, { K, config: tiny, cache });
      expect(a.models).toHaveLength(K);
      expect(a.cached).toEqual([false, false]);
      for (let k = 0; k < K; k++) {
        // Every pair but those of strains of fold k's genera.
        const left = strainPairs.filter((p) => genusFold(p.genus!, K) === k).length;
        expect(a.trainPairs[k]).toBe(input.data.pairs.length - left);
      }
      for (const g of genera) expect(a.modelFor(g, 'x')).toBe(a.models[genusFold(g, K)]);
      expect(cache.map.size).toBe(K);
      // The scored media are the matrix's media with a vocabulary recipe.
      expect(a.media.n).toBe(input.matrix.mediumIds.length);
      const s = scoreMediaForQuery(a.models[0], 'fold', a.media, { temperatureC: 37, oxygenTolerant: true, salinityPct: null, ph: null }, { domainCall: 'bacteria', latent: null });
      expect(s.scored).toBe(a.media.scored.reduce((n, x) => n + x, 0));
      for (let i = 0; i < a.media.n; i++) expect(Number.isFinite(s.logLikelihood[i])).toBe(a.media.scored[i] === 1);

      // A rerun loads the same weights from the cache.
      const b = await trainFoldCvaes(db, { K, config: tiny, cache });
      expect(b.cached).toEqual([true, true]);
      for (let k = 0; k < K; k++) expect(Array.from((await exportCvaeWeights(b.models[k])).data)).toEqual(Array.from((await exportCvaeWeights(a.models[k])).data));
      // Another configuration is another key.
      const c = await trainFoldCvaes(db, { K, config: { ...tiny, seed: 7 }, cache });
      expect(c.cached).toEqual([false, false]);
      expect(cache.map.size).toBe(2 * K);
      for (const f of [a, b, c]) f.dispose();
    } finally {
      db.close();
    }
  });
});
