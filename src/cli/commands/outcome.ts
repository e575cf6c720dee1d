/**
 * `mediaforge outcome add|list|remove`: the user's lab outcomes (a medium did or did not grow a
 * genome's organism) in a database file. Writes go through a temporary file and a rename; the
 * bundled public snapshot is only written when --db names it.
 */
import { resolve, relative } from 'node:path';
import type { Database } from 'sql.js';
import { AppError } from '../../core/errors';
import { profileSource } from '../../core/profile';
import { deleteLabOutcome, findGenomeByContentHash, getLabOutcome, latestOutcomes, listLabOutcomes, recordLabOutcome, type LabOutcome } from '../../db/lab-outcomes';
import { writeFileAtomic } from '../../db/node-files';
import { profileContentHash } from '../../db/profile-blob';
import { exportSnapshot } from '../../db/snapshot-file';
import { UsageError } from '../cli-error';
import { numberOption, parseCommandArgs, requiredOption, runSubcommand } from '../command-args';
import { nodeFileSource } from '../node-source';
import { DEFAULT_DB, openCliDatabase, type CliDatabase } from '../cli-database';

export const SUMMARY = "record what grew at the bench: a medium did or did not grow a genome's organism";

export const HELP = `Usage: mediaforge outcome <command> [options]

Commands:
  add      record that a medium did or did not grow a genome's organism
  list     list the recorded outcomes (the latest per genome and medium counts)
  remove   delete one outcome by id

A lab outcome is user evidence (source 'user'): the medium is ranked first (grew) or last (did not
grow) for that genome, counts as evidence for the genome's close neighbours, and travels with
exported and merged databases. A second outcome for the same genome and medium is kept as history;
the latest (by test date, then by when it was recorded) counts.

Run \`mediaforge outcome <command> --help\` for the options of one command.
`;

const HELP_ADD = `Usage: mediaforge outcome add --db FILE (--genome ID | --file FASTA) --medium ID --grew yes|no [--date YYYY-MM-DD] [--note TEXT]

Records one lab outcome in database FILE and writes FILE back (through a temporary file and a
rename; an older schema is migrated). Nothing is written when an option is wrong.

Options:
  --db FILE        the database to write (.sqlite or .sqlite.gz); required. The bundled snapshot
                   (${DEFAULT_DB}) is written only when named here
  --genome ID      the genome's id in the database (see \`mediaforge outcome list\`, the app's
                   Database page)
  --file FASTA     or: the genome FASTA file; it is profiled and found by its content hash (the
                   same file the genome was added from, or any file with the same sequence)
  --medium ID      MediaDive medium id exactly as in media.tsv: 1, 1a, J346, ...
  --grew yes|no    whether the organism grew in the medium
  --date DATE      the day of the test, YYYY-MM-DD, not in the future (default: today)
  --note TEXT      a note, at most 2,000 characters
  -h, --help       show this help
`;

const HELP_LIST = `Usage: mediaforge outcome list [--db FILE] [--genome ID | --file FASTA] [--json]

Lists the lab outcomes, by genome, newest first. "counts" marks the latest outcome of each genome
and medium, the one that ranks the medium. Nothing is written.

TSV columns: id, genome_id, genome, medium_id, medium, grew, tested_on, counts, note, recorded_at
JSON: {"db": FILE, "outcomes": [{id, genomeId, genome, mediumId, medium, grew, testedOn, note,
       source, recordedAt, counts}]}

Options:
  --db FILE      database or snapshot (default: the bundled ${DEFAULT_DB})
  --genome ID    only this genome's outcomes
  --file FASTA   only the outcomes of this FASTA file's genome (found by content hash)
  --json         print JSON instead of TSV
  -h, --help     show this help
`;

const HELP_REMOVE = `Usage: mediaforge outcome remove --db FILE --id N

Deletes lab outcome N from database FILE and writes FILE back (through a temporary file and a
rename). An earlier outcome of the same genome and medium, if any, then counts again.

Options:
  --db FILE   the database to write (.sqlite or .sqlite.gz); required
  --id N      the outcome's id (see \`mediaforge outcome list\`)
  -h, --help  show this help
`;

const out = (s: string) => process.stdout.write(s);
const show = (p: string) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

export function run(argv: string[]): Promise<number> {
  return runSubcommand(argv, { help: HELP, commands: { add: runAdd, list: runList, remove: runRemove } });
}

/** --genome ID: a genome id, a whole number from 1. */
const genomeIdOption = (v: { genome?: string }) => numberOption(v, 'genome', { integer: true, min: 1 });

function parseGrew(s: string): boolean {
  const v = s.trim().toLowerCase();
  if (v === 'yes') return true;
  if (v === 'no') return false;
  throw new UsageError(`--grew must be yes or no, got '${s}'`);
}

/** The database file a write command works on: --db is required, so the bundled snapshot is only written when named. */
function writableDb(db: string | undefined, command: string): string {
  if (db === undefined || db === '') {
    throw new UsageError(`--db FILE is required: outcome ${command} writes the database (to write the bundled snapshot, name it: --db ${DEFAULT_DB})`);
  }
  return db;
}

/** Writes the database back in the file's own format (gzip or plain), atomically. */
function save(o: CliDatabase): string {
  writeFileAtomic(o.path, exportSnapshot(o.db, { gzip: o.report.gzip }));
  return o.report.openedVersion > o.report.schemaVersion ? ` (schema ${o.report.schemaVersion} migrated to ${o.report.openedVersion})` : '';
}

/** The genome of --genome ID or --file FASTA (profiled; found by content hash). */
async function resolveGenome(db: Database, dbName: string, genome: number | undefined, file: string | undefined): Promise<number> {
  if (genome !== undefined && file !== undefined) throw new UsageError('give --genome ID or --file FASTA, not both');
  if (genome !== undefined) {
    const id = genome;
    if (!db.exec('SELECT 1 FROM genomes WHERE id = ?', [id]).length) {
      throw new AppError('BAD_OPTION', `genome ${id} is not in ${dbName}`, 'see the genome ids with `mediaforge outcome list` or on the app\'s Database page, or give --file FASTA');
    }
    return id;
  }
  if (file === undefined) throw new UsageError('give the genome: --genome ID or --file FASTA');
  const profile = await profileSource(nodeFileSource(resolve(file), file));
  const hash = await profileContentHash(profile.counts, profile.lengthBp);
  const id = findGenomeByContentHash(db, hash);
  if (id === null) {
    throw new AppError(
      'BAD_OPTION',
      `${file}: its genome is not in ${dbName} (content hash ${hash.slice(0, 12)}…)`,
      'add it in the app (Profile page, then Database > Genomes), export the database and use that file as --db, or merge the export in with `mediaforge db import EXPORT --into DB --merge`',
    );
  }
  return id;
}

function genomeName(db: Database, id: number): string {
  return String(db.exec('SELECT name FROM genomes WHERE id = ?', [id])[0]?.values[0]?.[0] ?? '');
}

function mediumName(db: Database, id: string): string {
  return String(db.exec('SELECT name FROM media WHERE id = ?', [id])[0]?.values[0]?.[0] ?? '');
}

async function runAdd(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { db: { type: 'string' }, genome: { type: 'string' }, file: { type: 'string' }, medium: { type: 'string' }, grew: { type: 'string' }, date: { type: 'string' }, note: { type: 'string' } },
    HELP_ADD,
  );
  if (!args) return 0;
  const v = args.values;
  const dbOption = writableDb(v.db, 'add');
  if (v.genome === undefined && v.file === undefined) throw new UsageError('give the genome: --genome ID or --file FASTA');
  if (v.genome !== undefined && v.file !== undefined) throw new UsageError('give --genome ID or --file FASTA, not both');
  const mediumId = requiredOption(v, 'medium', 'ID');
  const grew = parseGrew(requiredOption(v, 'grew', 'yes|no'));
  const genome = genomeIdOption(v);

  const o = await openCliDatabase(dbOption);
  try {
    const genomeId = await resolveGenome(o.db, o.name, genome, v.file);
    const outcome = recordLabOutcome(o.db, { genomeId, mediumId, grew, testedOn: v.date, note: v.note });
    const counting = latestOutcomes(o.db, genomeId).find((x) => x.mediumId === outcome.mediumId)!;
    const migrated = save(o);
    const earlier = listLabOutcomes(o.db, genomeId).filter((x) => x.mediumId === outcome.mediumId).length - 1;
    out(
      `recorded outcome ${outcome.id}: genome ${genomeId} (${genomeName(o.db, genomeId)}) ${grew ? 'grew' : 'did not grow'} in medium ${outcome.mediumId} ` +
        `(${mediumName(o.db, outcome.mediumId)}), tested ${outcome.testedOn}; wrote ${show(o.path)}${migrated}\n` +
        (earlier > 0
          ? counting.id === outcome.id
            ? `  ${earlier} earlier outcome${earlier > 1 ? 's' : ''} for this genome and medium kept as history; this one counts\n`
            : `  outcome ${counting.id} (tested ${counting.testedOn}) is later and still counts\n`
          : ''),
    );
    return 0;
  } finally {
    o.db.close();
  }
}

const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');

async function runList(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, genome: { type: 'string' }, file: { type: 'string' }, json: { type: 'boolean', default: false } }, HELP_LIST);
  if (!args) return 0;
  const v = args.values;
  if (v.genome !== undefined && v.file !== undefined) throw new UsageError('give --genome ID or --file FASTA, not both');
  const genome = genomeIdOption(v);
  const o = await openCliDatabase(v.db);
  const name = o.name;
  try {
    const genomeId = genome !== undefined || v.file !== undefined ? await resolveGenome(o.db, o.name, genome, v.file) : undefined;
    const counts = new Set(latestOutcomes(o.db, genomeId).map((x) => x.id));
    const genomes = new Map<number, string>();
    const media = new Map<string, string>();
    const rows = listLabOutcomes(o.db, genomeId).map((x: LabOutcome) => {
      if (!genomes.has(x.genomeId)) genomes.set(x.genomeId, genomeName(o.db, x.genomeId));
      if (!media.has(x.mediumId)) media.set(x.mediumId, mediumName(o.db, x.mediumId));
      return { ...x, genome: genomes.get(x.genomeId)!, medium: media.get(x.mediumId)!, counts: counts.has(x.id) };
    });
    if (v.json) {
      out(`${JSON.stringify({ db: name, outcomes: rows }, null, 2)}\n`);
      return 0;
    }
    const lines = ['id\tgenome_id\tgenome\tmedium_id\tmedium\tgrew\ttested_on\tcounts\tnote\trecorded_at'];
    for (const r of rows) {
      lines.push([r.id, r.genomeId, clean(r.genome), r.mediumId, clean(r.medium), r.grew ? 'yes' : 'no', r.testedOn, r.counts ? 'yes' : 'no', clean(r.note), r.recordedAt].join('\t'));
    }
    out(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    o.db.close();
  }
}

async function runRemove(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, id: { type: 'string' } }, HELP_REMOVE);
  if (!args) return 0;
  const v = args.values;
  const dbOption = writableDb(v.db, 'remove');
  requiredOption(v, 'id', 'N');
  const id = numberOption(v, 'id', { integer: true, min: 1 })!;
  const o = await openCliDatabase(dbOption);
  try {
    const outcome = getLabOutcome(o.db, id);
    if (!outcome || !deleteLabOutcome(o.db, id)) {
      throw new AppError('BAD_OPTION', `outcome ${id} is not in ${o.name}`, 'see the outcome ids with `mediaforge outcome list --db FILE`');
    }
    const migrated = save(o);
    out(
      `removed outcome ${id} (genome ${outcome.genomeId}, medium ${outcome.mediumId}, ${outcome.grew ? 'grew' : 'did not grow'}, tested ${outcome.testedOn}); wrote ${show(o.path)}${migrated}\n`,
    );
    return 0;
  } finally {
    o.db.close();
  }
}
