/**
 * Every bad snapshot case of docs/bad-snapshots.md, crafted from a good MediaForge snapshot with
 * real sql.js: the unit tests (openSnapshot), the CLI tests (db check / db import) and the browser
 * tests (Import snapshot…) all refuse the same files with the same code and message.
 */
import type { Database, SqlJsStatic } from 'sql.js';
import { gzipSync } from 'fflate';
import { SCHEMA_VERSION } from '../../src/db/migrations';
import { readSqliteHeader } from '../../src/db/snapshot-file';

export interface BadSnapshot {
  /** The case, as docs/bad-snapshots.md names it. */
  label: string;
  file: string;
  bytes: Uint8Array;
  code: 'DB_INVALID' | 'DB_TOO_NEW' | 'FILE_EMPTY';
  /** The whole message after the file name. */
  message: RegExp;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Seeded xorshift32 bytes. */
export function seededBytes(length: number, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A copy of `good` changed through SQL (writable_schema on, so a schema entry's text can be edited). */
export function editSnapshot(SQL: SqlJsStatic, good: Uint8Array, f: (db: Database) => void): Uint8Array {
  const db = new SQL.Database(good);
  try {
    f(db);
    return db.export();
  } finally {
    db.close();
  }
}

/** The seven input cases of issue 11 part 2, plus the gzip variants. `good`: a current snapshot's SQLite bytes. */
export function badInputSnapshots(SQL: SqlJsStatic, good: Uint8Array): BadSnapshot[] {
  const { pageSizeBytes, pageCount } = readSqliteHeader(good, 'good');
  const other = new SQL.Database();
  other.exec(`PRAGMA application_id = ${0x12345678}; PRAGMA user_version = 3; CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('hello')`);
  const foreign = other.export();
  other.close();
  const plain = new SQL.Database();
  plain.exec('CREATE TABLE genomes (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO genomes (name) VALUES (\'x\')');
  const plainBytes = plain.export();
  plain.close();
  const newer = good.slice();
  new DataView(newer.buffer).setInt32(60, SCHEMA_VERSION + 1); // the header's user_version
  const corrupt = good.slice();
  const page = Math.floor(pageCount / 2);
  corrupt.fill(0xa5, (page - 1) * pageSizeBytes, (page - 1) * pageSizeBytes + 64); // a b-tree page header and its cell pointers
  const half = good.slice(0, Math.floor(pageCount / 2) * pageSizeBytes);
  const gz = gzipSync(good, { level: 6, mtime: 0 });
  const fasta = new TextEncoder().encode('>NC_000913.3 Escherichia coli K-12\n' + 'ACGTTGCAAGCT'.repeat(200).replace(/(.{60})/g, '$1\n') + '\n');
  return [
    { label: 'truncated SQLite', file: 'cut.sqlite', bytes: half, code: 'DB_INVALID', message: new RegExp(`^truncated: its header gives ${pageCount} pages of ${pageSizeBytes} bytes \\(${esc((pageCount * pageSizeBytes).toLocaleString('en-US'))} bytes\\), the file has ${esc(half.length.toLocaleString('en-US'))}$`) },
    { label: 'truncated header', file: 'stub.sqlite', bytes: good.slice(0, 40), code: 'DB_INVALID', message: /^truncated: only 40 bytes of an SQLite database \(its 100-byte header is incomplete\)$/ },
    { label: 'truncated gzip', file: 'cut.sqlite.gz', bytes: gz.slice(0, gz.length >> 1), code: 'DB_INVALID', message: /^gzip data is damaged or truncated \(.+\)$/ },
    { label: 'random bytes', file: 'random.sqlite', bytes: seededBytes(8192, 11), code: 'DB_INVALID', message: /^not an SQLite database \(no "SQLite format 3" header\)$/ },
    { label: 'SQLite of another application', file: 'other-app.sqlite', bytes: foreign, code: 'DB_INVALID', message: /^an SQLite database of another application \(application_id 0x12345678, MediaForge uses 0x4d464462\)$/ },
    { label: 'plain SQLite (no MediaForge marks)', file: 'plain.db', bytes: plainBytes, code: 'DB_INVALID', message: /^an SQLite database, but not a MediaForge snapshot \(no application_id, no schema version\)$/ },
    { label: 'newer MediaForge', file: 'future.sqlite', bytes: newer, code: 'DB_TOO_NEW', message: new RegExp(`^made by a newer MediaForge: schema version ${SCHEMA_VERSION + 1} is newer than this MediaForge understands \\(${SCHEMA_VERSION}\\); update the app$`) },
    { label: 'corrupted page', file: 'damaged.sqlite', bytes: corrupt, code: 'DB_INVALID', message: /^integrity check failed \(.+\)$/ },
    { label: 'zero-byte file', file: 'empty.sqlite', bytes: new Uint8Array(0), code: 'FILE_EMPTY', message: /^empty file \(0 bytes\)$/ },
    { label: 'FASTA named .sqlite', file: 'genome.sqlite', bytes: fasta, code: 'DB_INVALID', message: /^not an SQLite database: it is a FASTA file \(starts with ">"\)$/ },
  ];
}

/** Snapshots that carry code or a schema of their own (issue 11 part 5): each refused, none run. */
export function codeCarryingSnapshots(SQL: SqlJsStatic, good: Uint8Array): BadSnapshot[] {
  const edit = (f: (db: Database) => void) => editSnapshot(SQL, good, f);
  const changed = (table: string, from: RegExp, to: string) =>
    edit((db) => {
      const sql = String(db.exec('SELECT sql FROM sqlite_schema WHERE name = ?', [table])[0].values[0][0]);
      const next = sql.replace(from, to);
      if (next === sql) throw new Error(`crafting ${table}: pattern ${from} not found`);
      db.exec('PRAGMA writable_schema = ON');
      db.run('UPDATE sqlite_schema SET sql = ? WHERE name = ?', [next, table]);
      db.exec('PRAGMA writable_schema = OFF');
    });
  return [
    {
      label: 'trigger (deletes genomes on insert)',
      file: 'trigger.sqlite',
      bytes: edit((db) => db.exec('CREATE TRIGGER wipe AFTER INSERT ON genomes BEGIN DELETE FROM genomes; END')),
      code: 'DB_INVALID',
      message: /^contains a trigger "wipe" \(on genomes\) that MediaForge did not create; snapshots cannot carry code, so it is refused$/,
    },
    {
      label: 'view of its own',
      file: 'view.sqlite',
      bytes: edit((db) => db.exec('CREATE VIEW all_genomes AS SELECT * FROM genomes')),
      code: 'DB_INVALID',
      message: /^contains a view "all_genomes" \(on all_genomes\) that MediaForge did not create; snapshots cannot carry code, so it is refused$/,
    },
    {
      label: 'view shadowing a table',
      file: 'shadow.sqlite',
      bytes: edit((db) => db.exec('PRAGMA foreign_keys = OFF; DROP TABLE lab_outcomes; CREATE VIEW lab_outcomes AS SELECT 1 AS id')),
      code: 'DB_INVALID',
      message: /^table "lab_outcomes" is defined differently from MediaForge's schema version \d+ \(a view in place of a table\); refused, as it could run code$/,
    },
    {
      label: 'extra table',
      file: 'extra-table.sqlite',
      bytes: edit((db) => db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT DEFAULT (random())); INSERT INTO notes (text) VALUES ('x')")),
      code: 'DB_INVALID',
      message: /^contains a table "notes" that MediaForge's schema version \d+ does not have; refused$/,
    },
    {
      label: 'expression index',
      file: 'index.sqlite',
      bytes: edit((db) => db.exec('CREATE INDEX genomes_len ON genomes (abs(length_bp) + 1)')),
      code: 'DB_INVALID',
      message: /^contains an index "genomes_len" that MediaForge's schema version \d+ does not have; refused$/,
    },
    {
      label: 'changed CHECK expression',
      file: 'check.sqlite',
      bytes: changed('genome_growth', /CHECK \(confidence > 0 AND confidence <= 1\)/, 'CHECK (confidence > 0 AND confidence <= 1 AND length(hex(randomblob(1000000))) > 0)'),
      code: 'DB_INVALID',
      message: /^table "genome_growth" is defined differently from MediaForge's schema version \d+ \(its SQL was changed\); refused, as it could run code$/,
    },
    {
      label: 'changed DEFAULT expression',
      file: 'default.sqlite',
      bytes: changed('lab_outcomes', /note {8}TEXT {4}NOT NULL DEFAULT ''/, "note        TEXT    NOT NULL DEFAULT (hex(randomblob(16)))"),
      code: 'DB_INVALID',
      message: /^table "lab_outcomes" is defined differently from MediaForge's schema version \d+ \(its SQL was changed\); refused, as it could run code$/,
    },
    {
      label: 'generated column',
      file: 'generated.sqlite',
      bytes: changed('genomes', /\)\s*$/, ', shout TEXT GENERATED ALWAYS AS (upper(name)) VIRTUAL)'),
      code: 'DB_INVALID',
      message: /^table "genomes" is defined differently from MediaForge's schema version \d+ \(its SQL was changed\); refused, as it could run code$/,
    },
  ];
}
