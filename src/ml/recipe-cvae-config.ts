/**
 * Recipe CVAE configuration: typed options, validated defaults and presets, in the style of
 * vae-config.ts. Pure data, no tfjs: the CLI, the ML worker and a UI form resolve options here.
 */
import { AppError } from '../core/errors';

export interface RecipeCvaeConfig {
  /** Vocabulary size V (set from the media matrix). @default 398 */
  vocabSize?: number;
  /** Genome embedding size G (the active genome VAE's latent size; 0 = no genome slot). @default 32 */
  genomeDim?: number;
  /** Hidden widths of the encoder; the decoder mirrors them. LeakyReLU, no BatchNorm. @default [256, 128] */
  hiddenDims?: number[];
  /** Latent dimensions. @default 16 */
  latentDim?: number;
  /** KL weight β on the KL summed over latent dimensions (per medium, like the other terms). A high β makes the decoder lean on the condition rather than on z: on held-out genera, β = 1 / 3 / 6 gave a nearest medium of the genus for 7.4 / 11.5 / 12.5 % of generated recipes (per genus 2.1 / 4.6 / 6.0 %) and 91 / 97 / 99.7 % valid samples. @default 6 */
  beta?: number;
  /** Epochs (counted over all phases) over which the KL weight rises linearly from 0 to β. @default 10 */
  warmupEpochs?: number;
  /** Positive-class weight of the presence BCE (compositions are ~3 % dense over the vocabulary). @default 4 */
  posWeight?: number;
  /** Weight of the squared error on log1p(g/L) amounts (cells with a final amount). @default 2 */
  amountWeight?: number;
  /** Weight of the stock-only BCE (present cells). @default 1 */
  stockWeight?: number;
  /** Weight of the squared error on scaled pH ((pH − 7)/2, media with a pH). @default 4 */
  phWeight?: number;
  /** Adam learning rate. @default 1e-3 */
  learningRate?: number;
  /** Mini-batch size. @default 128 */
  batchSize?: number;
  /** Epochs per curriculum phase (bacteria; + archaea; + fungi; + protists). @default [12, 8, 6, 6] */
  epochsPerPhase?: number[];
  /** Each group present in a phase is repeated until it makes at least this share of the phase's rows. @default 0.1 */
  minGroupShare?: number;
  /** LeakyReLU slope. @default 0.2 */
  leakyAlpha?: number;
  /** Presence probability above which a generated ingredient is in the recipe. @default 0.5 */
  presenceThreshold?: number;
  /** Generation draws z ~ N(0, sampleScale² I): 1 samples the prior, smaller values stay nearer the typical recipe of the condition. @default 1 */
  sampleScale?: number;
  /** Share of genera (and of fungal/protist media) held out for evaluation. @default 0.15 */
  valFraction?: number;
  /** Seed for weights, the split, shuffling and sampling. @default 42 */
  seed?: number;
  /** Checkpoint every this many epochs. @default 5 */
  checkpointEvery?: number;
}

export const RECIPE_CVAE_DEFAULTS = {
  vocabSize: 398,
  genomeDim: 32,
  hiddenDims: [256, 128],
  latentDim: 16,
  beta: 6,
  warmupEpochs: 10,
  posWeight: 4,
  amountWeight: 2,
  stockWeight: 1,
  phWeight: 4,
  learningRate: 1e-3,
  batchSize: 128,
  epochsPerPhase: [12, 8, 6, 6],
  minGroupShare: 0.1,
  leakyAlpha: 0.2,
  presenceThreshold: 0.5,
  sampleScale: 1,
  valFraction: 0.15,
  seed: 42,
  checkpointEvery: 5,
} satisfies Required<RecipeCvaeConfig>;

export type ResolvedRecipeCvaeConfig = Required<RecipeCvaeConfig>;

/** Named presets (`mediaforge train cvae --preset`). */
export const RECIPE_CVAE_PRESETS: Record<string, RecipeCvaeConfig> = {
  default: {},
  /** Larger model, longer training. */
  wide: { hiddenDims: [512, 256], latentDim: 32, epochsPerPhase: [20, 12, 8, 8] },
  /** Tests and quick demos. */
  tiny: { hiddenDims: [32], latentDim: 4, batchSize: 32, epochsPerPhase: [2, 1, 1, 1], warmupEpochs: 2, checkpointEvery: 1 },
};

function bad(message: string): never {
  throw new AppError('BAD_OPTION', message);
}
function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v;
}
function numIn(name: string, v: unknown, min: number, max: number, openMin = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v > max || (openMin ? v <= min : v < min)) bad(`${name} must be a number ${openMin ? '>' : '≥'} ${min} and ≤ ${max}, got ${String(v)}`);
  return v;
}

export function resolveRecipeCvaeConfig(options: RecipeCvaeConfig = {}): ResolvedRecipeCvaeConfig {
  const known = new Set(Object.keys(RECIPE_CVAE_DEFAULTS));
  for (const key of Object.keys(options)) if (!known.has(key)) bad(`unknown recipe CVAE option '${key}' (options: ${[...known].join(', ')})`);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const c = { ...RECIPE_CVAE_DEFAULTS, ...defined } as ResolvedRecipeCvaeConfig;
  intIn('vocabSize', c.vocabSize, 1, 100_000);
  intIn('genomeDim', c.genomeDim, 0, 4096);
  if (!Array.isArray(c.hiddenDims) || c.hiddenDims.length === 0 || c.hiddenDims.length > 4) bad(`hiddenDims must list 1 to 4 layer widths, got ${JSON.stringify(c.hiddenDims)}`);
  c.hiddenDims.forEach((w, i) => intIn(`hiddenDims[${i}]`, w, 1, 8192));
  intIn('latentDim', c.latentDim, 1, 1024);
  numIn('beta', c.beta, 0, 100);
  intIn('warmupEpochs', c.warmupEpochs, 0, 100_000);
  numIn('posWeight', c.posWeight, 0, 1000, true);
  numIn('amountWeight', c.amountWeight, 0, 1000);
  numIn('stockWeight', c.stockWeight, 0, 1000);
  numIn('phWeight', c.phWeight, 0, 1000);
  numIn('learningRate', c.learningRate, 0, 1, true);
  intIn('batchSize', c.batchSize, 2, 65_536);
  if (!Array.isArray(c.epochsPerPhase) || c.epochsPerPhase.length !== 4) bad(`epochsPerPhase must list 4 epoch counts (bacteria, + archaea, + fungi, + protists), got ${JSON.stringify(c.epochsPerPhase)}`);
  c.epochsPerPhase.forEach((e, i) => intIn(`epochsPerPhase[${i}]`, e, 0, 100_000));
  if (c.epochsPerPhase.every((e) => e === 0)) bad('epochsPerPhase: at least one phase must train');
  numIn('minGroupShare', c.minGroupShare, 0, 0.5);
  numIn('leakyAlpha', c.leakyAlpha, 0, 1);
  numIn('presenceThreshold', c.presenceThreshold, 0, 1, true);
  numIn('sampleScale', c.sampleScale, 0, 10);
  numIn('valFraction', c.valFraction, 0, 0.9);
  intIn('seed', c.seed, 0, 2 ** 31 - 1);
  intIn('checkpointEvery', c.checkpointEvery, 1, 100_000);
  return { ...c, hiddenDims: [...c.hiddenDims], epochsPerPhase: [...c.epochsPerPhase] };
}

export function totalEpochs(c: ResolvedRecipeCvaeConfig): number {
  return c.epochsPerPhase.reduce((a, b) => a + b, 0);
}

/** Trainable parameters (Dense kernels and biases), for display. */
export function countRecipeCvaeParameters(c: ResolvedRecipeCvaeConfig): number {
  const C = 12 + c.genomeDim + 1;
  const enc = [2 * c.vocabSize + 2 + C, ...c.hiddenDims];
  let n = 0;
  for (let i = 1; i < enc.length; i++) n += enc[i - 1] * enc[i] + enc[i];
  const last = c.hiddenDims[c.hiddenDims.length - 1];
  n += 2 * (last * c.latentDim + c.latentDim);
  const dec = [c.latentDim + C, ...[...c.hiddenDims].reverse()];
  for (let i = 1; i < dec.length; i++) n += dec[i - 1] * dec[i] + dec[i];
  n += c.hiddenDims[0] * (3 * c.vocabSize + 1) + 3 * c.vocabSize + 1;
  return n;
}
