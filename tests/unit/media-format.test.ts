/** The Media tab's pure helpers: units, presets, rank changes, recipe exports. */
import { describe, expect, it } from 'vitest';
import type { GeneratedRecipe, GrowthConditions } from '../../src/media/media-api-types';
import {
  CONDITION_PRESETS,
  describeConditions,
  editedFields,
  exportName,
  formatInterval,
  unusedReason,
  formatRankChange,
  formatSalinity,
  formatTemperature,
  parseConditionInput,
  rankChanges,
  recipeIngredientChange,
  recipesToJson,
  recipesToTsv,
  sameConditions,
  todayIso,
} from '../../src/ui/media-format';

const predicted: GrowthConditions = { temperatureC: 36.84, oxygenTolerant: true, salinityPct: 0.5, ph: null };

const recipe: GeneratedRecipe = {
  ingredients: [
    { name: 'Peptone', g_per_l: 10, mmol_per_l: null },
    { name: 'NaCl', g_per_l: 5, mmol_per_l: 85.56 },
    { name: 'Trace element solution SL-10', g_per_l: null, mmol_per_l: null, ml_per_l: 1, stock_only: true },
  ],
  ph: 7.04,
  valid: false,
  flags: ['no carbon source\tnamed'],
  nearest_medium_id: '1',
  nearest_medium_name: 'NUTRIENT AGAR',
  nearest_similarity: 0.8123,
  differences: { added: ['NaCl'], removed: ['Agar'], changed: [] },
};

describe('units', () => {
  it('formats every condition with its unit, and unknown as a dash', () => {
    expect(formatTemperature(36.84)).toBe('36.8 °C');
    expect(formatTemperature(null)).toBe('–');
    expect(formatSalinity(0.5)).toBe('0.5 % NaCl');
    expect(formatInterval(31.24, 42.96, '°C')).toBe('31.2–43 °C');
    // A dash between negative numbers would read as a minus.
    expect(formatInterval(-22.46, -5.8, '°C')).toBe('-22.5 to -5.8 °C');
    expect(formatInterval(-3, 12, '°C')).toBe('-3 to 12 °C');
    // Why a predicted value is not used: out of any growth range, or no better than the mean.
    expect(unusedReason('temperatureC', -14.2)).toMatch(/^ — outside any known growth range, so not used/);
    expect(unusedReason('temperatureC', 120)).toMatch(/outside any known growth range/);
    expect(unusedReason('temperatureC', 30)).toMatch(/^ — no better than the training mean/);
    expect(unusedReason('salinityPct', 3.6)).toMatch(/^ — no better than the training mean/);
    expect(describeConditions(predicted)).toBe('36.8 °C, tolerates O₂, 0.5 % NaCl, pH unknown');
  });
});

describe('edits and presets', () => {
  it('lists the edited fields and compares conditions', () => {
    expect(editedFields(predicted, predicted)).toEqual([]);
    expect(editedFields(predicted, { ...predicted, temperatureC: 70, ph: 7 })).toEqual(['temperatureC', 'ph']);
    expect(sameConditions(predicted, { ...predicted })).toBe(true);
  });

  it('parses typed values, clamps them and takes a comma as decimal point', () => {
    expect(parseConditionInput('temperatureC', ' 70 ')).toBe(70);
    expect(parseConditionInput('temperatureC', '500')).toBe(110);
    expect(parseConditionInput('ph', '6,5')).toBe(6.5);
    expect(parseConditionInput('salinityPct', '')).toBeNull();
    expect(parseConditionInput('salinityPct', 'salty')).toBeNull();
  });

  it('presets change one condition and keep the others', () => {
    const byId = Object.fromEntries(CONDITION_PRESETS.map((p) => [p.id, p.apply(predicted)]));
    expect(byId.hot).toEqual({ ...predicted, temperatureC: 70 });
    expect(byId.salt).toEqual({ ...predicted, salinityPct: 10 });
    expect(byId.anaerobic).toEqual({ ...predicted, oxygenTolerant: false });
    expect(CONDITION_PRESETS.map((p) => p.label)).toEqual(['at 70 °C', 'at 10 % NaCl', 'anaerobic']);
  });
});

describe('rank changes', () => {
  it('says how far each medium moved, and which are new', () => {
    const ch = rankChanges(['a', 'b', 'c', 'd'], ['c', 'a', 'b', 'x']);
    expect(ch.get('c')).toEqual({ rank: 1, before: 3, delta: 2 });
    expect(ch.get('a')).toEqual({ rank: 2, before: 1, delta: -1 });
    expect(ch.get('x')).toEqual({ rank: 4, before: null, delta: null });
    expect(formatRankChange(ch.get('c'))).toBe('▲ 2');
    expect(formatRankChange(ch.get('a'))).toBe('▼ 1');
    expect(formatRankChange(ch.get('x'))).toBe('new');
    expect(formatRankChange(rankChanges(['a'], ['a']).get('a'))).toBe('');
  });
});

describe('recipe exports', () => {
  const meta = { genome: 'my isolate.fa.gz', conditions: predicted, model: 'recipe-cvae-1', generatedAt: '2026-12-01T00:00:00.000Z' };

  it('TSV: a comment line, a header and one line per ingredient, no stray tabs', () => {
    const lines = recipesToTsv([recipe, recipe], meta).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^# MediaForge generated recipes for my isolate\.fa\.gz; conditions: 36\.8 °C/);
    expect(lines[1].split('\t')).toEqual(['recipe', 'ingredient', 'g_per_l', 'mmol_per_l', 'ml_per_l', 'stock_only', 'recipe_ph', 'valid', 'flags', 'nearest_medium_id', 'nearest_medium_name', 'nearest_similarity']);
    expect(lines).toHaveLength(2 + 6);
    for (const l of lines.slice(1)) expect(l.split('\t')).toHaveLength(12);
    expect(lines[3].split('\t')).toEqual(['1', 'NaCl', '5', '85.56', '', '', '7.04', 'no', 'no carbon source named', '1', 'NUTRIENT AGAR', '0.812']);
    expect(lines[4].split('\t').slice(0, 6)).toEqual(['1', 'Trace element solution SL-10', '', '', '1', 'yes']);
    expect(lines[7].startsWith('2\t')).toBe(true);
  });

  it('JSON: generate --json shape with the genome and model', () => {
    const j = JSON.parse(recipesToJson([recipe], meta));
    expect(j.conditions_used).toEqual(predicted);
    expect(j.recipes[0]).toEqual(recipe);
    expect(j.genome).toBe('my isolate.fa.gz');
    expect(j.model).toBe('recipe-cvae-1');
  });

  it('says which ingredients a recipe gained and lost against the reference recipe', () => {
    const other = { ...recipe, ingredients: [recipe.ingredients[0], { name: 'Glucose', g_per_l: 2, mmol_per_l: 11.1 }] };
    expect(recipeIngredientChange(recipe, other)).toEqual({ added: ['Glucose'], removed: ['NaCl', 'Trace element solution SL-10'] });
    expect(recipeIngredientChange(undefined, other)).toBeNull();
  });

  it('names the files after the genome', () => {
    expect(exportName('my isolate.fa.gz', 'tsv')).toBe('my_isolate.recipes.tsv');
    expect(exportName('E_coli.fna', 'json')).toBe('E_coli.recipes.json');
    expect(exportName('///', 'tsv')).toBe('genome.recipes.tsv');
  });
});

describe('small helpers', () => {
  it('today in local time', () => {
    expect(todayIso(new Date(2026, 0, 5))).toBe('2026-01-05');
  });
});
