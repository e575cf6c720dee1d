/**
 * The page's handle on the map worker (projections, placement, neighbours of a map point,
 * diagnostics): one worker, a typed Comlink proxy, dispose(). Starts on first use.
 */
import { wrap, type Remote } from 'comlink';
import { registerAppErrorTransfer } from '../comlink/app-error-transfer';
import type { MapWorkerApi } from '../runs-in-worker/map-worker-api';

export class MapClient {
  #worker: Worker | null = null;
  #api: Remote<MapWorkerApi> | null = null;

  get api(): Remote<MapWorkerApi> {
    if (!this.#api) {
      registerAppErrorTransfer();
      this.#worker = new Worker(new URL('../../workers/map.worker.ts', import.meta.url), { type: 'module', name: 'mediaforge-map' });
      this.#api = wrap<MapWorkerApi>(this.#worker);
    }
    return this.#api;
  }

  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
  }
}
