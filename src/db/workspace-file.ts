/**
 * Workspace files: the user's own part of a growth database as one file, to share or move.
 *
 * A workspace file is a MediaForge SQLite database (same application_id and schema, gzipped) that
 * holds only the user's rows, with a manifest in `meta` (key `workspace_manifest`):
 * - genomes the user added (origin 'user') with their profiles, rRNA markers, strain links and
 *   embeddings;
 * - reference genomes only as anchors (row and markers, no profile) where the user's data points at
 *   them: a lab outcome, a link the user reviewed (with those links), or an embedding by a model the
 *   user trained;
 * - lab outcomes with their notes (and the media rows they name), strains the links name;
 * - models the user trained (not training checkpoints), and the active-model choice when it is one
 *   of them;
 * - reference models (those of the bundled snapshot) appear as stubs without weights, so the
 *   embeddings by them can travel: importing drops the stubs (and their embeddings) that the
 *   receiving database lacks.
 * Reference data (media, strains, growth records, the bundled genomes and models) is not included:
 * every MediaForge has it. Pure sql.js, for the DB worker and the CLI.
 */
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import pkg from '../../package.json';
import { AppError } from '../core/errors';
import { mergeDatabase, type MergeReport } from './merge';
import { SCHEMA_VERSION } from './migrations';
import { ACTIVE_GENOME_VAE_KEY } from './models';
import { createDatabase, exportSnapshot, isGzipBytes, openSnapshot, type SnapshotReport } from './snapshot-file';
import { gunzipChunked, gzipChunked, throwIfCancelled, type TransferOptions } from './workspace-stream';

export const WORKSPACE_KIND = 'mediaforge-workspace';
/** Layout of the workspace file on top of the schema; a newer one is refused. */
export const WORKSPACE_FORMAT_VERSION = 1;
/** meta key holding the manifest (JSON). */
export const WORKSPACE_MANIFEST_KEY = 'workspace_manifest';
export const APP_VERSION: string = pkg.version;

/** meta keys naming the active genome VAE and recipe CVAE (src/ml/recipe-cvae-model.ts defines the second). */
const ACTIVE_MODEL_KEYS = [ACTIVE_GENOME_VAE_KEY, 'active_recipe_cvae'] as const;
/** Training checkpoints belong to the run on the machine that wrote them (merge.ts skips them too). */
const CHECKPOINT_KINDS = ['genome-vae-checkpoint', 'recipe-cvae-checkpoint'];
const STUB_CONFIG = '{"workspaceStub":"reference model: weights not included"}';

export interface WorkspaceCounts {
  /** Genomes the user added (origin 'user'). */
  genomes: number;
  /** Reference genomes the user's data points at (workspace files), or all of them (snapshots). */
  referenceGenomes: number;
  profiles: number;
  links: number;
  embeddings: number;
  /** Models with weights, checkpoints not counted. */
  models: number;
  labOutcomes: number;
  /** Lab outcomes with a note. */
  notes: number;
}

export interface WorkspaceManifest {
  kind: typeof WORKSPACE_KIND;
  formatVersion: number;
  appVersion: string;
  schemaVersion: number;
  /** ISO 8601 UTC. */
  createdAt: string;
  counts: WorkspaceCounts;
  /** Reference models the file's embeddings are by (stubs in the file). */
  referenceModels: { id: string; kind: string }[];
  /** The exporting database's active models (null: none). */
  activeGenomeModel: string | null;
  activeRecipeModel: string | null;
}

function rows(db: Database, sql: string, params: SqlValue[] = []): SqlValue[][] {
  return db.exec(sql, params)[0]?.values ?? [];
}
const scalar = (db: Database, sql: string, params: SqlValue[] = []) => Number(rows(db, sql, params)[0]?.[0] ?? 0);
const columnsOf = (db: Database, table: string) => rows(db, `SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).map((r) => String(r[0]));
const metaValue = (db: Database, key: string): string | null => {
  const r = rows(db, 'SELECT value FROM meta WHERE key = ?', [key]);
  return r.length ? String(r[0][0]) : null;
};
const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** Copies rows of `table` matching `where` (over source's columns) into the same table of `target`. */
function copyRows(source: Database, target: Database, table: string, where: string, params: SqlValue[] = [], override: Record<string, SqlValue> = {}): number {
  const cols = columnsOf(source, table);
  const st = target.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${placeholders(cols.length)})`);
  let n = 0;
  try {
    for (const r of rows(source, `SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM "${table}" WHERE ${where}`, params)) {
      st.run(cols.map((c, i) => (c in override ? override[c] : r[i])));
      n++;
    }
  } finally {
    st.free();
  }
  return n;
}

/** SQL list of integer ids (safe: numbers only). */
const idList = (ids: Iterable<number>) => `(${[...ids].map((x) => String(Math.trunc(x))).join(',')})`;

export interface CollectWorkspaceOptions {
  /** Ids of the models of the bundled reference snapshot: these are not the user's. */
  referenceModelIds: ReadonlySet<string>;
  /** @default now */
  createdAt?: string;
}

/**
 * The user's part of `db` as a new database (caller closes it) and its manifest. `db` is only read.
 */
export function collectWorkspace(SQL: SqlJsStatic, db: Database, options: CollectWorkspaceOptions): { workspace: Database; manifest: WorkspaceManifest } {
  const createdAt = options.createdAt ?? new Date().toISOString();
  const models = rows(db, `SELECT id, kind FROM models WHERE kind NOT IN (${placeholders(CHECKPOINT_KINDS.length)}) ORDER BY id`, CHECKPOINT_KINDS).map(([id, kind]) => ({
    id: String(id),
    kind: String(kind),
  }));
  const userModels = models.filter((m) => !options.referenceModelIds.has(m.id));
  const userModelIds = userModels.map((m) => m.id);
  // SQLite takes an empty list: `x IN ()` is false, `x NOT IN ()` true (NULL would make both unknown).
  const inUserModels = `(${placeholders(userModelIds.length)})`;

  const userGenomes = new Set(rows(db, "SELECT id FROM genomes WHERE origin = 'user'").map((r) => Number(r[0])));
  const reviewed = new Set(rows(db, 'SELECT DISTINCT genome_id FROM genome_strain_links WHERE reviewed_by_user = 1').map((r) => Number(r[0])));
  const anchors = new Set<number>();
  for (const r of rows(db, 'SELECT DISTINCT genome_id FROM lab_outcomes')) anchors.add(Number(r[0]));
  for (const id of reviewed) anchors.add(id);
  for (const r of rows(db, `SELECT DISTINCT genome_id FROM genome_embeddings WHERE model_id IN ${inUserModels}`, userModelIds)) anchors.add(Number(r[0]));
  for (const id of userGenomes) anchors.delete(id);
  const all = new Set([...userGenomes, ...anchors]);
  /** Genomes whose links travel: the user's, and reference genomes with user-reviewed links. */
  const linked = new Set([...userGenomes, ...[...reviewed].filter((id) => anchors.has(id))]);

  const ws = createDatabase(SQL);
  try {
    ws.exec('BEGIN');
    // Parents first (foreign keys are on): user models, stubs of the reference models referenced.
    for (const m of userModels) copyRows(db, ws, 'models', 'id = ?', [m.id]);
    const stubIds = rows(
      db,
      `SELECT DISTINCT model_id FROM genome_embeddings WHERE genome_id IN ${idList(userGenomes)} AND model_id NOT IN ${inUserModels} ORDER BY model_id`,
      userModelIds,
    ).map((r) => String(r[0]));
    const referenceModels: WorkspaceManifest['referenceModels'] = [];
    for (const id of stubIds) {
      const m = models.find((x) => x.id === id);
      if (!m) continue; // an embedding by a checkpoint: not a model to share
      copyRows(db, ws, 'models', 'id = ?', [id], { config_json: STUB_CONFIG, weights: null, metrics_json: null });
      referenceModels.push(m);
    }
    const strainIds = rows(db, `SELECT DISTINCT strain_id FROM genome_strain_links WHERE strain_id IS NOT NULL AND genome_id IN ${idList(linked)}`).map((r) => Number(r[0]));
    copyRows(db, ws, 'strains', `id IN ${idList(strainIds)}`, [], { domain_source_id: null, metadata_source_id: null });
    const mediumIds = rows(db, 'SELECT DISTINCT medium_id FROM lab_outcomes ORDER BY medium_id').map((r) => r[0]);
    if (mediumIds.length) copyRows(db, ws, 'media', `id IN (${placeholders(mediumIds.length)})`, mediumIds);

    copyRows(db, ws, 'genomes', `id IN ${idList(all)}`);
    copyRows(db, ws, 'genome_profiles', `genome_id IN ${idList(userGenomes)}`);
    copyRows(db, ws, 'genome_markers', `genome_id IN ${idList(all)}`);
    copyRows(db, ws, 'genome_strain_links', `genome_id IN ${idList(linked)}`);
    copyRows(db, ws, 'genome_embeddings', `genome_id IN ${idList(userGenomes)} AND model_id IN (SELECT id FROM models WHERE kind NOT IN ('genome-vae-checkpoint', 'recipe-cvae-checkpoint'))`);
    if (userModelIds.length) copyRows(db, ws, 'genome_embeddings', `genome_id IN ${idList(anchors)} AND model_id IN ${inUserModels}`, userModelIds);
    copyRows(db, ws, 'lab_outcomes', '1');

    const active = ACTIVE_MODEL_KEYS.map((k) => metaValue(db, k));
    ACTIVE_MODEL_KEYS.forEach((k, i) => {
      if (active[i] !== null && userModelIds.includes(active[i]!)) ws.run('INSERT INTO meta (key, value) VALUES (?, ?)', [k, active[i]]);
    });
    const manifest: WorkspaceManifest = {
      kind: WORKSPACE_KIND,
      formatVersion: WORKSPACE_FORMAT_VERSION,
      appVersion: APP_VERSION,
      schemaVersion: SCHEMA_VERSION,
      createdAt,
      counts: countContents(ws),
      referenceModels,
      activeGenomeModel: active[0],
      activeRecipeModel: active[1],
    };
    ws.run('INSERT INTO meta (key, value) VALUES (?, ?)', [WORKSPACE_MANIFEST_KEY, JSON.stringify(manifest)]);
    ws.exec('COMMIT');
    return { workspace: ws, manifest };
  } catch (e) {
    ws.close();
    throw e;
  }
}

/** What a database holds of the kinds a workspace carries. */
export function countContents(db: Database): WorkspaceCounts {
  return {
    genomes: scalar(db, "SELECT count(*) FROM genomes WHERE origin = 'user'"),
    referenceGenomes: scalar(db, "SELECT count(*) FROM genomes WHERE origin <> 'user'"),
    profiles: scalar(db, 'SELECT count(*) FROM genome_profiles'),
    links: scalar(db, 'SELECT count(*) FROM genome_strain_links'),
    embeddings: scalar(db, 'SELECT count(*) FROM genome_embeddings'),
    models: scalar(db, `SELECT count(*) FROM models WHERE weights IS NOT NULL AND kind NOT IN (${placeholders(CHECKPOINT_KINDS.length)})`, CHECKPOINT_KINDS),
    labOutcomes: scalar(db, 'SELECT count(*) FROM lab_outcomes'),
    notes: scalar(db, "SELECT count(*) FROM lab_outcomes WHERE note <> ''"),
  };
}

/** `mediaforge-workspace-2026-12-01.sqlite.gz` */
export function workspaceFileName(date = new Date()): string {
  return `mediaforge-workspace-${date.toISOString().slice(0, 10)}.sqlite.gz`;
}

/**
 * The user's workspace of `db` as gzipped file bytes, with progress ('collect', 'compress') and
 * cancel between the stages and the gzip chunks. `db` is only read.
 */
export async function exportWorkspace(
  SQL: SqlJsStatic,
  db: Database,
  options: CollectWorkspaceOptions & TransferOptions,
): Promise<{ bytes: Uint8Array; manifest: WorkspaceManifest; sqliteBytes: number }> {
  const what = 'workspace export';
  throwIfCancelled(options.signal, what);
  options.onProgress?.({ stage: 'collect', doneBytes: 0, cancellable: true });
  const { workspace, manifest } = collectWorkspace(SQL, db, options);
  let sqlite: Uint8Array;
  try {
    sqlite = workspace.export();
  } finally {
    workspace.close();
  }
  const bytes = await gzipChunked(sqlite, what, options);
  return { bytes, manifest, sqliteBytes: sqlite.length };
}

// ---------------------------------------------------------------------------------------------
// Reading a file to import: workspace or full snapshot, checked, with a preview.

export interface ImportPreview {
  name: string;
  kind: 'workspace' | 'snapshot';
  storedBytes: number;
  sqliteBytes: number;
  gzip: boolean;
  /** Schema version found in the file (older ones are migrated in memory). */
  schemaVersion: number;
  /** Workspace files: the manifest's fields (null for snapshots). */
  formatVersion: number | null;
  appVersion: string | null;
  createdAt: string | null;
  /** What the file holds (counted in the file, not taken from the manifest). */
  counts: WorkspaceCounts;
  /** The file's user genomes, first 20 names. */
  genomeNames: string[];
  /** Models with weights (id, kind), checkpoints not listed. */
  models: { id: string; kind: string }[];
  /** Workspace files: reference models its embeddings need (the receiving DB must have them). */
  referenceModels: string[];
}

export interface OpenedImport {
  db: Database;
  report: SnapshotReport;
  manifest: WorkspaceManifest | null;
  preview: ImportPreview;
}

function readManifest(db: Database, name: string): WorkspaceManifest | null {
  const text = metaValue(db, WORKSPACE_MANIFEST_KEY);
  if (text === null) return null;
  let m: Partial<WorkspaceManifest>;
  try {
    m = JSON.parse(text) as Partial<WorkspaceManifest>;
  } catch {
    throw new AppError('DB_INVALID', `${name}: the workspace manifest is not valid JSON`, 'export the workspace again');
  }
  if (m?.kind !== WORKSPACE_KIND || !Number.isInteger(m.formatVersion)) {
    throw new AppError('DB_INVALID', `${name}: the workspace manifest has no kind '${WORKSPACE_KIND}' and format version`, 'export the workspace again');
  }
  if (m.formatVersion! > WORKSPACE_FORMAT_VERSION) {
    throw new AppError(
      'DB_TOO_NEW',
      `${name}: workspace format version ${m.formatVersion} is newer than this MediaForge understands (${WORKSPACE_FORMAT_VERSION}; written by MediaForge ${m.appVersion ?? '?'})`,
      'update MediaForge to import this workspace',
    );
  }
  if (m.formatVersion! < 1) throw new AppError('DB_INVALID', `${name}: workspace format version ${m.formatVersion} is not a MediaForge version`);
  return { referenceModels: [], activeGenomeModel: null, activeRecipeModel: null, ...m } as WorkspaceManifest;
}

/**
 * Checks a file to import (the rules of openSnapshot: SQLite, MediaForge's application_id, schema
 * not newer, integrity, tables; and for a workspace its manifest) and opens it in memory, with a
 * preview of what it holds. Gunzips in chunks with progress and cancel. Nothing is written; the
 * caller closes `db`.
 */
export async function openImportFile(SQL: SqlJsStatic, bytes: Uint8Array, name: string, options: TransferOptions = {}): Promise<OpenedImport> {
  const gzip = isGzipBytes(bytes);
  const sqlite = gzip ? await gunzipChunked(bytes, name, options) : bytes;
  throwIfCancelled(options.signal, `import of ${name}`);
  options.onProgress?.({ stage: 'check', doneBytes: 0, totalBytes: sqlite.length, cancellable: true });
  const opened = openSnapshot(SQL, sqlite, name);
  const report: SnapshotReport = { ...opened.report, storedBytes: bytes.length, gzip };
  const db = opened.db;
  try {
    const manifest = readManifest(db, name);
    const models = rows(db, `SELECT id, kind FROM models WHERE weights IS NOT NULL AND kind NOT IN (${placeholders(CHECKPOINT_KINDS.length)}) ORDER BY id`, CHECKPOINT_KINDS).map(([id, kind]) => ({
      id: String(id),
      kind: String(kind),
    }));
    const preview: ImportPreview = {
      name,
      kind: manifest ? 'workspace' : 'snapshot',
      storedBytes: bytes.length,
      sqliteBytes: sqlite.length,
      gzip,
      schemaVersion: report.schemaVersion,
      formatVersion: manifest?.formatVersion ?? null,
      appVersion: manifest?.appVersion ?? null,
      createdAt: manifest?.createdAt ?? null,
      counts: countContents(db),
      genomeNames: rows(db, "SELECT name FROM genomes WHERE origin = 'user' ORDER BY id LIMIT 20").map((r) => String(r[0])),
      models,
      referenceModels: rows(db, 'SELECT id FROM models WHERE weights IS NULL ORDER BY id').map((r) => String(r[0])),
    };
    throwIfCancelled(options.signal, `import of ${name}`);
    return { db, report, manifest, preview };
  } catch (e) {
    db.close();
    throw e;
  }
}

/** What importing the file would do, in words (the preview's two lines, app and CLI alike). */
export function describeImport(preview: ImportPreview, current: WorkspaceCounts | null): { merge: string; replace: string } {
  const c = preview.counts;
  const plural = (n: number, w: string) => `${n.toLocaleString('en-US')} ${w}${n === 1 ? '' : 's'}`;
  const adds = `${plural(c.genomes, 'genome')}, ${plural(c.links, 'link')}, ${plural(c.embeddings, 'embedding')}, ${plural(c.models, 'model')} and ${plural(c.labOutcomes, 'lab outcome')}`;
  const yours = current ? `your ${plural(current.genomes, 'genome')} and ${plural(current.labOutcomes, 'lab outcome')}` : 'your genomes and lab outcomes';
  const merge = `Merge adds the file's ${adds} to your database; what you already have is kept, nothing is duplicated, and your active model stays.`;
  const replace =
    preview.kind === 'workspace'
      ? `Replace starts again from the bundled reference data plus this workspace: ${yours} are dropped; the workspace's active model is used when it has one.`
      : `Replace makes this snapshot your whole database: ${yours} are dropped, along with reference data it lacks.`;
  return { merge, replace };
}

export interface ApplyImportReport {
  merge: MergeReport;
  /** Embeddings not imported because their (reference) model is not in the receiving database. */
  embeddingsSkipped: number;
  /** The active genome VAE / recipe CVAE the receiving database was given (replace with a workspace), else null. */
  activated: string[];
}

/**
 * Merges an opened workspace file into `target` (merge.ts rules): reference-model stubs the target
 * lacks are dropped first, with their embeddings. With `adoptActiveModels` (replace: target is a
 * fresh copy of the reference data) the workspace's active models become the target's.
 * `incoming` is changed (stubs removed): close it afterwards.
 */
export function applyWorkspace(target: Database, incoming: Database, manifest: WorkspaceManifest | null, options: { adoptActiveModels?: boolean } = {}): ApplyImportReport {
  let embeddingsSkipped = 0;
  for (const [id] of rows(incoming, 'SELECT id FROM models WHERE weights IS NULL ORDER BY id')) {
    if (rows(target, 'SELECT 1 FROM models WHERE id = ?', [id]).length) continue;
    embeddingsSkipped += scalar(incoming, 'SELECT count(*) FROM genome_embeddings WHERE model_id = ?', [id]);
    incoming.run('DELETE FROM genome_embeddings WHERE model_id = ?', [id]);
    incoming.run('DELETE FROM models WHERE id = ?', [id]);
  }
  const merge = mergeDatabase(target, incoming);
  const activated: string[] = [];
  if (options.adoptActiveModels && manifest) {
    for (const key of ACTIVE_MODEL_KEYS) {
      const id = metaValue(incoming, key);
      if (id !== null && rows(target, 'SELECT 1 FROM models WHERE id = ? AND weights IS NOT NULL', [id]).length) {
        target.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, id]);
        activated.push(id);
      }
    }
  }
  return { merge, embeddingsSkipped, activated };
}

/** The ids of the models of a reference database (the bundled snapshot). */
export function modelIdsOf(db: Database): Set<string> {
  return new Set(rows(db, 'SELECT id FROM models').map((r) => String(r[0])));
}

/** The SQLite bytes of a database, foreign keys on again afterwards (see exportSnapshot). */
export const databaseBytes = (db: Database): Uint8Array => exportSnapshot(db);
