/** `mediaforge db build|stats|check|import|export-workspace|preview|ssu-reference|genus-calibration`: the growth database from the command line. */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { relative, resolve } from 'node:path';
import { AppError } from '../../core/errors';
import { mergeDatabase } from '../../db/merge';
import { buildSnapshot, type GenomeBuildRow } from '../../db/node-build';
import { loadSqlJs, readFileBytes, repoRoot, writeFileAtomic } from '../../db/node-files';
import { exportSnapshot, openSnapshot, type SnapshotReport } from '../../db/snapshot-file';
import { openCliDatabase } from '../cli-database';
import { collectStats, formatStatsText } from '../../db/stats';
import { applyWorkspace, countContents, describeImport, exportWorkspace, modelIdsOf, openImportFile, workspaceFileName, type ImportPreview, type OpenedImport } from '../../db/workspace-file';
import { readGenomeVae } from '../../ml/bundle-model';
import { decodeModelFile, type GenomeVaeModel } from '../../ml/genome-vae-model';
import { initNodeBackend } from '../../ml/node-backend';
import { decodeRecipeModelFile, isRecipeModelFile, readRecipeCvae, snapshotModelsHook, type RecipeCvaeModel } from '../../ml/recipe-cvae-model';
import type { SqlJsStatic } from 'sql.js';
import { UsageError } from '../cli-error';
import { onePositional, parseCommandArgs, requiredOption, runSubcommand } from '../command-args';
import { nodeFileSource } from '../node-source';
import { buildSsuReference } from '../../media/ssu-reference-build';
import { expectedOverlap, type OverlapCurve } from '../../media/genus-route-calibration';
import { fitGenusCalibrationFile } from '../../media/recommend';
import { parseTsv } from '../../db/tsv';

export const SUMMARY = 'build, check, import, share (workspace files) and report on the growth database snapshot';

const DEFAULT_SNAPSHOT = 'public/mediaforge-snapshot.sqlite.gz';

export const HELP = `Usage: mediaforge db <command> [options]

Commands:
  build    build the bundled snapshot from the MediaDive/BacDive TSVs and reference genomes
  stats    print the database quality report (counts, gaps, orphan rows)
  check    check a snapshot file: SQLite, MediaForge application id, schema version, integrity, tables
  import   import a snapshot or workspace file into a database file, or merge it (--merge)
  export-workspace  write the user's part of a database (their genomes, links, embeddings,
           models, lab outcomes) as one workspace file
  preview  what is in a snapshot or workspace file, and what importing it would do
  ssu-reference  build the 16S rRNA reference (src/media/ssu-reference.tsv.gz) from a 16S FASTA
  genus-calibration  fit the media ranking's genus-route curves on a database
           (src/media/genus-route-calibration.default.json)

Run \`mediaforge db <command> --help\` for the options of one command.
`;

const HELP_SSU = `Usage: mediaforge db ssu-reference FASTA [--data DIR] [--out FILE]

Builds the 16S rRNA reference that places a genome among BacDive genera (the media ranking's genus
route): the 515F–1390R region of up to 3 named species per genus, for the genera with BacDive
strains (--data DIR/mediadive/strains.tsv; default ../shared/data). FASTA (plain or .gz) is a
16S collection whose titles name the organism, e.g. SILVA SSU Ref 93 from Debian's ncbi-rrna-data:
  blastdbcmd -db /usr/share/ncbi/data/SSURef_93.fasta -entry all > ssu.fasta

Options:
  --data DIR   the shared data folder (default ../shared/data)
  --out FILE   where to write (default src/media/ssu-reference.tsv.gz)
  -h, --help   show this help
`;

const HELP_GENUS_CALIBRATION = `Usage: mediaforge db genus-calibration [--db FILE] [--out FILE]

Fits the two curves that put the media ranking's genus route on one scale: the expected media
overlap (the share of a genus's BacDive strains and taxon records on media the organism's genus
uses) given the latent similarity of a near genome or record (its embedded, labelled genomes and
records, each against its 10 nearest records of other genera), and given the 16S identity to a
genus's reference sequence (the bundled 16S reference, each genus's first sequence against its 3
nearest other genera and its own other sequences). Weighted logistic regression, two numbers per
curve. Takes about a minute. Same database, same file.

Options:
  --db FILE   snapshot or database file (default: ${DEFAULT_SNAPSHOT})
  --out FILE  where to write (default src/media/genus-route-calibration.default.json)
  -h, --help  show this help
`;

const HELP_BUILD = `Usage: mediaforge db build [--data DIR] [--out FILE] [--model FILE] [--cvae FILE] [--no-genomes] [--report FILE] [--quiet]

Builds the growth database snapshot: MediaDive media, solutions, ingredients and compositions,
BacDive strains, strain-medium links and growth conditions, taxon-medium links, the reference
genomes (profiled, linked to strains, growth propagated), each record of the collection files
(stored without its profile), and the genome VAE with the embedding of every genome and record.
Same input gives the same bytes.

Options:
  --data DIR        shared data folder with mediadive/*.tsv and genomes/ (default: ../shared/data
                    next to the repository)
  --out FILE        output file (default: ${DEFAULT_SNAPSHOT}); gzip-compressed when
                    FILE ends in .gz, plain SQLite otherwise; written whole or not at all
  --model FILE      genome VAE to bundle: a model file from \`mediaforge train vae --out\`, or a
                    snapshot holding one (default: the model of the snapshot at --out, if any)
  --no-model        bundle no genome VAE
  --cvae FILE       recipe CVAE to bundle: a model file from \`mediaforge train cvae --out\`, or a
                    snapshot holding one (default: the recipe CVAE of the snapshot at --out, if any)
  --no-cvae         bundle no recipe CVAE
  --no-genomes      leave out the genomes (media and strains only)
  --no-collections  leave out the records of the collection files
  --report FILE     also write a TSV with each genome's link level and evidence
  --quiet           no progress on stderr
  -h, --help        show this help
`;

const HELP_STATS = `Usage: mediaforge db stats [--db FILE] [--json]

Prints counts per table, per domain and per organism type, and the gaps: media without
composition, strains without a medium, genomes without links, duplicate genomes, link levels,
orphan rows.

Options:
  --db FILE   snapshot or database file, .sqlite or .sqlite.gz (default: ${DEFAULT_SNAPSHOT})
  --json      print JSON ({schemaVersion, sections, values}) instead of a table
  -h, --help  show this help
`;

const HELP_CHECK = `Usage: mediaforge db check FILE [--json]

Checks a snapshot file (.sqlite or .sqlite.gz, gzip recognised by content): SQLite header,
MediaForge application_id, schema version (older versions are migrated in memory, newer ones
refused), PRAGMA integrity_check and the tables its version needs. Exit 0 when the file is good,
1 with one line naming the problem otherwise. Nothing is written.

Options:
  --json      print the report as JSON
  -h, --help  show this help
`;

const HELP_IMPORT = `Usage: mediaforge db import FILE --into DB [--merge] [--reference FILE]

Imports snapshot or workspace FILE into database file DB after checking it as \`db check\` does.
A rejected file leaves DB byte-identical; DB is written through a temporary file and a rename.

Without --merge, DB becomes a copy of a snapshot FILE (migrated to the current schema); for a
workspace FILE, DB becomes the reference data (--reference) plus the workspace, with the
workspace's active model.
With --merge, DB must exist: FILE's genomes (matched by content hash), their links, embeddings,
models (matched by id) and lab outcomes are added to DB without duplicates, and growth is
propagated again.

Options:
  --into DB         the database file to write (.sqlite, or .sqlite.gz to store it compressed)
  --merge           add FILE's genomes, links, embeddings, models and lab outcomes to DB instead
                    of replacing it
  --reference FILE  the reference data a replaced workspace goes on (default: ${DEFAULT_SNAPSHOT})
  -h, --help        show this help
`;

const HELP_EXPORT_WORKSPACE = `Usage: mediaforge db export-workspace --db FILE [--out FILE] [--reference FILE] [--quiet]

Writes the user's part of database FILE as one workspace file (gzip-compressed MediaForge SQLite
with a manifest: kind mediaforge-workspace, format version, app and schema version, created at,
counts): the genomes added by the user with their profiles, rRNA markers, strain links and
embeddings, lab outcomes with their notes, and the models the user trained. Reference data (media,
strains, the bundled genomes and models) is left out: the models of --reference are the bundled
ones. \`db import\` and the app's Database tab import it (replace or merge).

Options:
  --db FILE         the database to export from (.sqlite or .sqlite.gz)
  --out FILE        output file (default: mediaforge-workspace-YYYY-MM-DD.sqlite.gz here)
  --reference FILE  the bundled reference snapshot (default: ${DEFAULT_SNAPSHOT})
  --quiet           no progress on stderr
  -h, --help        show this help
`;

const HELP_PREVIEW = `Usage: mediaforge db preview FILE [--db DB] [--json]

Checks FILE (a snapshot or a workspace file) as \`db import\` does and prints what is in it: its
kind, when and by which MediaForge version it was written, the schema and format versions, the
counts of genomes, profiles, links, embeddings, models and lab outcomes, and what a merge or a
replace would do (against DB's counts when given). Nothing is written. Exit 0 when the file can be
imported, 1 with one line naming the problem otherwise.

Options:
  --db DB     the database it would be imported into
  --json      print {preview, current, effects} as JSON
  -h, --help  show this help
`;

const out = (s: string) => process.stdout.write(s);
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
const show = (p: string) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

export function run(argv: string[]): Promise<number> {
  return runSubcommand(argv, {
    help: HELP,
    commands: { build: runBuild, stats: runStats, check: runCheck, import: runImport, 'export-workspace': runExportWorkspace, preview: runPreview, 'ssu-reference': runSsuReference, 'genus-calibration': runGenusCalibration },
  });
}

async function runBuild(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string' },
      'no-genomes': { type: 'boolean', default: false },
      'no-collections': { type: 'boolean', default: false },
      model: { type: 'string' },
      'no-model': { type: 'boolean', default: false },
      cvae: { type: 'string' },
      'no-cvae': { type: 'boolean', default: false },
      report: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    HELP_BUILD,
  );
  if (!args) return 0;
  const { values } = args;
  const root = repoRoot();
  const dataDir = resolve(values.data !== undefined ? values.data : resolve(root, '../shared/data'));
  const outPath = resolve(values.out !== undefined ? values.out : resolve(root, DEFAULT_SNAPSHOT));
  const showProgress = !values.quiet && process.stderr.isTTY === true;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    const SQL = await loadSqlJs();
    // The genome VAE: --model FILE (a model file or a snapshot holding one); by default the model
    // of the snapshot being replaced, so a rebuild keeps the shipped model (and is reproducible).
    const modelSource = values['no-model'] ? null : (values.model !== undefined ? resolve(values.model) : existsSync(outPath) ? outPath : null);
    const model = modelSource ? await readModelSource(SQL, modelSource, values.model !== undefined) : null;
    if (model) await initNodeBackend('wasm');
    // The recipe CVAE: --cvae FILE, by default the one of the snapshot being replaced (like --model).
    const cvaeSource = values['no-cvae'] ? null : values.cvae !== undefined ? resolve(values.cvae) : existsSync(outPath) ? outPath : null;
    const cvae = cvaeSource ? await readRecipeSource(SQL, cvaeSource, values.cvae !== undefined) : null;
    if (cvae && cvae.genomeModelId && cvae.genomeModelId !== (model?.id ?? null)) {
      process.stderr.write(`mediaforge db: warning: recipe CVAE ${cvae.id} was trained with genome VAE ${cvae.genomeModelId}, the snapshot bundles ${model?.id ?? 'none'}; its genome slot will be left unknown (train it again: mediaforge train cvae)\n`);
    }
    result = await buildSnapshot(SQL, {
      dataDir,
      genomes: !values['no-genomes'],
      collections: !values['no-collections'],
      afterGenomes: snapshotModelsHook(model, cvae),
      gzip: outPath.endsWith('.gz'),
      sourceFor: (p) => nodeFileSource(p),
      signal: controller.signal,
      onProgress: showProgress ? (m) => process.stderr.write(`\r\x1b[K${m}`) : undefined,
    });
  } finally {
    process.off('SIGINT', onSigint);
    if (showProgress) process.stderr.write('\r\x1b[K');
  }
  writeFileAtomic(outPath, result.bytes);
  if (values.report !== undefined) writeFileAtomic(resolve(values.report), new TextEncoder().encode(formatGenomeReport(result.genomes)));

  const w = result.mediadive.rowsWritten;
  const levels = { strain: 0, species: 0, genus: 0, none: 0 };
  for (const g of result.genomes) if (g.duplicateOf === null) levels[g.level ?? 'none']++;
  const dups = result.genomes.filter((g) => g.duplicateOf !== null).length;
  out(
    `wrote ${show(outPath)}: ${result.bytes.length.toLocaleString('en-US')} bytes (${mb(result.bytes.length)}; SQLite ${mb(result.sqliteBytes)}) in ${(result.elapsedMs / 1000).toFixed(1)} s\n` +
      `  media ${w.media ?? 0}, compositions ${w.media_composition ?? 0}, strains ${w.strains ?? 0}, strain growth ${w.strain_growth ?? 0}, conditions ${w.strain_conditions ?? 0}, taxon media ${w.taxon_media ?? 0}` +
      (result.mediadive.skipped.length ? `, ${result.mediadive.skipped.length} rows skipped` : '') +
      '\n' +
      (result.genomes.length
        ? `  genomes ${result.genomes.length - dups}${dups ? ` (+${dups} duplicate files)` : ''}: linked at strain level ${levels.strain}, species ${levels.species}, genus ${levels.genus}, not linked ${levels.none}\n`
        : ''),
  );
  return 0;
}

/** A genome VAE from a model file, or the active one of a snapshot file. */
async function readModelSource(SQL: SqlJsStatic, path: string, required: boolean): Promise<GenomeVaeModel | null> {
  const bytes = readFileBytes(path);
  if (new TextDecoder().decode(bytes.subarray(0, 6)) === 'MFVAE1') return decodeModelFile(bytes, show(path));
  const db = openSnapshot(SQL, bytes, show(path)).db;
  try {
    const m = readGenomeVae(db);
    if (!m && required) throw new AppError('DATA_INVALID', `${show(path)}: holds no genome VAE`, 'give a model file from `mediaforge train vae --out`');
    return m;
  } finally {
    db.close();
  }
}

/** A recipe CVAE from a model file, or the active one of a snapshot file. */
async function readRecipeSource(SQL: SqlJsStatic, path: string, required: boolean): Promise<RecipeCvaeModel | null> {
  const bytes = readFileBytes(path);
  if (isRecipeModelFile(bytes)) return decodeRecipeModelFile(bytes, show(path));
  const db = openSnapshot(SQL, bytes, show(path)).db;
  try {
    const m = readRecipeCvae(db);
    if (!m && required) throw new AppError('DATA_INVALID', `${show(path)}: holds no recipe CVAE`, 'give a model file from `mediaforge train cvae --out`');
    return m;
  } finally {
    db.close();
  }
}

function formatGenomeReport(rows: GenomeBuildRow[]): string {
  const clean = (s: string | null) => (s ?? '').replace(/[\t\r\n]+/g, ' ');
  const lines = ['genome_id\tfile\tspecies\tstrain\torganism_type\tlevel\tstrain_links\tlinks\tevidence\tnotes'];
  for (const g of rows) {
    lines.push([g.genomeId, g.file, g.species, g.strain, g.organismType, g.level ?? 'none', g.strainLinks, g.links, clean(g.evidence), clean(g.notes.join(' | '))].join('\t'));
  }
  return lines.join('\n') + '\n';
}

async function runStats(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean', default: false } }, HELP_STATS);
  if (!args) return 0;
  const { values } = args;
  const { db, path } = await openCliDatabase(values.db, { integrityCheck: false });
  try {
    const stats = collectStats(db);
    out(values.json ? JSON.stringify(stats, null, 2) + '\n' : formatStatsText(stats, `MediaForge growth database: ${show(path)}`));
  } finally {
    db.close();
  }
  return 0;
}

function formatCheck(r: SnapshotReport): string {
  const width = Math.max(...r.tables.map((t) => t.name.length)) + 2;
  const lines = [
    `${r.name}: OK`,
    `  format           ${r.gzip ? 'gzip-compressed SQLite' : 'SQLite'}, ${r.storedBytes.toLocaleString('en-US')} bytes${r.gzip ? ` (${r.sqliteBytes.toLocaleString('en-US')} bytes uncompressed)` : ''}`,
    `  schema version   ${r.schemaVersion}${r.openedVersion > r.schemaVersion ? ` (older; migrates to ${r.openedVersion})` : ' (current)'}`,
    `  integrity        ${r.integrity}`,
    `  foreign keys     ${r.foreignKeyViolations === 0 ? 'ok' : `${r.foreignKeyViolations} rows point to missing parents`}`,
    '  tables',
    ...r.tables.map((t) => `    ${t.name.padEnd(width)}${t.rows.toLocaleString('en-US').padStart(10)} rows`),
  ];
  return lines.join('\n') + '\n';
}

async function runSsuReference(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { data: { type: 'string' }, out: { type: 'string' } }, HELP_SSU, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  const file = resolve(onePositional(positionals));
  const root = repoRoot();
  const strainsTsv = resolve(values.data ?? resolve(root, '../shared/data'), 'mediadive/strains.tsv');
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  if (!existsSync(strainsTsv)) throw new UsageError(`${strainsTsv}: no such file (BacDive strains; give --data DIR)`);
  const raw = readFileSync(file);
  const fasta = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  if (!fasta.startsWith('>')) throw new UsageError(`${file}: not a FASTA file (no '>' title on the first line)`);
  const strains = parseTsv(show(strainsTsv), readFileSync(strainsTsv, 'utf8'), ['species']);
  const col = strains.col('species');
  const species = strains.rows.map((r) => r[col]).filter((s) => s !== '');
  const { tsv, report } = buildSsuReference(fasta, species);
  if (!report.entries) throw new UsageError(`${file}: no 16S sequence with both 515F and 1390R sites names a BacDive species`);
  const outPath = resolve(values.out ?? resolve(root, 'src/media/ssu-reference.tsv.gz'));
  const bytes = outPath.endsWith('.gz') ? gzipSync(Buffer.from(tsv), { level: 9 }) : Buffer.from(tsv);
  writeFileAtomic(outPath, bytes);
  out(`wrote ${show(outPath)}: ${report.entries} sequences of ${report.genera} genera (${mb(bytes.length)}); read ${report.sequences} sequences, ${report.named} named, ${report.inBacDive} of BacDive genera, ${report.withRegion} with the 515F–1390R region\n`);
  return 0;
}

async function runGenusCalibration(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, out: { type: 'string' } }, HELP_GENUS_CALIBRATION);
  if (!args) return 0;
  const { values } = args;
  const { db, name } = await openCliDatabase(values.db, { integrityCheck: false });
  try {
    const file = fitGenusCalibrationFile(db, name);
    const outPath = resolve(values.out ?? resolve(repoRoot(), 'src/media/genus-route-calibration.default.json'));
    writeFileAtomic(outPath, Buffer.from(JSON.stringify(file, null, 2) + '\n'));
    const at = (c: OverlapCurve, xs: number[]) => xs.map((x) => `${x}: ${expectedOverlap(c, x).toFixed(2)}`).join(', ');
    out(`wrote ${show(outPath)}: latent similarity (${file.latent.pairs} pairs, ${file.latent.genera} genera) ${at(file.latent, [0.6, 0.8, 0.95])}; 16S identity (${file.ssu.pairs} pairs, ${file.ssu.genera} genera) ${at(file.ssu, [0.9, 0.945, 0.99])}\n`);
  } finally {
    db.close();
  }
  return 0;
}

async function runCheck(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { json: { type: 'boolean', default: false } }, HELP_CHECK, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  const file = onePositional(positionals);
  const SQL = await loadSqlJs();
  const { db, report } = openSnapshot(SQL, readFileBytes(resolve(file)), file);
  db.close();
  out(values.json ? JSON.stringify(report, null, 2) + '\n' : formatCheck(report));
  return 0;
}

async function runImport(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { into: { type: 'string' }, merge: { type: 'boolean', default: false }, reference: { type: 'string' } }, HELP_IMPORT, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  const file = onePositional(positionals);
  const into = requiredOption(values, 'into', 'DB');
  const filePath = resolve(file);
  const dbPath = resolve(into);
  if (filePath === dbPath) throw new UsageError('FILE and --into DB are the same file');
  const SQL = await loadSqlJs();
  const gzip = dbPath.endsWith('.gz');
  const opened = await openImportFile(SQL, readFileBytes(filePath), file);
  const { db: incoming, report } = opened;
  const workspace = opened.preview.kind === 'workspace';
  try {
    if (!values.merge && !workspace) {
      const existed = existsSync(dbPath);
      writeFileAtomic(dbPath, exportSnapshot(incoming, { gzip }));
      const genomes = report.tables.find((t) => t.name === 'genomes')?.rows ?? 0;
      out(
        `${existed ? 'replaced' : 'created'} ${show(dbPath)} from ${file} (schema ${report.schemaVersion}${report.openedVersion > report.schemaVersion ? ` migrated to ${report.openedVersion}` : ''}, ${genomes} genomes)\n`,
      );
      return 0;
    }
    if (values.merge && !existsSync(dbPath)) throw new AppError('FILE_NOT_FOUND', `--into ${into}: no such file to merge into`, 'run without --merge to create it');
    const targetPath = values.merge ? dbPath : referencePath(values.reference);
    const targetName = values.merge ? into : show(targetPath);
    const { db: target } = openSnapshot(SQL, readFileBytes(targetPath), targetName);
    try {
      const existed = existsSync(dbPath);
      const w = workspace ? applyWorkspace(target, incoming, opened.manifest, { adoptActiveModels: !values.merge }) : null;
      const m = w ? w.merge : mergeDatabase(target, incoming);
      writeFileAtomic(dbPath, exportSnapshot(target, { gzip }));
      const what = values.merge ? `merged ${file} into ${show(dbPath)}` : `${existed ? 'replaced' : 'created'} ${show(dbPath)} from ${targetName} and workspace ${file}`;
      out(
        `${what}: genomes +${m.genomesAdded} (${m.genomesAlreadyPresent} already present), ` +
          `links +${m.linksAdded}${m.linkSetsReplaced ? ` (${m.linkSetsReplaced} reviewed link sets taken over)` : ''}, embeddings +${m.embeddingsAdded}, ` +
          `models +${m.modelsAdded} (${m.modelsAlreadyPresent} already present)${m.strainsAdded ? `, strains +${m.strainsAdded}` : ''}, ` +
          `lab outcomes +${m.labOutcomesAdded} (${m.labOutcomesAlreadyPresent} already present${m.labOutcomesSkipped ? `, ${m.labOutcomesSkipped} skipped: medium not in the database` : ''})` +
          (w?.embeddingsSkipped ? `; ${w.embeddingsSkipped} embeddings left out (their reference model is not in the database)` : '') +
          (w?.activated.length ? `; active model ${w.activated.join(', ')}` : '') +
          '\n',
      );
      return 0;
    } finally {
      target.close();
    }
  } finally {
    incoming.close();
  }
}

/** The bundled reference snapshot: --reference FILE, else public/ of the repository. */
function referencePath(given: string | undefined): string {
  const path = resolve(given !== undefined ? given : resolve(repoRoot(), DEFAULT_SNAPSHOT));
  if (!existsSync(path)) throw new AppError('FILE_NOT_FOUND', `${show(path)}: no such file (the reference snapshot)`, 'pass --reference FILE, the bundled mediaforge-snapshot.sqlite.gz');
  return path;
}

async function runExportWorkspace(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, out: { type: 'string' }, reference: { type: 'string' }, quiet: { type: 'boolean', default: false } }, HELP_EXPORT_WORKSPACE, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (give the database with --db FILE)`);
  const dbFile = requiredOption(values, 'db', 'FILE');
  const dbPath = resolve(dbFile);
  const outPath = resolve(values.out ?? workspaceFileName());
  if (outPath === dbPath) throw new UsageError('--out and --db are the same file');
  const SQL = await loadSqlJs();
  const refPath = referencePath(values.reference);
  const reference = openSnapshot(SQL, readFileBytes(refPath), show(refPath), { integrityCheck: false }).db;
  const referenceModelIds = modelIdsOf(reference);
  reference.close();
  const { db } = openSnapshot(SQL, readFileBytes(dbPath), dbFile);
  const showProgress = !values.quiet && process.stderr.isTTY === true;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const t0 = performance.now();
    const r = await exportWorkspace(SQL, db, {
      referenceModelIds,
      signal: controller.signal,
      onProgress: showProgress ? (p) => process.stderr.write(`\r\x1b[K${p.stage} ${p.totalBytes ? `${mb(p.doneBytes)} of ${mb(p.totalBytes)}` : ''}`) : undefined,
    });
    if (showProgress) process.stderr.write('\r\x1b[K');
    writeFileAtomic(outPath, r.bytes);
    const c = r.manifest.counts;
    out(
      `wrote ${show(outPath)}: ${r.bytes.length.toLocaleString('en-US')} bytes (SQLite ${r.sqliteBytes.toLocaleString('en-US')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n` +
        `  genomes ${c.genomes} (+${c.referenceGenomes} reference genomes referred to), profiles ${c.profiles}, links ${c.links}, embeddings ${c.embeddings}, models ${c.models}, lab outcomes ${c.labOutcomes} (${c.notes} with notes)\n`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    db.close();
  }
}

function formatPreview(p: ImportPreview, effects: { merge: string; replace: string }): string {
  const c = p.counts;
  const lines = [
    `${p.name}: ${p.kind === 'workspace' ? 'MediaForge workspace file' : 'MediaForge snapshot (whole database)'}`,
    `  format           ${p.gzip ? 'gzip-compressed SQLite' : 'SQLite'}, ${p.storedBytes.toLocaleString('en-US')} bytes${p.gzip ? ` (${p.sqliteBytes.toLocaleString('en-US')} uncompressed)` : ''}`,
    `  schema version   ${p.schemaVersion}`,
    ...(p.kind === 'workspace' ? [`  workspace format ${p.formatVersion}, written by MediaForge ${p.appVersion} at ${p.createdAt}`] : []),
    `  genomes          ${c.genomes} added by a user${c.referenceGenomes ? `, ${c.referenceGenomes} reference` : ''}`,
    `  profiles         ${c.profiles}`,
    `  links            ${c.links}`,
    `  embeddings       ${c.embeddings}`,
    `  models           ${c.models}${p.models.length ? ` (${p.models.map((m) => `${m.id} ${m.kind}`).join(', ')})` : ''}`,
    `  lab outcomes     ${c.labOutcomes} (${c.notes} with notes)`,
    ...(p.referenceModels.length ? [`  needs            reference model ${p.referenceModels.join(', ')} for its embeddings`] : []),
    ...(p.genomeNames.length ? [`  user genomes     ${p.genomeNames.slice(0, 5).join('; ')}${c.genomes > 5 ? `; and ${c.genomes - 5} more` : ''}`] : []),
    `  merge:   ${effects.merge}`,
    `  replace: ${effects.replace}`,
  ];
  return lines.join('\n') + '\n';
}

async function runPreview(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean', default: false } }, HELP_PREVIEW, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  const file = onePositional(positionals);
  const SQL = await loadSqlJs();
  const opened: OpenedImport = await openImportFile(SQL, readFileBytes(resolve(file)), file);
  opened.db.close();
  let current = null;
  if (values.db !== undefined) {
    const { db } = openSnapshot(SQL, readFileBytes(resolve(values.db)), values.db, { integrityCheck: false });
    current = countContents(db);
    db.close();
  }
  const effects = describeImport(opened.preview, current);
  out(values.json ? JSON.stringify({ preview: opened.preview, current, effects }, null, 2) + '\n' : formatPreview(opened.preview, effects));
  return 0;
}
