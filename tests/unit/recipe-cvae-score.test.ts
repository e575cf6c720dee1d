/**
 * The recipe CVAE's likelihood of real media (src/ml/recipe-cvae-score.ts) and its words and ranks
 * (src/media/cvae-evidence.ts), on real tfjs (WASM): the score is the training loss's terms at
 * z = μ (checked against hurdleLoss), deterministic and independent of the batch size; and on a
 * tiny trained model a medium scores higher under the condition of the strains that grow on it
 * than under a very different one.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cvaeRankTerm, cvaeReason, cvaeScoresOf, likelihoodPercentiles, likelihoodRanks, type ScoredMedia } from '../../src/media/cvae-evidence';
import { conditionDim, encodeCondition, groupOneHot, UNKNOWN_CONDITION } from '../../src/media/recipe-conditions';
import { initNodeBackend } from '../../src/ml/node-backend';
import { buildRecipeCvae, encoderInputDim, gatherBatch, hurdleLoss, trainRecipeCvae, type RecipeTrainSet } from '../../src/ml/recipe-cvae';
import { resolveRecipeCvaeConfig } from '../../src/ml/recipe-cvae-config';
import { cvaeConditionVector, scoreMediaForQuery, scoreMediaLikelihood } from '../../src/ml/recipe-cvae-score';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const V = 12;
const G = 0;
const C = conditionDim(G);

/**
 * 8 media: 0–2 "hot" recipes (ingredients 0–4 with small variations), 3–5 "cold" recipes
 * (ingredients 6–10), 6 a mix, 7 without a recipe. Hot media are grown by strains at 70 °C,
 * cold ones by strains at 10 °C.
 */
function syntheticMedia(): { media: ScoredMedia; set: RecipeTrainSet } {
  const n = 8;
  const present = new Uint8Array(n * V);
  const amount = new Float32Array(n * V);
  const ph = new Float32Array(n).fill(NaN);
  const put = (m: number, js: number[]) => js.forEach((j, k) => ((present[m * V + j] = 1), (amount[m * V + j] = k % 3 === 2 ? 0 : 0.5 + 0.1 * j)));
  put(0, [0, 1, 2, 3, 4]);
  put(1, [0, 1, 2, 3]);
  put(2, [0, 1, 2, 4, 11]);
  put(3, [6, 7, 8, 9, 10]);
  put(4, [6, 7, 8, 9]);
  put(5, [6, 7, 8, 10, 11]);
  put(6, [0, 1, 7, 8]);
  ph[0] = 7.5;
  ph[3] = 6;
  const scored = Uint8Array.from({ length: n }, (_, i) => (i === 7 ? 0 : 1));
  const rows: number[] = [];
  const conds: Float32Array[] = [];
  for (let r = 0; r < 240; r++) {
    const hot = r % 2 === 0;
    const m = (hot ? 0 : 3) + ((r >> 1) % 3);
    rows.push(m);
    conds.push(encodeCondition({ ...UNKNOWN_CONDITION, temperatureC: hot ? 70 + (r % 5) : 10 + (r % 5), group: groupOneHot('bacteria') }, G));
  }
  const conditions = new Float32Array(rows.length * C);
  conds.forEach((c, r) => conditions.set(c, r * C));
  return { media: { n, V, present, amount, ph, scored }, set: { V, present, amount, mediumPh: ph, mediumIndex: Int32Array.from(rows), conditions } };
}

const config = resolveRecipeCvaeConfig({ vocabSize: V, genomeDim: G, hiddenDims: [24], latentDim: 2, batchSize: 24, epochsPerPhase: [40, 0, 0, 0], warmupEpochs: 5, beta: 1, learningRate: 0.01, seed: 3 });
const hot = encodeCondition({ ...UNKNOWN_CONDITION, temperatureC: 72, group: groupOneHot('bacteria') }, G);
const cold = encodeCondition({ ...UNKNOWN_CONDITION, temperatureC: 12, group: groupOneHot('bacteria') }, G);

describe('scoreMediaLikelihood', () => {
  it('is minus the training loss terms at z = μ (plain presence BCE, β·KL), per medium; NaN without a recipe', () => {
    const { media, set } = syntheticMedia();
    const cvae = buildRecipeCvae(config);
    const s = scoreMediaLikelihood(cvae, media, hot);
    expect(Number.isNaN(s.logLikelihood[7])).toBe(true);
    for (const m of [0, 3, 6]) {
      // The same medium through the training code: gatherBatch + encode + decode at the mean + hurdleLoss.
      const one: RecipeTrainSet = { ...set, mediumIndex: Int32Array.of(m), conditions: hot };
      const b = gatherBatch(one, [0], C);
      const loss = tf.tidy(() => {
        const c = tf.tensor2d(b.c, [1, C]);
        const { mean, logVar } = cvae.encode(tf.tensor2d(b.x, [1, encoderInputDim(V)]), c);
        const t = { present: tf.tensor2d(b.present, [1, V]), stockOnly: tf.tensor2d(b.stockOnly, [1, V]), amount: tf.tensor2d(b.amount, [1, V]), amountMask: tf.tensor2d(b.amountMask, [1, V]), ph: tf.tensor2d(b.ph, [1, 1]), phMask: tf.tensor2d(b.phMask, [1, 1]) };
        const l = hurdleLoss(cvae.decode(mean, c), t, mean, logVar, { posWeight: 1, amountWeight: config.amountWeight, stockWeight: config.stockWeight, phWeight: config.phWeight, klWeight: config.beta });
        return { total: l.total.dataSync()[0], presence: l.presence.dataSync()[0], kl: l.kl.dataSync()[0] };
      });
      expect(s.logLikelihood[m]).toBeCloseTo(-loss.total, 3);
      expect(s.presence[m]).toBeCloseTo(loss.presence, 4);
      expect(s.kl[m]).toBeCloseTo(loss.kl, 4);
    }
    cvae.dispose();
  });

  it('is deterministic and the same in one batch or many', () => {
    const { media } = syntheticMedia();
    const cvae = buildRecipeCvae(config);
    const a = scoreMediaLikelihood(cvae, media, cold);
    const b = scoreMediaLikelihood(cvae, media, cold);
    const c = scoreMediaLikelihood(cvae, media, cold, { batchSize: 3 });
    expect(Array.from(b.logLikelihood)).toEqual(Array.from(a.logLikelihood));
    for (let i = 0; i < 7; i++) expect(c.logLikelihood[i]).toBeCloseTo(a.logLikelihood[i], 4);
    expect(() => scoreMediaLikelihood(cvae, media, new Float32Array(3))).toThrow(/condition vector has 3 values, the recipe model expects 13/);
    expect(() => scoreMediaLikelihood(cvae, { ...media, V: 5 }, cold)).toThrow(/5 ingredient columns, the recipe model 12/);
    cvae.dispose();
  });

  it("on a trained model, a medium is more likely under its strains' condition than under a very different one", async () => {
    const { media, set } = syntheticMedia();
    const rows = Int32Array.from({ length: set.mediumIndex.length }, (_, i) => i);
    const { cvae, stoppedBy } = await trainRecipeCvae(config, set, [rows, rows, rows, rows]);
    expect(stoppedBy).toBe('done');
    const underHot = scoreMediaLikelihood(cvae, media, hot).logLikelihood;
    const underCold = scoreMediaLikelihood(cvae, media, cold).logLikelihood;
    for (const m of [0, 1, 2]) expect(underHot[m]).toBeGreaterThan(underCold[m]);
    for (const m of [3, 4, 5]) expect(underCold[m]).toBeGreaterThan(underHot[m]);
    // Within one condition, its own media rank first.
    const rHot = likelihoodRanks(underHot);
    const rCold = likelihoodRanks(underCold);
    expect(Math.max(rHot[0], rHot[1], rHot[2])).toBeLessThan(Math.min(rHot[3], rHot[4], rHot[5]));
    expect(Math.max(rCold[3], rCold[4], rCold[5])).toBeLessThan(Math.min(rCold[0], rCold[1], rCold[2]));
    // Through the query path: the conditions as the ranking has them.
    const q = scoreMediaForQuery(cvae, 'tiny', media, { temperatureC: 72, oxygenTolerant: null, salinityPct: null, ph: null }, { domainCall: 'bacteria', latent: null });
    expect(Array.from(q.logLikelihood)).toEqual(Array.from(underHot));
    expect(cvaeConditionVector(cvae, { temperatureC: 72, oxygenTolerant: null, salinityPct: null, ph: null }, { domainCall: 'bacteria', latent: new Float32Array(4) })).toEqual(hot);
    cvae.dispose();
  });
});

describe('cvae-evidence: ranks, percentiles, the rank term and the words', () => {
  it('ranks the most likely first, gives percentiles with ties at half, and leaves unscored media out', () => {
    const ll = Float32Array.of(-10, NaN, -2, -5, -5, -30);
    expect(Array.from(likelihoodRanks(ll))).toEqual([3, -1, 0, 1, 2, 4]);
    const p = likelihoodPercentiles(ll);
    expect(Number.isNaN(p[1])).toBe(true);
    expect([p[5], p[0], p[3], p[4], p[2]].map((x) => Number(x.toFixed(4)))).toEqual([0, 0.25, 0.625, 0.625, 1]);
    const s = cvaeScoresOf('m', ll);
    expect(s.scored).toBe(5);
    expect(cvaeRankTerm(s, 2)).toBe(1);
    expect(cvaeRankTerm(s, 0)).toBeCloseTo(10 / 13, 10);
    expect(cvaeRankTerm(s, 1)).toBe(0);
  });

  it('words the percentile', () => {
    const ll = Float32Array.from({ length: 200 }, (_, i) => -i);
    ll[199] = NaN;
    const s = cvaeScoresOf('m', ll);
    expect(cvaeReason(s, 0, 'the predicted conditions')).toBe('recipe model: this recipe is among the 1 % most likely of 199 recipes for the predicted conditions (rank 1, log-likelihood 0.0)');
    expect(cvaeReason(s, 8)).toMatch(/^recipe model: this recipe is among the 5 % most likely of 199 recipes/);
    expect(cvaeReason(s, 100)).toMatch(/more likely than 49 % of 199 recipes .*\(rank 101, log-likelihood -100\.0\)/);
    expect(cvaeReason(s, 190)).toMatch(/among the 25 % least likely/);
    expect(cvaeReason(s, 199)).toBe('recipe model: no recipe in its vocabulary, not scored');
  });
});
