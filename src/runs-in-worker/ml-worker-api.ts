/**
 * The ML worker's logic (workers/ml.worker.ts only exposes it): the tfjs backend, genome VAE
 * training with pause/resume/cancel and checkpoints, embedding and the verification report after
 * training, and nearest-genome search with the active model. The page never runs tfjs.
 *
 * Everything heavy happens here; what goes back to the page is small (epoch stats, throttled
 * progress) or transferred (checkpoint bytes, weights, embeddings).
 */
import { decodeTaggedFile, encodeTaggedFile } from '../ml/tagged-file';
import * as tf from '@tensorflow/tfjs';
import { transfer } from 'comlink';
import { AppError } from '../core/errors';
import { FEATURE_COUNT } from '../core/kmer-layout';
import { yieldToEventLoop } from '../core/yield';
import type { StoredModel } from '../db/models';
import { initBrowserBackend, type BackendOverride, type BackendStatus } from '../ml/browser-backend';
import { GenomeNeighborIndex, type DomainCall, type GenomeNeighbor, type NeighborCandidate } from '../ml/genome-neighbors';
import { fromModelRow, instantiateGenomeVae, toModelRow } from '../ml/genome-vae-model';
import { nearestGenomesOf } from '../ml/record-neighbors';
import { embedProfiles, trainModel, type LabelledProfile } from '../ml/train-pipeline';
import type { EpochStats, StopReason, TrainCheckpoint } from '../ml/train-vae';
import { computeVaeReport, type ReportItem } from '../ml/vae-report';
import type { GenomeVae } from '../ml/vae';
import { resolveVaeConfig, type ResolvedVaeConfig, type VaeConfig } from '../ml/vae-config';
import { packWeights, unpackWeights } from '../ml/weights';
// Recipe CVAE (issue 8): training and generation, below mlWorkerApi's genome-VAE methods.
import { sampleRecipeVectors, type CvaeEpochStats, type RecipeCvae, type RecipeVectors } from '../ml/recipe-cvae';
import { resolveRecipeCvaeConfig, totalEpochs, type RecipeCvaeConfig } from '../ml/recipe-cvae-config';
import { fromRecipeModelRow, instantiateRecipeCvae, packRecipeCheckpoint, toRecipeModelRow, unpackRecipeCheckpoint } from '../ml/recipe-cvae-model';
import { trainRecipeModel, unpackCvaeInput, type PackedCvaeInput, type PhaseMetrics } from '../ml/recipe-cvae-pipeline';
import { scoreMediaLikelihood } from '../ml/recipe-cvae-score';
import type { ScoredMedia } from '../media/cvae-evidence';

/** Every genome with a profile, as the db worker hands it over (typed arrays are transferred). */
export interface TrainingSet {
  genomeIds: Int32Array;
  /** Stable keys (source file and record, else the content hash) for the provenance hash and split. */
  keys: string[];
  species: (string | null)[];
  organismTypes: string[];
  recordTypes: string[];
  gcFractions: Float64Array;
  domainCalls: DomainCall[];
  /** Row-major counts, genomeIds.length × 2,772. */
  counts: Float64Array;
}

export interface TrainOptions {
  /** Share of genera held out for validation. @default 0.15 */
  valFraction?: number;
  /** A packed checkpoint (packCheckpoint) to continue from. */
  checkpoint?: Uint8Array;
}

export type TrainPhase = 'starting' | 'training' | 'embedding' | 'report' | 'packing';

export interface TrainProgress {
  phase: TrainPhase;
  /** Epoch in progress (1-based) during training. */
  epoch: number;
  epochs: number;
  /** Batches (training) or genomes (embedding) done, of total. */
  done: number;
  total: number;
  /** Training samples per second over the last epoch or so. */
  samplesPerSec: number;
  /** Seconds left in this phase (training: all remaining epochs). */
  etaSec: number;
}

export interface TrainCallbacks {
  onEpoch(stats: EpochStats): void;
  /** A checkpoint to store; the page queues it and returns at once. */
  onCheckpoint(c: { epoch: number; bytes: Uint8Array; history: EpochStats[] }): void | Promise<void>;
  onProgress(p: TrainProgress): void;
}

export interface TrainOutcome {
  stoppedBy: StopReason;
  /** 'embedding' when cancelled after training finished (the last checkpoint holds the weights). */
  cancelledIn: 'training' | 'embedding' | null;
  message: string | null;
  epochs: number;
  /** Epoch the run continued from (0 for a fresh run). */
  resumedFrom: number;
  history: EpochStats[];
  /** The models row of the trained model (weights packed, report in metrics); null when cancelled. */
  model: StoredModel | null;
  /** Embeddings of every training genome under the new model. */
  embeddings: { genomeIds: Int32Array; vectors: Float32Array; dim: number } | null;
}

/**
 * The active model and its neighbour-index data, as the db worker hands it over. `model.weights`
 * may be null when the worker already holds that model: only the index is replaced then.
 */
export interface NeighborModelData {
  model: StoredModel;
  genomeIds: Int32Array;
  /** Row-major, genomeIds.length × dim; row i belongs to candidates[i]. */
  vectors: Float32Array;
  dim: number;
  candidates: NeighborCandidate[];
}

// ---- recipe CVAE (types of the methods trainRecipeCvae / setRecipeModel / generateRecipeVectors) ----

/** Progress of a recipe CVAE run: the curriculum phase (0-3: bacteria, + archaea, + fungi, + protists) and batches. */
export interface RecipeTrainProgress {
  stage: 'starting' | 'training' | 'evaluating' | 'packing';
  /** 1-based epoch over all phases, and the total. */
  epoch: number;
  epochs: number;
  /** 0-based curriculum phase. */
  phase: number;
  done: number;
  total: number;
  samplesPerSec: number;
  etaSec: number;
}

export interface RecipeTrainCallbacks {
  onEpoch(stats: CvaeEpochStats): void;
  /** Held-out metrics per group after each curriculum phase. */
  onPhase(metrics: PhaseMetrics): void;
  /** A checkpoint to store (packRecipeCheckpoint bytes); pass it back as options.checkpoint to resume. */
  onCheckpoint(c: { epoch: number; bytes: Uint8Array; history: CvaeEpochStats[] }): void | Promise<void>;
  onProgress(p: RecipeTrainProgress): void;
}

export interface RecipeTrainOutcome {
  stoppedBy: 'done' | 'cancelled' | 'non-finite';
  message: string | null;
  epochs: number;
  resumedFrom: number;
  history: CvaeEpochStats[];
  /** The models row (kind 'recipe-cvae'; metrics_json holds the phase metrics and the evaluation); null when cancelled. */
  model: StoredModel | null;
}

// ---------------------------------------------------------------------------------------------
// Checkpoint bytes: "MFCKPT1\n" | u32le JSON length | JSON {version, config, epoch, history,
// weightsBytes, optimizerBytes} | pad to 4 | packWeights(weights) | packWeights(optimizer).

const CKPT_MAGIC = 'MFCKPT1\n';

export function packCheckpoint(c: TrainCheckpoint): Uint8Array {
  const w = packWeights(c.weights);
  const o = packWeights(c.optimizer);
  return encodeTaggedFile(CKPT_MAGIC, { version: c.version, config: c.config, epoch: c.epoch, history: c.history, weightsBytes: w.length, optimizerBytes: o.length }, w, o);
}

export function unpackCheckpoint(bytes: Uint8Array, what = 'checkpoint'): TrainCheckpoint {
  const { head: meta, body } = decodeTaggedFile<{ version: 1; config: ResolvedVaeConfig; epoch: number; history: EpochStats[]; weightsBytes: number; optimizerBytes: number }>(bytes, CKPT_MAGIC, what, {
    notThis: { message: 'not a MediaForge training checkpoint', hint: 'start a new training run' },
    damaged: { message: 'the checkpoint description is damaged', hint: 'start a new training run' },
  });
  if (meta.weightsBytes + meta.optimizerBytes !== body.length) throw new AppError('DATA_INVALID', `${what}: the checkpoint is truncated`, 'start a new training run');
  return {
    version: meta.version,
    config: resolveVaeConfig(meta.config),
    epoch: meta.epoch,
    history: meta.history,
    weights: unpackWeights(body.subarray(0, meta.weightsBytes), `${what} weights`),
    optimizer: unpackWeights(body.subarray(meta.weightsBytes), `${what} optimizer state`),
  };
}

// ---------------------------------------------------------------------------------------------

let backend: Promise<BackendStatus> | null = null;
let backendStatus: BackendStatus | null = null;

interface Run {
  controller: AbortController;
  paused: boolean;
  /** Resolves the pause of onBatch. */
  release: (() => void) | null;
}
let run: Run | null = null;

let neighborModel: { id: string; vae: GenomeVae; index: GenomeNeighborIndex } | null = null;
let recipeModel: { id: string; cvae: RecipeCvae } | null = null;
/** The media the loaded recipe CVAE scores (the DB worker's recipeScoringMedia, over its vocabulary), by model id. */
let scoringMedia: { modelId: string; media: ScoredMedia } | null = null;

function loadedModel(): { id: string; vae: GenomeVae; index: GenomeNeighborIndex } {
  if (!neighborModel) throw new AppError('INTERNAL', 'no genome model is loaded for neighbour search');
  return neighborModel;
}

function ensureBackend(): Promise<BackendStatus> {
  return (backend ??= initBrowserBackend('auto').then((s) => (backendStatus = s)));
}

const now = () => performance.now();

function checkSet(set: TrainingSet): void {
  const n = set.genomeIds.length;
  if (set.counts.length !== n * FEATURE_COUNT || set.keys.length !== n || set.species.length !== n || set.organismTypes.length !== n) {
    throw new AppError('INTERNAL', `training set: ${n} genomes but ${set.counts.length / FEATURE_COUNT} profiles`);
  }
}

function labelled(set: TrainingSet): LabelledProfile[] {
  return Array.from(set.genomeIds, (_, i) => ({
    key: set.keys[i],
    species: set.species[i],
    organismType: set.organismTypes[i],
    counts: set.counts.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT),
  }));
}

function reportItems(set: TrainingSet, items: LabelledProfile[]): ReportItem[] {
  return items.map((it, i) => ({
    species: it.species,
    organismType: it.organismType,
    recordType: set.recordTypes[i],
    gcFraction: set.gcFractions[i],
    counts: it.counts,
    domainCall: set.domainCalls[i],
  }));
}

export const mlWorkerApi = {
  /** Probes and starts the tfjs backend (override from settings); safe to call again to switch. */
  async init(override: BackendOverride = 'auto'): Promise<BackendStatus> {
    if (run) throw new AppError('BAD_OPTION', 'the backend cannot change while a model is training', 'wait for the run to finish or cancel it');
    if (backendStatus && backendStatus.override === override) return backendStatus;
    const prev = backend;
    backend = (prev ?? Promise.resolve(null)).catch(() => null).then(() => initBrowserBackend(override)).then((s) => (backendStatus = s));
    return backend;
  },

  backend(): BackendStatus | null {
    return backendStatus;
  },

  /**
   * Trains a genome VAE on the given genomes (or continues a checkpoint), then embeds every
   * genome and computes the verification report. Progress and checkpoints go to `callbacks`.
   */
  async train(set: TrainingSet, configInput: VaeConfig, options: TrainOptions, callbacks: TrainCallbacks): Promise<TrainOutcome> {
    if (run) throw new AppError('BAD_OPTION', 'a model is already training', 'wait for it to finish or cancel it');
    const status = await ensureBackend();
    checkSet(set);
    const resumeFrom = options.checkpoint ? unpackCheckpoint(options.checkpoint) : undefined;
    const config = resolveVaeConfig(resumeFrom?.config ?? configInput);
    const me: Run = { controller: new AbortController(), paused: false, release: null };
    run = me;
    const items = labelled(set);
    const epochs = config.epochs;
    const startEpoch = resumeFrom?.epoch ?? 0;
    // Progress: batch timing gives samples/s and the ETA of the remaining epochs.
    let epoch = startEpoch;
    let batchesPerEpoch = 1;
    let lastSent = 0;
    let lastYield = now();
    let rate = { t: now(), batches: 0, msPerBatch: NaN };
    let samplesPerSec = NaN;
    const send = (p: Omit<TrainProgress, 'epochs'>) => callbacks.onProgress({ ...p, epochs });
    send({ phase: 'starting', epoch: startEpoch, done: 0, total: 0, samplesPerSec: NaN, etaSec: NaN });
    const history: EpochStats[] = [...(resumeFrom?.history ?? [])];

    try {
      const { model, result } = await trainModel(items, config, {
        valFraction: options.valFraction ?? 0.15,
        dataDescription: `${items.length} genomes with a k-mer profile in this browser's database`,
        createdBy: `MediaForge app (${status.active})`,
        signal: me.controller.signal,
        resumeFrom,
        onEpoch: (s) => {
          epoch = s.epoch;
          samplesPerSec = s.samplesPerSec;
          history.push(s);
          callbacks.onEpoch(s);
        },
        onCheckpoint: async (c) => {
          const bytes = packCheckpoint(c);
          await callbacks.onCheckpoint(transfer({ epoch: c.epoch, bytes, history: c.history }, [bytes.buffer as ArrayBuffer]));
        },
        onBatch: async (b, batches) => {
          batchesPerEpoch = batches;
          const t = now();
          rate.batches++;
          if (t - rate.t > 500) rate = { t, batches: 0, msPerBatch: (t - rate.t) / rate.batches };
          if (t - lastSent > 200 || b === batches || me.paused) {
            lastSent = t;
            const left = (epochs - epoch - 1) * batchesPerEpoch + (batches - b);
            const ms = Number.isFinite(rate.msPerBatch) ? rate.msPerBatch : (t - rate.t) / Math.max(1, rate.batches);
            send({ phase: 'training', epoch: epoch + 1, done: b, total: batches, samplesPerSec: Number.isFinite(samplesPerSec) ? samplesPerSec : (config.batchSize * 1000) / ms, etaSec: (left * ms) / 1000 });
          }
          if (me.paused) {
            await new Promise<void>((ok) => (me.release = ok));
            rate = { t: now(), batches: 0, msPerBatch: rate.msPerBatch };
          }
          if (now() - lastYield > 40) {
            await yieldToEventLoop();
            lastYield = now();
          }
        },
      });
      const base = { stoppedBy: result.stoppedBy, message: result.message ?? null, epochs: result.epochs, resumedFrom: startEpoch, history: result.history };
      if (result.stoppedBy === 'cancelled' || result.epochs === 0) {
        result.vae.dispose();
        return { ...base, cancelledIn: result.stoppedBy === 'cancelled' ? 'training' : null, model: null, embeddings: null };
      }

      // Embed every genome, in chunks (progress, cancel between chunks).
      const dim = config.latentDim;
      const vectors = new Float32Array(items.length * dim);
      const chunk = 64;
      const t0 = now();
      for (let s = 0; s < items.length; s += chunk) {
        if (me.controller.signal.aborted) {
          result.vae.dispose();
          return { ...base, stoppedBy: 'cancelled', cancelledIn: 'embedding', model: null, embeddings: null };
        }
        vectors.set(embedProfiles(result.vae, items.slice(s, s + chunk)), s * dim);
        const done = Math.min(items.length, s + chunk);
        send({ phase: 'embedding', epoch: result.epochs, done, total: items.length, samplesPerSec: (done / (now() - t0)) * 1000, etaSec: ((items.length - done) * (now() - t0)) / done / 1000 });
        await yieldToEventLoop();
      }
      send({ phase: 'report', epoch: result.epochs, done: 0, total: 1, samplesPerSec: NaN, etaSec: NaN });
      await yieldToEventLoop();
      model.report = computeVaeReport(result.vae, reportItems(set, items), { valGenera: model.provenance.valGenera }) as unknown as Record<string, unknown>;
      result.vae.dispose();
      send({ phase: 'packing', epoch: result.epochs, done: 1, total: 1, samplesPerSec: NaN, etaSec: 0 });
      const row = toModelRow(model);
      const genomeIds = Int32Array.from(set.genomeIds);
      return transfer({ ...base, cancelledIn: null, model: row, embeddings: { genomeIds, vectors, dim } }, [row.weights.buffer as ArrayBuffer, vectors.buffer, genomeIds.buffer]);
    } finally {
      if (run === me) run = null;
    }
  },

  pause(): boolean {
    if (!run) return false;
    run.paused = true;
    return true;
  },

  resume(): boolean {
    if (!run) return false;
    run.paused = false;
    run.release?.();
    run.release = null;
    return true;
  },

  /** Stops training (or the embedding after it) at the next batch; train() then resolves 'cancelled'. */
  cancel(): boolean {
    if (!run) return false;
    run.controller.abort();
    run.paused = false;
    run.release?.();
    run.release = null;
    return true;
  },

  /** The id of the model neighbours are searched with, or null. */
  neighborModelId(): string | null {
    return neighborModel?.id ?? null;
  },

  /**
   * Builds the VAE and the neighbour index of a model (replaces the previous one). Without weights
   * (the model already held, e.g. after genomes were added to the database) only the index is rebuilt.
   */
  async setNeighborModel(data: NeighborModelData): Promise<{ modelId: string; genomes: number; dim: number }> {
    await ensureBackend();
    if (!data.model.weights && neighborModel?.id === data.model.id) {
      if (data.dim !== neighborModel.vae.config.latentDim) throw new AppError('DB_INVALID', `model ${data.model.id}: embeddings have ${data.dim} dimensions, the model ${neighborModel.vae.config.latentDim}`, 'train the model again');
      neighborModel.index = new GenomeNeighborIndex(data.model.id, data.vectors, data.dim, data.candidates);
      return { modelId: data.model.id, genomes: neighborModel.index.size, dim: data.dim };
    }
    const m = fromModelRow(data.model);
    if (data.dim !== m.config.latentDim) throw new AppError('DB_INVALID', `model ${m.id}: embeddings have ${data.dim} dimensions, the model ${m.config.latentDim}`, 'train the model again');
    const vae = instantiateGenomeVae(m);
    neighborModel?.vae.dispose();
    neighborModel = { id: m.id, vae, index: new GenomeNeighborIndex(m.id, data.vectors, data.dim, data.candidates) };
    return { modelId: m.id, genomes: neighborModel.index.size, dim: data.dim };
  },

  /**
   * Latent vectors of n k-mer profiles (row-major n × 2,772 counts) by the neighbour model, for
   * genomes about to be stored in the database (transferred back, n × dim).
   */
  embed(counts: Float64Array): { modelId: string; dim: number; vectors: Float32Array } {
    const { id, vae } = loadedModel();
    if (counts.length % FEATURE_COUNT !== 0) throw new AppError('BAD_OPTION', `not a whole number of k-mer profiles of ${FEATURE_COUNT} features`);
    const n = counts.length / FEATURE_COUNT;
    const vectors = embedProfiles(vae, Array.from({ length: n }, (_, i) => ({ counts: counts.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT) })));
    return transfer({ modelId: id, dim: vae.config.latentDim, vectors }, [vectors.buffer]);
  },

  /**
   * The k nearest database genomes of each of many profiles (the records of a MAG or contig set,
   * sent in batches with their buffers transferred), each with its own rRNA domain call.
   */
  recordNeighbors(counts: Float64Array[], calls: DomainCall[], k = 1): { modelId: string; neighbors: GenomeNeighbor[][] } {
    const { id, vae, index } = loadedModel();
    if (calls.length !== counts.length) throw new AppError('INTERNAL', `recordNeighbors: ${counts.length} profiles but ${calls.length} domain calls`);
    const bad = counts.findIndex((c) => c.length !== FEATURE_COUNT);
    if (bad >= 0) throw new AppError('BAD_OPTION', `profile ${bad + 1}: not a k-mer profile of ${FEATURE_COUNT} features`);
    return { modelId: id, neighbors: nearestGenomesOf(vae, index, counts.map((c, i) => ({ counts: c, domainCall: calls[i] })), k) };
  },

  /**
   * The k nearest database genomes of one k-mer profile (2,772 counts), by the active model;
   * `queryCall` is the profile's rRNA domain evidence when it was scanned ('unknown': cosine only).
   */
  async neighbors(counts: Float64Array, k = 5, queryCall: DomainCall = 'unknown'): Promise<{ modelId: string; neighbors: GenomeNeighbor[] }> {
    const { id, vae, index } = loadedModel();
    if (counts.length !== FEATURE_COUNT) throw new AppError('BAD_OPTION', `not a k-mer profile of ${FEATURE_COUNT} features`);
    const query = embedProfiles(vae, [{ counts }]);
    return { modelId: id, neighbors: index.search(query, k, queryCall) };
  },

  // ---- recipe CVAE ----------------------------------------------------------------------------

  /**
   * Trains the recipe CVAE through its curriculum on `input` (the db worker builds it with
   * loadCvaeInput(db): media matrix, strain/medium pairs with their condition vectors, formulas),
   * or continues a checkpoint. Shares the genome VAE's run state: pause(), resume() and cancel()
   * act on whichever model is training, and only one model trains at a time. After training, the
   * held-out evaluation (validity, nearest medium in the genus vs the most popular medium) goes into
   * the model row's metrics_json; the row is not stored or activated here (the db worker does that).
   */
  async trainRecipeCvae(packedInput: PackedCvaeInput, configInput: RecipeCvaeConfig, options: { checkpoint?: Uint8Array; evalRows?: number }, callbacks: RecipeTrainCallbacks): Promise<RecipeTrainOutcome> {
    if (run) throw new AppError('BAD_OPTION', 'a model is already training', 'wait for it to finish or cancel it');
    const input = unpackCvaeInput(packedInput);
    const status = await ensureBackend();
    const resumeFrom = options.checkpoint ? unpackRecipeCheckpoint(options.checkpoint) : undefined;
    const config = resolveRecipeCvaeConfig(resumeFrom?.config ?? { ...configInput, vocabSize: input.matrix.vocab.length, genomeDim: input.data.genomeDim });
    const me: Run = { controller: new AbortController(), paused: false, release: null };
    run = me;
    const epochs = totalEpochs(config);
    const startEpoch = resumeFrom?.epoch ?? 0;
    let epoch = startEpoch;
    let phase = 0;
    let lastSent = 0;
    let lastYield = now();
    let rate = { t: now(), batches: 0, msPerBatch: NaN };
    let samplesPerSec = NaN;
    const send = (p: Omit<RecipeTrainProgress, 'epochs'>) => callbacks.onProgress({ ...p, epochs });
    send({ stage: 'starting', epoch: startEpoch, phase: 0, done: 0, total: 0, samplesPerSec: NaN, etaSec: NaN });
    try {
      const { model, result } = await trainRecipeModel(input, config, {
        dataDescription: `strain-medium pairs and fungal/protist media of this browser's database`,
        createdBy: `MediaForge app (${status.active})`,
        signal: me.controller.signal,
        resumeFrom,
        evalRows: options.evalRows,
        onEpoch: (st) => {
          epoch = st.epoch;
          phase = st.phase;
          samplesPerSec = st.samplesPerSec;
          callbacks.onEpoch(st);
        },
        onPhaseMetrics: (m) => {
          send({ stage: 'evaluating', epoch, phase: m.phase, done: 0, total: 1, samplesPerSec, etaSec: NaN });
          callbacks.onPhase(m);
        },
        onCheckpoint: async (c) => {
          const bytes = packRecipeCheckpoint(c);
          await callbacks.onCheckpoint(transfer({ epoch: c.epoch, bytes, history: c.history }, [bytes.buffer as ArrayBuffer]));
        },
        onBatch: async (b, batches) => {
          const t = now();
          rate.batches++;
          if (t - rate.t > 500) rate = { t, batches: 0, msPerBatch: (t - rate.t) / rate.batches };
          if (t - lastSent > 200 || b === batches || me.paused) {
            lastSent = t;
            const ms = Number.isFinite(rate.msPerBatch) ? rate.msPerBatch : (t - rate.t) / Math.max(1, rate.batches);
            const left = (epochs - epoch - 1) * batches + (batches - b);
            send({ stage: 'training', epoch: epoch + 1, phase, done: b, total: batches, samplesPerSec: Number.isFinite(samplesPerSec) ? samplesPerSec : (config.batchSize * 1000) / ms, etaSec: (left * ms) / 1000 });
          }
          if (me.paused) {
            await new Promise<void>((ok) => (me.release = ok));
            rate = { t: now(), batches: 0, msPerBatch: rate.msPerBatch };
          }
          if (now() - lastYield > 40) {
            await yieldToEventLoop();
            lastYield = now();
          }
        },
      });
      result.cvae.dispose();
      const base = { stoppedBy: result.stoppedBy, message: result.message ?? null, epochs: result.epochs, resumedFrom: startEpoch, history: result.history };
      if (result.stoppedBy === 'cancelled' || result.epochs === 0) return { ...base, model: null };
      send({ stage: 'packing', epoch: result.epochs, phase: 3, done: 1, total: 1, samplesPerSec: NaN, etaSec: 0 });
      const row = toRecipeModelRow(model);
      return transfer({ ...base, model: row }, [row.weights.buffer as ArrayBuffer]);
    } finally {
      if (run === me) run = null;
    }
  },

  /** Loads a recipe CVAE (a models row of kind 'recipe-cvae') for generateRecipeVectors; replaces the previous one. */
  async setRecipeModel(row: StoredModel): Promise<{ modelId: string; vocabSize: number; genomeDim: number; genomeModelId: string | null; conditionDim: number }> {
    await ensureBackend();
    const m = fromRecipeModelRow(row);
    if (recipeModel?.id !== m.id) {
      const cvae = instantiateRecipeCvae(m);
      recipeModel?.cvae.dispose();
      recipeModel = { id: m.id, cvae };
    }
    return { modelId: m.id, vocabSize: m.config.vocabSize, genomeDim: m.config.genomeDim, genomeModelId: m.genomeModelId, conditionDim: recipeModel.cvae.conditionDim };
  },

  /** The id of the loaded recipe CVAE, or null. */
  recipeModelId(): string | null {
    return recipeModel?.id ?? null;
  },

  /**
   * n decoded recipe vectors for one condition vector (encodeCondition(condition, genomeDim)):
   * z ~ N(0, scale² I) from `seed`, so the same seed gives the same recipes. The buffers are
   * transferred; describeGeneratedRecipes(matrix, vectors, { formulas }) turns them into recipes
   * (db worker).
   */
  generateRecipeVectors(conditionVector: Float32Array, n: number, seed: number, scale?: number): RecipeVectors & { modelId: string } {
    if (!recipeModel) throw new AppError('INTERNAL', 'no recipe model is loaded (call setRecipeModel first)');
    const v = sampleRecipeVectors(recipeModel.cvae, conditionVector, n, seed, scale);
    return transfer({ ...v, modelId: recipeModel.id }, [v.presence.buffer, v.stockOnly.buffer, v.amount.buffer, v.ph.buffer] as ArrayBuffer[]);
  },

  /** Takes the media matrix (over the loaded recipe model's vocabulary) that scoreRecipeLikelihood scores. */
  setRecipeScoringMedia(modelId: string, media: ScoredMedia): void {
    scoringMedia = { modelId, media };
  },

  /** The model id whose scoring media this worker holds, or null. */
  recipeScoringMediaId(): string | null {
    return scoringMedia?.modelId ?? null;
  },

  /**
   * log p(m | c) of every medium (recipe-cvae-score.ts) under one condition vector, in the
   * order of the scoring media (media.tsv order); NaN = no recipe. Transferred.
   */
  scoreRecipeLikelihood(conditionVector: Float32Array): { modelId: string; logLikelihood: Float32Array } {
    if (!recipeModel) throw new AppError('INTERNAL', 'no recipe model is loaded (call setRecipeModel first)');
    if (scoringMedia?.modelId !== recipeModel.id) throw new AppError('INTERNAL', 'no media to score for this recipe model (call setRecipeScoringMedia first)');
    const ll = scoreMediaLikelihood(recipeModel.cvae, scoringMedia.media, conditionVector).logLikelihood;
    return transfer({ modelId: recipeModel.id, logLikelihood: ll }, [ll.buffer as ArrayBuffer]);
  },

  /** tfjs memory, for diagnostics. */
  memory(): { numTensors: number; numBytes: number; backend: string } {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, backend: tf.getBackend() };
  },
};

export type MlWorkerApi = typeof mlWorkerApi;
