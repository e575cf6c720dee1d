/**
 * The genome VAE training loop: mini-batches uploaded one at a time, Adam, KL warm-up, validation
 * per-k MSE each epoch, checkpoints, pause/cancel, and NaN/Inf protection. Runs wherever tfjs runs
 * (a Web Worker in the app, Node in the CLI); the caller picks the backend first (backend.ts).
 *
 * Determinism: the batch order of epoch e and the reparameterisation noise of batch b are drawn
 * from seeds derived from (config.seed, e, b), and a checkpoint holds the weights, the Adam state
 * and the history, so resuming from a checkpoint continues exactly like an uninterrupted run.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../core/errors';
import { FEATURE_COUNT } from '../core/kmer-layout';
import { K_BLOCKS, perKMse, type PerKError } from './clr';
import { mixSeed, permutation } from './random';
import { buildGenomeVae, klWeightAt, vaeLoss, type GenomeVae } from './vae';
import { createFastAdam } from './wasm-kernels';
import type { ResolvedVaeConfig } from './vae-config';
import { exportModelWeights, exportOptimizerState, importModelWeights, importOptimizerState, type SerializedWeights } from './weights';

/** Row-major CLR matrices (rows × 2,772). */
export interface TrainData {
  train: Float32Array;
  trainRows: number;
  val: Float32Array;
  valRows: number;
}

export interface EpochStats {
  /** 1-based number of the epoch just finished. */
  epoch: number;
  klWeight: number;
  trainLoss: number;
  trainRecon: number;
  trainKl: number;
  /** Validation reconstruction from the latent mean (NaN without validation rows). */
  valRecon: number;
  valKl: number;
  valPerK: PerKError['perK'] | null;
  samplesPerSec: number;
  elapsedMs: number;
}

export interface TrainCheckpoint {
  version: 1;
  config: ResolvedVaeConfig;
  /** Epochs completed. */
  epoch: number;
  weights: SerializedWeights;
  optimizer: SerializedWeights;
  history: EpochStats[];
}

export interface TrainHooks {
  onEpoch?: (s: EpochStats) => void;
  /** Called every config.checkpointEvery epochs and after the last one. */
  onCheckpoint?: (c: TrainCheckpoint) => void | Promise<void>;
  /** Called between batches with (batch, batches); a returned promise holds training (pause). */
  onBatch?: (batch: number, batches: number) => void | Promise<void>;
  signal?: AbortSignal;
  /** Start from this checkpoint instead of fresh weights. */
  resumeFrom?: TrainCheckpoint;
}

export type StopReason = 'done' | 'cancelled' | 'non-finite';

export interface TrainResult {
  vae: GenomeVae;
  history: EpochStats[];
  stoppedBy: StopReason;
  /** Set when stoppedBy is 'non-finite': what happened; the model holds the last good weights. */
  message?: string;
  /** Epochs completed with finite losses. */
  epochs: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function gatherRows(src: Float32Array, order: Int32Array, from: number, to: number, out: Float32Array): Float32Array {
  const d = FEATURE_COUNT;
  for (let i = from; i < to; i++) out.set(src.subarray(order[i] * d, order[i] * d + d), (i - from) * d);
  return out.subarray(0, (to - from) * d);
}

/**
 * Validation: reconstruction from the latent mean (no sampling), in batches. `perKCentred` is
 * the per-k error after centring each k block of input and output: the same number for per-k
 * and whole-vector CLR (which differ by one shift per block), so the two modes compare fairly.
 */
export function evaluateVae(vae: GenomeVae, x: Float32Array, rows: number, batch = 256): { recon: number; kl: number; perK: PerKError; perKCentred: PerKError; perKR2: PerKError } {
  const d = FEATURE_COUNT;
  const xHat = new Float32Array(rows * d);
  let klSum = 0;
  for (let r = 0; r < rows; r += batch) {
    const n = Math.min(batch, rows - r);
    tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(r * d, (r + n) * d), [n, d]);
      const { mean, logVar } = vae.encode(xb, false);
      xHat.set(vae.decode(mean, false).dataSync() as Float32Array, r * d);
      const kl = tf.sum(tf.exp(logVar).add(mean.square()).sub(logVar).sub(1)).mul(0.5);
      klSum += (kl.dataSync() as Float32Array)[0];
    });
  }
  const perK = perKMse(x, xHat, rows);
  const cx = centreBlocks(x, rows);
  const perKCentred = perKMse(cx, centreBlocks(xHat, rows), rows);
  // R² per k: 1 − error / variance of the (block-centred) data around its mean profile.
  const mean = new Float32Array(FEATURE_COUNT);
  for (let r = 0; r < rows; r++) for (let i = 0; i < FEATURE_COUNT; i++) mean[i] += cx[r * FEATURE_COUNT + i] / rows;
  const meanRows = new Float32Array(cx.length);
  for (let r = 0; r < rows; r++) meanRows.set(mean, r * FEATURE_COUNT);
  const variance = perKMse(cx, meanRows, rows);
  const r2 = (e: number, v: number) => (v > 0 ? 1 - e / v : NaN);
  const perKR2: PerKError = {
    total: r2(perKCentred.total, variance.total),
    perK: Object.fromEntries(Object.entries(perKCentred.perK).map(([k, e]) => [k, r2(e, variance.perK[k as keyof PerKError['perK']])])) as PerKError['perK'],
  };
  return { recon: perK.total, kl: rows ? klSum / rows : NaN, perK, perKCentred, perKR2 };
}

function centreBlocks(m: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(m.length);
  const d = FEATURE_COUNT;
  for (let r = 0; r < rows; r++) {
    for (const b of K_BLOCKS) {
      let mean = 0;
      for (let i = b.start; i < b.end; i++) mean += m[r * d + i];
      mean /= b.end - b.start;
      for (let i = b.start; i < b.end; i++) out[r * d + i] = m[r * d + i] - mean;
    }
  }
  return out;
}

/** Latent means of row-major CLR profiles (rows × 2,772) → rows × latentDim. */
export function encodeMeans(vae: GenomeVae, x: Float32Array, rows: number, batch = 512): Float32Array {
  const d = FEATURE_COUNT;
  const out = new Float32Array(rows * vae.config.latentDim);
  for (let r = 0; r < rows; r += batch) {
    const n = Math.min(batch, rows - r);
    tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(r * d, (r + n) * d), [n, d]);
      out.set(vae.encode(xb, false).mean.dataSync() as Float32Array, r * vae.config.latentDim);
    });
  }
  return out;
}

/** Adam; on wasm and cpu a one-pass update kernel, bit-identical to tf.train.adam (wasm-kernels.ts). */
function makeOptimizer(config: ResolvedVaeConfig): tf.Optimizer {
  return createFastAdam(config.learningRate);
}

export async function trainGenomeVae(config: ResolvedVaeConfig, data: TrainData, hooks: TrainHooks = {}): Promise<TrainResult> {
  const d = FEATURE_COUNT;
  if (config.inputDim !== d) throw new AppError('BAD_OPTION', `inputDim must be ${d} for k-mer profiles, got ${config.inputDim}`);
  if (data.trainRows < 2) throw new AppError('DATA_INVALID', `training needs at least 2 genomes, got ${data.trainRows}`, 'add more genomes to the database');
  if (data.train.length !== data.trainRows * d || data.val.length !== data.valRows * d) throw new AppError('INTERNAL', 'training matrices do not match their row counts');

  const vae = buildGenomeVae(config);
  const optimizer = makeOptimizer(config);
  const vars = vae.trainableVariables();
  const history: EpochStats[] = [];
  let startEpoch = 0;
  if (hooks.resumeFrom) {
    const c = hooks.resumeFrom;
    // Everything that shapes the model or the data stream must match; epochs may grow.
    const fixed = (x: ResolvedVaeConfig) => JSON.stringify({ ...x, epochs: 0, checkpointEvery: 0 });
    if (fixed(c.config) !== fixed(config)) throw new AppError('DATA_INVALID', 'the checkpoint was saved with another model configuration', 'start a new training run');
    importModelWeights(vae, c.weights, 'checkpoint');
    if (c.optimizer.specs.length) await importOptimizerState(optimizer, c.optimizer);
    history.push(...c.history);
    startEpoch = c.epoch;
  }

  const checkpoint = async (epoch: number): Promise<TrainCheckpoint> => ({
    version: 1,
    config,
    epoch,
    weights: await exportModelWeights(vae),
    optimizer: epoch > 0 ? await exportOptimizerState(optimizer) : { specs: [], data: new Float32Array(0) },
    history: history.slice(),
  });

  const { batchSize } = config;
  const batchBuf = new Float32Array(batchSize * d);
  // Batches of fewer than 2 rows are skipped: BatchNorm needs a batch to normalise over.
  const batches = Math.floor(data.trainRows / batchSize) + (data.trainRows % batchSize >= 2 ? 1 : 0);
  let lastGood = await exportModelWeights(vae);
  let stoppedBy: StopReason = 'done';
  let message: string | undefined;
  let epochsDone = startEpoch;

  try {
    for (let epoch = startEpoch; epoch < config.epochs; epoch++) {
      const t0 = now();
      const klWeight = klWeightAt(epoch, config.beta, config.warmupEpochs);
      const order = permutation(data.trainRows, mixSeed(config.seed, epoch, 1));
      let lossSum = tf.scalar(0);
      let reconSum = tf.scalar(0);
      let klSum = tf.scalar(0);
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        if (hooks.signal?.aborted) {
          stoppedBy = 'cancelled';
          break;
        }
        const from = b * batchSize;
        const to = Math.min(from + batchSize, data.trainRows);
        const n = to - from;
        const rows = gatherRows(data.train, order, from, to, batchBuf);
        const [l, r, k] = tf.tidy(() => {
          const x = tf.tensor2d(rows, [n, d]);
          const eps = tf.randomNormal([n, config.latentDim], 0, 1, 'float32', mixSeed(config.seed, epoch, b, 2)) as tf.Tensor2D;
          let parts: { recon: tf.Scalar; kl: tf.Scalar } | null = null;
          const { value, grads } = tf.variableGrads(() => {
            const losses = vaeLoss(vae, x, eps, klWeight, true);
            parts = { recon: tf.keep(losses.recon), kl: tf.keep(losses.kl) };
            return losses.total;
          }, vars);
          optimizer.applyGradients(grads);
          const p = parts as unknown as { recon: tf.Scalar; kl: tf.Scalar };
          return [lossSum.add(value.mul(n)), reconSum.add(p.recon.mul(n)), klSum.add(p.kl.mul(n))] as tf.Scalar[];
        });
        lossSum.dispose();
        reconSum.dispose();
        klSum.dispose();
        [lossSum, reconSum, klSum] = [l, r, k];
        seen += n;
        await hooks.onBatch?.(b + 1, batches);
      }
      const [loss, recon, kl] = [lossSum, reconSum, klSum].map((t) => (t.dataSync() as Float32Array)[0] / Math.max(1, seen));
      tf.dispose([lossSum, reconSum, klSum]);
      if (stoppedBy === 'cancelled') break;

      if (!Number.isFinite(loss) || !Number.isFinite(recon) || !Number.isFinite(kl)) {
        importModelWeights(vae, lastGood, 'last good weights');
        stoppedBy = 'non-finite';
        message = `epoch ${epoch + 1}: the loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'} (reconstruction ${recon}, KL ${kl}); training stopped and the weights of epoch ${epoch} were kept. Try a lower learning rate.`;
        break;
      }
      const val = data.valRows > 0 ? evaluateVae(vae, data.val, data.valRows) : null;
      const elapsedMs = now() - t0;
      const stats: EpochStats = {
        epoch: epoch + 1,
        klWeight,
        trainLoss: loss,
        trainRecon: recon,
        trainKl: kl,
        valRecon: val?.recon ?? NaN,
        valKl: val?.kl ?? NaN,
        valPerK: val?.perK.perK ?? null,
        samplesPerSec: (seen / elapsedMs) * 1000,
        elapsedMs,
      };
      history.push(stats);
      epochsDone = epoch + 1;
      lastGood = await exportModelWeights(vae);
      hooks.onEpoch?.(stats);
      if (hooks.onCheckpoint && (epochsDone % config.checkpointEvery === 0 || epochsDone === config.epochs)) await hooks.onCheckpoint(await checkpoint(epochsDone));
    }
  } catch (e) {
    optimizer.dispose();
    vae.dispose();
    throw e;
  }
  optimizer.dispose();
  return { vae, history, stoppedBy, message, epochs: epochsDone };
}

/** A checkpoint of a finished model (weights only), e.g. for tests and the bundled model. */
export async function checkpointOf(vae: GenomeVae, history: EpochStats[], epoch: number): Promise<TrainCheckpoint> {
  return { version: 1, config: vae.config, epoch, weights: await exportModelWeights(vae), optimizer: { specs: [], data: new Float32Array(0) }, history };
}
