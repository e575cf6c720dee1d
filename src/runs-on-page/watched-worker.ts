/**
 * One worker behind a typed Comlink proxy that notices when it dies, for the page's clients of
 * the ML, database and map workers (the profiling pool runs its own slots on the same rule).
 *
 * A worker that fails outside a call (an uncaught error or an unreadable message: a lost GPU
 * device, a failed allocation, a bug in a callback) fires an `error` event; a worker that stops
 * without one (killed by the browser for memory, `close()`d, stuck in a loop) is noticed by its
 * missing heartbeat (src/comlink/heartbeat.ts, src/runs-on-page/worker-liveness.ts): silent for
 * `silentMs` while a call is in flight. Either way it is terminated, every call in flight rejects
 * with an AppError (code INTERNAL) that names the worker and what the call was doing, instead of
 * waiting for ever, and the next call starts a fresh worker (`generation` counts them). A fresh
 * worker that replaces a dead one first runs `restore` (reopen what the dead one held: the
 * database from IndexedDB, the map's embeddings) before its first call.
 */
import { wrap, type Remote } from 'comlink';
import { AppError } from '../core/errors';
import { registerAppErrorTransfer } from '../comlink/app-error-transfer';
import { silenceRule, silentWorkerDetail, watchWorker, type LivenessClock, type WorkerWatch } from './worker-liveness';

export interface WatchedWorkerOptions<T> {
  /** Makes the worker. */
  create: () => Worker;
  /** Names the worker in errors: "the database worker". */
  name: string;
  /** Milliseconds without a heartbeat, while a call is in flight, after which the worker counts as dead. */
  silentMs: number;
  /** The hint of the error the calls of a dead worker reject with (what to do next). */
  hint: string;
  /**
   * A longer silence limit for calls known to block the worker's event loop for long (measured:
   * bench/worker-blocking.js); undefined: `silentMs`.
   */
  silentMsOf?: (method: string, args: unknown[]) => number | undefined;
  /** What a call was doing, in words, for that error ("exporting the snapshot"); null or absent: not said. */
  describeCall?: (method: string, args: unknown[]) => string | null;
  /** Runs on each worker that replaces a dead one, before its first call; a failure fails that call and is retried by the next. */
  restore?: (api: Remote<T>) => Promise<void>;
  /**
   * Called when a worker that had answered at least one call dies with no call in flight (a crash
   * while idle: nobody's call would notice it). The database client uses it to start the fresh
   * worker at once, so the page learns without waiting for the next call that the database was
   * reopened. A worker that dies before answering anything (it fails to start) never calls it,
   * so a worker that cannot start is not restarted in a loop.
   */
  onIdleDeath?: () => void;
  /** The clock of the silence checks (tests: a fake one). @default performance.now and setInterval */
  clock?: LivenessClock;
}

/** "the database worker stopped unexpectedly while exporting the snapshot (Uncaught Error: …)" */
export function workerStoppedMessage(name: string, doing: string | null, detail: string): string {
  return `${name} stopped unexpectedly${doing ? ` while ${doing}` : ''}${detail ? ` (${detail})` : ''}`;
}

/** A worker's calls: in flight now, and answered so far (see onIdleDeath). */
interface CallCount {
  inFlight: number;
  answered: number;
}

/** What a dead worker's `died` promise rejects with; each call turns it into its own AppError. */
class WorkerDied {
  constructor(readonly detail: string) {}
}

interface Live<T> {
  worker: Worker;
  watch: WorkerWatch;
  /** Calls raced against the worker's death (and tracked for silence), without waiting for restore. */
  guarded: Remote<T>;
  /** What callers get: `guarded`, after restore when this worker replaces a dead one. */
  api: Remote<T>;
}

export class WatchedWorker<T extends object> {
  readonly options: WatchedWorkerOptions<T>;
  #live: Live<T> | null = null;
  #generation = 0;
  /** A worker died since the last one started: the next one is restored. */
  #needsRestore = false;

  constructor(options: WatchedWorkerOptions<T>) {
    if (!(options.silentMs > 0)) throw new AppError('BAD_OPTION', `silentMs must be > 0, got ${String(options.silentMs)}`);
    this.options = options;
  }

  /** How many workers have been started (grows by one after a death, when the next one starts). */
  get generation(): number {
    return this.#generation;
  }

  /** Whether a worker is running now. */
  get running(): boolean {
    return this.#live !== null;
  }

  /** The worker's API (starts the worker on first use). Calls reject if the worker dies. */
  get api(): Remote<T> {
    return (this.#live ??= this.#start()).api;
  }

  /** Terminates the worker (a later call starts a new one, not restored: nothing was lost). */
  dispose(): void {
    this.#drop();
    this.#needsRestore = false;
  }

  #start(): Live<T> {
    registerAppErrorTransfer();
    const { create, silentMs, restore } = this.options;
    const worker = create();
    const remote = wrap<T>(worker);
    let watch!: WorkerWatch;
    const calls: CallCount = { inFlight: 0, answered: 0 };
    // Rejects when this worker dies (an error event, or silence while a call is in flight); every call is raced against it.
    const died = new Promise<never>((_, reject) => {
      const stopped = (detail: string) => {
        const current = this.#live?.worker === worker;
        if (current) {
          this.#drop();
          this.#needsRestore = true;
        }
        watch.stop();
        reject(new WorkerDied(detail));
        if (current && calls.inFlight === 0 && calls.answered > 0) this.options.onIdleDeath?.();
      };
      const onCrash = (ev: Event) => {
        ev.preventDefault(); // handled here: not also an uncaught error of the page
        stopped((ev as Partial<ErrorEvent>).message ?? ''); // ErrorEvent in browsers; not a global in Node
      };
      worker.addEventListener('error', onCrash);
      worker.addEventListener('messageerror', onCrash);
      watch = watchWorker(worker, silenceRule(silentMs), (ms) => stopped(silentWorkerDetail(ms)), this.options.clock);
    });
    died.catch(() => {}); // rejections are seen through the calls raced against it
    this.#generation++;
    const guarded = this.#guard(remote, died, watch, calls);
    let api = guarded;
    if (this.#needsRestore && restore) {
      this.#needsRestore = false;
      let restoring: Promise<void> | null = null;
      const restored = () => {
        restoring ??= restore(guarded).catch((e: unknown) => {
          restoring = null; // the next call tries again
          throw e;
        });
        return restoring;
      };
      api = afterRestore(guarded, restored);
    }
    return { worker, watch, guarded, api };
  }

  /** The remote with each method call raced against the worker's death (and watched for silence while in flight). */
  #guard(remote: Remote<T>, died: Promise<never>, watch: WorkerWatch, calls: CallCount): Remote<T> {
    const { name, hint, describeCall, silentMsOf } = this.options;
    return new Proxy(remote as object, {
      get(target, prop) {
        if (prop === 'then') return undefined; // not a thenable
        const member = Reflect.get(target, prop) as unknown;
        if (typeof member !== 'function' || typeof prop !== 'string') return member;
        return (...args: unknown[]) => {
          calls.inFlight++;
          const call = (member as (...a: unknown[]) => Promise<unknown>)(...args);
          call.then(
            () => {
              calls.inFlight--;
              calls.answered++;
            },
            () => calls.inFlight--,
          );
          return Promise.race([watch.track(call, silentMsOf?.(prop, args)), died]).catch((e: unknown) => {
            if (!(e instanceof WorkerDied)) throw e;
            throw new AppError('INTERNAL', workerStoppedMessage(name, describeCall?.(prop, args) ?? null, e.detail), hint);
          });
        };
      },
    }) as Remote<T>;
  }

  #drop(): void {
    const live = this.#live;
    this.#live = null;
    live?.watch.stop();
    live?.worker.terminate();
  }
}

/** `remote` whose method calls first wait for `restored()` (a worker that replaces a dead one). */
function afterRestore<T extends object>(remote: Remote<T>, restored: () => Promise<void>): Remote<T> {
  return new Proxy(remote as object, {
    get(target, prop) {
      if (prop === 'then') return undefined;
      const member = Reflect.get(target, prop) as unknown;
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => restored().then(() => (member as (...a: unknown[]) => Promise<unknown>)(...args));
    },
  }) as Remote<T>;
}
