/**
 * Nearest genomes of a query embedding, among the genomes of the database embedded by one model.
 * similarity = (1 − w)·cosine(latent) + w·agreement(marker-gene domain evidence), in [−1, 1]:
 * composition finds the neighbourhood, rRNA signature sites keep an archaeon among archaea
 * (see src/core/rrna-markers.ts). Pure: Node (CLI) and the search worker use it alike.
 */
import type { Database } from 'sql.js';
import { DOMAIN_AGREEMENT_WEIGHT } from '../core/rrna-markers';
import { loadDomainCalls, loadEmbeddings } from '../db/models';
import { ExactCosineIndex, type SearchOptions, type SearchResult } from './search/exact-cosine';
import { IvfCosineIndex } from './search/ivf-index';

export const NEIGHBOR_DOMAINS = ['bacteria', 'archaea', 'fungi', 'protist', 'virus', 'plasmid', 'unknown'] as const;
export type NeighborDomain = (typeof NEIGHBOR_DOMAINS)[number];

export type DomainCall = 'bacteria' | 'archaea' | 'eukarya' | 'unknown';

/** Record types that stand for a whole genome (or replicon), searched by default. */
export const GENOME_LEVEL_RECORD_TYPES = ['genome', 'chromosome', 'plasmid', 'virus_genome'] as const;

export interface NeighborCandidate {
  genomeId: number;
  name: string;
  species: string | null;
  organismType: string;
  recordType: string;
  gcFraction: number | null;
  lengthBp: number;
  origin: string;
  domainCall: DomainCall;
}

export interface GenomeNeighbor {
  genome_id: number;
  name: string;
  species: string | null;
  domain: NeighborDomain;
  /** (1 − w)·cosine + w·marker agreement; neighbours are sorted by it, highest first. */
  similarity: number;
  /** Cosine of the latent vectors. */
  cosine: number;
  /** +1 same rRNA domain evidence, −1 conflicting, 0 unknown on either side. */
  marker_agreement: number;
  record_type: string;
  gc_fraction: number | null;
  length_bp: number;
}

export function domainOf(organismType: string): NeighborDomain {
  return (NEIGHBOR_DOMAINS as readonly string[]).includes(organismType) ? (organismType as NeighborDomain) : 'unknown';
}

/** +1 when both calls name the same domain, −1 when they differ, 0 when either is unknown. */
export function markerAgreement(a: DomainCall, b: DomainCall): number {
  if (a === 'unknown' || b === 'unknown') return 0;
  return a === b ? 1 : -1;
}

/** Weight of the marker agreement in the similarity (measured: src/core/rrna-markers.ts, README "Nearest genomes"). */
export const MARKER_WEIGHT = DOMAIN_AGREEMENT_WEIGHT;

export interface NeighborIndexOptions {
  /** Also search contigs, 3 kb fragments and metagenome contigs. @default false */
  includeRecords?: boolean;
  markerWeight?: number;
  /** Above this many candidates the approximate IVF index is used instead of exact search. @default 100000 */
  approximateAbove?: number;
}

/** Exact search up to this many candidates; the IVF-flat index above (recall@10 = 1.0 at 1M, see README). */
export const APPROXIMATE_ABOVE = 100_000;

export class GenomeNeighborIndex {
  readonly modelId: string;
  readonly candidates: NeighborCandidate[];
  private readonly index: { dim: number; search(q: Float32Array, k: number, o?: SearchOptions): SearchResult };
  /** 'exact' or 'ivf' (approximate, for large databases). */
  readonly method: 'exact' | 'ivf';
  private readonly calls: Int8Array;
  private readonly w: number;

  constructor(modelId: string, vectors: Float32Array, dim: number, candidates: NeighborCandidate[], options: NeighborIndexOptions = {}) {
    this.modelId = modelId;
    this.candidates = candidates;
    const approximate = candidates.length > (options.approximateAbove ?? APPROXIMATE_ABOVE);
    this.method = approximate ? 'ivf' : 'exact';
    this.index = approximate ? IvfCosineIndex.build(vectors, dim) : new ExactCosineIndex(vectors, dim);
    this.calls = Int8Array.from(candidates, (c) => (c.domainCall === 'bacteria' ? 1 : c.domainCall === 'archaea' ? 2 : c.domainCall === 'eukarya' ? 3 : 0));
    this.w = options.markerWeight ?? MARKER_WEIGHT;
  }

  get size(): number {
    return this.candidates.length;
  }

  get dim(): number {
    return this.index.dim;
  }

  /** The k nearest candidates of a latent vector, with the query's own domain call. */
  search(query: Float32Array, k: number, queryCall: DomainCall = 'unknown', exclude?: (c: NeighborCandidate) => boolean): GenomeNeighbor[] {
    const n = this.candidates.length;
    const qc = queryCall === 'bacteria' ? 1 : queryCall === 'archaea' ? 2 : queryCall === 'eukarya' ? 3 : 0;
    // A query without rRNA evidence is ranked by composition alone: similarity = cosine.
    const w = qc === 0 ? 0 : this.w;
    // similarity = (1−w)·cos + w·agr = (1−w)·(cos + w/(1−w)·agr): rank on cos + extra, report scaled.
    const extra = new Float32Array(n);
    if (qc !== 0 && w > 0) for (let i = 0; i < n; i++) if (this.calls[i] !== 0) extra[i] = ((this.calls[i] === qc ? 1 : -1) * w) / (1 - w);
    let excludeMask: Uint8Array | undefined;
    if (exclude) {
      excludeMask = new Uint8Array(n);
      this.candidates.forEach((c, i) => (excludeMask![i] = exclude(c) ? 1 : 0));
    }
    const r = this.index.search(query, k, { extraScore: extra, exclude: excludeMask });
    return Array.from(r.indices, (row, i) => {
      const c = this.candidates[row];
      const agreement = qc !== 0 && this.calls[row] !== 0 ? (this.calls[row] === qc ? 1 : -1) : 0;
      const cosine = r.scores[i] - extra[row];
      return {
        genome_id: c.genomeId,
        name: c.name,
        species: c.species,
        domain: domainOf(c.organismType),
        similarity: round((1 - w) * cosine + w * agreement),
        cosine: round(cosine),
        marker_agreement: agreement,
        record_type: c.recordType,
        gc_fraction: c.gcFraction,
        length_bp: c.lengthBp,
      };
    });
  }
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

export interface NeighborData {
  modelId: string;
  dim: number;
  /** Row-major candidates × dim. */
  vectors: Float32Array;
  candidates: NeighborCandidate[];
}

/** The candidates of a database embedded by one model, with their vectors (plain data: it crosses workers). */
export function neighborDataFromDb(db: Database, modelId: string, options: NeighborIndexOptions = {}): NeighborData {
  const emb = loadEmbeddings(db, modelId);
  const calls = loadDomainCalls(db);
  const types = options.includeRecords ? null : new Set<string>(GENOME_LEVEL_RECORD_TYPES);
  const meta = new Map<number, NeighborCandidate>();
  const r = db.exec(
    `SELECT g.id, g.name, g.species, g.organism_type, g.record_type, g.gc_fraction, g.length_bp, g.origin
       FROM genomes g JOIN genome_embeddings e ON e.genome_id = g.id AND e.model_id = ?`,
    [modelId],
  );
  for (const [id, name, species, ot, rt, gc, len, origin] of r[0]?.values ?? []) {
    if (types && !types.has(String(rt))) continue;
    const genomeId = Number(id);
    meta.set(genomeId, {
      genomeId,
      name: String(name),
      species: species === null ? null : String(species),
      organismType: String(ot),
      recordType: String(rt),
      gcFraction: gc === null ? null : Number(gc),
      lengthBp: Number(len),
      origin: String(origin),
      domainCall: calls.get(genomeId) ?? 'unknown',
    });
  }
  const rows: number[] = [];
  const candidates: NeighborCandidate[] = [];
  emb.genomeIds.forEach((id, i) => {
    const c = meta.get(id);
    if (!c) return;
    rows.push(i);
    candidates.push(c);
  });
  const vectors = new Float32Array(rows.length * emb.dim);
  rows.forEach((row, i) => vectors.set(emb.vectors.subarray(row * emb.dim, (row + 1) * emb.dim), i * emb.dim));
  return { modelId, dim: emb.dim, vectors, candidates };
}

/** The neighbour index of a database for one model (the genomes it embedded). */
export function neighborIndexFromDb(db: Database, modelId: string, options: NeighborIndexOptions = {}): GenomeNeighborIndex {
  const d = neighborDataFromDb(db, modelId, options);
  return new GenomeNeighborIndex(d.modelId, d.vectors, d.dim, d.candidates, options);
}
