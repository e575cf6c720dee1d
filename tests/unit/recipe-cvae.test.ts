/**
 * The recipe CVAE (src/ml/recipe-cvae*.ts) on real tfjs (WASM, as in the CLI): the hurdle loss on
 * hand-made cases computed by hand, the curriculum (phases in order, each adding rows), determinism
 * and exact resume, sampling, the model file and models row, and the pipeline on the fixture data.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../src/db/models';
import { describeGeneratedRecipes } from '../../src/media/generate-recipes';
import { conditionDim, encodeCondition, groupOneHot, UNKNOWN_CONDITION } from '../../src/media/recipe-conditions';
import { curriculumRows, PHASE_GROUPS, type RecipePair } from '../../src/media/recipe-training-data';
import { initNodeBackend } from '../../src/ml/node-backend';
import { mulberry32 } from '../../src/ml/random';
import { buildRecipeCvae, exportCvaeWeights, hurdleLoss, phaseOfEpoch, sampleRecipeVectors, trainRecipeCvae, type CvaeCheckpoint, type RecipeTrainSet } from '../../src/ml/recipe-cvae';
import { countRecipeCvaeParameters, RECIPE_CVAE_PRESETS, resolveRecipeCvaeConfig, totalEpochs } from '../../src/ml/recipe-cvae-config';
import { decodeRecipeModelFile, encodeRecipeModelFile, fromRecipeModelRow, readRecipeCvae, storeRecipeModel, toRecipeModelRow } from '../../src/ml/recipe-cvae-model';
import { auroc, loadCvaeInput, packCvaeInput, trainRecipeModel } from '../../src/ml/recipe-cvae-pipeline';
import { mediaDb } from './db-test-helpers';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const t2 = (rows: number[][]) => tf.tensor2d(rows);
const value = (s: tf.Scalar) => s.dataSync()[0];

describe('hurdle loss (by hand)', () => {
  it('one medium: weighted BCE, stock BCE where present, amount error where final, pH where known, KL', () => {
    const l = hurdleLoss(
      { presenceLogits: t2([[0, Math.log(3)]]), stockLogits: t2([[0, 5]]), amount: t2([[1, 7]]), ph: t2([[0.5]]) },
      { present: t2([[1, 0]]), stockOnly: t2([[0, 0]]), amount: t2([[3, 0]]), amountMask: t2([[1, 0]]), ph: t2([[1]]), phMask: t2([[1]]) },
      t2([[1, 0]]),
      t2([[0, Math.log(2)]]),
      { posWeight: 2, amountWeight: 2, stockWeight: 3, phWeight: 4, klWeight: 0.5 },
    );
    const ln2 = Math.log(2);
    // presence: 2·softplus(−0) + softplus(ln 3) = 2 ln 2 + ln 4
    expect(value(l.presence)).toBeCloseTo(4 * ln2, 5);
    // stock: only the present cell, not stock-only: softplus(0) = ln 2 (the absent cell's logit 5 is ignored)
    expect(value(l.stock)).toBeCloseTo(ln2, 5);
    // amount: only the cell with a final amount: (1 − 3)² (the absent cell's 7 is ignored)
    expect(value(l.amount)).toBeCloseTo(4, 5);
    expect(value(l.ph)).toBeCloseTo(0.25, 6);
    // KL: ½[(e⁰ + 1 − 0 − 1) + (2 + 0 − ln 2 − 1)] = 1 − ln2 / 2
    expect(value(l.kl)).toBeCloseTo(1 - ln2 / 2, 5);
    expect(value(l.total)).toBeCloseTo(4 * ln2 + 3 * ln2 + 2 * 4 + 4 * 0.25 + 0.5 * (1 - ln2 / 2), 4);
  });

  it('averages per-medium sums over the batch; unknown pH and stock-only cells add nothing to their terms', () => {
    const l = hurdleLoss(
      { presenceLogits: t2([[0, 0], [0, 0]]), stockLogits: t2([[0, 0], [2, 0]]), amount: t2([[0, 0], [0, 0]]), ph: t2([[3], [9]]) },
      { present: t2([[1, 1], [0, 0]]), stockOnly: t2([[1, 0], [0, 0]]), amount: t2([[0, 2], [0, 0]]), amountMask: t2([[0, 1], [0, 0]]), ph: t2([[3], [0]]), phMask: t2([[1], [0]]) },
      t2([[0], [0]]),
      t2([[0], [0]]),
      { posWeight: 1, amountWeight: 1, stockWeight: 1, phWeight: 1, klWeight: 1 },
    );
    const ln2 = Math.log(2);
    expect(value(l.presence)).toBeCloseTo((2 * ln2 + 2 * ln2) / 2, 5);
    expect(value(l.stock)).toBeCloseTo((2 * ln2) / 2, 5);
    expect(value(l.amount)).toBeCloseTo(4 / 2, 5);
    expect(value(l.ph)).toBe(0);
    expect(value(l.kl)).toBe(0);
  });
});

describe('auroc', () => {
  it('is 1 for a perfect ranking, 0.5 for ties, and counts ties as half', () => {
    expect(auroc([0.1, 0.9, 0.2, 0.8], [0, 1, 0, 1])).toBe(1);
    expect(auroc([0.5, 0.5, 0.5], [1, 0, 0])).toBe(0.5);
    // positives 0.8, 0.3; negatives 0.3, 0.1: pairs (0.8>0.3, 0.8>0.1, 0.3=0.3 → ½, 0.3>0.1) = 3.5/4
    expect(auroc([0.8, 0.3, 0.3, 0.1], [1, 1, 0, 0])).toBe(0.875);
    expect(auroc([0.1, 0.2], [1, 1])).toBeNaN();
  });
});

// ---- a small synthetic set: V = 6 ingredients, 24 media, 60 (medium, condition) rows over the four groups

const V = 6;
const G = 2;
const C = conditionDim(G);
const config = resolveRecipeCvaeConfig({ ...RECIPE_CVAE_PRESETS.tiny, vocabSize: V, genomeDim: G, batchSize: 8, epochsPerPhase: [2, 1, 1, 1], checkpointEvery: 1 });

function syntheticSet(): { set: RecipeTrainSet; pairs: RecipePair[] } {
  const r = mulberry32(5);
  const M = 24;
  const present = new Uint8Array(M * V);
  const amount = new Float32Array(M * V);
  for (let i = 0; i < M * V; i++) {
    if (r() < 0.4) {
      present[i] = 1;
      if (r() < 0.7) amount[i] = r() * 3;
    }
  }
  const groups = ['bacteria', 'bacteria', 'bacteria', 'archaea', 'fungi', 'protists'] as const;
  const pairs: RecipePair[] = Array.from({ length: 60 }, (_, k) => {
    const group = groups[k % groups.length];
    const condition = { ...UNKNOWN_CONDITION, temperatureC: 20 + (k % 7) * 10, group: groupOneHot(group) };
    return { mediumIndex: k % M, mediumId: String(k % M), group, strainId: k, species: `Genus${String.fromCharCode(97 + (k % 5))} x`, genus: null, condition, heldOut: k % 10 === 9 };
  });
  const conditions = new Float32Array(pairs.length * C);
  pairs.forEach((p, i) => encodeCondition(p.condition, G, conditions, i * C));
  return { set: { V, present, amount, mediumPh: Float32Array.from({ length: M }, (_, i) => (i % 3 ? 7 + (i % 4) * 0.5 : NaN)), mediumIndex: Int32Array.from(pairs, (p) => p.mediumIndex), conditions }, pairs };
}

describe('config', () => {
  it('validates options and counts parameters', () => {
    expect(resolveRecipeCvaeConfig().beta).toBe(6);
    expect(totalEpochs(config)).toBe(5);
    expect(() => resolveRecipeCvaeConfig({ epochsPerPhase: [1, 2] })).toThrow(/4 epoch counts/);
    expect(() => resolveRecipeCvaeConfig({ posWeight: 0 })).toThrow(/posWeight/);
    expect(() => resolveRecipeCvaeConfig({ bogus: 1 } as never)).toThrow(/unknown recipe CVAE option 'bogus'/);
    const m = buildRecipeCvae(config);
    const n = m.trainableVariables().reduce((s, v) => s + v.size, 0);
    m.dispose();
    expect(countRecipeCvaeParameters(config)).toBe(n);
  });
});

describe('curriculum', () => {
  it('adds the groups in order and repeats small groups to their minimum share', () => {
    const { pairs } = syntheticSet();
    expect(PHASE_GROUPS.map((g) => g.join('+'))).toEqual(['bacteria', 'bacteria+archaea', 'bacteria+archaea+fungi', 'bacteria+archaea+fungi+protists']);
    const { rows, repeats } = curriculumRows(pairs, 0.3);
    const groupsOf = (r: Int32Array) => new Set(Array.from(r, (i) => pairs[i].group));
    expect(rows.map((r) => [...groupsOf(r)].sort().join('+'))).toEqual(['bacteria', 'archaea+bacteria', 'archaea+bacteria+fungi', 'archaea+bacteria+fungi+protists']);
    for (const r of rows) for (const i of r) expect(pairs[i].heldOut).toBe(false);
    // 28 training bacteria and 8 archaea: archaea repeated to 30 % of the rows (28·0.3/0.7 = 12 rows)
    expect(repeats[1].archaea).toBeCloseTo(12 / 8, 10);
    for (let p = 1; p < 4; p++) expect(rows[p].length).toBeGreaterThan(rows[p - 1].length);
  });

  it('trains the phases in order, calls onPhaseEnd once per phase, and is deterministic', async () => {
    const { set, pairs } = syntheticSet();
    const { rows } = curriculumRows(pairs, 0.2);
    const seen: number[] = [];
    const a = await trainRecipeCvae(config, set, rows, { onPhaseEnd: (p) => (seen.push(p), { phase: p }) });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(a.history.map((h) => h.phase)).toEqual([0, 0, 1, 2, 3]);
    expect(a.history.map((h) => h.rows)).toEqual([rows[0].length, rows[0].length, rows[1].length, rows[2].length, rows[3].length]);
    expect(a.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    expect(a.history[0].klWeight).toBeLessThan(a.history[1].klWeight);
    expect(a.phaseMetrics).toEqual([{ phase: 0 }, { phase: 1 }, { phase: 2 }, { phase: 3 }]);
    expect([0, 1, 2, 3, 4].map((e) => phaseOfEpoch(config, e))).toEqual([0, 0, 1, 2, 3]);
    const b = await trainRecipeCvae(config, set, rows);
    const [wa, wb] = [await exportCvaeWeights(a.cvae), await exportCvaeWeights(b.cvae)];
    expect(Array.from(wb.data)).toEqual(Array.from(wa.data));

    // Sampling: seeded, the same seed gives the same vectors.
    const cond = encodeCondition({ ...UNKNOWN_CONDITION, temperatureC: 37, group: groupOneHot('bacteria') }, G);
    const s1 = sampleRecipeVectors(a.cvae, cond, 3, 11);
    const s2 = sampleRecipeVectors(a.cvae, cond, 3, 11);
    const s3 = sampleRecipeVectors(a.cvae, cond, 3, 12);
    expect(Array.from(s1.presence)).toEqual(Array.from(s2.presence));
    expect(Array.from(s1.presence)).not.toEqual(Array.from(s3.presence));
    expect(s1.presence.length).toBe(3 * V);
    expect(s1.amount.every((x) => x >= 0)).toBe(true);
    expect(() => sampleRecipeVectors(a.cvae, new Float32Array(3), 1, 1)).toThrow(/condition vector has 3 values/);
    a.cvae.dispose();
    b.cvae.dispose();
  });

  it('resumes from a checkpoint to the weights of an uninterrupted run', async () => {
    const { set, pairs } = syntheticSet();
    const { rows } = curriculumRows(pairs, 0.2);
    const checkpoints: CvaeCheckpoint[] = [];
    const full = await trainRecipeCvae(config, set, rows, { onCheckpoint: (c) => void checkpoints.push(c), onPhaseEnd: (p) => p });
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3, 4, 5]);
    const mid = checkpoints[2];
    expect(mid.phaseMetrics).toEqual([0, 1]);
    const resumed = await trainRecipeCvae(config, set, rows, { resumeFrom: mid, onPhaseEnd: (p) => p });
    expect(resumed.phaseMetrics).toEqual([0, 1, 2, 3]);
    // Equal up to float32 rounding: tfjs's Adam.setWeights recomputes β₁ᵗ as pow(β₁, t + 1), where the
    // uninterrupted run multiplied by β₁ t times (a last-bit difference after ~15 steps).
    const [wr, wf] = [(await exportCvaeWeights(resumed.cvae)).data, (await exportCvaeWeights(full.cvae)).data];
    let maxDiff = 0;
    for (let i = 0; i < wf.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wr[i] - wf[i]));
    expect(maxDiff).toBeLessThan(1e-6);
    const ctrl = new AbortController();
    ctrl.abort();
    const cancelled = await trainRecipeCvae(config, set, rows, { signal: ctrl.signal });
    expect(cancelled.stoppedBy).toBe('cancelled');
    for (const m of [full, resumed, cancelled]) m.cvae.dispose();
  });

  it('stops on a non-finite loss and keeps the last good weights', async () => {
    const { set, pairs } = syntheticSet();
    const { rows } = curriculumRows(pairs, 0.2);
    const bad = { ...set, amount: set.amount.map((x, i) => (i === 1 && x > 0 ? Number.POSITIVE_INFINITY : x)) };
    bad.amount[1] = Number.POSITIVE_INFINITY;
    bad.present[1] = 1;
    const r = await trainRecipeCvae(config, bad, rows);
    expect(r.stoppedBy).toBe('non-finite');
    expect(r.message).toMatch(/epoch 1: the loss became/);
    const w = await exportCvaeWeights(r.cvae);
    expect(w.data.every(Number.isFinite)).toBe(true);
    r.cvae.dispose();
  });
});

describe('pipeline on the fixture data: train, model file, models row, generation', () => {
  it('trains a tiny model with metrics per phase and group, and round-trips it', async () => {
    const db = await mediaDb();
    try {
      const input = loadCvaeInput(db, { valFraction: 0.3 });
      expect(input.data.genomeModelId).toBeNull();
      expect(input.data.pairs.length).toBeGreaterThan(20);
      const cfg = resolveRecipeCvaeConfig({ ...RECIPE_CVAE_PRESETS.tiny, vocabSize: input.matrix.vocab.length, genomeDim: input.data.genomeDim, valFraction: 0.3 });
      const phases: string[] = [];
      const { model, result } = await trainRecipeModel(input, cfg, { dataDescription: 'fixture', createdBy: 'test', createdAt: '2026-12-01T00:00:00.000Z', onPhaseMetrics: (m) => phases.push(m.name), evalRows: 50 });
      expect(phases).toEqual(['bacteria', '+ archaea', '+ fungi', '+ protists']);
      const pm = model.metrics.phases as { groups: { group: string; rows: number; note: string | null }[] }[];
      expect(pm).toHaveLength(4);
      expect(pm[3].groups.map((g) => g.group)).toEqual(['bacteria', 'archaea', 'fungi', 'protists']);
      for (const g of pm[3].groups) if (g.rows < 20) expect(g.note).toMatch(/too few|no held-out/);
      expect(model.id).toMatch(/^recipe-cvae-[0-9a-f]{12}$/);
      expect(model.vocab.map((e) => e.ingredientId)).toEqual(input.matrix.vocab.map((e) => e.ingredientId));

      const file = decodeRecipeModelFile(encodeRecipeModelFile(model));
      expect(file.id).toBe(model.id);
      expect(Array.from(file.weights.data)).toEqual(Array.from(model.weights.data));
      expect(() => decodeRecipeModelFile(new Uint8Array(20))).toThrow(/not a MediaForge recipe CVAE/);
      const row = toRecipeModelRow(model);
      expect(row.kind).toBe('recipe-cvae');
      expect(fromRecipeModelRow(row).formulas).toEqual(model.formulas);
      storeRecipeModel(db, model);
      const back = readRecipeCvae(db)!;
      expect(back.id).toBe(model.id);
      expect(back.metrics.phases).toEqual(model.metrics.phases);
      saveModel(db, { ...row, id: 'other', kind: 'genome-vae' });
      expect(readRecipeCvae(db, 'other')).toBeNull();

      const cond = encodeCondition({ ...UNKNOWN_CONDITION, group: groupOneHot('bacteria') }, input.data.genomeDim);
      const recipes = describeGeneratedRecipes(input.matrix, sampleRecipeVectors(result.cvae, cond, 4, 1), { formulas: input.formulas });
      expect(recipes).toHaveLength(4);
      for (const r of recipes) {
        expect(r.valid).toBe(r.flags.length === 0);
        for (const g of r.ingredients) if (g.g_per_l !== null) expect(g.g_per_l).toBeGreaterThanOrEqual(0);
      }
      result.cvae.dispose();
    } finally {
      db.close();
    }
  });
});

describe('ML worker API (in-process): trainRecipeCvae, setRecipeModel, generateRecipeVectors', () => {
  it('trains with progress, phase metrics and checkpoints, then generates from the returned model row', async () => {
    const { mlWorkerApi } = await import('../../src/runs-in-worker/ml-worker-api');
    const db = await mediaDb();
    try {
      const input = loadCvaeInput(db, { valFraction: 0.3 });
      const stages = new Set<string>();
      const phases: number[] = [];
      const checkpoints: number[] = [];
      let lastCheckpoint: Uint8Array | null = null;
      // The DB worker packs the input for its trip through the page (pack-for-transfer.ts).
      const out = await mlWorkerApi.trainRecipeCvae(packCvaeInput(input), { ...RECIPE_CVAE_PRESETS.tiny, valFraction: 0.3 }, { evalRows: 20 }, {
        onEpoch: () => {},
        onPhase: (m) => phases.push(m.phase),
        onCheckpoint: (c) => {
          checkpoints.push(c.epoch);
          lastCheckpoint = c.bytes;
        },
        onProgress: (p) => stages.add(p.stage),
      });
      expect(out.stoppedBy).toBe('done');
      expect(phases).toEqual([0, 1, 2, 3]);
      expect(checkpoints).toEqual([1, 2, 3, 4, 5]);
      expect([...stages]).toEqual(expect.arrayContaining(['starting', 'training', 'evaluating', 'packing']));
      expect(out.model?.kind).toBe('recipe-cvae');
      // Resuming from the last checkpoint trains nothing more and gives the same model.
      const again = await mlWorkerApi.trainRecipeCvae(packCvaeInput(input), {}, { checkpoint: lastCheckpoint!, evalRows: 20 }, { onEpoch: () => {}, onPhase: () => {}, onCheckpoint: () => {}, onProgress: () => {} });
      expect(again.resumedFrom).toBe(5);
      expect(again.model?.id).toBe(out.model?.id);
      const info = await mlWorkerApi.setRecipeModel(out.model!);
      expect(info).toMatchObject({ modelId: out.model!.id, vocabSize: input.matrix.vocab.length, genomeModelId: null });
      const cond = encodeCondition({ ...UNKNOWN_CONDITION, group: groupOneHot('bacteria'), temperatureC: 30 }, info.genomeDim);
      const v1 = mlWorkerApi.generateRecipeVectors(cond, 3, 5);
      const v2 = mlWorkerApi.generateRecipeVectors(cond, 3, 5);
      expect(v1.modelId).toBe(out.model!.id);
      expect(Array.from(v1.amount)).toEqual(Array.from(v2.amount));
      expect(describeGeneratedRecipes(input.matrix, v1, { formulas: input.formulas })).toHaveLength(3);
    } finally {
      db.close();
    }
  });
});

describe('describeGeneratedRecipes (hand-made matrix)', () => {
  const entry = (index: number, name: string, unit: 'g' | 'ml', molarMass: number | null, isComplex = false) => ({
    index,
    ingredientId: 100 + index,
    name,
    chebi: null,
    unit,
    molarMass,
    isComplex,
    role: 'nutrient' as const,
    mediaCount: 2,
    finalMediaCount: 2,
    members: [],
  });
  const vocab = [entry(0, 'Peptone', 'g', null, true), entry(1, 'NaCl', 'g', 58.44), entry(2, 'Sea water', 'ml', null, true), entry(3, 'K2HPO4', 'g', 174.18)];
  const l = Math.log1p;
  // medium A: peptone 5 g/L, NaCl 10 g/L; medium B: sea water 750 ml/L, K2HPO4 from a stock
  const matrix = {
    mediumIds: ['A', 'B'],
    names: ['MEDIUM A', 'MEDIUM B'],
    vocab,
    amount: Float32Array.of(l(5), l(10), 0, 0, 0, 0, l(750), 0),
    present: Uint8Array.of(1, 1, 0, 0, 0, 0, 1, 1),
    stock: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1),
    ph: Float32Array.of(7, NaN),
    complex: Uint8Array.of(1, 1),
    hasComposition: Uint8Array.of(1, 1),
    outOfVocab: new Uint16Array(2),
    vocabStats: null,
    stats: { media: 2, withComposition: 2, withoutComposition: 0, emptyVectors: 0, finalRows: 3, finalRowsWithoutAmount: 0, stockRows: 1 },
  };
  const formulas = [null, 'ClNa', null, 'HK2O4P'];

  it('thresholds presence, converts amounts to g/L, mmol/L and ml/L, flags stock-only entries, and finds the nearest medium', () => {
    const vectors = {
      n: 1,
      V: 4,
      presence: Float32Array.of(0.9, 0.8, 0.1, 0.7),
      stockOnly: Float32Array.of(0.1, 0.2, 0.5, 0.9),
      amount: Float32Array.of(l(4), l(20), l(999), l(3)),
      ph: Float32Array.of(7.25),
    };
    const [r] = describeGeneratedRecipes(matrix, vectors, { formulas });
    expect(r.ingredients.map((g) => g.name)).toEqual(['NaCl', 'Peptone', 'K2HPO4']);
    const [nacl, peptone, phosphate] = r.ingredients;
    expect(nacl.g_per_l).toBeCloseTo(20, 3);
    expect(nacl.mmol_per_l).toBeCloseTo((20 / 58.44) * 1000, 0);
    expect(peptone).toMatchObject({ mmol_per_l: null, stock_only: false });
    expect(peptone.g_per_l).toBeCloseTo(4, 4);
    expect(phosphate).toMatchObject({ g_per_l: null, mmol_per_l: null, stock_only: true });
    expect(r.ph).toBe(7.25);
    expect(r).toMatchObject({ valid: true, flags: [], nearest_medium_id: 'A', nearest_medium_name: 'MEDIUM A' });
    expect(r.differences).toEqual({ added: ['K2HPO4'], removed: [], changed: [{ name: 'NaCl', from_g_per_l: 10, to_g_per_l: 20 }] });
  });

  it('flags what fails the checks and gives an empty recipe no nearest medium', () => {
    const none = { n: 1, V: 4, presence: new Float32Array(4), stockOnly: new Float32Array(4), amount: new Float32Array(4), ph: Float32Array.of(13) };
    const [r] = describeGeneratedRecipes(matrix, none, { formulas });
    expect(r).toMatchObject({ ingredients: [], valid: false, nearest_medium_id: null });
    expect(r.flags).toEqual(['no ingredients', 'pH 13 outside 1.5–11.5']);
  });
});
