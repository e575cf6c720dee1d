/**
 * The page's handle on the database worker: one worker, a typed Comlink proxy, dispose().
 * The worker starts on first use; AppErrors thrown there arrive with their code and hint.
 *
 * A database worker that crashes (an `error` event) or falls silent mid-call (no heartbeat for
 * `silentMs`) is terminated, and the calls in flight reject with "the database worker stopped
 * unexpectedly while …" (src/runs-on-page/watched-worker.ts). Nothing the user had is lost: every
 * change is saved to IndexedDB as it is made (atomically: a change cut short leaves the previous
 * image), and the next call starts a fresh worker that first reopens the saved database (the
 * same `open` the page made) and gets the page's event listeners again. A worker that crashes
 * while idle is replaced at once. Either way the listeners hear `reopened`: a change the browser
 * had refused to store is then no longer in this tab (the page keeps its copy: unsaved-changes.ts).
 */
import { proxy, type Remote } from 'comlink';
import type { DbEvent, DbInfo, DbWorkerApi, ExportedFile, ImportInspection, ImportResult, LoadProgress, OpenOptions } from '../runs-in-worker/db-worker-api';
import type { TransferProgress } from '../db/workspace-stream';
import { hasOfflineSnapshot, offlineSnapshotKey } from '../db/snapshot-offline-copy';
import { WatchedWorker } from './watched-worker';

/** File name of the bundled snapshot in public/. */
export const SNAPSHOT_FILE = 'mediaforge-snapshot.sqlite.gz';

/** This build's revision of the bundled snapshot (a hash of the file, vite.config.ts): the key of its offline copy. */
export const SNAPSHOT_REVISION: string = typeof __MEDIAFORGE_SNAPSHOT_REVISION__ === 'string' ? __MEDIAFORGE_SNAPSHOT_REVISION__ : 'unbuilt'; // Node tests: no build

/** Absolute URL of the bundled snapshot, relative to the app's base (works from any sub-folder). */
export function bundledSnapshotUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}${SNAPSHOT_FILE}`, document.baseURI).href;
}

/**
 * The database worker silent this long mid-call is treated as dead. The steps that block its event
 * loop (no heartbeat meanwhile) are synchronous sql.js and gzip work: on the bundled snapshot at
 * most 2.7 s (merging an import of the whole snapshot; opening it, exports and the quality report
 * under 1 s; bench/worker-blocking.js on a loaded 2-core machine). The limit leaves over ten times
 * that, for bigger databases and slower machines.
 */
export const DB_WORKER_SILENT_MS = 30_000;

/** How many times per page a database worker that crashed while idle is replaced at once. */
export const MAX_IDLE_RESTARTS = 3;

export interface DbClientOptions {
  /**
   * Resolves true when the bundled snapshot, once downloaded, is to be kept in Cache Storage for
   * offline use (the app has a service worker). @default never kept
   */
  keepSnapshotOffline?: () => Promise<boolean>;
  /** Milliseconds without a heartbeat, while a call is in flight, after which the worker counts as dead. @default DB_WORKER_SILENT_MS */
  silentMs?: number;
  /** Makes the worker. @default the bundled workers/db.worker.ts */
  createWorker?: () => Worker;
  /** The URL of the bundled snapshot. @default bundledSnapshotUrl() */
  snapshotUrl?: () => string;
}

function createDbWorker(): Worker {
  return new Worker(new URL('../../workers/db.worker.ts', import.meta.url), { type: 'module', name: 'mediaforge-db' });
}

/** What a database call was doing, for the error of a worker that died during it. */
export function describeDbCall(method: string, args: unknown[]): string {
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  switch (method) {
    case 'open':
      return 'opening the database';
    case 'exportFile':
      return `exporting the ${args[1] === 'workspace' ? 'workspace' : 'snapshot'}`;
    case 'exportSnapshot':
      return 'exporting the snapshot';
    case 'inspectImport':
      return `reading ${String(args[2])}`;
    case 'applyImport':
      return args[1] === 'merge' ? 'merging the imported file into the database' : 'replacing the database with the imported file';
    case 'importSnapshot':
      return `importing ${String(args[1])}`;
    case 'addGenomes':
      return `adding ${plural(Array.isArray(args[0]) ? args[0].length : 0, 'genome')}`;
    case 'searchMedia':
      return 'searching media';
    case 'searchStrains':
      return 'searching strains';
    case 'stats':
      return 'computing the quality report';
    case 'recommend':
    case 'predictConditions':
    case 'warmMedia':
      return 'ranking media';
    case 'recommendForGroup':
      return 'ranking media for the selected genomes';
    case 'saveCheckpoint':
    case 'saveRecipeCheckpoint':
      return 'saving a training checkpoint';
    case 'saveTrainedModel':
    case 'saveTrainedRecipeModel':
      return 'saving the trained model';
    case 'recordLabOutcome':
      return 'recording a lab outcome';
    case 'mapGenomes':
      return "reading the map's genomes";
    default:
      return `running ${method}`;
  }
}

/**
 * What the page hears about the database unasked: the worker's events, and `reopened` from this
 * client when a fresh worker replaced a dead one and reopened the database as last saved (so
 * whatever the dead worker held unsaved is no longer in this tab).
 */
export type DbClientEvent = DbEvent | { kind: 'reopened'; info: DbInfo | null };

export class DbClient {
  readonly #worker: WatchedWorker<DbWorkerApi>;
  #keepOffline: () => Promise<boolean>;
  #snapshotUrl: () => string;
  #offline: Promise<boolean> | null = null;
  /** The options of the last `open` that succeeded: a fresh worker reopens with them. */
  #opened: OpenOptions | null = null;
  /** Workers started at once after an idle crash (onIdleDeath), this page. */
  #idleRestarts = 0;
  /** The page's event listeners (onEvent): a fresh worker gets them again. */
  #listeners: ((e: DbClientEvent) => void)[] = [];

  constructor(options: DbClientOptions = {}) {
    this.#keepOffline = options.keepSnapshotOffline ?? (async () => false);
    this.#snapshotUrl = options.snapshotUrl ?? bundledSnapshotUrl;
    this.#worker = new WatchedWorker<DbWorkerApi>({
      create: options.createWorker ?? createDbWorker,
      name: 'the database worker',
      silentMs: options.silentMs ?? DB_WORKER_SILENT_MS,
      hint: 'try again: a new database worker reopens your database as it was last saved in this browser',
      describeCall: describeDbCall,
      restore: (api) => this.#restore(api),
      // A crash while idle: start the fresh worker now (it reopens the saved database and says so);
      // a few times per page at most, so a worker that keeps crashing after it opened is not
      // restarted in a loop (the next call still starts one).
      onIdleDeath: () => {
        if (this.#opened && this.#idleRestarts++ < MAX_IDLE_RESTARTS) void this.api.info().catch(() => {});
      },
    });
  }

  /** The worker's API (starts the worker on first use; after a death, a fresh one that reopens the saved database). */
  get api(): Remote<DbWorkerApi> {
    return this.#worker.api;
  }

  /** How many workers have been started (grows by one after a death, when the next one starts). */
  get generation(): number {
    return this.#worker.generation;
  }

  async open(onProgress?: (p: LoadProgress) => void): Promise<DbInfo> {
    const options: OpenOptions = { snapshotUrl: this.#snapshotUrl(), snapshotRevision: SNAPSHOT_REVISION };
    const info = await this.api.open(options, onProgress ? proxy(onProgress) : undefined, proxy(this.#keepOffline));
    this.#opened = options;
    return info;
  }

  /**
   * Calls `listener` when another tab changed the database, a save failed or succeeded (on this
   * worker and any that replaces it), and when a fresh worker reopened the saved database.
   */
  onEvent(listener: (e: DbClientEvent) => void): Promise<void> {
    this.#listeners.push(listener);
    return this.api.onEvent(proxy(listener));
  }

  /** A worker that replaces a dead one: reopen the database (IndexedDB's image, as the first open found it) and listen again. */
  async #restore(api: Remote<DbWorkerApi>): Promise<void> {
    for (const l of this.#listeners) await api.onEvent(proxy(l));
    if (!this.#opened) return;
    const info = await api.open(this.#opened, undefined, proxy(this.#keepOffline));
    for (const l of this.#listeners) {
      try {
        l({ kind: 'reopened', info });
      } catch (e) {
        console.warn(`database: a listener failed on reopening (${(e as Error).message})`);
      }
    }
  }

  /**
   * Makes sure this build's snapshot is stored for offline use: true when it is. Checked here
   * first (a repeat visit starts no worker); otherwise the worker stores the download it has or
   * makes, never a second one. Once per page while it succeeds.
   */
  keepSnapshotOffline(): Promise<boolean> {
    const url = this.#snapshotUrl();
    this.#offline ??= hasOfflineSnapshot(offlineSnapshotKey(url, SNAPSHOT_REVISION))
      .then((stored) => stored || this.api.keepSnapshotOffline(url, SNAPSHOT_REVISION))
      .catch((e: unknown) => {
        console.warn(`bundled database: not kept for offline use (${(e as Error).message})`);
        return false;
      })
      .then((ok) => {
        if (!ok) this.#offline = null;
        return ok;
      });
    return this.#offline;
  }

  // Transfers with progress and cancel: each call runs under a job id that cancelTransfer takes.

  exportFile(jobId: string, kind: 'workspace' | 'snapshot', gzip: boolean, onProgress: (p: TransferProgress) => void): Promise<ExportedFile> {
    return this.api.exportFile(jobId, kind, gzip, proxy(onProgress));
  }

  /** The File goes to the worker as a handle: its bytes are read there, never on the page. */
  inspectImport(jobId: string, file: File, onProgress: (p: TransferProgress) => void): Promise<ImportInspection> {
    return this.api.inspectImport(jobId, file, file.name, proxy(onProgress));
  }

  applyImport(jobId: string, mode: 'replace' | 'merge', onProgress: (p: TransferProgress) => void): Promise<ImportResult> {
    return this.api.applyImport(jobId, mode, proxy(onProgress));
  }

  cancelTransfer(jobId: string): Promise<boolean> {
    return this.api.cancelTransfer(jobId);
  }

  dispose(): void {
    this.#worker.dispose();
  }
}
