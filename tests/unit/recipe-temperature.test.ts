/** Rule 19's parts on hand-made recipes: the recipe temperature regression and its fit term. */
import { describe, expect, it } from 'vitest';
import { fitRecipeTemperatures, recipeTemperatureFit, RECIPE_TEMPERATURE_SIGMA_C } from '../../src/media/recipe-temperature';

// Vocabulary: 0 water (every recipe), 1 sulfur (hyperthermophile media), 2 peptone (mesophile media).
const recipes = [
  { idx: [0, 1] }, // 0: trained at 85 °C
  { idx: [0, 1] }, // 1: trained at 90 °C
  { idx: [0, 2] }, // 2: trained at 30 °C
  { idx: [0, 2] }, // 3: trained at 37 °C
  { idx: [0, 1] }, // 4: no strains: judged by its recipe alone
  { idx: [0, 2] }, // 5: no strains
  { idx: [] }, // 6: no recipe
];
const hasRecipe = [1, 1, 1, 1, 1, 1, 0];
const strains = [
  { medium: 0, temperatureC: 85 },
  { medium: 1, temperatureC: 88 },
  { medium: 1, temperatureC: 92 },
  { medium: 1, temperatureC: 90 },
  { medium: 2, temperatureC: 30 },
  { medium: 3, temperatureC: 37 },
  { medium: 6, temperatureC: 20 }, // no recipe: not a training row
];

describe('recipe temperatures (rule 19)', () => {
  it('reads a hot recipe as hot and a mild one as mild, medium by medium, from the median of its strains', () => {
    const t = fitRecipeTemperatures(recipes, hasRecipe, strains);
    // Targets 85, 90 (median of 88, 92, 90), 30, 37; mean 60.5. Sulfur recipes predict the same, peptone ones too.
    expect(t[4]).toBeCloseTo(t[0], 10);
    expect(t[5]).toBeCloseTo(t[2], 10);
    expect(t[4]).toBeGreaterThan(70);
    expect(t[5]).toBeLessThan(50);
    // The ridge shrinks towards the mean: not beyond the targets.
    expect(t[4]).toBeLessThan(87.5);
    expect(t[5]).toBeGreaterThan(33.5);
    expect(Number.isNaN(t[6])).toBe(true);
    // Unpenalised (λ = 0, and water dropped so the design is full rank) it is the two group means.
    const exact = fitRecipeTemperatures(
      recipes.map((r) => ({ idx: r.idx.filter((k) => k !== 0) })),
      hasRecipe,
      strains,
      1e-9,
    );
    expect(exact[4]).toBeCloseTo(87.5, 4);
    expect(exact[5]).toBeCloseTo(33.5, 4);
  });

  it('gives no temperatures without strain temperatures on recipes', () => {
    const t = fitRecipeTemperatures(recipes, hasRecipe, [{ medium: 6, temperatureC: 20 }]);
    expect([...t].every(Number.isNaN)).toBe(true);
  });

  it('fits a temperature by a kernel, weighed by how few recipes fit it', () => {
    const temps = [88, 90, 30, 32, 35, 37, NaN];
    const hot = recipeTemperatureFit(temps, 90);
    // Two of six recipes within σ of 90 °C: S = ln(6/2)/ln 6; the exact match has K = 1.
    const s = Math.log(3) / Math.log(6);
    expect(hot[1]).toBeCloseTo(s, 12);
    expect(hot[0]).toBeCloseTo(Math.exp(-0.5 * (2 / RECIPE_TEMPERATURE_SIGMA_C) ** 2) * s, 12);
    expect(hot[2]).toBeLessThan(1e-6);
    expect(hot[6]).toBe(0);
    // At 33 °C four of six fit: each fitting recipe counts less than a fitting hot one.
    const mild = recipeTemperatureFit(temps, 33);
    expect(mild[3]).toBeLessThan(hot[1]);
    expect(mild[3]).toBeCloseTo(Math.exp(-0.5 * (1 / RECIPE_TEMPERATURE_SIGMA_C) ** 2) * (Math.log(6 / 4) / Math.log(6)), 12);
    // Where every recipe fits, the term says nothing.
    expect([...recipeTemperatureFit([30, 31, 32], 31)].every((x) => x === 0)).toBe(true);
  });
});
