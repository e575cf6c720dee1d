/**
 * A loss that turns NaN or infinite in the middle of an uninterrupted run, on real tfjs (WASM, as
 * in the CLI), for both models: training stops at that epoch with the message, the history ends at
 * the last good epoch, and the weights kept are exactly those of the last good epoch (compared with
 * that epoch's checkpoint, and shown to differ from the epoch before, so "kept" is not "initial").
 * The blow-up is forced by poisoning the training data in place after a good epoch (onEpoch), so
 * the run has good epochs before the bad one. (vae-model.test.ts covers a NaN after a resume,
 * recipe-cvae.test.ts a non-finite first epoch.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { conditionDim, encodeCondition, groupOneHot, UNKNOWN_CONDITION } from '../../src/media/recipe-conditions';
import { curriculumRows, type RecipePair } from '../../src/media/recipe-training-data';
import { initNodeBackend } from '../../src/ml/node-backend';
import { mulberry32 } from '../../src/ml/random';
import { exportCvaeWeights, trainRecipeCvae, type CvaeCheckpoint, type RecipeTrainSet } from '../../src/ml/recipe-cvae';
import { RECIPE_CVAE_PRESETS, resolveRecipeCvaeConfig } from '../../src/ml/recipe-cvae-config';
import { trainGenomeVae, type TrainCheckpoint, type TrainData } from '../../src/ml/train-vae';
import { resolveVaeConfig, VAE_PRESETS } from '../../src/ml/vae-config';
import { exportModelWeights } from '../../src/ml/weights';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

function randomData(rows: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: rows * FEATURE_COUNT }, () => (r() - 0.5) * 4);
}

describe('genome VAE: a non-finite loss mid-run', () => {
  const config = resolveVaeConfig({ ...VAE_PRESETS.tiny, epochs: 6, checkpointEvery: 1 });

  it.each([
    ['NaN', Number.NaN],
    ['infinite', 1e30],
  ] as const)('a loss that turns %s in epoch 4 stops training and keeps the weights of epoch 3', async (kind, poison) => {
    const data: TrainData = { train: randomData(20, 1), trainRows: 20, val: randomData(6, 2), valRows: 6 };
    const checkpoints: TrainCheckpoint[] = [];
    const r = await trainGenomeVae(config, data, {
      onCheckpoint: (c) => void checkpoints.push(c),
      // After the 3rd good epoch one training value goes bad (in place: the next batches read it).
      onEpoch: (s) => {
        if (s.epoch === 3) data.train[7] = poison;
      },
    });
    expect(r.stoppedBy).toBe('non-finite');
    expect(r.epochs).toBe(3);
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(r.message).toMatch(new RegExp(`^epoch 4: the loss became ${kind} .*; training stopped and the weights of epoch 3 were kept\\. Try a lower learning rate\\.$`));
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3]);
    const kept = (await exportModelWeights(r.vae)).data;
    expect(kept.every(Number.isFinite)).toBe(true);
    expect(kept).toEqual(checkpoints[2].weights.data);
    expect(kept).not.toEqual(checkpoints[1].weights.data); // epoch 3 really changed them
    r.vae.dispose();
  });
});

// ---- the recipe CVAE on a small synthetic set (as in recipe-cvae.test.ts): V = 6, 24 media, 60 rows

const V = 6;
const G = 2;
const C = conditionDim(G);

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

describe('recipe CVAE: a non-finite loss mid-run', () => {
  const config = resolveRecipeCvaeConfig({ ...RECIPE_CVAE_PRESETS.tiny, vocabSize: V, genomeDim: G, batchSize: 8, epochsPerPhase: [2, 2, 1, 1], checkpointEvery: 1 });

  // A NaN amount is read as "no final amount" (masked out of the loss), so one case poisons a
  // condition value with NaN. The other makes amounts huge (log1p(1e30) is finite, but its squared
  // error and gradients are not): the first update turns the weights NaN, so the epoch's mean loss,
  // which the message names, is NaN too.
  const poisons: [string, (set: RecipeTrainSet) => void][] = [
    ['a NaN condition value', (set) => set.conditions.fill(Number.NaN, 0, 1)],
    ['huge amounts', (set) => set.amount.forEach((x, i) => (set.present[i] && x > 0 ? (set.amount[i] = 1e30) : 0))],
  ];

  it.each(poisons)('%s after epoch 2: training stops in epoch 3 and keeps the weights of epoch 2', async (_, poison) => {
    const { set, pairs } = syntheticSet();
    const { rows } = curriculumRows(pairs, 0.2);
    const checkpoints: CvaeCheckpoint[] = [];
    const r = await trainRecipeCvae(config, set, rows, {
      onCheckpoint: (c) => void checkpoints.push(c),
      onEpoch: (s) => {
        if (s.epoch === 2) poison(set);
      },
    });
    expect(r.stoppedBy).toBe('non-finite');
    expect(r.epochs).toBe(2);
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(r.message).toBe(`epoch 3: the loss became NaN; training stopped and the weights of epoch 2 were kept. Try a lower learning rate.`);
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2]);
    const kept = (await exportCvaeWeights(r.cvae)).data;
    expect(kept.every(Number.isFinite)).toBe(true);
    expect(kept).toEqual(checkpoints[1].weights.data);
    expect(kept).not.toEqual(checkpoints[0].weights.data);
    r.cvae.dispose();
  });
});
