/**
 * The Database page's state: the worker-held growth database (loading, info, storage), the browse
 * sections' queries and results, import/export, and genome links. All SQL runs in the worker
 * (DbClient); this class only keeps what the components show. Shared through context.
 */
import { transfer } from 'comlink';
import { getContext, setContext } from 'svelte';
import { requestPersistentStorage, STORAGE_FULL } from '../../db/browser-image-store';
import type { DbStats } from '../../db/stats';
import type { GenomeMedium, GenomeRow, MediaSearchResult, Recipe, StrainSearchResult } from '../../db/queries';
import type { LinkLevel } from '../../db/link';
import { serializeError, type SerializedAppError } from '../../core/errors';
import { DbClient, type DbClientEvent } from '../../runs-on-page/db-client';
import { afterDownload, dismissed, NO_UNSAVED, unsavedAfter, type UnsavedCopy, type UnsavedState } from './unsaved-changes';
import { pwaStatus } from '../../pwa/pwa-status.svelte';
import type { AddedGenome, DbInfo, GenomeEmbeddings, ImportInspection, ImportResult, LoadProgress, ProfiledGenome } from '../../runs-in-worker/db-worker-api';
import type { TransferProgress } from '../../db/workspace-stream';

export type DbStatus = 'idle' | 'loading' | 'ready' | 'error';
export type DbSection = 'media' | 'strains' | 'genomes' | 'quality';

export interface StorageState {
  persisted: boolean;
  usageBytes?: number;
  quotaBytes?: number;
}

export interface GenomeDetail {
  links: { strainId: number | null; level: string; evidence: string; reviewedByUser: boolean; species: string | null; dsmNumber: string | null }[];
  media: GenomeMedium[];
}

/** `mediaforge-2026-11-23.sqlite.gz` */
export function exportFileName(date = new Date(), gzip = true): string {
  return `mediaforge-${date.toISOString().slice(0, 10)}.sqlite${gzip ? '.gz' : ''}`;
}

/** An export or import in progress (the progress bar and its Cancel button). */
export interface TransferState {
  jobId: string;
  /** "Exporting workspace…" */
  label: string;
  progress: TransferProgress | null;
  cancelling: boolean;
}

/** The last export: what was downloaded (file name, size, time in the worker). */
export interface ExportSummary {
  kind: 'workspace' | 'snapshot';
  fileName: string;
  bytes: number;
  sqliteBytes: number;
  ms: number;
}

let jobSeq = 0;
const newJobId = () => `job-${Date.now().toString(36)}-${++jobSeq}`;

function download(bytes: Uint8Array, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export class DatabaseStore {
  status = $state<DbStatus>('idle');
  progress = $state.raw<LoadProgress | null>(null);
  info = $state.raw<DbInfo | null>(null);
  error = $state.raw<SerializedAppError | null>(null);
  storage = $state.raw<StorageState | null>(null);
  section = $state<DbSection>('media');
  /** Bumped after every change to the database, so views load again. */
  revision = $state(0);
  /** What the database is doing now ("Importing x…"), or null. */
  busy = $state<string | null>(null);

  mediaQuery = $state('');
  mediaResult = $state.raw<MediaSearchResult | null>(null);
  recipe = $state.raw<Recipe | null>(null);
  strainQuery = $state('');
  strainResult = $state.raw<StrainSearchResult | null>(null);
  genomes = $state.raw<GenomeRow[] | null>(null);
  stats = $state.raw<DbStats | null>(null);

  importError = $state.raw<SerializedAppError | null>(null);
  importResult = $state.raw<ImportResult | null>(null);
  actionError = $state.raw<SerializedAppError | null>(null);
  /** The running export or import, or null. */
  transfer = $state.raw<TransferState | null>(null);
  /** A checked file waiting for Import or Cancel (its preview). */
  inspection = $state.raw<(ImportInspection & { fileName: string }) | null>(null);
  /** "Export cancelled." and the like, or null. */
  transferNote = $state<string | null>(null);
  lastExport = $state.raw<ExportSummary | null>(null);
  exportError = $state.raw<SerializedAppError | null>(null);
  /** Another tab saved a change and this tab now shows it (DbNotices). */
  changedElsewhere = $state.raw<{ label: string; at: Date } | null>(null);
  /**
   * Changes that could not be saved (STORAGE_FULL): the message, and the databases holding them,
   * offered as downloads (unsaved-changes.ts; DbNotices).
   */
  unsaved = $state.raw<UnsavedState>(NO_UNSAVED);

  /** The bundled snapshot is kept for offline use when the app has a service worker. */
  readonly client = new DbClient({ keepSnapshotOffline: () => pwaStatus.registered });
  #seq = { media: 0, strains: 0 };
  /** The last export (its "Try again") and the last file chosen to import, with the mode once confirmed. */
  #lastExport: { kind: 'workspace' | 'snapshot'; gzip: boolean } | null = null;
  #lastImport: { file: File; mode: 'replace' | 'merge' | null } | null = null;
  #listening = false;

  get ready(): boolean {
    return this.status === 'ready';
  }

  /** Opens the database once (the saved image, else the bundled snapshot) and asks for persistent storage. */
  async open(): Promise<void> {
    if (this.status === 'loading' || this.status === 'ready') return;
    this.status = 'loading';
    this.error = null;
    try {
      if (!this.#listening) await this.client.onEvent((e: DbClientEvent) => this.#onEvent(e));
      this.#listening = true;
      this.info = await this.client.open((p) => (this.progress = p));
      this.status = 'ready';
      this.progress = null;
      void this.searchMedia(this.mediaQuery);
      // First visit: the copy in IndexedDB is written in the background; show it when done.
      const saved = this.info.saved ? Promise.resolve(this.info) : this.client.api.whenSaved();
      void saved.then((info) => {
        if (info && !this.busy) this.info = info;
        return this.refreshStorage(true);
      });
    } catch (e) {
      this.error = serializeError(e);
      this.status = 'error';
    }
  }

  /**
   * What the worker reports by itself: another tab's change (this tab reloaded it), a save that
   * failed or one that succeeded; and the client's fresh worker that reopened the saved database.
   */
  #onEvent(e: DbClientEvent): void {
    this.unsaved = unsavedAfter(this.unsaved, e);
    if (e.kind === 'saved') return;
    if (e.kind === 'changed-elsewhere') {
      this.info = e.info;
      this.changedElsewhere = { label: e.label, at: new Date() };
    } else if (e.kind === 'reopened') {
      this.info = e.info ?? this.info;
    } else {
      void this.client.api.info().then((info) => (this.info = info ?? this.info));
    }
    // Either way the database in memory changed: views load again.
    this.revision++;
    this.stats = null;
    this.recipe = null;
    void this.searchMedia(this.mediaQuery);
    if (this.strainQuery) void this.searchStrains(this.strainQuery);
    void this.refreshStorage();
  }

  async refreshStorage(askPersist = false): Promise<void> {
    if (askPersist) {
      this.storage = await requestPersistentStorage();
      return;
    }
    const est = await navigator.storage?.estimate?.().catch(() => undefined);
    const persisted = (await navigator.storage?.persisted?.().catch(() => false)) ?? false;
    this.storage = { persisted, usageBytes: est?.usage, quotaBytes: est?.quota };
  }

  async searchMedia(text: string): Promise<void> {
    this.mediaQuery = text;
    if (!this.ready) return;
    const seq = ++this.#seq.media;
    const r = await this.client.api.searchMedia(text, { limit: 100 });
    if (seq === this.#seq.media) this.mediaResult = r;
  }

  async showRecipe(mediumId: string): Promise<void> {
    this.recipe = await this.client.api.getRecipe(mediumId);
  }

  closeRecipe(): void {
    this.recipe = null;
  }

  async searchStrains(text: string): Promise<void> {
    this.strainQuery = text;
    if (!this.ready) return;
    const seq = ++this.#seq.strains;
    const r = await this.client.api.searchStrains(text, { limit: 50 });
    if (seq === this.#seq.strains) this.strainResult = r;
  }

  async loadGenomes(): Promise<void> {
    if (this.ready) this.genomes = await this.client.api.listGenomes();
  }

  genomeDetail(genomeId: number): Promise<GenomeDetail> {
    return this.client.api.genomeDetail(genomeId);
  }

  async loadStats(): Promise<void> {
    if (this.ready) this.stats = await this.client.api.stats();
  }

  /** Runs a change in the worker, then refreshes what depends on the database. */
  async #change<T>(label: string, work: () => Promise<T>): Promise<T> {
    this.busy = label;
    try {
      const out = await work();
      this.info = await this.client.api.info();
      this.revision++;
      this.stats = null;
      void this.refreshStorage();
      return out;
    } finally {
      this.busy = null;
    }
  }

  /** Runs a transfer under a new job id, with the progress bar and Cancel; CANCELLED comes back as null. */
  async #transfer<T>(label: string, work: (jobId: string, onProgress: (p: TransferProgress) => void) => Promise<T>, cancelledNote: string): Promise<T | null> {
    const jobId = newJobId();
    this.transferNote = null;
    this.transfer = { jobId, label, progress: null, cancelling: false };
    this.busy = label;
    try {
      return await work(jobId, (p) => {
        if (this.transfer?.jobId === jobId) this.transfer = { ...this.transfer, progress: p };
      });
    } catch (e) {
      if (serializeError(e).code !== 'CANCELLED') throw e;
      this.transferNote = cancelledNote;
      return null;
    } finally {
      if (this.transfer?.jobId === jobId) this.transfer = null;
      this.busy = null;
    }
  }

  /** Asks the worker to stop the running transfer at its next chunk or stage. */
  async cancelTransfer(): Promise<void> {
    const t = this.transfer;
    if (!t || t.cancelling || t.progress?.cancellable === false) return;
    this.transfer = { ...t, cancelling: true };
    await this.client.cancelTransfer(t.jobId);
  }

  /** Downloads the current database as a snapshot file (progress, cancel). */
  async exportFile(gzip = true): Promise<void> {
    await this.#export('snapshot', gzip);
  }

  /** Downloads a database holding changes that could not be saved (gzipped off the main thread where the browser can). */
  async downloadUnsaved(copy: UnsavedCopy): Promise<void> {
    const day = new Date().toISOString().slice(0, 10);
    if (typeof CompressionStream === 'function') {
      const gz = new Uint8Array(await new Response(new Blob([copy.image as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
      download(gz, `mediaforge-unsaved-${day}.sqlite.gz`, 'application/gzip');
    } else {
      download(copy.image, `mediaforge-unsaved-${day}.sqlite`, 'application/vnd.sqlite3');
    }
    this.unsaved = afterDownload(this.unsaved, copy);
  }

  /** The storage notice's ✕ (not while a lost change's only copy waits to be downloaded). */
  dismissStorageError(): void {
    this.unsaved = dismissed(this.unsaved);
  }

  /** Downloads the user's workspace (their genomes, links, embeddings, models, lab outcomes) as one file. */
  async exportWorkspace(): Promise<void> {
    await this.#export('workspace', true);
  }

  async #export(kind: 'workspace' | 'snapshot', gzip: boolean): Promise<void> {
    this.exportError = null;
    this.#lastExport = { kind, gzip };
    try {
      const f = await this.#transfer(
        kind === 'workspace' ? 'Exporting workspace…' : 'Exporting…',
        (jobId, onProgress) => this.client.exportFile(jobId, kind, gzip, onProgress),
        'Export cancelled.',
      );
      if (!f) return;
      download(f.bytes, kind === 'snapshot' ? exportFileName(new Date(), gzip) : f.fileName, gzip ? 'application/gzip' : 'application/vnd.sqlite3');
      this.lastExport = { kind, fileName: kind === 'snapshot' ? exportFileName(new Date(), gzip) : f.fileName, bytes: f.bytes.length, sqliteBytes: f.sqliteBytes, ms: f.ms };
    } catch (e) {
      this.exportError = serializeError(e);
    }
  }

  /**
   * Reads and checks a file to import (full snapshot or workspace file) in the worker and shows its
   * preview; nothing changes until confirmImport. A rejected file sets importError.
   */
  async inspectFile(file: File): Promise<void> {
    this.importError = null;
    this.importResult = null;
    this.inspection = null;
    this.#lastImport = { file, mode: null };
    try {
      const r = await this.#transfer(`Reading ${file.name}…`, (jobId, onProgress) => this.client.inspectImport(jobId, file, onProgress), 'Import cancelled; your database was not changed.');
      if (r) this.inspection = { ...r, fileName: file.name };
    } catch (e) {
      this.importError = this.#namedError(e, file.name);
    }
  }

  /** Imports the previewed file: merge, or replace (the caller has asked the user). */
  async confirmImport(mode: 'replace' | 'merge'): Promise<void> {
    const pending = this.inspection;
    if (!pending) return;
    this.inspection = null;
    if (this.#lastImport) this.#lastImport.mode = mode;
    try {
      const label = `${mode === 'merge' ? 'Merging' : 'Importing'} ${pending.fileName}…`;
      const r = await this.#change(label, () =>
        this.#transfer(label, (jobId, onProgress) => this.client.applyImport(jobId, mode, onProgress), 'Import cancelled; your database was not changed.'),
      );
      if (!r) {
        void this.client.api.discardImport();
        return;
      }
      this.importResult = r;
      this.recipe = null;
      void this.searchMedia(this.mediaQuery);
      void this.searchStrains(this.strainQuery);
    } catch (e) {
      const err = serializeError(e);
      // Checked and applied, but not saved: not a refusal (DbNotices shows it, from the worker's event).
      if (err.code === STORAGE_FULL) {
        this.unsaved = { ...this.unsaved, storageError: err };
        return;
      }
      this.importError = this.#namedError(e, pending.fileName);
    }
  }

  /**
   * The "Try again" of an export or import that failed with INTERNAL (its worker stopped: the next
   * call runs on a fresh one, which has reopened the saved database): the same export, or the same
   * file read again and, if it was confirmed, imported with the same mode.
   */
  async retryExport(): Promise<void> {
    const last = this.#lastExport;
    if (last) await this.#export(last.kind, last.gzip);
  }

  async retryImport(): Promise<void> {
    const last = this.#lastImport;
    if (!last) return;
    if (last.mode) await this.importFile(last.file, last.mode);
    else await this.inspectFile(last.file);
  }

  /** The preview's Cancel: forget the file. */
  dismissInspection(): void {
    this.inspection = null;
    void this.client.api.discardImport();
  }

  /** Checks a file, then replaces or merges without a preview (scripts, tests). A rejected file changes nothing. */
  async importFile(file: File, mode: 'replace' | 'merge'): Promise<void> {
    await this.inspectFile(file);
    if (this.inspection) await this.confirmImport(mode);
  }

  /** The checker names the file; make sure the message does even for unexpected failures. */
  #namedError(e: unknown, name: string): SerializedAppError {
    const err = serializeError(e);
    return err.message.includes(name) ? err : { ...err, message: `${name}: ${err.message}` };
  }

  /** Adds profiled genomes, with their embeddings by the active model when given (NeighborsStore.addGenomes computes them). */
  async addGenomes(genomes: ProfiledGenome[], embeddings?: GenomeEmbeddings): Promise<AddedGenome[] | null> {
    this.actionError = null;
    try {
      return await this.#change(`Adding ${genomes.length} genome${genomes.length === 1 ? '' : 's'}…`, () =>
        this.client.api.addGenomes(genomes, embeddings ? transfer(embeddings, [embeddings.vectors.buffer as ArrayBuffer]) : undefined),
      );
    } catch (e) {
      this.actionError = serializeError(e);
      return null;
    }
  }

  /** Sets a genome's link from a culture-collection number (null: no strain matches). Throws AppError on a bad number. */
  setGenomeLink(genomeId: number, ccno: string | null, level: LinkLevel): Promise<{ strainId: number | null; rows: number }> {
    return this.#change('Linking…', () => this.client.api.setGenomeLink(genomeId, ccno, level));
  }

  dispose(): void {
    this.client.dispose();
  }
}

const KEY = Symbol('database');

export function setDatabaseStore(store: DatabaseStore): DatabaseStore {
  return setContext(KEY, store);
}

export function getDatabaseStore(): DatabaseStore {
  const store = getContext<DatabaseStore | undefined>(KEY);
  if (!store) throw new Error('DatabaseStore missing: App.svelte sets it up');
  return store;
}
