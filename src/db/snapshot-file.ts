/**
 * Snapshot files (.sqlite, .sqlite.gz): checking, opening, migrating and exporting them.
 * Pure over bytes and a sql.js SqlJsStatic, so the app's worker and the CLI share it.
 *
 * A file is accepted when: it is not empty, it is SQLite (gzip detected by magic bytes and undone
 * first) and as long as its header says, its PRAGMA application_id is MediaForge's, its user_version
 * is 1..SCHEMA_VERSION (older versions are migrated in memory; newer ones are refused with
 * DB_TOO_NEW), its schema is exactly MediaForge's at that version (no foreign trigger, view, table,
 * index or changed definition: a snapshot cannot carry code), and PRAGMA integrity_check says ok.
 * Anything else throws an AppError naming the file. docs/bad-snapshots.md lists every case.
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
    throw new AppError('DB_INVALID', `${name}: gzip data is damaged or truncated (${oneLine((e as Error).message)})`, 'download or export the snapshot again');
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

/** Names SQLite itself keeps in sqlite_schema; they hold statistics and counters, never code. */
const SQLITE_INTERNAL_TABLES = new Set(['sqlite_sequence', 'sqlite_stat1', 'sqlite_stat2', 'sqlite_stat3', 'sqlite_stat4']);

interface SchemaEntry {
  type: string;
  name: string;
  table: string;
  sql: string | null;
}

function readSchema(db: Database): SchemaEntry[] {
  const rows = db.exec('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid')[0]?.values ?? [];
  return rows.map(([type, name, table, sql]) => ({ type: String(type), name: String(name), table: String(table), sql: sql === null ? null : String(sql) }));
}

/** sqlite_schema of an empty database migrated to each version (the schema MediaForge wrote at that version). */
const referenceSchemas = new WeakMap<SqlJsStatic, Map<number, Map<string, SchemaEntry>>>();

function referenceSchema(SQL: SqlJsStatic, version: number): Map<string, SchemaEntry> {
  let byVersion = referenceSchemas.get(SQL);
  if (!byVersion) referenceSchemas.set(SQL, (byVersion = new Map()));
  let ref = byVersion.get(version);
  if (!ref) {
    const db = new SQL.Database();
    try {
      migrate(db, version, 'reference schema');
      ref = new Map(readSchema(db).map((e) => [e.name, e]));
    } finally {
      db.close();
    }
    byVersion.set(version, ref);
  }
  return ref;
}

/**
 * Refuses a file whose schema is not exactly MediaForge's at its version. SQLite runs what a schema
 * holds (triggers on every insert, views, CHECK and DEFAULT expressions, generated columns,
 * expression indexes), so a file from elsewhere could make our own writes, a merge or even
 * integrity_check run its code. Each entry of sqlite_schema must equal, text for text, the one our
 * migrations create; anything added or changed is refused before any statement touches the data.
 * Missing tables keep their own message (the file is incomplete, not unsafe).
 */
function checkSchema(SQL: SqlJsStatic, db: Database, version: number, name: string): void {
  const ref = referenceSchema(SQL, version);
  const entries = readSchema(db);
  const present = new Set(entries.map((e) => e.name));
  const missing = tablesAtVersion(version).filter((t) => !present.has(t));
  if (missing.length) {
    throw new AppError('DB_INVALID', `${name}: missing table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (schema version ${version})`, 'the file is not a complete MediaForge snapshot');
  }
  const hint = 'a snapshot may hold only MediaForge\'s own schema; export the data again from MediaForge';
  for (const e of entries) {
    if (e.type === 'table' && SQLITE_INTERNAL_TABLES.has(e.name)) continue;
    const mine = ref.get(e.name);
    const kind = e.type; // table, index, view or trigger
    const a = /^[aeiou]/.test(kind) ? 'an' : 'a';
    if (!mine) {
      if (e.type === 'trigger' || e.type === 'view') {
        throw new AppError('DB_INVALID', `${name}: contains ${a} ${kind} "${e.name}" (on ${e.table}) that MediaForge did not create; snapshots cannot carry code, so it is refused`, hint);
      }
      throw new AppError('DB_INVALID', `${name}: contains ${a} ${kind} "${e.name}" that MediaForge's schema version ${version} does not have; refused`, hint);
    }
    if (mine.type !== e.type || mine.table !== e.table || mine.sql !== e.sql) {
      throw new AppError(
        'DB_INVALID',
        `${name}: ${mine.type} "${e.name}" is defined differently from MediaForge's schema version ${version} (${e.type === mine.type ? 'its SQL was changed' : `${a} ${kind} in place of a${/^[aeiou]/.test(mine.type) ? 'n' : ''} ${mine.type}`}); refused, as it could run code`,
        hint,
      );
    }
  }
  const absent = [...ref.values()].filter((e) => !present.has(e.name));
  if (absent.length) {
    throw new AppError('DB_INVALID', `${name}: missing ${absent[0].type} ${absent[0].name}${absent.length > 1 ? ` and ${absent.length - 1} more schema entries` : ''} (schema version ${version})`, 'the file is not a complete MediaForge snapshot');
  }
}

/** SQLite's text (integrity_check rows can span lines) as one line of at most 200 characters. */
function oneLine(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

/** What a file that is not SQLite looks like, for the message. */
function notSqlite(bytes: Uint8Array, name: string): AppError {
  const hint = 'choose a MediaForge snapshot (.sqlite or .sqlite.gz)';
  let i = 0;
  while (i < bytes.length && i < 3 && (bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)) i++; // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x3e /* > */) {
    return new AppError('DB_INVALID', `${name}: not an SQLite database: it is a FASTA file (starts with ">")`, 'add genomes on the Profile tab (CLI: mediaforge profile); import only MediaForge snapshots here');
  }
  if (bytes.length > 0 && bytes.length < 100 && SQLITE_MAGIC.startsWith(new TextDecoder().decode(bytes.subarray(0, Math.min(16, bytes.length))))) {
    return new AppError('DB_INVALID', `${name}: truncated: only ${bytes.length} bytes of an SQLite database (its 100-byte header is incomplete)`, 'the file was cut short; download or export it again');
  }
  return new AppError('DB_INVALID', `${name}: not an SQLite database (no "SQLite format 3" header)`, hint);
}

/** Header fields that an SQLite file needs to be whole: page size, and the page count against the file length. */
function checkSqliteSize(sqlite: Uint8Array, header: SqliteHeader, name: string): void {
  const { pageSizeBytes, pageCount } = header;
  if (pageSizeBytes < 512 || pageSizeBytes > 65536 || (pageSizeBytes & (pageSizeBytes - 1)) !== 0) {
    throw new AppError('DB_INVALID', `${name}: damaged SQLite header (page size ${pageSizeBytes} is not a power of two from 512 to 65536)`, 'the file is damaged; export it again');
  }
  const dv = new DataView(sqlite.buffer, sqlite.byteOffset, 100);
  // The in-header page count is valid when "version-valid-for" equals the change counter (SQLite ≥ 3.7.0 writes both).
  const countValid = pageCount > 0 && dv.getUint32(92) === dv.getUint32(24);
  const expected = countValid ? pageCount * pageSizeBytes : null;
  if (sqlite.length < pageSizeBytes || (expected !== null && sqlite.length < expected) || sqlite.length % pageSizeBytes !== 0) {
    const want = expected !== null ? `its header gives ${pageCount.toLocaleString('en-US')} pages of ${pageSizeBytes} bytes (${expected.toLocaleString('en-US')} bytes)` : `pages are ${pageSizeBytes} bytes`;
    throw new AppError('DB_INVALID', `${name}: truncated: ${want}, the file has ${sqlite.length.toLocaleString('en-US')}`, 'the file was cut short; download or export it again');
  }
}

/**
 * Checks and opens a snapshot file's bytes, migrating an older schema in memory. The caller owns
 * (and must close) the returned database. Nothing is written anywhere.
 *
 * Order matters: everything that needs no SQL (size, header, version) first; then the schema is
 * compared with MediaForge's before any query reads the data, so no code a foreign file carries
 * (trigger, view, CHECK/DEFAULT expression) ever runs; then integrity_check. Any failure, even an
 * unexpected one from SQLite, is an AppError naming the file.
 */
export function openSnapshot(
  SQL: SqlJsStatic,
  bytes: Uint8Array,
  name: string,
  options: OpenSnapshotOptions = {},
): { db: Database; report: SnapshotReport } {
  if (bytes.length === 0) throw new AppError('FILE_EMPTY', `${name}: empty file (0 bytes)`, 'choose a MediaForge snapshot (.sqlite or .sqlite.gz)');
  const { sqlite, gzip } = snapshotSqliteBytes(bytes, name);
  if (gzip && sqlite.length === 0) throw new AppError('FILE_EMPTY', `${name}: gzip file holding 0 bytes`, 'choose a MediaForge snapshot (.sqlite or .sqlite.gz)');
  if (!isSqliteBytes(sqlite)) throw notSqlite(sqlite, name);
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
      `${name}: made by a newer MediaForge: schema version ${header.userVersion} is newer than this MediaForge understands (${SCHEMA_VERSION}); update the app`,
      'update MediaForge to open this snapshot (reload the app, or update the CLI)',
    );
  }
  if (header.userVersion < 1) {
    throw new AppError('DB_INVALID', `${name}: schema version ${header.userVersion} is not a MediaForge version`, 'the file is damaged; export it again');
  }
  checkSqliteSize(sqlite, header, name);

  let db: Database;
  try {
    db = new SQL.Database(sqlite);
  } catch (e) {
    throw new AppError('DB_INVALID', `${name}: SQLite cannot open it (${oneLine((e as Error).message)})`, 'the file is damaged; export it again');
  }
  try {
    try {
      // Defence in depth while the schema is not yet checked: functions with side effects may not run from it.
      db.exec('PRAGMA trusted_schema = OFF');
      checkSchema(SQL, db, header.userVersion, name);
      db.exec('PRAGMA trusted_schema = ON');
    } catch (e) {
      if (e instanceof AppError) throw e;
      const unsafe = /unsafe use of [^)]*\)/.exec((e as Error).message);
      if (unsafe) {
        throw new AppError('DB_INVALID', `${name}: its schema calls a function that may not run from a file (${unsafe[0]}); snapshots cannot carry code, so it is refused`, 'a snapshot may hold only MediaForge\'s own schema; export the data again from MediaForge');
      }
      throw new AppError('DB_INVALID', `${name}: integrity check failed (its schema cannot be read: ${oneLine((e as Error).message)})`, 'the file is damaged; export it again');
    }
    let problems: string[] = ['ok'];
    try {
      if (options.integrityCheck !== false) problems = (db.exec('PRAGMA integrity_check(20)')[0]?.values ?? []).map((r) => String(r[0]));
      else db.exec('SELECT count(*) FROM sqlite_schema');
    } catch (e) {
      throw new AppError('DB_INVALID', `${name}: integrity check failed (${oneLine((e as Error).message)})`, 'the file is damaged; export it again');
    }
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new AppError('DB_INVALID', `${name}: integrity check failed (${oneLine(problems.slice(0, 2).join('; ')) || 'no result'})`, 'the file is damaged; export it again');
    }
    try {
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
      if (e instanceof AppError) throw e;
      throw new AppError('DB_INVALID', `${name}: the file is damaged (SQLite: ${oneLine((e as Error).message)})`, 'the file is damaged; export it again');
    }
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
