/**
 * The Model tab's recipe CVAE section: the active recipe model (its phase metrics and held-out
 * evaluation), a training form (preset, epochs per curriculum phase, seed), and a training run in
 * the ML worker (the shared run controller, training-run.svelte.ts, on the genome VAE's backend and
 * run state: pause/resume/cancel, live epochs, checkpoints in the database, kind
 * 'recipe-cvae-checkpoint', and a resume after a reload). This file holds what is the recipe
 * CVAE's own: its form and config, its input (media, strains and their conditions), the
 * per-phase metrics, and the end: the model is stored and activated (saveTrainedRecipeModel, db
 * worker), loaded into the ML worker (setRecipeModel) and the Media tab is told (`onmodel`).
 * Shared through context.
 */
import { proxy, transfer, type Remote } from 'comlink';
import { getContext, setContext } from 'svelte';
import type { CvaeEpochStats } from '../../ml/recipe-cvae';
import { RECIPE_CVAE_PRESETS, resolveRecipeCvaeConfig, totalEpochs, type RecipeCvaeConfig, type ResolvedRecipeCvaeConfig } from '../../ml/recipe-cvae-config';
import type { PackedCvaeInput, PhaseMetrics } from '../../ml/recipe-cvae-pipeline';
import { packedBuffers } from '../../comlink/pack-for-transfer';
import type { DbWorkerApi, RecipeCheckpointRecord, RecipeCheckpointSummary, RecipeModelInfo } from '../../runs-in-worker/db-worker-api';
import type { MlWorkerApi, RecipeTrainOutcome, RecipeTrainProgress } from '../../runs-in-worker/ml-worker-api';
import type { MlClient } from '../../runs-on-page/ml-client';
import type { DatabaseStore } from './database.svelte';
import { TrainingRun, type RunCallbacks, type RunKind, type WorkerCheckpoint } from './training-run.svelte';
import { runKeyStore } from './training-run-state';

export const RECIPE_PRESETS = ['tiny', 'default'] as const;
export type RecipePreset = (typeof RECIPE_PRESETS)[number];
/** The curriculum's phases, in order (each adds a group to the training rows). */
export const RECIPE_PHASES = ['bacteria', '+ archaea', '+ fungi', '+ protists'] as const;

export interface RecipeTrainForm {
  preset: RecipePreset;
  /** Epochs of each phase, as typed: "2, 1, 1, 1". */
  epochsPerPhase: string;
  seed: number | null;
}

/** localStorage: the recipe CVAE run in progress, so a reload resumes it. */
export const RECIPE_RUN_KEY = 'mediaforge.recipe-training.run';
/** Held-out strains per group in the final nearest-medium evaluation. */
const EVAL_ROWS = 1000;

export function recipeFormForPreset(preset: RecipePreset, seed: number | null = 42): RecipeTrainForm {
  const c = resolveRecipeCvaeConfig(RECIPE_CVAE_PRESETS[preset]);
  return { preset, epochsPerPhase: c.epochsPerPhase.join(', '), seed };
}

/** The form as options (and the resolved config, for display), or the first problem in words. */
export function recipeConfigFromForm(f: RecipeTrainForm): { options: RecipeCvaeConfig | null; config: ResolvedRecipeCvaeConfig | null; error: string | null; field: 'epochs' | 'seed' | null } {
  const parts = f.epochsPerPhase.split(/[\s,;]+/).filter(Boolean);
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p))) return { options: null, config: null, error: 'epochs per phase: enter 4 whole numbers (bacteria, + archaea, + fungi, + protists), e.g. 2, 1, 1, 1', field: 'epochs' };
  if (typeof f.seed !== 'number' || Number.isNaN(f.seed)) return { options: null, config: null, error: 'seed: enter a number', field: 'seed' };
  const options: RecipeCvaeConfig = { ...RECIPE_CVAE_PRESETS[f.preset], epochsPerPhase: parts.map(Number), seed: f.seed };
  try {
    return { options, config: resolveRecipeCvaeConfig(options), error: null, field: null };
  } catch (e) {
    const message = (e as Error).message;
    return { options: null, config: null, error: message, field: message.startsWith('seed') ? 'seed' : 'epochs' };
  }
}

/** 0-based curriculum phase of a 1-based epoch (over all phases). */
export function phaseOfEpoch(epochsPerPhase: number[], epoch: number): number {
  let end = 0;
  for (let i = 0; i < epochsPerPhase.length; i++) {
    end += epochsPerPhase[i];
    if (epoch <= end && epochsPerPhase[i] > 0) return i;
  }
  return Math.max(0, epochsPerPhase.length - 1);
}


interface RecipeCvaeRun {
  options: RecipeCvaeConfig;
  input: PackedCvaeInput;
  epoch: CvaeEpochStats;
  progress: RecipeTrainProgress;
  outcome: RecipeTrainOutcome;
  checkpoint: RecipeCheckpointRecord;
  summary: RecipeCheckpointSummary;
  model: RecipeModelInfo;
}

/** The recipe CVAE as a run kind: its run ids, run key and checkpoint rows. */
const RECIPE_CVAE_RUN: RunKind<RecipeCvaeRun> = {
  runIdPrefix: 'recipe-cvae',
  runKey: runKeyStore<RecipeCvaeConfig>(RECIPE_RUN_KEY, 'options'),
  activeModel: (db) => db.recipeModelInfo(),
  checkpointSummary: (db) => db.recipeCheckpointSummary(),
  getCheckpoint: (db, runId) => db.getRecipeCheckpoint(runId),
  saveCheckpoint: (db, record) => db.saveRecipeCheckpoint(record),
  deleteCheckpoint: (db, runId) => db.deleteRecipeCheckpoint(runId),
};

export class RecipeTrainingStore extends TrainingRun<RecipeCvaeRun> {
  form = $state<RecipeTrainForm>(recipeFormForPreset('tiny'));
  readonly formCheck = $derived(recipeConfigFromForm(this.form));

  /** Held-out metrics of each curriculum phase finished so far. */
  phases = $state.raw<PhaseMetrics[]>([]);
  /** Epochs per phase of the run (for the phase of an epoch). */
  epochsPerPhase = $state.raw<number[]>([]);
  /** The training pairs of the run (train / held out), once the input is loaded. */
  rows = $state.raw<{ train: number; heldOut: number; vocab: number } | null>(null);

  /** 0-based curriculum phase in progress (or of the last epoch). */
  readonly phase = $derived.by(() => {
    const p = this.progress;
    // The worker's progress names the phase of the last finished epoch: place the epoch in progress instead.
    if (p && this.running && p.stage === 'training' && this.epochsPerPhase.length === 4) return phaseOfEpoch(this.epochsPerPhase, p.epoch);
    if (p && this.running && p.stage === 'evaluating') return p.phase;
    return this.history.length ? this.history[this.history.length - 1].phase : 0;
  });

  /** The run's config, resolved for its input (vocabulary, genome embedding size): its checkpoints record it. */
  #config: ResolvedRecipeCvaeConfig | null = null;

  constructor(ml: MlClient, database: DatabaseStore, otherBusy: () => boolean = () => false) {
    super(RECIPE_CVAE_RUN, ml, database, otherBusy);
  }

  setPreset(preset: RecipePreset): void {
    this.form = recipeFormForPreset(preset, this.form.seed);
  }

  protected formOptions(): RecipeCvaeConfig | null {
    return this.formCheck.options;
  }

  protected loadInput(db: Remote<DbWorkerApi>, options: RecipeCvaeConfig, cp: RecipeCheckpointRecord | null): Promise<PackedCvaeInput> {
    if (cp) return db.recipeTrainingInput({ valFraction: cp.config.valFraction, seed: cp.config.seed, vocabSize: cp.config.vocabSize, genomeDim: cp.config.genomeDim });
    const config = resolveRecipeCvaeConfig(options);
    return db.recipeTrainingInput({ valFraction: config.valFraction, seed: config.seed });
  }

  protected restoreCheckpoint(cp: RecipeCheckpointRecord): RecipeCvaeConfig {
    const c = cp.config;
    this.form = { ...this.form, epochsPerPhase: c.epochsPerPhase.join(', '), seed: c.seed };
    this.phases = cp.phases as PhaseMetrics[];
    return c;
  }

  protected prepareTraining(input: PackedCvaeInput, options: RecipeCvaeConfig): number {
    const s = input.summary;
    const config = resolveRecipeCvaeConfig({ ...options, vocabSize: s.vocabSize, genomeDim: s.genomeDim });
    this.#config = config;
    this.epochsPerPhase = config.epochsPerPhase;
    this.rows = { train: s.train, heldOut: s.heldOut, vocab: s.vocabSize };
    return totalEpochs(config);
  }

  protected trainInWorker(ml: Remote<MlWorkerApi>, input: PackedCvaeInput, options: RecipeCvaeConfig, checkpoint: Uint8Array | null, callbacks: RunCallbacks<RecipeCvaeRun>): Promise<RecipeTrainOutcome> {
    const opts = checkpoint ? transfer({ checkpoint, evalRows: EVAL_ROWS }, [checkpoint.buffer as ArrayBuffer]) : { evalRows: EVAL_ROWS };
    return ml.trainRecipeCvae(
      transfer(input, packedBuffers(input.packed)),
      options,
      opts,
      proxy({
        ...callbacks,
        onPhase: (m: PhaseMetrics) => {
          this.phases = [...this.phases.filter((p) => p.phase !== m.phase), m];
        },
      }),
    );
  }

  protected isFinishing(p: RecipeTrainProgress): boolean {
    return p.stage === 'packing';
  }

  protected checkpointRecord(run: { runId: string; startedAt: string }, c: WorkerCheckpoint<CvaeEpochStats>): RecipeCheckpointRecord {
    return { runId: run.runId, startedAt: run.startedAt, config: this.#config!, epoch: c.epoch, history: c.history, phases: this.phases, savedAt: new Date().toISOString(), bytes: c.bytes };
  }

  protected hasModel(outcome: RecipeTrainOutcome): boolean {
    return Boolean(outcome.model?.weights);
  }

  /** Stores and activates the model (a copy of its weights), then loads it into the ML worker for the Media tab. */
  protected async saveModel(db: Remote<DbWorkerApi>, outcome: RecipeTrainOutcome, runId: string): Promise<RecipeModelInfo> {
    const row = outcome.model!;
    const weights = row.weights!;
    const copy = weights.slice();
    const info = await db.saveTrainedRecipeModel(transfer({ ...row, weights: copy }, [copy.buffer as ArrayBuffer]), runId);
    await (await this.ml.remote()).setRecipeModel(transfer(row, [weights.buffer as ArrayBuffer]));
    return info;
  }

  protected override resetKind(): void {
    this.phases = [];
    this.rows = null;
  }
}

const KEY = Symbol('recipe-training');

export function setRecipeTrainingStore(store: RecipeTrainingStore): RecipeTrainingStore {
  return setContext(KEY, store);
}

export function getRecipeTrainingStore(): RecipeTrainingStore {
  const store = getContext<RecipeTrainingStore | undefined>(KEY);
  if (!store) throw new Error('RecipeTrainingStore missing: App.svelte sets it up');
  return store;
}
