/**
 * Culture media as vectors over the ingredient vocabulary (rules in ingredient-vocabulary.ts), for
 * ranking real MediaDive media for a genome and for the conditional VAE that generates recipes.
 * Pure sql.js: the same code runs in Node (CLI, tests) and in the database worker.
 *
 * For medium i and vocabulary entry j (row-major n × V typed arrays):
 * - `amount[i,j]` = log1p(Σ final g/L × toCanonical) over the medium's main-solution (final-medium)
 *   rows of the entry's members; ml/L for 'ml' entries; 0 when there is no final amount.
 * - `present[i,j]` = 1 for any row, final or stock.
 * - `stock[i,j]` = 1 when a stock-solution row has it. **Stock rows give presence only, never an
 *   amount**: their g/L is per litre of the stock solution (trace elements, vitamins, "Solution A"),
 *   and how much stock goes into a litre of medium is not in the data (shared/data/mediadive/README.md).
 *   Assuming a volume (say 10 ml/L) would invent the final amount of 60 % of all recipe rows; the
 *   generator learns these ingredients as present, and a recipe lists them as "from stock".
 * - `ph[i]` = the middle of min/max pH (or the one given), NaN when unknown.
 * - `complex[i]` = MediaDive's complex-medium flag (0 for defined or unknown).
 * - `hasComposition[i]` = the medium has composition rows. 193 of the 3,327 MediaDive media have none:
 *   they can be ranked from other evidence, but not used to train or score a generator.
 * - `outOfVocab[i]` = distinct non-water ingredients of the medium outside the vocabulary.
 *
 * `vectorToRecipe` maps a row back to ingredients (g/L = expm1(amount), exact up to float32 rounding),
 * `recipeToVector` maps a recipe (e.g. getRecipe() lines, or vectorToRecipe output) to a row, and
 * `weightedJaccard` / `nearestMedia` compare rows.
 */
import type { Database } from 'sql.js';
import { AppError } from '../core/errors';
import {
  isWater,
  memberIndex,
  readComposition,
  readIngredients,
  readMedia,
  resolveVocabularyOptions,
  VOCABULARY_DEFAULTS,
  vocabularyFromRows,
  type MemberIndex,
  type VocabEntry,
  type VocabularyOptions,
  type VocabularyStats,
} from './ingredient-vocabulary';

export * from './ingredient-vocabulary';

export interface MediaMatrixOptions extends VocabularyOptions {
  /** Use this vocabulary (e.g. the one a model was trained on) instead of building one. @default null */
  vocab?: VocabEntry[] | null;
}
export const MEDIA_MATRIX_DEFAULTS = { ...VOCABULARY_DEFAULTS, vocab: null } satisfies Required<MediaMatrixOptions>;

export interface MediaMatrixStats {
  media: number;
  withComposition: number;
  withoutComposition: number;
  /** Media with composition rows but nothing in the vocabulary (e.g. water only). */
  emptyVectors: number;
  /** Final-medium rows of vocabulary ingredients, and those without a usable amount (no value, or ml/L for a g/L entry). */
  finalRows: number;
  finalRowsWithoutAmount: number;
  /** Stock-solution rows of vocabulary ingredients (presence only). */
  stockRows: number;
}

export interface MediaMatrix {
  /** MediaDive ids as in media.tsv ('1', '1a', 'J346'), in media.tsv order. */
  mediumIds: string[];
  names: string[];
  vocab: VocabEntry[];
  /** n × V, row-major: log1p(final g/L or ml/L). */
  amount: Float32Array;
  /** n × V: 1 = in the recipe (final or stock row). */
  present: Uint8Array;
  /** n × V: 1 = in a stock solution of the recipe. */
  stock: Uint8Array;
  /** n: pH (NaN = unknown). */
  ph: Float32Array;
  /** n: 1 = complex medium. */
  complex: Uint8Array;
  /** n: 1 = has composition rows. */
  hasComposition: Uint8Array;
  /** n: ingredients of the recipe outside the vocabulary. */
  outOfVocab: Uint16Array;
  /** How the vocabulary was built (null when it was given). */
  vocabStats: VocabularyStats | null;
  stats: MediaMatrixStats;
}

const indexCache = new WeakMap<readonly VocabEntry[], MemberIndex>();
function indexOf(vocab: readonly VocabEntry[]): MemberIndex {
  let idx = indexCache.get(vocab);
  if (!idx) indexCache.set(vocab, (idx = memberIndex(vocab)));
  return idx;
}

/** Every MediaDive medium as a vector (see the header for what each array holds). */
export function buildMediaMatrix(db: Database, options: MediaMatrixOptions = {}): MediaMatrix {
  const opts = { ...resolveVocabularyOptions(options), vocab: options.vocab ?? null };
  const media = readMedia(db, opts.includeRetired);
  const ingredients = readIngredients(db);
  const rows = readComposition(db, media);
  let vocab: VocabEntry[];
  let vocabStats: VocabularyStats | null = null;
  if (opts.vocab) vocab = opts.vocab;
  else {
    const v = vocabularyFromRows(ingredients, media, rows, opts);
    vocab = v.entries;
    vocabStats = v.stats;
  }
  const n = media.length;
  const V = vocab.length;
  const { column, factor } = indexOf(vocab);
  const ml = Uint8Array.from(vocab, (e) => (e.unit === 'ml' ? 1 : 0));
  const linear = new Float64Array(n * V);
  const present = new Uint8Array(n * V);
  const stock = new Uint8Array(n * V);
  const hasComposition = new Uint8Array(n);
  const oov = new Map<number, Set<number>>();
  const water = new Map<number, boolean>();
  const isWaterId = (id: number) => {
    let w = water.get(id);
    if (w === undefined) {
      const ing = ingredients.get(id);
      water.set(id, (w = ing ? isWater(ing.name, ing.baseGroup) : false));
    }
    return w;
  };
  let finalRows = 0;
  let finalRowsWithoutAmount = 0;
  let stockRows = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows.medium[k];
    const id = rows.ingredient[k];
    hasComposition[i] = 1;
    const j = column.get(id);
    if (j === undefined) {
      if (!isWaterId(id)) {
        let s = oov.get(i);
        if (!s) oov.set(i, (s = new Set()));
        s.add(id);
      }
      continue;
    }
    const cell = i * V + j;
    present[cell] = 1;
    if (rows.stock[k]) {
      stock[cell] = 1;
      stockRows++;
      continue;
    }
    finalRows++;
    const value = ml[j] ? rows.mlPerL[k] : rows.gPerL[k] * factor.get(id)!;
    if (Number.isNaN(value) || value < 0) finalRowsWithoutAmount++;
    else linear[cell] += value;
  }
  const amount = new Float32Array(n * V);
  for (let c = 0; c < amount.length; c++) if (linear[c] > 0) amount[c] = Math.log1p(linear[c]);
  const outOfVocab = new Uint16Array(n);
  for (const [i, s] of oov) outOfVocab[i] = Math.min(s.size, 65535);
  let emptyVectors = 0;
  for (let i = 0; i < n; i++) {
    if (!hasComposition[i]) continue;
    let any = 0;
    for (let j = 0; j < V && !any; j++) any = present[i * V + j];
    if (!any) emptyVectors++;
  }
  const withComposition = hasComposition.reduce((a, b) => a + b, 0);
  return {
    mediumIds: media.map((m) => m.id),
    names: media.map((m) => m.name),
    vocab,
    amount,
    present,
    stock,
    ph: Float32Array.from(media, (m) => (m.minPh !== null && m.maxPh !== null ? (m.minPh + m.maxPh) / 2 : (m.minPh ?? m.maxPh ?? NaN))),
    complex: Uint8Array.from(media, (m) => (m.isComplex ? 1 : 0)),
    hasComposition,
    outOfVocab,
    vocabStats,
    stats: { media: n, withComposition, withoutComposition: n - withComposition, emptyVectors, finalRows, finalRowsWithoutAmount, stockRows },
  };
}

export interface MediumVector {
  /** V values of log1p(final g/L or ml/L). */
  amount: ArrayLike<number>;
  /** V values; > 0.5 = present (so a decoder's probabilities work too). */
  present: ArrayLike<number>;
}

/** One medium's row: views into the matrix arrays (no copy). */
export interface MatrixRow {
  index: number;
  amount: Float32Array;
  present: Uint8Array;
  stock: Uint8Array;
}

/** Row i (or the medium with that id) as views into the matrix, or null when there is no such medium. */
export function mediumVector(matrix: MediaMatrix, medium: number | string): MatrixRow | null {
  const i = typeof medium === 'number' ? medium : matrix.mediumIds.indexOf(medium);
  if (!Number.isInteger(i) || i < 0 || i >= matrix.mediumIds.length) return null;
  const V = matrix.vocab.length;
  return {
    index: i,
    amount: matrix.amount.subarray(i * V, (i + 1) * V),
    present: matrix.present.subarray(i * V, (i + 1) * V),
    stock: matrix.stock.subarray(i * V, (i + 1) * V),
  };
}

// ---- back to a recipe ----------------------------------------------------------------------------

export interface RecipeItem {
  /** The vocabulary entry's canonical ingredient (its MediaDive id) and column. */
  ingredientId: number;
  index: number;
  name: string;
  role: VocabEntry['role'];
  /** Final g/L of the canonical form ('g' entries with an amount), else null. */
  gPerL: number | null;
  /** Final ml/L ('ml' entries with an amount), else null. */
  mlPerL: number | null;
  /** gPerL / molar mass × 1000, when the molar mass is known. */
  mmolPerL: number | null;
  /** Present without a final amount: from a stock solution (or, rarely, a final row without a usable value). */
  stockOnly: boolean;
}

export interface VectorToRecipeOptions {
  /** present[j] above this counts as present. @default 0.5 */
  presentThreshold?: number;
}
export const VECTOR_TO_RECIPE_DEFAULTS = { presentThreshold: 0.5 } satisfies Required<VectorToRecipeOptions>;

function checkLength(what: string, row: ArrayLike<number>, V: number): void {
  if (row.length !== V) throw new AppError('BAD_OPTION', `${what} has ${row.length} values, the vocabulary ${V}`, 'use a row of the same vocabulary');
}

/**
 * The ingredients of a vector, in vocabulary order. An ingredient is listed when present; its amount
 * is expm1(amount) (exact back to the g/L the vector was made from, up to float32 rounding); a present
 * ingredient with amount ≤ 0 is `stockOnly`. Amounts of absent ingredients are ignored.
 */
export function vectorToRecipe(amountRow: ArrayLike<number>, presentRow: ArrayLike<number>, vocab: readonly VocabEntry[], options: VectorToRecipeOptions = {}): RecipeItem[] {
  const threshold = options.presentThreshold ?? VECTOR_TO_RECIPE_DEFAULTS.presentThreshold;
  checkLength('amountRow', amountRow, vocab.length);
  checkLength('presentRow', presentRow, vocab.length);
  const out: RecipeItem[] = [];
  for (let j = 0; j < vocab.length; j++) {
    if (!(presentRow[j] > threshold)) continue;
    const e = vocab[j];
    const a = amountRow[j];
    const q = a > 0 ? Math.expm1(a) : null;
    const g = e.unit === 'g' ? q : null;
    out.push({
      ingredientId: e.ingredientId,
      index: j,
      name: e.name,
      role: e.role,
      gPerL: g,
      mlPerL: e.unit === 'ml' ? q : null,
      mmolPerL: g !== null && e.molarMass ? (g / e.molarMass) * 1000 : null,
      stockOnly: q === null,
    });
  }
  return out;
}

/** A recipe line: getRecipe() lines (queries.ts) and vectorToRecipe() items both fit. */
export interface RecipeInputLine {
  /** Any MediaDive ingredient id of an entry (hydrates are mass-corrected to the canonical form). */
  ingredientId: number;
  gPerL?: number | null;
  mlPerL?: number | null;
  /** 'stock_solution' lines (and stockOnly items) give presence only. */
  basis?: 'final_medium' | 'stock_solution';
  stockOnly?: boolean;
}

export interface RecipeVector {
  amount: Float32Array;
  present: Uint8Array;
  stock: Uint8Array;
  /** Ids of lines outside the vocabulary (water lines included), each once. */
  outOfVocab: number[];
}

/** A recipe as a vector over `vocab`, with the same rules as buildMediaMatrix (sums of final g/L, log1p). */
export function recipeToVector(lines: Iterable<RecipeInputLine>, vocab: readonly VocabEntry[]): RecipeVector {
  const V = vocab.length;
  const { column, factor } = indexOf(vocab);
  const linear = new Float64Array(V);
  const present = new Uint8Array(V);
  const stock = new Uint8Array(V);
  const outOfVocab: number[] = [];
  for (const line of lines) {
    const j = column.get(line.ingredientId);
    if (j === undefined) {
      if (!outOfVocab.includes(line.ingredientId)) outOfVocab.push(line.ingredientId);
      continue;
    }
    present[j] = 1;
    if (line.basis === 'stock_solution' || line.stockOnly) {
      stock[j] = 1;
      continue;
    }
    const value = vocab[j].unit === 'ml' ? line.mlPerL : line.gPerL != null ? line.gPerL * factor.get(line.ingredientId)! : null;
    if (value != null && value > 0 && Number.isFinite(value)) linear[j] += value;
  }
  return { amount: Float32Array.from(linear, (x) => (x > 0 ? Math.log1p(x) : 0)), present, stock, outOfVocab };
}

// ---- similarity ----------------------------------------------------------------------------------

/**
 * Weight of a present ingredient with no final amount (stock-only), and the floor of every present
 * ingredient's weight: log1p(0.105 g/L). It lies between the 10th and 25th percentile of final amounts
 * (log1p g/L: 0.014 and 0.18; median 0.48), so a stock ingredient counts like a minor final one, and a
 * trace element given as 2 mg/L final matches the same trace element from a stock solution.
 */
export const PRESENCE_WEIGHT = 0.1;

export interface JaccardOptions {
  /** @default PRESENCE_WEIGHT (0.1) */
  presenceWeight?: number;
  /** With a vocabulary, gelling entries (agar, ...) are left out unless includeGelling. @default null */
  vocab?: readonly VocabEntry[] | null;
  /** @default false */
  includeGelling?: boolean;
}
export const JACCARD_DEFAULTS = { presenceWeight: PRESENCE_WEIGHT, vocab: null, includeGelling: false } satisfies Required<JaccardOptions>;

const gellingCache = new WeakMap<readonly VocabEntry[], Uint8Array>();
/** 1 for the gelling entries (agar, agarose, gellan) of a vocabulary. */
export function gellingMask(vocab: readonly VocabEntry[]): Uint8Array {
  let m = gellingCache.get(vocab);
  if (!m) gellingCache.set(vocab, (m = Uint8Array.from(vocab, (e) => (e.role === 'gelling' ? 1 : 0))));
  return m;
}

function resolveJaccard(options: JaccardOptions): { w0: number; skip: Uint8Array | null } {
  const w0 = options.presenceWeight ?? JACCARD_DEFAULTS.presenceWeight;
  if (!(w0 > 0) || !Number.isFinite(w0)) throw new AppError('BAD_OPTION', `presenceWeight must be > 0 (got ${w0})`, `the default is ${PRESENCE_WEIGHT}`);
  return { w0, skip: options.vocab && !options.includeGelling ? gellingMask(options.vocab) : null };
}

/**
 * Weighted ingredient Jaccard: Σ_j min(w_a, w_b) / Σ_j max(w_a, w_b), with w = max(amount, presenceWeight)
 * for present ingredients and 0 for absent ones. 1 = the same recipe (amounts below 0.105 g/L are not
 * told apart), 0 = no ingredient in common or nothing to compare. Pass `vocab` to leave agar out.
 */
export function weightedJaccard(a: MediumVector, b: MediumVector, options: JaccardOptions = {}): number {
  const { w0, skip } = resolveJaccard(options);
  const V = a.amount.length;
  if (b.amount.length !== V || a.present.length !== V || b.present.length !== V) {
    throw new AppError('BAD_OPTION', 'weightedJaccard: the two vectors have different lengths', 'compare rows of the same vocabulary');
  }
  let num = 0;
  let den = 0;
  for (let j = 0; j < V; j++) {
    if (skip?.[j]) continue;
    const wa = a.present[j] > 0.5 ? Math.max(a.amount[j], w0) : 0;
    const wb = b.present[j] > 0.5 ? Math.max(b.amount[j], w0) : 0;
    if (wa < wb) {
      num += wa;
      den += wb;
    } else {
      num += wb;
      den += wa;
    }
  }
  return den > 0 ? num / den : 0;
}

export interface NearestMedium {
  index: number;
  mediumId: string;
  name: string;
  similarity: number;
}

export interface NearestOptions {
  /** @default PRESENCE_WEIGHT */
  presenceWeight?: number;
  /** Count agar and other gelling agents. @default false */
  includeGelling?: boolean;
}

/**
 * The k media most similar to `query` (a vector over matrix.vocab, or a medium id, which is then left
 * out of the result) by weightedJaccard, best first; ties by matrix order. Only media with a recipe
 * and a similarity > 0 are returned.
 */
export function nearestMedia(query: MediumVector | string, matrix: MediaMatrix, k = 10, options: NearestOptions = {}): NearestMedium[] {
  const V = matrix.vocab.length;
  let q: MediumVector;
  let self = -1;
  if (typeof query === 'string') {
    const row = mediumVector(matrix, query);
    if (!row) throw new AppError('BAD_OPTION', `no medium '${query}' in the matrix`, 'use a MediaDive id such as "1" or "J22"');
    q = row;
    self = row.index;
  } else q = query;
  checkLength('query.amount', q.amount, V);
  checkLength('query.present', q.present, V);
  const { w0, skip } = resolveJaccard({ presenceWeight: options.presenceWeight, vocab: matrix.vocab, includeGelling: options.includeGelling });
  const qw = new Float64Array(V);
  for (let j = 0; j < V; j++) qw[j] = skip?.[j] ? 0 : q.present[j] > 0.5 ? Math.max(q.amount[j], w0) : 0;
  const scored: { i: number; s: number }[] = [];
  for (let i = 0; i < matrix.mediumIds.length; i++) {
    if (i === self || !matrix.hasComposition[i]) continue;
    let num = 0;
    let den = 0;
    const off = i * V;
    for (let j = 0; j < V; j++) {
      const wa = qw[j];
      const wb = matrix.present[off + j] && !skip?.[j] ? Math.max(matrix.amount[off + j], w0) : 0;
      if (wa < wb) {
        num += wa;
        den += wb;
      } else {
        num += wb;
        den += wa;
      }
    }
    const s = den > 0 ? num / den : 0;
    if (s > 0) scored.push({ i, s });
  }
  scored.sort((x, y) => y.s - x.s || x.i - y.i);
  return scored.slice(0, Math.max(0, Math.floor(k))).map(({ i, s }) => ({ index: i, mediumId: matrix.mediumIds[i], name: matrix.names[i], similarity: s }));
}
