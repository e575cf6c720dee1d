/**
 * The state of a training run on the Model tab, as plain logic shared by both models (the genome
 * VAE and the recipe CVAE): which statuses count as running, which controls apply, what a reload
 * does with the run it finds, how a run ends, and the checkpoint queue. No Svelte, no worker: the
 * run controller (training-run.svelte.ts) applies these, and tests/unit/training-run-state.test.ts
 * checks them in Node.
 */
import { localJson } from '../local-json';

export type TrainStatus = 'idle' | 'loading' | 'training' | 'paused' | 'cancelling' | 'finishing' | 'done' | 'stopped' | 'cancelled' | 'error';

/** Statuses of a run in progress: no second run starts, the form is locked. */
export const RUNNING_STATUSES: readonly TrainStatus[] = ['loading', 'training', 'paused', 'cancelling', 'finishing'];

export function isRunning(status: TrainStatus): boolean {
  return RUNNING_STATUSES.includes(status);
}

export function canPause(status: TrainStatus): boolean {
  return status === 'training';
}

export function canResume(status: TrainStatus): boolean {
  return status === 'paused';
}

/** Cancel applies while the worker trains, holds or finishes (not while the input loads). */
export function canCancel(status: TrainStatus): boolean {
  return status === 'training' || status === 'paused' || status === 'finishing';
}

/** The run's id (models.id of its checkpoint row): the kind's prefix and the start time to the millisecond. */
export function runIdFor(prefix: string, startedAt: string): string {
  return `${prefix}-run-${startedAt.replace(/[^0-9]/g, '').slice(0, 17)}`;
}

/** The 1-based epoch of the last finished epoch (0 before the first). */
export function lastEpoch(history: readonly { epoch: number }[]): number {
  return history.length ? history[history.length - 1].epoch : 0;
}

/**
 * What to do with a run to resume, from what the database holds:
 * - `continue`: its checkpoint is there, go on from it;
 * - `forget`: the run had written checkpoints and they are gone (saved as a model, or discarded);
 * - `restart`: a reload came before its first checkpoint, so the same run starts again from epoch 0;
 * - `missing`: asked to resume a stored run that has no checkpoint (nothing to go on with).
 */
export type ResumePlan = 'continue' | 'forget' | 'restart' | 'missing';

export function planResume(hasCheckpoint: boolean, key?: { checkpointEpoch?: number } | null): ResumePlan {
  if (hasCheckpoint) return 'continue';
  if (key?.checkpointEpoch) return 'forget';
  return key ? 'restart' : 'missing';
}

export const RESTARTED_MESSAGE = 'The run was interrupted before its first checkpoint, so it started again from epoch 0.';
export const NO_EPOCH_MESSAGE = 'training stopped before the first epoch finished';
export const EMBEDDING_CANCELLED_MESSAGE = 'Embedding was cancelled; the trained weights are kept as a checkpoint: resume the run to finish it.';

/** How the worker's run came back: whether it produced a model, why it stopped, and where a cancel landed. */
export interface RunResult {
  hasModel: boolean;
  stoppedBy: string;
  message: string | null;
  /** 'embedding': cancelled after training finished (the genome VAE keeps its last checkpoint then). */
  cancelledIn?: 'training' | 'embedding' | null;
}

/**
 * The end of a run: its final status and message (undefined: the run's message stays as it was),
 * and what becomes of its checkpoint (`saved`: the model is stored and activated, which removes
 * it; `keep`: offered for resume; `delete`).
 */
export interface RunEnd {
  status: TrainStatus;
  message: string | null | undefined;
  checkpoint: 'saved' | 'keep' | 'delete';
}

export function endOfRun(r: RunResult): RunEnd {
  if (r.hasModel) return { status: r.stoppedBy === 'non-finite' ? 'stopped' : 'done', message: r.message, checkpoint: 'saved' };
  if (r.stoppedBy === 'cancelled') {
    return r.cancelledIn === 'embedding'
      ? { status: 'cancelled', message: EMBEDDING_CANCELLED_MESSAGE, checkpoint: 'keep' }
      : { status: 'cancelled', message: undefined, checkpoint: 'delete' };
  }
  return { status: 'stopped', message: r.message ?? NO_EPOCH_MESSAGE, checkpoint: 'delete' };
}

/** The line of the run panel for the statuses both models word alike; null for the others. */
export function sharedStatusText(v: {
  status: TrainStatus;
  epoch: number;
  epochs: number;
  message: string | null;
  errorMessage: string | null;
  /** Where a pause landed inside an epoch (null: between epochs, or not training). */
  pausedIn: { epoch: number; done: number; total: number } | null;
}): string | null {
  switch (v.status) {
    case 'paused':
      return v.pausedIn && v.pausedIn.done < v.pausedIn.total
        ? `Paused in epoch ${v.pausedIn.epoch} of ${v.epochs}, after batch ${v.pausedIn.done} of ${v.pausedIn.total}`
        : `Paused after epoch ${v.epoch} of ${v.epochs}`;
    case 'cancelling':
      return 'Cancelling…';
    case 'stopped':
      return `Stopped early: ${v.message ?? ''}`;
    case 'cancelled':
      return 'Cancelled.';
    case 'error':
      return `Error: ${v.errorMessage ?? 'unknown'}`;
    default:
      return null;
  }
}

/**
 * Checkpoints on their way to the database, one save at a time: a newer one replaces one still
 * waiting (the worker may checkpoint faster than the database writes). `settled()` resolves once
 * everything queued so far is written or has failed (failures go to `onError`, not the caller).
 */
export class LatestOnlyQueue<T> {
  #pending: T | null = null;
  #tail: Promise<void> = Promise.resolve();
  readonly #save: (item: T) => Promise<void>;
  readonly #onError: (e: unknown, item: T) => void;

  constructor(save: (item: T) => Promise<void>, onError: (e: unknown, item: T) => void) {
    this.#save = save;
    this.#onError = onError;
  }

  push(item: T): void {
    const idle = this.#pending === null;
    this.#pending = item;
    if (idle) this.#tail = this.#tail.then(() => this.#flush());
  }

  settled(): Promise<void> {
    return this.#tail;
  }

  async #flush(): Promise<void> {
    const item = this.#pending;
    this.#pending = null;
    if (item === null) return;
    try {
      await this.#save(item);
    } catch (e) {
      this.#onError(e, item);
    }
  }
}

/** The run in progress as localStorage keeps it, so a reload resumes it. */
export interface RunKey<O> {
  runId: string;
  options: O;
  startedAt: string;
  /** Epoch of the last checkpoint written (0/absent: none yet, so a reload starts the run again). */
  checkpointEpoch?: number;
}

export interface RunKeyStore<O> {
  read(): RunKey<O> | null;
  write(key: RunKey<O> | null): void;
}

/**
 * The run key under `storageKey`, with the run's options stored under `field` ('config' for the
 * genome VAE, 'options' for the recipe CVAE: the names earlier versions wrote, so a run started
 * before an update still resumes).
 */
export function runKeyStore<O>(storageKey: string, field: 'config' | 'options'): RunKeyStore<O> {
  type Stored = { runId: string; startedAt: string; checkpointEpoch?: number } & { [k in typeof field]?: O };
  const store = localJson<Stored>(storageKey);
  return {
    read() {
      const v = store.read();
      if (!v || typeof v.runId !== 'string' || v[field] === undefined) return null;
      const key: RunKey<O> = { runId: v.runId, options: v[field] as O, startedAt: v.startedAt };
      if (v.checkpointEpoch !== undefined) key.checkpointEpoch = v.checkpointEpoch;
      return key;
    },
    write(key) {
      if (!key) return store.write(null);
      const v = { runId: key.runId, [field]: key.options, startedAt: key.startedAt } as Stored;
      if (key.checkpointEpoch !== undefined) v.checkpointEpoch = key.checkpointEpoch;
      store.write(v);
    },
  };
}
