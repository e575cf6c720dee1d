/**
 * The database a CLI command reads: `--db FILE` (a database or snapshot written by mediaforge), or
 * the bundled snapshot of this checkout. One place for the default path, the missing-file message
 * and the opening (checked and migrated by openSnapshot).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from 'sql.js';
import { AppError } from '../core/errors';
import { loadSqlJs, readFileBytes, repoRoot } from '../db/node-files';
import { openSnapshot, type OpenSnapshotOptions, type SnapshotReport } from '../db/snapshot-file';

/** The bundled snapshot, relative to the repository root (and as help texts name it). */
export const DEFAULT_DB = 'public/mediaforge-snapshot.sqlite.gz';

export interface CliDatabase {
  db: Database;
  /** What messages call it: the --db value as given, or DEFAULT_DB. */
  name: string;
  /** The absolute path it was read from (to write it back). */
  path: string;
  report: SnapshotReport;
}

/** Opens `--db` (or the bundled snapshot); a --db that does not exist is refused with FILE_NOT_FOUND. */
export async function openCliDatabase(dbOption: string | undefined, options?: OpenSnapshotOptions): Promise<CliDatabase> {
  const name = dbOption ?? DEFAULT_DB;
  const path = resolve(dbOption ?? resolve(repoRoot(), DEFAULT_DB));
  if (dbOption && !existsSync(path)) throw new AppError('FILE_NOT_FOUND', `${dbOption}: no such file`, 'give a database written by mediaforge');
  const { db, report } = openSnapshot(await loadSqlJs(), readFileBytes(path), name, options);
  return { db, name, path, report };
}
