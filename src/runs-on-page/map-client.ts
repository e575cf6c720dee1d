/**
 * The page's handle on the map worker (projections, placement, neighbours of a map point,
 * diagnostics): one worker, a typed Comlink proxy, dispose(). Starts on first use.
 *
 * A map worker that crashes (an `error` event) or falls silent mid-call (no heartbeat for
 * `silentMs`, or `umapSilentMs` while a UMAP runs) is terminated, and the calls in flight reject with "the map worker stopped
 * unexpectedly while …" (src/runs-on-page/watched-worker.ts). The next call starts a fresh
 * worker, which holds no embeddings: `restore` (the map store's) hands them over before its first call.
 */
import type { Remote } from 'comlink';
import type { MapWorkerApi } from '../runs-in-worker/map-worker-api';
import { WatchedWorker } from './watched-worker';

/**
 * The map worker silent this long mid-call is treated as dead. Its synchronous steps (PCA of every
 * genome, nearest-neighbour search, diagnostics, the media map) block its event loop for under
 * 1 s on the bundled snapshot (bench/worker-blocking.js).
 */
export const MAP_WORKER_SILENT_MS = 30_000;

/**
 * The limit while a UMAP projection is in flight. umap-js's `initializeFit` (the fuzzy simplicial
 * set of the fitted rows) is one uninterruptible step: 7.7 s on the bundled snapshot's 8,862
 * points on a 2-core machine (bench/worker-blocking.js), and the fit is capped at 12,000 rows
 * (UMAP_DEFAULTS.sampleAbove), about 10 s there. At 30 s a slower machine would see a false alarm;
 * 120 s leaves over ten times the measured block.
 */
export const MAP_UMAP_SILENT_MS = 120_000;

export interface MapClientOptions {
  /** Milliseconds without a heartbeat, while a call is in flight, after which the worker counts as dead. @default MAP_WORKER_SILENT_MS */
  silentMs?: number;
  /** The limit while a UMAP projection is in flight. @default MAP_UMAP_SILENT_MS */
  umapSilentMs?: number;
  /** Makes the worker. @default the bundled workers/map.worker.ts */
  createWorker?: () => Worker;
  /** Runs on a worker that replaces a dead one, before its first call (hand it the embeddings again). */
  restore?: (api: Remote<MapWorkerApi>) => Promise<void>;
}

function createMapWorker(): Worker {
  return new Worker(new URL('../../workers/map.worker.ts', import.meta.url), { type: 'module', name: 'mediaforge-map' });
}

/** What a map call was doing, for the error of a worker that died during it. */
export function describeMapCall(method: string, args: unknown[]): string {
  switch (method) {
    case 'setGenomes':
      return "loading the map's genomes";
    case 'project':
      return `computing the ${args[0] === 'umap' ? 'UMAP' : 'PCA'} projection`;
    case 'place':
      return 'placing genomes on the map';
    case 'neighborsOfRow':
    case 'neighborsOfVector':
      return 'finding the nearest genomes';
    case 'diagnostics':
      return 'computing the latent diagnostics';
    case 'projectMedia':
      return 'projecting the media map';
    default:
      return `running ${method}`;
  }
}

export class MapClient {
  readonly #worker: WatchedWorker<MapWorkerApi>;

  constructor(options: MapClientOptions = {}) {
    const umapSilentMs = options.umapSilentMs ?? MAP_UMAP_SILENT_MS;
    this.#worker = new WatchedWorker<MapWorkerApi>({
      create: options.createWorker ?? createMapWorker,
      name: 'the map worker',
      silentMs: options.silentMs ?? MAP_WORKER_SILENT_MS,
      hint: 'try again: a new map worker starts',
      describeCall: describeMapCall,
      silentMsOf: (method, args) => (method === 'project' && args[0] === 'umap' ? umapSilentMs : undefined),
      restore: options.restore,
    });
  }

  /** The worker's API (starts the worker on first use; after a death, a fresh one). */
  get api(): Remote<MapWorkerApi> {
    return this.#worker.api;
  }

  /** How many workers have been started (grows by one after a death, when the next one starts): a new one holds no embeddings. */
  get generation(): number {
    return this.#worker.generation;
  }

  dispose(): void {
    this.#worker.dispose();
  }
}
