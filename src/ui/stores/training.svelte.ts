/**
 * The Model tab's genome VAE: the ML worker's backend, the training form, a training run (the
 * shared run controller, training-run.svelte.ts: live epochs, progress, pause/resume/cancel,
 * checkpoints into the database, resume after a reload) and the active model with its verification
 * report. This file holds what is the genome VAE's own: its form and config, its input (the k-mer
 * profiles of the database's genomes), the worker's `train` call, and saving the model with the
 * embeddings of every genome. Shared through context.
 */
import { proxy, transfer, type Remote } from 'comlink';
import { getContext, setContext } from 'svelte';
import { AppError, serializeError, type SerializedAppError } from '../../core/errors';
import type { BackendOverride } from '../../ml/browser-backend';
import type { EpochStats } from '../../ml/train-vae';
import { resolveVaeConfig, VAE_PRESETS, type ResolvedVaeConfig, type VaeConfig } from '../../ml/vae-config';
import type { ActiveModelInfo, CheckpointRecord, CheckpointSummary, DbWorkerApi } from '../../runs-in-worker/db-worker-api';
import type { MlWorkerApi, TrainingSet, TrainOutcome, TrainPhase, TrainProgress } from '../../runs-in-worker/ml-worker-api';
import type { MlClient } from '../../runs-on-page/ml-client';
import type { DatabaseStore } from './database.svelte';
import { TrainingRun, type RunCallbacks, type RunKind, type WorkerCheckpoint } from './training-run.svelte';
import { runKeyStore } from './training-run-state';

export type { TrainStatus } from './training-run-state';

export const TRAIN_PRESETS = ['tiny', 'default', 'design-doc'] as const;
export type TrainPreset = (typeof TRAIN_PRESETS)[number];

export interface TrainForm {
  preset: TrainPreset;
  epochs: number | null;
  latentDim: number | null;
  learningRate: number | null;
  beta: number | null;
}

/** localStorage: the run in progress ({runId, config, startedAt}), so a reload resumes it. */
export const RUN_KEY = 'mediaforge.training.run';
/** Share of genera held out for validation. */
const VAL_FRACTION = 0.15;

export function formForPreset(preset: TrainPreset): TrainForm {
  const c = resolveVaeConfig(VAE_PRESETS[preset]);
  return { preset, epochs: c.epochs, latentDim: c.latentDim, learningRate: c.learningRate, beta: c.beta };
}

/** The form as a resolved config, or the first problem in words (field named first). */
export function configFromForm(f: TrainForm): { config: ResolvedVaeConfig | null; error: string | null; field: keyof TrainForm | null } {
  const fields: [keyof TrainForm, string][] = [
    ['epochs', 'epochs'],
    ['latentDim', 'latent dimensions'],
    ['learningRate', 'learning rate'],
    ['beta', 'β'],
  ];
  for (const [key, label] of fields) {
    const v = f[key];
    if (typeof v !== 'number' || Number.isNaN(v)) return { config: null, error: `${label}: enter a number`, field: key };
  }
  const options: VaeConfig = { ...VAE_PRESETS[f.preset], epochs: f.epochs!, latentDim: f.latentDim!, learningRate: f.learningRate!, beta: f.beta! };
  try {
    return { config: resolveVaeConfig(options), error: null, field: null };
  } catch (e) {
    const message = (e as Error).message;
    const field = (['epochs', 'latentDim', 'learningRate', 'beta'] as const).find((k) => message.startsWith(k)) ?? null;
    return { config: null, error: message, field };
  }
}

interface GenomeVaeRun {
  options: ResolvedVaeConfig;
  input: TrainingSet;
  epoch: EpochStats;
  progress: TrainProgress;
  outcome: TrainOutcome;
  checkpoint: CheckpointRecord;
  summary: CheckpointSummary;
  model: ActiveModelInfo;
}

/** The genome VAE as a run kind: its run ids, run key and checkpoint rows (models.kind 'genome-vae-checkpoint'). */
const GENOME_VAE_RUN: RunKind<GenomeVaeRun> = {
  runIdPrefix: 'genome-vae',
  runKey: runKeyStore<ResolvedVaeConfig>(RUN_KEY, 'config'),
  activeModel: (db) => db.activeModelInfo(),
  checkpointSummary: (db) => db.checkpointSummary(),
  getCheckpoint: (db, runId) => db.getCheckpoint(runId),
  saveCheckpoint: (db, record) => db.saveCheckpoint(record),
  deleteCheckpoint: (db, runId) => db.deleteCheckpoint(runId),
};

function setBuffers(set: TrainingSet): ArrayBuffer[] {
  return [set.counts.buffer as ArrayBuffer, set.genomeIds.buffer as ArrayBuffer, set.gcFractions.buffer as ArrayBuffer];
}

export class TrainingStore extends TrainingRun<GenomeVaeRun> {
  backendError = $state.raw<SerializedAppError | null>(null);
  form = $state<TrainForm>(formForPreset('tiny'));
  readonly formCheck = $derived(configFromForm(this.form));
  /** Stage of the worker's run (training, embedding, report, packing); null between runs. */
  phase = $state<TrainPhase | null>(null);
  startedAtMs = $state(0);

  /** The genomes of the run in progress, in order (its checkpoints record them), and the held-out share. */
  #genomeIds: number[] = [];
  #valFraction = VAL_FRACTION;

  constructor(ml: MlClient, database: DatabaseStore) {
    super(GENOME_VAE_RUN, ml, database);
  }

  setPreset(preset: TrainPreset): void {
    this.form = formForPreset(preset);
  }

  /** Starts the ML worker's backend (once) and shows what it chose. */
  async loadBackend(): Promise<void> {
    try {
      this.backend = await this.ml.ready();
      this.backendError = null;
    } catch (e) {
      this.backendError = serializeError(e);
    }
  }

  async setBackendOverride(override: BackendOverride): Promise<void> {
    if (this.running) return;
    try {
      this.backend = await this.ml.setBackend(override);
      this.backendError = null;
    } catch (e) {
      this.backendError = serializeError(e);
    }
  }

  /** The Model tab was shown: backend, active model, an unfinished run to offer. */
  override async show(): Promise<void> {
    void this.loadBackend();
    await super.show();
  }

  protected formOptions(): ResolvedVaeConfig | null {
    return this.formCheck.config;
  }

  protected async loadInput(db: Remote<DbWorkerApi>, _config: ResolvedVaeConfig, cp: CheckpointRecord | null, why: 'start' | 'restart' | 'continue'): Promise<TrainingSet> {
    const set = await db.trainingSet(cp?.genomeIds);
    if (why === 'start' && set.genomeIds.length < 2) throw new AppError('DATA_INVALID', `training needs at least 2 genomes with a k-mer profile; the database has ${set.genomeIds.length}`, 'add genomes on the Database tab first');
    this.#genomeIds = cp ? cp.genomeIds : Array.from(set.genomeIds);
    this.#valFraction = cp ? cp.valFraction : VAL_FRACTION;
    return set;
  }

  protected restoreCheckpoint(cp: CheckpointRecord): ResolvedVaeConfig {
    const c = cp.config;
    this.form = { ...this.form, epochs: c.epochs, latentDim: c.latentDim, learningRate: c.learningRate, beta: c.beta };
    return c;
  }

  protected prepareTraining(_set: TrainingSet, config: ResolvedVaeConfig): number {
    return config.epochs;
  }

  protected trainInWorker(ml: Remote<MlWorkerApi>, set: TrainingSet, config: ResolvedVaeConfig, checkpoint: Uint8Array | null, callbacks: RunCallbacks<GenomeVaeRun>): Promise<TrainOutcome> {
    const options = checkpoint ? transfer({ valFraction: VAL_FRACTION, checkpoint }, [checkpoint.buffer as ArrayBuffer]) : { valFraction: VAL_FRACTION };
    return ml.train(transfer(set, setBuffers(set)), config, options, proxy(callbacks));
  }

  protected isFinishing(p: TrainProgress): boolean {
    return p.phase === 'embedding' || p.phase === 'report' || p.phase === 'packing';
  }

  protected override onProgress(p: TrainProgress): void {
    this.phase = p.phase;
  }

  protected checkpointRecord(run: { runId: string; startedAt: string; options: ResolvedVaeConfig }, c: WorkerCheckpoint<EpochStats>): CheckpointRecord {
    return { runId: run.runId, config: run.options, genomeIds: this.#genomeIds, valFraction: this.#valFraction, startedAt: run.startedAt, epoch: c.epoch, history: c.history, savedAt: new Date().toISOString(), bytes: c.bytes };
  }

  protected hasModel(outcome: TrainOutcome): boolean {
    return Boolean(outcome.model && outcome.embeddings);
  }

  protected saveModel(db: Remote<DbWorkerApi>, outcome: TrainOutcome, runId: string): Promise<ActiveModelInfo> {
    const row = outcome.model!;
    const emb = outcome.embeddings!;
    return db.saveTrainedModel(
      transfer(row, [row.weights!.buffer as ArrayBuffer]),
      transfer(emb, [emb.vectors.buffer as ArrayBuffer, emb.genomeIds.buffer as ArrayBuffer]),
      runId,
    );
  }

  protected override resetKind(): void {
    this.phase = null;
    this.startedAtMs = performance.now();
  }

  protected override onRunEnded(): void {
    this.phase = null;
  }
}

const KEY = Symbol('training');

export function setTrainingStore(store: TrainingStore): TrainingStore {
  return setContext(KEY, store);
}

export function getTrainingStore(): TrainingStore {
  const store = getContext<TrainingStore | undefined>(KEY);
  if (!store) throw new Error('TrainingStore missing: App.svelte sets it up');
  return store;
}
