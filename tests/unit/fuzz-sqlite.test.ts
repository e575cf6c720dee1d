/**
 * Random byte mutations of a real MediaForge snapshot (issue 11 part 6), with fixed seeds: every
 * mutated file is either refused by openSnapshot with an AppError of a snapshot code that names the
 * file, or opened, and then it passes the checks again: every row of every table reads, the
 * foreign keys hold as far as the report says, and its export opens again. Never another exception,
 * never a hang (each open is timed; the slowest is printed).
 */
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/errors';
import { exportSnapshot, gzipSnapshot, openSnapshot, readSqliteHeader } from '../../src/db/snapshot-file';
import { build, FIXTURE_DATA, sql } from './db-test-helpers';

let SQL: SqlJsStatic;
let good: Uint8Array;
let pageSizeBytes: number;
let pageCount: number;

beforeAll(async () => {
  SQL = await sql();
  good = new Uint8Array(gunzipSync((await build(FIXTURE_DATA)).bytes));
  ({ pageSizeBytes, pageCount } = readSqliteHeader(good, 'good'));
});

const SNAPSHOT_CODES = ['DB_INVALID', 'DB_TOO_NEW', 'FILE_EMPTY'];

interface Outcome {
  refused: Map<string, number>;
  opened: number;
  slowestMs: number;
}

/** Opens mutated bytes; asserts the property; returns whether it was refused (and how) or opened. */
function check(bytes: Uint8Array, outcome: Outcome): void {
  const name = 'mutated.sqlite';
  const t0 = performance.now();
  let opened: ReturnType<typeof openSnapshot> | null = null;
  try {
    opened = openSnapshot(SQL, bytes, name);
  } catch (e) {
    if (!isAppError(e)) throw new Error(`not an AppError: ${String(e)}`);
    expect(SNAPSHOT_CODES).toContain(e.code);
    expect(e.message.startsWith(`${name}: `)).toBe(true);
    expect(e.message).not.toMatch(/\n/);
    const kind = e.message.slice(name.length + 2).replace(/[\s(:].*$/, '');
    outcome.refused.set(`${e.code} ${kind}`, (outcome.refused.get(`${e.code} ${kind}`) ?? 0) + 1);
  }
  outcome.slowestMs = Math.max(outcome.slowestMs, performance.now() - t0);
  if (!opened) return;
  const { db, report } = opened;
  try {
    outcome.opened++;
    expect(report.integrity).toBe('ok');
    // Every row of every table reads, and the counts agree with the report.
    for (const t of report.tables) {
      const rows = db.exec(`SELECT * FROM "${t.name}"`)[0]?.values.length ?? 0;
      expect(rows, t.name).toBe(t.rows);
    }
    // What the app would save opens again.
    const again = openSnapshot(SQL, exportSnapshot(db), 're-exported.sqlite');
    expect(again.report.tables).toEqual(report.tables);
    again.db.close();
  } finally {
    db.close();
  }
}

/** Byte positions where a mutation does the most harm: the header, b-tree page headers, anywhere. */
const position = () =>
  fc.oneof(
    fc.integer({ min: 0, max: 99 }),
    fc.tuple(fc.integer({ min: 1, max: pageCount }), fc.integer({ min: 0, max: 11 })).map(([p, o]) => (p - 1) * pageSizeBytes + (p === 1 ? 100 : 0) + o),
    fc.integer({ min: 0, max: good.length - 1 }),
  );
const mutations = () => fc.array(fc.tuple(position(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });

function mutate(base: Uint8Array, edits: [number, number][]): Uint8Array {
  const out = base.slice();
  for (const [at, byte] of edits) if (at < out.length) out[at] = byte;
  return out;
}

const report = (label: string, o: Outcome) =>
  console.log(`${label}: ${o.opened} opened and re-checked, refused ${[...o.refused].map(([k, n]) => `${k} ×${n}`).join(', ')}; slowest open ${o.slowestMs.toFixed(0)} ms`);

describe('openSnapshot on mutated SQLite files', () => {
  it('refuses with a specific AppError or opens a database that passes the checks (SQLite bytes, 400 cases)', () => {
    const o: Outcome = { refused: new Map(), opened: 0, slowestMs: 0 };
    fc.assert(
      fc.property(mutations(), (edits) => check(mutate(good, edits), o)),
      { seed: 20261201, numRuns: 400 },
    );
    report('sqlite', o);
    // Both outcomes occur (the property is not vacuous), and refusals have several causes.
    expect(o.opened).toBeGreaterThan(0);
    expect(o.refused.size).toBeGreaterThan(2);
  });

  it('the same for truncations and for mutated gzip files (150 cases)', () => {
    const o: Outcome = { refused: new Map(), opened: 0, slowestMs: 0 };
    const gz = gzipSnapshot(good);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: good.length - 1 }).map((n) => good.slice(0, n)),
          mutations().map((edits) => mutate(gz, edits.map(([at, b]) => [at % gz.length, b]))),
        ),
        (bytes) => check(bytes, o),
      ),
      { seed: 7, numRuns: 150 },
    );
    report('truncated / gzip', o);
    expect([...o.refused.keys()].some((k) => k.includes('truncated'))).toBe(true);
  });
});
