/**
 * Numbered schema migrations. A database's PRAGMA user_version is the number of the last migration
 * applied; PRAGMA application_id marks the file as MediaForge's. Runs unchanged in Node and in a Web
 * Worker: it only needs a sql.js Database.
 */
import type { Database } from 'sql.js';
import { AppError } from '../core/errors';
import m001 from './migrations/001-media-strains.sql?raw';
import m002 from './migrations/002-genomes.sql?raw';
import m003 from './migrations/003-records-markers.sql?raw';
import m004 from './migrations/004-lab-outcomes.sql?raw';
import m005 from './migrations/005-projections.sql?raw';

/** PRAGMA application_id of every MediaForge database: the ASCII bytes 'MFdb' (0x4D464462). */
export const APPLICATION_ID = 0x4d464462;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'media-strains', sql: m001 },
  { version: 2, name: 'genomes', sql: m002 },
  { version: 3, name: 'records-markers', sql: m003 },
  { version: 4, name: 'lab-outcomes', sql: m004 },
  { version: 5, name: 'projections', sql: m005 },
];

/** The schema version this build of MediaForge writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Tables that exist once migration `version` has run (parsed from the migration SQL). */
export function tablesAtVersion(version: number): string[] {
  const out: string[] = [];
  for (const m of MIGRATIONS) {
    if (m.version > version) break;
    for (const x of m.sql.matchAll(/^\s*CREATE TABLE\s+(\w+)/gim)) out.push(x[1]);
  }
  return out;
}

export function readPragmaInt(db: Database, pragma: 'user_version' | 'application_id'): number {
  const r = db.exec(`PRAGMA ${pragma}`);
  return Number(r[0]?.values[0]?.[0] ?? 0);
}

function tableCount(db: Database): number {
  const r = db.exec("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
  return Number(r[0].values[0][0]);
}

export interface MigrateResult {
  from: number;
  to: number;
}

/**
 * Brings a database to `target` (default: SCHEMA_VERSION). An empty database gets the whole schema.
 * Each migration runs in its own transaction together with its user_version bump, so a failure
 * leaves the database at the previous version.
 * Throws DB_TOO_NEW for a database written by a newer MediaForge, DB_INVALID for one that is not
 * MediaForge's (foreign application_id, or tables without a MediaForge version).
 */
export function migrate(db: Database, target: number = SCHEMA_VERSION, name = 'database'): MigrateResult {
  const from = readPragmaInt(db, 'user_version');
  const appId = readPragmaInt(db, 'application_id');
  if (from > SCHEMA_VERSION) {
    throw new AppError(
      'DB_TOO_NEW',
      `${name}: schema version ${from} is newer than this MediaForge understands (${SCHEMA_VERSION})`,
      'update MediaForge to open it',
    );
  }
  if (from === 0) {
    if (appId !== 0 && appId !== APPLICATION_ID) throw foreignAppId(name, appId);
    if (tableCount(db) > 0) {
      throw new AppError('DB_INVALID', `${name}: an SQLite database, but not a MediaForge one (it has tables and no MediaForge schema version)`);
    }
  } else if (appId !== APPLICATION_ID) {
    throw foreignAppId(name, appId);
  }
  db.exec('PRAGMA foreign_keys = ON');
  for (const m of MIGRATIONS) {
    if (m.version <= from || m.version > target) continue;
    db.exec('BEGIN');
    try {
      db.exec(m.sql);
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${m.version};`);
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw new AppError('DB_INVALID', `${name}: migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
    }
  }
  return { from, to: Math.max(from, Math.min(target, SCHEMA_VERSION)) };
}

function foreignAppId(name: string, appId: number): AppError {
  return new AppError(
    'DB_INVALID',
    `${name}: an SQLite database of another application (application_id 0x${(appId >>> 0).toString(16)}, MediaForge uses 0x${APPLICATION_ID.toString(16)})`,
    'choose a MediaForge snapshot (.sqlite or .sqlite.gz)',
  );
}
