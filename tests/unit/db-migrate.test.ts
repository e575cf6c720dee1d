/** Schema migrations on real sql.js (src/db/migrations.ts). */
import { describe, expect, it } from 'vitest';
import { APPLICATION_ID, migrate, MIGRATIONS, readPragmaInt, SCHEMA_VERSION, tablesAtVersion } from '../../src/db/migrations';
import { all, one, sql } from './db-test-helpers';

const tables = (db: import('sql.js').Database) =>
  (db.exec("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")[0]?.values ?? []).map((r) => String(r[0]));

describe('migrate', () => {
  it('creates the whole schema on an empty database and stamps application_id and user_version', async () => {
    const db = new (await sql()).Database();
    expect(migrate(db)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(readPragmaInt(db, 'user_version')).toBe(SCHEMA_VERSION);
    expect(readPragmaInt(db, 'application_id')).toBe(APPLICATION_ID);
    expect(tables(db)).toEqual([...tablesAtVersion(SCHEMA_VERSION)].sort());
    for (const t of ['media', 'solutions', 'ingredients', 'media_composition', 'strains', 'strain_growth', 'strain_conditions', 'taxon_media',
      'genomes', 'genome_profiles', 'genome_embeddings', 'genome_growth', 'genome_strain_links', 'models']) {
      expect(tables(db)).toContain(t);
    }
    db.close();
  });

  it('upgrades a version-1 database to the current version and keeps its rows', async () => {
    const db = new (await sql()).Database();
    expect(migrate(db, 1)).toEqual({ from: 0, to: 1 });
    expect(readPragmaInt(db, 'user_version')).toBe(1);
    expect(tables(db)).not.toContain('genomes');
    db.run("INSERT INTO media (id, name, is_complex) VALUES ('1', 'NUTRIENT AGAR', 1), ('J346', 'a JCM medium', 0)");
    db.run("INSERT INTO strains (id, species, domain) VALUES (4907, 'Escherichia coli', 'Bacteria')");
    db.run("INSERT INTO strain_growth (strain_id, medium_id, growth) VALUES (4907, '1', 'yes')");

    expect(migrate(db)).toEqual({ from: 1, to: SCHEMA_VERSION });
    expect(readPragmaInt(db, 'user_version')).toBe(SCHEMA_VERSION);
    expect(all(db, 'SELECT id, name FROM media ORDER BY id')).toEqual([
      { id: '1', name: 'NUTRIENT AGAR' },
      { id: 'J346', name: 'a JCM medium' },
    ]);
    expect(one(db, 'SELECT count(*) FROM strain_growth')).toBe(1);
    expect(tables(db)).toContain('genome_growth');
    // The new tables work with the old rows (foreign keys into media).
    db.run("INSERT INTO genomes (name, organism_type, length_bp, n_bp, records, content_hash) VALUES ('g', 'bacteria', 10, 0, 1, 'h')");
    db.run("INSERT INTO genome_growth (genome_id, medium_id, growth, confidence, link_level, source, evidence) VALUES (1, 'J346', 'yes', 0.6, 'species', 'taxon_media', 'NCBITaxon:562')");
    expect(() => db.run("INSERT INTO genome_growth (genome_id, medium_id, growth, confidence, link_level, source, evidence) VALUES (1, 'nope', 'yes', 0.6, 'species', 'taxon_media', 'x')")).toThrow(/FOREIGN KEY/);
    // Running it again does nothing.
    expect(migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    db.close();
  });

  it('rolls a failed migration back and leaves the previous version', async () => {
    const db = new (await sql()).Database();
    migrate(db, 1);
    // A stray table with the name migration 2 wants makes it fail half-way.
    db.run('CREATE TABLE genome_growth (x)');
    expect(() => migrate(db)).toThrow(/migration 2 \(genomes\) failed/);
    expect(readPragmaInt(db, 'user_version')).toBe(1);
    expect(tables(db)).not.toContain('genomes');
    db.close();
  });

  it('refuses a newer schema with DB_TOO_NEW', async () => {
    const db = new (await sql()).Database();
    migrate(db);
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db, SCHEMA_VERSION, 'future.sqlite')).toThrow(
      expect.objectContaining({ code: 'DB_TOO_NEW', message: expect.stringMatching(new RegExp(`future\\.sqlite: schema version ${SCHEMA_VERSION + 1} is newer`)) }),
    );
    db.close();
  });

  it("refuses other applications' databases with DB_INVALID", async () => {
    const SQL = await sql();
    const foreign = new SQL.Database();
    foreign.run('PRAGMA application_id = 1234; PRAGMA user_version = 1;');
    expect(() => migrate(foreign)).toThrow(expect.objectContaining({ code: 'DB_INVALID', message: expect.stringMatching(/another application/) }));
    foreign.close();

    const unmarked = new SQL.Database();
    unmarked.run('CREATE TABLE notes (x)');
    expect(() => migrate(unmarked)).toThrow(expect.objectContaining({ code: 'DB_INVALID', message: expect.stringMatching(/not a MediaForge one/) }));
    unmarked.close();
  });

  it('numbers migrations 1, 2, ... without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});
