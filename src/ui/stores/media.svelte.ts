/**
 * The Media tab's state, for one genome profiled on the Profile page: its growth conditions
 * predicted from the genome (editable: the handle for counterfactuals), the real MediaDive media
 * ranked for it, recipes generated for it, explore (presets, interpolation towards a second profiled
 * genome) and the user's lab outcomes. Everything heavy runs in the workers: the ranking and the
 * database in the DB worker, the genome embedding and the recipe generator in the ML worker. Only
 * what the sequence gives goes into a query (counts, GC, rRNA call, protein features, the
 * embedding, the database genome of the same content hash): never the file name or the headers.
 * Shared through context.
 */
import { getContext, setContext } from 'svelte';
import { transfer } from 'comlink';
import { AppError, deserializeError, serializeError, type SerializedAppError } from '../../core/errors';
import { proteinFeatureVector } from '../../core/protein-features';
import type { GenomeProfile } from '../../core/profile-types';
import type { Recipe } from '../../db/queries';
import type { GeneratedRecipe, GenomeQuery, GrowthConditions, PredictedConditionsJson } from '../../media/media-api-types';
import { encodeCondition, growthConditionsOf, interpolateConditions, recipeConditionForQuery, recipeDomainOf, type RecipeCondition } from '../../media/recipe-conditions';
import type { KnownGenome, LabOutcomeRow, MediaRecommendation } from '../../runs-in-worker/db-worker-api';
import type { MlClient } from '../../runs-on-page/ml-client';
import { CONDITION_PRESETS, rankChanges, sameConditions, type RankChange } from '../media-format';
import type { DatabaseStore } from './database.svelte';
import type { NeighborsStore } from './neighbors.svelte';
import { whenDatabaseReady } from './training-run.svelte';

/** Real media ranked and shown. */
export const MEDIA_SHOWN = 25;
/** Recipes generated per request, by default, and the choices offered. */
export const RECIPES_GENERATED = 3;
export const RECIPE_COUNTS = [1, 3, 5, 10] as const;
/** The recipe sampler's seed: fixed, so the same genome and conditions always give the same recipes. */
export const RECIPE_SEED = 42;

interface LoadedRecipeModel {
  modelId: string;
  genomeDim: number;
  /** The genome VAE whose embeddings the recipe model was conditioned on. */
  genomeModelId: string | null;
}

export type MediaStep = 'database' | 'model' | 'embedding' | 'conditions' | 'ranking';
export const MEDIA_STEPS: { id: MediaStep; label: string }[] = [
  { id: 'database', label: 'Opening the growth database' },
  { id: 'model', label: 'Loading the genome model' },
  { id: 'embedding', label: 'Embedding the genome' },
  { id: 'conditions', label: 'Predicting growth conditions from the genome' },
  { id: 'ranking', label: 'Ranking the MediaDive media' },
];

/** A profiled genome the tab can show (a ProfileJob's key, its file name as a label, its profile). */
export interface MediaGenome {
  key: number;
  name: string;
  profile: GenomeProfile;
}

/** A genome made ready for queries (once per genome). */
interface Prepared {
  query: GenomeQuery;
  latent: Float32Array | null;
  known: KnownGenome | null;
  predicted: PredictedConditionsJson;
  conditions: GrowthConditions;
  modelId: string | null;
}

/** The recipe model's condition of a prepared genome: its group from the rRNA call, or without one from its proteome's domain (as the ranking uses it). */
function recipeConditionOfPrepared(p: Prepared, conditions: GrowthConditions, domainCall = p.query.domainCall): RecipeCondition {
  return recipeConditionForQuery(conditions, recipeDomainOf(domainCall, p.predicted.proteome_domain), p.latent);
}

export type ExploreMode = 'edit' | 'interpolate';

export interface OutcomeMove {
  mediumId: string;
  grew: boolean;
  from: number | null;
  to: number | null;
}

export class MediaStore {
  genome = $state.raw<MediaGenome | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  step = $state<MediaStep | null>(null);
  /** When each step of the last open ended, ms after it started (read by the benchmark). */
  stepMs = $state.raw<Partial<Record<MediaStep, number>>>({});
  stepsDone = $state.raw<MediaStep[]>([]);
  error = $state.raw<SerializedAppError | null>(null);

  /** The genome's predicted conditions (with intervals) and the same as GrowthConditions. */
  predicted = $state.raw<PredictedConditionsJson | null>(null);
  predictedConditions = $state.raw<GrowthConditions | null>(null);
  /** What the ranking uses now: the predicted conditions or the user's edits. */
  conditions = $state.raw<GrowthConditions | null>(null);
  /** The database genome of the same sequence (its lab outcomes apply), or null. */
  known = $state.raw<KnownGenome | null>(null);

  /** The ranking under the predicted conditions (the reference for rank changes). */
  baseline = $state.raw<MediaRecommendation | null>(null);
  /** The ranking under `conditions` (equal to baseline when nothing is edited). */
  result = $state.raw<MediaRecommendation | null>(null);
  ranking = $state(false);
  rankError = $state.raw<SerializedAppError | null>(null);

  mode = $state<ExploreMode>('edit');
  preset = $state<string | null>(null);
  partnerKey = $state<number | null>(null);
  /** Interpolation position, 0 (this genome) … 1 (the partner). */
  t = $state(0);

  recipe = $state.raw<Recipe | null>(null);

  recipes = $state.raw<GeneratedRecipe[] | null>(null);
  /** The recipes for the predicted conditions (the reference for how edited conditions change them). */
  baseRecipes = $state.raw<GeneratedRecipe[] | null>(null);
  /** The conditions the shown recipes were generated for. */
  recipeConditions = $state.raw<GrowthConditions | null>(null);
  recipeStatus = $state<'idle' | 'loading' | 'ready' | 'unavailable' | 'error'>('idle');
  recipeNote = $state<string | null>(null);
  recipeModel = $state<string | null>(null);
  recipeCount = $state<number>(RECIPES_GENERATED);

  outcomes = $state.raw<LabOutcomeRow[]>([]);
  outcomeBusy = $state(false);
  outcomeError = $state.raw<SerializedAppError | null>(null);
  lastMove = $state.raw<OutcomeMove | null>(null);

  readonly ml: MlClient;
  readonly database: DatabaseStore;
  readonly neighbors: NeighborsStore;
  /** Called when a genome is opened (App switches to the Media tab). */
  onopen: (() => void) | null = null;

  #prepared = new Map<number, Promise<Prepared>>();
  #seq = 0;
  #recipeSeq = 0;
  #rankSeq = 0;
  /** The recipe CVAE held by the ML worker, per database revision (null: the database has none). */
  #recipeModel: { revision: number; promise: Promise<LoadedRecipeModel | null> } | null = null;
  /** The scoring media (the DB worker's matrix over the recipe model's vocabulary) handed to the ML worker, per database revision. */
  #scoringMedia: { revision: number; promise: Promise<boolean> } | null = null;
  #rankTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(ml: MlClient, database: DatabaseStore, neighbors: NeighborsStore) {
    this.ml = ml;
    this.database = database;
    this.neighbors = neighbors;
  }

  #warmed = false;

  /**
   * Opens the database and builds the ranking's evidence in the DB worker, once, while the first
   * dropped genome is still being profiled: "Media" then only embeds, predicts and ranks.
   */
  warm(): void {
    if (this.#warmed) return;
    this.#warmed = true;
    void (async () => {
      const db = await whenDatabaseReady(this.database);
      await db.warmMedia();
    })().catch(() => (this.#warmed = false));
  }

  /** Rank changes of the shown ranking against the predicted conditions' ranking. */
  get changes(): Map<string, RankChange> | null {
    if (!this.baseline || !this.result || this.result === this.baseline) return null;
    return rankChanges(
      this.baseline.media.map((m) => m.medium_id),
      this.result.media.map((m) => m.medium_id),
    );
  }

  get edited(): boolean {
    return !!this.conditions && !!this.predictedConditions && !sameConditions(this.predictedConditions, this.conditions);
  }

  /** Shows a profiled genome: prepares its query, predicts its conditions, ranks the media. */
  async open(genome: MediaGenome): Promise<void> {
    this.onopen?.();
    if (this.genome?.key === genome.key && this.status !== 'error') return;
    const seq = ++this.#seq;
    // Rankings and recipes still in flight belong to the previous genome.
    this.#rankSeq++;
    this.#recipeSeq++;
    if (this.#rankTimer) clearTimeout(this.#rankTimer);
    this.#rankTimer = null;
    this.ranking = false;
    this.genome = genome;
    this.status = 'loading';
    this.error = null;
    this.predicted = this.predictedConditions = this.conditions = this.known = null;
    this.baseline = this.result = null;
    this.rankError = null;
    this.recipe = null;
    this.recipes = this.baseRecipes = this.recipeConditions = null;
    this.recipeStatus = 'idle';
    this.mode = 'edit';
    this.preset = null;
    this.t = 0;
    this.lastMove = null;
    if (this.partnerKey === genome.key) this.partnerKey = null;
    // Progress: each step's end, in ms since the open (the DB and ML steps overlap).
    const t0 = performance.now();
    const done = new Set<MediaStep>();
    const onStep = (s: MediaStep, finished: boolean) => {
      if (seq !== this.#seq) return;
      if (finished) {
        done.add(s);
        this.stepMs = { ...this.stepMs, [s]: Math.round(performance.now() - t0) };
      }
      this.stepsDone = [...done];
      this.step = MEDIA_STEPS.find((x) => !done.has(x.id))?.id ?? null;
    };
    this.stepMs = {};
    this.stepsDone = [];
    this.step = 'database';
    try {
      const p = await this.#prepare(genome, onStep);
      if (seq !== this.#seq) return;
      this.known = p.known;
      this.predicted = p.predicted;
      this.predictedConditions = p.conditions;
      this.conditions = p.conditions;
      for (const s of ['database', 'model', 'embedding', 'conditions'] as const) if (!done.has(s)) onStep(s, true);
      const db = await whenDatabaseReady(this.database);
      const r = await db.recommend(p.query, { top: MEDIA_SHOWN, predicted: { json: p.predicted, conditions: p.conditions } });
      if (seq !== this.#seq) return;
      this.baseline = this.result = r;
      onStep('ranking', true);
      this.status = 'ready';
      void this.loadOutcomes();
      void this.generate();
      // The recipe CVAE's likelihood of every medium follows the first result (it takes the ML worker a moment).
      void this.#addLikelihood(seq, p.query);
    } catch (e) {
      if (seq !== this.#seq) return;
      this.error = serializeError(e);
      this.status = 'error';
      this.step = null;
    }
  }

  /** Forgets a genome removed from the Profile page (the shown one stays until another is opened). */
  forget(key: number): void {
    if (key !== this.genome?.key) this.#prepared.delete(key);
    if (this.partnerKey === key) this.setPartner(null);
  }

  /** Sets one condition (a counterfactual) and ranks again. */
  setCondition<K extends keyof GrowthConditions>(key: K, value: GrowthConditions[K]): void {
    if (!this.conditions) return;
    this.mode = 'edit';
    this.preset = null;
    this.conditions = { ...this.conditions, [key]: value };
    this.#schedule();
  }

  resetConditions(): void {
    if (!this.predictedConditions) return;
    this.mode = 'edit';
    this.preset = null;
    this.t = 0;
    this.conditions = this.predictedConditions;
    this.#schedule(0);
  }

  applyPreset(id: string): void {
    const preset = CONDITION_PRESETS.find((p) => p.id === id);
    if (!preset || !this.predictedConditions) return;
    this.mode = 'edit';
    this.preset = id;
    this.t = 0;
    this.conditions = preset.apply(this.predictedConditions);
    this.#schedule(0);
  }

  setPartner(key: number | null): void {
    this.partnerKey = key;
    if (key === null) this.resetConditions();
    else this.setInterpolation(this.t);
  }

  /** Moves the slider: conditions and genome embedding a fraction t of the way to the partner. */
  setInterpolation(t: number): void {
    this.t = t;
    if (this.partnerKey === null) return;
    this.mode = 'interpolate';
    this.preset = null;
    this.#schedule(120);
  }

  /** Runs the ranking (and the recipes) again, e.g. after the database changed. */
  async refresh(): Promise<void> {
    const g = this.genome;
    if (!g || this.status !== 'ready') return;
    // Another model or another genome row may apply now.
    this.#prepared.delete(g.key);
    const seq = this.#seq;
    try {
      const p = await this.#prepare(g);
      if (seq !== this.#seq) return;
      this.known = p.known;
      const db = await whenDatabaseReady(this.database);
      const cvae = await this.#likelihood(recipeConditionOfPrepared(p, p.conditions));
      const base = await db.recommend(p.query, { top: MEDIA_SHOWN, cvae, predicted: { json: p.predicted, conditions: p.conditions } });
      if (seq !== this.#seq) return;
      this.baseline = base;
      await this.#rank();
      // A snapshot import may bring another recipe model (or none).
      if (seq === this.#seq && (await db.activeRecipeModelId()) !== this.recipeModel) void this.#generateRecipes();
    } catch (e) {
      if (seq === this.#seq) this.rankError = serializeError(e);
    }
  }

  async showRecipe(mediumId: string): Promise<void> {
    const db = await whenDatabaseReady(this.database);
    this.recipe = await db.getRecipe(mediumId);
  }

  closeRecipe(): void {
    this.recipe = null;
  }

  async loadOutcomes(): Promise<void> {
    try {
      const db = await whenDatabaseReady(this.database);
      this.outcomes = await db.labOutcomes();
    } catch (e) {
      this.outcomeError = serializeError(e);
    }
  }

  /**
   * Records a bench result for the shown genome. A genome not in the database yet is added first
   * (with its embedding, as the Database tab adds profiled genomes), so the outcome has a genome to
   * belong to and is found again when the same sequence is dropped after a reload.
   */
  async recordOutcome(input: { mediumId: string; grew: boolean; testedOn: string; note: string }): Promise<boolean> {
    const g = this.genome;
    if (!g || this.outcomeBusy) return false;
    this.outcomeBusy = true;
    this.outcomeError = null;
    try {
      const p = await this.#prepare(g);
      // Checked before the genome is added: a typo must not add it as a side effect.
      if (!(await (await whenDatabaseReady(this.database)).getRecipe(input.mediumId))) {
        throw new AppError('BAD_OPTION', `medium '${input.mediumId}' is not in the database`, "give a MediaDive medium id exactly as in media.tsv, e.g. '1', '1a' or 'J346'");
      }
      if (!p.known) {
        const pr = g.profile;
        const { added, note } = await this.neighbors.addGenomes([
          // The file name is the genome's label only: it is not searched for a strain number.
          { fileName: g.name, counts: Float64Array.from(pr.counts), lengthBp: pr.lengthBp, nBp: pr.nBp, otherBp: pr.otherBp, gcFraction: pr.gcFraction, records: pr.records, rrna: pr.rrna, linkFromFileName: false },
        ]);
        if (!added?.[0]) throw this.database.actionError ? deserializeError(this.database.actionError) : new Error(note ?? 'the genome could not be added to the database');
        const db = await whenDatabaseReady(this.database);
        p.known = (await db.genomeOfProfile(Float64Array.from(pr.counts), pr.lengthBp)) ?? { genomeId: added[0].genomeId, name: g.name, species: null };
        p.query = { ...p.query, genomeId: p.known.genomeId };
        this.known = p.known;
      }
      const before = this.result?.media.findIndex((m) => m.medium_id === input.mediumId) ?? -1;
      const db = await whenDatabaseReady(this.database);
      await db.recordLabOutcome({ genomeId: p.known.genomeId, mediumId: input.mediumId, grew: input.grew, testedOn: input.testedOn, note: input.note });
      await this.loadOutcomes();
      await this.refresh();
      const after = this.result?.media.findIndex((m) => m.medium_id === input.mediumId) ?? -1;
      this.lastMove = { mediumId: input.mediumId, grew: input.grew, from: before >= 0 ? before + 1 : null, to: after >= 0 ? after + 1 : null };
      return true;
    } catch (e) {
      this.outcomeError = serializeError(e);
      return false;
    } finally {
      this.outcomeBusy = false;
    }
  }

  async deleteOutcome(id: number): Promise<void> {
    this.outcomeError = null;
    try {
      const db = await whenDatabaseReady(this.database);
      await db.deleteLabOutcome(id);
      this.lastMove = null;
      await this.loadOutcomes();
      await this.refresh();
    } catch (e) {
      this.outcomeError = serializeError(e);
    }
  }

  /** Generates recipes for the conditions in use (when the database holds a recipe model). */
  generate(): Promise<void> {
    return this.#generateRecipes();
  }

  /** How many recipes to generate (the first ones stay the same: the sampler's seed is fixed). */
  setRecipeCount(n: number): void {
    this.recipeCount = n;
    void this.#generateRecipes();
  }

  dispose(): void {
    if (this.#rankTimer) clearTimeout(this.#rankTimer);
  }

  // ------------------------------------------------------------------------------------------

  #schedule(delayMs = 200): void {
    if (this.#rankTimer) clearTimeout(this.#rankTimer);
    this.#rankTimer = setTimeout(() => {
      this.#rankTimer = null;
      void this.#rank().then(() => this.#generateRecipes());
    }, delayMs);
  }

  /** The query and conditions of the current mode: edits, or the interpolation at t. */
  async #current(): Promise<{ query: GenomeQuery; conditions: GrowthConditions; recipeCondition: RecipeCondition } | null> {
    const g = this.genome;
    if (!g || !this.conditions) return null;
    const a = await this.#prepare(g);
    if (this.mode === 'interpolate' && this.partnerKey !== null) {
      const partner = this.#partnerGenome?.(this.partnerKey);
      if (partner) {
        const b = await this.#prepare(partner);
        const ca = recipeConditionOfPrepared(a, a.conditions);
        const cb = recipeConditionOfPrepared(b, b.conditions);
        const c = interpolateConditions(ca, cb, this.t);
        const conditions = growthConditionsOf(c);
        // At t = 0 this is the genome itself (its lab outcomes apply); between, a hypothetical one.
        const query: GenomeQuery = this.t === 0 ? a.query : { ...a.query, latent: c.genome, genomeId: null };
        return { query, conditions, recipeCondition: c };
      }
    }
    const conditions = this.conditions;
    return { query: a.query, conditions, recipeCondition: recipeConditionOfPrepared(a, conditions) };
  }

  /** Finds another profiled genome by key (set by the page: the Profile page's finished jobs). */
  #partnerGenome: ((key: number) => MediaGenome | null) | null = null;
  set genomeLookup(fn: (key: number) => MediaGenome | null) {
    this.#partnerGenome = fn;
  }

  /** Ranks for the current mode; only the newest request writes (edits and the slider may overtake each other). */
  async #rank(): Promise<void> {
    const seq = ++this.#rankSeq;
    const latest = () => seq === this.#rankSeq;
    this.ranking = true;
    this.rankError = null;
    try {
      const cur = await this.#current();
      if (!cur || !this.baseline || !latest()) return;
      // The slider moves the conditions too: show them in the inputs.
      if (this.mode === 'interpolate') this.conditions = cur.conditions;
      const db = await whenDatabaseReady(this.database);
      const unchanged = this.mode === 'edit' && this.predictedConditions && sameConditions(this.predictedConditions, cur.conditions);
      const cvae = unchanged ? null : await this.#likelihood(cur.recipeCondition);
      if (!latest()) return;
      const r = unchanged ? this.baseline : await db.recommend(cur.query, { top: MEDIA_SHOWN, conditions: cur.conditions, cvae });
      if (latest()) this.result = r;
    } catch (e) {
      if (latest()) this.rankError = serializeError(e);
    } finally {
      if (latest()) this.ranking = false;
    }
  }

  /** Loads the database's recipe CVAE into the ML worker once per database revision. */
  #ensureRecipeModel(): Promise<LoadedRecipeModel | null> {
    const revision = this.database.revision;
    if (this.#recipeModel?.revision === revision) return this.#recipeModel.promise;
    const promise = (async (): Promise<LoadedRecipeModel | null> => {
      const db = await whenDatabaseReady(this.database);
      const id = await db.activeRecipeModelId();
      if (!id) return null;
      const ml = await this.ml.remote();
      const held = (await ml.recipeModelId()) === id;
      const row = await db.recipeModelData(!held);
      if (!row) return null;
      if (held || !row.weights) {
        // The worker holds this model already (the database changed, not the model): its row's config says the rest.
        const c = row.config as { config?: { genomeDim?: number }; genomeModelId?: string | null };
        return { modelId: row.id, genomeDim: c.config?.genomeDim ?? 0, genomeModelId: c.genomeModelId ?? null };
      }
      const info = await ml.setRecipeModel(transfer(row, [row.weights.buffer as ArrayBuffer]));
      return { modelId: info.modelId, genomeDim: info.genomeDim, genomeModelId: info.genomeModelId };
    })();
    this.#recipeModel = { revision, promise };
    promise.catch(() => {
      if (this.#recipeModel?.promise === promise) this.#recipeModel = null;
    });
    return promise;
  }

  /**
   * The recipe CVAE's log-likelihood of every medium under a condition (the ML worker's
   * scoreRecipeLikelihood), or null when the database has no recipe model or scoring fails (the
   * ranking then goes on without it, as before).
   */
  async #likelihood(condition: RecipeCondition): Promise<{ modelId: string; logLikelihood: Float32Array } | null> {
    try {
      const model = await this.#ensureRecipeModel();
      if (!model || !(await this.#ensureScoringMedia(model.modelId))) return null;
      const a = this.genome ? await this.#prepare(this.genome) : null;
      const sameGenomeModel = !!a && model.genomeModelId !== null && model.genomeModelId === a.modelId;
      const genome = sameGenomeModel && condition.genome?.length === model.genomeDim ? condition.genome : null;
      const vector = encodeCondition({ ...condition, genome }, model.genomeDim);
      const ml = await this.ml.remote();
      return await ml.scoreRecipeLikelihood(transfer(vector, [vector.buffer]));
    } catch {
      return null;
    }
  }

  /** Hands the ML worker the media its recipe model scores, once per database revision. */
  #ensureScoringMedia(modelId: string): Promise<boolean> {
    const revision = this.database.revision;
    if (this.#scoringMedia?.revision === revision) return this.#scoringMedia.promise;
    const promise = (async () => {
      const ml = await this.ml.remote();
      // The worker keeps the media of its model across revisions (lab outcomes change the revision, not the media).
      if ((await ml.recipeScoringMediaId()) === modelId) return true;
      const db = await whenDatabaseReady(this.database);
      const got = await db.recipeScoringMedia();
      if (!got || got.modelId !== modelId) return false;
      const m = got.media;
      await ml.setRecipeScoringMedia(got.modelId, transfer(m, [m.present.buffer, m.amount.buffer, m.ph.buffer, m.scored.buffer] as ArrayBuffer[]));
      return true;
    })();
    this.#scoringMedia = { revision, promise };
    promise.catch(() => {
      if (this.#scoringMedia?.promise === promise) this.#scoringMedia = null;
    });
    return promise;
  }

  /** Ranks the predicted conditions again with the recipe CVAE's likelihood (its reasons; its term when adopted). */
  async #addLikelihood(seq: number, query: GenomeQuery): Promise<void> {
    const g = this.genome;
    if (!g) return;
    const p = await this.#prepare(g);
    const cvae = await this.#likelihood(recipeConditionOfPrepared(p, p.conditions, query.domainCall));
    if (!cvae || seq !== this.#seq) return;
    const db = await whenDatabaseReady(this.database);
    const r = await db.recommend(query, { top: MEDIA_SHOWN, cvae, predicted: query === p.query ? { json: p.predicted, conditions: p.conditions } : undefined });
    if (seq !== this.#seq) return;
    const showingBaseline = this.result === this.baseline;
    this.baseline = r;
    if (showingBaseline) this.result = r;
  }

  /** Generates recipes for the conditions in use and describes them (nearest medium, checks) in the DB worker. */
  async #generateRecipes(): Promise<void> {
    const seq = ++this.#recipeSeq;
    try {
      const cur = await this.#current();
      if (!cur || seq !== this.#recipeSeq) return;
      this.recipeStatus = 'loading';
      const model = await this.#ensureRecipeModel();
      if (seq !== this.#recipeSeq) return;
      if (!model) {
        this.recipes = null;
        this.recipeModel = null;
        this.recipeStatus = 'unavailable';
        this.recipeNote = 'The database has no recipe model yet, so no recipes can be generated (a snapshot with a recipe CVAE, imported on the Database tab, adds one). The real media above are ranked without it.';
        return;
      }
      // The genome slot only means something under the genome VAE the recipe model was trained with.
      const a = this.genome ? await this.#prepare(this.genome) : null;
      const sameGenomeModel = !!a && model.genomeModelId !== null && model.genomeModelId === a.modelId;
      const genome = sameGenomeModel && cur.recipeCondition.genome?.length === model.genomeDim ? cur.recipeCondition.genome : null;
      const vector = encodeCondition({ ...cur.recipeCondition, genome }, model.genomeDim);
      const ml = await this.ml.remote();
      const vectors = await ml.generateRecipeVectors(transfer(vector, [vector.buffer]), this.recipeCount, RECIPE_SEED);
      const db = await whenDatabaseReady(this.database);
      const recipes = await db.describeRecipes(vectors.modelId, transfer(vectors, [vectors.presence.buffer, vectors.stockOnly.buffer, vectors.amount.buffer, vectors.ph.buffer] as ArrayBuffer[]));
      if (seq !== this.#recipeSeq) return;
      this.recipes = recipes;
      this.recipeConditions = cur.conditions;
      const atPredicted = this.mode === 'edit' && !!this.predictedConditions && sameConditions(this.predictedConditions, cur.conditions);
      if (atPredicted || this.baseRecipes?.length !== recipes.length) this.baseRecipes = atPredicted ? recipes : this.baseRecipes;
      this.recipeModel = vectors.modelId;
      this.recipeStatus = 'ready';
      this.recipeNote = genome ? null : 'Generated from the conditions only: the recipe model was trained with another genome model, so the genome embedding is left out.';
    } catch (e) {
      if (seq !== this.#recipeSeq) return;
      const err = serializeError(e);
      this.recipes = null;
      this.recipeStatus = 'error';
      this.recipeNote = `Recipes could not be generated: ${err.message}${err.hint ? ` — ${err.hint}` : ''}`;
    }
  }

  /**
   * Makes a genome ready for queries. After the database is open, the DB worker (the genome's row by
   * content hash, the condition prediction, which builds the ranking's evidence on first use) and the
   * ML worker (the genome model, the embedding) work at the same time.
   */
  #prepare(genome: MediaGenome, onStep?: (s: MediaStep, done: boolean) => void): Promise<Prepared> {
    const known = this.#prepared.get(genome.key);
    if (known) return known;
    const p = (async (): Promise<Prepared> => {
      const pr = genome.profile;
      onStep?.('database', false);
      const db = await whenDatabaseReady(this.database);
      onStep?.('database', true);
      const base: GenomeQuery = {
        counts: Float64Array.from(pr.counts),
        gcFraction: pr.gcFraction,
        domainCall: pr.rrna?.domainCall ?? 'unknown',
        protein: pr.protein ? proteinFeatureVector(pr.protein) : null,
        latent: null,
        genomeId: null,
        ssuRegion: pr.rrna?.ssuRegion ?? null,
      };
      const dbSide = (async () => {
        onStep?.('conditions', false);
        const knownGenome = await db.genomeOfProfile(Float64Array.from(pr.counts), pr.lengthBp);
        const predicted = await db.predictConditions(base);
        onStep?.('conditions', true);
        return { knownGenome, predicted };
      })();
      const mlSide = (async () => {
        onStep?.('model', false);
        const modelId = await this.neighbors.ensureModel();
        onStep?.('model', true);
        let latent: Float32Array | null = null;
        if (modelId) {
          onStep?.('embedding', false);
          const counts = Float64Array.from(pr.counts);
          const ml = await this.ml.remote();
          latent = (await ml.embed(transfer(counts, [counts.buffer]))).vectors;
        }
        onStep?.('embedding', true);
        return { modelId, latent };
      })();
      const [{ knownGenome, predicted }, { modelId, latent }] = await Promise.all([dbSide, mlSide]);
      const query: GenomeQuery = { ...base, latent, genomeId: knownGenome?.genomeId ?? null };
      return { query, latent, known: knownGenome, predicted: predicted.json, conditions: predicted.conditions, modelId };
    })();
    this.#prepared.set(genome.key, p);
    p.catch(() => {
      if (this.#prepared.get(genome.key) === p) this.#prepared.delete(genome.key);
    });
    return p;
  }
}

const KEY = Symbol('media');

export function setMediaStore(store: MediaStore): MediaStore {
  return setContext(KEY, store);
}

export function getMediaStore(): MediaStore {
  const store = getContext<MediaStore | undefined>(KEY);
  if (!store) throw new Error('MediaStore missing: App.svelte sets it up');
  return store;
}
