/**
 * Snapshot files (.sqlite, .sqlite.gz): checking, opening, migrating and exporting them.
 * Pure over bytes and a sql.js SqlJsStatic, so the app's worker and the CLI share it.
 *
 * A file is accepted when: it is SQLite (gzip detected by magic bytes and undone first), its
 * PRAGMA application_id is MediaForge's, its user_version is 1..SCHEMA_VERSION (older versions are
 * migrated in memory; newer ones are refused with DB_TOO_NEW), PRAGMA integrity_check says ok, and
 * every table its version should have exists. Anything else throws an AppError naming the file.
 */
import { gunzipSync, gzipSync } from 'fflate';
import type { Database, SqlJsStatic } from 'sql.js';
import { AppError } from '../core/errors';
import { APPLICATION_ID, migrate, SCHEMA_VERSION, tablesAtVersion } from './migrations';

const SQLITE_MAGIC = 'SQLite format 3\u0000';

export function isGzipBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function isSqliteBytes(bytes: Uint8Array): boolean {
  if (bytes.length < 100) return false;
  for (let i = 0; i < 16; i++) if (bytes[i] !== SQLITE_MAGIC.charCodeAt(i)) return false;
  return true;
}

/** Gzip for snapshot files: level 9, no file name, modification time 0, so equal input gives equal bytes. */
export function gzipSnapshot(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 9, mtime: 0 });
}

export interface SqliteHeader {
  pageSizeBytes: number;
  pageCount: number;
  userVersion: number;
  applicationId: number;
}

/** Reads the 100-byte SQLite header (all fields big-endian). Throws DB_INVALID when it is not SQLite. */
export function readSqliteHeader(bytes: Uint8Array, name: string): SqliteHeader {
  if (!isSqliteBytes(bytes)) {
    throw new AppError('DB_INVALID', `${name}: not an SQLite database (no "SQLite format 3" header)`, 'choose a MediaForge snapshot (.sqlite or .sqlite.gz)');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 100);
  const rawPage = dv.getUint16(16);
  return {
    pageSizeBytes: rawPage === 1 ? 65536 : rawPage,
    pageCount: dv.getUint32(28),
    userVersion: dv.getInt32(60),
    applicationId: dv.getInt32(68),
  };
}

/** The SQLite bytes of a snapshot file, gunzipped when the file is gzip (by magic bytes, not by name). */
export function snapshotSqliteBytes(bytes: Uint8Array, name: string): { sqlite: Uint8Array; gzip: boolean } {
  if (!isGzipBytes(bytes)) return { sqlite: bytes, gzip: false };
  try {
    return { sqlite: gunzipSync(bytes), gzip: true };
  } catch (e) {
    throw new AppError('DB_INVALID', `${name}: gzip data is damaged or truncated (${(e as Error).message})`, 'download or export the snapshot again');
  }
}

export interface SnapshotReport {
  name: string;
  /** Size of the file as stored. */
  storedBytes: number;
  gzip: boolean;
  sqliteBytes: number;
  pageSizeBytes: number;
  /** user_version found in the file. */
  schemaVersion: number;
  /** Version after opening (SCHEMA_VERSION; larger than schemaVersion when migrated). */
  openedVersion: number;
  /** 'ok', or 'not checked' when opened with integrityCheck: false. */
  integrity: 'ok' | 'not checked';
  /** Rows per table, in schema order. */
  tables: { name: string; rows: number }[];
  /** Rows that break a foreign key (reported by PRAGMA foreign_key_check); 0 for a clean snapshot. */
  foreignKeyViolations: number;
}

export interface OpenSnapshotOptions {
  /**
   * Run PRAGMA integrity_check (about 1 s for the 20 MB bundled snapshot). Turn it off only for a
   * file you trust, such as the snapshot shipped with the app. @default true
   */
  integrityCheck?: boolean;
}

/**
 * Checks and opens a snapshot file's bytes, migrating an older schema in memory. The caller owns
 * (and must close) the returned database. Nothing is written anywhere.
 */
export function openSnapshot(
  SQL: SqlJsStatic,
  bytes: Uint8Array,
  name: string,
  options: OpenSnapshotOptions = {},
): { db: Database; report: SnapshotReport } {
  const { sqlite, gzip } = snapshotSqliteBytes(bytes, name);
  const header = readSqliteHeader(sqlite, name);
  if (header.userVersion === 0 && header.applicationId === 0) {
    throw new AppError('DB_INVALID', `${name}: an SQLite database, but not a MediaForge snapshot (no application_id, no schema version)`, 'choose a MediaForge snapshot (.sqlite or .sqlite.gz)');
  }
  if (header.applicationId !== APPLICATION_ID) {
    throw new AppError(
      'DB_INVALID',
      `${name}: an SQLite database of another application (application_id 0x${(header.applicationId >>> 0).toString(16)}, MediaForge uses 0x${APPLICATION_ID.toString(16)})`,
      'choose a MediaForge snapshot (.sqlite or .sqlite.gz)',
    );
  }
  if (header.userVersion > SCHEMA_VERSION) {
    throw new AppError(
      'DB_TOO_NEW',
      `${name}: schema version ${header.userVersion} is newer than this MediaForge understands (${SCHEMA_VERSION})`,
      'update MediaForge to open this snapshot',
    );
  }
  if (header.userVersion < 1) {
    throw new AppError('DB_INVALID', `${name}: schema version ${header.userVersion} is not a MediaForge version`);
  }

  let db: Database;
  try {
    db = new SQL.Database(sqlite);
  } catch (e) {
    throw new AppError('DB_INVALID', `${name}: SQLite cannot open it (${(e as Error).message})`);
  }
  try {
    let problems: string[] = ['ok'];
    try {
      if (options.integrityCheck !== false) problems = (db.exec('PRAGMA integrity_check(20)')[0]?.values ?? []).map((r) => String(r[0]));
      else db.exec('SELECT count(*) FROM sqlite_schema');
    } catch (e) {
      throw new AppError('DB_INVALID', `${name}: integrity check failed (${(e as Error).message})`, 'the file is damaged; export it again');
    }
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new AppError('DB_INVALID', `${name}: integrity check failed (${problems.slice(0, 2).join('; ') || 'no result'})`, 'the file is damaged; export it again');
    }
    const present = new Set((db.exec("SELECT name FROM sqlite_schema WHERE type = 'table'")[0]?.values ?? []).map((r) => String(r[0])));
    const missing = tablesAtVersion(header.userVersion).filter((t) => !present.has(t));
    if (missing.length) {
      throw new AppError('DB_INVALID', `${name}: missing table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (schema version ${header.userVersion})`, 'the file is not a complete MediaForge snapshot');
    }
    const { to } = migrate(db, SCHEMA_VERSION, name);
    db.exec('PRAGMA foreign_keys = ON');
    const tables = tablesAtVersion(to).map((t) => ({ name: t, rows: Number(db.exec(`SELECT count(*) FROM "${t}"`)[0].values[0][0]) }));
    const fk = db.exec('PRAGMA foreign_key_check');
    return {
      db,
      report: {
        name,
        storedBytes: bytes.length,
        gzip,
        sqliteBytes: sqlite.length,
        pageSizeBytes: header.pageSizeBytes,
        schemaVersion: header.userVersion,
        openedVersion: to,
        integrity: options.integrityCheck === false ? 'not checked' : 'ok',
        tables,
        foreignKeyViolations: fk[0]?.values.length ?? 0,
      },
    };
  } catch (e) {
    db.close();
    throw e;
  }
}

/** A new, empty database with the current schema. */
export function createDatabase(SQL: SqlJsStatic): Database {
  const db = new SQL.Database();
  migrate(db);
  db.exec('PRAGMA foreign_keys = ON');
  return db;
}

/**
 * The database as snapshot bytes (gzip when asked). sql.js's export() re-opens the connection,
 * which resets connection settings, so foreign keys are switched on again afterwards.
 */
export function exportSnapshot(db: Database, options: { gzip?: boolean } = {}): Uint8Array {
  const bytes = db.export();
  db.exec('PRAGMA foreign_keys = ON');
  return options.gzip ? gzipSnapshot(bytes) : bytes;
}
