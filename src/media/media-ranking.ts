/**
 * Ranking real MediaDive media for a genome, and the leave-genus-out evaluation of the rankers
 * (`mediaforge eval media`). Pure sql.js + typed arrays: Node and the workers.
 *
 * Rankers (each returns medium ids, best first, with a score):
 * - `popular`: the media most used by BacDive strains of the genome's domain (a baseline).
 * - `kmer4Neighbors`: media of the k nearest linked genomes by 4-mer CLR cosine, weighted by
 *   similarity × growth confidence (KOMODO-style baseline).
 * - `latentNeighbors`: the same over the genome-VAE neighbours (latent cosine + rRNA agreement).
 * Leave-genus-out: the genome's own genus is removed from every source of evidence — linked genomes
 * and BacDive strains alike — before its media are ranked.
 */
import type { Database } from 'sql.js';
import { FEATURE_COUNT } from '../core/kmer-layout';
import { getGenomeCounts } from '../db/genomes';
import { loadDomainCalls, loadEmbeddings, type EmbeddingMatrix } from '../db/models';
import { clrTransform, K_BLOCKS } from '../ml/clr';
import { markerAgreement, MARKER_WEIGHT, type DomainCall } from '../ml/genome-neighbors';
import { genusOf } from '../ml/genus-split';

export interface LinkedGenome {
  genomeId: number;
  name: string;
  species: string | null;
  genus: string | null;
  organismType: string;
  /** Known media (genome_growth, growth = yes) → best confidence. */
  media: Map<string, number>;
  domainCall: DomainCall;
  /** Unit-length 4-mer CLR vector (136). */
  tetra: Float32Array;
  /** Unit-length latent vector of the active model, or null. */
  latent: Float32Array | null;
}

export interface RankedMedium {
  mediumId: string;
  score: number;
}

export interface StrainMediumRow {
  genus: string | null;
  domain: string | null;
  mediumId: string;
}

/** `v` scaled to unit length (a zero vector stays zero). */
export function unitVector(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  return v.map((x) => x * inv);
}

/** The dot product of two vectors of one length (the cosine, for unit vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The active model's embeddings and the rRNA domain calls, read once for loadLinkedGenomes and loadGenusCarriers. */
export interface LoadedVectors {
  emb: EmbeddingMatrix | null;
  calls: Map<number, DomainCall>;
}

/**
 * Every genome with a profile and at least one known medium, with the vectors the rankers use;
 * `include` adds genomes without known media (those with lab outcomes, recommend.ts).
 */
export function loadLinkedGenomes(db: Database, modelId: string | null, options: { include?: ReadonlySet<number> } & Partial<LoadedVectors> = {}): LinkedGenome[] {
  const calls = options.calls ?? loadDomainCalls(db);
  const emb = options.emb !== undefined ? options.emb : modelId ? loadEmbeddings(db, modelId) : null;
  const row = new Map(emb ? Array.from(emb.genomeIds, (g, i) => [g, i] as [number, number]) : []);
  const media = new Map<number, Map<string, number>>();
  for (const [g, m, c] of db.exec("SELECT genome_id, medium_id, confidence FROM genome_growth WHERE growth = 'yes'")[0]?.values ?? []) {
    const map = media.get(Number(g)) ?? new Map<string, number>();
    map.set(String(m), Number(c));
    media.set(Number(g), map);
  }
  const out: LinkedGenome[] = [];
  const b4 = K_BLOCKS[3];
  for (const [id, name, species, ot] of db.exec('SELECT g.id, g.name, g.species, g.organism_type FROM genomes g JOIN genome_profiles p ON p.genome_id = g.id ORDER BY g.id')[0]?.values ?? []) {
    const genomeId = Number(id);
    let m = media.get(genomeId);
    if (!m) {
      if (!options.include?.has(genomeId)) continue;
      m = new Map();
    }
    const counts = getGenomeCounts(db, genomeId)!;
    const clr = clrTransform(counts, 'per-k');
    const r = row.get(genomeId);
    out.push({
      genomeId,
      name: String(name),
      species: species === null ? null : String(species),
      genus: genusOf(species === null ? null : String(species), String(ot)),
      organismType: String(ot),
      media: m,
      domainCall: calls.get(genomeId) ?? 'unknown',
      tetra: unitVector(clr.slice(b4.start, b4.end)),
      latent: emb && r !== undefined ? unitVector(emb.vectors.slice(r * emb.dim, (r + 1) * emb.dim)) : null,
    });
  }
  return out;
}

/**
 * A labelled genome or record of the database that names a genus with BacDive evidence, whatever
 * its own media: a genome, a chromosome or a contig of a strain collection. The media ranking's
 * genus route uses them (recommend.ts), so that a query whose nearest relatives in the database
 * have no known media of their own (e.g. the 1,414 *Vibrio cholerae* records) still gets the media
 * of its relatives' genus. Plasmids, 3 kb fragments and metagenome contigs are not the organism
 * (or have no genus) and are left out.
 */
export interface GenusCarrier {
  genomeId: number;
  name: string;
  genus: string;
  /** The rRNA call, else the labelled organism type (bacteria/archaea), else unknown. */
  domainCall: DomainCall;
  /** Unit-length latent vector of the active model. */
  latent: Float32Array;
}

const CARRIER_RECORD_TYPES = ['genome', 'chromosome', 'contig_or_scaffold'];

/** Every embedded, labelled genome or record whose genus passes `hasEvidence` (genomes in `skip` left out). */
export function loadGenusCarriers(db: Database, modelId: string | null, hasEvidence: (genus: string) => boolean, skip: ReadonlySet<number> = new Set(), loaded: Partial<LoadedVectors> = {}): GenusCarrier[] {
  if (!modelId) return [];
  const emb = loaded.emb ?? loadEmbeddings(db, modelId);
  const row = new Map(Array.from(emb.genomeIds, (g, i) => [g, i] as [number, number]));
  const calls = loaded.calls ?? loadDomainCalls(db);
  const out: GenusCarrier[] = [];
  const sql = `SELECT id, name, species, organism_type FROM genomes WHERE species IS NOT NULL AND record_type IN (${CARRIER_RECORD_TYPES.map(() => '?').join(',')}) ORDER BY id`;
  for (const [id, name, species, ot] of db.exec(sql, CARRIER_RECORD_TYPES)[0]?.values ?? []) {
    const genomeId = Number(id);
    const r = row.get(genomeId);
    if (r === undefined || skip.has(genomeId)) continue;
    const genus = genusOf(String(species), String(ot));
    if (!genus || !hasEvidence(genus)) continue;
    const call = calls.get(genomeId) ?? 'unknown';
    out.push({
      genomeId,
      name: String(name),
      genus,
      domainCall: call !== 'unknown' ? call : ot === 'bacteria' || ot === 'archaea' ? ot : 'unknown',
      latent: unitVector(emb.vectors.slice(r * emb.dim, (r + 1) * emb.dim)),
    });
  }
  return out;
}

/** 4-mer CLR unit vector of a profile (for a query genome). */
export function tetraVector(counts: ArrayLike<number>): Float32Array {
  if (counts.length !== FEATURE_COUNT) throw new Error('tetraVector: expected a 2,772-feature profile');
  const b4 = K_BLOCKS[3];
  return unitVector(clrTransform(counts, 'per-k').slice(b4.start, b4.end));
}

/** BacDive strain → medium links with the strain's genus and domain (for the popularity baseline). */
export function loadStrainMedia(db: Database): StrainMediumRow[] {
  return (db.exec("SELECT s.species, s.domain, sg.medium_id FROM strain_growth sg JOIN strains s ON s.id = sg.strain_id WHERE sg.growth = 'yes'")[0]?.values ?? []).map(([sp, d, m]) => ({
    genus: genusOf(sp === null ? null : String(sp)),
    domain: d === null ? null : String(d).toLowerCase(),
    mediumId: String(m),
  }));
}

const sortRanked = (scores: Map<string, number>): RankedMedium[] =>
  [...scores].map(([mediumId, score]) => ({ mediumId, score })).sort((a, b) => b.score - a.score || (a.mediumId < b.mediumId ? -1 : a.mediumId > b.mediumId ? 1 : 0));

/** Media by how many BacDive strains of the domain grow on them (strains of `excludeGenus` left out). */
export function rankPopular(strains: StrainMediumRow[], domain: string, excludeGenus: string | null): RankedMedium[] {
  const counts = new Map<string, number>();
  for (const s of strains) {
    if (s.domain !== domain || (excludeGenus && s.genus === excludeGenus)) continue;
    counts.set(s.mediumId, (counts.get(s.mediumId) ?? 0) + 1);
  }
  return sortRanked(counts);
}

export interface NeighborRankOptions {
  k?: number;
  /** Candidates to leave out (leave-genus-out). */
  exclude?: (g: LinkedGenome) => boolean;
}

/** Media of the k most similar linked genomes: score = Σ similarity × confidence. */
export function rankByNeighbors(candidates: LinkedGenome[], similarity: (g: LinkedGenome) => number, o: NeighborRankOptions = {}): { ranked: RankedMedium[]; neighbors: { genome: LinkedGenome; similarity: number }[] } {
  const k = o.k ?? 5;
  const scored = candidates.filter((g) => !o.exclude?.(g)).map((genome) => ({ genome, similarity: similarity(genome) }));
  scored.sort((a, b) => b.similarity - a.similarity || a.genome.genomeId - b.genome.genomeId);
  const top = scored.slice(0, k);
  const scores = new Map<string, number>();
  for (const { genome, similarity } of top) {
    const w = Math.max(0, similarity);
    for (const [m, c] of genome.media) scores.set(m, (scores.get(m) ?? 0) + w * c);
  }
  return { ranked: sortRanked(scores), neighbors: top };
}

/** Latent cosine + rRNA agreement, as the nearest-genome search ranks them. */
export function latentSimilarity(query: { latent: Float32Array | null; domainCall: DomainCall }) {
  return (g: Pick<LinkedGenome, 'latent' | 'domainCall'>): number => {
    if (!query.latent || !g.latent) return -1;
    const cos = dot(query.latent, g.latent);
    if (query.domainCall === 'unknown') return cos;
    return (1 - MARKER_WEIGHT) * cos + MARKER_WEIGHT * markerAgreement(query.domainCall, g.domainCall);
  };
}

export const tetraSimilarity = (query: { tetra: Float32Array }) => (g: LinkedGenome): number => dot(query.tetra, g.tetra);

/** Reciprocal-rank fusion of several rankings (Cormack et al. 2009), k = 60 by default. */
export function fuseRankings(rankings: { ranked: RankedMedium[]; weight?: number }[], k = 60): RankedMedium[] {
  const scores = new Map<string, number>();
  for (const { ranked, weight = 1 } of rankings) ranked.forEach((r, i) => scores.set(r.mediumId, (scores.get(r.mediumId) ?? 0) + weight / (k + i + 1)));
  return sortRanked(scores);
}

export interface HitRates {
  queries: number;
  top1: number;
  top5: number;
  top10: number;
}

/**
 * The first `slots` places without near-duplicate recipes: walking the ranking, a medium whose
 * similarity to one already placed is ≥ `threshold` waits until those places are filled, then
 * follows in its own order; the rest keep theirs. (Measured as an `eval media --variants` row and
 * not adopted: known media come in families of variants, README.)
 */
export function deferNearDuplicates(ranked: readonly RankedMedium[], similarity: (a: string, b: string) => number, threshold: number, slots = 10): RankedMedium[] {
  const placed: RankedMedium[] = [];
  const waiting: RankedMedium[] = [];
  let r = 0;
  for (; r < ranked.length && placed.length < slots; r++) {
    const m = ranked[r];
    if (placed.some((p) => similarity(p.mediumId, m.mediumId) >= threshold)) waiting.push(m);
    else placed.push(m);
  }
  return [...placed, ...waiting, ...ranked.slice(r)];
}

/** Share of queries with any known medium among the first 1, 5, 10. */
export function hitRates(results: { truth: Set<string>; ranked: RankedMedium[] }[]): HitRates {
  const hit = (n: number) => results.filter((r) => r.ranked.slice(0, n).some((m) => r.truth.has(m.mediumId))).length / Math.max(1, results.length);
  return { queries: results.length, top1: hit(1), top5: hit(5), top10: hit(10) };
}
