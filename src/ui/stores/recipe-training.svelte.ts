/**
 * The Model tab's recipe CVAE section: the active recipe model (its phase metrics and held-out
 * evaluation), a training form (preset, epochs per curriculum phase, seed), and a training run in
 * the ML worker (the genome VAE's backend and run state: pause/resume/cancel), with live epochs,
 * per-phase metrics, checkpoints in the database (kind 'recipe-cvae-checkpoint') and a resume after
 * a reload. At the end the model is stored and activated (storeRecipeModel, db worker), loaded into
 * the ML worker (setRecipeModel) and the Media tab is told (`onmodel`). Shared through context.
 */
import { proxy, transfer } from 'comlink';
import { getContext, setContext } from 'svelte';
import { AppError, serializeError, type SerializedAppError } from '../../core/errors';
import type { BackendStatus } from '../../ml/browser-backend';
import type { CvaeEpochStats } from '../../ml/recipe-cvae';
import { RECIPE_CVAE_PRESETS, resolveRecipeCvaeConfig, totalEpochs, type RecipeCvaeConfig, type ResolvedRecipeCvaeConfig } from '../../ml/recipe-cvae-config';
import type { CvaeInput, PhaseMetrics } from '../../ml/recipe-cvae-pipeline';
import type { RecipeCheckpointRecord, RecipeCheckpointSummary, RecipeModelInfo } from '../../runs-in-worker/db-worker-api';
import type { RecipeTrainOutcome, RecipeTrainProgress } from '../../runs-in-worker/ml-worker-api';
import type { MlClient } from '../../runs-on-page/ml-client';
import type { DatabaseStore } from './database.svelte';
import { whenDatabaseReady, type TrainStatus } from './training.svelte';
import { localJson } from '../local-json';

export const RECIPE_PRESETS = ['tiny', 'default'] as const;
export type RecipePreset = (typeof RECIPE_PRESETS)[number];
/** The curriculum's phases, in order (each adds a group to the training rows). */
export const RECIPE_PHASES = ['bacteria', '+ archaea', '+ fungi', '+ protists'] as const;

export interface RecipeTrainForm {
  preset: RecipePreset;
  /** Epochs of each phase, as typed: "2, 1, 1, 1". */
  epochsPerPhase: string;
  seed: number | null;
}

/** localStorage: the recipe CVAE run in progress, so a reload resumes it. */
export const RECIPE_RUN_KEY = 'mediaforge.recipe-training.run';
/** Held-out strains per group in the final nearest-medium evaluation. */
const EVAL_ROWS = 1000;

interface RunKey {
  runId: string;
  options: RecipeCvaeConfig;
  startedAt: string;
  /** Epoch of the last checkpoint written (0/absent: none yet). */
  checkpointEpoch?: number;
}

export function recipeFormForPreset(preset: RecipePreset, seed: number | null = 42): RecipeTrainForm {
  const c = resolveRecipeCvaeConfig(RECIPE_CVAE_PRESETS[preset]);
  return { preset, epochsPerPhase: c.epochsPerPhase.join(', '), seed };
}

/** The form as options (and the resolved config, for display), or the first problem in words. */
export function recipeConfigFromForm(f: RecipeTrainForm): { options: RecipeCvaeConfig | null; config: ResolvedRecipeCvaeConfig | null; error: string | null; field: 'epochs' | 'seed' | null } {
  const parts = f.epochsPerPhase.split(/[\s,;]+/).filter(Boolean);
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p))) return { options: null, config: null, error: 'epochs per phase: enter 4 whole numbers (bacteria, + archaea, + fungi, + protists), e.g. 2, 1, 1, 1', field: 'epochs' };
  if (typeof f.seed !== 'number' || Number.isNaN(f.seed)) return { options: null, config: null, error: 'seed: enter a number', field: 'seed' };
  const options: RecipeCvaeConfig = { ...RECIPE_CVAE_PRESETS[f.preset], epochsPerPhase: parts.map(Number), seed: f.seed };
  try {
    return { options, config: resolveRecipeCvaeConfig(options), error: null, field: null };
  } catch (e) {
    const message = (e as Error).message;
    return { options: null, config: null, error: message, field: message.startsWith('seed') ? 'seed' : 'epochs' };
  }
}

/** 0-based curriculum phase of a 1-based epoch (over all phases). */
export function phaseOfEpoch(epochsPerPhase: number[], epoch: number): number {
  let end = 0;
  for (let i = 0; i < epochsPerPhase.length; i++) {
    end += epochsPerPhase[i];
    if (epoch <= end && epochsPerPhase[i] > 0) return i;
  }
  return Math.max(0, epochsPerPhase.length - 1);
}

const runStore = localJson<RunKey>(RECIPE_RUN_KEY);
const readRunKey = runStore.read;
const writeRunKey = runStore.write;

/** The typed arrays of the training input (each buffer once), to transfer to the ML worker. */
function inputBuffers(input: CvaeInput): ArrayBuffer[] {
  const m = input.matrix;
  const views: ArrayBufferView[] = [m.amount, m.present, m.stock, m.ph, m.complex, m.hasComposition, m.outOfVocab, input.data.conditions, input.data.mediumIndex];
  return [...new Set(views.filter(Boolean).map((v) => v.buffer as ArrayBuffer))];
}

export class RecipeTrainingStore {
  backend = $state.raw<BackendStatus | null>(null);
  form = $state<RecipeTrainForm>(recipeFormForPreset('tiny'));
  readonly formCheck = $derived(recipeConfigFromForm(this.form));

  status = $state<TrainStatus>('idle');
  progress = $state.raw<RecipeTrainProgress | null>(null);
  /** Every epoch of the run so far (earlier ones included after a resume). */
  history = $state.raw<CvaeEpochStats[]>([]);
  /** Held-out metrics of each curriculum phase finished so far. */
  phases = $state.raw<PhaseMetrics[]>([]);
  epochs = $state(0);
  /** Epochs per phase of the run (for the phase of an epoch). */
  epochsPerPhase = $state.raw<number[]>([]);
  resumedFrom = $state<number | null>(null);
  lastCheckpoint = $state<number | null>(null);
  checkpointError = $state.raw<SerializedAppError | null>(null);
  message = $state<string | null>(null);
  error = $state.raw<SerializedAppError | null>(null);

  activeModel = $state.raw<RecipeModelInfo | null>(null);
  activeModelLoaded = $state(false);
  interrupted = $state.raw<RecipeCheckpointSummary | null>(null);
  /** The training pairs of the run (train / held out), once the input is loaded. */
  rows = $state.raw<{ train: number; heldOut: number; vocab: number } | null>(null);

  readonly epoch = $derived(this.history.length ? this.history[this.history.length - 1].epoch : 0);
  readonly running = $derived(['loading', 'training', 'paused', 'cancelling', 'finishing'].includes(this.status));
  /** 0-based curriculum phase in progress (or of the last epoch). */
  readonly phase = $derived.by(() => {
    const p = this.progress;
    // The worker's progress names the phase of the last finished epoch: place the epoch in progress instead.
    if (p && this.running && p.stage === 'training' && this.epochsPerPhase.length === 4) return phaseOfEpoch(this.epochsPerPhase, p.epoch);
    if (p && this.running && p.stage === 'evaluating') return p.phase;
    return this.history.length ? this.history[this.history.length - 1].phase : 0;
  });

  readonly ml: MlClient;
  readonly database: DatabaseStore;
  /** Whether another model (the genome VAE) is training in the ML worker: one run at a time. */
  readonly otherBusy: () => boolean;
  /** Called after a new recipe model is stored, activated and loaded (the Media tab regenerates its recipes). */
  onmodel: (() => void) | null = null;

  #run: { runId: string; startedAt: string } | null = null;
  #pending: RecipeCheckpointRecord | null = null;
  #saving: Promise<void> = Promise.resolve();

  constructor(ml: MlClient, database: DatabaseStore, otherBusy: () => boolean = () => false) {
    this.ml = ml;
    this.database = database;
    this.otherBusy = otherBusy;
  }

  setPreset(preset: RecipePreset): void {
    this.form = recipeFormForPreset(preset, this.form.seed);
  }

  /** The Model tab was shown: the active recipe model and an unfinished run to offer. */
  async show(): Promise<void> {
    try {
      const db = await whenDatabaseReady(this.database);
      this.activeModel = await db.recipeModelInfo();
      this.activeModelLoaded = true;
      if (!this.running) this.interrupted = await db.recipeCheckpointSummary();
    } catch (e) {
      if (this.running) return;
      this.error = serializeError(e);
      this.status = 'error';
    }
  }

  /** After a reload: continues the run that was in progress from its last checkpoint. */
  async resumeAfterReload(): Promise<void> {
    const key = readRunKey();
    if (!key || this.running) return;
    await this.resumeRun(key.runId, key);
  }

  async start(): Promise<void> {
    if (this.running || this.otherBusy()) return;
    const { options } = this.formCheck;
    if (!options) return;
    this.#reset();
    this.status = 'loading';
    try {
      const config = resolveRecipeCvaeConfig(options);
      const db = await whenDatabaseReady(this.database);
      const input = await db.recipeTrainingInput({ valFraction: config.valFraction, seed: config.seed });
      const startedAt = new Date().toISOString();
      this.#run = { runId: `recipe-cvae-run-${startedAt.replace(/[^0-9]/g, '').slice(0, 17)}`, startedAt };
      writeRunKey({ runId: this.#run.runId, options, startedAt });
      await this.#train(input, options, null);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Continues an unfinished run from its checkpoint (the newest one when no id is given). */
  async resumeRun(runId?: string, fallback?: RunKey): Promise<void> {
    if (this.running || this.otherBusy()) return;
    this.#reset();
    this.status = 'loading';
    try {
      const db = await whenDatabaseReady(this.database);
      const cp = await db.getRecipeCheckpoint(runId);
      if (!cp && fallback?.checkpointEpoch) {
        // Its checkpoint is gone: the run was saved as a model or discarded.
        writeRunKey(null);
        this.status = 'idle';
        return;
      }
      if (!cp) {
        if (!fallback) throw new AppError('DATA_INVALID', 'the interrupted run has no checkpoint in the database', 'start a new run');
        const config = resolveRecipeCvaeConfig(fallback.options);
        const input = await db.recipeTrainingInput({ valFraction: config.valFraction, seed: config.seed });
        this.#run = { runId: fallback.runId, startedAt: fallback.startedAt };
        this.message = 'The run was interrupted before its first checkpoint, so it started again from epoch 0.';
        await this.#train(input, fallback.options, null);
        return;
      }
      const c = cp.config;
      this.#run = { runId: cp.runId, startedAt: cp.startedAt };
      writeRunKey({ runId: cp.runId, options: c, startedAt: cp.startedAt, checkpointEpoch: cp.epoch });
      this.form = { ...this.form, epochsPerPhase: c.epochsPerPhase.join(', '), seed: c.seed };
      this.history = cp.history;
      this.phases = cp.phases as PhaseMetrics[];
      this.resumedFrom = cp.epoch;
      this.lastCheckpoint = cp.epoch;
      this.interrupted = null;
      const input = await db.recipeTrainingInput({ valFraction: c.valFraction, seed: c.seed, vocabSize: c.vocabSize, genomeDim: c.genomeDim });
      await this.#train(input, c, cp.bytes);
    } catch (e) {
      this.#fail(e);
    }
  }

  async discardInterrupted(): Promise<void> {
    const cp = this.interrupted;
    if (!cp || this.running) return;
    const db = await whenDatabaseReady(this.database);
    await db.deleteRecipeCheckpoint(cp.runId);
    if (readRunKey()?.runId === cp.runId) writeRunKey(null);
    this.interrupted = null;
  }

  async pause(): Promise<void> {
    if (this.status !== 'training') return;
    if (await this.ml.api.pause()) this.status = 'paused';
  }

  async resume(): Promise<void> {
    if (this.status !== 'paused') return;
    if (await this.ml.api.resume()) this.status = 'training';
  }

  async cancel(): Promise<void> {
    if (!['training', 'paused', 'finishing'].includes(this.status)) return;
    this.status = 'cancelling';
    await this.ml.api.cancel();
  }

  #reset(): void {
    this.error = null;
    this.message = null;
    this.checkpointError = null;
    this.history = [];
    this.phases = [];
    this.progress = null;
    this.resumedFrom = null;
    this.lastCheckpoint = null;
    this.rows = null;
  }

  #fail(e: unknown): void {
    this.error = serializeError(e);
    this.status = 'error';
    this.#run = null;
    writeRunKey(null);
    if (this.database.ready) void this.database.client.api.recipeCheckpointSummary().then((c) => (this.interrupted = c), () => undefined);
  }

  #queueCheckpoint(c: { epoch: number; bytes: Uint8Array; history: CvaeEpochStats[] }, config: ResolvedRecipeCvaeConfig): void {
    const run = this.#run;
    if (!run) return;
    const idle = this.#pending === null;
    this.#pending = { runId: run.runId, startedAt: run.startedAt, config, epoch: c.epoch, history: c.history, phases: this.phases, savedAt: new Date().toISOString(), bytes: c.bytes };
    if (idle) this.#saving = this.#saving.then(() => this.#flushCheckpoint());
  }

  async #flushCheckpoint(): Promise<void> {
    const rec = this.#pending;
    this.#pending = null;
    if (!rec) return;
    try {
      await this.database.client.api.saveRecipeCheckpoint(transfer(rec, [rec.bytes.buffer as ArrayBuffer]));
      this.lastCheckpoint = rec.epoch;
      const key = readRunKey();
      if (key?.runId === rec.runId) writeRunKey({ ...key, checkpointEpoch: rec.epoch });
    } catch (e) {
      this.checkpointError = serializeError(e);
    }
  }

  async #train(input: CvaeInput, options: RecipeCvaeConfig, checkpoint: Uint8Array | null): Promise<void> {
    const ml = await this.ml.remote();
    this.backend = await this.ml.ready();
    const config = resolveRecipeCvaeConfig({ ...options, vocabSize: input.matrix.vocab.length, genomeDim: input.data.genomeDim });
    this.epochs = totalEpochs(config);
    this.epochsPerPhase = config.epochsPerPhase;
    const heldOut = input.data.pairs.filter((p) => p.heldOut).length;
    this.rows = { train: input.data.pairs.length - heldOut, heldOut, vocab: input.matrix.vocab.length };
    this.status = 'training';
    const opts = checkpoint ? transfer({ checkpoint, evalRows: EVAL_ROWS }, [checkpoint.buffer as ArrayBuffer]) : { evalRows: EVAL_ROWS };
    const outcome = await ml.trainRecipeCvae(
      transfer(input, inputBuffers(input)),
      options,
      opts,
      proxy({
        onEpoch: (s: CvaeEpochStats) => {
          this.history = [...this.history, s];
        },
        onPhase: (m: PhaseMetrics) => {
          this.phases = [...this.phases.filter((p) => p.phase !== m.phase), m];
        },
        onCheckpoint: (c: { epoch: number; bytes: Uint8Array; history: CvaeEpochStats[] }) => this.#queueCheckpoint(c, config),
        onProgress: (p: RecipeTrainProgress) => {
          this.progress = p;
          if (p.stage === 'packing' && this.status === 'training') this.status = 'finishing';
        },
      }),
    );
    await this.#finish(outcome);
  }

  async #finish(outcome: RecipeTrainOutcome): Promise<void> {
    await this.#saving;
    const run = this.#run!;
    const db = this.database.client.api;
    this.history = outcome.history;
    if (outcome.model?.weights) {
      this.status = 'finishing';
      const row = outcome.model;
      const weights = row.weights!;
      const copy = weights.slice();
      this.activeModel = await db.saveTrainedRecipeModel(transfer({ ...row, weights: copy }, [copy.buffer as ArrayBuffer]), run.runId);
      writeRunKey(null);
      await (await this.ml.remote()).setRecipeModel(transfer(row, [weights.buffer as ArrayBuffer]));
      this.database.revision++;
      this.onmodel?.();
      this.status = outcome.stoppedBy === 'non-finite' ? 'stopped' : 'done';
      this.message = outcome.message;
    } else if (outcome.stoppedBy === 'cancelled') {
      writeRunKey(null);
      await db.deleteRecipeCheckpoint(run.runId);
      this.status = 'cancelled';
    } else {
      writeRunKey(null);
      await db.deleteRecipeCheckpoint(run.runId);
      this.status = 'stopped';
      this.message = outcome.message ?? 'training stopped before the first epoch finished';
    }
    this.#run = null;
  }
}

const KEY = Symbol('recipe-training');

export function setRecipeTrainingStore(store: RecipeTrainingStore): RecipeTrainingStore {
  return setContext(KEY, store);
}

export function getRecipeTrainingStore(): RecipeTrainingStore {
  const store = getContext<RecipeTrainingStore | undefined>(KEY);
  if (!store) throw new Error('RecipeTrainingStore missing: App.svelte sets it up');
  return store;
}
