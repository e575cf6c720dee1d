/**
 * `mediaforge train vae [--data DIR] [--epochs N] [--out FILE] ...`: train the genome VAE in Node.
 * `mediaforge train cvae [--db FILE] [--epochs N] [--preset P] [--out FILE] [--seed N]`: train the
 * recipe CVAE on a growth database (runCvae, below).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError } from '../../core/errors';
import { repoRoot, writeFileAtomic } from '../../db/node-files';
import { loadSharedGenomes } from '../../db/node-shared-genomes';
import { formatPerK } from '../../ml/clr';
import { encodeModelFile } from '../../ml/genome-vae-model';
import { initNodeBackend, type NodeBackend } from '../../ml/node-backend';
import { trainModel } from '../../ml/train-pipeline';
import { computeVaeReport } from '../../ml/vae-report';
import { formatReport } from './vae';
import { countVaeParameters, resolveVaeConfig, VAE_PRESETS, type ClrMode, type VaeConfig } from '../../ml/vae-config';
import { choiceOption, integerListOption, isoDateOption, numberOption, parseCommandArgs, runSubcommand } from '../command-args';
import { nodeFileSource } from '../node-source';
import { DEFAULT_DB, openCliDatabase } from '../cli-database';

export const SUMMARY = 'train the genome VAE (vae) or the recipe generator (cvae) (tfjs, WASM or CPU backend)';

export const HELP = `Usage: mediaforge train vae [--data DIR] [--epochs N] [--out FILE] [options]
       mediaforge train cvae [--db FILE] [--epochs N] [--preset NAME] [--out FILE] [--seed N]
         (the recipe generator; \`mediaforge train cvae --help\` for its options)

Trains the genome VAE (CLR k-mer profile → Dense/BatchNorm/LeakyReLU encoder → latent → mirrored
decoder; MSE + β·KL with linear KL warm-up) on the genomes of a shared data folder: each reference
genome (one profile per file) and each record of the collection files. Validation holds out whole
genera (never single records). Prints one line per epoch:
  epoch 3/60  loss 1.52  KL 21.3 (w 0.015)  val MSE: 1.41 [6mer=1.52, ..., 1mer=0.12]  812 samples/s

Options:
  --data DIR          shared data folder holding genomes/ (default: ../shared/data beside the repo)
  --out FILE          model file to write (default: genome-vae.mfvae)
  --preset NAME       default | design-doc (1024/512/384, batch 256) | tiny
  --epochs N          epochs (default 60)
  --hidden A,B        hidden layer widths (default 256,128)
  --latent N          latent dimensions (default 32)
  --batch N           mini-batch size (default 64)
  --lr X              Adam learning rate (default 0.001)
  --beta X            final KL weight β (default 0.05)
  --warmup N          KL warm-up epochs (default 10)
  --clr per-k|whole   CLR per k block (default) or over the whole vector
  --seed N            seed for weights, shuffling and sampling (default 42)
  --val-fraction X    share of genera held out for validation (default 0.15)
  --reference-only    train on the reference genomes only (no collection records)
  --backend wasm|cpu  tfjs backend (default wasm)
  --created-at ISO    date recorded in the model (default: now; fixed for reproducible builds)
  --no-report         skip the verification report (mediaforge vae report) stored in the model
  --quiet             no per-epoch lines
  -h, --help          show this help
`;

export function run(argv: string[]): Promise<number> {
  return runSubcommand(argv, { help: HELP, noun: 'model', commands: { vae: runVae, cvae: runCvae } });
}

async function runVae(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string', default: 'genome-vae.mfvae' },
      preset: { type: 'string', default: 'default' },
      epochs: { type: 'string' },
      hidden: { type: 'string' },
      latent: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      beta: { type: 'string' },
      warmup: { type: 'string' },
      clr: { type: 'string' },
      seed: { type: 'string' },
      'val-fraction': { type: 'string', default: '0.15' },
      'reference-only': { type: 'boolean', default: false },
      backend: { type: 'string', default: 'wasm' },
      'created-at': { type: 'string' },
      'no-report': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    HELP,
  );
  if (!args) return 0;
  const v = args.values;
  const preset = VAE_PRESETS[choiceOption(v, 'preset', Object.keys(VAE_PRESETS))];
  const hidden = integerListOption(v, 'hidden');
  const opts: VaeConfig = {
    ...preset,
    ...(hidden ? { hiddenDims: hidden } : {}),
    // Numbers here; their ranges are resolveVaeConfig's.
    latentDim: numberOption(v, 'latent') ?? preset.latentDim,
    epochs: numberOption(v, 'epochs') ?? preset.epochs,
    batchSize: numberOption(v, 'batch') ?? preset.batchSize,
    learningRate: numberOption(v, 'lr') ?? preset.learningRate,
    beta: numberOption(v, 'beta') ?? preset.beta,
    warmupEpochs: numberOption(v, 'warmup') ?? preset.warmupEpochs,
    clrMode: (v.clr as ClrMode | undefined) ?? preset.clrMode,
    seed: numberOption(v, 'seed') ?? preset.seed,
  };
  const config = resolveVaeConfig(opts);
  const valFraction = numberOption(v, 'val-fraction', { min: 0, below: 1 });
  const createdAt = isoDateOption(v, 'created-at');

  const dataDir = resolve(v.data ?? join(repoRoot(), '..', 'shared', 'data'));
  if (!existsSync(dataDir)) throw new AppError('FILE_NOT_FOUND', `${dataDir}: no such directory`, 'point --data at the shared data folder (it holds genomes/)');
  const log = (s: string) => {
    if (!v.quiet) process.stderr.write(`${s}\n`);
  };
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());

  const backend = await initNodeBackend(v.backend as NodeBackend);
  log(`tfjs backend: ${backend}; model ${config.hiddenDims.join('/')}/${config.latentDim}, ${countVaeParameters(config).toLocaleString('en-US')} parameters`);
  const items = await loadSharedGenomes(dataDir, {
    collections: !v['reference-only'],
    sourceFor: (p) => nodeFileSource(p),
    onProgress: (m) => log(m),
    signal: controller.signal,
  });
  log(`${items.length} genomes and records`);
  const { model, result } = await trainModel(items, config, {
    valFraction,
    signal: controller.signal,
    dataDescription: v['reference-only'] ? 'shared reference genomes' : 'shared reference genomes + collection records',
    createdBy: 'mediaforge train vae',
    createdAt,
    onEpoch: (s) => {
      const val = s.valPerK ? `  val ${formatPerK({ total: s.valRecon, perK: s.valPerK })}` : '';
      log(`epoch ${s.epoch}/${config.epochs}  loss ${s.trainLoss.toFixed(3)}  recon ${s.trainRecon.toFixed(3)}  KL ${s.trainKl.toFixed(2)} (w ${s.klWeight.toFixed(3)})${val}  ${Math.round(s.samplesPerSec)} samples/s`);
    },
  });
  if (result.stoppedBy === 'cancelled') {
    result.vae.dispose();
    throw new AppError('CANCELLED', 'training cancelled; no model written');
  }
  if (!v['no-report']) {
    log('verification report on the held-out genera');
    const report = computeVaeReport(
      result.vae,
      items.map((it) => ({ species: it.species, organismType: it.organismType, recordType: it.recordType, gcFraction: it.gcFraction, counts: it.counts, domainCall: it.rrna?.domainCall ?? 'unknown' })),
      { valGenera: model.provenance.valGenera },
    );
    model.report = report as unknown as Record<string, unknown>;
    log(formatReport(model.id, report).split('\n').slice(1, 12).join('\n'));
  }
  result.vae.dispose();
  if (result.stoppedBy === 'non-finite') process.stderr.write(`mediaforge train: ${result.message}\n`);
  writeFileAtomic(resolve(v.out), encodeModelFile(model));
  log(`wrote ${v.out}: ${model.id}, ${result.epochs} epochs, ${model.provenance.trainRows} training / ${model.provenance.valRows} validation rows (${model.provenance.valGenera.length} held-out genera)`);
  return result.stoppedBy === 'done' ? 0 : 1;
}

// ---- train cvae: the recipe generator -------------------------------------------------------------



export const HELP_CVAE = `Usage: mediaforge train cvae [--db FILE] [--epochs N] [--preset NAME] [--out FILE] [--seed N] [options]

Trains the conditional VAE that generates culture-medium recipes, on a growth database: every
BacDive strain → medium pair of a medium with a recipe (conditioned on the strain's temperature,
oxygen tolerance, pH, salinity, domain and, where a genome is linked, its genome-VAE embedding),
and the fungal and microalgal media (group only). Hurdle loss: presence BCE + squared error of
log1p(g/L) where present + pH where known + β·KL with warm-up. Curriculum: phase 1 bacteria,
2 + archaea, 3 + fungi, 4 + protists, each continuing the last. Whole genera are held out; after
each phase the held-out metrics of every group are printed, and at the end the validity of
generated recipes and how often their nearest real medium is a known medium of the genus, against
the most popular medium. Deterministic for a given seed.

Options:
  --db FILE           growth database or snapshot (default: ${DEFAULT_DB})
  --out FILE          model file to write (default: recipe-cvae.mfcvae); bundle it with
                      \`mediaforge db build --cvae FILE\`
  --preset NAME       ${'${PRESETS}'}
  --epochs N|A,B,C,D  epochs of every phase, or of each of the four phases (default 12,8,6,6)
  --seed N            seed for weights, split, shuffling and sampling (default 42)
  --beta X            final KL weight (default 6)
  --lr X              Adam learning rate (default 0.001)
  --val-fraction X    share of genera held out (default 0.15)
  --eval-rows N       at most N held-out strains per domain in the final evaluation (default 1000)
  --backend wasm|cpu  tfjs backend (default wasm)
  --created-at ISO    date recorded in the model (default: now)
  --quiet             no per-epoch lines
  -h, --help          show this help
`;

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)} %`);
const fix = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));

export function formatPhaseMetrics(m: import('../../ml/recipe-cvae-pipeline').PhaseMetrics): string {
  const lines = [`phase ${m.phase + 1} (${m.name}): ${m.trainRows.toLocaleString('en-US')} training rows, ${m.epochs} epochs; held-out metrics per group`];
  lines.push('  group      rows  AUROC   F1     amount MAE (log1p g/L)  pH MAE  valid samples');
  for (const g of m.groups) {
    lines.push(`  ${g.group.padEnd(9)} ${String(g.rows).padStart(5)}  ${fix(g.presenceAuroc)}  ${fix(g.presenceF1)}  ${fix(g.amountMaeLog1p).padStart(22)}  ${fix(g.phMae, 2).padStart(6)}  ${pct(g.validShare).padStart(8)}${g.note ? `  (${g.note})` : ''}`);
  }
  return lines.join('\n');
}

export function formatNearestEvaluation(e: import('../../ml/recipe-cvae-pipeline').NearestInGenusMetrics): string {
  return [
    `held-out genera: ${e.strains} strains of ${e.genera} genera, one generated recipe each`,
    `  valid recipes: ${pct(e.validShare)}`,
    `  nearest real medium is a known medium of the genus: generated ${pct(e.generatedHit)} vs most popular medium (${Object.entries(e.baselinePick).map(([g, m]) => `${g} ${m}`).join(', ')}) ${pct(e.baselineHit)}`,
    `  per genus (each genus weighs the same): generated ${pct(e.generatedHitPerGenus)} vs ${pct(e.baselineHitPerGenus)}`,
    ...Object.entries(e.byGroup).map(([g, q]) => `  ${g}: ${q.strains} strains, generated ${pct(q.generatedHit)} vs ${pct(q.baselineHit)}, valid ${pct(q.validShare)}`),
  ].join('\n');
}

async function runCvae(argv: string[]): Promise<number> {
  const { RECIPE_CVAE_PRESETS, resolveRecipeCvaeConfig, countRecipeCvaeParameters, totalEpochs } = await import('../../ml/recipe-cvae-config');
  const help = HELP_CVAE.replace('${PRESETS}', `${Object.keys(RECIPE_CVAE_PRESETS).join(' | ')} (default: default)`);
  const args = parseCommandArgs(
    argv,
    {
      db: { type: 'string' },
      out: { type: 'string', default: 'recipe-cvae.mfcvae' },
      preset: { type: 'string', default: 'default' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      beta: { type: 'string' },
      lr: { type: 'string' },
      'val-fraction': { type: 'string' },
      'eval-rows': { type: 'string', default: '1000' },
      backend: { type: 'string', default: 'wasm' },
      'created-at': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    help,
  );
  if (!args) return 0;
  const v = args.values;
  const preset = RECIPE_CVAE_PRESETS[choiceOption(v, 'preset', Object.keys(RECIPE_CVAE_PRESETS))];
  const epochs = integerListOption(v, 'epochs', { min: 0, counts: [1, 4] });
  const epochsPerPhase = epochs?.length === 1 ? [epochs[0], epochs[0], epochs[0], epochs[0]] : epochs;
  const evalRows = numberOption(v, 'eval-rows', { integer: true, min: 0 });
  const createdAt = isoDateOption(v, 'created-at');
  const log = (s: string) => {
    if (!v.quiet) process.stderr.write(`${s}\n`);
  };
  const { loadCvaeInput, trainRecipeModel } = await import('../../ml/recipe-cvae-pipeline');
  const { encodeRecipeModelFile } = await import('../../ml/recipe-cvae-model');
  const { db, name: dbName } = await openCliDatabase(v.db, { integrityCheck: false });
  let input;
  const base = { ...preset, epochsPerPhase: epochsPerPhase ?? preset.epochsPerPhase, seed: numberOption(v, 'seed') ?? preset.seed, beta: numberOption(v, 'beta') ?? preset.beta, learningRate: numberOption(v, 'lr') ?? preset.learningRate, valFraction: numberOption(v, 'val-fraction') ?? preset.valFraction };
  resolveRecipeCvaeConfig(base); // validate the options before reading the data
  try {
    input = loadCvaeInput(db, { valFraction: base.valFraction, seed: base.seed });
  } finally {
    db.close();
  }
  const config = resolveRecipeCvaeConfig({ ...base, vocabSize: input.matrix.vocab.length, genomeDim: input.data.genomeDim });
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const backend = await initNodeBackend(v.backend as NodeBackend);
  const c = input.data.counts.byGroup;
  log(`tfjs backend: ${backend}; recipe CVAE ${config.hiddenDims.join('/')}/${config.latentDim}, ${countRecipeCvaeParameters(config).toLocaleString('en-US')} parameters, vocabulary ${config.vocabSize}, genome slot ${config.genomeDim} (${input.data.genomeModelId ?? 'no genome VAE'})`);
  for (const g of ['bacteria', 'archaea', 'fungi', 'protists'] as const) {
    log(`  ${g.padEnd(9)} ${c[g].pairs.toLocaleString('en-US')} pairs (${c[g].train} train, ${c[g].heldOut} held out), ${c[g].media} media, ${c[g].genera} genera; known: temperature ${c[g].withTemperature}, oxygen ${c[g].withOxygen}, pH ${c[g].withPh}, salinity ${c[g].withSalinity}, genome ${c[g].withGenome}`);
  }
  const E = totalEpochs(config);
  const { model, result } = await trainRecipeModel(input, config, {
    signal: controller.signal,
    dataDescription: `strain-medium pairs and fungal/protist media of ${dbName}`,
    createdBy: 'mediaforge train cvae',
    createdAt,
    evalRows,
    skipFinalEvaluation: evalRows === 0,
    onEpoch: (s) =>
      log(
        `epoch ${s.epoch}/${E} (phase ${s.phase + 1}, ${s.rows.toLocaleString('en-US')} rows)  loss ${s.loss.toFixed(3)}  presence ${s.presence.toFixed(3)}  stock ${s.stock.toFixed(3)}  amount ${s.amount.toFixed(3)}  pH ${s.ph.toFixed(4)}  KL ${s.kl.toFixed(2)} (w ${s.klWeight.toFixed(2)})  ${Math.round(s.samplesPerSec)} samples/s`,
      ),
    onPhaseMetrics: (m) => log(formatPhaseMetrics(m)),
  });
  result.cvae.dispose();
  if (result.stoppedBy === 'cancelled') throw new AppError('CANCELLED', 'training cancelled; no model written');
  if (model.metrics.evaluation) log(formatNearestEvaluation(model.metrics.evaluation as import('../../ml/recipe-cvae-pipeline').NearestInGenusMetrics));
  if (result.stoppedBy === 'non-finite') process.stderr.write(`mediaforge train: ${result.message}\n`);
  writeFileAtomic(resolve(v.out), encodeRecipeModelFile(model));
  log(`wrote ${v.out}: ${model.id}, ${result.epochs} epochs in ${(model.provenance.elapsedMs / 1000).toFixed(1)} s, ${model.provenance.trainRows} training / ${model.provenance.heldOutRows} held-out pairs (${model.provenance.heldOutGenera.length} held-out genera)`);
  return result.stoppedBy === 'done' ? 0 : 1;
}
