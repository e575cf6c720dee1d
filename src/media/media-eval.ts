/**
 * `mediaforge eval media`: leave-genus-out evaluation of the media ranking over every genome of
 * the database that has a profile and known media (genome_growth). For each genome, its genus is
 * removed from all evidence (linked genomes, BacDive strains); the rankers then rank all media and
 * a hit is any known medium of the genome. Reported per domain, with the baselines measured in the
 * same run: the most popular media of the genome's domain, and the media of the k nearest genomes
 * by 4-mer profile (KOMODO-style); plus the weighted ingredient Jaccard between the top-1 pick and
 * the closest known medium of the genome.
 */
import type { Database } from 'sql.js';
import { getActiveModelId } from '../db/models';
import { type Conditions, loadStrainMediumConditions, rankByConditions, strainConditions } from './condition-ranking';
import { fuseRankings, hitRates, latentSimilarity, loadLinkedGenomes, loadStrainMedia, rankByNeighbors, rankPopular, tetraSimilarity, type HitRates, type LinkedGenome, type RankedMedium } from './media-ranking';
import { buildMediaMatrix, mediumVector, weightedJaccard } from './media-vectors';
import { mediumTraits } from './medium-traits';

export const RANKERS = ['popular', 'kmer4-neighbors', 'latent-neighbors', 'mediaforge'] as const;
export type RankerName = (typeof RANKERS)[number];

export interface MediaEvalRow {
  ranker: RankerName;
  domain: 'all' | 'bacteria' | 'archaea';
  hits: HitRates;
  /** Mean weighted ingredient Jaccard between the top-1 pick and the closest known medium (media with recipes only). */
  top1Jaccard: number;
}

export interface MediaEvalReport {
  genomes: number;
  rows: MediaEvalRow[];
  /** What "mediaforge" fused, in words. */
  method: string;
}

export interface MediaEvalOptions {
  /** Conditions of a held-out genome, predicted without its genus; null = not used. */
  conditionsFor?: (g: LinkedGenome, excludeGenus: string | null) => Conditions | null;
  neighbors?: number;
}

export function evaluateMedia(db: Database, o: MediaEvalOptions = {}): MediaEvalReport {
  const genomes = loadLinkedGenomes(db, getActiveModelId(db));
  const strains = loadStrainMedia(db);
  const conditionRows = loadStrainMediumConditions(db, strainConditions(db));
  const matrix = buildMediaMatrix(db);
  const traits = mediumTraits(matrix);
  const strainDomain = new Map((db.exec('SELECT id, domain FROM strains')[0]?.values ?? []).map(([i, d]) => [Number(i), d === null ? null : String(d).toLowerCase()]));
  const k = o.neighbors ?? 5;
  const results: Record<RankerName, { truth: Set<string>; ranked: RankedMedium[]; domain: string; genome: LinkedGenome }[]> = { popular: [], 'kmer4-neighbors': [], 'latent-neighbors': [], mediaforge: [] };

  for (const q of genomes) {
    const exclude = (g: LinkedGenome) => g.genomeId === q.genomeId || (q.genus !== null && g.genus === q.genus);
    const truth = new Set(q.media.keys());
    const popular = rankPopular(strains, q.organismType, q.genus);
    const tetra = rankByNeighbors(genomes, tetraSimilarity(q), { k, exclude }).ranked;
    const latent = rankByNeighbors(genomes, latentSimilarity(q), { k, exclude }).ranked;
    const c = o.conditionsFor?.(q, q.genus) ?? null;
    const parts: { ranked: RankedMedium[]; weight?: number }[] = [{ ranked: latent }, { ranked: popular, weight: 0.5 }];
    if (c) {
      const domainRows = conditionRows.filter((r) => strainDomain.get(r.strainId) === q.organismType);
      parts.push({ ranked: rankByConditions(domainRows, c, q.genus) });
      parts.push({ ranked: rankByTraits(matrix.mediumIds, matrix.hasComposition, traits, c), weight: 0.5 });
    }
    const ours = fuseRankings(parts);
    for (const [name, ranked] of [['popular', popular], ['kmer4-neighbors', tetra], ['latent-neighbors', latent], ['mediaforge', ours]] as const) {
      results[name].push({ truth, ranked, domain: q.organismType, genome: q });
    }
  }

  const jaccardOf = (r: { truth: Set<string>; ranked: RankedMedium[] }): number | null => {
    const top = r.ranked[0] && mediumVector(matrix, r.ranked[0].mediumId);
    if (!top) return null;
    let best: number | null = null;
    for (const m of r.truth) {
      const v = mediumVector(matrix, m);
      if (!v || !matrix.hasComposition[v.index]) continue;
      const j = weightedJaccard(top, v, { vocab: matrix.vocab });
      best = best === null ? j : Math.max(best, j);
    }
    return best;
  };
  const rows: MediaEvalRow[] = [];
  for (const ranker of RANKERS) {
    for (const domain of ['all', 'bacteria', 'archaea'] as const) {
      const rs = results[ranker].filter((r) => domain === 'all' || r.domain === domain);
      const js = rs.map(jaccardOf).filter((x): x is number => x !== null);
      rows.push({ ranker, domain, hits: hitRates(rs), top1Jaccard: js.length ? js.reduce((a, b) => a + b, 0) / js.length : NaN });
    }
  }
  return {
    genomes: genomes.length,
    rows,
    method: o.conditionsFor
      ? 'reciprocal-rank fusion of latent neighbours (k = 5), popularity in the domain (weight 0.5), strain-condition match to the predicted conditions, and recipe traits (salinity, anoxic, pH; weight 0.5)'
      : 'reciprocal-rank fusion of latent neighbours (k = 5) and popularity in the domain (weight 0.5); no predicted conditions',
  };
}

/** Media by how their recipe fits the conditions: NaCl vs salinity, anoxic vs oxygen, pH. */
export function rankByTraits(mediumIds: string[], hasComposition: Uint8Array, traits: ReturnType<typeof mediumTraits>, c: Conditions): RankedMedium[] {
  const out: RankedMedium[] = [];
  mediumIds.forEach((mediumId, i) => {
    if (!hasComposition[i]) return;
    const t = traits[i];
    let score = 0;
    if (c.salinityPct !== null) score -= Math.abs(Math.log1p(t.naclGPerL / 10) - Math.log1p(c.salinityPct));
    if (c.oxygenTolerant !== null) score -= t.anoxic === !c.oxygenTolerant ? 0 : 1;
    if (c.ph !== null && Number.isFinite(t.ph)) score -= Math.abs(t.ph - c.ph) / 2;
    out.push({ mediumId, score });
  });
  return out.sort((a, b) => b.score - a.score || (a.mediumId < b.mediumId ? -1 : 1));
}

export function formatMediaEval(r: MediaEvalReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`.padStart(8);
  const lines = [`leave-genus-out over ${r.genomes} genomes with known media; mediaforge = ${r.method}`, '', 'ranker            domain    n   top-1    top-5   top-10  top-1 Jaccard'];
  for (const row of r.rows) lines.push(`${row.ranker.padEnd(17)} ${row.domain.padEnd(8)} ${String(row.hits.queries).padStart(3)} ${pct(row.hits.top1)} ${pct(row.hits.top5)} ${pct(row.hits.top10)}  ${Number.isFinite(row.top1Jaccard) ? row.top1Jaccard.toFixed(3) : '–'}`);
  return `${lines.join('\n')}\n`;
}
