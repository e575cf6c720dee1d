/** Lab outcomes (src/db/lab-outcomes.ts) on real sql.js: record, validate, list, latest, delete, cascade, migration. */
import type { Database } from 'sql.js';
import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { addGenome, deleteGenome } from '../../src/db/genomes';
import { importMediadive } from '../../src/db/import-mediadive';
import {
  deleteLabOutcome,
  findGenomeByContentHash,
  getLabOutcome,
  LAB_OUTCOME_NOTE_MAX,
  labDateProblem,
  latestOutcomes,
  listLabOutcomes,
  localIsoDate,
  recordLabOutcome,
} from '../../src/db/lab-outcomes';
import { migrate, readPragmaInt, SCHEMA_VERSION } from '../../src/db/migrations';
import { exportSnapshot, openSnapshot } from '../../src/db/snapshot-file';
import { collectStats } from '../../src/db/stats';
import { FIXTURE_DATA, mediaDb, one, readTexts, sql } from './db-test-helpers';

const profile = (seed: number) => ({
  counts: Float64Array.from({ length: FEATURE_COUNT }, (_, i) => ((i * seed) % 13) + 1),
  lengthBp: 5000 + seed,
  nBp: 0,
  otherBp: 0,
  gcFraction: 0.5,
  records: 1,
});

/** Noon local time, so the local date is the one written whatever the test machine's time zone. */
const NOW = new Date(2026, 11, 1, 12, 0, 0);

async function dbWithGenomes(): Promise<{ db: Database; g1: number; g2: number; hash1: string }> {
  const db = await mediaDb();
  const a = await addGenome(db, profile(3), { name: 'Genome A', species: 'Escherichia coli' });
  const b = await addGenome(db, profile(5), { name: 'Genome B' });
  return { db, g1: a.genomeId, g2: b.genomeId, hash1: a.contentHash };
}

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return { code: (e as { code?: string }).code, message: (e as Error).message, hint: (e as { hint?: string }).hint };
  }
  return null;
};

describe('recordLabOutcome', () => {
  it('stores an outcome with source user and returns it', async () => {
    const { db, g1 } = await dbWithGenomes();
    const o = recordLabOutcome(db, { genomeId: g1, mediumId: 'J12', grew: true, testedOn: '2026-11-20', note: '  turbid after 2 days \n' }, NOW);
    expect(o).toEqual({
      id: expect.any(Number),
      genomeId: g1,
      mediumId: 'J12',
      grew: true,
      testedOn: '2026-11-20',
      note: 'turbid after 2 days',
      source: 'user',
      recordedAt: NOW.toISOString(),
    });
    expect(getLabOutcome(db, o.id)).toEqual(o);
    expect(one(db, 'SELECT source FROM lab_outcomes WHERE id = ?', [o.id])).toBe('user');
    expect(one(db, 'SELECT grew FROM lab_outcomes WHERE id = ?', [o.id])).toBe(1);
    db.close();
  });

  it("defaults the date to today's local date and the note to empty", async () => {
    const { db, g1 } = await dbWithGenomes();
    const o = recordLabOutcome(db, { genomeId: g1, mediumId: '1a', grew: false }, NOW);
    expect(o.testedOn).toBe('2026-12-01');
    expect(o.testedOn).toBe(localIsoDate(NOW));
    expect(o.note).toBe('');
    expect(o.grew).toBe(false);
    // Today is allowed explicitly too.
    expect(recordLabOutcome(db, { genomeId: g1, mediumId: '1a', grew: false, testedOn: '2026-12-01' }, NOW).testedOn).toBe('2026-12-01');
    db.close();
  });

  it('refuses an unknown genome or medium, naming it, and writes nothing', async () => {
    const { db, g1 } = await dbWithGenomes();
    expect(codeOf(() => recordLabOutcome(db, { genomeId: 999, mediumId: '1', grew: true }, NOW))).toMatchObject({ code: 'BAD_OPTION', message: 'genome 999 is not in the database' });
    expect(codeOf(() => recordLabOutcome(db, { genomeId: 0, mediumId: '1', grew: true }, NOW))).toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/not a positive integer/) });
    expect(codeOf(() => recordLabOutcome(db, { genomeId: 1.5, mediumId: '1', grew: true }, NOW))?.code).toBe('BAD_OPTION');
    expect(codeOf(() => recordLabOutcome(db, { genomeId: g1, mediumId: 'XYZ', grew: true }, NOW))).toMatchObject({
      code: 'BAD_OPTION',
      message: "medium 'XYZ' is not in the database",
      hint: expect.stringMatching(/exactly as in media\.tsv/),
    });
    // Ids are exact: 'j12' and ' 1' are not '1'/'J12', and the hint says what was meant.
    expect(codeOf(() => recordLabOutcome(db, { genomeId: g1, mediumId: 'j12', grew: true }, NOW))).toMatchObject({ message: "medium 'j12' is not in the database", hint: expect.stringMatching(/did you mean 'J12'/) });
    expect(codeOf(() => recordLabOutcome(db, { genomeId: g1, mediumId: ' 1', grew: true }, NOW))).toMatchObject({ hint: expect.stringMatching(/did you mean '1'/) });
    expect(codeOf(() => recordLabOutcome(db, { genomeId: g1, mediumId: '', grew: true }, NOW))?.message).toBe('no medium id given');
    expect(codeOf(() => recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: 'yes' as unknown as boolean }, NOW))?.code).toBe('BAD_OPTION');
    expect(one(db, 'SELECT count(*) FROM lab_outcomes')).toBe(0);
    db.close();
  });

  it('accepts only real calendar dates from 1900 up to today', async () => {
    const { db, g1 } = await dbWithGenomes();
    const bad: [string, RegExp][] = [
      ['2026-02-29', /not a calendar date/],
      ['2025-13-01', /not a calendar date/],
      ['2025-04-31', /not a calendar date/],
      ['2025-00-10', /not a calendar date/],
      ['2025-1-5', /not in the form YYYY-MM-DD/],
      ['05/01/2025', /not in the form YYYY-MM-DD/],
      ['2025-01-05T00:00', /not in the form/],
      ['2026-12-02', /in the future \(today is 2026-12-01\)/],
      ['0226-05-01', /before 1900-01-01/],
    ];
    for (const [date, re] of bad) {
      const e = codeOf(() => recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: true, testedOn: date }, NOW));
      expect(e?.code, date).toBe('BAD_OPTION');
      expect(e?.message, date).toMatch(re);
    }
    expect(one(db, 'SELECT count(*) FROM lab_outcomes')).toBe(0);
    for (const date of ['2024-02-29', '2000-02-29', '1900-01-01', '2026-11-30']) {
      expect(recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: true, testedOn: date }, NOW).testedOn).toBe(date);
    }
    expect(labDateProblem('1900-02-29', '2026-12-01')).toMatch(/not a calendar date/); // 1900 is no leap year
    db.close();
  });

  it('accepts a note of 2,000 characters and refuses a longer one', async () => {
    const { db, g1 } = await dbWithGenomes();
    const max = 'é'.repeat(LAB_OUTCOME_NOTE_MAX);
    expect(recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: true, note: max }, NOW).note).toBe(max);
    // Characters, not UTF-16 units: 2,000 emoji are 2,000 characters.
    const emoji = '🧫'.repeat(LAB_OUTCOME_NOTE_MAX);
    expect(recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: true, note: emoji }, NOW).note).toBe(emoji);
    const e = codeOf(() => recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: true, note: 'x'.repeat(LAB_OUTCOME_NOTE_MAX + 1) }, NOW));
    expect(e).toMatchObject({ code: 'BAD_OPTION', message: 'note is 2,001 characters long, more than 2,000' });
    expect(one(db, 'SELECT count(*) FROM lab_outcomes')).toBe(2);
    db.close();
  });
});

describe('history: list, latest, delete', () => {
  it('keeps every outcome and lets the latest count (test date, then recording time)', async () => {
    const { db, g1, g2 } = await dbWithGenomes();
    const t = (h: number) => new Date(2026, 11, 1, h);
    const a = recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: false, testedOn: '2026-11-01', note: 'no growth' }, t(8));
    const b = recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: true, testedOn: '2026-11-10', note: 'grew with vitamins' }, t(9));
    // Back-filled later, but tested earlier: it does not count.
    const c = recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: false, testedOn: '2026-10-01' }, t(10));
    const d = recordLabOutcome(db, { genomeId: g1, mediumId: 'J12', grew: true, testedOn: '2026-11-10' }, t(11));
    const e = recordLabOutcome(db, { genomeId: g2, mediumId: '1', grew: true, testedOn: '2026-11-05' }, t(12));

    // By genome, newest first (d and b were tested the same day; d was recorded later).
    expect(listLabOutcomes(db).map((o) => o.id)).toEqual([d.id, b.id, a.id, c.id, e.id]);
    expect(listLabOutcomes(db, g1)).toHaveLength(4);
    expect(listLabOutcomes(db, g2).map((o) => o.id)).toEqual([e.id]);
    expect(listLabOutcomes(db, 12345)).toEqual([]);

    expect(latestOutcomes(db).map((o) => o.id)).toEqual([d.id, b.id, e.id]);
    expect(latestOutcomes(db, g1).map((o) => [o.mediumId, o.grew])).toEqual([
      ['J12', true],
      ['1', true],
    ]);

    // Same test date: the one recorded last counts.
    const f = recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: false, testedOn: '2026-11-10', note: 'repeat: no growth' }, t(13));
    expect(latestOutcomes(db, g1).find((o) => o.mediumId === '1')?.id).toBe(f.id);

    // Deleting the counting outcome lets the previous one count again.
    expect(deleteLabOutcome(db, f.id)).toBe(true);
    expect(deleteLabOutcome(db, f.id)).toBe(false);
    expect(getLabOutcome(db, f.id)).toBeNull();
    expect(latestOutcomes(db, g1).find((o) => o.mediumId === '1')?.id).toBe(b.id);
    expect(listLabOutcomes(db)).toHaveLength(5);
    db.close();
  });

  it("deleting a genome deletes its outcomes (ON DELETE CASCADE), and only its own", async () => {
    const { db, g1, g2 } = await dbWithGenomes();
    recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: true }, NOW);
    recordLabOutcome(db, { genomeId: g1, mediumId: 'J12', grew: false }, NOW);
    recordLabOutcome(db, { genomeId: g2, mediumId: '1', grew: true }, NOW);
    expect(deleteGenome(db, g1)).toBe(true);
    expect(listLabOutcomes(db).map((o) => o.genomeId)).toEqual([g2]);
    expect(one(db, 'SELECT count(*) FROM lab_outcomes')).toBe(1);
    db.close();
  });

  it('the table refuses rows that break its rules even when written with plain SQL', async () => {
    const { db, g1 } = await dbWithGenomes();
    db.exec('PRAGMA foreign_keys = ON');
    const ins = (cols: string) => () => db.run(`INSERT INTO lab_outcomes (genome_id, medium_id, grew, tested_on, note, source, recorded_at) VALUES (${cols})`);
    expect(ins(`${g1}, 'nope', 1, '2026-01-01', '', 'user', 'x'`)).toThrow(/FOREIGN KEY/);
    expect(ins(`${g1}, '1', 2, '2026-01-01', '', 'user', 'x'`)).toThrow(/CHECK/);
    expect(ins(`${g1}, '1', 1, '1 Jan 2026', '', 'user', 'x'`)).toThrow(/CHECK/);
    expect(ins(`${g1}, '1', 1, '2026-01-01', '', 'bacdive', 'x'`)).toThrow(/CHECK/);
    db.close();
  });

  it('finds a genome by content hash', async () => {
    const { db, g1, hash1 } = await dbWithGenomes();
    expect(findGenomeByContentHash(db, hash1)).toBe(g1);
    expect(findGenomeByContentHash(db, '0'.repeat(64))).toBeNull();
    db.close();
  });
});

describe('older databases', () => {
  it('a schema-3 database migrates to the current version with an empty lab_outcomes table', async () => {
    const SQL = await sql();
    const v3 = new SQL.Database();
    migrate(v3, 3);
    importMediadive(v3, readTexts(FIXTURE_DATA));
    await addGenome(v3, profile(7), { name: 'old genome' });
    expect(readPragmaInt(v3, 'user_version')).toBe(3);
    expect(one(v3, "SELECT count(*) FROM sqlite_schema WHERE name = 'lab_outcomes'")).toBe(0);
    // Reading a not-yet-migrated database gives no outcomes rather than an error.
    expect(listLabOutcomes(v3)).toEqual([]);
    expect(latestOutcomes(v3)).toEqual([]);
    const bytes = v3.export();
    v3.close();

    const { db, report } = openSnapshot(SQL, bytes, 'v3.sqlite');
    expect(report).toMatchObject({ schemaVersion: 3, openedVersion: SCHEMA_VERSION, foreignKeyViolations: 0 });
    expect(report.tables.find((t) => t.name === 'lab_outcomes')).toEqual({ name: 'lab_outcomes', rows: 0 });
    expect(listLabOutcomes(db)).toEqual([]);
    expect(collectStats(db).values['labOutcomes.total']).toBe(0);
    // It takes outcomes once migrated, and they survive an export.
    const genomeId = Number(one(db, 'SELECT id FROM genomes'));
    recordLabOutcome(db, { genomeId, mediumId: '1', grew: true, testedOn: '2026-01-02' }, NOW);
    const again = openSnapshot(SQL, exportSnapshot(db, { gzip: true }), 'v4.sqlite.gz');
    expect(again.report.schemaVersion).toBe(SCHEMA_VERSION);
    expect(listLabOutcomes(again.db)).toEqual(listLabOutcomes(db));
    again.db.close();
    db.close();
  });

  it('a schema-4 file without lab_outcomes is refused as incomplete', async () => {
    const SQL = await sql();
    const db = await mediaDb();
    db.exec('DROP TABLE lab_outcomes');
    const bytes = exportSnapshot(db);
    db.close();
    expect(() => openSnapshot(SQL, bytes, 'cut.sqlite')).toThrow(
      expect.objectContaining({ code: 'DB_INVALID', message: `cut.sqlite: missing table lab_outcomes (schema version ${SCHEMA_VERSION})` }),
    );
  });

  it('db stats counts outcomes, their results, pairs and orphans', async () => {
    const { db, g1, g2 } = await dbWithGenomes();
    recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: false, testedOn: '2026-11-01' }, NOW);
    recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: true, testedOn: '2026-11-02' }, NOW);
    recordLabOutcome(db, { genomeId: g2, mediumId: 'J12', grew: true }, NOW);
    const s = collectStats(db);
    expect(s.values).toMatchObject({
      'tables.lab_outcomes': 3,
      'labOutcomes.total': 3,
      'labOutcomes.grew': 2,
      'labOutcomes.didNotGrow': 1,
      'labOutcomes.pairs': 2,
      'labOutcomes.genomes': 2,
      'labOutcomes.media': 2,
      'orphans.lab_outcomes': 0,
    });
    db.close();
  });
});
