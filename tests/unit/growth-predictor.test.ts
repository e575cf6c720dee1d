/** The growth predictor on hand-made data: logistic fit, AUROC, Platt calibration, the model file. */
import { describe, expect, it } from 'vitest';
import {
  auroc,
  brierScore,
  calibrationBins,
  expandFeatures,
  fitLogistic,
  GROWTH_FEATURES,
  BASE_FEATURES,
  growthProbability,
  growthScore,
  parseGrowthModel,
  serializeGrowthModel,
  trainGrowthModel,
  type GrowthTrainingGenome,
} from '../../src/media/growth-predictor';
import { bundledGrowthModel } from '../../src/media/recommend';
import { mulberry32 } from '../../src/ml/random';

/** Deterministic uniform numbers. */
const rng = mulberry32;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Genomes whose pairs follow P(y) = sigmoid(3·x0 − 1·x1 − 3); x2 is noise. */
function synthetic(genomes: number, pairs: number, seed: number): GrowthTrainingGenome[] {
  const r = rng(seed);
  return Array.from({ length: genomes }, (_, g) => {
    const rows: number[][] = [];
    const positive: boolean[] = [];
    for (let i = 0; i < pairs; i++) {
      const x = [r() * 2, r() * 2, r()];
      rows.push(x);
      positive.push(r() < sigmoid(3 * x[0] - x[1] - 3));
    }
    return { group: `genus${g % 12}`, rows, positive };
  });
}

describe('AUROC and calibration measures', () => {
  it('AUROC is 1 for a perfect ranking, 0 reversed, 0.5 for ties, NaN without both classes', () => {
    expect(auroc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
    expect(auroc([4, 3, 2, 1], [false, false, true, true])).toBe(0);
    expect(auroc([1, 1, 1, 1], [false, true, false, true])).toBe(0.5);
    expect(auroc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
    expect(auroc([1, 2], [true, true])).toBeNaN();
  });

  it('Brier score and calibration bins', () => {
    expect(brierScore([1, 0], [true, false])).toBe(0);
    expect(brierScore([0.5, 0.5], [true, false])).toBe(0.25);
    const bins = calibrationBins([0.05, 0.05, 0.95, 0.95], [false, true, true, true], 10);
    expect(bins).toEqual([
      { low: 0, high: 0.1, n: 2, meanPredicted: 0.05, observed: 0.5 },
      { low: 0.9, high: 1, n: 2, meanPredicted: 0.95, observed: 1 },
    ]);
  });
});

describe('logistic regression', () => {
  it('recovers the direction of the true coefficients', () => {
    const data = synthetic(40, 200, 1).flatMap((g) => g.rows.map((x, i) => ({ x, y: g.positive[i] })));
    const { coef, intercept } = fitLogistic(
      data.map((d) => d.x),
      data.map((d) => d.y),
      data.map(() => 1),
      1e-3,
    );
    expect(coef[0]).toBeGreaterThan(2);
    expect(coef[0]).toBeLessThan(4);
    expect(coef[1]).toBeLessThan(-0.4);
    expect(Math.abs(coef[2])).toBeLessThan(0.5);
    expect(intercept).toBeLessThan(-2);
  });
});

describe('trainGrowthModel', () => {
  const train = synthetic(60, 150, 2);
  const test = synthetic(30, 150, 3);
  const model = trainGrowthModel(train, { createdAt: '2026-12-01T00:00:00.000Z', features: ['a', 'b', 'c'] });
  const x = test.flatMap((g) => g.rows);
  const y = test.flatMap((g) => g.positive);

  it('ranks held-out pairs well (AUROC close to that of the true model)', () => {
    const truthAuc = auroc(x.map((r) => 3 * r[0] - r[1]), y);
    const ours = auroc(x.map((r) => growthScore(model, r)), y);
    expect(ours).toBeGreaterThan(truthAuc - 0.02);
  });

  it('is calibrated on new data: predicted probabilities match the observed rates', () => {
    const p = x.map((r) => growthProbability(model, r));
    const meanP = p.reduce((a, b) => a + b, 0) / p.length;
    const rate = y.filter(Boolean).length / y.length;
    expect(Math.abs(meanP - rate)).toBeLessThan(0.03);
    for (const b of calibrationBins(p, y, 5)) if (b.n >= 200) expect(Math.abs(b.meanPredicted - b.observed), `bin ${b.low}`).toBeLessThan(0.08);
    expect(brierScore(p, y)).toBeLessThan(brierScore(p.map(() => rate), y));
  });

  it('is deterministic and round-trips through JSON', () => {
    const again = trainGrowthModel(train, { createdAt: '2026-12-01T00:00:00.000Z', features: ['a', 'b', 'c'] });
    expect(again).toEqual(model);
    const back = parseGrowthModel(serializeGrowthModel(model));
    expect(back).toEqual(model);
    expect(() => parseGrowthModel('{"format":"x"}')).toThrow(/not a growth model/);
    expect(() => parseGrowthModel('nope')).toThrow(/not JSON/);
  });
});

describe('the shipped growth model (src/media/growth-model.default.json)', () => {
  it('parses, reads the features recommend.ts computes, and weighs the neighbour evidence up', () => {
    const m = bundledGrowthModel()!;
    expect(m).not.toBeNull();
    expect(m.features).toEqual([...GROWTH_FEATURES]);
    expect(m.training.genomes).toBeGreaterThanOrEqual(70);
    expect(m.coef[BASE_FEATURES.indexOf('neighbor')]).toBeGreaterThan(0);
    expect(expandFeatures([1, 2], true)).toEqual([1, 2, 1, 2, 1]);
    expect(expandFeatures([1, 2], false)).toEqual([1, 2, 0, 0, 0]);
  });
});
