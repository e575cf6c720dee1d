/**
 * Genome VAE configuration: typed options, validated defaults, and the design documents'
 * configuration. Pure data, no tfjs: the CLI, the worker and the UI form all resolve options here.
 */
import { AppError } from '../core/errors';
import { FEATURE_COUNT } from '../core/kmer-layout';

export type ClrMode = 'per-k' | 'whole';

export interface VaeConfig {
  /** Input features (the k = 1..6 layout). @default 2772 */
  inputDim?: number;
  /** Widths of the encoder's hidden layers (Dense → BatchNorm → LeakyReLU each); the decoder mirrors them. @default [256, 128] */
  hiddenDims?: number[];
  /** Latent dimensions. @default 32 */
  latentDim?: number;
  /** Final KL weight β (the KL term is a mean over latent dimensions, like the reconstruction over features). @default 0.05 */
  beta?: number;
  /** Epochs over which the KL weight rises linearly from 0 to β. @default 10 */
  warmupEpochs?: number;
  /** Adam learning rate. @default 1e-3 */
  learningRate?: number;
  /** Mini-batch size. @default 64 */
  batchSize?: number;
  /** Epochs to train. @default 60 */
  epochs?: number;
  /** LeakyReLU slope. @default 0.2 */
  leakyAlpha?: number;
  /** CLR transform: per k block (each k-mer block is its own composition) or over the whole vector. @default 'per-k' */
  clrMode?: ClrMode;
  /** Pseudocount added to frequencies before the log. @default 1e-6 */
  pseudocount?: number;
  /** Seed for weight initialisation, shuffling and sampling. @default 42 */
  seed?: number;
  /** Save a checkpoint every this many epochs. @default 5 */
  checkpointEvery?: number;
}

export const VAE_DEFAULTS = {
  inputDim: FEATURE_COUNT,
  hiddenDims: [256, 128],
  latentDim: 32,
  beta: 0.05,
  warmupEpochs: 10,
  learningRate: 1e-3,
  batchSize: 64,
  epochs: 60,
  leakyAlpha: 0.2,
  clrMode: 'per-k',
  pseudocount: 1e-6,
  seed: 42,
  checkpointEvery: 5,
} satisfies Required<VaeConfig>;

export type ResolvedVaeConfig = Required<VaeConfig>;

/** The design documents' VAEMulti (1024 → 512 → 384), trained on 4.8 M sequences. */
export const DESIGN_DOC_VAE: VaeConfig = { hiddenDims: [1024, 512], latentDim: 384, batchSize: 256 };

/** Named presets offered by the CLI (`--preset`) and the training form. */
export const VAE_PRESETS: Record<string, VaeConfig> = {
  default: {},
  'design-doc': DESIGN_DOC_VAE,
  tiny: { hiddenDims: [32, 16], latentDim: 4, batchSize: 8, epochs: 4, warmupEpochs: 2, checkpointEvery: 1 },
};

function bad(message: string): never {
  throw new AppError('BAD_OPTION', message);
}

function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v;
}

function numIn(name: string, v: unknown, min: number, max: number, openMin = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v > max || (openMin ? v <= min : v < min)) {
    bad(`${name} must be a number ${openMin ? '>' : '≥'} ${min} and ≤ ${max}, got ${String(v)}`);
  }
  return v;
}

/** Merges options over the defaults and validates every field once. */
export function resolveVaeConfig(options: VaeConfig = {}): ResolvedVaeConfig {
  const known = new Set(Object.keys(VAE_DEFAULTS));
  for (const key of Object.keys(options)) if (!known.has(key)) bad(`unknown VAE option '${key}' (options: ${[...known].join(', ')})`);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const c = { ...VAE_DEFAULTS, ...defined } as ResolvedVaeConfig;
  intIn('inputDim', c.inputDim, 1, 1 << 20);
  if (!Array.isArray(c.hiddenDims) || c.hiddenDims.length === 0 || c.hiddenDims.length > 4) bad(`hiddenDims must list 1 to 4 layer widths, got ${JSON.stringify(c.hiddenDims)}`);
  c.hiddenDims.forEach((w, i) => intIn(`hiddenDims[${i}]`, w, 1, 8192));
  intIn('latentDim', c.latentDim, 1, 4096);
  numIn('beta', c.beta, 0, 100);
  intIn('warmupEpochs', c.warmupEpochs, 0, 100_000);
  numIn('learningRate', c.learningRate, 0, 1, true);
  intIn('batchSize', c.batchSize, 1, 65_536);
  intIn('epochs', c.epochs, 1, 100_000);
  numIn('leakyAlpha', c.leakyAlpha, 0, 1);
  if (c.clrMode !== 'per-k' && c.clrMode !== 'whole') bad(`clrMode must be 'per-k' or 'whole', got ${String(c.clrMode)}`);
  numIn('pseudocount', c.pseudocount, 0, 1, true);
  intIn('seed', c.seed, 0, 2 ** 31 - 1);
  intIn('checkpointEvery', c.checkpointEvery, 1, 100_000);
  return { ...c, hiddenDims: [...c.hiddenDims] };
}

/** Number of trainable parameters of a resolved config (Dense + BatchNorm γ/β), for display. */
export function countVaeParameters(c: ResolvedVaeConfig): number {
  let n = 0;
  let prev = c.inputDim;
  for (const w of c.hiddenDims) {
    n += prev * w + w + 2 * w;
    prev = w;
  }
  n += 2 * (prev * c.latentDim + c.latentDim);
  prev = c.latentDim;
  for (const w of [...c.hiddenDims].reverse()) {
    n += prev * w + w + 2 * w;
    prev = w;
  }
  n += prev * c.inputDim + c.inputDim;
  return n;
}
