/**
 * The page's handle on the database worker: one worker, a typed Comlink proxy, dispose().
 * The worker starts on first use; AppErrors thrown there arrive with their code and hint.
 */
import { proxy, wrap, type Remote } from 'comlink';
import { registerAppErrorTransfer } from '../comlink/app-error-transfer';
import type { DbInfo, DbWorkerApi, LoadProgress } from '../runs-in-worker/db-worker-api';

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

  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
  }
}
