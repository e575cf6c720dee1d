/**
 * A pool of profiling workers for the page. Files are queued and run in parallel, one per
 * worker; at most `size` workers exist (default: all cores but one for the UI, at least 1).
 * Workers start lazily and are reused. A cancelled job that does not stop within
 * `cancelGraceMs` has its worker terminated and replaced, so a stuck job never blocks the pool.
 * A worker that crashes (an `error` event) or goes silent while profiling (no heartbeat for
 * `silentWorkerMs`: killed by the browser, `close()`d or stuck) fails its job with "the profiling
 * worker stopped unexpectedly" (the row's "Try again") and is replaced.
 */
import { proxy, wrap, type Remote } from 'comlink';
import { AppError } from '../core/errors';
import type { GenomeProfile, ProfileOptions, ProfileProgress } from '../core/profile-types';
import { registerAppErrorTransfer } from '../comlink/app-error-transfer';
import type { ProfileWorkerApi } from '../runs-in-worker/profile-worker-api';
import { silenceRule, silentWorkerDetail, watchWorker, type WorkerWatch } from './worker-liveness';

/** A profiling worker silent this long mid-job is treated as dead (it yields every ~16 ms, so a live one beats every second). */
export const PROFILE_WORKER_SILENT_MS = 15_000;

export interface ProfilePoolOptions {
  /** Most workers running at once. @default max(1, navigator.hardwareConcurrency - 1) */
  size?: number;
  /** Milliseconds a cancelled job may take to stop before its worker is terminated. @default 2000 */
  cancelGraceMs?: number;
  /** Milliseconds without a heartbeat, while a job runs, after which a worker counts as dead. @default PROFILE_WORKER_SILENT_MS */
  silentWorkerMs?: number;
  /** Called whenever workers start/stop or jobs start/finish (for status displays). */
  onChange?: () => void;
  /** Makes one worker. @default the bundled workers/profile.worker.ts */
  createWorker?: () => Worker;
}

export function defaultPoolSize(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  return Math.max(1, cores - 1);
}

export function resolveProfilePoolOptions(options: ProfilePoolOptions = {}): Required<ProfilePoolOptions> {
  const o: Required<ProfilePoolOptions> = {
    size: options.size ?? defaultPoolSize(),
    cancelGraceMs: options.cancelGraceMs ?? 2000,
    silentWorkerMs: options.silentWorkerMs ?? PROFILE_WORKER_SILENT_MS,
    onChange: options.onChange ?? (() => {}),
    createWorker: options.createWorker ?? createProfileWorker,
  };
  if (!Number.isInteger(o.size) || o.size < 1) throw new AppError('BAD_OPTION', `pool size must be a whole number >= 1, got ${String(o.size)}`);
  if (!(o.cancelGraceMs >= 0)) throw new AppError('BAD_OPTION', `cancelGraceMs must be >= 0, got ${String(o.cancelGraceMs)}`);
  if (!(o.silentWorkerMs > 0)) throw new AppError('BAD_OPTION', `silentWorkerMs must be > 0, got ${String(o.silentWorkerMs)}`);
  return o;
}

function createProfileWorker(): Worker {
  return new Worker(new URL('../../workers/profile.worker.ts', import.meta.url), { type: 'module', name: 'mediaforge-profile' });
}

export interface ProfileJobCallbacks {
  onStart?: () => void;
  onProgress?: (p: ProfileProgress) => void;
}

export interface ProfileJobHandle {
  id: number;
  /** Resolves with the profile; rejects with an AppError (code CANCELLED when cancelled). */
  done: Promise<GenomeProfile>;
}

export interface ProfilePoolStats {
  size: number;
  workers: number;
  busy: number;
  queued: number;
}

interface Job {
  id: number;
  file: File;
  options: ProfileOptions;
  callbacks: ProfileJobCallbacks;
  resolve: (p: GenomeProfile) => void;
  reject: (e: AppError) => void;
  settled: boolean;
  cancelTimer?: ReturnType<typeof setTimeout>;
}

interface Slot {
  worker: Worker;
  api: Remote<ProfileWorkerApi>;
  watch: WorkerWatch;
  job: Job | null;
}

export class ProfilePool {
  readonly options: Required<ProfilePoolOptions>;
  #slots: Slot[] = [];
  #queue: Job[] = [];
  #nextId = 1;
  #disposed = false;

  constructor(options: ProfilePoolOptions = {}) {
    this.options = resolveProfilePoolOptions(options);
    registerAppErrorTransfer();
  }

  get stats(): ProfilePoolStats {
    return {
      size: this.options.size,
      workers: this.#slots.length,
      busy: this.#slots.filter((s) => s.job).length,
      queued: this.#queue.length,
    };
  }

  submit(file: File, options: ProfileOptions = {}, callbacks: ProfileJobCallbacks = {}): ProfileJobHandle {
    if (this.#disposed) throw new AppError('INTERNAL', 'the profiling pool has been shut down');
    const id = this.#nextId++;
    const done = new Promise<GenomeProfile>((resolve, reject) => {
      this.#queue.push({ id, file, options, callbacks, resolve, reject, settled: false });
    });
    this.#dispatch();
    return { id, done };
  }

  /**
   * Starts idle workers up to the pool size ahead of time (call when the page is idle), so the
   * first dropped file does not wait for a worker to load, and worker start-up work does not land
   * in the same main-thread task as the UI update for the drop.
   */
  warm(): void {
    if (this.#disposed) return;
    while (this.#slots.length < this.options.size) this.#startSlot();
    this.options.onChange();
  }

  /** Cancels a queued or running job; a no-op for finished or unknown ids. */
  cancel(id: number): void {
    const queued = this.#queue.findIndex((j) => j.id === id);
    if (queued >= 0) {
      const [job] = this.#queue.splice(queued, 1);
      this.#settle(job, null, cancelledError(job.file.name));
      this.options.onChange();
      return;
    }
    const slot = this.#slots.find((s) => s.job?.id === id);
    if (!slot || !slot.job || slot.job.cancelTimer) return;
    const job = slot.job;
    slot.api.cancel(id).catch(() => {});
    job.cancelTimer = setTimeout(() => {
      // The worker did not stop in time: replace it.
      if (job.settled) return;
      this.#dropSlot(slot);
      this.#settle(job, null, cancelledError(job.file.name));
      this.#dispatch();
    }, this.options.cancelGraceMs);
  }

  cancelAll(): void {
    for (const job of [...this.#queue]) this.cancel(job.id);
    for (const slot of this.#slots) if (slot.job) this.cancel(slot.job.id);
  }

  /** Cancels everything and terminates all workers. */
  dispose(): void {
    this.#disposed = true;
    for (const job of this.#queue.splice(0)) this.#settle(job, null, cancelledError(job.file.name));
    for (const slot of [...this.#slots]) {
      if (slot.job) this.#settle(slot.job, null, cancelledError(slot.job.file.name));
      this.#dropSlot(slot);
    }
    this.options.onChange();
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => !s.job);
      if (!slot && this.#slots.length < this.options.size) slot = this.#startSlot();
      if (!slot) break;
      this.#run(slot, this.#queue.shift()!);
    }
    this.options.onChange();
  }

  #startSlot(): Slot {
    const worker = this.options.createWorker();
    const died = (detail: string) => {
      const job = slot.job;
      this.#dropSlot(slot);
      if (job) {
        this.#settle(job, null, new AppError('INTERNAL', `${job.file.name}: the profiling worker stopped unexpectedly${detail}`, 'try the file again; if it keeps failing, reload the page'));
      }
      this.#dispatch();
    };
    const onCrash = (ev: Event) => {
      ev.preventDefault(); // handled here: reported on the job's row, not also as an uncaught page error
      const message = (ev as Partial<ErrorEvent>).message; // ErrorEvent in browsers; not a global in Node
      died(message ? ` (${message})` : '');
    };
    const watch = watchWorker(worker, silenceRule(this.options.silentWorkerMs), (ms) => died(` (${silentWorkerDetail(ms)})`));
    const slot: Slot = { worker, api: wrap<ProfileWorkerApi>(worker), watch, job: null };
    worker.addEventListener('error', onCrash);
    worker.addEventListener('messageerror', onCrash);
    this.#slots.push(slot);
    return slot;
  }

  #run(slot: Slot, job: Job): void {
    slot.job = job;
    job.callbacks.onStart?.();
    const onProgress = job.callbacks.onProgress;
    slot.watch
      .track(slot.api.profile(job.id, job.file, job.file.name, job.options, onProgress ? proxy(onProgress) : undefined))
      .then(
        (profile) => this.#settle(job, profile, null),
        (e: unknown) => this.#settle(job, null, e instanceof AppError ? e : new AppError('INTERNAL', `${job.file.name}: ${String(e)}`)),
      )
      .finally(() => {
        if (slot.job === job) {
          slot.job = null;
          this.#dispatch();
        }
      });
  }

  #settle(job: Job, profile: GenomeProfile | null, error: AppError | null): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.cancelTimer);
    if (profile) job.resolve(profile);
    else job.reject(error ?? new AppError('INTERNAL', `${job.file.name}: no result`));
  }

  #dropSlot(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    slot.job = null;
    slot.watch.stop();
    slot.worker.terminate();
  }
}

function cancelledError(name: string): AppError {
  return new AppError('CANCELLED', `${name}: cancelled`);
}
