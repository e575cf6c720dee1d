/**
 * One training run on the Model tab, for either model: the run controller that the genome VAE's
 * store (training.svelte.ts) and the recipe CVAE's (recipe-training.svelte.ts) extend. It starts a
 * run in the ML worker with live epochs and progress; pauses, resumes and cancels it; queues its
 * checkpoints into the database and keeps the run's key in localStorage so a reload resumes it;
 * stores and activates the finished model; and on any failure (a worker crash included) offers the
 * stored checkpoint ("Resume it", on a new worker). The state transitions are the plain functions
 * of training-run-state.ts.
 *
 * A model kind supplies the parts that differ (`RunKind`: its id prefix, run key and checkpoint
 * calls in the db worker) and implements the hooks below (its input, worker call, checkpoint
 * record and how its model is saved).
 */
import { transfer, type Remote } from 'comlink';
import { AppError, serializeError, type SerializedAppError } from '../../core/errors';
import type { BackendStatus } from '../../ml/browser-backend';
import type { DbWorkerApi } from '../../runs-in-worker/db-worker-api';
import type { MlWorkerApi } from '../../runs-in-worker/ml-worker-api';
import type { MlClient } from '../../runs-on-page/ml-client';
import type { DatabaseStore } from './database.svelte';
import { canCancel, canPause, canResume, endOfRun, isRunning, LatestOnlyQueue, lastEpoch, planResume, RESTARTED_MESSAGE, runIdFor, type RunKey, type RunKeyStore, type TrainStatus } from './training-run-state';

export type { TrainStatus } from './training-run-state';

type DbApi = Remote<DbWorkerApi>;

/** The types one model kind's run deals in. */
export interface RunTypes {
  /** What a run starts (and a reload restarts) with; kept in the run key. */
  options: unknown;
  /** The training input the db worker builds and the ML worker takes (transferred). */
  input: unknown;
  epoch: { epoch: number; samplesPerSec?: number };
  progress: unknown;
  outcome: { stoppedBy: string; message: string | null; history: RunTypes['epoch'][]; cancelledIn?: 'training' | 'embedding' | null };
  /** A checkpoint row as the db worker stores and returns it. */
  checkpoint: { runId: string; startedAt: string; epoch: number; history: RunTypes['epoch'][]; bytes: Uint8Array };
  /** A stored unfinished run, as offered for resume. */
  summary: { runId: string; epoch: number };
  /** The active model's info, as the db worker gives it. */
  model: unknown;
}

/** A checkpoint from the worker: the epoch, the packed state and the history up to it. */
export interface WorkerCheckpoint<E> {
  epoch: number;
  bytes: Uint8Array;
  history: E[];
}

/** The callbacks every run passes to the ML worker (a kind may add its own). */
export interface RunCallbacks<T extends RunTypes> {
  onEpoch(stats: T['epoch']): void;
  onCheckpoint(c: WorkerCheckpoint<T['epoch']>): void;
  onProgress(p: T['progress']): void;
}

/** What a model kind is, as data: no state of its own. */
export interface RunKind<T extends RunTypes> {
  /** Prefix of run ids: `${prefix}-run-<time>`. */
  runIdPrefix: string;
  runKey: RunKeyStore<T['options']>;
  activeModel(db: DbApi): Promise<T['model'] | null>;
  checkpointSummary(db: DbApi): Promise<T['summary'] | null>;
  /** The run's checkpoint (the newest one when no id is given). */
  getCheckpoint(db: DbApi, runId?: string): Promise<T['checkpoint'] | null>;
  saveCheckpoint(db: DbApi, record: T['checkpoint']): Promise<void>;
  deleteCheckpoint(db: DbApi, runId: string): Promise<void>;
}

/** Waits until the shared database is open (opening it if nobody has yet); its worker API. */
export async function whenDatabaseReady(database: DatabaseStore, timeoutMs = 180_000): Promise<DbApi> {
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

export interface ActiveRun<O> {
  runId: string;
  startedAt: string;
  options: O;
}

export abstract class TrainingRun<T extends RunTypes> {
  backend = $state.raw<BackendStatus | null>(null);
  status = $state<TrainStatus>('idle');
  /** Every epoch of the run so far (earlier epochs included after a resume). */
  history = $state.raw<T['epoch'][]>([]);
  progress = $state.raw<T['progress'] | null>(null);
  /** Total epochs of the run. */
  epochs = $state(0);
  resumedFrom = $state<number | null>(null);
  /** Epoch of the last checkpoint written to the database. */
  lastCheckpoint = $state<number | null>(null);
  checkpointError = $state.raw<SerializedAppError | null>(null);
  /** Why training stopped early (non-finite loss) or what happened, in words. */
  message = $state<string | null>(null);
  error = $state.raw<SerializedAppError | null>(null);

  activeModel = $state.raw<T['model'] | null>(null);
  activeModelLoaded = $state(false);
  /** A stored unfinished run (not running now), offered for resume. */
  interrupted = $state.raw<T['summary'] | null>(null);
  /** Bumped after a new model is stored and activated. */
  modelRevision = $state(0);
  /** Called after a new model is stored, activated and loaded. */
  onmodel: (() => void) | null = null;

  readonly epoch = $derived(lastEpoch(this.history));
  readonly running = $derived(isRunning(this.status));

  readonly ml: MlClient;
  readonly database: DatabaseStore;
  /** Whether another model is training in the ML worker: one run at a time. */
  readonly otherBusy: () => boolean;
  readonly #kind: RunKind<T>;
  #run: ActiveRun<T['options']> | null = null;
  readonly #checkpoints = new LatestOnlyQueue<T['checkpoint']>(
    (rec) => this.#writeCheckpoint(rec),
    (e) => (this.checkpointError = serializeError(e)),
  );

  constructor(kind: RunKind<T>, ml: MlClient, database: DatabaseStore, otherBusy: () => boolean = () => false) {
    this.#kind = kind;
    this.ml = ml;
    this.database = database;
    this.otherBusy = otherBusy;
  }

  // ---- the hooks of a model kind ----

  /** The form's options, or null while the form has a problem. */
  protected abstract formOptions(): T['options'] | null;
  /** The training input from the database: for a new run (`checkpoint` null) or to go on from a checkpoint. */
  protected abstract loadInput(db: DbApi, options: T['options'], checkpoint: T['checkpoint'] | null, why: 'start' | 'restart' | 'continue'): Promise<T['input']>;
  /** Shows a checkpoint's run (form, per-kind metrics); the options it continues with. */
  protected abstract restoreCheckpoint(checkpoint: T['checkpoint']): T['options'];
  /** Gets ready to train on `input` (per-kind figures); the run's total epochs. */
  protected abstract prepareTraining(input: T['input'], options: T['options']): number;
  /** The ML worker's training call; wraps `callbacks` (and any of its own) with Comlink's proxy. */
  protected abstract trainInWorker(ml: Remote<MlWorkerApi>, input: T['input'], options: T['options'], checkpoint: Uint8Array | null, callbacks: RunCallbacks<T>): Promise<T['outcome']>;
  /** Whether the progress says training is over and the model is being finished. */
  protected abstract isFinishing(p: T['progress']): boolean;
  /** The database record of a checkpoint from the worker. */
  protected abstract checkpointRecord(run: ActiveRun<T['options']>, c: WorkerCheckpoint<T['epoch']>): T['checkpoint'];
  /** The trained model in the outcome, if there is one to save. */
  protected abstract hasModel(outcome: T['outcome']): boolean;
  /** Stores and activates the outcome's model (the run's checkpoint goes with it), and loads it where it is used. */
  protected abstract saveModel(db: DbApi, outcome: T['outcome'], runId: string): Promise<T['model']>;
  /** Clears the kind's own run figures (a new run starts). */
  protected resetKind(): void {}
  /** The kind's own reaction to progress. */
  protected onProgress(_p: T['progress']): void {}
  /** The run is over (finished or failed). */
  protected onRunEnded(): void {}

  // ---- the run ----

  /** The Model tab was shown: the active model and an unfinished run to offer. */
  async show(): Promise<void> {
    try {
      const db = await whenDatabaseReady(this.database);
      this.activeModel = await this.#kind.activeModel(db);
      this.activeModelLoaded = true;
      if (!this.running) this.interrupted = await this.#kind.checkpointSummary(db);
    } catch (e) {
      if (this.running) return;
      this.error = serializeError(e);
      this.status = 'error';
    }
  }

  /** After a reload: continues the run that was in progress (from its last checkpoint). */
  async resumeAfterReload(): Promise<void> {
    const key = this.#kind.runKey.read();
    if (!key || this.running) return;
    await this.resumeRun(key.runId, key);
  }

  /** Trains a new model with the form's options. */
  async start(): Promise<void> {
    if (this.running || this.otherBusy()) return;
    const options = this.formOptions();
    if (!options) return;
    this.#reset();
    this.status = 'loading';
    try {
      const db = await whenDatabaseReady(this.database);
      const input = await this.loadInput(db, options, null, 'start');
      const startedAt = new Date().toISOString();
      this.#run = { runId: runIdFor(this.#kind.runIdPrefix, startedAt), startedAt, options };
      this.#kind.runKey.write({ runId: this.#run.runId, options, startedAt });
      await this.#train(input, options, null);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Continues an unfinished run from its checkpoint (the newest one when no id is given). */
  async resumeRun(runId?: string, fallback?: RunKey<T['options']>): Promise<void> {
    if (this.running || this.otherBusy()) return;
    this.#reset();
    this.status = 'loading';
    try {
      const db = await whenDatabaseReady(this.database);
      const cp = await this.#kind.getCheckpoint(db, runId);
      switch (planResume(cp != null, fallback)) {
        case 'forget':
          this.#kind.runKey.write(null);
          this.status = 'idle';
          return;
        case 'missing':
          throw new AppError('DATA_INVALID', 'the interrupted run has no checkpoint in the database', 'start a new run');
        case 'restart': {
          const key = fallback!;
          const input = await this.loadInput(db, key.options, null, 'restart');
          this.#run = { runId: key.runId, startedAt: key.startedAt, options: key.options };
          this.message = RESTARTED_MESSAGE;
          await this.#train(input, key.options, null);
          return;
        }
        case 'continue': {
          const c = cp!;
          const options = this.restoreCheckpoint(c);
          this.#run = { runId: c.runId, startedAt: c.startedAt, options };
          this.#kind.runKey.write({ runId: c.runId, options, startedAt: c.startedAt, checkpointEpoch: c.epoch });
          this.history = c.history;
          this.resumedFrom = c.epoch;
          this.lastCheckpoint = c.epoch;
          this.interrupted = null;
          const input = await this.loadInput(db, options, c, 'continue');
          await this.#train(input, options, c.bytes);
        }
      }
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Deletes an unfinished run's checkpoint. */
  async discardInterrupted(): Promise<void> {
    const cp = this.interrupted;
    if (!cp || this.running) return;
    const db = await whenDatabaseReady(this.database);
    await this.#kind.deleteCheckpoint(db, cp.runId);
    if (this.#kind.runKey.read()?.runId === cp.runId) this.#kind.runKey.write(null);
    this.interrupted = null;
  }

  async pause(): Promise<void> {
    if (!canPause(this.status)) return;
    if (await this.ml.api.pause()) this.status = 'paused';
  }

  async resume(): Promise<void> {
    if (!canResume(this.status)) return;
    if (await this.ml.api.resume()) this.status = 'training';
  }

  async cancel(): Promise<void> {
    if (!canCancel(this.status)) return;
    this.status = 'cancelling';
    await this.ml.api.cancel();
  }

  #reset(): void {
    this.error = null;
    this.message = null;
    this.checkpointError = null;
    this.history = [];
    this.progress = null;
    this.resumedFrom = null;
    this.lastCheckpoint = null;
    this.resetKind();
  }

  #fail(e: unknown): void {
    this.error = serializeError(e);
    this.status = 'error';
    this.onRunEnded();
    this.#run = null;
    // No automatic retry on the next reload; a stored checkpoint is offered on the Model tab.
    this.#kind.runKey.write(null);
    if (this.database.ready) void this.#kind.checkpointSummary(this.database.client.api).then((c) => (this.interrupted = c), () => undefined);
  }

  async #writeCheckpoint(rec: T['checkpoint']): Promise<void> {
    await this.#kind.saveCheckpoint(this.database.client.api, transfer(rec, [rec.bytes.buffer as ArrayBuffer]));
    this.lastCheckpoint = rec.epoch;
    const key = this.#kind.runKey.read();
    if (key?.runId === rec.runId) this.#kind.runKey.write({ ...key, checkpointEpoch: rec.epoch });
  }

  async #train(input: T['input'], options: T['options'], checkpoint: Uint8Array | null): Promise<void> {
    const ml = await this.ml.remote();
    this.backend = await this.ml.ready();
    this.epochs = this.prepareTraining(input, options);
    this.status = 'training';
    const outcome = await this.trainInWorker(ml, input, options, checkpoint, {
      onEpoch: (s) => {
        this.history = [...this.history, s];
      },
      onCheckpoint: (c) => {
        const run = this.#run;
        if (run) this.#checkpoints.push(this.checkpointRecord(run, c));
      },
      onProgress: (p) => {
        this.progress = p;
        this.onProgress(p);
        if (this.isFinishing(p) && this.status === 'training') this.status = 'finishing';
      },
    });
    await this.#finish(outcome);
  }

  async #finish(outcome: T['outcome']): Promise<void> {
    await this.#checkpoints.settled();
    const run = this.#run!;
    const db = this.database.client.api;
    this.history = outcome.history;
    this.onRunEnded();
    const end = endOfRun({ hasModel: this.hasModel(outcome), stoppedBy: outcome.stoppedBy, message: outcome.message, cancelledIn: outcome.cancelledIn });
    if (end.checkpoint === 'saved') {
      this.status = 'finishing';
      this.activeModel = await this.saveModel(db, outcome, run.runId);
      this.#kind.runKey.write(null);
      this.database.revision++;
      this.modelRevision++;
      this.onmodel?.();
    } else {
      this.#kind.runKey.write(null);
      if (end.checkpoint === 'keep') this.interrupted = await this.#kind.checkpointSummary(db);
      else await this.#kind.deleteCheckpoint(db, run.runId);
    }
    this.status = end.status;
    if (end.message !== undefined) this.message = end.message;
    this.#run = null;
  }
}
