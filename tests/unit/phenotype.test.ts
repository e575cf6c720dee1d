/**
 * Growth-condition prediction (src/media/phenotype-*.ts): BacDive label rules on hand-made rows,
 * ridge / LDA / Platt on synthetic data with known answers, leave-one-genus-out by construction,
 * model files, the CLI, and — with ../shared/data — the leave-genus-out evaluation on the real
 * genomes against the mean baseline.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as phenotypeCmd from '../../src/cli/commands/phenotype';
import { PROTEIN_FEATURE_NAMES } from '../../src/core/protein-features';
import { loadSqlJs, readFileBytes } from '../../src/db/node-files';
import { createDatabase, openSnapshot } from '../../src/db/snapshot-file';
import { evaluatePhenotype, formatPhenotypeEvaluation, logoFolds, phenotypeGroupOf, type PhenotypeEvaluation, type PhenotypeSample } from '../../src/media/phenotype-eval';
import { phenotypeFeatureNames, phenotypeFeatureVector } from '../../src/media/phenotype-features';
import {
  combineStrainPhenotypes,
  countLabels,
  loadPhenotypeLabels,
  OXYGEN_CATEGORIES,
  parseConditionRange,
  salinityUnitFactor,
  strainOxygen,
  strainPh,
  strainPhenotype,
  strainSalinityPct,
  strainTemperatureC,
  type ConditionRow,
} from '../../src/media/phenotype-labels';
import { RidgePath, solveLinear, symmetricEigen } from '../../src/media/phenotype-linalg';
import {
  balancedAccuracy,
  fitPlatt,
  parsePhenotypeModel,
  predictPhenotype,
  serializePhenotypeModel,
  trainPhenotypeModel,
  type PhenotypeModel,
} from '../../src/media/phenotype-model';
import { loadPhenotypeSamples } from '../../src/media/phenotype-node-data';
import { mulberry32 } from '../../src/ml/random';
import { fixture, HAS_SHARED_DATA, REPO_ROOT, SHARED_DATA } from '../helpers/data';
import { runCommand, type CommandModule } from '../helpers/run-cli';

const T = (value: string): ConditionRow => ({ condition: 'temperature_growth_C', value });
const O = (value: string): ConditionRow => ({ condition: 'oxygen_tolerance', value });
const S = (value: string, unit = '%'): ConditionRow => ({ condition: 'salt_concentration', value, kind: `unit: ${unit}` });
const P = (value: string, testResult = 'positive', kind = 'growth'): ConditionRow => ({ condition: 'pH', value, kind, testResult });

describe('label rules (hand-made BacDive rows)', () => {
  it('parses BacDive values as ranges', () => {
    expect(parseConditionRange('25-41')).toEqual({ min: 25, max: 41 });
    expect(parseConditionRange('37')).toEqual({ min: 37, max: 37 });
    expect(parseConditionRange('05-09')).toEqual({ min: 5, max: 9 });
    expect(parseConditionRange('-2-10')).toEqual({ min: -2, max: 10 });
    expect(parseConditionRange('7.0-9.0')).toEqual({ min: 7, max: 9 });
    expect(parseConditionRange('<2')).toEqual({ min: null, max: 2 });
    expect(parseConditionRange('>0.5')).toEqual({ min: 0.5, max: null });
    expect(parseConditionRange('aerobe')).toBeNull();
  });

  it('temperature: median of single values; range midpoints only without singles; open bounds and absurd values ignored', () => {
    expect(strainTemperatureC([T('10-41'), T('30'), T('37')])).toBe(33.5); // E. coli's BacDive rows
    expect(strainTemperatureC([T('70-100'), T('90')])).toBe(90); // Aeropyrum
    expect(strainTemperatureC([T('25-41'), T('30-40')])).toBe(34); // midpoints 33, 35
    expect(strainTemperatureC([T('15-35')])).toBe(25);
    expect(strainTemperatureC([T('<5'), T('200'), T('45')])).toBe(45);
    expect(strainTemperatureC([O('aerobe')])).toBeNull();
  });

  it('maps every BacDive oxygen category to a class and "tolerates O2"', () => {
    const expected: Record<string, [string, boolean]> = {
      aerobe: ['aerobe', true],
      'obligate aerobe': ['aerobe', true],
      'facultative anaerobe': ['facultative', true],
      'facultative aerobe': ['facultative', true],
      aerotolerant: ['facultative', true],
      microaerophile: ['microaerophile', true],
      microaerotolerant: ['microaerophile', true],
      anaerobe: ['anaerobe', false],
      'obligate anaerobe': ['anaerobe', false],
    };
    // The nine categories of the shared export, and no others.
    expect(Object.keys(OXYGEN_CATEGORIES).sort()).toEqual(Object.keys(expected).sort());
    for (const [category, [cls, tolerant]] of Object.entries(expected)) {
      expect(strainOxygen([O(category)]), category).toEqual({ class: cls, tolerant });
      expect(strainOxygen([O(category.toUpperCase())]), 'case-insensitive').toEqual({ class: cls, tolerant });
    }
    expect(strainOxygen([O('aerobe'), O('anaerobe')])).toEqual({ class: 'facultative', tolerant: true }); // tie
    expect(strainOxygen([O('anaerobe'), O('obligate anaerobe'), O('aerotolerant')])).toEqual({ class: 'anaerobe', tolerant: false });
    expect(strainOxygen([O('facultative anaerobe'), O('microaerophile')])!.class).toBe('facultative'); // S. pneumoniae
    expect(strainOxygen([O('phototroph')])).toBeNull();
  });

  it('pH: midpoints of positive growth ranges; negative tests ignored; optimum rows preferred', () => {
    expect(strainPh([P('5.5-9')])).toBe(7.25);
    expect(strainPh([P('05-09'), P('6')])).toBe(6.5); // midpoints 7 and 6
    expect(strainPh([P('4-10', 'negative'), P('6-8')])).toBe(7);
    expect(strainPh([P('4-10'), P('7.5', 'positive', 'optimum')])).toBe(7.5);
    expect(strainPh([P('15')])).toBeNull();
  });

  it('salinity: units converted to % w/v NaCl, ambiguous mixes skipped', () => {
    expect(salinityUnitFactor('unit: %')).toBe(1);
    expect(salinityUnitFactor('unit: %(w/v)')).toBe(1);
    expect(salinityUnitFactor('unit: %|%(w/v)')).toBe(1);
    expect(salinityUnitFactor('unit: M')).toBeCloseTo(5.844, 6);
    expect(salinityUnitFactor('unit: g/L')).toBe(0.1);
    expect(salinityUnitFactor('unit: %|M')).toBeNull();
    expect(salinityUnitFactor(null)).toBeNull();
    expect(strainSalinityPct([S('0.5-1.5', 'M')])).toBeCloseTo(5.844, 6);
    expect(strainSalinityPct([S('30', 'g/L')])).toBeCloseTo(3, 9);
    expect(strainSalinityPct([S('2', '%|M')])).toBeNull();
  });

  it('salinity: tolerance panels without results give no label; range + optimum gives the optimum', () => {
    expect(strainSalinityPct(['0', '2', '4', '6', '8', '10'].map((v) => S(v)))).toBeNull(); // a test panel
    expect(strainSalinityPct([S('0.5-5.5'), S('1.4')])).toBe(1.4); // Ignicoccus: range, optimum inside
    expect(strainSalinityPct([S('0-8'), S('10')])).toBe(4); // Vibrio: the 10 % test lies outside the range
    expect(strainSalinityPct([S('0-6'), S('10'), S('2.5'), S('8')])).toBe(2.5);
    expect(strainSalinityPct([S('0-4'), S('0-7'), S('6'), S('8'), S('10')])).toBe(2.75); // panel: range midpoints
    expect(strainSalinityPct([S('3'), S('7')])).toBe(5); // one or two singles: their median
    expect(strainSalinityPct([S('32-37')])).toBeNull(); // above NaCl saturation: ‰ mistaken for %
    expect(strainSalinityPct([S('<7')])).toBeNull();
  });

  it('a genome takes strain-level strains first, species-level ones for conditions they lack', () => {
    const strain = strainPhenotype([T('37'), O('aerobe')]);
    const mates = [strainPhenotype([T('30'), S('1-3'), O('anaerobe')]), strainPhenotype([T('20'), S('5')]), strainPhenotype([P('6-8')])];
    const l = combineStrainPhenotypes({ strain: [strain], species: mates });
    expect(l.temperatureC).toEqual({ value: 37, level: 'strain', strains: 1 });
    expect(l.oxygen).toEqual({ class: 'aerobe', tolerant: true, level: 'strain', strains: 1 });
    expect(l.salinityPct).toEqual({ value: 3.5, level: 'species', strains: 2 });
    expect(l.pH).toEqual({ value: 7, level: 'species', strains: 1 });
    const none = combineStrainPhenotypes({ strain: [], species: [strainPhenotype([O('phototroph')])] });
    expect(none).toEqual({ temperatureC: null, oxygen: null, salinityPct: null, pH: null });
  });

  it('labels a database: links (strain, species; not genus) and collection chromosomes by species name', async () => {
    const db = createDatabase(await loadSqlJs());
    try {
      const strains: [number, string, number][] = [
        [1, 'Testus calidus', 1],
        [2, 'Testus calidus', 0],
        [3, 'Otherus frigidus', 1],
        [4, 'Generus vagus', 1],
      ];
      for (const [id, sp, type] of strains) db.run("INSERT INTO strains (id, species, is_type_strain, domain) VALUES (?, ?, ?, 'Bacteria')", [id, sp, type]);
      const conds: [number, string, string, string | null, string | null][] = [
        [1, 'temperature_growth_C', '60-80', null, null],
        [1, 'temperature_growth_C', '70', null, null],
        [1, 'oxygen_tolerance', 'obligate anaerobe', null, null],
        [2, 'temperature_growth_C', '50', null, null],
        [2, 'pH', '6-7', 'growth', 'positive'],
        [3, 'temperature_growth_C', '10-20', null, null],
        [3, 'oxygen_tolerance', 'aerobe', null, null],
        [3, 'salt_concentration', '1-3', 'unit: %', null],
        [4, 'temperature_growth_C', '30', null, null],
      ];
      conds.forEach(([sid, c, v, kind, res], i) => db.run('INSERT INTO strain_conditions (strain_id, id, condition, value, kind, test_result) VALUES (?, ?, ?, ?, ?, ?)', [sid, i + 2, c, v, kind, res]));
      const genome = (id: number, name: string, species: string, type: string, recordType = 'genome', recordId: string | null = null) =>
        db.run('INSERT INTO genomes (id, name, species, organism_type, length_bp, n_bp, records, content_hash, record_type, record_id, source_file) VALUES (?, ?, ?, ?, 1000, 0, 1, ?, ?, ?, ?)', [
          id, name, species, type, `hash${id}`, recordType, recordId, recordId ? 'collection/c.fna.gz' : `reference/${id}.fna.gz`,
        ]);
      genome(1, 'Testus calidus T1', 'Testus calidus', 'archaea');
      genome(2, 'Otherus frigidus X · r1', 'Otherus frigidus', 'bacteria', 'chromosome', 'r1');
      genome(3, 'Generus sp. G', 'Generus sp.', 'bacteria');
      genome(4, 'phage', 'Testus phage', 'virus');
      const link = (g: number, s: number, level: string) => db.run("INSERT INTO genome_strain_links (genome_id, strain_id, level, evidence) VALUES (?, ?, ?, 'test')", [g, s, level]);
      link(1, 1, 'strain');
      link(1, 2, 'species');
      link(3, 4, 'genus');
      const labels = loadPhenotypeLabels(db);
      expect(labels.map((l) => l.genomeId)).toEqual([1, 2]);
      const [a, b] = labels;
      expect(a).toMatchObject({ domain: 'archaea', linkedBy: 'database links', temperatureC: { value: 70, level: 'strain' }, oxygen: { class: 'anaerobe', tolerant: false }, pH: { value: 6.5, level: 'species' }, salinityPct: null });
      expect(b).toMatchObject({ domain: 'bacteria', recordType: 'chromosome', linkedBy: 'species name', temperatureC: { value: 15, level: 'species' }, oxygen: { class: 'aerobe', tolerant: true }, salinityPct: { value: 2 } });
      expect(loadPhenotypeLabels(db, { collectionChromosomes: false }).map((l) => l.genomeId)).toEqual([1]);
      const counts = countLabels(labels);
      expect(counts.find((c) => c.domain === 'all')).toMatchObject({ genomes: 2, temperatureC: 2, oxygen: 2, salinityPct: 1, pH: 1, strainLevel: 2, speciesLevel: 4 });
    } finally {
      db.close();
    }
  });

  it('groups genera for leave-genus-out with synonyms merged', () => {
    expect(phenotypeGroupOf('Shigella flexneri')).toBe('Escherichia');
    expect(phenotypeGroupOf('Escherichia coli')).toBe('Escherichia');
    expect(phenotypeGroupOf('Methanosaeta concilii')).toBe(phenotypeGroupOf('Methanothrix soehngenii'));
    expect(phenotypeGroupOf('Chlamydophila pneumoniae')).toBe(phenotypeGroupOf('Chlamydia trachomatis'));
    expect(phenotypeGroupOf('Lactiplantibacillus plantarum')).not.toBe(phenotypeGroupOf('Lactobacillus delbrueckii'));
  });
});

// ---------------------------------------------------------------------------------------------
// Synthetic data

function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

describe('linear algebra and models on synthetic data', () => {
  it('symmetricEigen reconstructs the matrix; solveLinear solves', () => {
    const rnd = mulberry32(1);
    const d = 7;
    const b = Array.from({ length: d * d }, () => gaussian(rnd));
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) a[i * d + j] += b[i * d + k] * b[j * d + k];
    const { values, vectors } = symmetricEigen(a, d);
    for (let i = 1; i < d; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += vectors[i * d + k] * values[k] * vectors[j * d + k];
        expect(s).toBeCloseTo(a[i * d + j], 9);
      }
    }
    const x = solveLinear(a, [1, 2, 3, 4, 5, 6, 7], d);
    for (let i = 0; i < d; i++) expect(x.reduce((s, v, k) => s + a[i * d + k] * v, 0)).toBeCloseTo(i + 1, 8);
  });

  it('ridge recovers known coefficients, and its leave-group-out predictions equal refits without the group', () => {
    const rnd = mulberry32(7);
    const n = 120;
    const d = 4;
    const beta = [2, -1, 0.5, 0];
    const x = Float64Array.from({ length: n * d }, () => gaussian(rnd) * 3 + 1);
    const y = Float64Array.from({ length: n }, (_, i) => 5 + beta.reduce((s, b, j) => s + b * x[i * d + j], 0) + 0.01 * gaussian(rnd));
    const w = Float64Array.from({ length: n }, () => 0.5 + rnd());
    const groups = Int32Array.from({ length: n }, (_, i) => i % 13);
    const path = new RidgePath(x, n, d, w);
    const fit = path.fit(y, 1e-6);
    expect(fit.intercept).toBeCloseTo(5, 2);
    beta.forEach((b, j) => expect(fit.coef[j]).toBeCloseTo(b, 2));
    // Exact leave-group-out against brute-force refits.
    const lambdas = [0.5, 20];
    const logo = path.leaveGroupOut(y, groups, lambdas);
    for (const g of [0, 5, 12]) {
      const keep = [...Array(n).keys()].filter((i) => groups[i] !== g);
      const sub = new RidgePath(Float64Array.from(keep.flatMap((i) => Array.from(x.subarray(i * d, i * d + d)))), keep.length, d, Float64Array.from(keep, (i) => w[i]));
      lambdas.forEach((lambda, l) => {
        const f = sub.fit(Float64Array.from(keep, (i) => y[i]), lambda);
        for (let i = 0; i < n; i++) {
          if (groups[i] !== g) continue;
          const p = f.intercept + f.coef.reduce((s, c, j) => s + c * x[i * d + j], 0);
          expect(logo[l][i]).toBeCloseTo(p, 8);
        }
      });
    }
  });

  it('the balanced least-squares classifier finds the LDA direction; Platt scaling recovers a and b', () => {
    const rnd = mulberry32(11);
    const n = 4000;
    const d = 3;
    // Shared covariance diag(1, 4, 9); means differ by (1, 2, 0): LDA direction ∝ Σ⁻¹Δμ = (1, 0.5, 0).
    const sd = [1, 2, 3];
    const dmu = [1, 2, 0];
    const cls = Array.from({ length: n }, () => rnd() < 0.25);
    const x = Float64Array.from({ length: n * d }, (_, k) => {
      const i = Math.floor(k / d);
      const j = k % d;
      return gaussian(rnd) * sd[j] + (cls[i] ? dmu[j] : 0);
    });
    const nPos = cls.filter(Boolean).length;
    const w = Float64Array.from(cls, (c) => (c ? 0.5 / nPos : 0.5 / (n - nPos)) * n);
    const fit = new RidgePath(x, n, d, w).fit(Float64Array.from(cls, (c) => (c ? 1 : 0)), 1e-6);
    const lda = [1, 0.5, 0];
    const cos = lda.reduce((s, v, j) => s + v * fit.coef[j], 0) / Math.hypot(...lda) / Math.hypot(...fit.coef);
    expect(cos).toBeGreaterThan(0.99);

    const a = 1.5;
    const b = 0.3;
    const scores = Array.from({ length: 20000 }, () => 2 * gaussian(rnd));
    const truth = scores.map((s) => rnd() < 1 / (1 + Math.exp(-(a * s + b))));
    const p = fitPlatt(scores, truth);
    const n1 = truth.filter(Boolean).length;
    expect(p.a).toBeCloseTo(a, 0);
    expect(Math.abs(p.a - a)).toBeLessThan(0.1);
    // Class balancing shifts the intercept by log(n0 / n1).
    expect(Math.abs(p.b - (b + Math.log((truth.length - n1) / n1)))).toBeLessThan(0.08);
    expect(balancedAccuracy([true, true, false, false], [true, false, false, false])).toBe(0.75);
  });

  it('trains on synthetic genomes: picks the informative protein feature, predicts new genera, round-trips through JSON', () => {
    const { samples, truth } = syntheticSamples(150, 3);
    const model = trainPhenotypeModel(samples);
    expect(model.featureSet).toBe('dna+protein');
    const t = model.targets.temperatureC!;
    expect(['protein', 'dna+protein']).toContain(t.subset);
    // Recovered slope (°C per unit of protein feature 5), in raw units: coef / std.
    const j = model.featureNames.indexOf(`protein_${PROTEIN_FEATURE_NAMES[5]}`);
    expect(t.coef[j] / model.std[j]).toBeGreaterThan(9);
    expect(t.coef[j] / model.std[j]).toBeLessThan(11);
    expect(t.cv.mae).toBeLessThan(1);
    expect(t.cv.baselineMae).toBeGreaterThan(5);
    expect(model.targets.salinityPct).toBeUndefined();
    expect(model.notModelled.salinityPct).toMatch(/0 labelled genomes/);
    // New genomes (new genera).
    const fresh = syntheticSamples(30, 1, 99);
    let err = 0;
    const tolTruth: boolean[] = [];
    const tolPred: boolean[] = [];
    fresh.samples.forEach((s, i) => {
      const p = predictPhenotype(model, s.input);
      err += Math.abs(p.temperatureC!.value - fresh.truth[i].temperatureC) / fresh.samples.length;
      expect(p.temperatureC!.low).toBeLessThan(p.temperatureC!.value);
      expect(p.temperatureC!.high).toBeGreaterThan(p.temperatureC!.value);
      tolTruth.push(fresh.truth[i].tolerant);
      tolPred.push(p.oxygen!.tolerant);
      expect(p.oxygen!.tolerant).toBe(p.oxygen!.pTolerant >= 0.5);
      expect(p.oxygen!.class === 'anaerobe').toBe(!p.oxygen!.tolerant);
    });
    expect(err).toBeLessThan(1.5);
    expect(balancedAccuracy(tolTruth, tolPred)).toBeGreaterThan(0.9);
    expect(truth.length).toBe(150);

    // Serialisation round trip: same model, same predictions.
    const text = serializePhenotypeModel(model);
    const back = parsePhenotypeModel(text, 'synthetic.json');
    expect(back).toEqual(model);
    for (const s of fresh.samples.slice(0, 5)) expect(predictPhenotype(back, s.input)).toEqual(predictPhenotype(model, s.input));
    expect(trainPhenotypeModel(samples).id).toBe(model.id); // deterministic
    // Samples that carry their domain give the oxygen model's per-domain counts.
    if (model.oxygen) {
      const cv0 = model.oxygen.tolerant.cv;
      expect(Object.keys(cv0.byDomain!)).toEqual([...new Set(samples.filter((x) => x.labels.oxygen).map((x) => x.domain))]);
      const half = samples.map((x, i) => ({ ...x, domain: i % 2 ? 'bacteria' : 'archaea' }));
      const by = trainPhenotypeModel(half).oxygen!.tolerant.cv;
      expect(Object.keys(by.byDomain!).sort()).toEqual(['archaea', 'bacteria']);
      expect(by.byDomain!.archaea.tolerant + by.byDomain!.bacteria.tolerant).toBe(by.tolerant);
      expect(by.byDomain!.archaea.intolerant + by.byDomain!.bacteria.intolerant).toBe(by.intolerant);
    }
    // DNA-only models need no protein input; protein models refuse inputs without it.
    const dnaOnly = trainPhenotypeModel(samples, { featureSet: 'dna' });
    expect(predictPhenotype(dnaOnly, { ...fresh.samples[0].input, protein: null }).temperatureC).not.toBeNull();
    expect(() => predictPhenotype(model, { ...fresh.samples[0].input, protein: null })).toThrow(/needs protein features/);
  });

  it('refuses files that are not phenotype models', () => {
    const { samples } = syntheticSamples(40, 2);
    const model = trainPhenotypeModel(samples);
    const bad = (m: unknown) => () => parsePhenotypeModel(JSON.stringify(m), 'bad.json');
    expect(() => parsePhenotypeModel('{', 'x.json')).toThrow(/x\.json: not JSON/);
    expect(bad({ ...model, format: 'other' })).toThrow(/not a phenotype model/);
    expect(bad({ ...model, version: 99 })).toThrow(/version 99/);
    expect(bad({ ...model, featureNames: model.featureNames.slice(1) })).toThrow(/features differ/);
    expect(bad({ ...model, mean: model.mean.slice(1) })).toThrow(/mean must be/);
    const nanCoef = structuredClone(model) as PhenotypeModel;
    (nanCoef.targets.temperatureC!.coef as (number | null)[])[0] = null;
    expect(bad(nanCoef)).toThrow(/temperatureC\.coef/);
  });

  it('leave-one-genus-out never trains on the held-out genus', () => {
    const { samples } = syntheticSamples(36, 3);
    const folds = logoFolds(samples);
    expect(folds).toHaveLength(12);
    for (const f of folds) {
      expect(f.train.some((i) => samples[i].group === f.group)).toBe(false);
      expect(f.test.every((i) => samples[i].group === f.group)).toBe(true);
      expect(f.train.length + f.test.length).toBe(samples.length);
    }
    const seen: string[] = [];
    const run = (s: PhenotypeSample[]) =>
      evaluatePhenotype(s, {
        variants: ['mean', 'auto'],
        isCase: (x) => x.group === 'G03',
        onFold: ({ group, trainKeys, testKeys }) => {
          seen.push(group);
          const byKey = new Map(s.map((x) => [x.key, x.group]));
          expect(trainKeys.some((k) => byKey.get(k) === group)).toBe(false);
          expect(testKeys.every((k) => byKey.get(k) === group)).toBe(true);
        },
      });
    const e1 = run(samples);
    expect(seen).toEqual(folds.map((f) => f.group));
    // Changing the held-out genus's labels changes nothing about its own predictions, and
    // (being training data of every other fold) does change the others'.
    const poisoned = samples.map((s) => (s.group === 'G03' ? { ...s, labels: { ...s.labels, temperatureC: { value: 500, level: 'strain' as const, strains: 1 } } } : s));
    const e2 = run(poisoned);
    expect(e2.cases.map((c) => c.temperatureC.predicted.auto)).toEqual(e1.cases.map((c) => c.temperatureC.predicted.auto));
    expect(e2.regression.temperatureC.auto!.mae).not.toBeCloseTo(e1.regression.temperatureC.auto!.mae, 3);
  });
});

/** Synthetic genomes: random compositions; temperature = 40 + 10·protein[5]; tolerant = protein[7] > −0.3. */
function syntheticSamples(n: number, perGenus: number, seed = 3) {
  const rnd = mulberry32(seed);
  const samples: PhenotypeSample[] = [];
  const truth: { temperatureC: number; tolerant: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const counts = Float64Array.from({ length: 2772 }, () => 100 + Math.floor(900 * rnd()));
    const protein = Float32Array.from(PROTEIN_FEATURE_NAMES, () => gaussian(rnd));
    const temperatureC = 40 + 10 * protein[5] + 0.2 * gaussian(rnd);
    const tolerant = protein[7] > -0.3;
    truth.push({ temperatureC, tolerant });
    const group = `G${String(Math.floor(i / perGenus) + (seed === 3 ? 0 : 1000)).padStart(2, '0')}`;
    samples.push({
      key: `synthetic/${seed}/${i}`,
      genomeId: i,
      name: `genome ${i}`,
      species: `${group} sp${i}`,
      domain: 'bacteria',
      recordType: 'genome',
      group,
      lengthBp: 1e6,
      labels: {
        temperatureC: { value: temperatureC, level: 'strain', strains: 1 },
        oxygen: { class: tolerant ? 'aerobe' : 'anaerobe', tolerant, level: 'strain', strains: 1 },
        salinityPct: null,
        pH: null,
      },
      input: { counts, gcFraction: 0.3 + 0.4 * rnd(), protein },
    });
  }
  return { samples, truth };
}

// ---------------------------------------------------------------------------------------------
// Features, bundled model, CLI

const cli = (cmd: CommandModule, ...argv: string[]) => runCommand(cmd, 'phenotype', ...argv);

describe('features, the bundled model and the CLI', () => {
  it('builds feature vectors of the documented sizes', () => {
    expect(phenotypeFeatureNames('gc')).toEqual(['gc']);
    expect(phenotypeFeatureNames('dna')).toHaveLength(45);
    expect(phenotypeFeatureNames('dna+protein')).toHaveLength(45 + PROTEIN_FEATURE_NAMES.length);
    expect(phenotypeFeatureNames('dna').slice(0, 4)).toEqual(['gc', 'clr1_A', 'clr1_C', 'clr2_AA']);
    const counts = new Float64Array(2772).fill(5);
    const v = phenotypeFeatureVector({ counts, gcFraction: 0.5 }, 'dna');
    expect(v[0]).toBe(0.5);
    for (let i = 1; i < v.length; i++) expect(v[i]).toBeCloseTo(0, 6); // uniform composition: CLR 0
    expect(() => phenotypeFeatureVector({ counts, gcFraction: 0.5 }, 'dna+protein')).toThrow(/protein features/);
  });

  it('ships a small, valid default model', () => {
    const path = join(REPO_ROOT, 'src/media/phenotype-model.default.json');
    expect(statSync(path).size).toBeLessThan(50_000);
    const model = parsePhenotypeModel(readFileSync(path, 'utf8'), path);
    expect(model).toEqual(phenotypeCmd.bundledPhenotypeModel());
    expect(model.featureSet).toBe('dna+protein');
    expect(model.targets.temperatureC).toBeDefined();
    expect(model.oxygen).not.toBeNull();
    expect(model.halophileRule).not.toBeNull();
  });

  it('CLI: help, predictions as JSON, one-line errors', async () => {
    for (const args of [['--help'], ['eval', '--help'], ['train', '--help'], ['labels', '--help'], ['x.fa', '--help']]) {
      const r = await cli(phenotypeCmd, ...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: mediaforge phenotype/);
    }
    expect((await cli(phenotypeCmd)).code).toBe(2);
    const j = await cli(phenotypeCmd, fixture('mycoplasma-genitalium-g37.fa.gz'), '--json');
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out.prediction.temperatureC.value).toBeGreaterThan(0);
    expect(out.prediction.temperatureC.low).toBeLessThan(out.prediction.temperatureC.high);
    expect(out.prediction.oxygen.pTolerant).toBeGreaterThanOrEqual(0);
    expect(out.prediction.oxygen.pTolerant).toBeLessThanOrEqual(1);
    const text = await cli(phenotypeCmd, fixture('mycoplasma-genitalium-g37.fa.gz'));
    expect(text.stdout).toMatch(/temperature +\d/);
    for (const [args, pattern, code] of [
      [[fixture('protein.faa')], /protein/, 1],
      [['/nonexistent.fa'], /no such file/, 1],
      [[fixture('lambda.fa.gz'), '--model', fixture('crlf.fa')], /not JSON/, 1],
      [['a.fa', 'b.fa'], /give one FILE, got 2: 'a\.fa' 'b\.fa'/, 2],
      [['train'], /--out FILE is required/, 2],
      [['eval', '--bogus'], /Unknown option/, 2],
      [['eval', '--data', '/nonexistent'], /no such directory/, 1],
    ] as const) {
      const r = await cli(phenotypeCmd, ...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Real data

// Registered only where the shared data exist (a bare clone has none); never skipped.
if (HAS_SHARED_DATA) describe(`leave-one-genus-out on the shared genomes (${SHARED_DATA})`, () => {
  let samples: PhenotypeSample[];
  let e: PhenotypeEvaluation;
  beforeAll(async () => {
    const { db } = openSnapshot(await loadSqlJs(), readFileBytes(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz')), 'bundled snapshot');
    try {
      ({ samples } = await loadPhenotypeSamples(db, SHARED_DATA));
    } finally {
      db.close();
    }
    e = evaluatePhenotype(samples);
    console.log(formatPhenotypeEvaluation(e));
  });
  afterAll(() => {
    samples = [];
  });

  it('labels reference genomes and collection chromosomes of both domains', () => {
    const all = e.labelCounts.find((r) => r.domain === 'all')!;
    expect(all.temperatureC).toBeGreaterThan(100);
    expect(e.labelCounts.find((r) => r.domain === 'archaea')!.temperatureC).toBeGreaterThan(20);
    expect(samples.some((s) => s.recordType === 'chromosome')).toBe(true);
  });

  it('temperature beats the mean baseline (and DNA alone), within the product target', () => {
    const t = e.regression.temperatureC;
    expect(t.auto!.mae).toBeLessThan(t.mean!.mae);
    expect(t.dna!.mae).toBeLessThan(t.mean!.mae);
    expect(t.auto!.mae).toBeLessThan(t.dna!.mae);
    expect(t.auto!.mae).toBeLessThanOrEqual(6);
    expect(t.auto!.r).toBeGreaterThan(0.85);
    expect(t.auto!.hyperthermophiles!.mae).toBeLessThan(t.dna!.hyperthermophiles!.mae);
  });

  it('oxygen beats the majority-class baseline, within the product target', () => {
    expect(e.oxygen.mean!.balancedAccuracy).toBe(0.5);
    expect(e.oxygen.auto!.balancedAccuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('protein features fix Chlamydia and Archaeoglobus; Halobacterium is recognised as a halophile', () => {
    const c = (re: RegExp) => e.cases.find((x) => re.test(x.name))!;
    for (const re of [/^Chlamydia trachomatis/, /^Archaeoglobus fulgidus/]) {
      const x = c(re);
      const err = (v: 'dna' | 'auto') => Math.abs(x.temperatureC.predicted[v]! - x.temperatureC.true!);
      expect(err('auto'), x.name).toBeLessThan(err('dna'));
    }
    const h = c(/^Halobacterium salinarum/);
    expect(h.salinityPct.predicted.auto!.halophile).toBe(true);
    expect(h.salinityPct.predicted.auto!.value).toBeGreaterThanOrEqual(15);
    // No other labelled genome is called a halophile.
    const model = trainPhenotypeModel(samples);
    const halophiles = samples.filter((s) => predictPhenotype(model, s.input).salinityPct?.halophile).map((s) => s.name);
    expect(halophiles).toEqual([h.name]);
  });
});
