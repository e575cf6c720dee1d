/**
 * Pure helpers of the Media tab: condition formatting with units, counterfactual presets, rank
 * changes between two rankings, and the TSV / JSON exports of generated recipes. No DOM, no Svelte:
 * tested in Node (tests/unit/media-format.test.ts).
 */
import { GROWTH_TEMPERATURE_RANGE_C, type GeneratedRecipe, type GrowthConditions } from '../media/media-api-types';
import { escapeJsonControls, showControls } from '../core/untrusted-text';

export const CONDITION_KEYS = ['temperatureC', 'oxygenTolerant', 'salinityPct', 'ph'] as const;
export type ConditionKey = (typeof CONDITION_KEYS)[number];

/** What the inputs accept (values outside are clamped when applied). */
export const CONDITION_LIMITS = {
  temperatureC: { min: -5, max: 110, step: 1 },
  salinityPct: { min: 0, max: 30, step: 0.5 },
  ph: { min: 1, max: 12, step: 0.1 },
} as const;

const round = (v: number, digits: number) => Number(v.toFixed(digits));

export function formatTemperature(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${round(v, 1)} °C`;
}

export function formatSalinity(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${round(v, 2)} % NaCl`;
}

export function formatPhValue(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `pH ${round(v, 1)}`;
}

export function formatOxygen(tolerant: boolean | null | undefined): string {
  return tolerant === null || tolerant === undefined ? '–' : tolerant ? 'tolerates O₂' : 'anaerobic';
}

/** "80 % interval 31.2–42.0 °C". */
export function formatInterval(low: number, high: number, unit: string, digits = 1): string {
  // A dash between negative numbers reads as a minus ("-22.5--5.8"): say "to" then.
  const sep = low < 0 || high < 0 ? ' to ' : '–';
  return `${round(low, digits)}${sep}${round(high, digits)}${unit ? ` ${unit}` : ''}`;
}

/** Why a predicted value is not used by the rankers (the UI's note after it). */
export function unusedReason(key: 'temperatureC' | 'salinityPct' | 'ph', value: number | null | undefined): string {
  if (key === 'temperatureC' && value !== null && value !== undefined && (value < GROWTH_TEMPERATURE_RANGE_C[0] || value > GROWTH_TEMPERATURE_RANGE_C[1])) {
    return ' — outside any known growth range, so not used; type a value to use one';
  }
  return ' — no better than the training mean, so not used; type a value to use one';
}

/** One line per condition, as the ranking used them ("37 °C, tolerates O₂, 0.5 % NaCl, pH 7"). */
export function describeConditions(c: GrowthConditions): string {
  return [
    c.temperatureC === null ? 'temperature unknown' : formatTemperature(c.temperatureC),
    c.oxygenTolerant === null ? 'oxygen unknown' : formatOxygen(c.oxygenTolerant),
    c.salinityPct === null ? 'NaCl unknown' : formatSalinity(c.salinityPct),
    c.ph === null ? 'pH unknown' : formatPhValue(c.ph),
  ].join(', ');
}

function sameValue(a: number | boolean | null, b: number | boolean | null): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < 1e-9;
  return a === b;
}

/** The conditions of `edited` that differ from `predicted` (empty: nothing edited). */
export function editedFields(predicted: GrowthConditions, edited: GrowthConditions): ConditionKey[] {
  return CONDITION_KEYS.filter((k) => !sameValue(predicted[k], edited[k]));
}

export function sameConditions(a: GrowthConditions, b: GrowthConditions): boolean {
  return editedFields(a, b).length === 0;
}

/** A value typed into a number input: a finite number, clamped to the limits; null when empty. */
export function parseConditionInput(key: Exclude<ConditionKey, 'oxygenTolerant'>, text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (t === '') return null;
  const v = Number(t);
  if (!Number.isFinite(v)) return null;
  const { min, max } = CONDITION_LIMITS[key];
  return Math.min(max, Math.max(min, v));
}

export interface ConditionPreset {
  id: string;
  label: string;
  title: string;
  apply(c: GrowthConditions): GrowthConditions;
}

/** Counterfactuals one click away: the same genome under other conditions. */
export const CONDITION_PRESETS: readonly ConditionPreset[] = [
  { id: 'hot', label: 'at 70 °C', title: 'the same genome, grown at 70 °C', apply: (c) => ({ ...c, temperatureC: 70 }) },
  { id: 'salt', label: 'at 10 % NaCl', title: 'the same genome, at 10 % NaCl (w/v)', apply: (c) => ({ ...c, salinityPct: 10 }) },
  { id: 'anaerobic', label: 'anaerobic', title: 'the same genome, without oxygen', apply: (c) => ({ ...c, oxygenTolerant: false }) },
];

export interface RankChange {
  /** 1-based rank in the current ranking. */
  rank: number;
  /** 1-based rank in the reference ranking, or null when the medium was not in it. */
  before: number | null;
  /** before − rank: positive = moved up; null = new in the list. */
  delta: number | null;
}

/** How each medium of `current` moved against `reference` (both lists of medium ids, best first). */
export function rankChanges(reference: readonly string[], current: readonly string[]): Map<string, RankChange> {
  const before = new Map(reference.map((id, i) => [id, i + 1]));
  const out = new Map<string, RankChange>();
  current.forEach((id, i) => {
    const b = before.get(id) ?? null;
    out.set(id, { rank: i + 1, before: b, delta: b === null ? null : b - (i + 1) });
  });
  return out;
}

/** "▲ 3", "▼ 2", "new", or "" when unchanged. */
export function formatRankChange(c: RankChange | undefined): string {
  if (!c) return '';
  if (c.delta === null) return 'new';
  if (c.delta > 0) return `▲ ${c.delta}`;
  if (c.delta < 0) return `▼ ${-c.delta}`;
  return '';
}

/** Up to 4 significant digits, no exponent for bench-sized numbers (as the recipe view). */
export function formatAmount(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  if (Math.abs(v) >= 100) return String(Math.round(v * 10) / 10);
  return String(Number(v.toPrecision(4)));
}

export interface RecipeExportMeta {
  /** The genome the recipes were generated for (a label; the sequence alone drove them). */
  genome: string;
  conditions: GrowthConditions;
  model?: string | null;
  generatedAt?: string;
}

const tsvCell = (v: unknown) => (v === null || v === undefined ? '' : showControls(String(v).replace(/[\t\r\n]+/g, ' ')));

/** One TSV line per ingredient: recipe, ingredient, g/L, mmol/L, ml/L, stock, recipe pH, valid, flags, nearest medium. */
export function recipesToTsv(recipes: readonly GeneratedRecipe[], meta: RecipeExportMeta): string {
  const head = ['recipe', 'ingredient', 'g_per_l', 'mmol_per_l', 'ml_per_l', 'stock_only', 'recipe_ph', 'valid', 'flags', 'nearest_medium_id', 'nearest_medium_name', 'nearest_similarity'];
  const lines = [`# MediaForge generated recipes for ${tsvCell(meta.genome)}; conditions: ${describeConditions(meta.conditions)}${meta.model ? `; model ${meta.model}` : ''}`, head.join('\t')];
  recipes.forEach((r, i) => {
    for (const ing of r.ingredients) {
      lines.push(
        [i + 1, ing.name, formatAmount(ing.g_per_l), formatAmount(ing.mmol_per_l), formatAmount(ing.ml_per_l ?? null), ing.stock_only ? 'yes' : '', r.ph === null ? '' : round(r.ph, 2), r.valid ? 'yes' : 'no', r.flags.join('; '), r.nearest_medium_id ?? '', r.nearest_medium_name ?? '', r.nearest_similarity === null || r.nearest_similarity === undefined ? '' : round(r.nearest_similarity, 3)]
          .map(tsvCell)
          .join('\t'),
      );
    }
  });
  return `${lines.join('\n')}\n`;
}

/** `generate --json`'s shape ({conditions_used, recipes}) with the genome label and model. */
export function recipesToJson(recipes: readonly GeneratedRecipe[], meta: RecipeExportMeta): string {
  return `${escapeJsonControls(JSON.stringify({ genome: meta.genome, model: meta.model ?? null, generated_at: meta.generatedAt ?? null, conditions_used: meta.conditions, recipes }, null, 2))}\n`;
}

/** A file name from a genome label: "mycoplasma-genitalium-g37.recipes.tsv". */
export function exportName(genome: string, ext: string): string {
  const base = genome.replace(/\.(fa|fna|fasta|fas)(\.gz)?$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'genome';
  return `${base}.recipes.${ext}`;
}

/** Today as YYYY-MM-DD in local time (the date a bench result is recorded on by default). */
export function todayIso(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** Ingredients a recipe has that the reference recipe lacks, and the reverse (by name). */
export function recipeIngredientChange(reference: GeneratedRecipe | undefined, recipe: GeneratedRecipe): { added: string[]; removed: string[] } | null {
  if (!reference) return null;
  const before = new Set(reference.ingredients.map((i) => i.name));
  const now = new Set(recipe.ingredients.map((i) => i.name));
  return { added: [...now].filter((n) => !before.has(n)), removed: [...before].filter((n) => !now.has(n)) };
}
