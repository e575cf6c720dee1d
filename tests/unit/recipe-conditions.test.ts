/** The recipe CVAE's condition vector (src/media/recipe-conditions.ts): layout, masks, round trip, interpolation. */
import { describe, expect, it } from 'vitest';
import {
  CONDITION_FIXED_DIM,
  conditionDim,
  decodeCondition,
  encodeCondition,
  groupOfDomain,
  groupOfHint,
  groupOneHot,
  interpolateConditions,
  mainGroup,
  recipeConditionForQuery,
  recipeConditionOf,
  UNKNOWN_CONDITION,
  type RecipeCondition,
} from '../../src/media/recipe-conditions';

const G = 3;
const known: RecipeCondition = { temperatureC: 50, oxygenTolerance: 0, ph: 9, salinityPct: Math.E - 1, group: groupOneHot('archaea'), genome: Float32Array.of(3, 0, 4) };

describe('encodeCondition', () => {
  it('puts each field and its mask in its slot (values by hand)', () => {
    const v = encodeCondition(known, G);
    expect(v.length).toBe(conditionDim(G));
    expect(conditionDim(G)).toBe(CONDITION_FIXED_DIM + G + 1);
    expect(Array.from(v.subarray(0, 8))).toEqual([1, 1, -1, 1, 1, 1, 0.5, 1].map((x) => Math.fround(x)));
    expect(Array.from(v.subarray(8, 12))).toEqual([0, 1, 0, 0]);
    // genome L2-normalised: (3, 0, 4) / 5
    expect(Array.from(v.subarray(12))).toEqual([0.6, 0, 0.8, 1].map((x) => Math.fround(x)));
  });

  it('gives zeros with mask 0 for every unknown field', () => {
    expect(Array.from(encodeCondition(UNKNOWN_CONDITION, G))).toEqual(new Array(conditionDim(G)).fill(0));
    const partial = encodeCondition({ ...UNKNOWN_CONDITION, temperatureC: 30 }, G);
    expect(partial[0]).toBe(0); // 30 °C is the centre: value 0, but known
    expect(partial[1]).toBe(1);
  });

  it('writes into a batch row and round-trips through decodeCondition', () => {
    const batch = new Float32Array(2 * conditionDim(G));
    encodeCondition(known, G, batch, conditionDim(G));
    const back = decodeCondition(batch, G, conditionDim(G));
    expect(back.temperatureC).toBeCloseTo(50, 5);
    expect(back.oxygenTolerance).toBe(0);
    expect(back.ph).toBeCloseTo(9, 5);
    expect(back.salinityPct).toBeCloseTo(Math.E - 1, 5);
    expect(mainGroup(back)).toBe('archaea');
    expect(Array.from(back.genome!)).toEqual([0.6, 0, 0.8].map((x) => Math.fround(x)));
    expect(decodeCondition(batch, G, 0)).toEqual(UNKNOWN_CONDITION);
  });

  it('refuses a genome embedding of the wrong size', () => {
    expect(() => encodeCondition({ ...known, genome: new Float32Array(4) }, G)).toThrow(/4 dimensions.*expects 3/);
  });
});

describe('groups and GrowthConditions', () => {
  it('maps strains.domain, rRNA calls and organism_group_hint to the four groups', () => {
    expect(groupOfDomain('Bacteria')).toBe('bacteria');
    expect(groupOfDomain('archaea')).toBe('archaea');
    expect(groupOfDomain('unresolved')).toBeNull();
    expect(groupOfHint('fungi/yeast (keyword heuristic)')).toBe('fungi');
    expect(groupOfHint('microalgae/protists (CCAP collection)')).toBe('protists');
    expect(groupOfHint('specialized (keyword heuristic)')).toBeNull();
  });

  it('turns GrowthConditions into a condition (oxygen as a probability)', () => {
    const c = recipeConditionOf({ temperatureC: 37, oxygenTolerant: false, salinityPct: null, ph: 7 }, 'bacteria');
    expect(c).toMatchObject({ temperatureC: 37, oxygenTolerance: 0, salinityPct: null, ph: 7, genome: null });
    expect(mainGroup(c)).toBe('bacteria');
  });
});

describe('interpolateConditions', () => {
  const a: RecipeCondition = { temperatureC: 20, oxygenTolerance: 1, ph: 7, salinityPct: null, group: groupOneHot('bacteria'), genome: Float32Array.of(1, 0, 0) };
  const b: RecipeCondition = { temperatureC: 80, oxygenTolerance: 0, ph: null, salinityPct: 3, group: groupOneHot('archaea'), genome: null };

  it('is linear in each field known on both sides, and ends at a and b', () => {
    const m = interpolateConditions(a, b, 0.25);
    expect(m.temperatureC).toBe(35);
    expect(m.oxygenTolerance).toBe(0.75);
    expect(m.group).toEqual({ bacteria: 0.75, archaea: 0.25, fungi: 0, protists: 0 });
    expect(interpolateConditions(a, b, 0).temperatureC).toBe(20);
    expect(interpolateConditions(a, b, 1).temperatureC).toBe(80);
    expect(mainGroup(interpolateConditions(a, b, 1))).toBe('archaea');
  });

  it('keeps a field known on one side only, and leaves fields unknown on both sides unknown', () => {
    for (const t of [0, 0.5, 1]) {
      const m = interpolateConditions(a, b, t);
      expect(m.ph).toBe(7);
      expect(m.salinityPct).toBe(3);
      expect(Array.from(m.genome!)).toEqual([1, 0, 0]);
    }
    expect(interpolateConditions(UNKNOWN_CONDITION, UNKNOWN_CONDITION, 0.5)).toEqual(UNKNOWN_CONDITION);
  });

  it('mixes genome embeddings element-wise and clamps t', () => {
    const m = interpolateConditions({ ...a, genome: Float32Array.of(1, 0, 0) }, { ...b, genome: Float32Array.of(0, 1, 0) }, 0.5);
    expect(Array.from(m.genome!)).toEqual([0.5, 0.5, 0]);
    expect(interpolateConditions(a, b, 7).temperatureC).toBe(80);
    expect(() => interpolateConditions(a, b, Number.NaN)).toThrow(/t must be/);
  });

  it('a query genome gets its group from the rRNA call; a eukaryote is half fungus, half protist', () => {
    const c = { temperatureC: 30, oxygenTolerant: false };
    expect(recipeConditionForQuery(c, 'archaea', null).group).toEqual({ bacteria: 0, archaea: 1, fungi: 0, protists: 0 });
    expect(recipeConditionForQuery(c, 'eukarya', null).group).toEqual({ bacteria: 0, archaea: 0, fungi: 0.5, protists: 0.5 });
    expect(recipeConditionForQuery(c, 'unknown', null).group).toBeNull();
    expect(recipeConditionForQuery(c, 'bacteria', null)).toMatchObject({ temperatureC: 30, oxygenTolerance: 0, ph: null, salinityPct: null });
  });
});
