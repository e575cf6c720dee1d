/**
 * The growth database's worker logic (workers/db.worker.ts only exposes it). One sql.js database
 * lives in the worker; the page never touches SQLite.
 *
 * Start-up: the image saved in IndexedDB (browser-image-store.ts) if there is one, otherwise the
 * bundled snapshot fetched from public/ (gunzipped when it is gzip), migrated to this build's
 * schema and saved. Every change (import, merge, added genome, link) is saved at once; the store
 * writes the new image beside the old one and only then switches, so a closed tab never leaves a
 * broken database. Imports are checked (snapshot-file.ts) before anything is touched: a rejected
 * file leaves the database byte-identical.
 *
 * Several tabs: every change runs through `write`, under one exclusive Web Lock for all tabs
 * (db-write-lock.ts). It first catches up: when the saved image's generation is not the one this
 * tab holds, another tab saved since, so that image is loaded before the change applies (nothing
 * another tab wrote is lost). After the save, a BroadcastChannel message (tab-sync.ts) makes the
 * other tabs reload it at once and tell their users. A save refused for lack of space throws
 * STORAGE_FULL: the saved image stays the previous one, the change stays in this tab's memory, and
 * the page gets the database with the change (the save-failed event) to offer as a download.
 */
import { concatBytes } from '../core/decompress';
import { transfer } from 'comlink';
import { gunzipSync } from 'fflate';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import wasmUrl from 'sql.js/dist/sql-wasm.wasm?url';
import { AppError, serializeError, type SerializedAppError } from '../core/errors';
import { FEATURE_COUNT } from '../core/kmer-layout';
import { indexedDbImageStore, isQuotaExceeded, storageFullError, type ImageStore, type StoredImageInfo } from '../db/browser-image-store';
import { openTabSync, type TabSync } from '../db/tab-sync';
import { databaseWriteLock, type WriteLock } from './db-write-lock';
import { addGenome, type OrganismType } from '../db/genomes';
import { genomeLinks, linkGenome, setGenomeLink, type LinkLevel } from '../db/link';
import { mergeDatabase, type MergeReport } from '../db/merge';
import { migrate, readPragmaInt } from '../db/migrations';
import {
  genomeMedia,
  getRecipe,
  listGenomes,
  searchMedia,
  searchStrains,
  type GenomeMedium,
  type GenomeRow,
  type MediaSearchResult,
  type Recipe,
  type SearchOptions,
  type StrainSearchResult,
} from '../db/queries';
import { collectStats, type DbStats } from '../db/stats';
import { buildStrainIndex, type StrainIndex } from '../db/strain-index';
import { exportSnapshot, isGzipBytes, type SnapshotReport } from '../db/snapshot-file';
import { deleteOfflineSnapshot, hasOfflineSnapshot, offlineSnapshotKey, readOfflineSnapshot, storeOfflineSnapshot } from '../db/snapshot-offline-copy';
import {
  applyWorkspace,
  countContents,
  describeImport,
  exportWorkspace,
  modelIdsOf,
  openImportFile,
  workspaceFileName,
  type ApplyImportReport,
  type ImportPreview,
  type OpenedImport,
  type WorkspaceCounts,
  type WorkspaceManifest,
} from '../db/workspace-file';
import { gunzipChunked, gzipChunked, throwIfCancelled, yieldToEvents, type TransferProgress } from '../db/workspace-stream';
import { parseCcno } from '../db/culture-collections';
import { decodeProfileCounts, profileContentHash } from '../db/profile-blob';
import { deleteLabOutcome, findGenomeByContentHash, listLabOutcomes, recordLabOutcome, type RecordLabOutcomeInput } from '../db/lab-outcomes';
import type { GeneratedRecipe, GenomeQuery, GrowthConditions, LabOutcome, PredictedConditionsJson, RecommendResult } from '../media/media-api-types';
import { buildRecommendContext, predictConditions, recommendMedia, refreshLabOutcomes, type RecommendContext } from '../media/recommend';
import { cvaeScoresOf, scoredMediaOf, type ScoredMedia } from '../media/cvae-evidence';
import { describeGeneratedRecipes, type DecodedRecipes } from '../media/generate-recipes';
import { buildMediaMatrix, type MediaMatrix, type VocabEntry } from '../media/media-vectors';
import { ACTIVE_RECIPE_CVAE_KEY, fromRecipeModelRow, getActiveRecipeModelId, RECIPE_CVAE_KIND, storeRecipeModel } from '../ml/recipe-cvae-model';
import { loadCvaeInput, packCvaeInput, type PackedCvaeInput } from '../ml/recipe-cvae-pipeline';
import { packedBuffers } from '../comlink/pack-for-transfer';
import type { CvaeEpochStats } from '../ml/recipe-cvae';
import type { ResolvedRecipeCvaeConfig } from '../ml/recipe-cvae-config';
import {
  getActiveModelId,
  getModel,
  loadDomainCalls,
  loadEmbeddings,
  RRNA_MARKER_METHOD,
  rrnaEvidenceJson,
  saveEmbeddings,
  saveMarkers,
  saveModel,
  setActiveModelId,
  type StoredModel,
} from '../db/models';
import type { RrnaEvidence } from '../core/rrna-markers';
import { neighborDataFromDb, type DomainCall } from '../ml/genome-neighbors';
import type { EpochStats } from '../ml/train-vae';
import type { ResolvedVaeConfig } from '../ml/vae-config';
import type { NeighborModelData, TrainingSet } from './ml-worker-api';
import { recommendForGroup, type GroupRecommendation } from '../map/group-recommend';
import { mapGenomesBuffers, mapGenomesFromDb, type MapGenomes } from '../map/map-data';
import { mediaMapBuffers, mediaMapFromDb, type MediaMapData } from '../map/media-map-data';
import { loadProjection, saveProjection, type StoredProjection } from '../map/projection-store';

export interface LoadProgress {
  phase: 'download' | 'decompress' | 'open' | 'save' | 'restore';
  /** Bytes done and expected in this phase (download: compressed bytes). */
  doneBytes: number;
  totalBytes?: number;
}

export interface DbInfo {
  /** Where this session's database came from. */
  source: 'saved' | 'bundled';
  /** Size of the SQLite image, bytes. */
  sqliteBytes: number;
  schemaVersion: number;
  /** What the last save was (its label and time), if saved. */
  saved: StoredImageInfo | null;
  /** Problem with the saved image that made us fall back to the bundled snapshot. */
  note: string | null;
  media: number;
  strains: number;
  genomes: number;
  /** How long opening took in the worker, ms per step (0 for steps not run). */
  timings: LoadTimings;
}

export interface LoadTimings {
  sqlJsMs: number;
  restoreMs: number;
  fetchMs: number;
  gunzipMs: number;
  openMs: number;
  /** In the background, after the database is usable (first visit only). */
  saveMs: number;
  /** Time since the worker started when the database was usable. */
  workerAgeMs: number;
}

export interface OpenOptions {
  /** Absolute URL of the bundled snapshot (.sqlite.gz or .sqlite). */
  snapshotUrl: string;
  /** Ignore a saved image (tests, "reset"). @default false */
  ignoreSaved?: boolean;
  /**
   * The build's snapshot revision: the key of its offline copy in Cache Storage
   * (src/db/snapshot-offline-copy.ts), read before the network. Absent: no offline copy is used.
   */
  snapshotRevision?: string;
}

export interface ImportResult {
  mode: 'replace' | 'merge';
  report: SnapshotReport;
  merge: MergeReport | null;
  info: DbInfo;
  /** What kind of file it was (absent: importSnapshot, a full snapshot). */
  kind?: 'workspace' | 'snapshot';
  /** A workspace file's extra report (stub embeddings skipped, models made active). */
  workspace?: ApplyImportReport | null;
}

/** A checked file waiting for the user's Import or Cancel (inspectImport). */
export interface ImportInspection {
  preview: ImportPreview;
  /** The current database's counts of the same kinds. */
  current: WorkspaceCounts;
  /** What merge and replace would do, in words. */
  effects: { merge: string; replace: string };
}

/** An exported file (exportFile), transferred. */
export interface ExportedFile {
  bytes: Uint8Array;
  fileName: string;
  kind: 'workspace' | 'snapshot';
  manifest: WorkspaceManifest | null;
  sqliteBytes: number;
  ms: number;
}

/** A profiled genome as the Profile page holds it (structured-cloned from the page). */
export interface ProfiledGenome {
  fileName: string;
  counts: Float64Array;
  lengthBp: number;
  nBp: number;
  otherBp: number;
  gcFraction: number;
  records: number;
  /** Typed by the user. */
  species?: string;
  strain?: string;
  organismType?: OrganismType;
  /** The rRNA domain evidence of the profile (the Profile page scans for it); stored in genome_markers. */
  rrna?: RrnaEvidence;
  /**
   * Look for a culture-collection number in the file name when linking. The Media tab passes false:
   * there only the sequence may decide what the genome's media are. @default true
   */
  linkFromFileName?: boolean;
}

/** Latent vectors of the genomes being added (row i: genome i), by one genome VAE. */
export interface GenomeEmbeddings {
  modelId: string;
  dim: number;
  /** Row-major, genomes.length × dim. */
  vectors: Float32Array;
}

export interface AddedGenome {
  fileName: string;
  genomeId: number;
  created: boolean;
  level: LinkLevel | null;
  links: number;
  notes: string[];
  /** The model whose embedding the genome has after the call (null: none given). */
  embeddedBy: string | null;
}

/** models.kind of an unfinished training run (see saveCheckpoint). */
export const CHECKPOINT_KIND = 'genome-vae-checkpoint';

/** An unfinished training run: its last checkpoint (packed by the ML worker) and how to redo its data. */
export interface CheckpointRecord {
  /** models.id of the checkpoint row, one per run. */
  runId: string;
  config: ResolvedVaeConfig;
  /** The genomes the run trains on, in order (the split and the batches depend on it). */
  genomeIds: number[];
  valFraction: number;
  /** Epochs completed. */
  epoch: number;
  history: EpochStats[];
  startedAt: string;
  savedAt: string;
  /** The packed TrainCheckpoint (opaque here). */
  bytes: Uint8Array;
}

export type CheckpointSummary = Omit<CheckpointRecord, 'bytes' | 'genomeIds'> & { genomes: number };

/** models.kind of an unfinished recipe CVAE training run (merges skip it, like CHECKPOINT_KIND). */
export const RECIPE_CHECKPOINT_KIND = 'recipe-cvae-checkpoint';

/** An unfinished recipe CVAE run: its last checkpoint (packRecipeCheckpoint bytes) and the phase metrics so far. */
export interface RecipeCheckpointRecord {
  runId: string;
  config: ResolvedRecipeCvaeConfig;
  /** Epochs completed (over all phases). */
  epoch: number;
  history: CvaeEpochStats[];
  /** PhaseMetrics of the phases finished so far (opaque here). */
  phases: unknown[];
  startedAt: string;
  savedAt: string;
  bytes: Uint8Array;
}

export type RecipeCheckpointSummary = Omit<RecipeCheckpointRecord, 'bytes'>;

/** The active recipe CVAE without weights, vocabulary or history (for the Model tab). */
export interface RecipeModelInfo {
  id: string;
  createdAt: string;
  config: ResolvedRecipeCvaeConfig;
  genomeModelId: string | null;
  provenance: Record<string, unknown> | null;
  vocabSize: number;
  /** metrics_json without the epoch history: {counts, repeats, phases, evaluation}. */
  metrics: Record<string, unknown>;
  epochs: number;
}

function recipeInfoOf(d: Database, id: string): RecipeModelInfo | null {
  const row = d.exec('SELECT id, config_json, metrics_json, created_at FROM models WHERE id = ? AND kind = ?', [id, RECIPE_CVAE_KIND])[0]?.values[0];
  if (!row) return null;
  const c = JSON.parse(String(row[1])) as { config: ResolvedRecipeCvaeConfig; vocab?: unknown[]; genomeModelId?: string | null; provenance?: Record<string, unknown> };
  const { history, ...metrics } = (row[2] ? JSON.parse(String(row[2])) : {}) as { history?: unknown[] } & Record<string, unknown>;
  return { id: String(row[0]), createdAt: String(row[3]), config: c.config, genomeModelId: c.genomeModelId ?? null, provenance: c.provenance ?? null, vocabSize: c.vocab?.length ?? c.config.vocabSize, metrics, epochs: history?.length ?? 0 };
}

function recipeCheckpointRow(d: Database, runId?: string): { id: string; config: string; weights: Uint8Array | null; metrics: string | null; created: string } | null {
  const r = runId
    ? d.exec('SELECT id, config_json, weights, metrics_json, created_at FROM models WHERE id = ? AND kind = ?', [runId, RECIPE_CHECKPOINT_KIND])
    : d.exec('SELECT id, config_json, weights, metrics_json, created_at FROM models WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT 1', [RECIPE_CHECKPOINT_KIND]);
  const row = r[0]?.values[0];
  if (!row) return null;
  return { id: String(row[0]), config: String(row[1]), weights: (row[2] as Uint8Array | null) ?? null, metrics: row[3] === null ? null : String(row[3]), created: String(row[4]) };
}

function recipeSummaryOf(row: NonNullable<ReturnType<typeof recipeCheckpointRow>>): RecipeCheckpointSummary {
  const c = JSON.parse(row.config) as { config: ResolvedRecipeCvaeConfig; startedAt: string };
  const m = (row.metrics ? JSON.parse(row.metrics) : {}) as { epoch?: number; history?: CvaeEpochStats[]; phases?: unknown[]; savedAt?: string };
  return { runId: row.id, config: c.config, startedAt: c.startedAt ?? row.created, epoch: m.epoch ?? 0, history: m.history ?? [], phases: m.phases ?? [], savedAt: m.savedAt ?? row.created };
}

/** The active genome VAE without its weights (for the Model tab's report). */
export interface ActiveModelInfo {
  id: string;
  createdAt: string;
  config: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  embeddings: number;
}

/** A lab outcome with the names the Media tab shows beside it. */
export interface LabOutcomeRow extends LabOutcome {
  genomeName: string;
  mediumName: string;
}

/** `recommend` for the Media tab: the ranking, the DSMZ PDF links of the media shown, what was ranked and the time. */
export interface MediaRecommendation extends RecommendResult {
  /** medium id → DSMZ PDF URL, for the media listed that have one. */
  links: Record<string, string>;
  /** Media ranked (all of the database). */
  mediaRanked: number;
  /** Time in the worker, ms (the first call includes building the evidence). */
  ms: number;
}

/** The database genome whose profile is this one (same content hash), if any. */
export interface KnownGenome {
  genomeId: number;
  name: string;
  species: string | null;
}

/** What the worker tells the page without being asked (DbWorkerApi.onEvent). */
export type DbEvent =
  /** Another tab saved a change; this tab's database is now that one. */
  | { kind: 'changed-elsewhere'; label: string; info: DbInfo }
  /**
   * A change was made but could not be saved (STORAGE_FULL: the browser refused the space). `image`
   * is the database with the change (SQLite bytes): the page keeps it to offer as a download, so the
   * change outlives this worker and a reload. None when the refused save held no change of the
   * user's (the first visit's copy of the bundled snapshot).
   */
  | { kind: 'save-failed'; label: string; error: SerializedAppError; image?: Uint8Array }
  /** A change was saved: everything this tab held is now stored (an earlier refused save included). */
  | { kind: 'saved'; label: string };

let SQL: Promise<SqlJsStatic> | null = null;
let db: Database | null = null;
let info: DbInfo | null = null;
let store: ImageStore | null = null;
let strainIndex: StrainIndex | null = null;
let saving: Promise<unknown> = Promise.resolve();
/** The first visit's background save of the bundled snapshot. */
let firstSave: Promise<StoredImageInfo> | null = null;
/** The key of the bundled snapshot's offline copy (from open's snapshotRevision), or null: none is used. */
let offlineKey: string | null = null;
/** The offline copy being written, or written, this session (true once stored). */
let offlineCopy: Promise<boolean> | null = null;
/** open's download of the bundled snapshot while in flight: keepSnapshotOffline shares it instead of downloading again. */
let snapshotDownload: Promise<Uint8Array> | null = null;
let lock: WriteLock | null = null;
let tabs: TabSync | null = null;
/** Generation of the saved image this tab's database is (StoredImageInfo.generation; 0: none yet). */
let generation = 0;
const listeners = new Set<(e: DbEvent) => void>();

function sql(): Promise<SqlJsStatic> {
  return (SQL ??= initSqlJs({ locateFile: () => wasmUrl }));
}

function imageStore(): ImageStore {
  return (store ??= indexedDbImageStore());
}

function writeLock(): WriteLock {
  return (lock ??= databaseWriteLock());
}

/**
 * Replaces the image store, sql.js and the lock (Node tests: memoryImageStore, loadSqlJs, an
 * in-process lock). Call before `open`. Not part of the API the page sees.
 */
export function configureDbWorker(options: { store?: ImageStore; sqlJs?: Promise<SqlJsStatic>; lock?: WriteLock }): void {
  if (options.store) store = options.store;
  if (options.sqlJs) SQL = options.sqlJs;
  if (options.lock) lock = options.lock;
}

function notify(e: DbEvent): void {
  for (const l of listeners) {
    try {
      void Promise.resolve(l(e)).catch(() => listeners.delete(l));
    } catch {
      listeners.delete(l);
    }
  }
}

/** Starts listening to the other tabs (once the database is open). */
function listenToOtherTabs(): void {
  tabs ??= openTabSync((m) => {
    if (db && m.generation !== generation) void writeLock().shared(catchUp).catch(() => undefined);
  });
}

/**
 * Loads the saved image when another tab saved since this tab's database was loaded or saved (its
 * generation differs). Run under the lock. True when it reloaded.
 */
async function catchUp(): Promise<boolean> {
  const stored = await imageStore().info();
  if (!db || !stored || (stored.generation ?? 0) === generation) return false;
  const saved = await imageStore().load();
  if (!saved) return false;
  replaceDb(openImage(await sql(), saved.bytes, 'saved database'));
  generation = saved.info.generation ?? 0;
  info = describe(db!, 'saved', saved.bytes.length, saved.info, null);
  notify({ kind: 'changed-elsewhere', label: saved.info.label, info });
  return true;
}

/**
 * Every change to the database: under the write lock of all tabs, on the latest saved image, then
 * saved (and announced). `label` names the change in the saved image's info.
 */
function write<T>(label: string | ((result: T) => string), change: (d: Database) => T | Promise<T>): Promise<T> {
  const run = writeLock().exclusive(async () => {
    await catchUp();
    const result = await change(current());
    await save(typeof label === 'string' ? label : label(result));
    return result;
  });
  saving = run.catch(() => undefined);
  return run;
}

function current(): Database {
  if (!db) throw new AppError('INTERNAL', 'the database is not open yet');
  return db;
}

const count = (d: Database, table: string) => Number(d.exec(`SELECT count(*) FROM ${table}`)[0].values[0][0]);

/** Whether a genome has a row in genome_markers, or in genome_embeddings for a model. */
function hasRow(d: Database, table: 'genome_markers' | 'genome_embeddings', genomeId: number, modelId?: string): boolean {
  const sql = modelId ? `SELECT 1 FROM ${table} WHERE genome_id = ? AND model_id = ?` : `SELECT 1 FROM ${table} WHERE genome_id = ?`;
  return d.exec(sql, modelId ? [genomeId, modelId] : [genomeId]).length > 0;
}

const NO_TIMINGS: LoadTimings = { sqlJsMs: 0, restoreMs: 0, fetchMs: 0, gunzipMs: 0, openMs: 0, saveMs: 0, workerAgeMs: 0 };

function describe(d: Database, source: DbInfo['source'], sqliteBytes: number, saved: StoredImageInfo | null, note: string | null, timings = info?.timings ?? NO_TIMINGS): DbInfo {
  return {
    timings,
    source,
    sqliteBytes,
    schemaVersion: readPragmaInt(d, 'user_version'),
    saved,
    note,
    media: count(d, 'media'),
    strains: count(d, 'strains'),
    genomes: count(d, 'genomes'),
  };
}

/**
 * Gunzips the bundled snapshot (single-member gzip, written by gzipSnapshot). fflate in the worker
 * is ~5x faster here than DecompressionStream through Blob/Response streams on a 2-core machine.
 */
function gunzip(bytes: Uint8Array, onProgress?: (p: LoadProgress) => void): Uint8Array {
  onProgress?.({ phase: 'decompress', doneBytes: 0, totalBytes: bytes.length });
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new AppError('DB_INVALID', `bundled database: gzip data is damaged (${(e as Error).message})`, 'reload the page; if it persists, reinstall the app');
  }
}

async function download(url: string, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<Uint8Array> {
  let res: Response;
  onProgress?.({ phase: 'download', doneBytes: 0 });
  try {
    // no-cache: revalidated with the server, never a stale copy from the HTTP cache (the bytes may
    // become the offline copy of this build's revision).
    res = await fetch(url, { signal, cache: 'no-cache' });
  } catch (e) {
    throw new AppError('FILE_NOT_FOUND', `bundled database ${url}: could not be fetched (${(e as Error).message})`, 'reload the page; if it persists, the app was installed without its database');
  }
  if (!res.ok || !res.body) {
    const what = res.status === 404 ? 'not found on the server (HTTP 404)' : `the server answered HTTP ${res.status}`;
    throw new AppError('FILE_NOT_FOUND', `bundled database ${url}: ${what}`, 'the app was built without public/mediaforge-snapshot.sqlite.gz; run `npx mediaforge db build`, then rebuild the app');
  }
  const total = Number(res.headers.get('content-length')) || undefined;
  onProgress?.({ phase: 'download', doneBytes: 0, totalBytes: total });
  const parts: Uint8Array[] = [];
  let done = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    parts.push(value);
    done += value.length;
    onProgress?.({ phase: 'download', doneBytes: done, totalBytes: total });
  }
  return concatBytes(parts);
}

/**
 * Writes the offline copy of the bundled snapshot from `bytes()` (null: not wanted, quietly
 * false). A failure (no Cache Storage, quota) is a warning: the app works, and downloads the
 * snapshot again when it needs it; a later keepSnapshotOffline tries again.
 */
function writeOfflineCopy(key: string, bytes: () => Promise<Uint8Array | null>): Promise<boolean> {
  const writing: Promise<boolean> = (async () => {
    const b = await bytes();
    if (!b) return false;
    await storeOfflineSnapshot(key, b);
    return true;
  })()
    .catch((e: unknown) => {
      console.warn(`bundled database: no offline copy kept (${(e as Error).message}); it is downloaded again when needed`);
      return false;
    })
    .then((ok) => {
      if (!ok && offlineCopy === writing) offlineCopy = null;
      return ok;
    });
  return (offlineCopy = writing);
}

/** The bundled snapshot's download in flight, or a new one from `start` (one at a time, shared by open and keepSnapshotOffline). */
function shareSnapshotDownload(start: () => Promise<Uint8Array>): Promise<Uint8Array> {
  if (snapshotDownload) return snapshotDownload;
  const downloading = start();
  snapshotDownload = downloading;
  const done = () => {
    if (snapshotDownload === downloading) snapshotDownload = null;
  };
  downloading.then(done, done);
  return downloading;
}

/** The bundled snapshot's bytes: its offline copy when stored, else downloaded (and kept offline when `keepOffline` says so). */
async function bundledSnapshotBytes(url: string, onProgress?: (p: LoadProgress) => void, keepOffline?: () => Promise<boolean>): Promise<{ bytes: Uint8Array; offline: boolean }> {
  const cached = offlineKey ? await readOfflineSnapshot(offlineKey) : null;
  if (cached) {
    onProgress?.({ phase: 'download', doneBytes: cached.length, totalBytes: cached.length });
    return { bytes: cached, offline: true };
  }
  // keepSnapshotOffline may be downloading it already: share that download.
  const bytes = await shareSnapshotDownload(() => download(url, onProgress));
  const key = offlineKey;
  if (key && keepOffline && !offlineCopy) writeOfflineCopy(key, async () => ((await keepOffline().catch(() => false)) ? bytes : null));
  return { bytes, offline: false };
}

/** Opens SQLite bytes and brings them to this build's schema (throws AppError on anything else). */
function openImage(S: SqlJsStatic, bytes: Uint8Array, name: string): Database {
  const d = new S.Database(bytes);
  try {
    migrate(d, undefined, name);
    d.exec('PRAGMA foreign_keys = ON');
    return d;
  } catch (e) {
    d.close();
    throw e;
  }
}

/**
 * Stores an image (atomic, see the store); a refusal for lack of space becomes STORAGE_FULL, told
 * to the page too, with the image when it holds a change of the user's (`unsaved`).
 */
async function storeImage(bytes: Uint8Array, label: string, unsaved: boolean): Promise<StoredImageInfo> {
  try {
    return await imageStore().save(bytes, label);
  } catch (e) {
    if (!isQuotaExceeded(e)) throw e;
    const estimate = await (globalThis.navigator as Navigator | undefined)?.storage?.estimate?.().catch(() => undefined);
    const err = storageFullError(label, bytes.length, estimate);
    notify({ kind: 'save-failed', label, error: serializeError(err), ...(unsaved ? { image: bytes } : {}) });
    throw err;
  }
}

/** Writes the current database to IndexedDB and tells the other tabs. Run under the write lock (see `write`). */
async function save(label: string): Promise<StoredImageInfo> {
  const d = current();
  const bytes = exportSnapshot(d);
  let saved: StoredImageInfo;
  try {
    saved = await storeImage(bytes, label, true);
  } catch (e) {
    // Not saved, but changed: the counts show what is in memory, `saved` what is stored.
    if (info) info = describe(d, info.source, bytes.length, info.saved, info.note);
    throw e;
  }
  generation = saved.generation ?? 0;
  tabs?.announce({ generation, label });
  notify({ kind: 'saved', label });
  if (info) info = describe(d, info.source, bytes.length, saved, info.note);
  return saved;
}

/** The media recommendation's cached evidence (built on first use; see recommendContext). */
let media: { ctx: RecommendContext } | null = null;

/** The ranking's evidence (media matrix, strains, linked genomes, lab outcomes), built once per database state. */
function recommendContext(): RecommendContext {
  return (media ??= { ctx: buildRecommendContext(current()) }).ctx;
}

/** The media matrix over the active recipe CVAE's vocabulary, for describing what it generates. */
let recipeMatrix: { modelId: string; matrix: MediaMatrix; formulas: (string | null)[] } | null = null;

/** Drops what the Media tab's rankings cache: the genomes, links, models or media changed. */
function mediaChanged(): void {
  media = null;
  recipeMatrix = null;
}

function recipeMatrixOf(modelId: string): { matrix: MediaMatrix; formulas: (string | null)[] } {
  if (recipeMatrix?.modelId === modelId) return recipeMatrix;
  const d = current();
  const row = getModel(d, modelId);
  if (!row || row.kind !== RECIPE_CVAE_KIND) throw new AppError('DATA_INVALID', `no recipe model '${modelId}' in the database`, 'reload the page');
  const c = row.config as { vocab?: VocabEntry[]; formulas?: (string | null)[] };
  if (!Array.isArray(c.vocab)) throw new AppError('DB_INVALID', `recipe model ${modelId} has no vocabulary`);
  recipeMatrix = { modelId, matrix: buildMediaMatrix(d, { vocab: c.vocab }), formulas: c.formulas ?? [] };
  return recipeMatrix;
}

function replaceDb(next: Database) {
  db?.close();
  db = next;
  strainIndex = null;
  mediaChanged();
}

function withNames(d: Database, outcomes: LabOutcome[]): LabOutcomeRow[] {
  if (outcomes.length === 0) return [];
  const name = (table: 'genomes' | 'media', ids: (number | string)[]) => {
    const unique = [...new Set(ids)];
    const r = d.exec(`SELECT id, name FROM ${table} WHERE id IN (${unique.map(() => '?').join(',')})`, unique);
    return new Map((r[0]?.values ?? []).map(([id, n]) => [String(id), String(n ?? '')]));
  };
  const genomes = name('genomes', outcomes.map((o) => o.genomeId));
  const mediaNames = name('media', outcomes.map((o) => o.mediumId));
  return outcomes.map((o) => ({ ...o, genomeName: genomes.get(String(o.genomeId)) ?? `genome ${o.genomeId}`, mediumName: mediaNames.get(o.mediumId) ?? '' }));
}

/** Lab outcomes changed: the cached recommendation evidence takes them in. */
function refreshOutcomes(): void {
  if (media) refreshLabOutcomes(media.ctx, current());
}

/** Newest test date first; on the same date, the one recorded last. */
const newestOutcomeFirst = (a: LabOutcome, b: LabOutcome): number =>
  b.testedOn.localeCompare(a.testedOn) || b.recordedAt.localeCompare(a.recordedAt) || b.id - a.id;

function index(): StrainIndex {
  return (strainIndex ??= buildStrainIndex(current()));
}

// ---------------------------------------------------------------------------------------------
// Transfers (export, import) with progress and cancel; workspace files (src/db/workspace-file.ts).

/** The bundled snapshot's URL (from open), for the reference data of workspace files. */
let bundledUrl: string | null = null;
/** Ids of the bundled snapshot's models (read once per session): those are not the user's. */
let referenceModels: Set<string> | null = null;
/** Running transfers by job id (the page's cancelTransfer aborts one). */
const transfers = new Map<string, AbortController>();
/** The checked file of inspectImport, until applyImport or discardImport. */
let pendingImport: { jobId: string; opened: OpenedImport } | null = null;

type TransferCallback = (p: TransferProgress) => void;

/** Runs a transfer under its job id: registers its AbortController, always unregisters. */
async function runTransfer<T>(jobId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  transfers.set(jobId, ac);
  try {
    return await work(ac.signal);
  } finally {
    transfers.delete(jobId);
  }
}

/** A File (read in the worker, in chunks, with progress) or bytes. */
async function readChosenFile(file: Blob | Uint8Array, name: string, signal: AbortSignal, onProgress?: TransferCallback): Promise<Uint8Array> {
  if (file instanceof Uint8Array) return file;
  const total = file.size;
  const parts: Uint8Array[] = [];
  let done = 0;
  onProgress?.({ stage: 'read', doneBytes: 0, totalBytes: total, cancellable: true });
  const reader = file.stream().getReader();
  try {
    for (;;) {
      throwIfCancelled(signal, `import of ${name}`);
      const { value, done: end } = await reader.read();
      if (end) break;
      parts.push(value);
      done += value.length;
      onProgress?.({ stage: 'read', doneBytes: done, totalBytes: total, cancellable: true });
    }
  } catch (e) {
    if ((e as AppError).code === 'CANCELLED') throw e;
    throw new AppError('FILE_NOT_FOUND', `${name}: could not be read (${(e as Error).message})`, 'choose the file again');
  } finally {
    reader.releaseLock();
  }
  return concatBytes(parts);
}

/** A fresh copy of the bundled reference data (download, gunzip in chunks, open), cancellable. */
async function loadReference(signal: AbortSignal, what: string, onProgress?: TransferCallback): Promise<Database> {
  if (!bundledUrl) throw new AppError('INTERNAL', 'the database is not open yet');
  const url = bundledUrl;
  // The offline copy first (it works offline); a damaged one is dropped and the snapshot downloaded.
  const offline = offlineKey ? await readOfflineSnapshot(offlineKey) : null;
  if (offline) {
    try {
      return await openReference(offline, signal, what, onProgress);
    } catch (e) {
      if ((e as AppError).code === 'CANCELLED') throw e;
      console.warn(`bundled database: the offline copy could not be opened (${(e as Error).message}); downloading it again`);
      await deleteOfflineSnapshot(offlineKey!);
      offlineCopy = null;
    }
  }
  let fetched: Uint8Array;
  try {
    fetched = await download(url, (p) => onProgress?.({ stage: 'reference', doneBytes: p.doneBytes, totalBytes: p.totalBytes, cancellable: true }), signal);
  } catch (e) {
    throwIfCancelled(signal, what);
    throw e;
  }
  return openReference(fetched, signal, what, onProgress);
}

async function openReference(fetched: Uint8Array, signal: AbortSignal, what: string, onProgress?: TransferCallback): Promise<Database> {
  throwIfCancelled(signal, what);
  const sqlite = isGzipBytes(fetched) ? await gunzipChunked(fetched, 'bundled database', { signal, onProgress: (p) => onProgress?.({ ...p, stage: 'reference' }) }) : fetched;
  throwIfCancelled(signal, what);
  const d = openImage(await sql(), sqlite, 'bundled database');
  referenceModels ??= modelIdsOf(d);
  return d;
}

async function referenceModelIds(signal: AbortSignal, onProgress?: TransferCallback): Promise<Set<string>> {
  if (!referenceModels) (await loadReference(signal, 'workspace export', onProgress)).close();
  return referenceModels!;
}

function discardPending(): void {
  pendingImport?.opened.db.close();
  pendingImport = null;
}

export const dbWorkerApi = {
  /** Opens the database (saved image, else the bundled snapshot). Safe to call again: returns the open one. */
  async open(options: OpenOptions, onProgress?: (p: LoadProgress) => void, keepOffline?: () => Promise<boolean>): Promise<DbInfo> {
    bundledUrl = options.snapshotUrl;
    offlineKey = options.snapshotRevision ? offlineSnapshotKey(options.snapshotUrl, options.snapshotRevision) : null;
    if (db && info) return info;
    const t: LoadTimings = { ...NO_TIMINGS };
    let mark = performance.now();
    const lap = (key: keyof LoadTimings) => {
      const now = performance.now();
      t[key] = Math.round(now - mark);
      mark = now;
    };
    const S = await sql();
    lap('sqlJsMs');
    let note: string | null = null;
    if (!options.ignoreSaved) {
      let saved: Awaited<ReturnType<ImageStore['load']>> = null;
      try {
        onProgress?.({ phase: 'restore', doneBytes: 0 });
        saved = await imageStore().load();
      } catch (e) {
        note = `the saved database could not be read (${(e as Error).message}); the bundled one was loaded instead`;
      }
      lap('restoreMs');
      if (saved) {
        try {
          onProgress?.({ phase: 'open', doneBytes: saved.bytes.length, totalBytes: saved.bytes.length });
          replaceDb(openImage(S, saved.bytes, 'saved database'));
          generation = saved.info.generation ?? 0;
          lap('openMs');
          t.workerAgeMs = Math.round(performance.now());
          info = describe(db!, 'saved', saved.bytes.length, saved.info, null, t);
          listenToOtherTabs();
          return info;
        } catch (e) {
          note = `the saved database could not be opened (${(e as Error).message}); the bundled one was loaded instead`;
        }
      }
    }
    let fetched = await bundledSnapshotBytes(options.snapshotUrl, onProgress, keepOffline);
    lap('fetchMs');
    const openBundled = (bytes: Uint8Array): { sqlite: Uint8Array; bundled: Database } => {
      const sqlite = isGzipBytes(bytes) ? gunzip(bytes, onProgress) : bytes;
      lap('gunzipMs');
      onProgress?.({ phase: 'open', doneBytes: sqlite.length, totalBytes: sqlite.length });
      return { sqlite, bundled: openImage(S, sqlite, 'bundled database') };
    };
    let opening: { sqlite: Uint8Array; bundled: Database };
    try {
      opening = openBundled(fetched.bytes);
    } catch (e) {
      // A damaged offline copy is dropped and the snapshot downloaded again (a damaged download is the error).
      if (!fetched.offline || !offlineKey) throw e;
      console.warn(`bundled database: the offline copy could not be opened (${(e as Error).message}); downloading it again`);
      await deleteOfflineSnapshot(offlineKey);
      offlineCopy = null;
      fetched = await bundledSnapshotBytes(options.snapshotUrl, onProgress, keepOffline);
      opening = openBundled(fetched.bytes);
    }
    const { sqlite } = opening;
    replaceDb(opening.bundled);
    lap('openMs');
    t.workerAgeMs = Math.round(performance.now());
    info = describe(db!, 'bundled', sqlite.length, null, note, t);
    // Saved in the background: the database is usable now, and the store's two-slot write means a
    // tab closed meanwhile just loads the bundled snapshot again next time. The bytes we opened are
    // the image to keep, unless migrating changed them (then export).
    const fileVersion = new DataView(sqlite.buffer, sqlite.byteOffset + 60, 4).getInt32(0);
    const image = fileVersion === readPragmaInt(db!, 'user_version') ? sqlite : exportSnapshot(db!);
    const opened = db!;
    listenToOtherTabs();
    firstSave = writeLock().exclusive(async () => {
      // Another tab (opened at the same time) saved first: take its database instead of overwriting it.
      const stored = await imageStore().info();
      if (stored) {
        await catchUp();
        return stored;
      }
      const savedInfo = await storeImage(image, 'bundled snapshot', false);
      generation = savedInfo.generation ?? 0;
      t.saveMs = Math.round(performance.now() - mark);
      if (db === opened && info && !info.saved) info = describe(opened, info.source, info.sqliteBytes, savedInfo, info.note, t);
      return savedInfo;
    });
    saving = firstSave.catch(() => undefined);
    return info;
  },

  info(): DbInfo | null {
    return info;
  },

  /** Calls `listener` (a Comlink proxy) when another tab changed the database, or a save failed or succeeded. */
  onEvent(listener: (e: DbEvent) => void): void {
    listeners.add(listener);
  },

  /**
   * Keeps the bundled snapshot in Cache Storage for offline use (the page asks once the service
   * worker holds the rest of the app). Already stored: true at once. Being downloaded by open:
   * that download is stored, never a second one. Else it is downloaded now (a database opened
   * from IndexedDB, or a new build's changed snapshot). False when it could not be stored.
   */
  async keepSnapshotOffline(snapshotUrl: string, revision: string): Promise<boolean> {
    const key = offlineSnapshotKey(snapshotUrl, revision);
    offlineKey ??= key;
    if (offlineCopy) return offlineCopy;
    if (await hasOfflineSnapshot(key)) return true;
    // open may have started (or finished) its download meanwhile: that one is stored.
    if (offlineCopy) return offlineCopy;
    const downloading = shareSnapshotDownload(() => download(snapshotUrl));
    return writeOfflineCopy(key, () => downloading);
  },

  /** Waits for the first visit's background save (if any); returns the info with `saved` set. */
  async whenSaved(): Promise<DbInfo | null> {
    await firstSave?.catch(() => undefined);
    return info;
  },

  searchMedia(text: string, options?: SearchOptions): MediaSearchResult {
    return searchMedia(current(), text, options);
  },

  getRecipe(mediumId: string): Recipe | null {
    return getRecipe(current(), mediumId);
  },

  searchStrains(text: string, options?: SearchOptions): StrainSearchResult {
    return searchStrains(current(), text, options);
  },

  listGenomes(): GenomeRow[] {
    return listGenomes(current());
  },

  genomeDetail(genomeId: number): { links: ReturnType<typeof genomeLinks>; media: GenomeMedium[] } {
    return { links: genomeLinks(current(), genomeId), media: genomeMedia(current(), genomeId) };
  },

  stats(): DbStats {
    return collectStats(current());
  },

  /** The database as a snapshot file (transferred, not copied). */
  exportSnapshot(gzip = true): Uint8Array {
    const bytes = exportSnapshot(current(), { gzip });
    return transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },

  /**
   * Checks a snapshot or workspace file and then replaces the database with it, or merges it in,
   * without a preview (inspectImport + applyImport in one call). A file that fails the check throws
   * (AppError naming the file) before the database is touched.
   */
  async importSnapshot(bytes: Uint8Array, name: string, mode: 'replace' | 'merge'): Promise<ImportResult> {
    const jobId = `import-snapshot-${name}`;
    await dbWorkerApi.inspectImport(jobId, bytes, name);
    return dbWorkerApi.applyImport(jobId, mode);
  },

  /**
   * Adds profiled genomes and links them by what the user typed (species, strain with its
   * culture-collection number) and the file name. A genome already stored (same profile) is not
   * added again but is relinked unless a user reviewed its links. With `embeddings` (row i: genome
   * i, by the active genome VAE, computed in the ML worker) each new genome is stored with its
   * vector, so it becomes a neighbour candidate; its rRNA evidence goes to genome_markers. One save.
   */
  addGenomes(genomes: ProfiledGenome[], embeddings?: GenomeEmbeddings): Promise<AddedGenome[]> {
    return write(`added ${genomes.length} genome${genomes.length === 1 ? '' : 's'}`, async (d) => {
      if (embeddings && embeddings.vectors.length !== genomes.length * embeddings.dim) {
        throw new AppError('INTERNAL', `addGenomes: ${embeddings.vectors.length / embeddings.dim} embeddings for ${genomes.length} genomes`);
      }
      if (embeddings && !getModel(d, embeddings.modelId)) throw new AppError('DATA_INVALID', `no model '${embeddings.modelId}' in the database`, 'reload the page and add the genomes again');
      const out: AddedGenome[] = [];
      for (const [i, g] of genomes.entries()) {
        if (!(g.counts instanceof Float64Array) || g.counts.length !== FEATURE_COUNT) {
          throw new AppError('BAD_OPTION', `${g.fileName}: not a k-mer profile of ${FEATURE_COUNT} features`);
        }
        const species = g.species?.trim() || null;
        const strain = g.strain?.trim() || null;
        const added = await addGenome(
          d,
          { counts: g.counts, lengthBp: g.lengthBp, nBp: g.nBp, otherBp: g.otherBp, gcFraction: g.gcFraction, records: g.records },
          { species, strain, organismType: g.organismType ?? 'unknown', sourceFile: g.fileName, origin: 'user' },
        );
        // rRNA evidence and the embedding: for a new genome, or one stored without them.
        if (g.rrna && (added.created || !hasRow(d, 'genome_markers', added.genomeId))) {
          saveMarkers(d, { genomeId: added.genomeId, method: RRNA_MARKER_METHOD, domainCall: g.rrna.domainCall, evidence: rrnaEvidenceJson(g.rrna) });
        }
        let embeddedBy: string | null = null;
        if (embeddings) {
          if (added.created || !hasRow(d, 'genome_embeddings', added.genomeId, embeddings.modelId)) {
            saveEmbeddings(d, embeddings.modelId, [added.genomeId], embeddings.vectors.subarray(i * embeddings.dim, (i + 1) * embeddings.dim), embeddings.dim);
          }
          embeddedBy = embeddings.modelId;
        }
        const texts = g.linkFromFileName === false ? [] : [{ source: 'file name', text: g.fileName }];
        if (strain) texts.unshift({ source: 'strain typed by user', text: strain });
        const link = linkGenome(d, added.genomeId, { species, organismType: g.organismType ?? 'unknown', texts }, index());
        out.push({ fileName: g.fileName, genomeId: added.genomeId, created: added.created, level: link.level, links: link.links.length, notes: link.notes, embeddedBy });
      }
      mediaChanged();
      return out;
    });
  },

  /**
   * A user's link decision: `ccno` is a culture-collection number ("DSM 20231") or a BacDive id
   * ("bacdive:4907"); null = no strain matches. Growth is propagated again.
   */
  setGenomeLink(genomeId: number, ccno: string | null, level: LinkLevel = 'strain'): Promise<{ strainId: number | null; rows: number }> {
    return write(`linked genome ${genomeId}`, (d) => {
      let strainId: number | null = null;
      let evidence = 'user: no BacDive strain matches';
      if (ccno !== null) {
        const text = ccno.trim();
        const bacdive = /^bacdive[:\s]*(\d+)$/i.exec(text);
        if (bacdive) {
          strainId = Number(bacdive[1]);
          evidence = `user chose bacdive:${strainId}`;
        } else {
          const number = /^\d+$/.test(text) ? `DSM ${text}` : parseCcno(text);
          if (!number) throw new AppError('BAD_OPTION', `"${text}" is not a culture-collection number`, 'type e.g. DSM 20231, ATCC 33560 or bacdive:4907');
          const ids = index().byCcno.get(number) ?? [];
          if (ids.length === 0) throw new AppError('BAD_OPTION', `${number} is not in the database`, 'check the number, or search it on the Strains tab');
          if (ids.length > 1) throw new AppError('BAD_OPTION', `${number} names ${ids.length} strains (bacdive:${ids.join(', bacdive:')})`, 'type the BacDive id instead, e.g. bacdive:' + ids[0]);
          strainId = ids[0];
          evidence = `user chose ${number}`;
        }
      }
      const rows = setGenomeLink(d, genomeId, strainId, level, evidence, index());
      mediaChanged();
      return { strainId, rows };
    });
  },

  /**
   * Every genome with a k-mer profile (or those of `genomeIds`, in that order): labels, GC and the
   * counts as one row-major Float64Array (n × 2,772), transferred.
   */
  trainingSet(genomeIds?: number[]): TrainingSet {
    const d = current();
    const calls = loadDomainCalls(d);
    const r = d.exec(
      `SELECT g.id, g.source_file, g.record_id, g.content_hash, g.species, g.organism_type, g.record_type, g.gc_fraction, p.encoding, p.feature_count, p.counts
         FROM genomes g JOIN genome_profiles p ON p.genome_id = g.id ORDER BY g.id`,
    );
    let rows = r[0]?.values ?? [];
    if (genomeIds) {
      const byId = new Map(rows.map((row) => [Number(row[0]), row]));
      const missing = genomeIds.filter((id) => !byId.has(id));
      if (missing.length) throw new AppError('DATA_INVALID', `${missing.length} genome(s) of this training run are no longer in the database (e.g. genome ${missing[0]})`, 'discard the interrupted run and start a new one');
      rows = genomeIds.map((id) => byId.get(id)!);
    }
    const n = rows.length;
    const set: TrainingSet = {
      genomeIds: new Int32Array(n),
      keys: [],
      species: [],
      organismTypes: [],
      recordTypes: [],
      gcFractions: new Float64Array(n),
      domainCalls: [],
      counts: new Float64Array(n * FEATURE_COUNT),
    };
    rows.forEach(([id, file, recordId, hash, species, type, recordType, gc, encoding, features, blob], i) => {
      if (Number(features) !== FEATURE_COUNT) throw new AppError('DB_INVALID', `genome ${id}: profile has ${features} features, expected ${FEATURE_COUNT}`);
      set.genomeIds[i] = Number(id);
      set.keys.push(file ? `${file}${recordId ? `#${recordId}` : ''}` : String(hash));
      set.species.push(species === null ? null : String(species));
      set.organismTypes.push(String(type));
      set.recordTypes.push(String(recordType));
      set.gcFractions[i] = gc === null ? NaN : Number(gc);
      set.domainCalls.push(calls.get(Number(id)) ?? 'unknown');
      set.counts.set(decodeProfileCounts(String(encoding), blob as Uint8Array), i * FEATURE_COUNT);
    });
    return transfer(set, [set.genomeIds.buffer, set.gcFractions.buffer, set.counts.buffer]);
  },

  /** Stores (replaces) the checkpoint of a training run and saves the database. */
  saveCheckpoint(c: CheckpointRecord): Promise<void> {
    return write(`checkpoint ${c.runId} epoch ${c.epoch}`, (d) => {
      saveModel(d, {
        id: c.runId,
        kind: CHECKPOINT_KIND,
        config: { config: c.config, genomeIds: c.genomeIds, valFraction: c.valFraction, startedAt: c.startedAt },
        weights: c.bytes,
        metrics: { epoch: c.epoch, history: c.history, savedAt: c.savedAt },
        createdAt: c.startedAt,
      });
    });
  },

  /** The checkpoint of a run (transferred), or of the newest unfinished run when no id is given. */
  getCheckpoint(runId?: string): CheckpointRecord | null {
    const d = current();
    const id = runId ?? (d.exec('SELECT id FROM models WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT 1', [CHECKPOINT_KIND])[0]?.values[0]?.[0] as string | undefined);
    const m = id ? getModel(d, id) : null;
    if (!m || m.kind !== CHECKPOINT_KIND || !m.weights) return null;
    const c = m.config as { config: ResolvedVaeConfig; genomeIds: number[]; valFraction: number; startedAt: string };
    const metrics = (m.metrics ?? {}) as { epoch?: number; history?: EpochStats[]; savedAt?: string };
    const bytes = m.weights.slice();
    const rec: CheckpointRecord = { runId: m.id, config: c.config, genomeIds: c.genomeIds, valFraction: c.valFraction, startedAt: c.startedAt, epoch: metrics.epoch ?? 0, history: metrics.history ?? [], savedAt: metrics.savedAt ?? m.createdAt, bytes };
    return transfer(rec, [bytes.buffer]);
  },

  /** What the newest unfinished run is (no bytes), or null. */
  checkpointSummary(): CheckpointSummary | null {
    const d = current();
    const r = d.exec('SELECT id, config_json, metrics_json, created_at FROM models WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT 1', [CHECKPOINT_KIND]);
    const row = r[0]?.values[0];
    if (!row) return null;
    const c = JSON.parse(String(row[1])) as { config: ResolvedVaeConfig; genomeIds: number[]; valFraction: number; startedAt: string };
    const metrics = (row[2] ? JSON.parse(String(row[2])) : {}) as { epoch?: number; history?: EpochStats[]; savedAt?: string };
    return { runId: String(row[0]), config: c.config, genomes: c.genomeIds.length, valFraction: c.valFraction, startedAt: c.startedAt, epoch: metrics.epoch ?? 0, history: metrics.history ?? [], savedAt: metrics.savedAt ?? String(row[3]) };
  },

  deleteCheckpoint(runId: string): Promise<void> {
    return write(`discarded ${runId}`, (d) => {
      d.run('DELETE FROM models WHERE id = ? AND kind = ?', [runId, CHECKPOINT_KIND]);
    });
  },

  /**
   * Stores a trained genome VAE (a models row from toModelRow) with the embeddings of its genomes,
   * makes it the active model and deletes the run's checkpoint, in one save.
   */
  saveTrainedModel(row: StoredModel, embeddings: { genomeIds: Int32Array; vectors: Float32Array; dim: number }, checkpointRunId?: string): Promise<ActiveModelInfo> {
    return write(`trained ${row.id}`, (d) => {
      d.exec('BEGIN');
      try {
        saveModel(d, row);
        saveEmbeddings(d, row.id, embeddings.genomeIds, embeddings.vectors, embeddings.dim);
        setActiveModelId(d, row.id);
        if (checkpointRunId) d.run('DELETE FROM models WHERE id = ? AND kind = ?', [checkpointRunId, CHECKPOINT_KIND]);
        d.exec('COMMIT');
      } catch (e) {
        d.exec('ROLLBACK');
        throw e;
      }
      mediaChanged();
      return dbWorkerApi.activeModelInfo()!;
    });
  },

  /** The id of the active genome VAE, or null. */
  activeModelId(): string | null {
    return getActiveModelId(current());
  },

  /** The active genome VAE (config, provenance, history, report; no weights), or null. */
  activeModelInfo(): ActiveModelInfo | null {
    const d = current();
    const id = getActiveModelId(d);
    if (!id) return null;
    const r = d.exec('SELECT id, config_json, metrics_json, created_at, (SELECT count(*) FROM genome_embeddings e WHERE e.model_id = m.id) FROM models m WHERE id = ?', [id]);
    const row = r[0]?.values[0];
    if (!row) return null;
    return { id: String(row[0]), config: JSON.parse(String(row[1])), metrics: row[2] ? JSON.parse(String(row[2])) : null, createdAt: String(row[3]), embeddings: Number(row[4]) };
  },

  /**
   * The active genome VAE row (weights included unless `withWeights` is false: an ML worker that
   * holds the model only needs the index again) and its neighbour-index data: the genome-level
   * genomes it embedded (genomes, chromosomes, plasmids, virus genomes), their vectors and what the
   * neighbour list shows of them. Transferred; null without an active model.
   */
  neighborModelData(withWeights = true): NeighborModelData | null {
    const d = current();
    const id = getActiveModelId(d);
    const model = id ? getModel(d, id) : null;
    if (!model || !model.weights) return null;
    const { vectors, dim, candidates } = neighborDataFromDb(d, model.id);
    const genomeIds = Int32Array.from(candidates, (c) => c.genomeId);
    const weights = withWeights ? model.weights.slice() : null;
    const buffers = [vectors.buffer, genomeIds.buffer] as ArrayBuffer[];
    if (weights) buffers.push(weights.buffer as ArrayBuffer);
    return transfer({ model: { ...model, weights }, genomeIds, vectors, dim, candidates }, buffers);
  },

  // -------------------------------------------------------------------------------------------
  // Media tab: the genome of a profile, lab outcomes.

  /** The database genome with this profile's content hash (a re-dropped identical file), or null. */
  async genomeOfProfile(counts: Float64Array, lengthBp: number): Promise<KnownGenome | null> {
    const d = current();
    const id = findGenomeByContentHash(d, await profileContentHash(counts, lengthBp));
    if (id === null) return null;
    const row = d.exec('SELECT name, species FROM genomes WHERE id = ?', [id])[0]?.values[0];
    return { genomeId: id, name: String(row?.[0] ?? `genome ${id}`), species: row?.[1] == null ? null : String(row[1]) };
  },

  /** Builds the ranking's evidence ahead of the first request (the app calls it when a genome is dropped). */
  warmMedia(): void {
    recommendContext();
  },

  /** Growth conditions predicted from the genome (sequence-derived query only), with their intervals. */
  predictConditions(query: GenomeQuery): { json: PredictedConditionsJson; conditions: GrowthConditions } {
    return predictConditions(recommendContext(), query);
  },

  /**
   * Real MediaDive media ranked for a genome (best first, with reasons), under the predicted
   * conditions or the user's (`conditions`: counterfactuals). The query genome's lab outcomes
   * apply when `query.genomeId` is set. The first call builds the evidence (cached until the
   * database changes).
   */
  recommend(query: GenomeQuery, options: { top?: number; conditions?: Partial<GrowthConditions>; cvae?: { modelId: string; logLikelihood: Float32Array } | null; predicted?: { json: PredictedConditionsJson; conditions: GrowthConditions } } = {}): MediaRecommendation {
    const t0 = performance.now();
    const ctx = recommendContext();
    // The recipe CVAE's likelihood of every medium (the ML worker's scoreRecipeLikelihood), when the page has it.
    const cvae = !options.cvae ? undefined : options.cvae.logLikelihood.length === ctx.matrix.mediumIds.length ? cvaeScoresOf(options.cvae.modelId, options.cvae.logLikelihood) : undefined;
    const r = recommendMedia(ctx, query, { top: options.top, conditions: options.conditions, cvae, predicted: options.predicted });
    const ids = r.media.map((m) => m.medium_id);
    const links: Record<string, string> = {};
    if (ids.length) {
      for (const [id, link] of current().exec(`SELECT id, link FROM media WHERE link IS NOT NULL AND link <> '' AND id IN (${ids.map(() => '?').join(',')})`, ids)[0]?.values ?? []) links[String(id)] = String(link);
    }
    return { ...r, links, mediaRanked: ctx.matrix.mediumIds.length, ms: performance.now() - t0 };
  },

  /**
   * The media matrix over the active recipe CVAE's vocabulary, as the ML worker scores it
   * (scoreRecipeLikelihood); transferred; null without a recipe CVAE.
   */
  recipeScoringMedia(): { modelId: string; media: ScoredMedia } | null {
    const id = getActiveRecipeModelId(current());
    if (!id) return null;
    // Copies of the cached matrix's arrays (describeRecipes keeps using them): the copies are transferred.
    const m = scoredMediaOf(recipeMatrixOf(id).matrix);
    const media: ScoredMedia = { ...m, present: m.present.slice(), amount: m.amount.slice(), ph: m.ph.slice() };
    return transfer({ modelId: id, media }, [media.present.buffer, media.amount.buffer, media.ph.buffer, media.scored.buffer] as ArrayBuffer[]);
  },

  /** The id of the active recipe CVAE (models kind 'recipe-cvae'), or null when the database has none. */
  activeRecipeModelId(): string | null {
    return getActiveRecipeModelId(current());
  },

  /**
   * The active recipe CVAE's models row, for the ML worker: with its weights (transferred) unless
   * `withWeights` is false (a worker that holds the model only needs its config); null without one.
   */
  recipeModelData(withWeights = true): StoredModel | null {
    const d = current();
    const id = getActiveRecipeModelId(d);
    const row = id ? getModel(d, id) : null;
    if (!row || row.kind !== RECIPE_CVAE_KIND || !row.weights) return null;
    if (!withWeights) return { ...row, weights: null };
    const weights = row.weights.slice();
    return transfer({ ...row, weights }, [weights.buffer as ArrayBuffer]);
  },

  /** The active recipe CVAE (no weights, vocabulary or history), or null. */
  recipeModelInfo(): RecipeModelInfo | null {
    const d = current();
    const id = getActiveRecipeModelId(d);
    return id ? recipeInfoOf(d, id) : null;
  },

  /**
   * The recipe CVAE's training input, loadCvaeInput(db) (media matrix, strain/medium pairs and
   * their condition vectors, formulas; the split by `valFraction` and `seed`), transferred. With
   * `vocabSize` or `genomeDim`, other sizes (the database or the genome model changed since a checkpoint) throw.
   */
  recipeTrainingInput(options: { valFraction: number; seed: number; vocabSize?: number; genomeDim?: number }): PackedCvaeInput {
    const input = loadCvaeInput(current(), { valFraction: options.valFraction, seed: options.seed });
    if (options.genomeDim !== undefined && input.data.genomeDim !== options.genomeDim) {
      throw new AppError('DATA_INVALID', `the interrupted run was conditioned on ${options.genomeDim}-dimensional genome embeddings, the active genome model has ${input.data.genomeDim}`, 'discard the interrupted run and start a new one');
    }
    if (options.vocabSize !== undefined && input.matrix.vocab.length !== options.vocabSize) {
      throw new AppError('DATA_INVALID', `the interrupted run's vocabulary has ${options.vocabSize} ingredients, the database's ${input.matrix.vocab.length} (the database changed)`, 'discard the interrupted run and start a new one');
    }
    if (input.data.pairs.length < 2) throw new AppError('DATA_INVALID', 'the database has no media grown on by known strains to train a recipe model on', 'load the bundled snapshot or import one with media and strains');
    // Packed: the page passes it on to the ML worker without cloning its 16.7k pair objects.
    const packed = packCvaeInput(input);
    return transfer(packed, packedBuffers(packed.packed));
  },

  /** Stores (replaces) a recipe CVAE run's checkpoint (kind RECIPE_CHECKPOINT_KIND) and saves. */
  saveRecipeCheckpoint(c: RecipeCheckpointRecord): Promise<void> {
    return write(`recipe checkpoint ${c.runId} epoch ${c.epoch}`, (d) => {
      saveModel(d, {
        id: c.runId,
        kind: RECIPE_CHECKPOINT_KIND,
        config: { config: c.config, startedAt: c.startedAt },
        weights: c.bytes,
        metrics: { epoch: c.epoch, history: c.history, phases: c.phases, savedAt: c.savedAt },
        createdAt: c.startedAt,
      });
    });
  },

  /** A recipe CVAE run's checkpoint (transferred), or the newest one when no id is given. */
  getRecipeCheckpoint(runId?: string): RecipeCheckpointRecord | null {
    const row = recipeCheckpointRow(current(), runId);
    if (!row?.weights) return null;
    const bytes = row.weights.slice();
    return transfer({ ...recipeSummaryOf(row), bytes }, [bytes.buffer as ArrayBuffer]);
  },

  /** The newest unfinished recipe CVAE run (no bytes), or null. */
  recipeCheckpointSummary(): RecipeCheckpointSummary | null {
    const row = recipeCheckpointRow(current());
    return row ? recipeSummaryOf(row) : null;
  },

  deleteRecipeCheckpoint(runId: string): Promise<void> {
    return write(`discarded ${runId}`, (d) => {
      d.run('DELETE FROM models WHERE id = ? AND kind = ?', [runId, RECIPE_CHECKPOINT_KIND]);
    });
  },

  /**
   * Stores a trained recipe CVAE (a models row from toRecipeModelRow) with storeRecipeModel, which
   * makes it the active one, and deletes the run's checkpoint, in one save.
   */
  saveTrainedRecipeModel(row: StoredModel, checkpointRunId?: string): Promise<RecipeModelInfo> {
    return write(`trained ${fromRecipeModelRow(row).id} (${ACTIVE_RECIPE_CVAE_KEY})`, (d) => {
      const model = fromRecipeModelRow(row);
      d.exec('BEGIN');
      try {
        storeRecipeModel(d, model);
        if (checkpointRunId) d.run('DELETE FROM models WHERE id = ? AND kind = ?', [checkpointRunId, RECIPE_CHECKPOINT_KIND]);
        d.exec('COMMIT');
      } catch (e) {
        d.exec('ROLLBACK');
        throw e;
      }
      mediaChanged();
      return recipeInfoOf(d, model.id)!;
    });
  },

  /**
   * Recipes from the recipe CVAE's decoded vectors (ML worker): ingredients with g/L and mmol/L,
   * estimated pH, validity flags, the nearest real medium and the differences from it.
   */
  describeRecipes(modelId: string, vectors: DecodedRecipes): GeneratedRecipe[] {
    const { matrix, formulas } = recipeMatrixOf(modelId);
    return describeGeneratedRecipes(matrix, vectors, { formulas });
  },

  /** Every recorded lab outcome (of one genome when given), newest first, with genome and medium names. */
  labOutcomes(genomeId?: number): LabOutcomeRow[] {
    const d = current();
    return withNames(d, listLabOutcomes(d, genomeId)).sort(newestOutcomeFirst);
  },

  /** Records a bench result (checked first: unknown genome or medium, bad date, long note throw) and saves. */
  recordLabOutcome(input: RecordLabOutcomeInput): Promise<LabOutcomeRow> {
    return write(
      (o) => `lab outcome: genome ${o.genomeId}, medium ${o.mediumId} ${o.grew ? 'grew' : 'no growth'}`,
      (d) => {
        const o = recordLabOutcome(d, input);
        refreshOutcomes();
        return withNames(d, [o])[0];
      },
    );
  },

  /** Deletes one lab outcome and saves; false when there was none with that id. */
  async deleteLabOutcome(id: number): Promise<boolean> {
    if (!listLabOutcomes(current()).some((o) => o.id === id)) return false;
    return write(`deleted lab outcome ${id}`, (d) => {
      const deleted = deleteLabOutcome(d, id);
      refreshOutcomes();
      return deleted;
    });
  },

  // -------------------------------------------------------------------------------------------
  // Map tab: the embedded genomes and records, cached projections, the media map, group media.

  /** Every genome and record the active model embedded, with what the map shows (transferred); null without a model. */
  mapGenomes(): MapGenomes | null {
    const d = current();
    const id = getActiveModelId(d);
    if (!id) return null;
    const m = mapGenomesFromDb(d, id);
    return transfer(m, mapGenomesBuffers(m));
  },

  /** The cached projection of a model and method if computed from these embeddings (else null). */
  cachedProjection(modelId: string, method: string, embeddingsHash: string): StoredProjection | null {
    const p = loadProjection(current(), modelId, method, embeddingsHash);
    return p ? transfer(p, [p.genomeIds.buffer, p.coords.buffer] as ArrayBuffer[]) : null;
  },

  /** Stores a computed projection (replacing the model's earlier one of that method) and saves. */
  saveProjection(p: StoredProjection): Promise<void> {
    return write(`${p.method} map of ${p.modelId}`, (d) => {
      saveProjection(d, p);
    });
  },

  /** The media map's data: ingredient vectors and what it colours by (transferred). */
  mediaMap(): MediaMapData {
    const m = mediaMapFromDb(current());
    return transfer(m, mediaMapBuffers(m));
  },

  /** Media for a group of genomes (a map selection): each member's ranking, pooled. */
  recommendForGroup(genomeIds: number[], top = 20): GroupRecommendation {
    return recommendForGroup(recommendContext(), current(), genomeIds, { top });
  },

  // -------------------------------------------------------------------------------------------
  // Export and import with progress and cancel; workspace files.

  /** Cancels the running transfer `jobId` (at its next chunk or stage); false when none runs. */
  cancelTransfer(jobId: string): boolean {
    const ac = transfers.get(jobId);
    ac?.abort();
    return !!ac;
  },

  /**
   * The whole database ('snapshot', gzipped or not) or the user's workspace ('workspace',
   * workspace-file.ts) as a file, transferred. Progress per stage and gzip chunk; cancellable
   * throughout (CANCELLED); the database is only read.
   */
  async exportFile(jobId: string, kind: 'workspace' | 'snapshot', gzip = true, onProgress?: TransferCallback): Promise<ExportedFile> {
    const t0 = performance.now();
    const d = current();
    return runTransfer(jobId, async (signal) => {
      let out: Omit<ExportedFile, 'ms'>;
      if (kind === 'workspace') {
        const ids = await referenceModelIds(signal, onProgress);
        const r = await exportWorkspace(await sql(), d, { referenceModelIds: ids, signal, onProgress });
        out = { bytes: r.bytes, fileName: workspaceFileName(), kind, manifest: r.manifest, sqliteBytes: r.sqliteBytes };
      } else {
        onProgress?.({ stage: 'collect', doneBytes: 0, cancellable: true });
        const sqlite = exportSnapshot(d);
        await yieldToEvents();
        const bytes = gzip ? await gzipChunked(sqlite, 'snapshot export', { signal, onProgress }) : sqlite;
        out = { bytes, fileName: `mediaforge-${new Date().toISOString().slice(0, 10)}.sqlite${gzip ? '.gz' : ''}`, kind, manifest: null, sqliteBytes: sqlite.length };
      }
      return transfer({ ...out, ms: performance.now() - t0 }, [out.bytes.buffer as ArrayBuffer]);
    });
  },

  /**
   * Reads and checks a file to import (a full snapshot or a workspace file; the File is read here,
   * in chunks) and keeps it open for applyImport: returns the preview. Nothing is changed; a bad
   * file throws its AppError, a cancelled read CANCELLED.
   */
  async inspectImport(jobId: string, file: Blob | Uint8Array, name: string, onProgress?: TransferCallback): Promise<ImportInspection> {
    current();
    discardPending();
    return runTransfer(jobId, async (signal) => {
      const bytes = await readChosenFile(file, name, signal, onProgress);
      const opened = await openImportFile(await sql(), bytes, name, { signal, onProgress });
      if (signal.aborted) {
        opened.db.close();
        throwIfCancelled(signal, `import of ${name}`);
      }
      pendingImport = { jobId, opened };
      const currentCounts = countContents(current());
      return { preview: opened.preview, current: currentCounts, effects: describeImport(opened.preview, currentCounts) };
    });
  },

  /** Forgets the file of inspectImport (the preview's Cancel). */
  discardImport(): void {
    discardPending();
  },

  /**
   * Imports the file of inspectImport: 'merge' merges it into the database (merge.ts rules; a
   * workspace's reference-model stubs we lack are dropped first); 'replace' with a full snapshot
   * makes it the database, with a workspace file the database becomes the bundled reference data
   * plus the workspace (its active models adopted). Cancellable until the change is committed (the
   * merge or the swap, then the save): a cancelled import leaves the database as it was.
   */
  async applyImport(jobId: string, mode: 'replace' | 'merge', onProgress?: TransferCallback): Promise<ImportResult> {
    const pending = pendingImport;
    if (!pending) throw new AppError('INTERNAL', 'no file to import: choose it again');
    const { opened } = pending;
    const name = opened.preview.name;
    const what = `import of ${name}`;
    const isWorkspace = opened.preview.kind === 'workspace';
    try {
      return await runTransfer(jobId, async (signal) => {
        let merge: MergeReport | null = null;
        let workspace: ApplyImportReport | null = null;
        throwIfCancelled(signal, what);
        // From here on the file is consumed: the commit (merge or swap) and the save.
        const consume = () => (pendingImport = null);
        const label = `${mode === 'merge' ? 'merged' : 'imported'} ${name}`;
        const committing = () => onProgress?.({ stage: 'merge', doneBytes: 0, cancellable: false });
        const saving = () => onProgress?.({ stage: 'save', doneBytes: 0, cancellable: false });
        // Each commit runs in write(): under the tabs' write lock, on the latest saved image, then saved.
        if (mode === 'merge') {
          await write(label, (d) => {
            committing();
            consume();
            try {
              if (isWorkspace) merge = (workspace = applyWorkspace(d, opened.db, opened.manifest)).merge;
              else merge = mergeDatabase(d, opened.db);
            } finally {
              opened.db.close();
            }
            strainIndex = null;
            mediaChanged();
            saving();
          });
        } else if (isWorkspace) {
          const fresh = await loadReference(signal, what, onProgress);
          if (signal.aborted) fresh.close();
          throwIfCancelled(signal, what);
          await write(label, () => {
            committing();
            consume();
            try {
              workspace = applyWorkspace(fresh, opened.db, opened.manifest, { adoptActiveModels: true });
              merge = workspace.merge;
            } catch (e) {
              fresh.close();
              throw e;
            } finally {
              opened.db.close();
            }
            replaceDb(fresh);
            // sqliteBytes is set by the save.
            info = describe(fresh, info?.source ?? 'bundled', 0, info?.saved ?? null, null);
            saving();
          });
        } else {
          await write(label, () => {
            committing();
            consume();
            replaceDb(opened.db);
            info = describe(opened.db, info?.source ?? 'bundled', opened.report.sqliteBytes, info?.saved ?? null, null);
            saving();
          });
        }
        return { mode, report: opened.report, merge, info: info!, kind: opened.preview.kind, workspace };
      });
    } catch (e) {
      // Cancelled or failed before the commit: the file stays open for another try or Cancel.
      if (pendingImport === pending && (e as AppError).code !== 'CANCELLED') discardPending();
      throw e;
    }
  },

  /** Forgets the saved database (the next start loads the bundled snapshot). */
  async clearSaved(): Promise<void> {
    await saving;
    await writeLock().exclusive(() => imageStore().clear());
    generation = 0;
  },
};

export type DbWorkerApi = typeof dbWorkerApi;
