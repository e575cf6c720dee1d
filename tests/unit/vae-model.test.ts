/**
 * The genome VAE on real tfjs (WASM backend, as in the CLI): shapes, finite loss, KL warm-up,
 * checkpoint → resume equals an uninterrupted run, NaN protection, weights and model files.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { decodeModelFile, encodeModelFile, instantiateGenomeVae, modelIdFor } from '../../src/ml/genome-vae-model';
import { initNodeBackend } from '../../src/ml/node-backend';
import { trainModel } from '../../src/ml/train-pipeline';
import { encodeMeans, trainGenomeVae, type TrainCheckpoint, type TrainData } from '../../src/ml/train-vae';
import { buildGenomeVae, klWeightAt, vaeLoss } from '../../src/ml/vae';
import { countVaeParameters, resolveVaeConfig, VAE_PRESETS } from '../../src/ml/vae-config';
import { exportModelWeights, packWeights, unpackWeights } from '../../src/ml/weights';
import { mulberry32 } from '../../src/ml/random';

const TINY = resolveVaeConfig({ ...VAE_PRESETS.tiny, epochs: 4, checkpointEvery: 2 });

function randomData(rows: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: rows * FEATURE_COUNT }, () => (r() - 0.5) * 4);
}

const data = (): TrainData => ({ train: randomData(20, 1), trainRows: 20, val: randomData(6, 2), valRows: 6 });

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('config', () => {
  it('has validated defaults and keeps the design-document configuration selectable', () => {
    const d = resolveVaeConfig();
    expect(d.inputDim).toBe(2772);
    expect(d.beta).toBe(0.05);
    const doc = resolveVaeConfig(VAE_PRESETS['design-doc']);
    expect([doc.hiddenDims, doc.latentDim, doc.batchSize]).toEqual([[1024, 512], 384, 256]);
    expect(countVaeParameters(doc)).toBeGreaterThan(countVaeParameters(d));
  });

  it('names the bad option and the allowed range', () => {
    expect(() => resolveVaeConfig({ latentDim: 0 })).toThrow(/latentDim must be an integer from 1/);
    expect(() => resolveVaeConfig({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => resolveVaeConfig({ clrMode: 'log' as never })).toThrow(/clrMode/);
    expect(() => resolveVaeConfig({ hiddenDims: [] })).toThrow(/hiddenDims/);
    expect(() => resolveVaeConfig({ latent: 3 } as never)).toThrow(/unknown VAE option 'latent'/);
  });

  it('warms the KL weight up linearly to β', () => {
    expect(klWeightAt(0, 0.05, 10)).toBeCloseTo(0.005, 12);
    expect(klWeightAt(4, 0.05, 10)).toBeCloseTo(0.025, 12);
    expect(klWeightAt(9, 0.05, 10)).toBeCloseTo(0.05, 12);
    expect(klWeightAt(50, 0.05, 10)).toBe(0.05);
    expect(klWeightAt(0, 0.05, 0)).toBe(0.05);
  });
});

describe('model', () => {
  it('encodes to latent mean/log-variance and decodes to 2,772 outputs with a finite loss', () => {
    const vae = buildGenomeVae(TINY);
    tf.tidy(() => {
      const x = tf.tensor2d(randomData(3, 3), [3, FEATURE_COUNT]);
      const { mean, logVar } = vae.encode(x);
      expect(mean.shape).toEqual([3, TINY.latentDim]);
      expect(logVar.shape).toEqual([3, TINY.latentDim]);
      expect(vae.decode(mean).shape).toEqual([3, FEATURE_COUNT]);
      const l = vaeLoss(vae, x, tf.randomNormal([3, TINY.latentDim], 0, 1, 'float32', 1) as tf.Tensor2D, 0.05, true);
      const [total, recon, kl] = [l.total, l.recon, l.kl].map((t) => t.dataSync()[0]);
      expect(Number.isFinite(total) && recon > 0 && kl >= 0).toBe(true);
      expect(total).toBeCloseTo(recon + (0.05 * kl) / TINY.latentDim, 4);
    });
    // Dense 2772→32, BN, 32→16, BN, two heads 16→4, mirrored decoder.
    expect(vae.trainableVariables().reduce((n, v) => n + v.size, 0)).toBe(countVaeParameters(TINY));
    vae.dispose();
  });

  it('is seeded: the same config builds the same weights', async () => {
    const a = buildGenomeVae(TINY);
    const b = buildGenomeVae(TINY);
    const c = buildGenomeVae({ ...TINY, seed: 7 });
    const [wa, wb, wc] = await Promise.all([a, b, c].map(exportModelWeights));
    expect(wa.data).toEqual(wb.data);
    expect(wa.data).not.toEqual(wc.data);
    [a, b, c].forEach((v) => v.dispose());
  });
});

describe('training', () => {
  it('lowers the reconstruction error and reports per-k validation MSE each epoch', async () => {
    const r = await trainGenomeVae({ ...TINY, epochs: 6, learningRate: 3e-3 }, data());
    expect(r.stoppedBy).toBe('done');
    expect(r.history).toHaveLength(6);
    expect(r.history[5].trainRecon).toBeLessThan(r.history[0].trainRecon);
    expect(Object.keys(r.history[0].valPerK!)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    expect(r.history.every((h) => Number.isFinite(h.valRecon) && h.samplesPerSec > 0)).toBe(true);
    r.vae.dispose();
  });

  it('is reproducible: the same seed and data train to the same weights', async () => {
    const a = await trainGenomeVae(TINY, data());
    const b = await trainGenomeVae(TINY, data());
    expect((await exportModelWeights(a.vae)).data).toEqual((await exportModelWeights(b.vae)).data);
    a.vae.dispose();
    b.vae.dispose();
  });

  it('resumed from a checkpoint, ends with the same weights as an uninterrupted run', async () => {
    const checkpoints: TrainCheckpoint[] = [];
    const full = await trainGenomeVae(TINY, data(), { onCheckpoint: (c) => void checkpoints.push(c) });
    expect(checkpoints.map((c) => c.epoch)).toEqual([2, 4]);
    const fullWeights = await exportModelWeights(full.vae);

    // "Reload" after epoch 2: a fresh run from the checkpoint (weights + Adam state + history).
    const resumed = await trainGenomeVae(TINY, data(), { resumeFrom: checkpoints[0] });
    const resumedWeights = await exportModelWeights(resumed.vae);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    let maxDiff = 0;
    for (let i = 0; i < fullWeights.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fullWeights.data[i] - resumedWeights.data[i]));
    expect(maxDiff).toBe(0);
    full.vae.dispose();
    resumed.vae.dispose();
  });

  it('stops on a NaN loss with a clear message and keeps the last good weights', async () => {
    const d = data();
    const checkpoints: TrainCheckpoint[] = [];
    const first = await trainGenomeVae({ ...TINY, epochs: 2, checkpointEvery: 2 }, d, { onCheckpoint: (c) => void checkpoints.push(c) });
    const good = await exportModelWeights(first.vae);
    first.vae.dispose();
    // Poison one training value: the next epoch's loss is NaN.
    const poisoned = { ...d, train: d.train.slice() };
    poisoned.train[5] = Number.NaN;
    const r = await trainGenomeVae({ ...TINY, epochs: 4, checkpointEvery: 2 }, poisoned, { resumeFrom: checkpoints[0] });
    expect(r.stoppedBy).toBe('non-finite');
    expect(r.epochs).toBe(2);
    expect(r.message).toMatch(/epoch 3: the loss became NaN.*weights of epoch 2 were kept/);
    expect((await exportModelWeights(r.vae)).data).toEqual(good.data);
    r.vae.dispose();
  });

  it('can be cancelled between batches', async () => {
    const ac = new AbortController();
    const r = await trainGenomeVae({ ...TINY, batchSize: 4 }, data(), { signal: ac.signal, onBatch: (b) => (b === 2 ? ac.abort() : undefined) });
    expect(r.stoppedBy).toBe('cancelled');
    expect(r.epochs).toBe(0);
    r.vae.dispose();
  });
});

describe('weights and model files', () => {
  it('round-trip through packWeights and the model file, and the shipped weights give the same embeddings', async () => {
    const items = Array.from({ length: 12 }, (_, i) => ({
      key: `g${i}`,
      species: `${['Alpha', 'Beta', 'Gamma'][i % 3]}bacter sp${i}`,
      organismType: 'bacteria',
      counts: Float64Array.from({ length: FEATURE_COUNT }, (_, j) => ((i * 7 + j * 13) % 17) + 1),
    }));
    const { model, result } = await trainModel(items, TINY, { dataDescription: 'test', createdBy: 'test', createdAt: '2026-01-01T00:00:00Z', valFraction: 0.34 });
    const packed = unpackWeights(packWeights(model.weights));
    expect(packed).toEqual(model.weights);
    const file = decodeModelFile(encodeModelFile(model));
    expect(file.id).toBe(model.id);
    expect(file.id).toBe(await modelIdFor(file.weights));
    expect(file.provenance.valGenera.length).toBeGreaterThan(0);
    const x = randomData(5, 9);
    const a = encodeMeans(result.vae, x, 5);
    const restored = instantiateGenomeVae(file);
    expect(encodeMeans(restored, x, 5)).toEqual(a);
    restored.dispose();
    result.vae.dispose();
    expect(() => decodeModelFile(new Uint8Array([1, 2, 3]), 'x.bin')).toThrow(/x\.bin: not a MediaForge genome VAE model file/);
  });
});
