/**
 * Snapshot validation (issue 11 parts 2 and 5): every bad file of docs/bad-snapshots.md is refused
 * by openSnapshot with its code and message, by `mediaforge db check` and `db import` with one line
 * on stderr, exit 1 and the target database byte-identical; files carrying code (triggers, views,
 * changed CHECK/DEFAULT expressions, generated columns, extra tables or indexes) are refused before
 * any of it runs, so neither replace nor merge can execute them. Real sql.js, real files.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SqlJsStatic } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../src/cli/cli-error';
import { run } from '../../src/cli/commands/db';
import { isAppError } from '../../src/core/errors';
import { SCHEMA_VERSION } from '../../src/db/migrations';
import { openSnapshot } from '../../src/db/snapshot-file';
import { badInputSnapshots, codeCarryingSnapshots, editSnapshot, type BadSnapshot } from '../helpers/bad-snapshots';
import { build, FIXTURE_DATA, one, sql } from './db-test-helpers';

let SQL: SqlJsStatic;
let good: Uint8Array;
let goodGz: Uint8Array;
let dir: string;

beforeAll(async () => {
  SQL = await sql();
  goodGz = (await build(FIXTURE_DATA)).bytes;
  good = new Uint8Array(gunzipSync(goodGz));
  dir = mkdtempSync(join(tmpdir(), 'mf-snapshot-validation-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(bytes: Uint8Array, name: string): { code: string; message: string; hint?: string } {
  try {
    openSnapshot(SQL, bytes, name).db.close();
  } catch (e) {
    expect(isAppError(e), `${name}: ${String(e)}`).toBe(true);
    return e as { code: string; message: string; hint?: string };
  }
  throw new Error(`${name} was accepted`);
}

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

function expectRefused(c: BadSnapshot) {
  const e = refusal(c.bytes, c.file);
  expect(e.code, c.label).toBe(c.code);
  expect(e.message.startsWith(`${c.file}: `), e.message).toBe(true);
  expect(e.message.slice(c.file.length + 2), c.label).toMatch(c.message);
  expect(e.hint, c.label).toBeTruthy();
}

describe('openSnapshot refuses each bad input with its own message', () => {
  it('accepts the good snapshot these cases are made from', () => {
    const { db, report } = openSnapshot(SQL, good, 'good.sqlite');
    expect(report.integrity).toBe('ok');
    db.close();
  });

  it('truncated, random bytes, another SQLite, newer version, corrupted page, zero bytes, FASTA named .sqlite', () => {
    const cases = badInputSnapshots(SQL, good);
    expect(cases.map((c) => c.label)).toEqual([
      'truncated SQLite',
      'truncated header',
      'truncated gzip',
      'random bytes',
      'SQLite of another application',
      'plain SQLite (no MediaForge marks)',
      'newer MediaForge',
      'corrupted page',
      'zero-byte file',
      'FASTA named .sqlite',
    ]);
    for (const c of cases) expectRefused(c);
    // Every case has a message of its own.
    const messages = cases.map((c) => refusal(c.bytes, 'f').message);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('a damaged header: page size, schema version 0 with MediaForge\'s id; an index of the schema missing', () => {
    const badPage = good.slice();
    new DataView(badPage.buffer).setUint16(16, 1000);
    expect(refusal(badPage, 'p.sqlite')).toMatchObject({ code: 'DB_INVALID', message: 'p.sqlite: damaged SQLite header (page size 1000 is not a power of two from 512 to 65536)' });
    const v0 = good.slice();
    new DataView(v0.buffer).setInt32(60, 0);
    expect(refusal(v0, 'v0.sqlite')).toMatchObject({ code: 'DB_INVALID', message: 'v0.sqlite: schema version 0 is not a MediaForge version' });
    const noIndex = editSnapshot(SQL, good, (db) => db.exec('DROP INDEX genomes_content_hash'));
    expect(refusal(noIndex, 'i.sqlite')).toMatchObject({ code: 'DB_INVALID', message: `i.sqlite: missing index genomes_content_hash (schema version ${SCHEMA_VERSION})` });
  });

  it('a gzip file holding zero bytes', () => {
    const e = refusal(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'nothing.sqlite.gz');
    expect(e).toMatchObject({ code: 'FILE_EMPTY', message: 'nothing.sqlite.gz: gzip file holding 0 bytes' });
  });
});

describe('snapshots cannot carry code', () => {
  it('the crafted files really carry it: a trigger that would wipe genomes, a CHECK that would run', () => {
    const [trigger] = codeCarryingSnapshots(SQL, good);
    const raw = new SQL.Database(trigger.bytes);
    expect(one(raw, 'SELECT count(*) FROM genomes')).toBe(2);
    raw.run("INSERT INTO genomes (name, content_hash, length_bp, n_bp, gc_fraction, records, organism_type) VALUES ('x', 'h', 1, 0, 0.5, 1, 'bacteria')");
    expect(one(raw, 'SELECT count(*) FROM genomes')).toBe(0); // the trigger ran: opened without checks, a merge would lose every genome
    raw.close();
  });

  it('refuses triggers, views, a view in place of a table, extra tables and indexes, changed CHECK/DEFAULT and generated columns', () => {
    const cases = codeCarryingSnapshots(SQL, good);
    expect(cases).toHaveLength(8);
    for (const c of cases) expectRefused(c);
  });

  it('refuses them before any statement reads the data (a function the schema calls never runs)', () => {
    // A custom function the crafted CHECK calls: it records every call. Neither opening,
    // integrity_check nor migration may call it.
    let calls = 0;
    const crafted = editSnapshot(SQL, good, (db) => {
      const sqlText = String(db.exec("SELECT sql FROM sqlite_schema WHERE name = 'genomes'")[0].values[0][0]);
      db.exec('PRAGMA writable_schema = ON');
      db.run("UPDATE sqlite_schema SET sql = ? WHERE name = 'genomes'", [sqlText.replace('CHECK (organism_type IN', 'CHECK (spy() AND organism_type IN')]);
    });
    // sql.js whose every database knows spy(): the refusal must come before SQLite evaluates it.
    const Spying = class extends SQL.Database {
      constructor(data?: ArrayLike<number> | Buffer | null) {
        super(data);
        this.create_function('spy', () => ++calls);
      }
    };
    const spyingSql = { ...SQL, Database: Spying } as unknown as SqlJsStatic;
    // Proof that the spy works: integrity_check on the unchecked file calls it once per row.
    const raw = new Spying(crafted);
    raw.exec('PRAGMA integrity_check');
    raw.close();
    const rows = Number(one(new SQL.Database(good), 'SELECT count(*) FROM genomes'));
    expect(rows).toBeGreaterThan(0);
    expect(calls).toBe(rows);
    calls = 0;
    // trusted_schema is off while the schema is unchecked, so SQLite itself refuses to compile the call.
    expect(() => openSnapshot(spyingSql, crafted, 'spy.sqlite')).toThrow(
      'spy.sqlite: its schema calls a function that may not run from a file (unsafe use of spy()); snapshots cannot carry code, so it is refused',
    );
    expect(calls).toBe(0);
  });

  it('an older snapshot with exactly its own version\'s schema is still accepted', async () => {
    const { migrate } = await import('../../src/db/migrations');
    const v2 = new SQL.Database();
    migrate(v2, 2);
    const { db, report } = openSnapshot(SQL, v2.export(), 'v2.sqlite');
    v2.close();
    expect(report.schemaVersion).toBe(2);
    db.close();
  });
});

describe('the CLI refuses them in one line and leaves the target byte-identical', () => {
  it('db check and db import (replace and --merge), for every case', async () => {
    const target = join(dir, 'mine.sqlite.gz');
    writeFileSync(target, goodGz);
    const before = sha(target);
    for (const c of [...badInputSnapshots(SQL, good), ...codeCarryingSnapshots(SQL, good)]) {
      const path = join(dir, c.file);
      writeFileSync(path, c.bytes);
      const check = await cli('check', path);
      expect(check.code, c.label).toBe(1);
      expect(check.stdout).toBe('');
      const lines = check.stderr.split('\n');
      expect(lines, c.label).toHaveLength(2); // one line and its newline
      expect(lines[0].startsWith(`mediaforge db: ${path}: `), lines[0]).toBe(true);
      const message = lines[0].slice(`mediaforge db: ${path}: `.length).replace(/ \([^()]*(\([^()]*\)[^()]*)*\)$/, ''); // without the hint
      expect(message, c.label).toMatch(c.message);
      for (const merge of [[], ['--merge']]) {
        const r = await cli('import', path, '--into', target, ...merge);
        expect(r.code, `${c.label} ${merge}`).toBe(1);
        expect(r.stderr.split('\n')).toHaveLength(2);
        expect(r.stderr).toContain(path);
        expect(sha(target), `${c.label}: target changed`).toBe(before);
      }
    }
  });
});
