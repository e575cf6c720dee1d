/**
 * From decoded CVAE vectors (sampleRecipeVectors, ML worker) to recipes a microbiologist can
 * weigh out (this file, pure: database worker or Node): presence thresholded, amounts → g/L
 * (expm1 of log1p g/L), mmol/L from the vocabulary's molar mass, ml/L for liquid entries,
 * stock-only entries flagged; validity checks (recipe-checks.ts); the nearest real medium by
 * weighted Jaccard and how the recipe differs from it.
 */
import type { Database } from 'sql.js';
import type { GeneratedIngredient, GeneratedRecipe } from './media-api-types';
import { nearestMedia, vectorToRecipe, type MediaMatrix, type RecipeItem, type VocabEntry } from './media-vectors';
import { checkRecipe, type CheckLine, type CheckResult } from './recipe-checks';

/** What describeGeneratedRecipes needs of decoded vectors (RecipeVectors of src/ml/recipe-cvae.ts fits). */
export interface DecodedRecipes {
  n: number;
  V: number;
  presence: ArrayLike<number>;
  stockOnly: ArrayLike<number>;
  amount: ArrayLike<number>;
  ph: ArrayLike<number>;
}

export interface DescribeOptions {
  /** MediaDive formula of each vocabulary entry's canonical ingredient (vocabFormulas), for the element checks. */
  formulas?: readonly (string | null)[];
  /** P(present) above which an ingredient is in the recipe. @default 0.5 */
  presenceThreshold?: number;
  /** P(stock only | present) above which an ingredient has no final amount. @default 0.5 */
  stockThreshold?: number;
  /** Amounts differing by more than this factor count as changed. @default 2 */
  changedFactor?: number;
}

/** The MediaDive formula of each vocabulary entry's canonical ingredient. */
export function vocabFormulas(db: Database, vocab: readonly VocabEntry[]): (string | null)[] {
  const f = new Map((db.exec('SELECT id, formula FROM ingredients')[0]?.values ?? []).map(([id, x]) => [Number(id), x === null || x === '' ? null : String(x)]));
  return vocab.map((e) => f.get(e.ingredientId) ?? null);
}

/** Check lines of vectorToRecipe items. */
export function checkLinesOf(items: readonly RecipeItem[], vocab: readonly VocabEntry[], formulas: readonly (string | null)[] | undefined): CheckLine[] {
  return items.map((it) => {
    const e = vocab[it.index];
    return { name: it.name, formula: formulas?.[it.index] ?? null, isComplex: e.isComplex, role: e.role, unit: e.unit, gPerL: it.gPerL, mlPerL: it.mlPerL, stockOnly: it.stockOnly };
  });
}

/** Checks of real medium i of a matrix (for calibrating the checks against MediaDive). */
export function checkMedium(matrix: MediaMatrix, i: number, formulas?: readonly (string | null)[]): CheckResult {
  const V = matrix.vocab.length;
  const items = vectorToRecipe(matrix.amount.subarray(i * V, (i + 1) * V), matrix.present.subarray(i * V, (i + 1) * V), matrix.vocab);
  return checkRecipe(checkLinesOf(items, matrix.vocab, formulas));
}

const sig = (x: number | null, digits = 4): number | null => (x === null || !Number.isFinite(x) ? x : x === 0 ? 0 : Number(x.toPrecision(digits)));

/** Row r of decoded vectors as a (amount, present) pair over the vocabulary, stock-only cells with amount 0. */
export function decodedRow(v: DecodedRecipes, r: number, presenceThreshold = 0.5, stockThreshold = 0.5): { amount: Float32Array; present: Uint8Array } {
  const V = v.V;
  const amount = new Float32Array(V);
  const present = new Uint8Array(V);
  for (let j = 0; j < V; j++) {
    if (!(v.presence[r * V + j] > presenceThreshold)) continue;
    present[j] = 1;
    amount[j] = v.stockOnly[r * V + j] > stockThreshold ? 0 : Math.max(0, v.amount[r * V + j]);
  }
  return { amount, present };
}

/** The recipes of decoded vectors, each with checks, its nearest real medium and the differences. */
export function describeGeneratedRecipes(matrix: MediaMatrix, vectors: DecodedRecipes, options: DescribeOptions = {}): GeneratedRecipe[] {
  const vocab = matrix.vocab;
  const V = vocab.length;
  if (vectors.V !== V) throw new Error(`describeGeneratedRecipes: vectors over ${vectors.V} ingredients, the matrix has ${V}`);
  const th = options.presenceThreshold ?? 0.5;
  const st = options.stockThreshold ?? 0.5;
  const factor = options.changedFactor ?? 2;
  const out: GeneratedRecipe[] = [];
  for (let r = 0; r < vectors.n; r++) {
    const row = decodedRow(vectors, r, th, st);
    // Bench order: weighed ingredients by amount (largest first), then liquids by volume, then stock-only ones.
    const key = (it: RecipeItem) => (it.stockOnly ? 2 : it.gPerL !== null ? 0 : 1);
    const items = vectorToRecipe(row.amount, row.present, vocab).sort((a, b) => key(a) - key(b) || (b.gPerL ?? b.mlPerL ?? 0) - (a.gPerL ?? a.mlPerL ?? 0) || a.index - b.index);
    const check = checkRecipe(checkLinesOf(items, vocab, options.formulas));
    const ph = Number.isFinite(vectors.ph[r]) ? sig(vectors.ph[r], 3) : null;
    const flags = [...check.flags];
    if (ph !== null && (ph < 1.5 || ph > 11.5)) flags.push(`pH ${ph} outside 1.5–11.5`);
    const ingredients: GeneratedIngredient[] = items.map((it) => ({
      name: it.name,
      g_per_l: sig(it.gPerL),
      mmol_per_l: sig(it.mmolPerL),
      ml_per_l: sig(it.mlPerL),
      stock_only: it.stockOnly,
    }));
    const nearest = items.length ? nearestMedia(row, matrix, 1)[0] ?? null : null;
    let differences: GeneratedRecipe['differences'];
    if (nearest) {
      const k = nearest.index;
      const added: string[] = [];
      const removed: string[] = [];
      const changed: { name: string; from_g_per_l: number; to_g_per_l: number }[] = [];
      for (let j = 0; j < V; j++) {
        const a = row.present[j];
        const b = matrix.present[k * V + j];
        if (a && !b) added.push(vocab[j].name);
        else if (!a && b) removed.push(vocab[j].name);
        else if (a && b && vocab[j].unit === 'g') {
          const x = matrix.amount[k * V + j];
          const y = row.amount[j];
          if (x > 0 && y > 0) {
            const from = Math.expm1(x);
            const to = Math.expm1(y);
            if (to > from * factor || to < from / factor) changed.push({ name: vocab[j].name, from_g_per_l: sig(from)!, to_g_per_l: sig(to)! });
          }
        }
      }
      differences = { added, removed, changed };
    }
    out.push({
      ingredients,
      ph,
      valid: flags.length === 0,
      flags,
      nearest_medium_id: nearest?.mediumId ?? null,
      nearest_medium_name: nearest?.name ?? null,
      nearest_similarity: nearest ? sig(nearest.similarity, 4) : null,
      differences,
    });
  }
  return out;
}
