/**
 * The conditional VAE that generates culture-medium recipes (issue 8). No database or UI here.
 *
 * - Encoder: [presence (V), log1p amount (V), scaled pH, pH mask, condition (C)] →
 *   [Dense → LeakyReLU] per hidden layer → latent mean μ and log-variance log σ² (clipped to ±10).
 * - Decoder: [z, condition] → mirrored hidden layers → one Dense of 3V + 1 outputs, sliced into
 *   presence logits (V), stock-only logits (V: P(no final amount | present), for ingredients that
 *   come from a stock solution), log1p amounts (V) and the scaled pH.
 * - Hurdle loss (hurdleLoss), per medium and averaged over the batch:
 *   Σ_j [w₊·y·softplus(−l) + (1−y)·softplus(l)]                 presence BCE, positive weight w₊
 *   + stockWeight · Σ_j y·BCE(k_j, stockOnly_j)                    only where present
 *   + amountWeight · Σ_j m_j·(a_j − â_j)²                         m = has a final amount
 *   + phWeight · m_pH·(p − p̂)²                                     only where the pH is known
 *   + klWeight · ½ Σ_d (exp(log σ²) + μ² − log σ² − 1)              β with linear warm-up
 * - Training: a curriculum of four phases (bacteria; + archaea; + fungi; + protists), each adding
 *   rows and continuing from the previous weights and Adam state. Deterministic: batch order and
 *   noise come from (seed, epoch, batch) as in train-vae.ts; checkpoints resume exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../core/errors';
import { conditionDim } from '../media/recipe-conditions';
import { mixSeed, permutation } from './random';
import { totalEpochs, type ResolvedRecipeCvaeConfig } from './recipe-cvae-config';
import { LOG_VAR_CLIP, klWeightAt, type GenomeVae } from './vae';
import { createFastAdam } from './wasm-kernels';
import { exportModelWeights, exportOptimizerState, importModelWeights, importOptimizerState, type SerializedWeights } from './weights';

export const PH_CENTRE = 7;
export const PH_SCALE = 2;

export interface RecipeCvae {
  readonly config: ResolvedRecipeCvaeConfig;
  readonly conditionDim: number;
  encode(x: tf.Tensor2D, c: tf.Tensor2D): { mean: tf.Tensor2D; logVar: tf.Tensor2D };
  /** Raw decoder outputs: presence logits, stock-only logits, log1p amounts (n × V each), scaled pH (n × 1). */
  decode(z: tf.Tensor2D, c: tf.Tensor2D): RecipeOutputs;
  trainableVariables(): tf.Variable[];
  allWeights(): tf.LayerVariable[];
  dispose(): void;
}

export interface RecipeOutputs {
  presenceLogits: tf.Tensor2D;
  stockLogits: tf.Tensor2D;
  amount: tf.Tensor2D;
  ph: tf.Tensor2D;
}

function seeded(seed: number, i: number) {
  return tf.initializers.glorotUniform({ seed: seed * 131 + 7 + i });
}

export function encoderInputDim(V: number): number {
  return 2 * V + 2;
}

/** Builds the CVAE with seeded initial weights. */
export function buildRecipeCvae(config: ResolvedRecipeCvaeConfig): RecipeCvae {
  const { vocabSize: V, hiddenDims, latentDim, leakyAlpha, seed } = config;
  const C = conditionDim(config.genomeDim);
  let li = 0;
  const enc = hiddenDims.map((units) => tf.layers.dense({ units, kernelInitializer: seeded(seed, li++) }));
  const meanLayer = tf.layers.dense({ units: latentDim, kernelInitializer: seeded(seed, li++) });
  const logVarLayer = tf.layers.dense({ units: latentDim, kernelInitializer: seeded(seed, li++) });
  const dec = [...hiddenDims].reverse().map((units) => tf.layers.dense({ units, kernelInitializer: seeded(seed, li++) }));
  const out = tf.layers.dense({ units: 3 * V + 1, kernelInitializer: seeded(seed, li++) });
  const layers = () => [...enc, meanLayer, logVarLayer, ...dec, out];
  const run = (ls: tf.layers.Layer[], x: tf.Tensor2D) => ls.reduce((h, l) => tf.leakyRelu(l.apply(h) as tf.Tensor2D, leakyAlpha), x);
  const cvae: RecipeCvae = {
    config,
    conditionDim: C,
    encode(x, c) {
      return tf.tidy(() => {
        const h = run(enc, tf.concat([x, c], 1));
        return { mean: meanLayer.apply(h) as tf.Tensor2D, logVar: tf.clipByValue(logVarLayer.apply(h) as tf.Tensor2D, -LOG_VAR_CLIP, LOG_VAR_CLIP) };
      });
    },
    decode(z, c) {
      return tf.tidy(() => {
        const y = out.apply(run(dec, tf.concat([z, c], 1))) as tf.Tensor2D;
        const [presenceLogits, stockLogits, amount, ph] = tf.split(y, [V, V, V, 1], 1) as tf.Tensor2D[];
        return { presenceLogits, stockLogits, amount, ph };
      });
    },
    trainableVariables() {
      return layers().flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    },
    allWeights() {
      return layers().flatMap((l) => l.weights);
    },
    dispose() {
      for (const l of layers()) l.dispose();
    },
  };
  tf.tidy(() => {
    const c = tf.zeros([1, C]) as tf.Tensor2D;
    cvae.decode(cvae.encode(tf.zeros([1, encoderInputDim(V)]) as tf.Tensor2D, c).mean, c);
  });
  return cvae;
}

/** weights.ts works on anything with allWeights(); this view lets it take a RecipeCvae. */
const asWeighted = (m: RecipeCvae) => m as unknown as GenomeVae;
export const exportCvaeWeights = (m: RecipeCvae) => exportModelWeights(asWeighted(m));
export const importCvaeWeights = (m: RecipeCvae, w: SerializedWeights, what?: string) => importModelWeights(asWeighted(m), w, what);

// ---- loss --------------------------------------------------------------------------------------

export interface HurdleTargets {
  /** n × V, 1 = present. */
  present: tf.Tensor2D;
  /** n × V, 1 = present without a final amount (stock solution only). */
  stockOnly: tf.Tensor2D;
  /** n × V log1p(g/L or ml/L). */
  amount: tf.Tensor2D;
  /** n × V, 1 = has a final amount (the cells the amount error counts). */
  amountMask: tf.Tensor2D;
  /** n × 1 scaled pH ((pH − 7)/2; 0 when unknown) and its mask. */
  ph: tf.Tensor2D;
  phMask: tf.Tensor2D;
}

export interface HurdleWeights {
  posWeight: number;
  amountWeight: number;
  stockWeight: number;
  phWeight: number;
  klWeight: number;
}

export interface HurdleLosses {
  presence: tf.Scalar;
  stock: tf.Scalar;
  amount: tf.Scalar;
  ph: tf.Scalar;
  kl: tf.Scalar;
  total: tf.Scalar;
}

/** The hurdle loss of one batch (see the header); every term is a per-medium sum averaged over the batch. */
export function hurdleLoss(o: RecipeOutputs, t: HurdleTargets, mean: tf.Tensor2D, logVar: tf.Tensor2D, w: HurdleWeights): HurdleLosses {
  return tf.tidy(() => {
    const n = o.presenceLogits.shape[0];
    const perRow = (x: tf.Tensor) => tf.div(tf.sum(x), n) as tf.Scalar;
    const bce = (logits: tf.Tensor2D, y: tf.Tensor2D, pos: number) => tf.add(tf.mul(tf.mul(y, tf.softplus(tf.neg(logits))), pos), tf.mul(tf.sub(1, y), tf.softplus(logits)));
    const presence = perRow(bce(o.presenceLogits, t.present, w.posWeight));
    const stock = perRow(tf.mul(t.present, bce(o.stockLogits, t.stockOnly, 1)));
    const amount = perRow(tf.mul(t.amountMask, tf.squaredDifference(o.amount, t.amount)));
    const ph = perRow(tf.mul(t.phMask, tf.squaredDifference(o.ph, t.ph)));
    const kl = perRow(tf.mul(tf.sub(tf.sub(tf.add(tf.exp(logVar), tf.square(mean)), logVar), 1), 0.5));
    const total = presence
      .add(stock.mul(w.stockWeight))
      .add(amount.mul(w.amountWeight))
      .add(ph.mul(w.phWeight))
      .add(kl.mul(w.klWeight)) as tf.Scalar;
    return { presence, stock, amount, ph, kl, total };
  });
}

// ---- data --------------------------------------------------------------------------------------

/** The media side of the training data (from buildMediaMatrix) and the rows (medium, condition) pairs. */
export interface RecipeTrainSet {
  V: number;
  /** media × V. */
  present: Uint8Array;
  amount: Float32Array;
  /** media: pH, NaN = unknown. */
  mediumPh: Float32Array;
  /** rows: medium index of each (medium, condition) pair. */
  mediumIndex: Int32Array;
  /** rows × C condition vectors. */
  conditions: Float32Array;
}

export interface RecipeBatch {
  x: Float32Array;
  c: Float32Array;
  present: Float32Array;
  stockOnly: Float32Array;
  amount: Float32Array;
  amountMask: Float32Array;
  ph: Float32Array;
  phMask: Float32Array;
}

/** Gathers rows `order[from..to)` of a set into batch arrays. */
export function gatherBatch(set: RecipeTrainSet, rows: ArrayLike<number>, C: number): RecipeBatch {
  const n = rows.length;
  const V = set.V;
  const D = encoderInputDim(V);
  const b: RecipeBatch = {
    x: new Float32Array(n * D),
    c: new Float32Array(n * C),
    present: new Float32Array(n * V),
    stockOnly: new Float32Array(n * V),
    amount: new Float32Array(n * V),
    amountMask: new Float32Array(n * V),
    ph: new Float32Array(n),
    phMask: new Float32Array(n),
  };
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    const m = set.mediumIndex[row];
    b.c.set(set.conditions.subarray(row * C, (row + 1) * C), r * C);
    for (let j = 0; j < V; j++) {
      const p = set.present[m * V + j];
      if (!p) continue;
      const a = set.amount[m * V + j];
      b.present[r * V + j] = 1;
      b.x[r * D + j] = 1;
      if (a > 0) {
        b.amount[r * V + j] = a;
        b.amountMask[r * V + j] = 1;
        b.x[r * D + V + j] = a;
      } else b.stockOnly[r * V + j] = 1;
    }
    const ph = set.mediumPh[m];
    if (Number.isFinite(ph)) {
      b.ph[r] = (ph - PH_CENTRE) / PH_SCALE;
      b.phMask[r] = 1;
      b.x[r * D + 2 * V] = b.ph[r];
      b.x[r * D + 2 * V + 1] = 1;
    }
  }
  return b;
}

function batchTensors(b: RecipeBatch, n: number, V: number, C: number) {
  return {
    x: tf.tensor2d(b.x, [n, encoderInputDim(V)]),
    c: tf.tensor2d(b.c, [n, C]),
    t: {
      present: tf.tensor2d(b.present, [n, V]),
      stockOnly: tf.tensor2d(b.stockOnly, [n, V]),
      amount: tf.tensor2d(b.amount, [n, V]),
      amountMask: tf.tensor2d(b.amountMask, [n, V]),
      ph: tf.tensor2d(b.ph, [n, 1]),
      phMask: tf.tensor2d(b.phMask, [n, 1]),
    } as HurdleTargets,
  };
}

// ---- training ----------------------------------------------------------------------------------

export const PHASE_NAMES = ['bacteria', '+ archaea', '+ fungi', '+ protists'] as const;

export interface CvaeEpochStats {
  /** 1-based epoch over all phases. */
  epoch: number;
  /** 0-based phase. */
  phase: number;
  klWeight: number;
  rows: number;
  loss: number;
  presence: number;
  stock: number;
  amount: number;
  ph: number;
  kl: number;
  samplesPerSec: number;
  elapsedMs: number;
}

export interface CvaeCheckpoint {
  version: 1;
  kind: 'recipe-cvae';
  config: ResolvedRecipeCvaeConfig;
  /** Epochs completed (over all phases). */
  epoch: number;
  weights: SerializedWeights;
  optimizer: SerializedWeights;
  history: CvaeEpochStats[];
  /** What onPhaseEnd returned for each finished phase. */
  phaseMetrics: unknown[];
}

export interface CvaeTrainHooks {
  onEpoch?: (s: CvaeEpochStats) => void;
  onCheckpoint?: (c: CvaeCheckpoint) => void | Promise<void>;
  /** Between batches; a returned promise holds training (pause). */
  onBatch?: (batch: number, batches: number) => void | Promise<void>;
  /** After each phase's last epoch: the metrics to record for that phase (e.g. evaluateRecipeCvae). */
  onPhaseEnd?: (phase: number, cvae: RecipeCvae) => unknown | Promise<unknown>;
  signal?: AbortSignal;
  resumeFrom?: CvaeCheckpoint;
}

export interface CvaeTrainResult {
  cvae: RecipeCvae;
  history: CvaeEpochStats[];
  phaseMetrics: unknown[];
  stoppedBy: 'done' | 'cancelled' | 'non-finite';
  message?: string;
  epochs: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Phase of a 0-based global epoch. */
export function phaseOfEpoch(config: ResolvedRecipeCvaeConfig, epoch: number): number {
  let e = epoch;
  for (let p = 0; p < config.epochsPerPhase.length; p++) {
    if (e < config.epochsPerPhase[p]) return p;
    e -= config.epochsPerPhase[p];
  }
  return config.epochsPerPhase.length - 1;
}

/**
 * Trains through the curriculum. `phaseRows[p]` are the rows of phase p (cumulative, repeats for
 * small groups already in; see recipe-training-data.ts curriculumRows). A phase with no rows or no
 * epochs is skipped (its onPhaseEnd still runs, so every phase has metrics).
 */
export async function trainRecipeCvae(config: ResolvedRecipeCvaeConfig, set: RecipeTrainSet, phaseRows: Int32Array[], hooks: CvaeTrainHooks = {}): Promise<CvaeTrainResult> {
  const V = config.vocabSize;
  const C = conditionDim(config.genomeDim);
  if (set.V !== V) throw new AppError('INTERNAL', `recipe CVAE: vocabulary ${set.V}, config ${V}`);
  if (set.conditions.length !== set.mediumIndex.length * C) throw new AppError('INTERNAL', 'recipe CVAE: condition rows do not match');
  if (phaseRows.length !== 4) throw new AppError('INTERNAL', 'recipe CVAE: four phases expected');
  if (phaseRows.every((r) => r.length < 2)) throw new AppError('DATA_INVALID', 'recipe CVAE: no training rows', 'the database needs media with compositions and strains grown on them');
  const cvae = buildRecipeCvae(config);
  const optimizer = createFastAdam(config.learningRate);
  const vars = cvae.trainableVariables();
  const history: CvaeEpochStats[] = [];
  const phaseMetrics: unknown[] = [];
  let start = 0;
  if (hooks.resumeFrom) {
    const c = hooks.resumeFrom;
    const fixed = (x: ResolvedRecipeCvaeConfig) => JSON.stringify({ ...x, checkpointEvery: 0 });
    if (fixed(c.config) !== fixed(config)) throw new AppError('DATA_INVALID', 'the checkpoint was saved with another recipe model configuration', 'start a new training run');
    importCvaeWeights(cvae, c.weights, 'checkpoint');
    if (c.optimizer.specs.length) await importOptimizerState(optimizer, c.optimizer);
    history.push(...c.history);
    phaseMetrics.push(...c.phaseMetrics);
    start = c.epoch;
  }
  const E = totalEpochs(config);
  const checkpoint = async (epoch: number): Promise<CvaeCheckpoint> => ({
    version: 1,
    kind: 'recipe-cvae',
    config,
    epoch,
    weights: await exportCvaeWeights(cvae),
    optimizer: epoch > 0 ? await exportOptimizerState(optimizer) : { specs: [], data: new Float32Array(0) },
    history: history.slice(),
    phaseMetrics: phaseMetrics.slice(),
  });
  let lastGood = await exportCvaeWeights(cvae);
  let stoppedBy: CvaeTrainResult['stoppedBy'] = 'done';
  let message: string | undefined;
  let done = start;
  const phaseEnd = (p: number) => config.epochsPerPhase.slice(0, p + 1).reduce((a, b) => a + b, 0);
  // Phases with no epochs before `start` that have no metrics yet (fresh run starting at phase 0 with 0 epochs).
  const flushEmptyPhases = async (uptoEpoch: number) => {
    while (phaseMetrics.length < 4 && phaseEnd(phaseMetrics.length) <= uptoEpoch) phaseMetrics.push(await hooks.onPhaseEnd?.(phaseMetrics.length, cvae) ?? null);
  };
  try {
    await flushEmptyPhases(start);
    for (let epoch = start; epoch < E; epoch++) {
      const phase = phaseOfEpoch(config, epoch);
      const rows = phaseRows[phase];
      const t0 = now();
      const klWeight = klWeightAt(epoch, config.beta, config.warmupEpochs);
      const weights: HurdleWeights = { posWeight: config.posWeight, amountWeight: config.amountWeight, stockWeight: config.stockWeight, phWeight: config.phWeight, klWeight };
      const order = permutation(rows.length, mixSeed(config.seed, epoch, 1));
      const bs = config.batchSize;
      const batches = Math.floor(rows.length / bs) + (rows.length % bs >= 2 ? 1 : 0);
      const sums = new Float64Array(6);
      let seen = 0;
      const idx = new Int32Array(bs);
      for (let b = 0; b < batches; b++) {
        if (hooks.signal?.aborted) {
          stoppedBy = 'cancelled';
          break;
        }
        const from = b * bs;
        const n = Math.min(bs, rows.length - from);
        for (let i = 0; i < n; i++) idx[i] = rows[order[from + i]];
        const batch = gatherBatch(set, idx.subarray(0, n), C);
        const parts = tf.tidy(() => {
          const { x, c, t } = batchTensors(batch, n, V, C);
          const eps = tf.randomNormal([n, config.latentDim], 0, 1, 'float32', mixSeed(config.seed, epoch, b, 2));
          let kept: tf.Scalar[] = [];
          const { grads } = tf.variableGrads(() => {
            const { mean, logVar } = cvae.encode(x, c);
            const z = mean.add(tf.exp(logVar.mul(0.5)).mul(eps)) as tf.Tensor2D;
            const l = hurdleLoss(cvae.decode(z, c), t, mean, logVar, weights);
            kept = [l.total, l.presence, l.stock, l.amount, l.ph, l.kl].map((s) => tf.keep(s));
            return l.total;
          }, vars);
          optimizer.applyGradients(grads);
          return tf.stack(kept);
        });
        const v = parts.dataSync();
        parts.dispose();
        for (let k = 0; k < 6; k++) sums[k] += v[k] * n;
        seen += n;
        await hooks.onBatch?.(b + 1, batches);
      }
      if (stoppedBy === 'cancelled') break;
      const [loss, presence, stock, amount, ph, kl] = Array.from(sums, (s) => s / Math.max(1, seen));
      if (![loss, presence, stock, amount, ph, kl].every(Number.isFinite)) {
        importCvaeWeights(cvae, lastGood, 'last good weights');
        stoppedBy = 'non-finite';
        message = `epoch ${epoch + 1}: the loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'}; training stopped and the weights of epoch ${epoch} were kept. Try a lower learning rate.`;
        break;
      }
      const elapsedMs = now() - t0;
      const stats: CvaeEpochStats = { epoch: epoch + 1, phase, klWeight, rows: seen, loss, presence, stock, amount, ph, kl, samplesPerSec: (seen / Math.max(1e-3, elapsedMs)) * 1000, elapsedMs };
      history.push(stats);
      done = epoch + 1;
      lastGood = await exportCvaeWeights(cvae);
      hooks.onEpoch?.(stats);
      await flushEmptyPhases(done);
      if (hooks.onCheckpoint && (done % config.checkpointEvery === 0 || done === E)) await hooks.onCheckpoint(await checkpoint(done));
    }
  } catch (e) {
    optimizer.dispose();
    cvae.dispose();
    throw e;
  }
  optimizer.dispose();
  return { cvae, history, phaseMetrics, stoppedBy, message, epochs: done };
}

// ---- decoding ----------------------------------------------------------------------------------

/** Decoded recipes as plain arrays: probabilities and amounts, n × V, and pH per recipe. */
export interface RecipeVectors {
  n: number;
  V: number;
  /** P(present). */
  presence: Float32Array;
  /** P(no final amount | present). */
  stockOnly: Float32Array;
  /** log1p(g/L or ml/L), clipped at 0. */
  amount: Float32Array;
  /** pH. */
  ph: Float32Array;
}

/** Decodes latent rows z (n × latent) under per-row conditions (n × C). */
export function decodeRecipeVectors(cvae: RecipeCvae, z: Float32Array, conditions: Float32Array, n: number): RecipeVectors {
  const V = cvae.config.vocabSize;
  return tf.tidy(() => {
    const o = cvae.decode(tf.tensor2d(z, [n, cvae.config.latentDim]), tf.tensor2d(conditions, [n, cvae.conditionDim]));
    return {
      n,
      V,
      presence: tf.sigmoid(o.presenceLogits).dataSync() as Float32Array,
      stockOnly: tf.sigmoid(o.stockLogits).dataSync() as Float32Array,
      amount: tf.relu(o.amount).dataSync() as Float32Array,
      ph: o.ph.mul(PH_SCALE).add(PH_CENTRE).dataSync() as Float32Array,
    };
  });
}

/**
 * n recipes for one condition vector: z ~ N(0, I) from `seed` (tfjs's seeded normal, so the same
 * seed gives the same recipes on every backend run), decoded under the condition. Runs in the ML worker.
 */
export function sampleRecipeVectors(cvae: RecipeCvae, conditionVector: Float32Array, n: number, seed: number, scale = cvae.config.sampleScale): RecipeVectors {
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new AppError('BAD_OPTION', `the number of recipes must be an integer from 1 to 10000, got ${n}`);
  if (conditionVector.length !== cvae.conditionDim) throw new AppError('BAD_OPTION', `the condition vector has ${conditionVector.length} values, the recipe model expects ${cvae.conditionDim}`);
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new AppError('BAD_OPTION', `the sampling scale must be a number ≥ 0, got ${scale}`);
  const z = tf.tidy(() => tf.randomNormal([n, cvae.config.latentDim], 0, 1, 'float32', seed >>> 0).mul(scale).dataSync() as Float32Array);
  const c = new Float32Array(n * cvae.conditionDim);
  for (let i = 0; i < n; i++) c.set(conditionVector, i * cvae.conditionDim);
  return decodeRecipeVectors(cvae, z, c, n);
}
