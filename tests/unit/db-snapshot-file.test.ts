/**
 * Snapshot files: check, open (migrating old ones), reject bad ones, merge (src/db/snapshot-file.ts,
 * merge.ts), with real sql.js on a snapshot built from the fixture subset.
 */
import { gunzipSync } from 'node:zlib';
import type { Database, SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { addGenome } from '../../src/db/genomes';
import { importMediadive } from '../../src/db/import-mediadive';
import { setGenomeLink } from '../../src/db/link';
import { mergeDatabase } from '../../src/db/merge';
import { APPLICATION_ID, migrate, SCHEMA_VERSION } from '../../src/db/migrations';
import { encodeFloat32 } from '../../src/db/profile-blob';
import { exportSnapshot, gzipSnapshot, isGzipBytes, openSnapshot, readSqliteHeader } from '../../src/db/snapshot-file';
import { all, build, FIXTURE_DATA, one, readTexts, sql } from './db-test-helpers';

let SQL: SqlJsStatic;
/** A good snapshot (gzip) built from the fixture, and its SQLite bytes. */
let goodGz: Uint8Array;
let good: Uint8Array;

beforeAll(async () => {
  SQL = await sql();
  goodGz = (await build(FIXTURE_DATA)).bytes;
  good = new Uint8Array(gunzipSync(goodGz));
});

const openOk = (bytes: Uint8Array, name = 'x.sqlite') => {
  const r = openSnapshot(SQL, bytes, name);
  r.db.close();
  return r.report;
};
const rejects = (bytes: Uint8Array, name: string) => {
  try {
    openSnapshot(SQL, bytes, name).db.close();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('accepted a bad file');
};

/** Modifies a copy of the good snapshot through SQL and returns the exported bytes. */
function edit(f: (db: Database) => void): Uint8Array {
  const db = new SQL.Database(good);
  db.exec('PRAGMA foreign_keys = ON');
  f(db);
  const out = db.export();
  db.close();
  return out;
}

describe('openSnapshot accepts', () => {
  it('a snapshot as SQLite and as gzip (recognised by content, not by name)', () => {
    const plain = openOk(good, 'snap.sqlite');
    const gz = openOk(goodGz, 'snap.bin');
    expect(isGzipBytes(goodGz)).toBe(true);
    expect(gz).toMatchObject({ gzip: true, schemaVersion: SCHEMA_VERSION, openedVersion: SCHEMA_VERSION, integrity: 'ok', foreignKeyViolations: 0 });
    expect(plain.gzip).toBe(false);
    expect(gz.tables).toEqual(plain.tables);
    expect(gz.tables.find((t) => t.name === 'genomes')!.rows).toBe(2);
    expect(readSqliteHeader(good, 'x')).toMatchObject({ applicationId: APPLICATION_ID, userVersion: SCHEMA_VERSION });
  });

  it('an older (version 1) snapshot, migrated in memory with its rows', async () => {
    const v1 = new SQL.Database();
    migrate(v1, 1);
    importMediadive(v1, readTexts(FIXTURE_DATA));
    const bytes = v1.export();
    const media = one(v1, 'SELECT count(*) FROM media');
    v1.close();
    const { db, report } = openSnapshot(SQL, gzipSnapshot(bytes), 'old.sqlite.gz');
    expect(report).toMatchObject({ schemaVersion: 1, openedVersion: SCHEMA_VERSION });
    expect(one(db, 'SELECT count(*) FROM media')).toBe(media);
    expect(one(db, 'SELECT count(*) FROM genomes')).toBe(0);
    db.close();
  });
});

describe('openSnapshot rejects', () => {
  it('a file that is not SQLite', () => {
    const e = rejects(new TextEncoder().encode('>seq1\nACGT\n'.repeat(20)), 'genome.fa');
    expect(e).toMatchObject({ code: 'DB_INVALID', message: 'genome.fa: not an SQLite database: it is a FASTA file (starts with ">")' });
  });

  it('damaged gzip', () => {
    const e = rejects(goodGz.subarray(0, goodGz.length >> 1), 'half.sqlite.gz');
    expect(e.code).toBe('DB_INVALID');
    expect(e.message).toMatch(/^half\.sqlite\.gz: gzip data is damaged or truncated/);
  });

  it('an SQLite file of another application', () => {
    const db = new SQL.Database();
    db.run('PRAGMA application_id = 305419896; PRAGMA user_version = 2; CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    const e = rejects(db.export(), 'other.db');
    db.close();
    expect(e).toMatchObject({ code: 'DB_INVALID' });
    expect(e.message).toMatch(/^other\.db: an SQLite database of another application \(application_id 0x12345678, MediaForge uses 0x4d464462\)/);
  });

  it('a plain SQLite file without MediaForge marks', () => {
    const db = new SQL.Database();
    db.run('CREATE TABLE t (x)');
    const e = rejects(db.export(), 'plain.db');
    db.close();
    expect(e.message).toMatch(/not a MediaForge snapshot/);
  });

  it('a newer schema version, with DB_TOO_NEW', () => {
    const newer = good.slice();
    new DataView(newer.buffer).setInt32(60, SCHEMA_VERSION + 1); // the header's user_version field
    const e = rejects(newer, 'future.sqlite');
    expect(e).toMatchObject({ code: 'DB_TOO_NEW', message: `future.sqlite: made by a newer MediaForge: schema version ${SCHEMA_VERSION + 1} is newer than this MediaForge understands (${SCHEMA_VERSION}); update the app` });
  });

  it('a corrupt page (integrity_check fails)', () => {
    const { pageSizeBytes, pageCount } = readSqliteHeader(good, 'x');
    // Overwrite the b-tree page header and cell pointers of a page in the middle of the file.
    const page = Math.floor(pageCount / 2);
    const bad = good.slice();
    bad.fill(0xa5, (page - 1) * pageSizeBytes, (page - 1) * pageSizeBytes + 64);
    const e = rejects(bad, 'damaged.sqlite');
    expect(e.code).toBe('DB_INVALID');
    expect(e.message).toMatch(/^damaged\.sqlite: integrity check failed/);
  });

  it('a snapshot with a table missing', () => {
    const e = rejects(edit((db) => db.run('DROP TABLE genome_growth')), 'partial.sqlite');
    expect(e).toMatchObject({ code: 'DB_INVALID', message: `partial.sqlite: missing table genome_growth (schema version ${SCHEMA_VERSION})` });
  });
});

describe('exportSnapshot', () => {
  it('round-trips and gives the same bytes for the same database', () => {
    const { db } = openSnapshot(SQL, goodGz, 'a');
    const a = exportSnapshot(db, { gzip: true });
    const b = exportSnapshot(db, { gzip: true });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // Foreign keys are still enforced after export() re-opened the connection.
    expect(() => db.run("INSERT INTO strain_growth (strain_id, medium_id, growth) VALUES (-1, 'nope', 'yes')")).toThrow(/FOREIGN KEY/);
    db.close();
    expect(openOk(a).tables).toEqual(openOk(goodGz).tables);
  });
});

describe('mergeDatabase', () => {
  /** Another user's snapshot: one extra genome with an embedding, a model and a reviewed link. */
  async function otherUsersSnapshot(): Promise<Uint8Array> {
    const { db } = openSnapshot(SQL, goodGz, 'theirs');
    const counts = new Float64Array(2772).map((_, i) => (i * 7919) % 1000);
    const { genomeId } = await addGenome(db, { counts, lengthBp: 123_456, nBp: 0, otherBp: 0, gcFraction: 0.5, records: 1 }, { species: 'Escherichia coli', strain: 'their isolate', organismType: 'bacteria' });
    setGenomeLink(db, genomeId, 4410, 'strain', 'user: our isolate is bacdive:4410');
    db.run("INSERT INTO models (id, kind, config_json, weights, metrics_json, created_at) VALUES ('vae-1', 'genome-vae', '{\"latentDim\":2}', x'00', '{}', '2026-01-01T00:00:00Z')");
    for (const g of all(db, 'SELECT id FROM genomes')) {
      db.run('INSERT INTO genome_embeddings (genome_id, model_id, dim, vector) VALUES (?, ?, 2, ?)', [g.id as number, 'vae-1', encodeFloat32([Number(g.id), 1])]);
    }
    const out = exportSnapshot(db, { gzip: true });
    db.close();
    return out;
  }

  it('adds the other user\'s genomes, links, embeddings and models once, however often it is merged', async () => {
    const theirs = await otherUsersSnapshot();
    const { db: ours } = openSnapshot(SQL, goodGz, 'ours');
    const before = one(ours, 'SELECT count(*) FROM genomes') as number;

    const { db: src1 } = openSnapshot(SQL, theirs, 'theirs');
    const first = mergeDatabase(ours, src1);
    src1.close();
    expect(first).toMatchObject({ genomesAdded: 1, genomesAlreadyPresent: before, modelsAdded: 1, embeddingsAdded: before + 1 });
    expect(first.linksAdded).toBeGreaterThan(1);

    const snapshot = () => ({
      genomes: all(ours, 'SELECT id, name, content_hash FROM genomes ORDER BY id'),
      links: all(ours, 'SELECT genome_id, strain_id, level, reviewed_by_user FROM genome_strain_links ORDER BY genome_id, strain_id'),
      embeddings: all(ours, 'SELECT genome_id, model_id FROM genome_embeddings ORDER BY genome_id'),
      models: all(ours, 'SELECT id FROM models'),
      growth: all(ours, 'SELECT * FROM genome_growth ORDER BY genome_id, medium_id'),
    });
    const afterFirst = snapshot();
    expect(afterFirst.genomes).toHaveLength(before + 1);
    const added = afterFirst.genomes[before].id as number;
    expect(all(ours, "SELECT level, reviewed_by_user FROM genome_strain_links WHERE genome_id = ? AND level = 'strain'", [added])).toEqual([
      { level: 'strain', reviewed_by_user: 1 },
    ]);
    // Growth was propagated for the new genome from our strain data.
    expect(one(ours, 'SELECT count(*) FROM genome_growth WHERE genome_id = ?', [added])).toBeGreaterThan(0);

    const { db: src2 } = openSnapshot(SQL, theirs, 'theirs');
    const second = mergeDatabase(ours, src2);
    src2.close();
    expect(second).toMatchObject({ genomesAdded: 0, genomesAlreadyPresent: before + 1, linksAdded: 0, embeddingsAdded: 0, modelsAdded: 0, modelsAlreadyPresent: 1 });
    expect(snapshot()).toEqual(afterFirst);
    expect(one(ours, 'SELECT count(*) FROM (SELECT content_hash FROM genomes GROUP BY content_hash HAVING count(*) > 1)')).toBe(0);
    ours.close();
  });
});
