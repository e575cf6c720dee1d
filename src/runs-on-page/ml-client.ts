/**
 * The page's handle on the ML worker (tfjs): one worker, a typed Comlink proxy, dispose(). The
 * worker starts on first use and picks its backend then (init with the override from settings);
 * AppErrors thrown there arrive with their code and hint.
 */
import { wrap, type Remote } from 'comlink';
import { registerAppErrorTransfer } from '../comlink/app-error-transfer';
import type { BackendOverride, BackendStatus } from '../ml/browser-backend';
import type { MlWorkerApi } from '../runs-in-worker/ml-worker-api';

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

export class MlClient {
  #worker: Worker | null = null;
  #api: Remote<MlWorkerApi> | null = null;
  #ready: Promise<BackendStatus> | null = null;

  /** The worker's API, raw (starts the worker, but not the backend). */
  get api(): Remote<MlWorkerApi> {
    if (!this.#api) {
      registerAppErrorTransfer();
      this.#worker = new Worker(new URL('../../workers/ml.worker.ts', import.meta.url), { type: 'module', name: 'mediaforge-ml' });
      this.#api = wrap<MlWorkerApi>(this.#worker);
    }
    return this.#api;
  }

  /** Starts the backend once (the override saved in settings); later calls get the same status. */
  ready(): Promise<BackendStatus> {
    if (!this.#ready) {
      const p = this.api.init(readBackendOverride());
      // A failed start is retried by the next call.
      p.catch(() => {
        if (this.#ready === p) this.#ready = null;
      });
      this.#ready = p;
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
    return p;
  }

  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
    this.#ready = null;
  }
}
