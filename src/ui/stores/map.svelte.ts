/**
 * The Map tab's state. MapStore: the genome map (every genome and record the active genome VAE
 * embedded, from the database worker), its projection (computed in the map worker, cached in the
 * database per model), colours and legend, hover/click details, box selection, search, the genomes
 * the user profiled on the Profile tab placed on the same projection, and PNG/TSV exports.
 * MediaMapStore: the media map (ingredient vectors, PCA). Shared through context.
 */
import { getContext, setContext } from 'svelte';
import { proxy, transfer } from 'comlink';
import { FEATURE_COUNT } from '../../core/kmer-layout';
import { serializeError, type SerializedAppError } from '../../core/errors';
import type { GenomeNeighbor } from '../../ml/genome-neighbors';
import { genomeColors, genusCodes, type GenomeColorBy, type Legend } from '../../map/colors';
import type { LatentDiagnostics } from '../../map/diagnostics';
import type { GroupRecommendation } from '../../map/group-recommend';
import { domainCallOf, neighborCandidatesOf, type MapGenomes } from '../../map/map-data';
import { mediaColors, type MediaColorBy, type MediaMapData } from '../../map/media-map-data';
import type { ProjectionMethod, ProjectionProgress } from '../../map/projection';
import { genomesTsv, projectionTsv, searchNames, selectInBox, type Box } from '../../map/selection';
import type { Recipe } from '../../db/queries';
import { MapClient } from '../../runs-on-page/map-client';
import type { DatabaseStore, GenomeDetail } from './database.svelte';
import type { NeighborsStore } from './neighbors.svelte';
import type { ProfilesStore } from './profiles.svelte';
import { whenDatabaseReady } from './training-run.svelte';

export type MapStatus = 'idle' | 'loading' | 'projecting' | 'ready' | 'no-model' | 'error';

/** A genome profiled on the Profile tab, placed on the map. */
export interface ProfiledPoint {
  key: number;
  name: string;
  gcFraction: number;
  lengthBp: number;
  /** Its embedding by the active model. */
  vector: Float32Array;
  x: number;
  y: number;
  method: ProjectionMethod;
}

export interface PointDetail {
  row: number;
  neighbors: GenomeNeighbor[] | null;
  detail: GenomeDetail | null;
  error: SerializedAppError | null;
  /** Media recommended for it (the Media tab's ranking; null while loading), or the reason there are none. */
  recommended?: GroupRecommendation | null;
  recommendError?: SerializedAppError | null;
}

/** Saves text or a data URL as a download. */
export function downloadFile(name: string, data: string | Blob, type = 'text/tab-separated-values'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

let jobSeq = 0;

/** Hands the map's embeddings to the map worker (transferred: `data.vectors` is emptied). */
function setMapGenomes(api: MapClient['api'], data: MapGenomes): Promise<{ n: number }> {
  const { rows, candidates } = neighborCandidatesOf(data);
  const vectors = data.vectors;
  return api.setGenomes(transfer({ modelId: data.modelId, dim: data.dim, vectors, candidateRows: rows, candidates, domainCalls: Array.from(data.domainCall, domainCallOf) }, [vectors.buffer, rows.buffer]));
}

export class MapStore {
  status = $state<MapStatus>('idle');
  error = $state.raw<SerializedAppError | null>(null);
  data = $state.raw<MapGenomes | null>(null);
  method = $state<ProjectionMethod>('pca');
  /** n × 2 of the current projection. */
  coords = $state.raw<Float32Array | null>(null);
  /** What the projection is from: computed now (ms) or read from the database cache. */
  projectionInfo = $state.raw<{ method: ProjectionMethod; source: 'computed' | 'cache'; ms: number; sampled: number | null } | null>(null);
  progress = $state.raw<ProjectionProgress | null>(null);
  colorBy = $state<GenomeColorBy>('domain');
  /** n × 4 RGBA, rebuilt when colorBy or the data change. */
  colors = $state.raw<Uint8Array | null>(null);
  legend = $state.raw<Legend | null>(null);
  hovered = $state<number | null>(null);
  detail = $state.raw<PointDetail | null>(null);
  /** Rows of the box selection. */
  selection = $state.raw<Uint32Array | null>(null);
  groupMedia = $state.raw<GroupRecommendation | null>(null);
  groupBusy = $state(false);
  profiled = $state.raw<ProfiledPoint[]>([]);
  diagnostics = $state.raw<(LatentDiagnostics & { pc1: Float32Array }) | null>(null);
  /** Incremented to make the canvas fly to `flyTarget`. */
  flyTarget = $state.raw<{ x: number; y: number; zoomBy: number; seq: number } | null>(null);
  /** Incremented to make the canvas show the whole map. */
  resetSeq = $state(0);
  /** The method being computed while status is 'projecting'. */
  pendingMethod = $state<ProjectionMethod>('pca');
  /** database + model revision the data was loaded at. */
  loadedRevision = $state<string | null>(null);

  readonly worker = new MapClient({ restore: (api) => this.#restoreWorker(api) });
  readonly database: DatabaseStore;
  readonly neighbors: NeighborsStore;
  /** The media map (same worker). */
  readonly mediaMap: MediaMapStore;
  #job = 0;
  #genus: ReturnType<typeof genusCodes> | null = null;
  #placing = new Set<number>();

  constructor(database: DatabaseStore, neighbors: NeighborsStore) {
    this.database = database;
    this.neighbors = neighbors;
    this.mediaMap = new MediaMapStore(database, this);
  }

  /** Changes when genomes are added, a snapshot imported or a model trained. */
  get revision(): string {
    return `${this.database.revision}:${this.neighbors.revision}`;
  }

  get count(): number {
    return this.data?.genomeIds.length ?? 0;
  }

  /** Loads the embedded genomes and shows the default projection (PCA, cached or computed). */
  async load(): Promise<void> {
    if (this.status === 'loading' || this.status === 'projecting') return;
    const revision = this.revision;
    this.status = 'loading';
    this.error = null;
    try {
      const db = await whenDatabaseReady(this.database);
      const data = await db.mapGenomes();
      this.loadedRevision = revision;
      if (!data) {
        this.data = null;
        this.status = 'no-model';
        return;
      }
      await setMapGenomes(this.worker.api, data);
      // The page keeps no vectors: the map worker holds them (a worker that replaces a dead one gets them again, #restoreWorker).
      this.data = { ...data, vectors: new Float32Array(0) };
      this.#genus = genusCodes(data.species);
      this.selection = null;
      this.detail = null;
      this.groupMedia = null;
      this.diagnostics = null;
      this.profiled = [];
      this.#recolor();
      await this.project(this.method);
    } catch (e) {
      this.error = serializeError(e);
      this.status = 'error';
    }
  }

  /** Shows a projection: the database's cached one for these embeddings, else computed (then cached). */
  async project(method: ProjectionMethod): Promise<void> {
    const data = this.data;
    if (!data) return;
    if (this.status === 'projecting') this.cancel();
    const job = ++jobSeq;
    this.#job = job;
    this.status = 'projecting';
    this.pendingMethod = method;
    this.progress = null;
    this.error = null;
    try {
      const db = await whenDatabaseReady(this.database);
      const cached = await db.cachedProjection(data.modelId, method, data.embeddingsHash);
      const usable = cached && cached.genomeIds.length === data.genomeIds.length && cached.genomeIds.every((id, i) => id === data.genomeIds[i]);
      const onProgress = proxy((p: ProjectionProgress) => {
        if (this.#job === job) this.progress = p;
      });
      const r = await this.worker.api.project(method, {}, job, onProgress, usable ? cached!.coords : undefined);
      if (this.#job !== job) return;
      this.method = method;
      this.coords = r.coords;
      this.projectionInfo = { method, source: usable ? 'cache' : 'computed', ms: r.ms, sampled: r.sampled };
      this.status = 'ready';
      this.progress = null;
      if (this.selection) this.selection = null;
      void this.#replaceProfiled();
      if (!usable) {
        const coords = r.coords.slice();
        const ids = Int32Array.from(data.genomeIds);
        void db
          .saveProjection(transfer({ modelId: data.modelId, method, params: r.params, embeddingsHash: data.embeddingsHash, genomeIds: ids, coords, createdAt: new Date().toISOString() }, [coords.buffer, ids.buffer]))
          .catch(() => undefined);
      }
    } catch (e) {
      if (this.#job !== job) return;
      const err = serializeError(e);
      this.progress = null;
      // A cancelled projection leaves the previous one on screen.
      if (err.code === 'CANCELLED') this.status = this.coords ? 'ready' : 'idle';
      else {
        this.error = err;
        this.status = this.coords ? 'ready' : 'error';
      }
    }
  }

  cancel(): void {
    if (this.status !== 'projecting') return;
    void this.worker.api.cancel(this.#job);
  }

  setColorBy(by: GenomeColorBy): void {
    this.colorBy = by;
    this.#recolor();
  }

  #recolor(): void {
    if (!this.data) return;
    const out = new Uint8Array(this.count * 4);
    this.legend = genomeColors(this.data, this.colorBy, out, this.#genus ?? undefined);
    this.colors = out;
  }

  /** Click on a point: its nearest genomes (map worker) and its linked media (database). */
  async showDetail(row: number | null): Promise<void> {
    if (row === null || !this.data) {
      this.detail = null;
      return;
    }
    this.detail = { row, neighbors: null, detail: null, error: null };
    const genomeId = this.data.genomeIds[row];
    try {
      const [neighbors, detail] = await Promise.all([this.worker.api.neighborsOfRow(row, 10), this.database.genomeDetail(genomeId)]);
      if (this.detail?.row === row) this.detail = { row, neighbors, detail, error: null, recommended: null };
    } catch (e) {
      if (this.detail?.row === row) this.detail = { row, neighbors: null, detail: null, error: serializeError(e) };
      return;
    }
    // Recommended media come after: the first ranking builds the media evidence (about 2 s).
    try {
      const recommended = await this.database.client.api.recommendForGroup([genomeId], 5);
      if (this.detail?.row === row) this.detail = { ...this.detail, recommended };
    } catch (e) {
      if (this.detail?.row === row) this.detail = { ...this.detail, recommendError: serializeError(e) };
    }
  }

  /** The map row of a genome id, or −1. */
  rowOf(genomeId: number): number {
    return this.data ? this.data.genomeIds.indexOf(genomeId) : -1;
  }

  search(query: string): number[] {
    return this.data ? searchNames(this.data.names, query, 8) : [];
  }

  /** Centres the view on a point (zooming in) and opens its details. */
  flyTo(row: number): void {
    if (!this.coords) return;
    this.flyTarget = { x: this.coords[row * 2], y: this.coords[row * 2 + 1], zoomBy: 3, seq: (this.flyTarget?.seq ?? 0) + 1 };
    void this.showDetail(row);
  }

  resetView(): void {
    this.resetSeq++;
  }

  flyToPoint(x: number, y: number): void {
    this.flyTarget = { x, y, zoomBy: 3, seq: (this.flyTarget?.seq ?? 0) + 1 };
  }

  selectBox(box: Box): void {
    if (!this.coords) return;
    const rows = selectInBox(this.coords, box);
    this.selection = rows.length ? rows : null;
    this.groupMedia = null;
  }

  clearSelection(): void {
    this.selection = null;
    this.groupMedia = null;
  }

  selectionTsv(): string {
    return this.data && this.coords && this.selection ? genomesTsv(this.data, this.coords, this.selection) : '';
  }

  exportSelection(): void {
    downloadFile(`mediaforge-map-selection-${this.selection?.length ?? 0}.tsv`, this.selectionTsv());
  }

  exportProjection(): void {
    if (this.data && this.coords) downloadFile(`mediaforge-map-${this.method}-${this.data.modelId}.tsv`, projectionTsv(this.data, this.coords, this.method));
  }

  /** Media for the selected group (each member's ranking pooled, in the database worker). */
  async recommendForSelection(): Promise<void> {
    if (!this.data || !this.selection) return;
    this.groupBusy = true;
    try {
      const ids = Array.from(this.selection, (r) => this.data!.genomeIds[r]);
      this.groupMedia = await this.database.client.api.recommendForGroup(ids, 20);
    } catch (e) {
      this.error = serializeError(e);
    } finally {
      this.groupBusy = false;
    }
  }

  /** Places the Profile tab's finished genomes on the map (embedded by the active model in the ML worker). */
  async placeProfiles(profiles: ProfilesStore): Promise<void> {
    if (!this.coords || !this.data) return;
    const method = this.method;
    const known = new Set(this.profiled.map((p) => p.key));
    const todo = profiles.finished.filter((j) => !known.has(j.key) && !this.#placing.has(j.key) && j.profile);
    if (!todo.length) return;
    todo.forEach((j) => this.#placing.add(j.key));
    try {
      const modelId = await this.neighbors.ensureModel();
      if (!modelId) return;
      const counts = new Float64Array(todo.length * FEATURE_COUNT);
      todo.forEach((j, i) => counts.set(j.profile!.counts, i * FEATURE_COUNT));
      const ml = await this.neighbors.ml.remote();
      const emb = await ml.embed(transfer(counts, [counts.buffer]));
      const xy = await this.worker.api.place(method, emb.vectors.slice(), emb.dim);
      if (this.method !== method) return;
      const added = todo.map((j, i) => ({ key: j.key, name: j.name, gcFraction: j.profile!.gcFraction, lengthBp: j.profile!.lengthBp, vector: emb.vectors.slice(i * emb.dim, (i + 1) * emb.dim), x: xy[i * 2], y: xy[i * 2 + 1], method }));
      this.profiled = [...this.profiled, ...added];
    } catch (e) {
      this.error = serializeError(e);
    } finally {
      todo.forEach((j) => this.#placing.delete(j.key));
    }
  }

  /** After a new projection: the profiled genomes move to their place on it. */
  async #replaceProfiled(): Promise<void> {
    const pts = this.profiled;
    if (!pts.length) return;
    const dim = pts[0].vector.length;
    const vectors = new Float32Array(pts.length * dim);
    pts.forEach((p, i) => vectors.set(p.vector, i * dim));
    const method = this.method;
    const xy = await this.worker.api.place(method, vectors, dim);
    this.profiled = pts.map((p, i) => ({ ...p, x: xy[i * 2], y: xy[i * 2 + 1], method }));
  }

  /**
   * A map worker that replaces a dead one holds no embeddings: they are read from the database
   * again (the same ones, unless the model changed since: then the map loads again anyway).
   */
  async #restoreWorker(api: MapClient['api']): Promise<void> {
    const shown = this.data;
    if (!shown) return;
    const data = await (await whenDatabaseReady(this.database)).mapGenomes();
    if (data && data.modelId === shown.modelId) await setMapGenomes(api, data);
  }

  /** The error's "Try again": the projection that failed (or the whole map, if none is shown). */
  retry(): Promise<void> {
    this.error = null;
    return this.coords && this.data ? this.project(this.pendingMethod) : this.load();
  }

  async loadDiagnostics(): Promise<void> {
    if (!this.data || this.diagnostics) return;
    this.diagnostics = await this.worker.api.diagnostics(this.data.gcFraction.slice());
  }

  dispose(): void {
    this.worker.dispose();
  }
}

export class MediaMapStore {
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state.raw<SerializedAppError | null>(null);
  data = $state.raw<Omit<MediaMapData, 'features'> | null>(null);
  coords = $state.raw<Float32Array | null>(null);
  explained = $state.raw<number[]>([]);
  colorBy = $state<MediaColorBy>('complex');
  colors = $state.raw<Uint8Array | null>(null);
  legend = $state.raw<Legend | null>(null);
  recipe = $state.raw<Recipe | null>(null);
  ms = $state(0);
  readonly database: DatabaseStore;
  readonly map: MapStore;

  constructor(database: DatabaseStore, map: MapStore) {
    this.database = database;
    this.map = map;
  }

  async load(): Promise<void> {
    if (this.status === 'loading' || this.status === 'ready') return;
    this.status = 'loading';
    this.error = null;
    try {
      const db = await whenDatabaseReady(this.database);
      const d = await db.mediaMap();
      const { features, ...rest } = d;
      const r = await this.map.worker.api.projectMedia(transfer(features, [features.buffer]), d.featureDim);
      this.data = rest;
      this.coords = r.coords;
      this.explained = r.explained;
      this.ms = r.ms;
      this.setColorBy(this.colorBy);
      this.status = 'ready';
    } catch (e) {
      this.error = serializeError(e);
      this.status = 'error';
    }
  }

  setColorBy(by: MediaColorBy): void {
    this.colorBy = by;
    if (!this.data) return;
    const out = new Uint8Array(this.data.mediumIds.length * 4);
    this.legend = mediaColors({ ...this.data, features: new Float32Array(0) }, by, out);
    this.colors = out;
  }

  async showRecipe(row: number | null): Promise<void> {
    this.recipe = row === null || !this.data ? null : await this.database.client.api.getRecipe(this.data.mediumIds[row]);
  }
}

const KEY = Symbol('map');
export function setMapStore(store: MapStore): MapStore {
  return setContext(KEY, store);
}

export function getMapStore(): MapStore {
  const store = getContext<MapStore | undefined>(KEY);
  if (!store) throw new Error('MapStore missing: App.svelte sets it up');
  return store;
}

