/**
 * `mediaforge outcome add|list|remove` (src/cli/commands/outcome.ts), in-process with real files in a
 * temporary folder: one clear line and a non-zero exit for bad input, and a refused write leaves the
 * database file byte-identical.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run as dbRun } from '../../src/cli/commands/db';
import { HELP, run, SUMMARY } from '../../src/cli/commands/outcome';
import { main } from '../../src/cli/main';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { addGenome } from '../../src/db/genomes';
import { importMediadive } from '../../src/db/import-mediadive';
import { listLabOutcomes, localIsoDate } from '../../src/db/lab-outcomes';
import { migrate, SCHEMA_VERSION } from '../../src/db/migrations';
import { isGzipBytes, openSnapshot } from '../../src/db/snapshot-file';
import { fixture, REPO_ROOT } from '../helpers/data';
import { runCommand } from '../helpers/run-cli';
import { FIXTURE_DATA, one, readTexts, sql } from './db-test-helpers';

let dir: string;
let snapshot: string;
let mycoplasma: number;
let lambda: number;

const cli = (...argv: string[]) => runCommand({ run }, 'outcome', ...argv);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const LAMBDA = join(FIXTURE_DATA, 'genomes/reference/Escherichia_phage_lambda.fna.gz');
const LAMBDA_COPY = join(FIXTURE_DATA, 'genomes/reference/Escherichia_phage_lambda_copy.fna.gz');
const BUNDLED = join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz');

/** A fresh copy of the fixture snapshot. */
let copies = 0;
function copy(ext = '.sqlite.gz'): string {
  const p = join(dir, `db-${++copies}${ext}`);
  if (ext.endsWith('.gz')) copyFileSync(snapshot, p);
  else writeFileSync(p, gunzipSync(new Uint8Array(readFileSync(snapshot))));
  return p;
}

async function outcomesIn(path: string) {
  const { db } = openSnapshot(await sql(), new Uint8Array(readFileSync(path)), path);
  try {
    return listLabOutcomes(db);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mf-cli-outcome-'));
  snapshot = join(dir, 'snap.sqlite.gz');
  const r = await runCommand({ run: dbRun }, 'db', 'build', '--data', FIXTURE_DATA, '--out', snapshot, '--quiet', '--no-model');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const { db } = openSnapshot(await sql(), new Uint8Array(readFileSync(snapshot)), 'snap');
  mycoplasma = Number(one(db, "SELECT id FROM genomes WHERE source_file LIKE '%Mycoplasma%'"));
  lambda = Number(one(db, "SELECT id FROM genomes WHERE source_file LIKE '%lambda%' ORDER BY id LIMIT 1"));
  db.close();
  expect(mycoplasma).toBeGreaterThan(0);
  expect(lambda).toBeGreaterThan(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

describe('help and usage', () => {
  it('has a one-line summary, help for every subcommand, and is registered in main', async () => {
    expect(SUMMARY).not.toMatch(/\n/);
    expect((await cli('--help')).stdout).toBe(HELP);
    expect((await cli()).code).toBe(2);
    for (const sub of ['add', 'list', 'remove']) {
      const r = await cli(sub, '--help');
      expect(r.code, sub).toBe(0);
      expect(r.stdout, sub).toMatch(new RegExp(`^Usage: mediaforge outcome ${sub}`));
    }
    const viaMain = await runCommand({ run: (argv) => main(argv) }, 'outcome', 'outcome', '--help');
    expect(viaMain).toMatchObject({ code: 0, stdout: HELP });
    expect((await runCommand({ run: (argv) => main(argv) }, '', '--help')).stdout).toMatch(/\n {2}outcome {4}record what grew/);
  });

  it('rejects bad usage with one line and exit code 2, writing nothing', async () => {
    const db = copy();
    const before = sha(db);
    const cases = [
      ['frobnicate'],
      ['add', '--genome', '1', '--medium', '1', '--grew', 'yes'], // no --db
      ['add', '--db', db, '--medium', '1', '--grew', 'yes'], // no genome
      ['add', '--db', db, '--genome', '1', '--file', LAMBDA, '--medium', '1', '--grew', 'yes'],
      ['add', '--db', db, '--genome', '1', '--grew', 'yes'],
      ['add', '--db', db, '--genome', '1', '--medium', '1'],
      ['add', '--db', db, '--genome', '1', '--medium', '1', '--grew', 'maybe'],
      ['add', '--db', db, '--genome', 'abc', '--medium', '1', '--grew', 'yes'],
      ['add', '--db', db, '--genome', '0', '--medium', '1', '--grew', 'yes'],
      ['add', '--db', db, '--genome', '1', '--medium', '1', '--grew', 'yes', '--colour', 'red'],
      ['list', '--nope'],
      ['list', '--db', db, '--genome', '-3'],
      ['remove', '--id', '1'], // no --db
      ['remove', '--db', db],
      ['remove', '--db', db, '--id', 'x'],
    ];
    for (const argv of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout, argv.join(' ')).toBe('');
      expect(r.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.stderr, argv.join(' ')).toMatch(/^mediaforge outcome: .* \(see `mediaforge outcome --help`\)\n$/);
    }
    expect(sha(db)).toBe(before);
  });

  it('never writes the bundled snapshot unless --db names it', async () => {
    const before = sha(BUNDLED);
    const r = await cli('add', '--genome', '1', '--medium', '1', '--grew', 'yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--db FILE is required: outcome add writes the database \(to write the bundled snapshot, name it: --db public\/mediaforge-snapshot\.sqlite\.gz\)/);
    expect((await cli('remove', '--id', '1')).code).toBe(2);
    // list reads it by default, and writes nothing.
    const list = await cli('list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n')[0]).toBe('id\tgenome_id\tgenome\tmedium_id\tmedium\tgrew\ttested_on\tcounts\tnote\trecorded_at');
    expect(sha(BUNDLED)).toBe(before);
  });
});

describe('add, list, remove', () => {
  it('adds an outcome by genome id, keeps the file gzip, and lists it (TSV and JSON)', async () => {
    const db = copy();
    const r = await cli('add', '--db', db, '--genome', String(mycoplasma), '--medium', '1', '--grew', 'no', '--date', '2026-11-20', '--note', 'nothing after 7 days');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^recorded outcome 1: genome ${mycoplasma} \\(Mycoplasma genitalium.*\\) did not grow in medium 1 \\(NUTRIENT AGAR\\), tested 2026-11-20; wrote .*db-\\d+\\.sqlite\\.gz\\n$`));
    expect(isGzipBytes(new Uint8Array(readFileSync(db)))).toBe(true);

    const r2 = await cli('add', '--db', db, '--genome', String(mycoplasma), '--medium', 'J12', '--grew', 'YES');
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(new RegExp(`tested ${localIsoDate(new Date())};`));

    const list = await cli('list', '--db', db);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2].split('\t').slice(0, 9)).toEqual(['1', String(mycoplasma), expect.stringMatching(/^Mycoplasma genitalium/), '1', 'NUTRIENT AGAR', 'no', '2026-11-20', 'yes', 'nothing after 7 days']);

    const json = JSON.parse((await cli('list', '--db', db, '--genome', String(mycoplasma), '--json')).stdout);
    expect(json.db).toBe(db);
    expect(json.outcomes).toHaveLength(2);
    expect(json.outcomes[1]).toMatchObject({ id: 1, genomeId: mycoplasma, mediumId: '1', medium: 'NUTRIENT AGAR', grew: false, testedOn: '2026-11-20', note: 'nothing after 7 days', source: 'user', counts: true });
    expect(JSON.parse((await cli('list', '--db', db, '--genome', String(lambda), '--json')).stdout).outcomes).toEqual([]);
    expect(await outcomesIn(db)).toHaveLength(2);
  });

  it('keeps history, says which outcome counts, and removes by id', async () => {
    const db = copy('.sqlite');
    const add = (...extra: string[]) => cli('add', '--db', db, '--genome', String(lambda), '--medium', '1a', ...extra);
    expect((await add('--grew', 'no', '--date', '2026-11-01')).code).toBe(0);
    const later = await add('--grew', 'yes', '--date', '2026-11-05', '--note', 'tabs\tand\nnewlines');
    expect(later.stdout).toMatch(/\n {2}1 earlier outcome for this genome and medium kept as history; this one counts\n$/);
    const backfill = await add('--grew', 'no', '--date', '2026-10-01');
    expect(backfill.stdout).toMatch(/\n {2}outcome 2 \(tested 2026-11-05\) is later and still counts\n$/);
    // A plain SQLite file stays plain.
    expect(isGzipBytes(new Uint8Array(readFileSync(db)))).toBe(false);

    const rows = (await cli('list', '--db', db)).stdout.trim().split('\n').slice(1).map((l) => l.split('\t'));
    expect(rows.map((r) => [r[0], r[5], r[6], r[7], r[8]])).toEqual([
      ['2', 'yes', '2026-11-05', 'yes', 'tabs and newlines'],
      ['1', 'no', '2026-11-01', 'no', ''],
      ['3', 'no', '2026-10-01', 'no', ''],
    ]);
    expect((await outcomesIn(db)).find((o) => o.id === 2)?.note).toBe('tabs\tand\nnewlines');

    const removed = await cli('remove', '--db', db, '--id', '2');
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(new RegExp(`^removed outcome 2 \\(genome ${lambda}, medium 1a, grew, tested 2026-11-05\\); wrote `));
    const json = JSON.parse((await cli('list', '--db', db, '--json')).stdout);
    expect(json.outcomes.map((o: { id: number; counts: boolean }) => [o.id, o.counts])).toEqual([
      [1, true],
      [3, false],
    ]);

    const before = sha(db);
    const gone = await cli('remove', '--db', db, '--id', '2');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`mediaforge outcome: outcome 2 is not in ${db} (see the outcome ids with \`mediaforge outcome list --db FILE\`)\n`);
    expect(sha(db)).toBe(before);
  });

  it('refuses bad values with one line, exit 1, and leaves the file byte-identical', async () => {
    const db = copy();
    const before = sha(db);
    const g = String(mycoplasma);
    const cases: [string[], string][] = [
      [['--genome', g, '--medium', 'XYZ', '--grew', 'yes'], "medium 'XYZ' is not in the database (give a MediaDive medium id exactly as in media.tsv, e.g. '1', '1a' or 'J346')"],
      [['--genome', g, '--medium', 'j12', '--grew', 'yes'], "medium 'j12' is not in the database (did you mean 'J12'? Medium ids are MediaDive's, exactly as in media.tsv)"],
      [['--genome', '999', '--medium', '1', '--grew', 'yes'], `genome 999 is not in ${db}`],
      [['--genome', g, '--medium', '1', '--grew', 'yes', '--date', '2026-02-30'], "date '2026-02-30' is not a calendar date"],
      [['--genome', g, '--medium', '1', '--grew', 'yes', '--date', '2999-01-01'], "date '2999-01-01' is in the future"],
      [['--genome', g, '--medium', '1', '--grew', 'yes', '--date', '20261101'], "date '20261101' is not in the form YYYY-MM-DD"],
      [['--genome', g, '--medium', '1', '--grew', 'yes', '--note', 'n'.repeat(2001)], 'note is 2,001 characters long, more than 2,000 (shorten the note)'],
      [['--file', fixture('crlf.fa'), '--medium', '1', '--grew', 'yes'], 'its genome is not in'],
      [['--file', join(dir, 'no-such.fa'), '--medium', '1', '--grew', 'yes'], 'no-such.fa: no such file'],
    ];
    for (const [argv, message] of cases) {
      const r = await cli('add', '--db', db, ...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.stderr.startsWith('mediaforge outcome: '), r.stderr).toBe(true);
      expect(r.stderr, argv.join(' ')).toContain(message);
    }
    const missing = await cli('add', '--db', join(dir, 'nothing.sqlite'), '--genome', g, '--medium', '1', '--grew', 'yes');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nothing\.sqlite: no such file/);
    const notDb = join(dir, 'genome.fa');
    writeFileSync(notDb, '>x\nACGT\n');
    const bad = await cli('add', '--db', notDb, '--genome', g, '--medium', '1', '--grew', 'yes');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an SQLite database/);
    expect(readFileSync(notDb, 'utf8')).toBe('>x\nACGT\n');
    expect(sha(db)).toBe(before);
  });

  it('--file finds the genome by content hash (any file with the same sequence), and says how to add a missing one', async () => {
    const db = copy();
    const r = await cli('add', '--db', db, '--file', LAMBDA, '--medium', '1', '--grew', 'yes', '--date', '2026-11-02');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^recorded outcome 1: genome ${lambda} `));
    const r2 = await cli('add', '--db', db, '--file', LAMBDA_COPY, '--medium', '1', '--grew', 'no', '--date', '2026-11-03');
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(new RegExp(`^recorded outcome 2: genome ${lambda} `));
    expect(JSON.parse((await cli('list', '--db', db, '--file', LAMBDA, '--json')).stdout).outcomes.map((o: { id: number }) => o.id)).toEqual([2, 1]);

    const missing = await cli('add', '--db', db, '--file', fixture('crlf.fa'), '--medium', '1', '--grew', 'yes');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/crlf\.fa: its genome is not in .* \(content hash [0-9a-f]{12}…\) \(add it in the app .*`mediaforge db import EXPORT --into DB --merge`\)\n$/);
  });

  it('migrates a schema-3 database when it writes it', async () => {
    const SQL = await sql();
    const v3 = new SQL.Database();
    migrate(v3, 3);
    importMediadive(v3, readTexts(FIXTURE_DATA));
    const counts = Float64Array.from({ length: FEATURE_COUNT }, (_, i) => (i % 7) + 1);
    const { genomeId } = await addGenome(v3, { counts, lengthBp: 1234, nBp: 0, otherBp: 0, gcFraction: 0.5, records: 1 });
    const path = join(dir, 'v3.sqlite');
    writeFileSync(path, v3.export());
    v3.close();
    const r = await cli('add', '--db', path, '--genome', String(genomeId), '--medium', 'J12', '--grew', 'yes', '--date', '2026-11-02');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`; wrote .*v3\\.sqlite \\(schema 3 migrated to ${SCHEMA_VERSION}\\)\\n$`));
    const { db, report } = openSnapshot(SQL, new Uint8Array(readFileSync(path)), 'v3');
    expect(report.schemaVersion).toBe(SCHEMA_VERSION);
    expect(listLabOutcomes(db).map((o) => [o.genomeId, o.mediumId, o.grew])).toEqual([[genomeId, 'J12', true]]);
    db.close();

    const stats = await runCommand({ run: dbRun }, 'db', 'stats', '--db', path, '--json');
    expect(JSON.parse(stats.stdout).values['labOutcomes.total']).toBe(1);
  });
});
