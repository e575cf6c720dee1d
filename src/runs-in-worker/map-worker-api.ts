/**
 * The map worker's logic (workers/map.worker.ts only exposes it): projections of the genome
 * embeddings (PCA, UMAP with progress and cancel), placing new genomes on the current map, the
 * nearest genomes of a point (the same GenomeNeighborIndex as the Profile page's search), latent
 * diagnostics and the media map's projection. The page never runs these loops.
 */
import { transfer } from 'comlink';
import { AppError } from '../core/errors';
import { yieldToEventLoop } from '../core/yield';
import { GenomeNeighborIndex, type DomainCall, type GenomeNeighbor, type NeighborCandidate } from '../ml/genome-neighbors';
import { latentDiagnostics, type LatentDiagnostics } from '../map/diagnostics';
import { fitPca, projectPca } from '../map/pca';
import { centreCoords, placePoints, projectWithPca, projectWithUmap, type Placer, type ProjectionMethod, type ProjectionProgress, type UmapParams } from '../map/projection';
import { normalizeRows } from '../map/vectors';

export interface MapGenomeInput {
  modelId: string;
  dim: number;
  /** n × dim (transferred). */
  vectors: Float32Array;
  /** Rows of the neighbour candidates (genome-level records) and what the list shows of them. */
  candidateRows: Int32Array;
  candidates: NeighborCandidate[];
  /** Domain call of every row (for the marker agreement of a clicked point). */
  domainCalls: DomainCall[];
}

export interface ProjectionResult {
  method: ProjectionMethod;
  params: Record<string, number | boolean | string>;
  /** n × 2 (transferred). */
  coords: Float32Array;
  sampled: number | null;
  ms: number;
}

let genomes: (MapGenomeInput & { n: number; index: GenomeNeighborIndex; rowOfCandidate: Int32Array }) | null = null;
const placers = new Map<ProjectionMethod, Placer>();
const cancelledJobs = new Set<number>();

function held() {
  if (!genomes) throw new AppError('INTERNAL', 'the map worker has no embeddings yet');
  return genomes;
}

export const mapWorkerApi = {
  /** Takes the embeddings of the map (replaces earlier ones and forgets fitted projections). */
  setGenomes(input: MapGenomeInput): { n: number } {
    const n = input.vectors.length / input.dim;
    const vectors = input.candidateRows.length ? new Float32Array(input.candidateRows.length * input.dim) : new Float32Array(0);
    input.candidateRows.forEach((row, i) => vectors.set(input.vectors.subarray(row * input.dim, (row + 1) * input.dim), i * input.dim));
    const rowOfCandidate = new Int32Array(n).fill(-1);
    input.candidateRows.forEach((row, i) => (rowOfCandidate[row] = i));
    genomes = { ...input, n, index: new GenomeNeighborIndex(input.modelId, vectors, input.dim, input.candidates), rowOfCandidate };
    placers.clear();
    return { n };
  },

  /**
   * Projects the held embeddings. `jobId` lets `cancel(jobId)` stop it (it then throws CANCELLED).
   * With `cached` coordinates (from the database) nothing is fitted again except what placing new
   * points needs (PCA: the model, instant; UMAP: the cached map itself, placed by nearest rows).
   */
  async project(method: ProjectionMethod, params: UmapParams, jobId: number, onProgress?: (p: ProjectionProgress) => void, cached?: Float32Array): Promise<ProjectionResult> {
    const g = held();
    const t0 = performance.now();
    let last = 0;
    const tick = async () => {
      await yieldToEventLoop();
      return !cancelledJobs.has(jobId);
    };
    const progress = (p: ProjectionProgress) => {
      const t = performance.now();
      if (t - last > 100 || p.phase === 'done') {
        last = t;
        onProgress?.(p);
      }
    };
    try {
      if (cached && cached.length === g.n * 2) {
        if (method === 'pca') placers.set('pca', projectWithPca(g.vectors, g.dim).placer);
        else placers.set('umap', { method: 'umap', fitted: normalizeRows(g.vectors, g.dim), fittedCoords: cached, dim: g.dim });
        const coords = cached.slice();
        return transfer({ method, params: {}, coords, sampled: null, ms: performance.now() - t0 }, [coords.buffer]);
      }
      const p = method === 'pca' ? projectWithPca(g.vectors, g.dim) : await projectWithUmap(g.vectors, g.dim, params, { onProgress: progress, tick });
      placers.set(method, p.placer);
      const coords = p.coords.slice();
      return transfer({ method, params: p.params, coords, sampled: p.sampled, ms: performance.now() - t0 }, [coords.buffer]);
    } finally {
      cancelledJobs.delete(jobId);
    }
  },

  cancel(jobId: number): void {
    cancelledJobs.add(jobId);
  },

  /** Positions (m × 2) of new embeddings (m × dim) on a fitted projection. */
  async place(method: ProjectionMethod, vectors: Float32Array, dim: number): Promise<Float32Array> {
    const placer = placers.get(method);
    if (!placer) throw new AppError('INTERNAL', `no ${method} projection to place points on yet`);
    const out = await placePoints(placer, vectors, dim);
    return transfer(out, [out.buffer]);
  },

  /** The k nearest genome-level database genomes of map row `row` (itself left out). */
  neighborsOfRow(row: number, k = 10): GenomeNeighbor[] {
    const g = held();
    if (row < 0 || row >= g.n) throw new AppError('BAD_OPTION', `no map point ${row}`);
    const self = g.rowOfCandidate[row];
    const q = g.vectors.subarray(row * g.dim, (row + 1) * g.dim);
    const selfId = self >= 0 ? g.candidates[self].genomeId : -1;
    return g.index.search(q, k, g.domainCalls[row] ?? 'unknown', selfId >= 0 ? (c) => c.genomeId === selfId : undefined);
  },

  /** The k nearest database genomes of an embedding (a profiled genome on the map). */
  neighborsOfVector(vector: Float32Array, call: DomainCall, k = 10): GenomeNeighbor[] {
    return held().index.search(vector, k, call);
  },

  /** Random-pair and nearest-neighbour cosine distances, and PC1 against GC (gc: n values, NaN unknown). */
  diagnostics(gc: Float32Array): LatentDiagnostics & { pc1: Float32Array } {
    const g = held();
    const unit = normalizeRows(g.vectors, g.dim);
    const pca = fitPca(unit, g.dim, 1);
    const pc1 = projectPca(pca, unit);
    const d = latentDiagnostics(g.vectors, g.dim, pc1, gc);
    return transfer({ ...d, pc1 }, [pc1.buffer]);
  },

  /** PCA of the media's ingredient vectors (n × dim), scaled into [-1, 1]. */
  projectMedia(features: Float32Array, dim: number): { coords: Float32Array; explained: number[]; ms: number } {
    const t0 = performance.now();
    const pca = fitPca(features, dim, 2);
    const coords = projectPca(pca, features);
    // A handful of unusual recipes sit far out on PC1/PC2: scale by the 1–99 % range of the bulk.
    centreCoords(coords, 0.01);
    return transfer({ coords, explained: Array.from(pca.explained), ms: performance.now() - t0 }, [coords.buffer]);
  },
};

export type MapWorkerApi = typeof mapWorkerApi;
