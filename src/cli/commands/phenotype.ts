/**
 * `mediaforge phenotype FILE | eval | train | labels`: growth conditions (temperature, oxygen,
 * salinity, pH) predicted from a genome's composition, their leave-one-genus-out evaluation on
 * the shared genomes, training a model file, and the labels it learns from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database } from 'sql.js';
import { AppError } from '../../core/errors';
import { profileSource } from '../../core/profile';
import { repoRoot, writeFileAtomic } from '../../db/node-files';
import { evaluatePhenotype, formatPhenotypeEvaluation } from '../../media/phenotype-eval';
import { countLabels, loadPhenotypeLabels, type GenomePhenotypeLabels } from '../../media/phenotype-labels';
import {
  parsePhenotypeModel,
  predictPhenotype,
  serializePhenotypeModel,
  trainPhenotypeModel,
  type PhenotypeModel,
  type PhenotypePrediction,
} from '../../media/phenotype-model';
import defaultModelJson from '../../media/phenotype-model.default.json';
import { loadPhenotypeSamples } from '../../media/phenotype-node-data';
import { isoDateOption, onePositional, parseCommandArgs, requiredOption, runSubcommand } from '../command-args';
import { nodeFileSource } from '../node-source';
import { DEFAULT_DB, openCliDatabase } from '../cli-database';

export const SUMMARY = 'growth temperature, oxygen, salinity and pH predicted from a genome';

export const HELP = `Usage: mediaforge phenotype FILE [--model FILE] [--json]
       mediaforge phenotype eval [--data DIR] [--db FILE] [--dna-only] [--json]
       mediaforge phenotype train [--data DIR] [--db FILE] [--dna-only] --out FILE
       mediaforge phenotype labels [--db FILE] [--json]

Predicts a genome's typical growth temperature (°C), oxygen tolerance (pTolerant and class),
salinity (% w/v NaCl) and pH from its composition: GC, the CLR of its 1-3-mers and the
amino-acid composition of its predicted proteins (found in the same pass). Ridge regression and
a shrinkage LDA trained on the shared genomes with BacDive conditions; intervals are the 80 %
leave-genus-out residual intervals. Run \`mediaforge phenotype <command> --help\` for each command.

  FILE      predict for a FASTA / FASTA.gz file (one genome), with the bundled model or --model
  eval      leave-one-genus-out evaluation against baselines (mean, GC, DNA, protein)
  train     train on every labelled genome and write the model file
  labels    the labels of the database's genomes, and how many genomes get each
`;

const PREDICT_HELP = `Usage: mediaforge phenotype FILE [--model FILE] [--json]

Options:
  --model FILE  a model written by \`mediaforge phenotype train\` (default: the bundled model)
  --json        one JSON object: {file, model, featureSet, prediction}
  -h, --help    show this help
`;

const EVAL_HELP = `Usage: mediaforge phenotype eval [--data DIR] [--db FILE] [--dna-only] [--json]

Leave-one-genus-out over every labelled genome (reference genomes linked to BacDive strains, and
collection chromosomes linked by species name): temperature MAE and Pearson r (per domain),
oxygen balanced accuracy (per domain), salinity and pH, each beside the baselines of the same run
(training mean, GC only, DNA only, protein only, DNA + protein, and 'auto', the shipped choice).

Options:
  --data DIR    shared data folder holding genomes/ (default: ../shared/data beside the repo)
  --db FILE     database whose links and BacDive conditions give the labels (default: ${DEFAULT_DB})
  --dna-only    skip protein features (faster; DNA variants only)
  --json        the evaluation as one JSON object
  -h, --help    show this help
`;

const TRAIN_HELP = `Usage: mediaforge phenotype train [--data DIR] [--db FILE] [--dna-only] --out FILE

Trains the phenotype model on every labelled genome and writes it as JSON (a few kB).

Options:
  --data DIR        shared data folder holding genomes/ (default: ../shared/data beside the repo)
  --db FILE         database giving the labels (default: ${DEFAULT_DB})
  --out FILE        model file to write (required)
  --dna-only        a DNA-only model (no protein features needed to predict)
  --created-at ISO  date recorded in the model (default: now; fix it for reproducible files)
  -h, --help        show this help
`;

const LABELS_HELP = `Usage: mediaforge phenotype labels [--db FILE] [--json]

Prints how many genomes get each label per domain, then one line per labelled genome (TSV):
genome_id, name, domain, record_type, linked_by, temperature_C, oxygen_class, tolerates_O2,
salinity_pct, pH, each value with the link level it came from (strain or species).

Options:
  --db FILE   database (default: ${DEFAULT_DB})
  --json      the labels as JSON
  -h, --help  show this help
`;

async function openDb(path: string | undefined): Promise<Database> {
  return (await openCliDatabase(path)).db;
}

function dataDirOf(v: string | undefined): string {
  const dir = resolve(v ?? join(repoRoot(), '..', 'shared', 'data'));
  if (!existsSync(dir)) throw new AppError('FILE_NOT_FOUND', `${dir}: no such directory`, 'point --data at the shared data folder (it holds genomes/)');
  return dir;
}

const progress = (m: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${m}`);
};
const endProgress = () => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
};

export function run(argv: string[]): Promise<number> {
  return runSubcommand(argv, { help: HELP, commands: { eval: runEval, train: runTrain, labels: runLabels }, fallback: runPredict });
}

/** The bundled model (src/media/phenotype-model.default.json), checked like any model file. */
export function bundledPhenotypeModel(): PhenotypeModel {
  return parsePhenotypeModel(JSON.stringify(defaultModelJson), 'bundled phenotype model');
}

async function runPredict(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { model: { type: 'string' }, json: { type: 'boolean', default: false } }, PREDICT_HELP, { positionals: true });
  if (!args) return 0;
  const { values: v, positionals } = args;
  const file = onePositional(positionals);
  const model = v.model ? parsePhenotypeModel(readFileSync(resolveExisting(v.model), 'utf8'), v.model) : bundledPhenotypeModel();
  const profile = await profileSource(nodeFileSource(file, file), { proteinFeatures: model.featureSet === 'dna+protein' });
  const prediction = predictPhenotype(model, { counts: profile.counts, gcFraction: profile.gcFraction, protein: profile.protein ?? null });
  if (v.json) {
    process.stdout.write(`${JSON.stringify({ file, model: model.id, featureSet: model.featureSet, lengthBp: profile.lengthBp, gcFraction: profile.gcFraction, prediction }, null, 2)}\n`);
  } else {
    process.stdout.write(formatPrediction(file, model, prediction));
  }
  return 0;
}

function resolveExisting(path: string): string {
  const p = resolve(path);
  if (!existsSync(p)) throw new AppError('FILE_NOT_FOUND', `${path}: no such file`, 'give a model written by `mediaforge phenotype train`');
  return p;
}

export function formatPrediction(file: string, model: PhenotypeModel, p: PhenotypePrediction): string {
  const iv = (x: { value: number; low: number; high: number }, d: number, unit: string) => `${x.value.toFixed(d)}${unit} (${x.low.toFixed(d)}–${x.high.toFixed(d)})`;
  const L = [`${file} (model ${model.id}, ${model.featureSet} features; ranges: 80 % leave-genus-out intervals)`];
  L.push(`  temperature  ${p.temperatureC ? iv(p.temperatureC, 1, ' °C') : 'not modelled'}`);
  L.push(`  oxygen       ${p.oxygen ? `${p.oxygen.tolerant ? 'tolerates O2' : 'does not tolerate O2'} (pTolerant ${p.oxygen.pTolerant.toFixed(2)}), class ${p.oxygen.class}` : 'not modelled'}`);
  L.push(`  salinity     ${p.salinityPct ? `${iv(p.salinityPct, 1, ' % NaCl')}${p.salinityPct.halophile ? ', extreme halophile (salt-in proteome rule)' : ''}` : 'not modelled'}`);
  L.push(`  pH           ${p.pH ? iv(p.pH, 1, '') : 'not modelled'}`);
  for (const n of p.notes) L.push(`  note: ${n}`);
  return `${L.join('\n')}\n`;
}

async function runEval(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { data: { type: 'string' }, db: { type: 'string' }, 'dna-only': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, EVAL_HELP);
  if (!args) return 0;
  const v = args.values;
  const dataDir = dataDirOf(v.data);
  const db = await openDb(v.db);
  try {
    const { samples, skipped } = await loadPhenotypeSamples(db, dataDir, { protein: !v['dna-only'], onProgress: progress });
    endProgress();
    if (!samples.length) throw new AppError('DATA_INVALID', `no labelled genome of the database was found in ${dataDir}`, 'use the data folder the database was built from');
    const e = evaluatePhenotype(samples, { onFold: ({ index, folds }) => progress(`leave-one-genus-out: fold ${index + 1}/${folds}`) });
    endProgress();
    if (v.json) process.stdout.write(`${JSON.stringify({ ...e, skipped }, null, 2)}\n`);
    else {
      process.stdout.write(formatPhenotypeEvaluation(e));
      if (skipped.length) process.stdout.write(`\nLeft out: ${skipped.join('; ')}\n`);
    }
  } finally {
    db.close();
  }
  return 0;
}

async function runTrain(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { data: { type: 'string' }, db: { type: 'string' }, out: { type: 'string' }, 'dna-only': { type: 'boolean', default: false }, 'created-at': { type: 'string' } },
    TRAIN_HELP,
  );
  if (!args) return 0;
  const v = args.values;
  const outFile = requiredOption(v, 'out', 'FILE');
  const createdAt = isoDateOption(v, 'created-at') ?? new Date().toISOString();
  const dataDir = dataDirOf(v.data);
  const db = await openDb(v.db);
  let model: PhenotypeModel;
  try {
    const { samples } = await loadPhenotypeSamples(db, dataDir, { protein: !v['dna-only'], onProgress: progress });
    endProgress();
    if (!samples.length) throw new AppError('DATA_INVALID', `no labelled genome of the database was found in ${dataDir}`, 'use the data folder the database was built from');
    model = trainPhenotypeModel(samples, {
      featureSet: v['dna-only'] ? 'dna' : 'auto',
      createdAt,
      note: `trained by mediaforge phenotype train on ${samples.length} labelled genomes of ${v.db ?? DEFAULT_DB} found in the shared data folder`,
    });
  } finally {
    db.close();
  }
  const text = serializePhenotypeModel(model);
  writeFileAtomic(outFile, new TextEncoder().encode(text));
  const t = Object.entries(model.targets).map(([k, m]) => `${k} ${m.subset}${m.lambda !== null ? ` λ ${m.lambda}` : ''} (CV MAE ${m.cv.mae} vs mean ${m.cv.baselineMae})`);
  if (model.oxygen) t.push(`oxygen ${model.oxygen.tolerant.subset} λ ${model.oxygen.tolerant.lambda} (CV balanced accuracy ${model.oxygen.tolerant.cv.balancedAccuracy})`);
  for (const [k, why] of Object.entries(model.notModelled)) t.push(`${k} not modelled: ${why}`);
  process.stdout.write(`wrote ${outFile}: ${model.id}, ${text.length} bytes, ${model.training.genomes} genomes of ${model.training.genera} genera\n  ${t.join('\n  ')}\n`);
  return 0;
}

async function runLabels(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean', default: false } }, LABELS_HELP);
  if (!args) return 0;
  const v = args.values;
  const db = await openDb(v.db);
  let labels: GenomePhenotypeLabels[];
  try {
    labels = loadPhenotypeLabels(db);
  } finally {
    db.close();
  }
  const counts = countLabels(labels);
  if (v.json) {
    process.stdout.write(`${JSON.stringify({ counts, labels }, null, 2)}\n`);
    return 0;
  }
  const L = ['# domain\tgenomes\ttemperature\toxygen\tsalinity\tpH\tstrain_level_labels\tspecies_level_labels'];
  for (const c of counts) L.push(`# ${c.domain}\t${c.genomes}\t${c.temperatureC}\t${c.oxygen}\t${c.salinityPct}\t${c.pH}\t${c.strainLevel}\t${c.speciesLevel}`);
  L.push(['genome_id', 'name', 'domain', 'record_type', 'linked_by', 'temperature_C', 'oxygen_class', 'tolerates_O2', 'salinity_pct', 'pH'].join('\t'));
  const num = (x: { value: number; level: string } | null) => (x ? `${Number(x.value.toFixed(2))} (${x.level})` : '');
  for (const l of labels) {
    L.push([l.genomeId, l.name, l.domain, l.recordType, l.linkedBy, num(l.temperatureC), l.oxygen ? `${l.oxygen.class} (${l.oxygen.level})` : '', l.oxygen ? (l.oxygen.tolerant ? 'yes' : 'no') : '', num(l.salinityPct), num(l.pH)].join('\t'));
  }
  process.stdout.write(`${L.join('\n')}\n`);
  return 0;
}
