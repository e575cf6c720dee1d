/**
 * The page's handle on the ML worker (tfjs): one worker, a typed Comlink proxy, dispose(). The
 * worker starts on first use and picks its backend then (init with the override from settings);
 * AppErrors thrown there arrive with their code and hint.
 *
 * A worker that fails outside a call (an uncaught error or an unreadable message: a lost GPU
 * device, a failed allocation in a callback) is treated as dead: it is terminated, every call in
 * flight rejects with WORKER_STOPPED_MESSAGE instead of waiting for ever, and the next call
 * starts a fresh worker (`generation` counts them, so callers know to load their models again).
 * A worker that stops without an error event (killed by the browser for memory, stuck in a loop)
 * is noticed by its missing heartbeat (src/comlink/heartbeat.ts): silent for `silentMs` while a
 * call is in flight, it is treated the same way (src/runs-on-page/watched-worker.ts).
 */
import type { Remote } from 'comlink';
import type { BackendOverride, BackendStatus } from '../ml/browser-backend';
import type { MlWorkerApi } from '../runs-in-worker/ml-worker-api';
import { WatchedWorker } from './watched-worker';

/** localStorage key of the backend override (auto, webgpu, webgl, wasm, cpu). */
export const BACKEND_SETTING_KEY = 'mediaforge.ml.backend';

const OVERRIDES: readonly BackendOverride[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

export function readBackendOverride(): BackendOverride {
  try {
    const v = localStorage.getItem(BACKEND_SETTING_KEY);
    return v && (OVERRIDES as readonly string[]).includes(v) ? (v as BackendOverride) : 'auto';
  } catch {
    return 'auto';
  }
}

export function writeBackendOverride(v: BackendOverride): void {
  try {
    if (v === 'auto') localStorage.removeItem(BACKEND_SETTING_KEY);
    else localStorage.setItem(BACKEND_SETTING_KEY, v);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

export const WORKER_STOPPED_MESSAGE = 'the ML worker stopped unexpectedly';

/**
 * The ML worker silent this long mid-call is treated as dead. Training and embedding yield to the
 * event loop every ~40 ms; the longest synchronous steps (backend start, a report) take seconds.
 */
export const ML_WORKER_SILENT_MS = 30_000;

export interface MlClientOptions {
  /** Milliseconds without a heartbeat, while a call is in flight, after which the worker counts as dead. @default ML_WORKER_SILENT_MS */
  silentMs?: number;
}

/** Makes the ML worker. @default the bundled workers/ml.worker.ts */
export type CreateMlWorker = () => Worker;

function createMlWorker(): Worker {
  return new Worker(new URL('../../workers/ml.worker.ts', import.meta.url), { type: 'module', name: 'mediaforge-ml' });
}

export class MlClient {
  readonly #worker: WatchedWorker<MlWorkerApi>;
  #ready: Promise<BackendStatus> | null = null;
  #readyGeneration = 0;

  constructor(createWorker: CreateMlWorker = createMlWorker, options: MlClientOptions = {}) {
    this.#worker = new WatchedWorker<MlWorkerApi>({
      create: createWorker,
      name: 'the ML worker',
      silentMs: options.silentMs ?? ML_WORKER_SILENT_MS,
      hint: 'try again: a new worker starts, and a training run resumes from its last checkpoint (Resume it)',
    });
  }

  /** How many workers have been started (grows by one after a crash, when the next one starts). */
  get generation(): number {
    return this.#worker.generation;
  }

  /** The worker's API, raw (starts the worker, but not the backend). Calls reject if the worker dies. */
  get api(): Remote<MlWorkerApi> {
    const api = this.#worker.api;
    // A new worker (the last one died) has no backend yet.
    if (this.#readyGeneration !== this.#worker.generation) this.#ready = null;
    return api;
  }

  /** Starts the backend once (the override saved in settings); later calls get the same status. */
  ready(): Promise<BackendStatus> {
    const api = this.api;
    if (!this.#ready) {
      const p = api.init(readBackendOverride());
      // A failed start is retried by the next call.
      p.catch(() => {
        if (this.#ready === p) this.#ready = null;
      });
      this.#ready = p;
      this.#readyGeneration = this.#worker.generation;
    }
    return this.#ready;
  }

  /** The API after the backend is up. */
  async remote(): Promise<Remote<MlWorkerApi>> {
    await this.ready();
    return this.api;
  }

  /** Saves a new override and switches the worker's backend to it. */
  setBackend(override: BackendOverride): Promise<BackendStatus> {
    writeBackendOverride(override);
    const p = this.api.init(override);
    this.#ready = p;
    this.#readyGeneration = this.#worker.generation;
    return p;
  }

  dispose(): void {
    this.#worker.dispose();
    this.#ready = null;
  }
}
