/**
 * Lab outcomes across databases: merging remaps genome ids by content hash and adds nothing twice;
 * an exported snapshot (the whole DB image) carries them, through `db import` too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as dbCommand } from '../../src/cli/commands/db';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { addGenome } from '../../src/db/genomes';
import { latestOutcomes, listLabOutcomes, recordLabOutcome, type LabOutcome } from '../../src/db/lab-outcomes';
import { mergeDatabase } from '../../src/db/merge';
import { writeFileAtomic } from '../../src/db/node-files';
import { createDatabase, exportSnapshot, openSnapshot } from '../../src/db/snapshot-file';
import { collectStats } from '../../src/db/stats';
import { REPO_ROOT } from '../helpers/data';
import { runCommand } from '../helpers/run-cli';
import { mediaDb, one, sql } from './db-test-helpers';

const profile = (seed: number) => ({
  counts: Float64Array.from({ length: FEATURE_COUNT }, (_, i) => ((i * seed) % 17) + 1),
  lengthBp: 7000 + seed,
  nBp: 0,
  otherBp: 0,
  gcFraction: 0.4,
  records: 1,
});

const t = (day: number, hour = 12) => new Date(2026, 10, day, hour);
const hashOf = (db: Database, genomeId: number) => String(one(db, 'SELECT content_hash FROM genomes WHERE id = ?', [genomeId]));
/** An outcome as it reads in any database: genome by content hash, no row id. */
const portable = (db: Database, o: LabOutcome) => ({ genome: hashOf(db, o.genomeId), medium: o.mediumId, grew: o.grew, testedOn: o.testedOn, note: o.note, recordedAt: o.recordedAt, source: o.source });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mf-merge-outcomes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('merging lab outcomes', () => {
  it('brings outcomes over with genome ids remapped by content hash, and adds nothing on a second merge', async () => {
    const source = await mediaDb();
    const target = await mediaDb();
    // Source: A = 1, B = 2. Target: X = 1, Y = 2, B = 3 (and A = 4 once merged).
    const a = (await addGenome(source, profile(3), { name: 'A' })).genomeId;
    const b = (await addGenome(source, profile(5), { name: 'B' })).genomeId;
    await addGenome(target, profile(11), { name: 'X' });
    await addGenome(target, profile(13), { name: 'Y' });
    const bInTarget = (await addGenome(target, profile(5), { name: 'B (ours)' })).genomeId;
    expect(bInTarget).not.toBe(b);

    recordLabOutcome(source, { genomeId: a, mediumId: '1', grew: true, testedOn: '2026-11-02', note: 'good' }, t(2));
    recordLabOutcome(source, { genomeId: b, mediumId: 'J12', grew: false, testedOn: '2026-11-03' }, t(3));
    recordLabOutcome(source, { genomeId: b, mediumId: 'J12', grew: true, testedOn: '2026-11-04', note: 'with cysteine' }, t(4));
    // The target already has one of them (recorded at another time) and one of its own.
    recordLabOutcome(target, { genomeId: bInTarget, mediumId: 'J12', grew: false, testedOn: '2026-11-03' }, t(20));
    recordLabOutcome(target, { genomeId: bInTarget, mediumId: '1a', grew: true, testedOn: '2026-11-01' }, t(1));

    const report = mergeDatabase(target, source);
    expect(report).toMatchObject({ genomesAdded: 1, genomesAlreadyPresent: 1, labOutcomesAdded: 2, labOutcomesAlreadyPresent: 1, labOutcomesSkipped: 0 });
    const aInTarget = Number(one(target, 'SELECT id FROM genomes WHERE content_hash = ?', [hashOf(source, a)]));
    expect(aInTarget).toBe(4);

    const merged = listLabOutcomes(target);
    expect(merged.map((o) => [o.genomeId, o.mediumId, o.grew, o.testedOn, o.note])).toEqual([
      [bInTarget, 'J12', true, '2026-11-04', 'with cysteine'],
      [bInTarget, 'J12', false, '2026-11-03', ''],
      [bInTarget, '1a', true, '2026-11-01', ''],
      [aInTarget, '1', true, '2026-11-02', 'good'],
    ]);
    // recorded_at travels unchanged; every source outcome is in the target under its genome's hash.
    const targetPortable = merged.map((o) => portable(target, o));
    for (const o of listLabOutcomes(source)) {
      const p = portable(source, o);
      expect(targetPortable.some((q) => q.genome === p.genome && q.medium === p.medium && q.grew === p.grew && q.testedOn === p.testedOn && q.note === p.note)).toBe(true);
    }
    expect(merged.find((o) => o.note === 'good')?.recordedAt).toBe(t(2).toISOString());
    // The latest one counts the same way as in the source file.
    expect(latestOutcomes(target, bInTarget).map((o) => [o.mediumId, o.grew])).toEqual([
      ['J12', true],
      ['1a', true],
    ]);

    const before = exportSnapshot(target);
    expect(mergeDatabase(target, source)).toMatchObject({ genomesAdded: 0, labOutcomesAdded: 0, labOutcomesAlreadyPresent: 3, labOutcomesSkipped: 0 });
    expect(listLabOutcomes(target)).toEqual(merged);
    expect(exportSnapshot(target)).toEqual(before);
    // Merging the merged file back into the source brings the target's own outcome over, once.
    expect(mergeDatabase(source, target)).toMatchObject({ genomesAdded: 2, labOutcomesAdded: 1, labOutcomesAlreadyPresent: 3 });
    expect(mergeDatabase(source, target)).toMatchObject({ labOutcomesAdded: 0 });
    expect(one(target, 'PRAGMA foreign_key_check')).toBeUndefined();
    source.close();
    target.close();
  });

  it('an outcome that differs in grew, date or note is a new outcome', async () => {
    const source = await mediaDb();
    const target = await mediaDb();
    const g = (await addGenome(source, profile(3))).genomeId;
    const gt = (await addGenome(target, profile(3))).genomeId;
    recordLabOutcome(target, { genomeId: gt, mediumId: '1', grew: true, testedOn: '2026-11-02', note: 'n' }, t(2));
    recordLabOutcome(source, { genomeId: g, mediumId: '1', grew: true, testedOn: '2026-11-02', note: 'n' }, t(5)); // same
    recordLabOutcome(source, { genomeId: g, mediumId: '1', grew: false, testedOn: '2026-11-02', note: 'n' }, t(5));
    recordLabOutcome(source, { genomeId: g, mediumId: '1', grew: true, testedOn: '2026-11-03', note: 'n' }, t(5));
    recordLabOutcome(source, { genomeId: g, mediumId: '1', grew: true, testedOn: '2026-11-02', note: 'other' }, t(5));
    recordLabOutcome(source, { genomeId: g, mediumId: '1a', grew: true, testedOn: '2026-11-02', note: 'n' }, t(5));
    expect(mergeDatabase(target, source)).toMatchObject({ labOutcomesAdded: 4, labOutcomesAlreadyPresent: 1 });
    expect(listLabOutcomes(target)).toHaveLength(5);
    source.close();
    target.close();
  });

  it('skips outcomes whose medium the target lacks, and merges a database without outcomes', async () => {
    const SQL = await sql();
    const source = await mediaDb();
    const target = createDatabase(SQL);
    target.run("INSERT INTO media (id, name, is_complex) VALUES ('1', 'NUTRIENT AGAR', 1)");
    const g = (await addGenome(source, profile(3))).genomeId;
    recordLabOutcome(source, { genomeId: g, mediumId: '1', grew: true }, t(5));
    recordLabOutcome(source, { genomeId: g, mediumId: 'J12', grew: true }, t(5));
    expect(mergeDatabase(target, source)).toMatchObject({ genomesAdded: 1, labOutcomesAdded: 1, labOutcomesSkipped: 1 });
    expect(listLabOutcomes(target).map((o) => o.mediumId)).toEqual(['1']);

    const empty = await mediaDb();
    expect(mergeDatabase(target, empty)).toMatchObject({ labOutcomesAdded: 0, labOutcomesAlreadyPresent: 0, labOutcomesSkipped: 0 });
    source.close();
    target.close();
    empty.close();
  });
});

describe('export and import carry lab outcomes', () => {
  it('record in the bundled snapshot, export, open the export in a fresh database: the same outcomes', async () => {
    const SQL = await sql();
    const bundled = new Uint8Array(readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz')));
    const { db } = openSnapshot(SQL, bundled, 'bundled', { integrityCheck: false });
    const [g1, g2] = (db.exec("SELECT id FROM genomes WHERE record_id IS NULL ORDER BY id LIMIT 2")[0].values).map((r) => Number(r[0]));
    const medium = String(one(db, "SELECT id FROM media WHERE id = 'J346'") ?? one(db, 'SELECT id FROM media ORDER BY id LIMIT 1'));
    recordLabOutcome(db, { genomeId: g1, mediumId: '1', grew: true, testedOn: '2026-11-20', note: 'Ünïcödé note\twith a tab\nand a line' }, t(20));
    recordLabOutcome(db, { genomeId: g1, mediumId: medium, grew: false, testedOn: '2026-11-21' }, t(21));
    recordLabOutcome(db, { genomeId: g2, mediumId: '1', grew: true, testedOn: '2026-11-22' }, t(22));
    const outcomes = listLabOutcomes(db);
    const stats = collectStats(db).values['labOutcomes.total'];
    const exported = exportSnapshot(db, { gzip: true });
    db.close();

    const again = openSnapshot(SQL, exported, 'export.sqlite.gz');
    expect(again.report.integrity).toBe('ok');
    expect(again.report.foreignKeyViolations).toBe(0);
    expect(listLabOutcomes(again.db)).toEqual(outcomes);
    expect(collectStats(again.db).values['labOutcomes.total']).toBe(stats);
    expect(stats).toBe(3);

    // Merging the export into a fresh copy of the bundled snapshot gives the same outcomes, ids and all
    // (its genomes are the same, so the genome ids map to themselves).
    const fresh = openSnapshot(SQL, bundled, 'bundled', { integrityCheck: false }).db;
    expect(mergeDatabase(fresh, again.db)).toMatchObject({ genomesAdded: 0, labOutcomesAdded: 3 });
    expect(listLabOutcomes(fresh).map((o) => ({ ...o, id: 0 }))).toEqual(outcomes.map((o) => ({ ...o, id: 0 })));
    fresh.close();
    again.db.close();
  });

  it('`db import` (replace, then merge) carries them in files', async () => {
    const SQL = await sql();
    const db = await mediaDb();
    const g = (await addGenome(db, profile(3), { name: 'G' })).genomeId;
    recordLabOutcome(db, { genomeId: g, mediumId: '1', grew: true, testedOn: '2026-11-02', note: 'ok' }, t(2));
    recordLabOutcome(db, { genomeId: g, mediumId: 'J12', grew: false, testedOn: '2026-11-03' }, t(3));
    const outcomes = listLabOutcomes(db);
    const exportPath = join(dir, 'export.sqlite.gz');
    writeFileAtomic(exportPath, exportSnapshot(db, { gzip: true }));
    db.close();

    const copy = join(dir, 'copy.sqlite');
    expect((await runCommand({ run: dbCommand }, 'db', 'import', exportPath, '--into', copy)).code).toBe(0);
    const opened = openSnapshot(SQL, new Uint8Array(readFileSync(copy)), 'copy');
    expect(listLabOutcomes(opened.db)).toEqual(outcomes);
    opened.db.close();

    // Into a database that has other genomes: merged with ids remapped, and idempotent.
    const other = await mediaDb();
    await addGenome(other, profile(9), { name: 'other' });
    const mine = join(dir, 'mine.sqlite.gz');
    writeFileAtomic(mine, exportSnapshot(other, { gzip: true }));
    other.close();
    for (let i = 0; i < 2; i++) {
      const r = await runCommand({ run: dbCommand }, 'db', 'import', exportPath, '--into', mine, '--merge');
      expect(r.code, r.stderr).toBe(0);
    }
    const merged = openSnapshot(SQL, new Uint8Array(readFileSync(mine)), 'mine');
    expect(listLabOutcomes(merged.db).map((o) => [o.genomeId, o.mediumId, o.grew, o.testedOn, o.note, o.recordedAt])).toEqual(
      outcomes.map((o) => [2, o.mediumId, o.grew, o.testedOn, o.note, o.recordedAt]),
    );
    merged.db.close();
    expect(existsSync(`${mine}.tmp-${process.pid}`)).toBe(false);
  });
});
