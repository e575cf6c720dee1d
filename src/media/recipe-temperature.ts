/**
 * Rule 19 (README, decision list): a medium's growth temperature read from its recipe, and how
 * well it fits the temperature a genome is ranked at. Pure; runs wherever the ranking runs.
 *
 * A ridge regression from the ingredients a recipe holds (presence over the recipe vocabulary) to
 * the median growth temperature of the BacDive strains grown on the medium. It judges media whose
 * strains were all left out (a held-out genus's own media) by their recipe alone.
 */
import { median } from './condition-ranking';
import { solveLinear } from './phenotype-linalg';

/** Ridge penalty (the probe's value, not tuned). */
export const RECIPE_TEMPERATURE_LAMBDA = 3;
/** Width of the fit kernel, °C (about the archaeal leave-genus-out temperature MAE). */
export const RECIPE_TEMPERATURE_SIGMA_C = 7;
/** The term's weight in the score: the strain-conditions term's (FALLBACK_WEIGHTS.condition). */
export const RECIPE_TEMPERATURE_WEIGHT = 2;

/** Sparse recipe: the vocabulary indices of its ingredients. */
export interface RecipeIngredients {
  idx: ArrayLike<number>;
}

/** One strain grown on a medium, with its growth temperature (°C). */
export interface MediumTemperature {
  medium: number;
  temperatureC: number;
}

/**
 * The recipe temperature of every medium (°C; NaN for a medium without a recipe, or for all when
 * no medium with a recipe has a strain temperature). Trained on the media with a recipe and ≥ 1
 * strain temperature (target: the median), intercept the mean target, unpenalised.
 */
export function fitRecipeTemperatures(recipes: readonly RecipeIngredients[], hasRecipe: ArrayLike<number>, strains: Iterable<MediumTemperature>, lambda = RECIPE_TEMPERATURE_LAMBDA): Float64Array {
  const n = recipes.length;
  const out = new Float64Array(n).fill(NaN);
  const byMedium = new Map<number, number[]>();
  for (const s of strains) {
    if (!hasRecipe[s.medium] || !Number.isFinite(s.temperatureC)) continue;
    let t = byMedium.get(s.medium);
    if (!t) byMedium.set(s.medium, (t = []));
    t.push(s.temperatureC);
  }
  if (!byMedium.size) return out;
  let d = 0;
  for (let i = 0; i < n; i++) if (hasRecipe[i]) for (let k = 0; k < recipes[i].idx.length; k++) d = Math.max(d, recipes[i].idx[k] + 1);
  const media = [...byMedium.keys()].sort((a, b) => a - b);
  const y = media.map((m) => median(byMedium.get(m)!)!); // each list holds ≥ 1 temperature
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  media.forEach((m, r) => {
    const idx = recipes[m].idx;
    for (let p = 0; p < idx.length; p++) {
      b[idx[p]] += y[r] - mean;
      for (let q = 0; q < idx.length; q++) a[idx[p] * d + idx[q]] += 1;
    }
  });
  for (let p = 0; p < d; p++) a[p * d + p] += lambda;
  const beta = d ? solveLinear(a, b, d) : new Float64Array(0);
  for (let i = 0; i < n; i++) {
    if (!hasRecipe[i]) continue;
    let s = mean;
    const idx = recipes[i].idx;
    for (let k = 0; k < idx.length; k++) s += beta[idx[k]];
    out[i] = s;
  }
  return out;
}

/**
 * K × S for every medium at temperature `t` (0 without a recipe temperature): K = exp(−Δ²/2σ²),
 * Δ = recipe temperature − t; S = ln(N / N_fit) / ln N, N the media with a recipe temperature and
 * N_fit those within σ of t (at least 1), so the term weighs where few recipes fit.
 */
export function recipeTemperatureFit(recipeTemperatures: ArrayLike<number>, t: number, sigma = RECIPE_TEMPERATURE_SIGMA_C): Float64Array {
  const n = recipeTemperatures.length;
  const out = new Float64Array(n);
  let total = 0;
  let fit = 0;
  for (let i = 0; i < n; i++) {
    const r = recipeTemperatures[i];
    if (Number.isNaN(r)) continue;
    total++;
    if (Math.abs(r - t) <= sigma) fit++;
  }
  if (total < 2) return out;
  const specificity = Math.log(total / Math.max(1, fit)) / Math.log(total);
  for (let i = 0; i < n; i++) {
    const r = recipeTemperatures[i];
    if (Number.isNaN(r)) continue;
    const z = (r - t) / sigma;
    out[i] = Math.exp(-0.5 * z * z) * specificity;
  }
  return out;
}
