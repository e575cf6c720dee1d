/**
 * The page's handle on the database worker: one worker, a typed Comlink proxy, dispose().
 * The worker starts on first use; AppErrors thrown there arrive with their code and hint.
 */
import { proxy, wrap, type Remote } from 'comlink';
import { registerAppErrorTransfer } from '../comlink/app-error-transfer';
import type { DbInfo, DbWorkerApi, ExportedFile, ImportInspection, ImportResult, LoadProgress } from '../runs-in-worker/db-worker-api';
import type { TransferProgress } from '../db/workspace-stream';

/** File name of the bundled snapshot in public/. */
export const SNAPSHOT_FILE = 'mediaforge-snapshot.sqlite.gz';

/** Absolute URL of the bundled snapshot, relative to the app's base (works from any sub-folder). */
export function bundledSnapshotUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}${SNAPSHOT_FILE}`, document.baseURI).href;
}

export class DbClient {
  #worker: Worker | null = null;
  #api: Remote<DbWorkerApi> | null = null;

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
    return this.api.open({ snapshotUrl: bundledSnapshotUrl() }, onProgress ? proxy(onProgress) : undefined);
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
