/**
 * Lab outcomes: what a user saw at the bench. An outcome says that a medium did (grew = 1) or did
 * not (grew = 0) grow a genome's organism, on a date, with a note (table lab_outcomes, migration 4,
 * source 'user'). Outcomes are history: a second outcome for the same genome and medium is kept, and
 * the latest one counts (latest = the last test date; on the same date, the one recorded last).
 * Deleting a genome deletes its outcomes (ON DELETE CASCADE). Pure sql.js: Node and the DB worker.
 */
import type { Database, SqlValue } from 'sql.js';
import { AppError } from '../core/errors';
import type { LabOutcome } from '../media/media-api-types';
import { findGenomeByHash } from './genomes';

export type { LabOutcome };

/** Longest note accepted, in characters (Unicode code points). */
export const LAB_OUTCOME_NOTE_MAX = 2000;
/** Earliest test date accepted (catches typos such as 0226-05-01). */
export const LAB_OUTCOME_EARLIEST_DATE = '1900-01-01';

export interface RecordLabOutcomeInput {
  genomeId: number;
  /** MediaDive medium id exactly as in media.tsv: '1', '1a', 'J346'. */
  mediumId: string;
  grew: boolean;
  /** YYYY-MM-DD, a real calendar date, not after today (local date of `now`). Default: today. */
  testedOn?: string;
  /** Free text, at most LAB_OUTCOME_NOTE_MAX characters; surrounding white space is trimmed. */
  note?: string;
}

const COLUMNS = 'id, genome_id, medium_id, grew, tested_on, note, source, recorded_at';
/** Newest first: the first row of a (genome, medium) pair in this order is the one that counts. */
const NEWEST_FIRST = 'tested_on DESC, recorded_at DESC, id DESC';

function toOutcome(r: SqlValue[]): LabOutcome {
  return {
    id: Number(r[0]),
    genomeId: Number(r[1]),
    mediumId: String(r[2]),
    grew: Number(r[3]) === 1,
    testedOn: String(r[4]),
    note: String(r[5] ?? ''),
    source: 'user',
    recordedAt: String(r[7]),
  };
}

function rows(db: Database, sql: string, params: SqlValue[] = []): SqlValue[][] {
  return db.exec(sql, params)[0]?.values ?? [];
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The local calendar date of `d` as YYYY-MM-DD. */
export function localIsoDate(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * Checks a test date: YYYY-MM-DD, a real calendar date (no 2026-02-30), from 1900 on, and not after
 * `today` (YYYY-MM-DD). Returns null when it is good, else what is wrong.
 */
export function labDateProblem(s: string, today: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return `date '${s}' is not in the form YYYY-MM-DD`;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (mo < 1 || mo > 12 || d < 1 || d > days[mo - 1]) return `date '${s}' is not a calendar date`;
  if (s < LAB_OUTCOME_EARLIEST_DATE) return `date '${s}' is before ${LAB_OUTCOME_EARLIEST_DATE}`;
  if (s > today) return `date '${s}' is in the future (today is ${today})`;
  return null;
}

function genomeExists(db: Database, genomeId: number): boolean {
  return rows(db, 'SELECT 1 FROM genomes WHERE id = ?', [genomeId]).length > 0;
}

/** A hint for an unknown medium id: the id with other capitalisation or white space, if there is one. */
function mediumHint(db: Database, mediumId: string): string {
  const near = rows(db, 'SELECT id FROM media WHERE lower(id) = lower(?) ORDER BY id LIMIT 3', [mediumId.trim()]).map((r) => String(r[0]));
  if (near.length) return `did you mean ${near.map((x) => `'${x}'`).join(' or ')}? Medium ids are MediaDive's, exactly as in media.tsv`;
  return "give a MediaDive medium id exactly as in media.tsv, e.g. '1', '1a' or 'J346'";
}

/**
 * Records a lab outcome and returns it. Validates everything first and writes nothing when a check
 * fails; throws AppError BAD_OPTION naming the problem (unknown genome or medium, bad or future
 * date, note too long). An earlier outcome for the same genome and medium is kept as history.
 */
export function recordLabOutcome(db: Database, input: RecordLabOutcomeInput, now: Date = new Date()): LabOutcome {
  const { genomeId, mediumId, grew } = input;
  if (!Number.isSafeInteger(genomeId) || genomeId < 1) {
    throw new AppError('BAD_OPTION', `genome id ${JSON.stringify(genomeId)} is not a positive integer`, 'give the id of a genome in the database');
  }
  if (!genomeExists(db, genomeId)) {
    throw new AppError('BAD_OPTION', `genome ${genomeId} is not in the database`, 'add the genome first, or give the id of a genome the database has');
  }
  if (typeof mediumId !== 'string' || mediumId === '') {
    throw new AppError('BAD_OPTION', typeof mediumId === 'string' ? 'no medium id given' : `medium id ${JSON.stringify(mediumId)} is not text`, "give a MediaDive medium id exactly as in media.tsv, e.g. '1', '1a' or 'J346'");
  }
  if (!rows(db, 'SELECT 1 FROM media WHERE id = ?', [mediumId]).length) {
    throw new AppError('BAD_OPTION', `medium '${mediumId}' is not in the database`, mediumHint(db, mediumId));
  }
  if (typeof grew !== 'boolean') {
    throw new AppError('BAD_OPTION', `grew must be true or false, got ${JSON.stringify(grew)}`, 'say whether the organism grew in the medium');
  }
  if (Number.isNaN(now.getTime())) throw new AppError('INTERNAL', 'recordLabOutcome: invalid current time');
  const today = localIsoDate(now);
  const testedOn = input.testedOn ?? today;
  if (typeof testedOn !== 'string') throw new AppError('BAD_OPTION', `date ${JSON.stringify(testedOn)} is not a string`, 'give the test date as YYYY-MM-DD');
  const dateProblem = labDateProblem(testedOn, today);
  if (dateProblem) throw new AppError('BAD_OPTION', dateProblem, 'give the date of the test as YYYY-MM-DD, today or earlier');
  if (input.note !== undefined && typeof input.note !== 'string') throw new AppError('BAD_OPTION', 'note must be text');
  const note = (input.note ?? '').trim();
  const noteLength = [...note].length;
  if (noteLength > LAB_OUTCOME_NOTE_MAX) {
    throw new AppError('BAD_OPTION', `note is ${noteLength.toLocaleString('en-US')} characters long, more than ${LAB_OUTCOME_NOTE_MAX.toLocaleString('en-US')}`, 'shorten the note');
  }

  db.run("INSERT INTO lab_outcomes (genome_id, medium_id, grew, tested_on, note, source, recorded_at) VALUES (?,?,?,?,?,'user',?)", [
    genomeId,
    mediumId,
    grew ? 1 : 0,
    testedOn,
    note,
    now.toISOString(),
  ]);
  const id = Number(rows(db, 'SELECT last_insert_rowid()')[0][0]);
  return toOutcome(rows(db, `SELECT ${COLUMNS} FROM lab_outcomes WHERE id = ?`, [id])[0]);
}

function hasTable(db: Database): boolean {
  return rows(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'lab_outcomes'").length > 0;
}

/**
 * Every outcome (of one genome when genomeId is given): by genome id, then newest first (test date,
 * then recording time), so the first outcome of each (genome, medium) pair is the one that counts.
 * Empty for a database without the table (schema < 4, not migrated).
 */
export function listLabOutcomes(db: Database, genomeId?: number): LabOutcome[] {
  if (!hasTable(db)) return [];
  const where = genomeId === undefined ? '' : 'WHERE genome_id = ?';
  return rows(db, `SELECT ${COLUMNS} FROM lab_outcomes ${where} ORDER BY genome_id, ${NEWEST_FIRST}`, genomeId === undefined ? [] : [genomeId]).map(toOutcome);
}

/**
 * The outcome that counts for each (genome, medium) pair (of one genome when genomeId is given): the
 * latest test date; on the same date, the one recorded last. Ordered by genome id, then newest first.
 */
export function latestOutcomes(db: Database, genomeId?: number): LabOutcome[] {
  if (!hasTable(db)) return [];
  const where = genomeId === undefined ? '' : 'WHERE genome_id = ?';
  return rows(
    db,
    `SELECT ${COLUMNS} FROM (
       SELECT ${COLUMNS}, ROW_NUMBER() OVER (PARTITION BY genome_id, medium_id ORDER BY ${NEWEST_FIRST}) AS rn
       FROM lab_outcomes ${where})
     WHERE rn = 1 ORDER BY genome_id, ${NEWEST_FIRST}`,
    genomeId === undefined ? [] : [genomeId],
  ).map(toOutcome);
}

/** One outcome by id, or null. */
export function getLabOutcome(db: Database, id: number): LabOutcome | null {
  if (!hasTable(db)) return null;
  const r = rows(db, `SELECT ${COLUMNS} FROM lab_outcomes WHERE id = ?`, [id]);
  return r.length ? toOutcome(r[0]) : null;
}

/** Deletes one outcome; false when there is none with that id. */
export function deleteLabOutcome(db: Database, id: number): boolean {
  if (!hasTable(db)) return false;
  db.run('DELETE FROM lab_outcomes WHERE id = ?', [id]);
  return db.getRowsModified() > 0;
}

/**
 * The genome with this content hash (genomes.content_hash: sha256 of the k-mer profile, see
 * profileContentHash), or null: how the app finds a re-dropped file's genome. The lowest id when
 * several rows share the hash (same as addGenome's deduplication).
 */
export function findGenomeByContentHash(db: Database, contentHash: string): number | null {
  return findGenomeByHash(db, contentHash);
}
