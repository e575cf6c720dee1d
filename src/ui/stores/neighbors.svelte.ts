/**
 * Nearest database genomes of each file profiled on the Profile page, by the active genome VAE.
 * The db worker hands the active model and its embeddings to the ML worker once (and again after a
 * new model is trained); each profile is embedded and searched there. Only the k-mer profile is
 * sent: file names and headers play no part. Genomes added to the database are embedded by the same
 * model first (addGenomes), and the index is refreshed so they are offered as neighbours at once.
 * Shared through context.
 */
import { getContext, setContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { transfer } from 'comlink';
import { serializeError, type SerializedAppError } from '../../core/errors';
import { FEATURE_COUNT } from '../../core/kmer-layout';
import type { GenomeProfile } from '../../core/profile-types';
import type { GenomeNeighbor } from '../../ml/genome-neighbors';
import type { MlClient } from '../../runs-on-page/ml-client';
import type { AddedGenome, GenomeEmbeddings, ProfiledGenome } from '../../runs-in-worker/db-worker-api';
import type { NeighborModelData } from '../../runs-in-worker/ml-worker-api';
import type { DatabaseStore } from './database.svelte';
import { whenDatabaseReady } from './training-run.svelte';
import type { TrainingStore } from './training.svelte';

/** Neighbours shown per file. */
export const NEIGHBOR_COUNT = 5;

export type NeighborStatus = 'loading' | 'done' | 'no-model' | 'error';

export interface NeighborResult {
  status: NeighborStatus;
  /** The model revision the result belongs to. */
  revision: number;
  modelId?: string;
  neighbors?: GenomeNeighbor[];
  error?: SerializedAppError;
  /** Embedding + search time in the worker round trip, ms. */
  ms?: number;
}

function whenIdle(timeoutMs = 1000): Promise<void> {
  return new Promise((ok) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => ok(), { timeout: timeoutMs });
    else setTimeout(ok, 50);
  });
}

export class NeighborsStore {
  /** By ProfileJob key. */
  readonly results = new SvelteMap<number, NeighborResult>();
  readonly ml: MlClient;
  readonly database: DatabaseStore;
  readonly training: TrainingStore;
  /** The model the ML worker holds; `generation`: which worker (a restarted worker holds none). */
  #model: { revision: number; generation: number; promise: Promise<string | null> } | null = null;
  /** Bumped when the candidates change under the same model (genomes added). */
  #indexRevision = $state(0);

  constructor(ml: MlClient, database: DatabaseStore, training: TrainingStore) {
    this.ml = ml;
    this.database = database;
    this.training = training;
  }

  /** Changes when a new model becomes active or genomes join the index (components re-request then). */
  get revision(): number {
    // Both only grow, so the sum does too (#set relies on it).
    return this.training.modelRevision + this.#indexRevision;
  }

  /** Finds the neighbours of a job's profile (once per job and model). */
  async request(key: number, profile: GenomeProfile): Promise<void> {
    const revision = this.revision;
    const known = this.results.get(key);
    if (known && known.revision === revision && known.status !== 'error') return;
    this.results.set(key, { status: 'loading', revision });
    try {
      // The first search opens the database and starts tfjs: let the page finish what it is doing.
      if (!this.#model) await whenIdle();
      const modelId = await this.ensureModel(revision);
      if (!modelId) {
        this.#set(key, { status: 'no-model', revision });
        return;
      }
      const t0 = performance.now();
      const counts = Float64Array.from(profile.counts);
      const ml = await this.ml.remote();
      const r = await ml.neighbors(transfer(counts, [counts.buffer]), NEIGHBOR_COUNT, profile.rrna?.domainCall ?? 'unknown');
      this.#set(key, { status: 'done', revision, modelId: r.modelId, neighbors: r.neighbors, ms: performance.now() - t0 });
    } catch (e) {
      this.#set(key, { status: 'error', revision, error: serializeError(e) });
    }
  }

  forget(key: number): void {
    this.results.delete(key);
  }

  /**
   * Adds profiled genomes to the database, each with its embedding by the active genome VAE (in
   * the ML worker) and its rRNA evidence; then refreshes the neighbour index, so they are offered
   * as neighbours from now on. Without a model (or when embedding fails) they are added without,
   * and `note` says so: training a model embeds every genome with a profile.
   */
  async addGenomes(genomes: ProfiledGenome[]): Promise<{ added: AddedGenome[] | null; note: string | null }> {
    let embeddings: GenomeEmbeddings | undefined;
    let note: string | null = null;
    try {
      const modelId = await this.ensureModel();
      if (modelId) {
        const counts = new Float64Array(genomes.length * FEATURE_COUNT);
        genomes.forEach((g, i) => counts.set(g.counts, i * FEATURE_COUNT));
        const ml = await this.ml.remote();
        embeddings = await ml.embed(transfer(counts, [counts.buffer]));
      } else note = 'not embedded: the database has no genome model yet (training one on the Model tab embeds every genome)';
    } catch (e) {
      note = `not embedded (${serializeError(e).message}); training a model on the Model tab embeds every genome`;
    }
    const added = await this.database.addGenomes(genomes, embeddings);
    if (added && embeddings) {
      try {
        await this.refreshIndex();
      } catch (e) {
        note = `embedded, but the neighbour search could not be refreshed (${serializeError(e).message}): reload the page`;
      }
    }
    return { added, note };
  }

  /** Loads the active model's candidates into the ML worker again (after genomes were added). */
  async refreshIndex(): Promise<string | null> {
    const db = await whenDatabaseReady(this.database);
    const ml = await this.ml.remote();
    const [active, held] = await Promise.all([db.activeModelId(), ml.neighborModelId()]);
    if (!active) return null;
    const data = await db.neighborModelData(held !== active);
    const modelId = data ? await this.#load(data) : null;
    this.#indexRevision++;
    this.#model = { revision: this.revision, generation: this.ml.generation, promise: Promise.resolve(modelId) };
    return modelId;
  }

  /** Makes the ML worker hold the active model and its neighbour index; the model id or null. */
  ensureModel(revision = this.revision): Promise<string | null> {
    if (this.#model && this.#model.revision === revision && this.#model.generation === this.ml.generation) return this.#model.promise;
    const promise = (async () => {
      const db = await whenDatabaseReady(this.database);
      const id = await db.activeModelId();
      if (!id) return null;
      const ml = await this.ml.remote();
      if ((await ml.neighborModelId()) === id) return id;
      const data = await db.neighborModelData();
      return data ? this.#load(data) : null;
    })();
    this.#model = { revision, generation: this.ml.generation, promise };
    promise.catch(() => {
      if (this.#model?.promise === promise) this.#model = null;
    });
    return promise;
  }

  /** Only the newest request of a key may write its result. */
  #set(key: number, r: NeighborResult): void {
    const cur = this.results.get(key);
    if (!cur || cur.revision <= r.revision) this.results.set(key, r);
  }

  async #load(data: NeighborModelData): Promise<string> {
    const ml = await this.ml.remote();
    const buffers = [data.vectors.buffer, data.genomeIds.buffer] as ArrayBuffer[];
    if (data.model.weights) buffers.push(data.model.weights.buffer as ArrayBuffer);
    return (await ml.setNeighborModel(transfer(data, buffers))).modelId;
  }
}

const KEY = Symbol('neighbors');

export function setNeighborsStore(store: NeighborsStore): NeighborsStore {
  return setContext(KEY, store);
}

export function getNeighborsStore(): NeighborsStore {
  const store = getContext<NeighborsStore | undefined>(KEY);
  if (!store) throw new Error('NeighborsStore missing: App.svelte sets it up');
  return store;
}
