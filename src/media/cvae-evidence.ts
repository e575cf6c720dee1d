/**
 * The recipe CVAE's likelihood of each real medium for a genome, as ranking evidence and as a
 * reason (issue 8): ranks, percentiles, the ranking term and the words. Pure (no tfjs): the
 * likelihood itself is computed where the CVAE lives (src/ml/recipe-cvae-score.ts: the CLI, the
 * ML worker in the app), and recommend.ts (the DB worker) only reads the resulting arrays, aligned
 * with the ranking's media (media.tsv order, the same for any vocabulary).
 */
import type { MediaMatrix } from './media-vectors';
import { mediaWithRecipe } from './recipe-training-data';

/** The media side, as in a MediaMatrix over the model's vocabulary (n media × V). */
export interface ScoredMedia {
  n: number;
  V: number;
  present: Uint8Array;
  amount: Float32Array;
  /** pH per medium, NaN = unknown. */
  ph: Float32Array;
  /** 1 = the medium has a recipe in the vocabulary (scored); 0 → NaN. */
  scored: Uint8Array;
}

/** Per-medium CVAE evidence for one query, aligned with the ranking's media (mediumIds order). */
export interface CvaeMediumScores {
  modelId: string;
  /** log p(m | c) (recipe-cvae-score.ts); NaN = the medium has no recipe in the model's vocabulary. */
  logLikelihood: Float32Array;
  /** Share of scored media less likely than m under c (1 = the most likely); NaN = not scored. */
  percentile: Float32Array;
  /** 0-based rank among scored media (0 = most likely); −1 = not scored. */
  rank: Int32Array;
  /** Media scored. */
  scored: number;
}

/** The media matrix's arrays as the scorer takes them (build the matrix over the model's vocabulary). */
export function scoredMediaOf(m: MediaMatrix): ScoredMedia {
  return { n: m.mediumIds.length, V: m.vocab.length, present: m.present, amount: m.amount, ph: m.ph, scored: mediaWithRecipe(m) };
}

/** Ranks from log-likelihoods: 0 = most likely, −1 = not scored (ties by medium order). */
export function likelihoodRanks(ll: Float32Array): Int32Array {
  const idx: number[] = [];
  for (let i = 0; i < ll.length; i++) if (Number.isFinite(ll[i])) idx.push(i);
  idx.sort((a, b) => ll[b] - ll[a] || a - b);
  const rank = new Int32Array(ll.length).fill(-1);
  idx.forEach((i, r) => (rank[i] = r));
  return rank;
}

/** Wraps log-likelihoods (mediumIds order) as CvaeMediumScores. */
export function cvaeScoresOf(modelId: string, logLikelihood: Float32Array): CvaeMediumScores {
  const rank = likelihoodRanks(logLikelihood);
  let scored = 0;
  for (const r of rank) if (r >= 0) scored++;
  return { modelId, logLikelihood, percentile: likelihoodPercentiles(logLikelihood), rank, scored };
}

/**
 * The ranking term of the likelihood: 10 / (10 + rank) among the scored media (the form of the
 * ranking's other within-query rank features, RANKED_FEATURES), 0 when not scored.
 */
export function cvaeRankTerm(s: CvaeMediumScores, index: number): number {
  const r = s.rank[index];
  return r >= 0 ? 10 / (10 + r) : 0;
}

/** The reason, in words ("recipe model: among the 5 % most likely recipes for the predicted conditions (log-likelihood −41.2)"). */
export function cvaeReason(s: CvaeMediumScores, index: number, conditionsWord = 'the predicted conditions'): string {
  const ll = s.logLikelihood[index];
  if (!Number.isFinite(ll)) return 'recipe model: no recipe in its vocabulary, not scored';
  const top = 1 - s.percentile[index];
  const share = top <= 0.01 ? '1 %' : top <= 0.05 ? '5 %' : top <= 0.1 ? '10 %' : top <= 0.25 ? '25 %' : null;
  const where = share ? `among the ${share} most likely` : top >= 0.75 ? 'among the 25 % least likely' : `more likely than ${Math.round(100 * s.percentile[index])} %`;
  return `recipe model: this recipe is ${where} of ${s.scored.toLocaleString('en-US')} recipes for ${conditionsWord} (rank ${s.rank[index] + 1}, log-likelihood ${ll.toFixed(1)})`;
}

/**
 * Within-condition percentile of each scored medium: the share of scored media with a lower
 * log-likelihood (ties count half), 0 … 1 (1 = the most likely); NaN where not scored.
 */
export function likelihoodPercentiles(logLikelihood: Float32Array): Float32Array {
  const idx: number[] = [];
  for (let i = 0; i < logLikelihood.length; i++) if (Number.isFinite(logLikelihood[i])) idx.push(i);
  idx.sort((a, b) => logLikelihood[a] - logLikelihood[b] || a - b);
  const out = new Float32Array(logLikelihood.length).fill(NaN);
  const n = idx.length;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && logLikelihood[idx[j + 1]] === logLikelihood[idx[i]]) j++;
    const below = i + (j - i) / 2;
    for (let k = i; k <= j; k++) out[idx[k]] = n > 1 ? below / (n - 1) : 1;
    i = j + 1;
  }
  return out;
}
