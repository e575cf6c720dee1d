/** `mediaforge train vae [--data DIR] [--epochs N] [--out FILE] ...`: train the genome VAE in Node. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
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
import { UsageError } from '../cli-error';
import { nodeFileSource } from '../node-source';

export const SUMMARY = 'train the genome VAE on the shared genomes (tfjs, WASM or CPU backend)';

export const HELP = `Usage: mediaforge train vae [--data DIR] [--epochs N] [--out FILE] [options]

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

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === undefined || what === '-h' || what === '--help' || what === 'help') {
    process.stdout.write(HELP);
    return what === undefined ? 2 : 0;
  }
  if (what !== 'vae') throw new UsageError(`unknown model '${what}' (models: vae)`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
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
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const preset = VAE_PRESETS[v.preset];
  if (!preset) throw new UsageError(`--preset must be one of ${Object.keys(VAE_PRESETS).join(', ')}, got '${v.preset}'`);
  const hidden = v.hidden?.split(',').map((s) => Number(s.trim()));
  if (hidden && hidden.some((n) => !Number.isInteger(n))) throw new UsageError(`--hidden must be comma-separated integers, got '${v.hidden}'`);
  const opts: VaeConfig = {
    ...preset,
    ...(hidden ? { hiddenDims: hidden } : {}),
    latentDim: num('latent', v.latent) ?? preset.latentDim,
    epochs: num('epochs', v.epochs) ?? preset.epochs,
    batchSize: num('batch', v.batch) ?? preset.batchSize,
    learningRate: num('lr', v.lr) ?? preset.learningRate,
    beta: num('beta', v.beta) ?? preset.beta,
    warmupEpochs: num('warmup', v.warmup) ?? preset.warmupEpochs,
    clrMode: (v.clr as ClrMode | undefined) ?? preset.clrMode,
    seed: num('seed', v.seed) ?? preset.seed,
  };
  const config = resolveVaeConfig(opts);
  const valFraction = num('val-fraction', v['val-fraction'])!;
  if (!(valFraction >= 0 && valFraction < 1)) throw new UsageError(`--val-fraction must be from 0 to below 1, got ${valFraction}`);
  if (v['created-at'] !== undefined && Number.isNaN(Date.parse(v['created-at']))) throw new UsageError(`--created-at must be an ISO date, got '${v['created-at']}'`);

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
    createdAt: v['created-at'],
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
