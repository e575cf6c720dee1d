/**
 * The page's handle on the database worker: one worker, a typed Comlink proxy, dispose().
 * The worker starts on first use; AppErrors thrown there arrive with their code and hint.
 */
import { proxy, wrap, type Remote } from 'comlink';
import { registerAppErrorTransfer } from '../comlink/app-error-transfer';
import type { DbInfo, DbWorkerApi, ExportedFile, ImportInspection, ImportResult, LoadProgress } from '../runs-in-worker/db-worker-api';
import type { TransferProgress } from '../db/workspace-stream';
import { hasOfflineSnapshot, offlineSnapshotKey } from '../db/snapshot-offline-copy';

/** File name of the bundled snapshot in public/. */
export const SNAPSHOT_FILE = 'mediaforge-snapshot.sqlite.gz';

/** This build's revision of the bundled snapshot (a hash of the file, vite.config.ts): the key of its offline copy. */
export const SNAPSHOT_REVISION: string = __MEDIAFORGE_SNAPSHOT_REVISION__;

/** Absolute URL of the bundled snapshot, relative to the app's base (works from any sub-folder). */
export function bundledSnapshotUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}${SNAPSHOT_FILE}`, document.baseURI).href;
}

export interface DbClientOptions {
  /**
   * Resolves true when the bundled snapshot, once downloaded, is to be kept in Cache Storage for
   * offline use (the app has a service worker). @default never kept
   */
  keepSnapshotOffline?: () => Promise<boolean>;
}

export class DbClient {
  #worker: Worker | null = null;
  #api: Remote<DbWorkerApi> | null = null;
  #keepOffline: () => Promise<boolean>;
  #offline: Promise<boolean> | null = null;

  constructor(options: DbClientOptions = {}) {
    this.#keepOffline = options.keepSnapshotOffline ?? (async () => false);
  }

  /** The worker's API (starts the worker on first use). */
  get api(): Remote<DbWorkerApi> {
    if (!this.#api) {
      registerAppErrorTransfer();
      this.#worker = new Worker(new URL('../../workers/db.worker.ts', import.meta.url), { type: 'module', name: 'mediaforge-db' });
      this.#api = wrap<DbWorkerApi>(this.#worker);
    }
    return this.#api;
  }

  open(onProgress?: (p: LoadProgress) => void): Promise<DbInfo> {
    return this.api.open({ snapshotUrl: bundledSnapshotUrl(), snapshotRevision: SNAPSHOT_REVISION }, onProgress ? proxy(onProgress) : undefined, proxy(this.#keepOffline));
  }

  /**
   * Makes sure this build's snapshot is stored for offline use: true when it is. Checked here
   * first (a repeat visit starts no worker); otherwise the worker stores the download it has or
   * makes, never a second one. Once per page while it succeeds.
   */
  keepSnapshotOffline(): Promise<boolean> {
    const url = bundledSnapshotUrl();
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
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
  }
}
