/**
 * The Model tab's state: the ML worker's backend, the training form, a training run (live epoch
 * history, progress, pause/resume/cancel, checkpoints into the database, resume after a reload),
 * and the active model's verification report. tfjs runs in the ML worker (MlClient), SQL in the
 * db worker (through the DatabaseStore's client); this class only moves data between them and
 * keeps what the components show. Shared through context.
 */
import { proxy, transfer, type Remote } from 'comlink';
import { getContext, setContext } from 'svelte';
import { AppError, serializeError, type SerializedAppError } from '../../core/errors';
import type { BackendOverride, BackendStatus } from '../../ml/browser-backend';
import type { EpochStats } from '../../ml/train-vae';
import { resolveVaeConfig, VAE_PRESETS, type ResolvedVaeConfig, type VaeConfig } from '../../ml/vae-config';
import type { ActiveModelInfo, CheckpointRecord, CheckpointSummary, DbWorkerApi } from '../../runs-in-worker/db-worker-api';
import type { TrainingSet, TrainOutcome, TrainPhase, TrainProgress } from '../../runs-in-worker/ml-worker-api';
import type { MlClient } from '../../runs-on-page/ml-client';
import type { DatabaseStore } from './database.svelte';
import { localJson } from '../local-json';

export type TrainStatus = 'idle' | 'loading' | 'training' | 'paused' | 'cancelling' | 'finishing' | 'done' | 'stopped' | 'cancelled' | 'error';

export const TRAIN_PRESETS = ['tiny', 'default', 'design-doc'] as const;
export type TrainPreset = (typeof TRAIN_PRESETS)[number];

export interface TrainForm {
  preset: TrainPreset;
  epochs: number | null;
  latentDim: number | null;
  learningRate: number | null;
  beta: number | null;
}

/** localStorage: the run in progress ({runId, config, startedAt}), so a reload resumes it. */
export const RUN_KEY = 'mediaforge.training.run';
/** Share of genera held out for validation. */
const VAL_FRACTION = 0.15;

interface RunInfo {
  runId: string;
  config: ResolvedVaeConfig;
  genomeIds: number[];
  valFraction: number;
  startedAt: string;
}

export function formForPreset(preset: TrainPreset): TrainForm {
  const c = resolveVaeConfig(VAE_PRESETS[preset]);
  return { preset, epochs: c.epochs, latentDim: c.latentDim, learningRate: c.learningRate, beta: c.beta };
}

/** The form as a resolved config, or the first problem in words (field named first). */
export function configFromForm(f: TrainForm): { config: ResolvedVaeConfig | null; error: string | null; field: keyof TrainForm | null } {
  const fields: [keyof TrainForm, string][] = [
    ['epochs', 'epochs'],
    ['latentDim', 'latent dimensions'],
    ['learningRate', 'learning rate'],
    ['beta', 'β'],
  ];
  for (const [key, label] of fields) {
    const v = f[key];
    if (typeof v !== 'number' || Number.isNaN(v)) return { config: null, error: `${label}: enter a number`, field: key };
  }
  const options: VaeConfig = { ...VAE_PRESETS[f.preset], epochs: f.epochs!, latentDim: f.latentDim!, learningRate: f.learningRate!, beta: f.beta! };
  try {
    return { config: resolveVaeConfig(options), error: null, field: null };
  } catch (e) {
    const message = (e as Error).message;
    const field = (['epochs', 'latentDim', 'learningRate', 'beta'] as const).find((k) => message.startsWith(k)) ?? null;
    return { config: null, error: message, field };
  }
}

/** Waits until the shared database is open (opening it if nobody has yet); its worker API. */
export async function whenDatabaseReady(database: DatabaseStore, timeoutMs = 180_000): Promise<Remote<DbWorkerApi>> {
  const t0 = Date.now();
  if (database.status !== 'ready' && database.status !== 'loading') await database.open();
  while (database.status === 'loading') {
    if (Date.now() - t0 > timeoutMs) throw new AppError('INTERNAL', 'the database took too long to open', 'reload the page');
    await new Promise((ok) => setTimeout(ok, 100));
  }
  if (database.status !== 'ready') {
    const e = database.error;
    throw new AppError(e?.code ?? 'INTERNAL', e?.message ?? 'the database could not be opened', e?.hint);
  }
  return database.client.api;
}

interface RunKey {
  runId: string;
  config: ResolvedVaeConfig;
  startedAt: string;
  /** Epoch of the last checkpoint written (0: none yet, so a reload starts the run again). */
  checkpointEpoch?: number;
}

const runStore = localJson<RunKey>(RUN_KEY);
const readRunKey = runStore.read;
const writeRunKey = runStore.write;

function setBuffers(set: TrainingSet): ArrayBuffer[] {
  return [set.counts.buffer as ArrayBuffer, set.genomeIds.buffer as ArrayBuffer, set.gcFractions.buffer as ArrayBuffer];
}

export class TrainingStore {
  backend = $state.raw<BackendStatus | null>(null);
  backendError = $state.raw<SerializedAppError | null>(null);
  form = $state<TrainForm>(formForPreset('tiny'));
  readonly formCheck = $derived(configFromForm(this.form));

  status = $state<TrainStatus>('idle');
  phase = $state<TrainPhase | null>(null);
  /** Every epoch of the run so far (earlier epochs included after a resume). */
  history = $state.raw<EpochStats[]>([]);
  progress = $state.raw<TrainProgress | null>(null);
  /** Total epochs of the run. */
  epochs = $state(0);
  resumedFrom = $state<number | null>(null);
  /** Epoch of the last checkpoint written to the database. */
  lastCheckpoint = $state<number | null>(null);
  checkpointError = $state.raw<SerializedAppError | null>(null);
  /** Why training stopped early (non-finite loss) or what happened, in words. */
  message = $state<string | null>(null);
  error = $state.raw<SerializedAppError | null>(null);
  startedAtMs = $state(0);

  activeModel = $state.raw<ActiveModelInfo | null>(null);
  activeModelLoaded = $state(false);
  /** A stored unfinished run (not running now), offered for resume. */
  interrupted = $state.raw<CheckpointSummary | null>(null);
  /** Bumped after a new model is saved (the neighbour search reloads). */
  modelRevision = $state(0);

  readonly epoch = $derived(this.history.length ? this.history[this.history.length - 1].epoch : 0);
  readonly running = $derived(['loading', 'training', 'paused', 'cancelling', 'finishing'].includes(this.status));

  readonly ml: MlClient;
  readonly database: DatabaseStore;
  #run: RunInfo | null = null;
  #pending: CheckpointRecord | null = null;
  #saving: Promise<void> = Promise.resolve();

  constructor(ml: MlClient, database: DatabaseStore) {
    this.ml = ml;
    this.database = database;
  }

  setPreset(preset: TrainPreset): void {
    this.form = formForPreset(preset);
  }

  /** Starts the ML worker's backend (once) and shows what it chose. */
  async loadBackend(): Promise<void> {
    try {
      this.backend = await this.ml.ready();
      this.backendError = null;
    } catch (e) {
      this.backendError = serializeError(e);
    }
  }

  async setBackendOverride(override: BackendOverride): Promise<void> {
    if (this.running) return;
    try {
      this.backend = await this.ml.setBackend(override);
      this.backendError = null;
    } catch (e) {
      this.backendError = serializeError(e);
    }
  }

  /** The Model tab was shown: backend, active model, an unfinished run to offer. */
  async show(): Promise<void> {
    void this.loadBackend();
    try {
      const db = await whenDatabaseReady(this.database);
      this.activeModel = await db.activeModelInfo();
      this.activeModelLoaded = true;
      if (!this.running) this.interrupted = await db.checkpointSummary();
    } catch (e) {
      if (this.running) return;
      this.error = serializeError(e);
      this.status = 'error';
    }
  }

  /** After a reload: continues the run that was in progress (from its last checkpoint). */
  async resumeAfterReload(): Promise<void> {
    const run = readRunKey();
    if (!run || this.running) return;
    await this.resumeRun(run.runId, run);
  }

  /** Trains a new model on every genome with a profile, with the form's configuration. */
  async start(): Promise<void> {
    if (this.running) return;
    const { config } = this.formCheck;
    if (!config) return;
    this.#reset();
    this.status = 'loading';
    try {
      const db = await whenDatabaseReady(this.database);
      const set = await db.trainingSet();
      if (set.genomeIds.length < 2) throw new AppError('DATA_INVALID', `training needs at least 2 genomes with a k-mer profile; the database has ${set.genomeIds.length}`, 'add genomes on the Database tab first');
      const startedAt = new Date().toISOString();
      this.#run = { runId: `genome-vae-run-${startedAt.replace(/[^0-9]/g, '').slice(0, 17)}`, config, genomeIds: Array.from(set.genomeIds), valFraction: VAL_FRACTION, startedAt };
      writeRunKey({ runId: this.#run.runId, config, startedAt });
      await this.#train(set, config, null);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Continues an unfinished run from its checkpoint (the newest one when no id is given). */
  async resumeRun(runId?: string, fallback?: RunKey): Promise<void> {
    if (this.running) return;
    this.#reset();
    this.status = 'loading';
    try {
      const db = await whenDatabaseReady(this.database);
      const cp = await db.getCheckpoint(runId);
      if (!cp && fallback?.checkpointEpoch) {
        // Its checkpoints were written and are gone: the run was saved as a model (or discarded).
        writeRunKey(null);
        this.status = 'idle';
        return;
      }
      if (!cp) {
        if (!fallback) throw new AppError('DATA_INVALID', 'the interrupted run has no checkpoint in the database', 'start a new run');
        // Reloaded before the first checkpoint: start the same run again from epoch 0.
        const set = await db.trainingSet();
        this.#run = { runId: fallback.runId, config: fallback.config, genomeIds: Array.from(set.genomeIds), valFraction: VAL_FRACTION, startedAt: fallback.startedAt };
        this.message = 'The run was interrupted before its first checkpoint, so it started again from epoch 0.';
        await this.#train(set, fallback.config, null);
        return;
      }
      this.#run = { runId: cp.runId, config: cp.config, genomeIds: cp.genomeIds, valFraction: cp.valFraction, startedAt: cp.startedAt };
      writeRunKey({ runId: cp.runId, config: cp.config, startedAt: cp.startedAt, checkpointEpoch: cp.epoch });
      this.form = { ...this.form, epochs: cp.config.epochs, latentDim: cp.config.latentDim, learningRate: cp.config.learningRate, beta: cp.config.beta };
      this.history = cp.history;
      this.resumedFrom = cp.epoch;
      this.lastCheckpoint = cp.epoch;
      this.interrupted = null;
      const set = await db.trainingSet(cp.genomeIds);
      await this.#train(set, cp.config, cp.bytes);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Deletes an unfinished run's checkpoint. */
  async discardInterrupted(): Promise<void> {
    const cp = this.interrupted;
    if (!cp || this.running) return;
    const db = await whenDatabaseReady(this.database);
    await db.deleteCheckpoint(cp.runId);
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
    this.progress = null;
    this.phase = null;
    this.resumedFrom = null;
    this.lastCheckpoint = null;
    this.startedAtMs = performance.now();
  }

  #fail(e: unknown): void {
    this.error = serializeError(e);
    this.status = 'error';
    this.phase = null;
    this.#run = null;
    // No automatic retry on the next reload; a stored checkpoint is offered on the Model tab.
    writeRunKey(null);
    if (this.database.ready) void this.database.client.api.checkpointSummary().then((c) => (this.interrupted = c), () => undefined);
  }

  /** Queues a checkpoint for the database; a newer one replaces one still waiting. */
  #queueCheckpoint(c: { epoch: number; bytes: Uint8Array; history: EpochStats[] }): void {
    const run = this.#run;
    if (!run) return;
    const idle = this.#pending === null;
    this.#pending = { ...run, epoch: c.epoch, history: c.history, savedAt: new Date().toISOString(), bytes: c.bytes };
    if (idle) this.#saving = this.#saving.then(() => this.#flushCheckpoint());
  }

  async #flushCheckpoint(): Promise<void> {
    const rec = this.#pending;
    this.#pending = null;
    if (!rec) return;
    try {
      await this.database.client.api.saveCheckpoint(transfer(rec, [rec.bytes.buffer as ArrayBuffer]));
      this.lastCheckpoint = rec.epoch;
      const key = readRunKey();
      if (key?.runId === rec.runId) writeRunKey({ ...key, checkpointEpoch: rec.epoch });
    } catch (e) {
      this.checkpointError = serializeError(e);
    }
  }

  async #train(set: TrainingSet, config: ResolvedVaeConfig, checkpoint: Uint8Array | null): Promise<void> {
    const ml = await this.ml.remote();
    this.backend = await this.ml.ready();
    this.epochs = config.epochs;
    this.status = 'training';
    const options = checkpoint ? transfer({ valFraction: VAL_FRACTION, checkpoint }, [checkpoint.buffer as ArrayBuffer]) : { valFraction: VAL_FRACTION };
    const outcome = await ml.train(
      transfer(set, setBuffers(set)),
      config,
      options,
      proxy({
        onEpoch: (s: EpochStats) => {
          this.history = [...this.history, s];
        },
        onCheckpoint: (c: { epoch: number; bytes: Uint8Array; history: EpochStats[] }) => this.#queueCheckpoint(c),
        onProgress: (p: TrainProgress) => {
          this.progress = p;
          this.phase = p.phase;
          if ((p.phase === 'embedding' || p.phase === 'report' || p.phase === 'packing') && this.status === 'training') this.status = 'finishing';
        },
      }),
    );
    await this.#finish(outcome);
  }

  async #finish(outcome: TrainOutcome): Promise<void> {
    await this.#saving;
    const run = this.#run!;
    const db = this.database.client.api;
    this.history = outcome.history;
    this.phase = null;
    if (outcome.model && outcome.embeddings) {
      this.status = 'finishing';
      const row = outcome.model;
      const emb = outcome.embeddings;
      this.activeModel = await db.saveTrainedModel(
        transfer(row, [row.weights!.buffer as ArrayBuffer]),
        transfer(emb, [emb.vectors.buffer as ArrayBuffer, emb.genomeIds.buffer as ArrayBuffer]),
        run.runId,
      );
      writeRunKey(null);
      this.database.revision++;
      this.modelRevision++;
      this.status = outcome.stoppedBy === 'non-finite' ? 'stopped' : 'done';
      this.message = outcome.message;
    } else if (outcome.stoppedBy === 'cancelled') {
      writeRunKey(null);
      if (outcome.cancelledIn === 'embedding') {
        this.message = 'Embedding was cancelled; the trained weights are kept as a checkpoint: resume the run to finish it.';
        this.interrupted = await db.checkpointSummary();
      } else await db.deleteCheckpoint(run.runId);
      this.status = 'cancelled';
    } else {
      writeRunKey(null);
      await db.deleteCheckpoint(run.runId);
      this.status = 'stopped';
      this.message = outcome.message ?? 'training stopped before the first epoch finished';
    }
    this.#run = null;
  }
}

const KEY = Symbol('training');

export function setTrainingStore(store: TrainingStore): TrainingStore {
  return setContext(KEY, store);
}

export function getTrainingStore(): TrainingStore {
  const store = getContext<TrainingStore | undefined>(KEY);
  if (!store) throw new Error('TrainingStore missing: App.svelte sets it up');
  return store;
}
