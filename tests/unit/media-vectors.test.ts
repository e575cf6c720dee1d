/**
 * Media as vectors (src/media/media-vectors.ts) on real sql.js databases: the MediaDive fixture subset
 * (tests/fixtures/mediadive) and, when ../shared/data is present, the bundled snapshot. Expected values
 * come from the TSV files themselves (parsed here with a plain split), not from the SQL the module runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAppError } from '../../src/core/errors';
import { getRecipe } from '../../src/db/queries';
import { openSnapshot } from '../../src/db/snapshot-file';
import {
  buildMediaMatrix,
  buildVocabulary,
  describeVocabulary,
  formulaMass,
  isGellingAgent,
  isWater,
  mediumVector,
  nearestMedia,
  parseHydrate,
  PRESENCE_WEIGHT,
  recipeToVector,
  vectorToRecipe,
  weightedJaccard,
  type MediaMatrix,
  type VocabEntry,
} from '../../src/media/media-vectors';
import { REPO_ROOT } from '../helpers/data';
import { FIXTURE_DATA, HAS_SHARED_DATA, mediaDb, mediadiveDir, readRows, SHARED_DATA, sql } from './db-test-helpers';

type Row = Record<string, string>;

/** Water as the test reads it: the solvent names that occur in MediaDive (independent of isWater). */
const WATER_NAMES = new Set(['distilled water', 'deionized water', 'double distilled water', 'demineralized water', 'water', 'h2o', 'tap water', 'milli q water', 'water (distilled or tapwater)']);

const H2O = 18.015; // g/mol
const MGSO4 = 24.305 + 32.06 + 4 * 15.999;

function entryOf(m: { vocab: VocabEntry[] }, ingredientId: number): VocabEntry | undefined {
  return m.vocab.find((e) => e.members.some((x) => x.ingredientId === ingredientId));
}

/** The matrix the TSV rows imply under the documented rules (final rows summed, stock rows presence only). */
function expectedFromTsv(m: MediaMatrix, composition: Row[]) {
  const V = m.vocab.length;
  const col = new Map<number, { j: number; factor: number }>();
  m.vocab.forEach((e, j) => e.members.forEach((x) => col.set(x.ingredientId, { j, factor: x.toCanonical })));
  const row = new Map(m.mediumIds.map((id, i) => [id, i]));
  const linear = new Float64Array(m.mediumIds.length * V);
  const present = new Uint8Array(m.mediumIds.length * V);
  const stock = new Uint8Array(m.mediumIds.length * V);
  for (const r of composition) {
    const i = row.get(r.medium_id);
    const c = col.get(Number(r.ingredient_id));
    if (i === undefined || !c) continue;
    const cell = i * V + c.j;
    present[cell] = 1;
    if (r.conc_basis === 'stock_solution') {
      stock[cell] = 1;
      continue;
    }
    const ml = m.vocab[c.j].unit === 'ml';
    const v = ml ? r.ml_per_l : r.g_per_l;
    if (v !== '') linear[cell] += Number(v) * (ml ? 1 : c.factor);
  }
  return { linear, present, stock };
}

function expectMatrixMatchesTsv(m: MediaMatrix, composition: Row[]): void {
  const { linear, present, stock } = expectedFromTsv(m, composition);
  const bad: string[] = [];
  const V = m.vocab.length;
  for (let c = 0; c < linear.length; c++) {
    const want = Math.log1p(linear[c]);
    if (m.present[c] !== present[c] || m.stock[c] !== stock[c] || Math.abs(m.amount[c] - want) > 1e-6 * Math.max(1, want)) {
      if (bad.length < 5) bad.push(`${m.mediumIds[Math.floor(c / V)]} / ${m.vocab[c % V].name}: amount ${m.amount[c]} vs ${want}, present ${m.present[c]} vs ${present[c]}, stock ${m.stock[c]} vs ${stock[c]}`);
      else bad.push('');
    }
  }
  expect(bad.length, bad.slice(0, 5).join('\n')).toBe(0);
}

/** Every medium: vector -> recipe gives the TSV's g/L back; recipe -> vector gives the same row. Returns the amounts checked. */
function expectRoundTrip(m: MediaMatrix, composition: Row[]): number {
  const { linear } = expectedFromTsv(m, composition);
  const V = m.vocab.length;
  let checked = 0;
  const bad: string[] = [];
  for (let i = 0; i < m.mediumIds.length; i++) {
    const v = mediumVector(m, i)!;
    const items = vectorToRecipe(v.amount, v.present, m.vocab);
    if (items.length !== v.present.reduce((a, b) => a + b, 0)) bad.push(`${m.mediumIds[i]}: ${items.length} items`);
    for (const it of items) {
      const want = linear[i * V + it.index];
      const got = it.gPerL ?? it.mlPerL;
      if (want > 0) {
        checked++;
        if (got === null || Math.abs(got - want) / want > 1e-6) bad.push(`${m.mediumIds[i]} ${it.name}: ${got} vs ${want}`);
      } else if (!it.stockOnly) bad.push(`${m.mediumIds[i]} ${it.name}: not stockOnly`);
    }
    const back = recipeToVector(items, m.vocab);
    for (let j = 0; j < V; j++) {
      if (back.present[j] !== v.present[j] || Math.abs(back.amount[j] - v.amount[j]) > 2e-7 * Math.max(1, v.amount[j])) {
        bad.push(`${m.mediumIds[i]} ${m.vocab[j].name}: back ${back.amount[j]}/${back.present[j]} vs ${v.amount[j]}/${v.present[j]}`);
      }
    }
  }
  expect(bad.slice(0, 5)).toEqual([]);
  return checked;
}

describe('ingredient names, hydrates and formulas', () => {
  test('parseHydrate reads "x n H2O" suffixes, hydrate words and "anhydrous"', () => {
    expect(parseHydrate('MgSO4 x 7 H2O')).toEqual({ base: 'MgSO4', waters: 7, stated: true });
    expect(parseHydrate('L-Cysteine HCl x H2O')).toEqual({ base: 'L-Cysteine HCl', waters: 1, stated: true });
    expect(parseHydrate('Calcium chloride dihydrate')).toEqual({ base: 'Calcium chloride', waters: 2, stated: true });
    expect(parseHydrate('Na2CO3 anhydrous')).toEqual({ base: 'Na2CO3', waters: 0, stated: true });
    expect(parseHydrate('MnSO4 x n H2O').waters).toBeNull();
    expect(parseHydrate('Glucose')).toEqual({ base: 'Glucose', waters: 0, stated: false });
  });

  test('formulaMass parses plain formulas and refuses names', () => {
    expect(formulaMass('MgSO4')).toBeCloseTo(MGSO4, 6);
    expect(formulaMass('Fe(NH4)2(SO4)2')).toBeCloseTo(55.845 + 2 * (14.007 + 4 * 1.008) + 2 * (32.06 + 4 * 15.999), 6);
    for (const name of ['Biotin', 'KCL', 'Na2-EDTA', 'Yeast extract', '']) expect(formulaMass(name)).toBeNull();
  });

  test('water and gelling agents are told apart from sea water and agar media', () => {
    for (const w of ['Distilled water', 'Deionized water', 'Double distilled water', 'Tap water', 'H2O', 'Milli Q Water', 'water (distilled or tapwater)']) expect(isWater(w)).toBe(true);
    for (const w of ['Sea water', 'Natural sea water', 'Salt water', 'Mineral water', 'H2O2']) expect(isWater(w)).toBe(false);
    for (const g of ['Agar', 'Bacto agar', 'Noble agar', 'Agarose', 'Gelrite', 'Gellan Gum']) expect(isGellingAgent(g)).toBe(true);
    for (const g of ['Marine agar 2216', 'R2A agar', 'Columbia agar base', 'Gelatine']) expect(isGellingAgent(g)).toBe(false);
  });
});

describe('media vectors on the fixture subset', () => {
  let db: Database;
  let m: MediaMatrix;
  let all: MediaMatrix;
  let media: Row[];
  let composition: Row[];
  let ingredients: Map<number, Row>;

  beforeAll(async () => {
    db = await mediaDb();
    m = buildMediaMatrix(db);
    all = buildMediaMatrix(db, { minMedia: 1 });
    media = readRows(join(FIXTURE_DATA, 'media.tsv'));
    composition = readRows(join(FIXTURE_DATA, 'media_composition.tsv'));
    ingredients = new Map(readRows(join(FIXTURE_DATA, 'ingredients.tsv')).map((r) => [Number(r.ingredient_id), r]));
  });
  afterAll(() => db?.close());

  test('one row per medium of media.tsv, in file order, with pH, complex flag and hasComposition from the TSVs', () => {
    expect(m.mediumIds).toEqual(media.map((r) => r.medium_id));
    const withRows = new Set(composition.map((r) => r.medium_id));
    expect(m.hasComposition.reduce((a, b) => a + b, 0)).toBe(withRows.size);
    expect(m.stats.withoutComposition).toBe(media.length - withRows.size);
    media.forEach((r, i) => {
      expect(m.hasComposition[i]).toBe(withRows.has(r.medium_id) ? 1 : 0);
      expect(m.complex[i]).toBe(r.complex_medium === '1' ? 1 : 0);
      const lo = r.min_ph === '' ? null : Number(r.min_ph);
      const hi = r.max_ph === '' ? null : Number(r.max_ph);
      const want = lo !== null && hi !== null ? (lo + hi) / 2 : (lo ?? hi ?? NaN);
      if (Number.isNaN(want)) expect(m.ph[i]).toBeNaN();
      else expect(m.ph[i]).toBeCloseTo(want, 5);
    });
    const V = m.vocab.length;
    expect(m.amount.length).toBe(media.length * V);
    expect(m.present.length).toBe(media.length * V);
    expect(m.stock.length).toBe(media.length * V);
  });

  test('vocabulary rule: no water, agar a gelling entry, each entry in ≥ minMedia media (counted from the TSV)', () => {
    const used = new Set<number>();
    for (const r of composition) if (!WATER_NAMES.has(ingredients.get(Number(r.ingredient_id))!.name.toLowerCase())) used.add(Number(r.ingredient_id));
    // minMedia 1: every non-water ingredient is a member of exactly one entry.
    const members = all.vocab.flatMap((e) => e.members.map((x) => x.ingredientId));
    expect(new Set(members).size).toBe(members.length);
    expect(new Set(members)).toEqual(used);
    for (const e of m.vocab) {
      const ids = new Set(e.members.map((x) => x.ingredientId));
      const mediaCount = new Set(composition.filter((r) => ids.has(Number(r.ingredient_id))).map((r) => r.medium_id)).size;
      expect(e.mediaCount).toBe(mediaCount);
      expect(e.mediaCount).toBeGreaterThanOrEqual(3);
    }
    expect(m.vocab.map((e) => e.mediaCount)).toEqual([...m.vocab.map((e) => e.mediaCount)].sort((a, b) => b - a));
    const agar = entryOf(m, 3)!;
    expect(agar).toMatchObject({ name: 'Agar', role: 'gelling', members: [expect.objectContaining({ ingredientId: 3 })] });
    expect(m.vocab.filter((e) => e.role === 'gelling').every((e) => e.members.length === 1)).toBe(true);
    expect(entryOf(all, 4)).toBeUndefined(); // Distilled water
    expect(m.vocabStats!.vocabSize).toBe(m.vocab.length);
    expect(buildVocabulary(db).entries).toEqual(m.vocab);
    expect(describeVocabulary(m.vocabStats)).toContain(`**${m.vocab.length} entries**`);
    expect(describeVocabulary()).toContain('at least 3 media');
  });

  test('medium 1 (NUTRIENT AGAR) by hand: peptone 5, meat extract 3, agar 15 g/L, nothing else', () => {
    expect(composition.filter((r) => r.medium_id === '1').map((r) => [r.ingredient_name, r.g_per_l])).toEqual([
      ['Peptone', '5'],
      ['Meat extract', '3'],
      ['Agar', '15'],
      ['Distilled water', ''],
    ]);
    const v = mediumVector(all, '1')!;
    const at = (id: number) => entryOf(all, id)!.index;
    expect(v.amount[at(1)]).toBeCloseTo(Math.log1p(5), 6);
    expect(v.amount[at(2)]).toBeCloseTo(Math.log1p(3), 6);
    expect(v.amount[at(3)]).toBeCloseTo(Math.log1p(15), 6);
    expect(v.present.reduce((a, b) => a + b, 0)).toBe(3);
    expect(v.stock.reduce((a, b) => a + b, 0)).toBe(0);
    const recipe = vectorToRecipe(v.amount, v.present, all.vocab);
    expect(recipe.map((x) => [x.name, Number(x.gPerL!.toFixed(5)), x.role, x.stockOnly]).sort()).toEqual([
      ['Agar', 15, 'gelling', false],
      ['Meat extract', 3, 'nutrient', false],
      ['Peptone', 5, 'nutrient', false],
    ]);
  });

  test('stock-solution rows give presence only: medium 120 trace elements and vitamins have amount 0 and the stock flag', () => {
    const rows = composition.filter((r) => r.medium_id === '120');
    const v = mediumVector(all, '120')!;
    const finalIds = new Set(rows.filter((r) => r.conc_basis === 'final_medium').map((r) => Number(r.ingredient_id)));
    const stockOnly = rows.filter((r) => r.conc_basis === 'stock_solution' && !WATER_NAMES.has(r.ingredient_name.toLowerCase()));
    expect(stockOnly.length).toBeGreaterThan(15);
    for (const r of stockOnly) {
      const e = entryOf(all, Number(r.ingredient_id))!;
      if (e.members.some((x) => finalIds.has(x.ingredientId))) continue;
      expect([r.ingredient_name, v.present[e.index], v.stock[e.index], v.amount[e.index]]).toEqual([r.ingredient_name, 1, 1, 0]);
    }
    const items = vectorToRecipe(v.amount, v.present, all.vocab);
    const item = (id: number) => items.find((x) => x.index === entryOf(all, id)!.index)!;
    expect(item(46)).toMatchObject({ gPerL: null, mmolPerL: null, stockOnly: true }); // Biotin, vitamin stock
    expect(item(43).gPerL).toBeCloseTo(2.19727, 5); // NaCl, main solution
    expect(item(43).mmolPerL).toBeCloseTo((2.19727 / 58.44) * 1000, 1);
  });

  test('hydrates are mass-corrected: MgSO4 0.12037 g/L in medium 382 is 0.2465 g/L MgSO4 x 7 H2O (1 mmol/L)', () => {
    const e = entryOf(all, 325)!;
    expect(e.ingredientId).toBe(8); // MgSO4 x 7 H2O, the form most media use
    expect(e.members.find((x) => x.ingredientId === 325)).toMatchObject({ waters: 0 });
    expect(e.members.find((x) => x.ingredientId === 325)!.toCanonical).toBeCloseTo((MGSO4 + 7 * H2O) / MGSO4, 4);
    expect(e.molarMass).toBeCloseTo(MGSO4 + 7 * H2O, 2);
    const v = mediumVector(all, '382')!;
    const item = vectorToRecipe(v.amount, v.present, all.vocab).find((x) => x.index === e.index)!;
    expect(item.gPerL).toBeCloseTo((0.12037 * (MGSO4 + 7 * H2O)) / MGSO4, 5);
    expect(item.mmolPerL).toBeCloseTo((0.12037 / MGSO4) * 1000, 4);
  });

  test('every row equals the TSV under the rules, for the default and the full vocabulary', () => {
    expectMatrixMatchesTsv(m, composition);
    expectMatrixMatchesTsv(all, composition);
  });

  test('round trip: vector -> recipe -> vector, and getRecipe() lines -> the matrix row', () => {
    expect(expectRoundTrip(all, composition)).toBeGreaterThan(300);
    for (const id of ['1', '120', '382', '514', '1592', 'C12']) {
      const recipe = getRecipe(db, id)!;
      const v = recipeToVector(recipe.solutions.flatMap((s) => s.lines), all.vocab);
      const row = mediumVector(all, id)!;
      expect(Array.from(v.amount), id).toEqual(Array.from(row.amount));
      expect(Array.from(v.present), id).toEqual(Array.from(row.present));
      expect(Array.from(v.stock), id).toEqual(Array.from(row.stock));
    }
  });

  test('weightedJaccard: 1 with itself, 0 with a disjoint medium, presence-only ingredients weighted by PRESENCE_WEIGHT', () => {
    const V = all.vocab.length;
    const ids = all.mediumIds.filter((_, i) => all.hasComposition[i]);
    const rows = ids.map((id) => mediumVector(all, id)!).filter((v) => v.present.some((p, j) => p && all.vocab[j].role === 'nutrient'));
    for (const v of rows) expect(weightedJaccard(v, v, { vocab: all.vocab })).toBe(1);
    // Medium 1 (peptone, meat extract, agar) shares nothing with medium 120 (no peptone/meat extract).
    const one = mediumVector(all, '1')!;
    const other = rows.find((v) => !v.present.some((p, j) => p && one.present[j]))!;
    expect(weightedJaccard(one, other)).toBe(0);
    // Hand-made rows: a = peptone 5 g/L; b = peptone 5 g/L + biotin from stock.
    const pep = entryOf(all, 1)!.index;
    const bio = entryOf(all, 46)!.index;
    const agar = entryOf(all, 3)!.index;
    const a = { amount: new Float32Array(V), present: new Uint8Array(V) };
    const b = { amount: new Float32Array(V), present: new Uint8Array(V) };
    a.amount[pep] = b.amount[pep] = Math.log1p(5);
    a.present[pep] = b.present[pep] = 1;
    b.present[bio] = 1;
    expect(weightedJaccard(a, b)).toBeCloseTo(Math.fround(Math.log1p(5)) / (Math.fround(Math.log1p(5)) + PRESENCE_WEIGHT), 6);
    // Agar counts only when asked for.
    b.present[bio] = 0;
    b.amount[agar] = Math.log1p(15);
    b.present[agar] = 1;
    expect(weightedJaccard(a, b, { vocab: all.vocab })).toBe(1);
    expect(weightedJaccard(a, b)).toBeLessThan(0.5);
    expect(weightedJaccard(a, { amount: new Float32Array(V), present: new Uint8Array(V) })).toBe(0);
  });

  test('nearestMedia ranks by weightedJaccard, leaves the query out and skips media without a recipe', () => {
    const near = nearestMedia('1', all, 5);
    expect(near[0]).toMatchObject({ mediumId: '1a', similarity: 1 });
    expect(near.map((x) => x.mediumId)).not.toContain('1');
    for (let k = 1; k < near.length; k++) expect(near[k].similarity).toBeLessThanOrEqual(near[k - 1].similarity);
    const q = mediumVector(all, '120')!;
    const byHand = all.mediumIds
      .map((id, i) => ({ id, i, s: all.hasComposition[i] ? weightedJaccard(q, mediumVector(all, i)!, { vocab: all.vocab }) : 0 }))
      .filter((x) => x.s > 0)
      .sort((x, y) => y.s - x.s || x.i - y.i)
      .slice(0, 8);
    const got = nearestMedia(q, all, 8);
    expect(got.map((x) => x.mediumId)).toEqual(byHand.map((x) => x.id));
    got.forEach((x, k) => expect(x.similarity).toBeCloseTo(byHand[k].s, 12));
    const empty = all.mediumIds.filter((_, i) => !all.hasComposition[i]);
    expect(empty.length).toBeGreaterThan(0);
    expect(nearestMedia(q, all, 1000).some((x) => empty.includes(x.mediumId))).toBe(false);
  });

  test('bad input is refused with BAD_OPTION', () => {
    const cases: (() => unknown)[] = [
      () => buildMediaMatrix(db, { minMedia: 0 }),
      () => vectorToRecipe(new Float32Array(2), new Uint8Array(2), all.vocab),
      () => nearestMedia('no-such-medium', all),
      () => weightedJaccard(mediumVector(all, 0)!, mediumVector(all, 0)!, { presenceWeight: 0 }),
    ];
    for (const f of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isAppError(err) && err.code).toBe('BAD_OPTION');
    }
  });

  test('a given vocabulary is used as is (a model trained on the snapshot applied to another database)', () => {
    const fixed = buildMediaMatrix(db, { vocab: m.vocab.slice(0, 10) });
    expect(fixed.vocab.length).toBe(10);
    expect(fixed.vocabStats).toBeNull();
    expectMatrixMatchesTsv(fixed, composition);
  });
});

if (HAS_SHARED_DATA) {
  describe(`media vectors of the bundled snapshot (counts from ${SHARED_DATA})`, () => {
    const dir = mediadiveDir(SHARED_DATA);
    let db: Database;
    let m: MediaMatrix;
    let buildMs: number;
    let media: Row[];
    let composition: Row[];

    beforeAll(async () => {
      db = openSnapshot(await sql(), new Uint8Array(readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz'))), 'bundled snapshot', { integrityCheck: false }).db;
      buildMediaMatrix(db); // warm-up (JIT)
      const t0 = performance.now();
      m = buildMediaMatrix(db);
      buildMs = performance.now() - t0;
      media = readRows(join(dir, 'media.tsv'));
      composition = readRows(join(dir, 'media_composition.tsv'));
    });
    afterAll(() => db?.close());

    test('3,327 media in media.tsv order; hasComposition = distinct medium_id of media_composition.tsv; built in well under 2 s', () => {
      expect(m.mediumIds).toEqual(media.map((r) => r.medium_id));
      expect(m.mediumIds.length).toBe(3327);
      const withRows = new Set(composition.map((r) => r.medium_id));
      expect(withRows.size).toBe(3134);
      expect(m.stats.withComposition).toBe(withRows.size);
      m.mediumIds.forEach((id, i) => expect(m.hasComposition[i]).toBe(withRows.has(id) ? 1 : 0));
      console.log(`buildMediaMatrix: ${m.mediumIds.length} media × ${m.vocab.length} entries in ${buildMs.toFixed(0)} ms`);
      expect(buildMs).toBeLessThan(2000);
    });

    test('vocabulary: 398 entries used in ≥ 3 media (recounted from the TSV), Agar gelling, water out, hydrates merged', () => {
      const s = m.vocabStats!;
      expect(s).toMatchObject({ minMedia: 3, media: 3327, mediaWithComposition: 3134, ingredientsUsed: 1202, vocabSize: 398 });
      expect(s.rowsInVocab / s.nonWaterRows).toBeGreaterThan(0.98);
      const mediaOf = new Map<number, Set<string>>();
      for (const r of composition) {
        const id = Number(r.ingredient_id);
        if (!mediaOf.has(id)) mediaOf.set(id, new Set());
        mediaOf.get(id)!.add(r.medium_id);
      }
      for (const e of m.vocab) {
        const union = new Set(e.members.flatMap((x) => [...(mediaOf.get(x.ingredientId) ?? [])]));
        expect(union.size, e.name).toBe(e.mediaCount);
        expect(e.mediaCount).toBeGreaterThanOrEqual(3);
      }
      for (const id of [4, 418, 754, 56, 1021, 322]) expect(entryOf(m, id)).toBeUndefined(); // water, tap water
      expect(entryOf(m, 3)).toMatchObject({ name: 'Agar', role: 'gelling', mediaCount: mediaOf.get(3)!.size });
      const mg = entryOf(m, 8)!;
      expect(mg.members.map((x) => x.ingredientId)).toEqual(expect.arrayContaining([8, 325, 1583]));
      expect(mg.members.find((x) => x.ingredientId === 325)!.toCanonical).toBeCloseTo((MGSO4 + 7 * H2O) / MGSO4, 4);
      // Complex ingredients are not merged by MediaDive's coarse groups: casein peptone is not "Peptone".
      expect(entryOf(m, 1)!.index).not.toBe(entryOf(m, 21)!.index);
      expect(s.sharedChebi).toBeGreaterThan(50);
      const text = describeVocabulary(s);
      expect(text).toContain('**398 entries**');
      expect(text).toContain('presence only');
    });

    test('medium 1 NUTRIENT AGAR and medium 104 (K2HPO4 final 2 g/L and in the salt stock; CaCl2 only in the stock)', () => {
      const one = mediumVector(m, '1')!;
      expect(vectorToRecipe(one.amount, one.present, m.vocab).map((x) => [x.name, Number(x.gPerL!.toFixed(5))])).toEqual([
        ['Agar', 15],
        ['Peptone', 5],
        ['Meat extract', 3],
      ]);
      const v = mediumVector(m, '104')!;
      const k2 = entryOf(m, 10)!.index;
      const ca = entryOf(m, 7)!.index;
      expect([v.amount[k2], v.present[k2], v.stock[k2]]).toEqual([Math.fround(Math.log1p(2)), 1, 1]);
      expect([v.amount[ca], v.present[ca], v.stock[ca]]).toEqual([0, 1, 1]);
    });

    test('every row equals the TSV under the rules, and every medium round-trips', () => {
      expectMatrixMatchesTsv(m, composition);
      expect(expectRoundTrip(m, composition)).toBeGreaterThan(15000);
    });

    test('nearest media of NUTRIENT AGAR are nutrient media; weightedJaccard is 1 on the diagonal', () => {
      const near = nearestMedia('1', m, 5);
      expect(near[0].similarity).toBe(1);
      expect(near.map((x) => x.mediumId)).toContain('1a');
      for (let i = 0; i < m.mediumIds.length; i++) {
        const v = mediumVector(m, i)!;
        if (v.present.some((p, j) => p && m.vocab[j].role === 'nutrient')) expect(weightedJaccard(v, v, { vocab: m.vocab })).toBe(1);
      }
    });
  });
}
