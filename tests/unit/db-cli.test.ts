/**
 * `mediaforge db build|stats|check|import` (src/cli/commands/db.ts), called in-process with real
 * files in a temporary folder. Errors are checked as main.ts reports them: one line, exit code.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../src/cli/cli-error';
import { HELP, run, SUMMARY } from '../../src/cli/commands/db';
import { SCHEMA_VERSION } from '../../src/db/migrations';
import { FIXTURE_DATA } from './db-test-helpers';

let dir: string;
let snapshot: string;

/** Runs the command the way main.ts does; returns exit code, stdout and stderr. */
async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  let code: number;
  try {
    code = await run(argv);
  } catch (err) {
    code = reportError(err, 'db');
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, stdout, stderr };
}
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mf-db-cli-'));
  snapshot = join(dir, 'snap.sqlite.gz');
  const r = await cli('build', '--data', FIXTURE_DATA, '--out', snapshot, '--quiet', '--report', join(dir, 'links.tsv'));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  // No temporary files are ever left behind.
  expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

describe('help and usage', () => {
  it('has a one-line summary and help for every subcommand', async () => {
    expect(SUMMARY).not.toMatch(/\n/);
    expect((await cli('--help')).stdout).toBe(HELP);
    for (const sub of ['build', 'stats', 'check', 'import']) {
      const r = await cli(sub, '--help');
      expect(r.code, sub).toBe(0);
      expect(r.stdout, sub).toMatch(new RegExp(`^Usage: mediaforge db ${sub}`));
    }
  });

  it('rejects bad usage with one line and exit code 2', async () => {
    for (const argv of [['frobnicate'], ['check'], ['import', snapshot], ['stats', '--nope'], ['check', 'a', 'b']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/see `mediaforge db --help`/);
    }
  });

  it('names a missing --data folder in one line', async () => {
    const r = await cli('build', '--data', join(dir, 'no-such-dir'), '--out', join(dir, 'x.sqlite'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`mediaforge db: --data ${join(dir, 'no-such-dir')}: no such directory (point --data at the shared data folder that holds mediadive/ and genomes/)\n`);
    expect(existsSync(join(dir, 'x.sqlite'))).toBe(false);
  });
});

describe('build, stats, check', () => {
  it('build reports what it wrote and the genome link levels', async () => {
    const tsv = readFileSync(join(dir, 'links.tsv'), 'utf8').trim().split('\n');
    expect(tsv[0]).toBe('genome_id\tfile\tspecies\tstrain\torganism_type\tlevel\tstrain_links\tlinks\tevidence\tnotes');
    expect(tsv).toHaveLength(4); // 3 manifest rows
    expect(tsv.find((l) => l.includes('Mycoplasma_genitalium'))!.split('\t')[5]).toBe('strain');
  });

  it('stats prints an aligned table and JSON with the same numbers', async () => {
    const text = await cli('stats', '--db', snapshot);
    expect(text.code).toBe(0);
    const json = await cli('stats', '--db', snapshot, '--json');
    const stats = JSON.parse(json.stdout);
    expect(stats.schemaVersion).toBe(SCHEMA_VERSION);
    expect(stats.values['genomes.total']).toBe(2);
    // One line per row, in order: label, then the value with thousands separators, then the unit.
    const rows = stats.sections.flatMap((s: { rows: unknown[] }) => s.rows) as { key: string; label: string; value: number; unit: string }[];
    const lines = text.stdout.split('\n').filter((l) => /^ {2}\S/.test(l));
    expect(lines).toHaveLength(rows.length);
    rows.forEach((r, i) => {
      expect(lines[i].startsWith(`  ${r.label} `), r.key).toBe(true);
      expect(lines[i].endsWith(` ${r.value.toLocaleString('en-US')}  ${r.unit}`), `${r.key}: ${lines[i]}`).toBe(true);
    });
    // Values are right-aligned in one column.
    const valueEnds = new Set(text.stdout.split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.search(/\d\s{2}\S+$/)));
    expect(valueEnds.size).toBe(1);
  });

  it('stats without --db and no built snapshot says how to get one', async () => {
    // The default is the repository's public snapshot; only check the message shape when it is absent.
    const r = await cli('stats', '--db', join(dir, 'missing.sqlite'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.sqlite: no such file/);
  });

  it('check accepts the snapshot and rejects a FASTA file', async () => {
    const ok = await cli('check', snapshot);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/: OK\n/);
    expect(ok.stdout).toMatch(/integrity {8}ok/);
    const fasta = join(dir, 'genome.fa');
    writeFileSync(fasta, '>x\nACGT\n');
    const bad = await cli('check', fasta);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`mediaforge db: ${fasta}: not an SQLite database: it is a FASTA file (starts with ">") (add genomes on the Profile tab (CLI: mediaforge profile); import only MediaForge snapshots here)\n`);
  });
});

describe('import', () => {
  it('creates a database from a snapshot, and a rejected file leaves it byte-identical', async () => {
    const db = join(dir, 'mine.sqlite');
    const created = await cli('import', snapshot, '--into', db);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created .*mine\.sqlite from /);
    expect((await cli('check', db)).code).toBe(0);
    const before = sha(db);

    const bad = join(dir, 'bad.sqlite');
    const bytes = readFileSync(db);
    bytes.writeInt32BE(SCHEMA_VERSION + 7, 60); // user_version from the future
    writeFileSync(bad, bytes);
    for (const merge of [[], ['--merge']]) {
      const r = await cli('import', bad, '--into', db, ...merge);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 7} is newer than this MediaForge understands`));
      expect(sha(db)).toBe(before);
    }
  });

  it('merges the same file twice without duplicates', async () => {
    const db = join(dir, 'merge-target.sqlite.gz');
    await cli('import', snapshot, '--into', db);
    const first = await cli('import', snapshot, '--into', db, '--merge');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/genomes \+0 \(2 already present\)/);
    const after = sha(db);
    const second = await cli('import', snapshot, '--into', db, '--merge');
    expect(second.stdout).toMatch(/genomes \+0 \(2 already present\), links \+0/);
    expect(sha(db)).toBe(after);
  });

  it('refuses to merge into a database that does not exist', async () => {
    const r = await cli('import', snapshot, '--into', join(dir, 'nothing.sqlite'), '--merge');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such file to merge into \(run without --merge to create it\)/);
  });
});
