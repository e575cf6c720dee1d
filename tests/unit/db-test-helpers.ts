/** Shared set-up for the growth-database tests (tests/unit/db-*.test.ts). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import { nodeFileSource } from '../../src/cli/node-source';
import { importMediadive, MEDIADIVE_FILES, type MediadiveTexts } from '../../src/db/import-mediadive';
import { buildSnapshot, type BuildResult } from '../../src/db/node-build';
import { memoryImageStore, type ImageStore } from '../../src/db/browser-image-store';
import { loadSqlJs } from '../../src/db/node-files';
import { createDatabase, openSnapshot } from '../../src/db/snapshot-file';
import { readGenomeVae } from '../../src/ml/bundle-model';
import type { GenomeVaeModel } from '../../src/ml/genome-vae-model';
import { initNodeBackend } from '../../src/ml/node-backend';
import { readRecipeCvae, snapshotModelsHook, type RecipeCvaeModel } from '../../src/ml/recipe-cvae-model';
import { fixture, HAS_SHARED_DATA, REPO_ROOT, SHARED_DATA } from '../helpers/data';

export { HAS_SHARED_DATA, SHARED_DATA };

/** The MediaDive/BacDive fixture subset (TSVs in the folder itself, genomes in genomes/). */
export const FIXTURE_DATA = fixture('mediadive');

export const sql = (): Promise<SqlJsStatic> => loadSqlJs();

/** Folder holding the eight TSVs for a data folder of either layout. */
export function mediadiveDir(dataDir: string): string {
  return existsSync(join(dataDir, 'mediadive', 'media.tsv')) ? join(dataDir, 'mediadive') : dataDir;
}

export function readTexts(dataDir: string): MediadiveTexts {
  const dir = mediadiveDir(dataDir);
  return Object.fromEntries(MEDIADIVE_FILES.map((f) => [f, readFileSync(join(dir, `${f}.tsv`), 'utf8')])) as MediadiveTexts;
}

/** A TSV as rows of objects keyed by header, parsed here with a plain split on tabs (independent of src/db). */
export function readRows(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  const cols = lines[0].split('\t');
  return lines.slice(1).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i], v])));
}

/** A database with the current schema and the TSVs of `dataDir` loaded (no genomes). */
export async function mediaDb(dataDir = FIXTURE_DATA): Promise<Database> {
  const db = createDatabase(await sql());
  importMediadive(db, readTexts(dataDir));
  return db;
}

export async function build(dataDir: string, options: { genomes?: boolean; gzip?: boolean; model?: GenomeVaeModel; cvae?: RecipeCvaeModel } = {}): Promise<BuildResult> {
  const { model, cvae, ...rest } = options;
  if (model) await initNodeBackend('wasm');
  return buildSnapshot(await sql(), { dataDir, sourceFor: (p) => nodeFileSource(p), afterGenomes: snapshotModelsHook(model, cvae), ...rest });
}

/** The recipe CVAE bundled in public/mediaforge-snapshot.sqlite.gz (null if it has none). */
export async function bundledCvae(): Promise<RecipeCvaeModel | null> {
  const { db } = openSnapshot(await sql(), new Uint8Array(readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz'))), 'bundled snapshot');
  try {
    return readRecipeCvae(db);
  } finally {
    db.close();
  }
}

/** The genome VAE bundled in public/mediaforge-snapshot.sqlite.gz (null if it has none). */
export async function bundledModel(): Promise<GenomeVaeModel | null> {
  const { db } = openSnapshot(await sql(), new Uint8Array(readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz'))), 'bundled snapshot');
  try {
    return readGenomeVae(db);
  } finally {
    db.close();
  }
}

/** All rows of a query as objects. */
export function all(db: Database, query: string, params: (string | number | null)[] = []): Record<string, unknown>[] {
  const r = db.exec(query, params)[0];
  if (!r) return [];
  return r.values.map((v) => Object.fromEntries(r.columns.map((c, i) => [c, v[i]])));
}

export function one(db: Database, query: string, params: (string | number | null)[] = []): unknown {
  return db.exec(query, params)[0]?.values[0]?.[0];
}

/** An in-memory image store whose saves can be refused the way IndexedDB does when the quota is exceeded. */
export function quotaStore(): { store: ImageStore; setFull: (full: boolean) => boolean } {
  const inner = memoryImageStore();
  let full = false;
  const store: ImageStore = {
    ...inner,
    async save(bytes, label) {
      if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return inner.save(bytes, label);
    },
  };
  return { store, setFull: (v: boolean) => (full = v) };
}
