/** Validity checks of recipes (src/media/recipe-checks.ts), on hand-made recipes and, with the shared data, on MediaDive's own. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../../src/db/node-files';
import { openSnapshot } from '../../src/db/snapshot-file';
import { checkMedium, vocabFormulas } from '../../src/media/generate-recipes';
import { buildMediaMatrix } from '../../src/media/media-vectors';
import { checkRecipe, CHECK_LIMITS, ingredientElements, type CheckLine } from '../../src/media/recipe-checks';
import { HAS_SHARED_DATA, REPO_ROOT } from '../helpers/data';

const line = (name: string, gPerL: number | null, formula: string | null = null, extra: Partial<CheckLine> = {}): CheckLine => ({
  name,
  formula,
  isComplex: formula === null,
  role: 'nutrient',
  unit: 'g',
  gPerL,
  mlPerL: null,
  stockOnly: gPerL === null,
  ...extra,
});

// DSMZ medium 1 (nutrient agar): peptone 5 g/L, meat extract 3 g/L, agar 15 g/L.
const nutrientAgar = [line('Peptone', 5), line('Meat extract', 3), line('Agar', 15, '(C12H18O9)n', { role: 'gelling' })];
// A defined mineral medium: glucose, NH4Cl, K2HPO4, MgSO4 x 7 H2O.
const mineral = [line('Glucose', 10, 'C6H12O6'), line('NH4Cl', 1, 'ClH4N'), line('K2HPO4', 1, 'HK2O4P'), line('MgSO4 x 7 H2O', 0.2, 'SO4.7H2O.Mg')];

describe('checkRecipe', () => {
  it('passes a complex and a defined real recipe; complex ingredients supply C, N, P and S', () => {
    const r = checkRecipe(nutrientAgar);
    expect(r).toMatchObject({ valid: true, flags: [] });
    expect(r.totalSolidsGPerL).toBe(8); // agar left out
    expect(r.sources.P).toEqual(['Peptone', 'Meat extract']);
    const m = checkRecipe(mineral);
    expect(m.valid).toBe(true);
    expect(m.sources).toEqual({ C: ['Glucose'], N: ['NH4Cl'], P: ['K2HPO4'], S: ['MgSO4 x 7 H2O'] });
    expect(m.totalSolidsGPerL).toBeCloseTo(12.2, 10);
  });

  it('names each missing element source', () => {
    const r = checkRecipe(mineral.filter((l) => l.name !== 'NH4Cl' && l.name !== 'K2HPO4'));
    expect(r.valid).toBe(false);
    expect(r.flags).toEqual(['no nitrogen source', 'no phosphorus source']);
  });

  it('flags negative and non-finite amounts', () => {
    const r = checkRecipe([...mineral, line('NaCl', -1, 'ClNa'), line('KCl', Number.NaN, 'ClK')]);
    expect(r.flags).toContain('negative amount: NaCl -1 g/L');
    expect(r.flags).toContain('non-finite amount: KCl (g/L)');
  });

  it('checks total solids against the documented limits, with the halophile/osmophile and liquid-base exemptions', () => {
    expect(CHECK_LIMITS).toMatchObject({ minSolidsGPerL: 0.2, maxSolidsGPerL: 150, maxTotalGPerL: 600 });
    const dilute = checkRecipe(mineral.map((l) => ({ ...l, gPerL: l.gPerL! / 100 })));
    expect(dilute.flags).toEqual(['total solids 0.12 g/L < 0.2 g/L']);
    // ... unless ≥ 100 ml/L of a liquid base (sea water) carries its own solids, or amounts are unknown (stock-only lines).
    expect(checkRecipe([...mineral.map((l) => ({ ...l, gPerL: 0.01 })), line('Sea water', null, null, { unit: 'ml', mlPerL: 750, stockOnly: false })]).flags).toEqual([]);
    expect(checkRecipe([...mineral.map((l) => ({ ...l, gPerL: 0.01 })), line('Trace element solution SL-10', null)]).flags).toEqual([]);
    const heavy = checkRecipe([...mineral, line('Glycine', 200, 'C2H5NO2')]);
    expect(heavy.flags).toEqual(['total solids 212 g/L > 150 g/L (202 g/L besides salt, sugar and fresh food)']);
    // 250 g/L NaCl (Halobacterium medium) is not an error; 700 g/L of anything is.
    expect(checkRecipe([...nutrientAgar, line('NaCl', 250, 'ClNa')]).totalSolidsGPerL).toBe(258);
    expect(checkRecipe([...nutrientAgar, line('NaCl', 250, 'ClNa')]).valid).toBe(true);
    expect(checkRecipe([...nutrientAgar, line('NaCl', 700, 'ClNa')]).flags).toEqual(['total solids 708 g/L > 600 g/L']);
  });

  it('flags a vitamin or an indicator above 0.1 g/L', () => {
    expect(checkRecipe([...mineral, line('Thiamine HCl', 3.21, 'C12H18Cl2N4OS'), line('Sodium resazurin', 0.001, 'C12H7NO4.Na')]).flags).toEqual(['Thiamine HCl 3.2 g/L: vitamins and indicators are used at µg–mg/L (> 0.1 g/L)']);
  });

  it('gives an empty recipe one flag', () => {
    expect(checkRecipe([])).toEqual({ valid: false, flags: ['no ingredients'], totalSolidsGPerL: 0, sources: { C: [], N: [], P: [], S: [] } });
  });
});

describe('ingredientElements', () => {
  it('reads MediaDive formulas, including dotted hydrate forms, and ignores trace organics and gelling agents', () => {
    const el = (name: string, formula: string | null, isComplex = false) => [...ingredientElements({ name, formula, isComplex, role: 'nutrient' })].sort();
    expect(el('MgSO4 x 7 H2O', 'SO4.7H2O.Mg')).toEqual(['S']);
    expect(el('Na2CO3', 'CH2O3.2Na')).toEqual(['C']);
    expect(el('CoCl2 x 6 H2O', 'Cl2Co')).toEqual([]); // Co and Cl are not C
    expect(el('L-Cysteine HCl x H2O', 'C3H7NO2S.ClH.H2O')).toEqual(['C', 'N', 'S']);
    expect(el('Biotin', 'C10H16N2O3S')).toEqual([]);
    expect(el('Sodium resazurin', 'C12H7NO4.Na')).toEqual([]);
    expect(el('HEPES buffer', 'C8H18N2O4S')).toEqual([]);
    expect(el('Yeast extract', null, true)).toEqual(['C', 'N', 'P', 'S']);
    expect(el('Sea water', null, true)).toEqual(['C', 'S']);
    expect(el('Trace element solution SL-10', null, true)).toEqual([]);
    expect([...ingredientElements({ name: 'Agar', formula: '(C12H18O9)n', isComplex: false, role: 'gelling' })]).toEqual([]);
  });
});

if (HAS_SHARED_DATA) {
  describe('on the real MediaDive recipes (bundled snapshot)', () => {
    it('passes most real media; the failures are mostly autotroph media (carbon from the gas phase)', async () => {
      const { db } = openSnapshot(await loadSqlJs(), new Uint8Array(readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz'))), 'snapshot', { integrityCheck: false });
      try {
        const m = buildMediaMatrix(db);
        const f = vocabFormulas(db, m.vocab);
        let n = 0;
        let ok = 0;
        let noCarbon = 0;
        let solids = 0;
        for (let i = 0; i < m.mediumIds.length; i++) {
          if (!m.hasComposition[i]) continue;
          const r = checkMedium(m, i, f);
          n++;
          ok += r.valid ? 1 : 0;
          noCarbon += r.flags.includes('no carbon source') ? 1 : 0;
          solids += r.flags.some((f) => f.startsWith('total solids')) ? 1 : 0;
        }
        expect(n).toBe(3134);
        expect(ok / n).toBeGreaterThan(0.88);
        expect(noCarbon).toBeLessThan(200);
        expect(solids / n).toBeLessThan(0.02);
        expect(checkMedium(m, m.mediumIds.indexOf('1'), f).valid).toBe(true);
      } finally {
        db.close();
      }
    });
  });
}
