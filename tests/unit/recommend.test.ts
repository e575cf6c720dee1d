/**
 * recommend.ts on the bundled snapshot (in memory): the shape of RecommendResult, leave-genus-out
 * exclusion, user conditions, protein-less queries, lab outcomes (the query's own and its
 * neighbours'), a fixed tiny evaluation split; and on the MediaDive fixture database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTEIN_FEATURE_NAMES } from '../../src/core/protein-features';
import { openSnapshot } from '../../src/db/snapshot-file';
import { EVIDENCE_VARIANTS, evaluateMedia, FIRST_PICK_VARIANTS, formatMediaEval } from '../../src/media/media-eval';
import { getGenomeCounts } from '../../src/db/genomes';
import { loadEmbeddings } from '../../src/db/models';
import { mediumVector, weightedJaccard } from '../../src/media/media-vectors';
import type { GenomeQuery } from '../../src/media/media-api-types';
import { loadPhenotypeLabels } from '../../src/media/phenotype-labels';
import { buildRecommendContext, recipeTemperaturesOf, oxygenCaveat, CVAE_CANDIDATES, EXTREME_SALT_G_PER_L, TEMPERATURE_MISFIT_C, temperatureMisfit, isShortQuery, FAMILY_IDENTITY, notSaltInArchaeon, genusRoutePh, identifiedGenusConditions, ROUTE_PH_MIN_STRAINS, ssuGenusConditions, CVAE_WEIGHT, GENUS_K, genusCalibrationOf, jaccardRow, predictConditions, queryOfGenome, rankMedia, recommendMedia, refreshLabOutcomes, type RecommendContext } from '../../src/media/recommend';
import { expectedOverlap } from '../../src/media/genus-route-calibration';
import { recipeTemperatureFit, RECIPE_TEMPERATURE_WEIGHT } from '../../src/media/recipe-temperature';
import { cvaeScoresOf } from '../../src/media/cvae-evidence';
import { GENUS_IDENTITY } from '../../src/media/ssu-reference';
import { linkedStrainIds } from '../../src/db/link';
import { mediaWithRecipe } from '../../src/media/recipe-training-data';
import { profileSource } from '../../src/core/profile';
import { nodeFileSource } from '../../src/cli/node-source';
import { fixture, HAS_SHARED_DATA, REPO_ROOT, SHARED_DATA } from '../helpers/data';
import { gunzipSync } from 'node:zlib';
import { bytesSource } from '../../src/core/sources';
import { phenotypeFeatureVector } from '../../src/media/phenotype-features';
import { predictPhenotype } from '../../src/media/phenotype-model';
import { loadPhenotypeSamples } from '../../src/media/phenotype-node-data';
import { loadStoredPhenotypeSamples, readStoredPhenotypeFeatures } from '../../src/media/phenotype-stored-features';
import { build, FIXTURE_DATA, sql } from './db-test-helpers';
import { strainConditions } from '../../src/media/condition-ranking';
import { BASE_FEATURES } from '../../src/media/growth-predictor';

let db: Database;
let ctx: RecommendContext;
let buildMs = 0;

const genomeOf = (species: string) => {
  const g = ctx.genomes.find((x) => x.species === species && x.media.size > 0);
  if (!g) throw new Error(`no linked genome of ${species}`);
  return g;
};
const addOutcome = (genomeId: number, mediumId: string, grew: boolean, testedOn = '2026-11-01') =>
  db.run("INSERT INTO lab_outcomes (genome_id, medium_id, grew, tested_on, note, source, recorded_at) VALUES (?, ?, ?, ?, '', 'user', ?)", [genomeId, mediumId, grew ? 1 : 0, testedOn, `${testedOn}T12:00:00.000Z`]);

beforeAll(async () => {
  db = openSnapshot(await sql(), new Uint8Array(readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz'))), 'bundled').db;
  const t0 = performance.now();
  ctx = buildRecommendContext(db);
  buildMs = performance.now() - t0;
});
afterAll(() => db?.close());

describe('recommendMedia on the bundled snapshot', () => {
  it('builds the context once, in well under the worker budget', () => {
    expect(ctx.genomes.length).toBeGreaterThanOrEqual(76);
    expect(ctx.growthModel, 'the shipped growth predictor').not.toBeNull();
    expect(buildMs).toBeLessThan(20_000);
  });

  it('its sparse recipe Jaccard equals weightedJaccard of media-vectors', () => {
    for (const [a, b] of [['141', '141a'], ['760', '514'], ['1', 'J22'], ['120', '120a']]) {
      const i = ctx.mediumIndex.get(a)!;
      const j = ctx.mediumIndex.get(b)!;
      const want = weightedJaccard(mediumVector(ctx.matrix, a)!, mediumVector(ctx.matrix, b)!, { vocab: ctx.matrix.vocab });
      expect(jaccardRow(ctx, i)[j], `${a}–${b}`).toBeCloseTo(want, 5);
    }
  });

  it('returns a RecommendResult: media best first with ids, names, scores, reasons and P(growth)', () => {
    const g = genomeOf('Methanococcus maripaludis');
    const q = queryOfGenome(db, g);
    const t0 = performance.now();
    const r = recommendMedia(ctx, q, { top: 10 });
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(5_000);
    expect(r.media).toHaveLength(10);
    const ids = new Set(ctx.matrix.mediumIds);
    for (const m of r.media) {
      expect(ids.has(m.medium_id), m.medium_id).toBe(true);
      expect(typeof m.name).toBe('string');
      expect(Number.isFinite(m.score)).toBe(true);
      expect(m.reasons.length).toBeGreaterThan(0);
      expect(typeof m.has_recipe).toBe('boolean');
      expect(m.growth_probability).toBeGreaterThanOrEqual(0);
      expect(m.growth_probability).toBeLessThanOrEqual(1);
    }
    for (let i = 1; i < r.media.length; i++) expect(r.media[i - 1].score).toBeGreaterThanOrEqual(r.media[i].score);
    // Not excluded: the genome is its own nearest neighbour and its media come first.
    expect(r.neighbors[0].genome_id).toBe(g.genomeId);
    expect(g.media.has(r.media[0].medium_id)).toBe(true);
    expect(r.media[0].reasons[0]).toMatch(/^known medium of this genome \(identical to Methanococcus maripaludis/);
    expect(r.media.slice(0, g.media.size).every((m) => g.media.has(m.medium_id))).toBe(true);
    expect(r.predicted_conditions.domain).toBe('archaea');
    // A database genome's protein features are stored in the snapshot: its conditions are predicted.
    expect(r.predicted_conditions.model).toBe(ctx.phenotypeModel!.id);
    expect(r.predicted_conditions.temperature_c!.value).toBeGreaterThan(20);
    expect(r.predicted_conditions.notes.join(' ')).toMatch(/protein features of this database genome: stored in the snapshot/);
  });

  it('leaves the excluded genus out of every source of evidence', () => {
    const g = genomeOf('Methanococcus maripaludis');
    const r = recommendMedia(ctx, queryOfGenome(db, g), { excludeGenus: 'Methanococcus', top: 20 });
    expect(r.neighbors.some((n) => (n.species ?? '').startsWith('Methanococcus'))).toBe(false);
    for (const m of r.media) expect(m.reasons.join(' ')).not.toMatch(/Methanococcus /);
  });

  it('rule 19: the score adds 2 × the recipe temperature fit to media with a recipe, fitted without the held-out genus; nothing else moves', () => {
    const g = genomeOf('Hyperthermus butylicus');
    const q = queryOfGenome(db, g);
    const opts = { excludeGenus: 'Hyperthermus', conditions: { temperatureC: 95 } };
    const off = rankMedia(ctx, q, { ...opts, recipeTemperatureRule: false });
    const on = rankMedia(ctx, q, { ...opts, recipeTemperatureRule: true });
    expect(on.evidence.candidates).toEqual(off.evidence.candidates);
    const temps = recipeTemperaturesOf(ctx, new Set(['Hyperthermus']), new Set());
    // Fitted without Hyperthermus's strains: the fit differs from the one with them.
    expect([...recipeTemperaturesOf(ctx, new Set(), new Set())]).not.toEqual([...temps]);
    const fit = recipeTemperatureFit(temps, 95);
    const offScore = new Map(off.ranked.map((r) => [r.index, r.score]));
    let changed = 0;
    for (const r of on.ranked) {
      expect(r.score).toBeCloseTo(offScore.get(r.index)! + RECIPE_TEMPERATURE_WEIGHT * fit[r.index], 9);
      if (!ctx.matrix.hasComposition[r.index]) expect(r.score).toBe(offScore.get(r.index));
      if (fit[r.index] > 0.01) changed++;
    }
    expect(changed).toBeGreaterThan(0);
    // The media it lifts at 95 °C are hot ones: the recipe temperature of the best fits is ≥ 80 °C.
    const lifted = on.ranked.filter((r) => fit[r.index] > 0.3);
    expect(lifted.length).toBeGreaterThan(0);
    for (const r of lifted) expect(temps[r.index]).toBeGreaterThan(80);
    // A eukaryote-range or missing temperature adds nothing.
    const none = rankMedia(ctx, q, { excludeGenus: 'Hyperthermus', conditions: { temperatureC: null }, recipeTemperatureRule: true });
    const noneOff = rankMedia(ctx, q, { excludeGenus: 'Hyperthermus', conditions: { temperatureC: null }, recipeTemperatureRule: false });
    expect(none.ranked.map((r) => r.score)).toEqual(noneOff.ranked.map((r) => r.score));
  });

  it('16S: a genome is placed among BacDive genera by its rRNA; the identified genus counts first; a held-out genus (and its synonyms) is never named', () => {
    const g = genomeOf('Methanothermobacter thermautotrophicus');
    const q = queryOfGenome(db, g);
    expect(q.ssuRegion?.length).toBeGreaterThan(850); // stored with the snapshot's rRNA evidence
    // Nothing held out: its own genus, 100 %.
    const own = rankMedia(ctx, q).evidence;
    expect(own.ssuMatches[0]).toMatchObject({ genus: 'Methanothermobacter', identity: 1 });
    expect(own.genera[0]).toMatchObject({ genus: 'Methanothermobacter', ssu: { genus: 'Methanothermobacter' } });
    const r = recommendMedia(ctx, q, { top: 10 });
    expect(r.rrna_16s).toMatchObject({ identified_genus: 'Methanothermobacter' });
    // genus_route: the evidence's genera, each with its source, similarity, expected overlap and share of the weight.
    expect(r.genus_route.map((g) => g.genus)).toEqual(own.genera.map((g) => g.genus));
    expect(r.genus_route[0]).toMatchObject({ genus: 'Methanothermobacter', source: '16S', similarity: 1 });
    const ws = own.genera.map((g) => g.weight!);
    r.genus_route.forEach((g, i) => {
      expect(g.expected_overlap).toBeCloseTo(ws[i], 4);
      expect(g.share).toBeCloseTo(ws[i] / ws.reduce((a, b) => a + b, 0), 4);
    });
    expect(r.media.some((m) => m.reasons.some((x) => /BacDive strains of Methanothermobacter grow on it — its 16S rRNA is 100\.0 % identical to Methanothermobacter /.test(x)))).toBe(true);
    // Leave-genus-out: the genus is gone from the 16S reference too; Methanobacterium (≥ 94.5 %) is identified instead.
    const held = rankMedia(ctx, q, { excludeGenus: 'Methanothermobacter', ssuGenera: 'identified' }).evidence;
    expect(held.ssuMatches.some((m) => m.genus === 'Methanothermobacter')).toBe(false);
    expect(held.genera[0]).toMatchObject({ genus: 'Methanobacterium' });
    expect(held.genera[0].similarity).toBeGreaterThanOrEqual(GENUS_IDENTITY);
    expect(held.genera.length).toBeLessThanOrEqual(GENUS_K);
    // Calibrated (the default): the 3 genera nearest by 16S and the near genomes' genera on one scale,
    // the expected media overlap; the GENUS_K highest, each weighted by it.
    const cal = genusCalibrationOf(ctx);
    expect(cal, 'the shipped curves were fitted on the snapshot’s genome VAE').toBe(ctx.genusCalibration);
    const calibrated = rankMedia(ctx, q, { excludeGenus: 'Methanothermobacter' }).evidence;
    expect(calibrated.ssuMatches).toEqual(held.ssuMatches);
    expect(calibrated.genera.length).toBe(GENUS_K);
    expect(calibrated.genera.map((g) => g.genus)).toContain('Methanobacterium');
    for (const g of calibrated.genera) expect(g.weight, g.genus).toBeCloseTo(expectedOverlap(g.ssu ? cal.ssu : cal.latent, g.similarity), 12);
    const w = calibrated.genera.map((g) => g.weight!);
    expect(w).toEqual([...w].sort((a, b) => b - a));
    // Every 16S genus left out weighs no more than the last one taken.
    for (const m of held.ssuMatches.slice(0, GENUS_K)) if (!calibrated.genera.some((g) => g.genus === m.genus)) expect(expectedOverlap(cal.ssu, m.identity)).toBeLessThanOrEqual(w[w.length - 1]);
    // Off: the genus route is the nearest genomes' genera alone, as before.
    const off = rankMedia(ctx, q, { excludeGenus: 'Methanothermobacter', ssuGenera: 'off' }).evidence;
    expect(off.genera.every((x) => !x.ssu)).toBe(true);
    // Nearest: the 3 genera nearest by 16S replace them.
    const nearest = rankMedia(ctx, q, { excludeGenus: 'Methanothermobacter', ssuGenera: 'nearest' }).evidence;
    expect(nearest.genera.every((x) => x.ssu)).toBe(true);
    // Replace: the genera ≥ 94.5 % (up to 3) are the genus route; with none, the genomes' genera stay.
    const replace = rankMedia(ctx, q, { excludeGenus: 'Methanothermobacter', ssuGenera: 'replace' }).evidence;
    expect(replace.genera.map((x) => x.genus)).toEqual(held.ssuMatches.filter((m) => m.identity >= GENUS_IDENTITY).slice(0, GENUS_K).map((m) => m.genus));
    const noRegion = { ...q, ssuRegion: null };
    expect(rankMedia(ctx, noRegion, { excludeGenus: 'Methanothermobacter', ssuGenera: 'replace' }).evidence.genera).toEqual(rankMedia(ctx, noRegion, { excludeGenus: 'Methanothermobacter', ssuGenera: 'off' }).evidence.genera);
    // Without a region the calibrated route takes the same genera as 'off', weighted by their overlap.
    const calNoRegion = rankMedia(ctx, noRegion, { excludeGenus: 'Methanothermobacter' }).evidence.genera;
    expect(calNoRegion.map((g) => g.genus)).toEqual(rankMedia(ctx, noRegion, { excludeGenus: 'Methanothermobacter', ssuGenera: 'off' }).evidence.genera.map((g) => g.genus));
    expect(calNoRegion.every((g) => !g.ssu && g.weight! > 0)).toBe(true);
    // A synonym of a held-out genus is left out of the 16S reference too (Methanosaeta for Methanothrix).
    const mt = queryOfGenome(db, genomeOf('Methanothrix soehngenii'));
    expect(rankMedia(ctx, mt, { excludeGenus: 'Methanothrix' }).evidence.ssuMatches.some((m) => m.genus === 'Methanothrix' || m.genus === 'Methanosaeta')).toBe(false);
    // Without a 16S region (a draft without rRNA genes) there is no placement.
    expect(recommendMedia(ctx, { ...q, ssuRegion: null }, { top: 3 }).rrna_16s).toBeNull();
  });

  it('16S, genus known to BacDive only: with the genus left out of genomes and records and the genome’s own strains out, its genus is still identified and its other strains count', () => {
    const g = genomeOf('Escherichia coli');
    const q = queryOfGenome(db, g);
    const own = linkedStrainIds(db, g.genomeId);
    expect(own.size).toBeGreaterThan(0);
    const ev = rankMedia(ctx, q, { excludeGenus: 'Escherichia', excludeScope: 'genomes', excludeStrains: own }).evidence;
    expect(ev.neighbors.some((n) => n.genome.genus === 'Escherichia')).toBe(false);
    expect(['Escherichia', 'Shigella']).toContain(ev.genera[0].genus);
    expect(ev.genera[0].ssu?.identity).toBeGreaterThan(0.98);
    expect(ev.genera.some((g) => g.genus === 'Escherichia' && g.ssu)).toBe(true);
    const off = rankMedia(ctx, q, { excludeGenus: 'Escherichia', excludeScope: 'genomes', excludeStrains: own, ssuGenera: 'off' }).evidence;
    expect(off.genera.some((x) => x.genus === 'Escherichia')).toBe(false);
  });

  it('ranks for the user’s conditions when given (counterfactuals)', () => {
    const g = genomeOf('Escherichia coli');
    const q = queryOfGenome(db, g);
    const aerobic = recommendMedia(ctx, q, { excludeGenus: 'Escherichia', conditions: { temperatureC: 37, oxygenTolerant: true } });
    const anaerobic = recommendMedia(ctx, q, { excludeGenus: 'Escherichia', conditions: { temperatureC: 85, oxygenTolerant: false } });
    expect(aerobic.conditions_used).toEqual({ temperatureC: 37, oxygenTolerant: true, salinityPct: null, ph: null });
    expect(anaerobic.conditions_used.oxygenTolerant).toBe(false);
    expect(anaerobic.media.map((m) => m.medium_id)).not.toEqual(aerobic.media.map((m) => m.medium_id));
  });

  it('the genus route also reads labelled records without known media (Vibrio cholerae: 1,414 records, no linked genome)', () => {
    const [id] = db.exec("SELECT id FROM genomes WHERE species = 'Vibrio cholerae' AND record_type = 'genome'")[0].values[0] as [number];
    expect(ctx.genomes.some((g) => g.genus === 'Vibrio'), 'no Vibrio genome has known media').toBe(false);
    const carriers = ctx.carriers.filter((c) => c.genus === 'Vibrio');
    expect(carriers.length).toBeGreaterThan(1000);
    expect(ctx.carriers.some((c) => ctx.genomes.some((g) => g.genomeId === c.genomeId)), 'carriers are the genomes without known media').toBe(false);
    const emb = loadEmbeddings(db, ctx.modelId!);
    const row = emb.genomeIds.indexOf(id);
    const latent = emb.vectors.slice(row * emb.dim, (row + 1) * emb.dim);
    const gc = Number(db.exec('SELECT gc_fraction FROM genomes WHERE id = ?', [id])[0].values[0][0]);
    const q: GenomeQuery = { counts: getGenomeCounts(db, id)!, gcFraction: gc, domainCall: 'bacteria', protein: null, latent, genomeId: null };
    const r = recommendMedia(ctx, q, { top: 10 });
    const ev = rankMedia(ctx, q).evidence;
    expect(ev.genera[0].genus).toBe('Vibrio');
    // Marine broth (514), the medium of 46 of BacDive's 93 Vibrio strains, is among the first ten and
    // says why; with the genus route limited to the genomes with known media (the nearest are
    // Corynebacterium, 0.78), it is not.
    const marine = r.media.find((m) => m.medium_id === '514');
    expect(marine, r.media.map((m) => m.medium_id).join(' ')).toBeDefined();
    expect(marine!.reasons.join(' ')).toMatch(/46 of 93 BacDive strains of Vibrio grow on it — genus of near genome Vibrio cholerae/);
    const linkedOnly = recommendMedia({ ...ctx, carriers: [] }, q, { top: 10 });
    expect(linkedOnly.media.map((m) => m.medium_id)).not.toContain('514');
    // Leave-genus-out: no Vibrio record is evidence when the genus is excluded.
    const out = rankMedia(ctx, q, { excludeGenus: 'Vibrio' }).evidence;
    expect(out.genera.some((g) => g.genus === 'Vibrio')).toBe(false);
  });

  it('predicts conditions from protein features with the bundled model', async () => {
    const p = await profileSource(nodeFileSource(fixture('mycoplasma-genitalium-g37.fa.gz'), 'q'), { proteinFeatures: true, rrnaMarkers: true });
    const protein = Float32Array.from(PROTEIN_FEATURE_NAMES, (n) => p.protein!.features[n]);
    const q: GenomeQuery = { counts: p.counts, gcFraction: p.gcFraction, domainCall: p.rrna?.domainCall ?? 'unknown', protein, latent: null };
    const { json, conditions } = predictConditions(ctx, q);
    expect(json.model).toMatch(/^phenotype-/);
    expect(json.domain).toBe('bacteria');
    expect(json.temperature_c!.value).toBeGreaterThan(25);
    expect(json.temperature_c!.value).toBeLessThan(45);
    expect(conditions.temperatureC).toBeCloseTo(json.temperature_c!.value, 1);
    expect(conditions.oxygenTolerant).toBe(json.oxygen!.tolerant);
    // Salinity is no better than the training mean in the bundled model: not used for ranking.
    expect(conditions.salinityPct).toBeNull();
    const r = recommendMedia(ctx, q, { top: 5 });
    expect(r.conditions_used.temperatureC).toBeCloseTo(json.temperature_c!.value, 1);
    expect(r.media.some((m) => m.reasons.some((x) => /strains grown on it: .* °C/.test(x)))).toBe(true);
    // No bacterium the bundled model was trained on is anaerobic: its oxygen call for a bacterium says so.
    expect(json.oxygen!.caveat).toMatch(/^none of the 124 bacteria the phenotype model was trained on is anaerobic, so it cannot call a bacterium anaerobic: /);
    expect(json.notes.filter((n) => n === `oxygen: ${json.oxygen!.caveat}`)).toHaveLength(1);
    // An archaeon's (2 of 27 O2-tolerant): little more than the domain's majority.
    const arch = predictConditions(ctx, queryOfGenome(db, genomeOf('Aeropyrum pernix')));
    expect(arch.json.domain).toBe('archaea');
    expect(arch.json.oxygen!.caveat).toMatch(/^only 2 of the 27 archaea the phenotype model was trained on are O2-tolerant: /);
  });

  it('oxygenCaveat: only where a domain holds fewer than 3 training genomes of one class', () => {
    const m = ctx.phenotypeModel!;
    const cv = m.oxygen!.tolerant.cv;
    const withCounts = (byDomain: typeof cv.byDomain) => ({ ...m, oxygen: { ...m.oxygen!, tolerant: { ...m.oxygen!.tolerant, cv: { ...cv, byDomain } } } });
    expect(oxygenCaveat(withCounts({ bacteria: { tolerant: 40, intolerant: 3 } }), 'bacteria')).toBeNull();
    expect(oxygenCaveat(withCounts({ bacteria: { tolerant: 40, intolerant: 2 } }), 'bacteria')).toMatch(/^only 2 of the 42 bacteria .* are anaerobic/);
    expect(oxygenCaveat(withCounts({ archaea: { tolerant: 0, intolerant: 9 } }), 'archaea')).toMatch(/^none of the 9 archaea .* is O2-tolerant, so it cannot call an archaeon O2-tolerant/);
    expect(oxygenCaveat(withCounts(undefined), 'bacteria')).toBeNull();
    expect(oxygenCaveat(m, null)).toBeNull();
  });

  it("the shipped phenotype models' per-domain oxygen counts are those of the snapshot's labelled genomes", () => {
    const counts: Record<string, { tolerant: number; intolerant: number }> = {};
    for (const l of loadPhenotypeLabels(db)) {
      if (!l.oxygen) continue;
      const c = (counts[l.domain] ??= { tolerant: 0, intolerant: 0 });
      if (l.oxygen.tolerant) c.tolerant++;
      else c.intolerant++;
    }
    for (const m of [ctx.phenotypeModel!, ctx.dnaPhenotypeModel!]) {
      const cv = m.oxygen!.tolerant.cv;
      expect(cv.byDomain).toEqual(counts);
      expect(Object.values(counts).reduce((a, c) => a + c.tolerant, 0)).toBe(cv.tolerant);
      expect(Object.values(counts).reduce((a, c) => a + c.intolerant, 0)).toBe(cv.intolerant);
    }
  });
});

describe('growth conditions without protein features', () => {
  it('stores the labelled genomes’ protein features in the snapshot, as db build profiled them', async () => {
    const stored = readStoredPhenotypeFeatures(db)!;
    expect(stored, 'db build stores the phenotype features').not.toBeNull();
    const samples = loadStoredPhenotypeSamples(db)!;
    expect(samples.length).toBe(stored.size);
    expect(samples.length).toBeGreaterThanOrEqual(150);
    for (const s of samples) expect((s.input.protein as Float32Array).every((x) => Number.isFinite(x)), s.name).toBe(true);
    if (!HAS_SHARED_DATA) return;
    // The same features as profiling the genome files (3 genomes, one of them a collection record).
    const keys = new Set([samples.find((x) => x.recordType !== 'genome')!.key, ...samples.filter((x) => x.recordType === 'genome').slice(0, 2).map((x) => x.key)]);
    const fresh = (await loadPhenotypeSamples(db, SHARED_DATA, { filter: (k) => keys.has(k) })).samples;
    expect(fresh.map((x) => x.key).sort()).toEqual([...keys].sort());
    for (const f of fresh) {
      const s = samples.find((x) => x.key === f.key)!;
      expect(Array.from(phenotypeFeatureVector(s.input, 'dna+protein')), f.key).toEqual(Array.from(phenotypeFeatureVector(f.input, 'dna+protein')));
      expect(s.lengthBp).toBe(f.lengthBp);
    }
  }, 120_000);

  it('falls back to the DNA-only phenotype model for a sequence too short for gene calling, and says so', async () => {
    const lambda = gunzipSync(readFileSync(fixture('lambda.fa.gz'))).toString('latin1');
    const seq = lambda.split('\n').slice(1).join('').slice(0, 240);
    const p = await profileSource(bytesSource('q', new TextEncoder().encode(`>q\n${seq}\n`), 1 << 16), { proteinFeatures: true });
    // No gene of ≥ 100 codons: the protein features are NaN.
    expect(p.protein!.orfs).toBe(0);
    const protein = Float32Array.from(PROTEIN_FEATURE_NAMES, (n) => p.protein!.features[n]);
    const q: GenomeQuery = { counts: p.counts, gcFraction: p.gcFraction, domainCall: 'unknown', protein, latent: null };
    const { json } = predictConditions(ctx, q);
    expect(json.model).toBe(ctx.dnaPhenotypeModel!.id);
    expect(ctx.dnaPhenotypeModel!.featureSet).toBe('dna');
    expect(json.notes[0]).toMatch(/^no usable protein features \(too few genes found\): growth conditions from the DNA-only phenotype model phenotype-\w+ \(GC and 1–3-mer composition\)/);
    expect(json.temperature_c).not.toBeNull();
    // The same DNA-only prediction as the model itself gives.
    expect(json.temperature_c!.value).toBeCloseTo(predictPhenotype(ctx.dnaPhenotypeModel!, { counts: p.counts, gcFraction: p.gcFraction }).temperatureC!.value, 2);
    // A whole genome with protein features keeps the protein model.
    const g = await profileSource(nodeFileSource(fixture('mycoplasma-genitalium-g37.fa.gz'), 'q'), { proteinFeatures: true });
    const full = predictConditions(ctx, { counts: g.counts, gcFraction: g.gcFraction, domainCall: 'bacteria', protein: Float32Array.from(PROTEIN_FEATURE_NAMES, (n) => g.protein!.features[n]), latent: null });
    expect(full.json.model).toBe(ctx.phenotypeModel!.id);
    expect(full.json.notes.join(' ')).not.toMatch(/DNA-only/);
    // recommend: the fallback reaches the ranking and the output.
    const r = recommendMedia(ctx, q, { top: 3 });
    expect(r.predicted_conditions.model).toBe(ctx.dnaPhenotypeModel!.id);
    expect(r.predicted_conditions.notes.join(' ')).toMatch(/DNA-only phenotype model/);
  });

  it('without a DNA-only model, conditions stay unknown (and the note says why)', () => {
    const g = genomeOf('Escherichia coli');
    const q = { ...queryOfGenome(db, g), genomeId: null };
    const { json } = predictConditions({ phenotypeModel: ctx.phenotypeModel, dnaPhenotypeModel: null }, q);
    expect(json.temperature_c).toBeNull();
    expect(json.notes.join(' ')).toMatch(/needs protein features/);
    const dna = predictConditions(ctx, q);
    expect(dna.json.model).toBe(ctx.dnaPhenotypeModel!.id);
    expect(dna.json.notes[0]).toMatch(/^no usable protein features \(none for this query\)/);
  });
});

describe('lab outcomes', () => {
  it('the query genome’s own outcomes: grew ranks first, no growth last', () => {
    const g = genomeOf('Escherichia coli');
    const q = queryOfGenome(db, g);
    const before = recommendMedia(ctx, q, { top: 10 });
    const top = before.media[0].medium_id;
    addOutcome(g.genomeId, 'J22', true);
    addOutcome(g.genomeId, top, false);
    refreshLabOutcomes(ctx, db);
    const after = recommendMedia(ctx, q, { top: 10 });
    expect(after.media[0]).toMatchObject({ medium_id: 'J22', lab_outcome: 'grew' });
    expect(after.media[0].reasons[0]).toMatch(/grew in your lab/);
    const last = after.media[after.media.length - 1];
    expect(last).toMatchObject({ medium_id: top, lab_outcome: 'no growth' });
    expect(after.media.slice(0, 10).some((m) => m.medium_id === top)).toBe(false);
    // The latest outcome counts: a later 'grew' replaces the 'no growth'.
    addOutcome(g.genomeId, top, true, '2026-11-20');
    refreshLabOutcomes(ctx, db);
    const again = recommendMedia(ctx, q, { top: 10 });
    expect(again.media.slice(0, 2).map((m) => m.medium_id).sort()).toEqual(['J22', top].sort());
    db.run('DELETE FROM lab_outcomes');
    refreshLabOutcomes(ctx, db);
  });

  it('a neighbour’s outcomes count as evidence: grew raises a medium, no growth lowers it', () => {
    const g = genomeOf('Salmonella enterica');
    const q = queryOfGenome(db, g);
    const opts = { excludeGenus: 'Salmonella', top: 3000 } as const;
    const base = recommendMedia(ctx, q, opts);
    const nearest = base.neighbors[0].genome_id;
    const rank = (r: ReturnType<typeof recommendMedia>, m: string) => r.media.findIndex((x) => x.medium_id === m);
    // A medium the neighbour has no record for, far down the list.
    const target = base.media[200].medium_id;
    addOutcome(nearest, target, true);
    refreshLabOutcomes(ctx, db);
    const raised = recommendMedia(ctx, q, opts);
    expect(rank(raised, target)).toBeLessThan(rank(base, target));
    expect(raised.media[rank(raised, target)].reasons.join(' ')).toMatch(/your lab outcome/);
    // The neighbour's best medium, recorded as no growth, drops.
    const top = base.media[0].medium_id;
    addOutcome(nearest, top, false);
    refreshLabOutcomes(ctx, db);
    const lowered = recommendMedia(ctx, q, opts);
    expect(rank(lowered, top)).toBeGreaterThan(rank(base, top));
    expect(lowered.media[rank(lowered, top)].reasons.join(' ')).toMatch(/did not grow .* in your lab/);
    db.run('DELETE FROM lab_outcomes');
    refreshLabOutcomes(ctx, db);
    expect(recommendMedia(ctx, q, opts).media.map((m) => m.medium_id)).toEqual(base.media.map((m) => m.medium_id));
  });
});

describe("the recipe CVAE's likelihood (hand-made scores)", () => {
  /** log-likelihoods over ctx.matrix: media with a recipe get a fixed pseudo-random value, `top` the highest. */
  const scoresWith = (top: string[]) => {
    const has = mediaWithRecipe(ctx.matrix);
    const ll = Float32Array.from(ctx.matrix.mediumIds, (_, i) => (has[i] ? -50 - ((i * 7919) % 997) / 10 : NaN));
    top.forEach((id, k) => (ll[ctx.mediumIndex.get(id)!] = -1 - k));
    return cvaeScoresOf('recipe-cvae-test', ll);
  };

  it('as a reason: the same ranking, each medium with its likelihood, percentile and words', () => {
    const g = genomeOf('Escherichia coli');
    const q = queryOfGenome(db, g);
    const plain = recommendMedia(ctx, q, { excludeGenus: 'Escherichia', top: 15 });
    const deep = plain.media[12].medium_id;
    const cv = scoresWith([deep]);
    const r = recommendMedia(ctx, q, { excludeGenus: 'Escherichia', top: 15, cvae: cv, cvaeWeight: 0 });
    expect(r.media.map((m) => [m.medium_id, m.score])).toEqual(plain.media.map((m) => [m.medium_id, m.score]));
    for (const m of plain.media) expect([m.cvae_log_likelihood, m.cvae_percentile]).toEqual([null, null]);
    const d = r.media[12];
    expect(d.cvae_log_likelihood).toBe(-1);
    expect(d.cvae_percentile).toBe(100);
    expect(d.reasons.at(-1)).toMatch(/^recipe model: this recipe is among the 1 % most likely of [\d,]+ recipes for the predicted conditions \(.+\) \(rank 1, log-likelihood -1\.0\)$/);
    for (const m of r.media) {
      const i = ctx.mediumIndex.get(m.medium_id)!;
      expect(m.cvae_log_likelihood === null).toBe(!Number.isFinite(cv.logLikelihood[i]));
      expect(m.reasons.filter((x) => x.startsWith('recipe model:'))).toHaveLength(1);
    }
    expect(r.predicted_conditions.notes).toContain(`recipe model recipe-cvae-test: log-likelihood of ${cv.scored.toLocaleString('en-US')} recipes under this genome's condition, shown as a reason, not used to order (eval media --cvae)`);
    // Without scores the notes say nothing about a recipe model; with null (no model) they say there is none.
    expect(plain.predicted_conditions.notes.some((n) => /recipe model/.test(n))).toBe(false);
    expect(recommendMedia(ctx, q, { excludeGenus: 'Escherichia', top: 3, cvae: null }).predicted_conditions.notes).toContain('no recipe model (recipe CVAE) in the database: no recipe-model likelihood');
    // The product's default: CVAE_WEIGHT (the eval's decision) applies when no weight is given.
    const byDefault = recommendMedia(ctx, q, { excludeGenus: 'Escherichia', top: 15, cvae: cv });
    if (CVAE_WEIGHT === 0) expect(byDefault.media.map((m) => m.medium_id)).toEqual(plain.media.map((m) => m.medium_id));
  });

  it('as a term: adds weight × 10/(10 + rank) to the score and brings the most likely media into the candidates', () => {
    const g = genomeOf('Escherichia coli');
    const q = queryOfGenome(db, g);
    const base = rankMedia(ctx, q, { excludeGenus: 'Escherichia' });
    const candidates = new Set(base.evidence.candidates);
    const has = mediaWithRecipe(ctx.matrix);
    const outsider = ctx.matrix.mediumIds.find((_, i) => has[i] && !candidates.has(i))!;
    const inside = ctx.matrix.mediumIds[base.ranked[40].index];
    const cv = scoresWith([inside, outsider]);
    const w = 3;
    const r = rankMedia(ctx, q, { excludeGenus: 'Escherichia', cvae: cv, cvaeWeight: w });
    const scoreOf = (x: typeof r, id: string) => x.ranked.find((m) => m.index === ctx.mediumIndex.get(id))?.score;
    expect(scoreOf(r, inside)).toBeCloseTo(scoreOf(base, inside)! + w * 1, 6);
    expect(scoreOf(base, outsider)).toBeUndefined();
    expect(scoreOf(r, outsider)).toBeCloseTo(w * (10 / 11), 6);
    expect(r.ranked.length).toBeLessThanOrEqual(base.ranked.length + CVAE_CANDIDATES);
    expect(r.ranked.findIndex((m) => m.index === ctx.mediumIndex.get(inside))).toBeLessThan(40);
    // No added candidates when asked.
    const none = rankMedia(ctx, q, { excludeGenus: 'Escherichia', cvae: cv, cvaeWeight: w, cvaeCandidates: 0 });
    expect(none.ranked.length).toBe(base.ranked.length);
  });
});

describe('conditions from the genus (rules 8, 9 and 10, measured and not adopted)', () => {
  // Independent of ctx.conditionRows: per-strain conditions of the strains of a genus that grow on a medium.
  const strainsOf = (genus: string) => {
    const byStrain = strainConditions(db);
    const ids = (db.exec("SELECT DISTINCT s.id FROM strains s JOIN strain_growth sg ON sg.strain_id = s.id WHERE sg.growth = 'yes' AND s.species LIKE ?", [`${genus} %`])[0]?.values ?? []).map(([i]) => Number(i));
    return ids.map((id) => ({ id, c: byStrain.get(id) })).filter((x) => x.c);
  };
  // Rule 13 (and rule 9 since): every strain with conditions, linked to a medium or not.
  const allStrainsOf = (genus: string) => {
    const byStrain = strainConditions(db);
    const ids = (db.exec('SELECT id FROM strains WHERE species LIKE ?', [`${genus} %`])[0]?.values ?? []).map(([i]) => Number(i));
    return ids.map((id) => ({ id, c: byStrain.get(id) })).filter((x) => x.c);
  };
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const via = { genomeId: -1, name: 'test' };

  it("rule 8: the route-weighted median strain pH of the genus route's genera, only when they carry half its weight", () => {
    const phs = strainsOf('Streptomyces').map((x) => x.c!.ph).filter((x): x is number => x !== null);
    expect(phs.length).toBeGreaterThan(20);
    const none = new Set<string>();
    const one = genusRoutePh(ctx, [{ genus: 'Streptomyces', similarity: 0.9, via, weight: 0.6 }, { genus: 'Nogenus', similarity: 0.9, via, weight: 0.4 }], none, new Set());
    expect(one!.ph).toBeCloseTo(median(phs), 9);
    expect(one!.genera).toEqual([{ genus: 'Streptomyces', ph: median(phs), strains: phs.length, share: 0.6 }]);
    // Below half of the route's weight, or the genus held out: no pH.
    expect(genusRoutePh(ctx, [{ genus: 'Streptomyces', similarity: 0.9, via, weight: 0.4 }, { genus: 'Nogenus', similarity: 0.9, via, weight: 0.6 }], none, new Set())).toBeNull();
    expect(genusRoutePh(ctx, [{ genus: 'Streptomyces', similarity: 0.9, via, weight: 1 }], new Set(['Streptomyces']), new Set())).toBeNull();
    // Too few strains with a pH once they are left out.
    const ids = strainsOf('Streptomyces').filter((x) => x.c!.ph !== null).map((x) => x.id);
    expect(genusRoutePh(ctx, [{ genus: 'Streptomyces', similarity: 0.9, via, weight: 1 }], none, new Set(ids.slice(ROUTE_PH_MIN_STRAINS - 1)))).toBeNull();
  });

  it("rule 9: the 16S-identified genus's strains give the oxygen majority and the median pH; not below 94.5 %", () => {
    const strains = allStrainsOf('Clostridium');
    const ox = strains.map((x) => x.c!.oxygenTolerant).filter((o): o is boolean => o !== null);
    const tolerant = ox.filter(Boolean).length;
    expect(ox.length).toBeGreaterThan(50);
    expect(ox.length - tolerant).toBeGreaterThan((2 / 3) * ox.length); // Clostridium: anaerobes
    const match = { genus: 'Clostridium', species: 'Clostridium butyricum', accession: 'X', identity: 0.97 };
    const r = identifiedGenusConditions(ctx, [match], new Set(), new Set())!;
    expect(r.oxygen).toEqual({ tolerant: false, class: 'anaerobe', strains: ox.length, agreeing: ox.length - tolerant });
    const phs = strains.map((x) => x.c!.ph).filter((x): x is number => x !== null);
    expect(phs.length).toBeGreaterThanOrEqual(3);
    expect(r.ph).toMatchObject({ value: median(phs), strains: phs.length });
    expect(identifiedGenusConditions(ctx, [{ ...match, identity: GENUS_IDENTITY - 0.01 }], new Set(), new Set())).toBeNull();
    expect(identifiedGenusConditions(ctx, [match], new Set(['Clostridium']), new Set())).toBeNull();
    // In the ranking: the genus's oxygen replaces the given one unless the user set it.
    const q = queryOfGenome(db, ctx.genomes.find((x) => x.genus === 'Streptococcus' && x.media.size > 0)!);
    const given = { temperatureC: 37, oxygenTolerant: false, salinityPct: null, ph: null };
    const run = rankMedia(ctx, q, { conditions: given, identifiedGenusConditions: true });
    const g = run.evidence.genusConditions!;
    expect(g.genus).toBe('Streptococcus');
    expect(run.evidence.ssuMatches[0]).toMatchObject({ genus: 'Streptococcus', identity: g.identity });
    expect(g.oxygen!.tolerant).toBe(true); // streptococci tolerate oxygen
    expect(run.evidence.conditions.oxygenTolerant).toBe(true);
    const edited = rankMedia(ctx, q, { conditions: given, identifiedGenusConditions: true, conditionEdits: ['oxygenTolerant'] });
    expect(edited.evidence.conditions.oxygenTolerant).toBe(false);
    expect(rankMedia(ctx, q, { conditions: given }).evidence.conditions).toEqual(given);
  });

  it('rule 10: the genera nearest by 16S (>= 86.5 %) vote on oxygen by their tolerant share, weighed by the expected overlap', () => {
    const share = (genus: string) => {
      const ox = strainsOf(genus).map((x) => x.c!.oxygenTolerant).filter((o): o is boolean => o !== null);
      return { n: ox.length, share: ox.filter(Boolean).length / ox.length };
    };
    const cl = share('Clostridium');
    const st = share('Streptococcus');
    const cal = genusCalibrationOf(ctx);
    const m = (genus: string, identity: number) => ({ genus, species: `${genus} sp.`, accession: 'X', identity });
    // Clostridium near, Streptococcus far: anaerobic; the weights are the 16S curve's.
    const wC = expectedOverlap(cal.ssu, 0.97);
    const wS = expectedOverlap(cal.ssu, 0.88);
    const p = (wC * cl.share + wS * st.share) / (wC + wS);
    const r = ssuGenusConditions(ctx, [m('Clostridium', 0.97), m('Streptococcus', 0.88)], new Set(), new Set(), cal);
    expect(r!.genera!.map((g) => [g.genus, g.weight])).toEqual([['Clostridium', wC], ['Streptococcus', wS]]);
    expect(r!.oxygen === null ? 'none' : r!.oxygen.tolerant).toBe(p >= 2 / 3 ? true : p <= 1 / 3 ? false : 'none');
    expect(r!.oxygen!.strains).toBe(cl.n + st.n);
    // Below the family threshold a genus does not count; held out, neither.
    expect(ssuGenusConditions(ctx, [m('Clostridium', FAMILY_IDENTITY - 0.001)], new Set(), new Set(), cal)).toBeNull();
    expect(ssuGenusConditions(ctx, [m('Clostridium', 0.97)], new Set(['Clostridium']), new Set(), cal)).toBeNull();
    expect(ssuGenusConditions(ctx, [m('Streptococcus', 0.97)], new Set(), new Set(), cal)!.oxygen!.tolerant).toBe(true);
  });
});

describe('rule 13: the 16S-identified genus\'s oxygen tolerance and pH, shown beside the prediction (measured, not adopted for the ranking)', () => {
  it("a genome whose 16S region is a Clostridium's is told that Clostridium strains are anaerobes; the model's call stays the one used", () => {
    const entry = ctx.ssuReference!.entries.find((e) => e.genus === 'Clostridium')!;
    const ecoli = queryOfGenome(db, genomeOf('Escherichia coli'));
    const q = { ...ecoli, ssuRegion: entry.region };
    const model = predictConditions({ ...ctx, ssuReference: null }, q);
    expect(model.json.genus_conditions).toBeUndefined();
    const r = predictConditions(ctx, q);
    // Independent count: the Clostridium strains of the database with an oxygen label, and their pH.
    const byStrain = strainConditions(db);
    const ids = (db.exec("SELECT id FROM strains WHERE species LIKE 'Clostridium %'")[0]?.values ?? []).map(([i]) => Number(i));
    const ox = ids.map((i) => byStrain.get(i)?.oxygenTolerant ?? null).filter((o): o is boolean => o !== null);
    const anaerobes = ox.filter((o) => !o).length;
    expect(anaerobes).toBeGreaterThan((2 / 3) * ox.length);
    const phs = ids.map((i) => byStrain.get(i)?.ph ?? null).filter((x): x is number => x !== null).sort((a, b) => a - b);
    const med = phs.length % 2 ? phs[(phs.length - 1) / 2] : (phs[phs.length / 2 - 1] + phs[phs.length / 2]) / 2;
    expect(r.json.genus_conditions).toMatchObject({ genus: 'Clostridium', identity: 1, oxygen: { class: 'anaerobe', tolerant: false, strains: ox.length, agreeing: anaerobes }, ph: { strains: phs.length } });
    expect(r.json.genus_conditions!.ph!.value).toBeCloseTo(med, 2);
    expect(r.json.genus_conditions!.ph!.low).toBeLessThanOrEqual(r.json.genus_conditions!.ph!.value);
    expect(r.json.notes.some((n) => n.startsWith('the BacDive strains of Clostridium, the genus its 16S rRNA identifies (100.0 %)') && n.endsWith('(shown, not used: give them as conditions to rank with them)'))).toBe(true);
    // The conditions used are the model's (E. coli's composition: tolerates O2).
    expect(r.conditions).toEqual(model.conditions);
    expect(r.conditions.oxygenTolerant).toBe(true);
    // The evaluation's option (eval media --variants) ranks with them.
    const run = rankMedia(ctx, q, { conditions: r.conditions, identifiedGenusConditions: true });
    expect(run.evidence.conditions.oxygenTolerant).toBe(false);
  });
});

describe('rules 11, 12 and 14: no extreme-salt recipes for an archaeon that is not salt-in (adopted)', () => {
  it('rule 15 (measured, off by default): a medium whose domain strains all grow > 20 °C from the temperature used loses only its neighbour evidence', () => {
    expect(TEMPERATURE_MISFIT_C).toBe(20);
    expect(temperatureMisfit({ tN: 2, tMin: 80, tMax: 88 }, 59.9)).toBe(true);
    expect(temperatureMisfit({ tN: 2, tMin: 80, tMax: 88 }, 60)).toBe(false);
    expect(temperatureMisfit({ tN: 2, tMin: 30, tMax: 37 }, 57.5)).toBe(true);
    expect(temperatureMisfit({ tN: 1, tMin: 80, tMax: 80 }, 20)).toBe(false);
    const q = queryOfGenome(db, genomeOf('Methanosarcina mazei'));
    const c = { temperatureC: 35, oxygenTolerant: false, salinityPct: null, ph: null };
    const opts = { excludeGenus: 'Methanosarcina', conditions: c };
    const off = rankMedia(ctx, q, opts);
    const on = rankMedia(ctx, q, { ...opts, temperatureMisfitRule: true });
    expect(off.evidence.temperatureMisfits.size).toBe(0);
    // The ranges, counted here from the context's condition rows: archaeal strains of other genera with a temperature.
    const range = new Map<string, number[]>();
    for (const r of ctx.conditionRows) if (r.domain === 'archaea' && r.genus !== 'Methanosarcina' && r.temperatureC !== null) range.set(r.mediumId, [...(range.get(r.mediumId) ?? []), r.temperatureC]);
    const [nbJ, kJ] = [BASE_FEATURES.indexOf('neighbor'), BASE_FEATURES.indexOf('kmer_neighbor')];
    const expected = new Set<number>();
    off.evidence.candidates.forEach((i, k) => {
      const t = range.get(ctx.matrix.mediumIds[i]) ?? [];
      const far = t.length >= 2 && (35 < Math.min(...t) - 20 || 35 > Math.max(...t) + 20);
      if (far && (off.evidence.features[k][nbJ] > 0 || off.evidence.features[k][kJ] > 0)) expected.add(i);
    });
    expect(expected.has(ctx.mediumIndex.get('760')!)).toBe(true); // MARINE THERMOCOCCUS MEDIUM, from the Thermococcus neighbours
    expect(on.evidence.temperatureMisfits).toEqual(expected);
    const onAt = new Map(on.evidence.candidates.map((i, k) => [i, on.evidence.features[k]]));
    off.evidence.candidates.forEach((i, k) => {
      const f = onAt.get(i);
      if (!f) return expect(expected.has(i), ctx.matrix.mediumIds[i]).toBe(true); // only its neighbours had put it among the candidates
      // The evidence values (the within-query rank features follow from them and shift).
      f.forEach((v, j) => BASE_FEATURES[j].startsWith('rank_') || expect(v, `${ctx.matrix.mediumIds[i]} ${BASE_FEATURES[j]}`).toBeCloseTo(expected.has(i) && (j === nbJ || j === kJ) ? 0 : off.evidence.features[k][j], 9));
    });
    const r = recommendMedia(ctx, q, { ...opts, top: 3000, temperatureMisfitRule: true });
    expect(r.media.find((m) => m.medium_id === '760')!.reasons.some((x) => /^the near genomes' use of it not counted \(rule 15\): its \d+ archaea strains with a growth temperature grow at \d+–\d+ °C, more than 20 °C from 35 °C$/.test(x))).toBe(true);
  });

  it('rule 16 (measured, off by default): a query under 3 kbp ranked without its composition: no neighbours, 16S genera only, only the given conditions', async () => {
    const profile = await profileSource(nodeFileSource(fixture('mycoplasma-genitalium-g37.fa.gz')), { rrnaMarkers: true });
    const ssu = profile.rrna!.ssuRegion!;
    const p = await profileSource(bytesSource('q', new TextEncoder().encode(`>q\n${ssu}\n`)), { rrnaMarkers: true, proteinFeatures: true });
    const q: GenomeQuery = { counts: p.counts, gcFraction: p.gcFraction, domainCall: p.rrna?.domainCall ?? 'unknown', protein: null, latent: null, ssuRegion: p.rrna?.ssuRegion ?? null };
    expect(q.ssuRegion).toBe(ssu);
    expect(isShortQuery(q)).toBe(true);
    expect(isShortQuery({ counts: profile.counts })).toBe(false);
    const off = recommendMedia(ctx, q, { top: 20 });
    const on = recommendMedia(ctx, q, { top: 20, shortQueryRule: true });
    expect(off.neighbors.length).toBeGreaterThan(0);
    expect(on.neighbors).toEqual([]);
    expect(on.genus_route.length).toBeGreaterThan(0);
    expect(on.genus_route.every((g) => g.source === '16S')).toBe(true);
    expect(off.genus_route.some((g) => g.source === 'genome')).toBe(true);
    expect(on.media.flatMap((m) => m.reasons).some((x) => /near(est)? genome/.test(x))).toBe(false);
    expect(on.conditions_used).toEqual({ temperatureC: null, oxygenTolerant: null, salinityPct: null, ph: null });
    expect(off.conditions_used.temperatureC).not.toBeNull();
    expect(on.predicted_conditions.notes.some((n) => n.startsWith('fewer than 3,000 bp of sequence: ranked without its composition (rule 16)'))).toBe(true);
    // The user's conditions still count.
    expect(recommendMedia(ctx, q, { top: 5, shortQueryRule: true, conditions: { temperatureC: 37 } }).conditions_used.temperatureC).toBe(37);
    const ev = rankMedia(ctx, q, { shortQueryRule: true, conditions: { temperatureC: null, oxygenTolerant: null, salinityPct: null, ph: null } }).evidence;
    for (const j of [BASE_FEATURES.indexOf('neighbor'), BASE_FEATURES.indexOf('kmer_neighbor')]) expect(ev.features.every((f) => f[j] === 0)).toBe(true);
  });

  it('rule 17 (measured, off by default): each nearest genome weighs the media overlap expected at its similarity, relative to five at similarity 1', () => {
    const q = queryOfGenome(db, genomeOf('Methanococcus maripaludis'));
    const opts = { excludeGenus: 'Methanococcus', conditions: { temperatureC: 37, oxygenTolerant: false, salinityPct: null, ph: null } };
    const off = rankMedia(ctx, q, opts).evidence;
    const on = rankMedia(ctx, q, { ...opts, calibratedNeighbors: true }).evidence;
    expect(on.neighbors.map((t) => t.genome.genomeId)).toEqual(off.neighbors.map((t) => t.genome.genomeId));
    const curve = genusCalibrationOf(ctx).latent;
    const top = on.neighbors.slice(0, 5);
    const expected = (id: string, weight: (s: number) => number) => top.reduce((a, t) => a + (t.genome.media.has(id) ? weight(t.similarity) * t.genome.media.get(id)! : 0), 0);
    const sum = top.reduce((a, t) => a + t.similarity, 0);
    const j = BASE_FEATURES.indexOf('neighbor');
    let checked = 0;
    on.candidates.forEach((i, k) => {
      const id = ctx.matrix.mediumIds[i];
      const want = expected(id, (s) => expectedOverlap(curve, s) / (5 * expectedOverlap(curve, 1)));
      expect(on.features[k][j], id).toBeCloseTo(want, 9);
      const c = off.candidates.indexOf(i);
      if (c >= 0) expect(off.features[c][j], id).toBeCloseTo(expected(id, (s) => s / sum), 9);
      if (want > 0) checked++;
    });
    expect(checked).toBeGreaterThan(0);
    // Below similarity 1 the term is smaller than the similarity share's.
    expect(top.every((t) => t.similarity < 1)).toBe(true);
    expect(on.features.reduce((a, f) => a + f[j], 0)).toBeLessThan(off.features.reduce((a, f) => a + f[j], 0));
  });

  it("a eukaryote's rRNA call: ranked as its nearest genomes' domain, saying that it is a eukaryote and why, not as if it had no rRNA genes", () => {
    const q = { ...queryOfGenome(db, genomeOf('Methanococcus maripaludis')), genomeId: null, domainCall: 'eukarya' as const };
    const r = recommendMedia(ctx, q, { top: 5 });
    expect(r.predicted_conditions.domain).toBe('eukarya');
    expect(r.domain_used.source).toBe('neighbors');
    expect(r.domain_used.basis).toMatch(/^rRNA genes of a eukaryote, a domain BacDive has no strains of: the majority of the 5 nearest genomes \((bacteria|archaea)\)$/);
    expect(r.predicted_conditions.notes.filter((n) => n.startsWith('a eukaryote (its rRNA genes): the database has no evidence for eukaryotic media'))).toHaveLength(1);
    // An 18S region is not compared with the prokaryotic 16S reference.
    const withRegion = { ...q, ssuRegion: ctx.ssuReference!.entries[0].region };
    expect(recommendMedia(ctx, withRegion, { top: 3 }).rrna_16s).toMatchObject({ identified_genus: null, nearest: [] });
    expect(recommendMedia(ctx, { ...withRegion, domainCall: 'bacteria' as const }, { top: 3 }).rrna_16s!.nearest[0].identity).toBe(1);
    const prokaryote = recommendMedia(ctx, { ...q, domainCall: 'archaea' as const }, { top: 5 });
    expect(prokaryote.predicted_conditions.notes.some((n) => n.startsWith('a eukaryote'))).toBe(false);
    expect(recommendMedia(ctx, { ...q, domainCall: 'unknown' as const }, { top: 5 }).domain_used.basis).toMatch(/^no rRNA call: /);
  });

  it('holds >= 150 g/L NaCl recipes against a non-halophile archaeon, not against Halobacterium, a bacterium or a given salinity', () => {
    const unknown = { temperatureC: 37, oxygenTolerant: true, salinityPct: null, ph: null };
    const mm = queryOfGenome(db, genomeOf('Methanococcus maripaludis'));
    const halo = queryOfGenome(db, ctx.genomes.find((g) => g.genus === 'Halobacterium' && g.media.size > 0)!);
    expect(EXTREME_SALT_G_PER_L).toBe(150);
    expect(notSaltInArchaeon(ctx, mm, 'archaea', unknown)).toBe(true);
    expect(notSaltInArchaeon(ctx, mm, 'bacteria', unknown)).toBe(false);
    expect(notSaltInArchaeon(ctx, mm, 'archaea', { ...unknown, salinityPct: 3 })).toBe(false);
    expect(notSaltInArchaeon(ctx, halo, 'archaea', unknown)).toBe(false);
    expect(notSaltInArchaeon(ctx, { ...mm, genomeId: null, protein: null }, 'archaea', unknown)).toBe(false);
    // The recipe-traits term of every extreme-salt candidate is 1 lower; nothing else moves.
    const on = rankMedia(ctx, mm, { excludeGenus: 'Methanococcus', conditions: unknown });
    const off = rankMedia(ctx, mm, { excludeGenus: 'Methanococcus', conditions: unknown, saltInRule: false });
    expect(on.evidence.notSaltIn).toBe(true);
    expect(off.evidence.notSaltIn).toBe(false);
    expect(on.evidence.candidates).toEqual(off.evidence.candidates);
    const t = BASE_FEATURES.indexOf('traits');
    let salty = 0;
    on.evidence.candidates.forEach((i, c) => {
      const extreme = ctx.matrix.hasComposition[i] === 1 && ctx.traits[i].saltsGPerL >= 150;
      salty += extreme ? 1 : 0;
      expect(on.evidence.features[c][t]).toBeCloseTo(off.evidence.features[c][t] - (extreme ? 1 : 0), 12);
    });
    expect(salty).toBeGreaterThan(0);
    // Rule 12: they rank after every other candidate (rule 11 alone leaves some among them).
    const isSalty = (i: number) => ctx.matrix.hasComposition[i] === 1 && ctx.traits[i].saltsGPerL >= 150;
    const firstSalty = on.ranked.findIndex((x) => isSalty(x.index));
    expect(firstSalty).toBeGreaterThan(0);
    expect(on.ranked.slice(firstSalty).every((x) => isSalty(x.index))).toBe(true);
    const alone = rankMedia(ctx, mm, { excludeGenus: 'Methanococcus', conditions: unknown, saltInDemote: false });
    const aloneFirst = alone.ranked.findIndex((x) => isSalty(x.index));
    expect(alone.ranked.slice(aloneFirst).every((x) => isSalty(x.index))).toBe(false);
    // Among themselves they keep rule 11's order.
    expect(on.ranked.filter((x) => isSalty(x.index)).map((x) => x.index)).toEqual(alone.ranked.filter((x) => isSalty(x.index)).map((x) => x.index));
    // The reasons and the notes say why.
    const r = recommendMedia(ctx, mm, { top: 3000, conditions: unknown });
    expect(r.not_extreme_halophile).toBe(true);
    expect(recommendMedia(ctx, halo, { top: 3, conditions: unknown }).not_extreme_halophile).toBe(false);
    expect(r.predicted_conditions.notes.some((n) => n.startsWith('salinity: no extreme halophile'))).toBe(true);
    // Rule 14: Halobaculum's medium (125 g/L NaCl, 160 g/L MgCl2·6H2O) counts by its total salts, not by NaCl.
    expect(ctx.traits[ctx.mediumIndex.get('823')!].naclGPerL).toBeLessThan(150);
    expect(ctx.traits[ctx.mediumIndex.get('823')!].saltsGPerL).toBeCloseTo(125 + 160, 2); // K2SO4 is not counted
    const rank823 = (x: typeof on) => x.ranked.findIndex((m) => ctx.matrix.mediumIds[m.index] === '823');
    const naclOnly = rankMedia(ctx, mm, { excludeGenus: 'Methanococcus', conditions: unknown, saltInTotalSalts: false });
    expect(rank823(on)).toBeGreaterThanOrEqual(firstSalty);
    expect(rank823(naclOnly)).toBeLessThan(naclOnly.ranked.findIndex((x) => ctx.matrix.hasComposition[x.index] === 1 && ctx.traits[x.index].naclGPerL >= 150));
    expect(r.media.find((m) => m.medium_id === '823')!.reasons.some((x) => /28\.\d % salts \(NaCl, KCl, Mg salts\) is for extreme halophiles/.test(x))).toBe(true);
    const hm = r.media.find((m) => m.medium_id === '372')!;
    expect(hm.reasons.some((x) => /20\.0 % NaCl is for extreme halophiles, and this proteome is not salt-in \(ranked after the other media\)/.test(x))).toBe(true);
  });
});

describe('evaluation on a fixed tiny split', () => {
  it('ranks held-out genomes leave-genus-out with every ranker and reports the growth predictor', () => {
    const pick = new Set(['Escherichia coli', 'Staphylococcus aureus', 'Methanospirillum hungatei', 'Metallosphaera sedula']);
    const rep = evaluateMedia(db, { queryFilter: (g) => pick.has(g.species ?? ''), variants: true });
    expect(rep.genomes).toBeGreaterThanOrEqual(4);
    // The evidence-weight variants: each fixed, nested-tuned (both ways) and the nested selection.
    expect(rep.variants.map((v) => v.name)).toEqual([
      ...EVIDENCE_VARIANTS.map((v) => v.name),
      ...EVIDENCE_VARIANTS.map((v) => `${v.name}, nested-tuned`),
      ...EVIDENCE_VARIANTS.map((v) => `${v.name}, nested-tuned per domain`),
      'selected (nested leave-genus-out)',
      ...FIRST_PICK_VARIANTS.map((v) => `first pick: ${v.name}`),
      'first pick: nested selection',
      expect.stringMatching(new RegExp(`^mediaforge without the 16S reference \\(${rep.genomes} queries placed by 16S, \\d at >= 94\\.5 %\\)$`)),
      "mediaforge, genus route = the genus identified by 16S (>= 94.5 %) first, then the genomes' genera, by similarity (before 2026-12-02)",
      'mediaforge, genus route = the 3 genera nearest by 16S',
      'mediaforge, genus route = the genera identified by 16S (>= 94.5 %) when there are any',
      'mediaforge, near-duplicate recipes (Jaccard >= 0.8) deferred out of the top 10',
      expect.stringMatching(/^mediaforge, unknown pH from the genus route's genera \(\d+ queries given one\)$/),
      expect.stringMatching(/^mediaforge, oxygen and pH of the 16S-identified genus from all its BacDive strains \(rule 13; \d+ queries; oxygen right for \d+ of \d+ with BacDive oxygen, the model alone \d+\)$/),
      expect.stringMatching(/^mediaforge, oxygen and pH of the genera nearest by 16S \(\d+ queries; oxygen right for \d+ of \d+ with BacDive oxygen, the model \d+\)$/),
      expect.stringMatching(/^mediaforge before rule 11 \(>= 150 g\/L NaCl recipes not held against archaea that are not salt-in; \d+ such queries, with one in the top 10: \d+ before, \d+ with the rule\)$/),
      expect.stringMatching(/^mediaforge before rule 14 \(rules 11 and 12 on NaCl alone: \d+ media >= 150 g\/L, against \d+ by total salts; \d+ of those queries with a total-salt one in the top 10\)$/),
      expect.stringMatching(/^mediaforge with rule 15 \(no neighbour evidence for a medium whose domain strains all grow > 20 °C from the temperature used; \d+ queries with such a medium, with one in the top 10: \d+ without, \d+ with the rule\)$/),
      'mediaforge with rule 17 (the nearest genomes weighed by the media overlap expected at their similarity)',
      expect.stringMatching(/^mediaforge with rule 11 alone, before rule 12 \(its extreme-salt recipes not put after every other candidate; \d+ of those queries with one in the top 10\)$/),
    ]);
    for (const v of rep.variants) expect(v.hits.all.queries, v.name).toBe(rep.genomes);
    // The first variant is the product's hand-set score: the same hit rates as "mediaforge".
    expect(rep.variants[0].hits.all).toEqual(rep.rows.find((x) => x.ranker === 'mediaforge' && x.domain === 'all')!.hits);
    // First-pick variants leave archaea in the score's order.
    for (const v of rep.variants.filter((x) => x.name.startsWith('first pick'))) expect(v.hits.archaea, v.name).toEqual(rep.variants[0].hits.archaea);
    expect(Object.values(rep.variants.find((v) => v.name === 'selected (nested leave-genus-out)')!.picks!).reduce((a, b) => a + b, 0)).toBe(rep.genomes);
    expect(Object.values(rep.variants.find((v) => v.name === 'first pick: nested selection')!.picks!).reduce((a, b) => a + b, 0)).toBe(rep.genomes);
    expect(rep.diagnostics).toHaveLength(rep.genomes);
    const get = (r: string, d: string) => rep.rows.find((x) => x.ranker === r && x.domain === d)!;
    for (const r of ['popular', 'kmer4-neighbors', 'latent-neighbors', 'fused-rrf', 'mediaforge', 'mediaforge-tuned', 'mediaforge-lr']) expect(get(r, 'all').hits.queries).toBe(rep.genomes);
    // Each of these has a known medium that another genus also grows on: ours finds it in the top 10.
    expect(get('mediaforge', 'all').hits.top10).toBeGreaterThanOrEqual(0.75);
    expect(get('mediaforge', 'archaea').hits.top10).toBeGreaterThan(get('kmer4-neighbors', 'archaea').hits.top10);
    const au = rep.growthPredictor!.auroc.find((a) => a.score === 'growth predictor' && a.domain === 'all')!;
    expect(au.auroc).toBeGreaterThan(0.7);
    expect(rep.cvae).toBeNull();
  });

  it('--genus-in-bacdive: each genome as one of a genus BacDive knows and the genome collection does not, without 16S, identified by 16S, nearest by 16S, identified in place of the genomes’ genera, and the calibrated route', () => {
    const pick = new Set(['Escherichia coli', 'Methanospirillum hungatei']);
    const rep = evaluateMedia(db, { queryFilter: (g) => pick.has(g.species ?? ''), genusInBacdive: true });
    const rows = rep.variants.filter((v) => v.name.startsWith('genus known to BacDive only'));
    expect(rows.map((v) => v.name.replace(/^genus known to BacDive only \(own strains out\): mediaforge /, ''))).toEqual(['without the 16S reference', 'with the genus identified by 16S (>= 94.5 %), by similarity (before 2026-12-02)', 'genus route = the 3 genera nearest by 16S', 'genus route = the genera identified by 16S (>= 94.5 %) when there are any', '(the product): 16S and genome genera weighed by their expected media overlap']);
    for (const v of rows) expect(v.hits.all.queries).toBe(rep.genomes);
    // Both have their genus in the 16S reference: identified, their genus's other strains name a known medium.
    expect(rows[1].hits.all.top10).toBe(1);
    expect(rows[4].hits.all.top10).toBe(1);
  });

  it('--no-rrna: every genome without its rRNA call, the domain from the proteome, measured against the neighbours’ domain', () => {
    // Two bacteria and two archaea, one without stored protein features.
    const pick = new Set(['Escherichia coli', 'Metallosphaera sedula', 'Methanosarcina mazei', 'Helicobacter pylori']);
    const rep = evaluateMedia(db, { queryFilter: (g) => [...pick].some((p) => g.species?.startsWith(p)), noRrna: true });
    expect(rep.method).toMatch(/no rRNA calls \(--no-rrna\): domain from the proteome classifier/);
    expect(rep.variants.map((v) => v.name)).toEqual([
      'mediaforge, no rRNA call, domain from the 5 nearest genomes (before the proteome classifier)',
      'mediaforge, no rRNA call, proteome domain, neighbours by cosine alone (no domain agreement)',
    ]);
    for (const v of rep.variants) expect(v.hits.all.queries).toBe(rep.genomes);
    expect(rep.variants[0].hits.all.queries).toBe(rep.genomes);
    const d = rep.domainCalls!;
    expect(d.proteome.total).toBe(rep.genomes);
    expect(d.neighbors.total).toBe(rep.genomes);
    // Helicobacter has no stored protein features: its neighbours decide in both runs (and get it wrong).
    expect(d.proteome.correct).toBe(rep.genomes - 1);
    expect(formatMediaEval(rep)).toContain(`domain used without rRNA calls: proteome classifier ${d.proteome.correct} of ${d.proteome.total} right, the 5 nearest genomes ${d.neighbors.correct} of ${d.neighbors.total}`);
    // Without the option there is no such report.
    expect(evaluateMedia(db, { queryFilter: (g) => g.species === 'Escherichia coli' }).domainCalls).toBeUndefined();
  });

  it('with CVAE scores: the likelihood alone, fused at each weight, the nested weight choice and the decision rule', () => {
    const pick = new Set(['Escherichia coli', 'Methanospirillum hungatei', 'Metallosphaera sedula']);
    const has = mediaWithRecipe(ctx.matrix);
    const asked: string[] = [];
    // A scorer that knows nothing: the same pseudo-random likelihoods for every genome.
    const ll = Float32Array.from(ctx.matrix.mediumIds, (_, i) => (has[i] ? -((i * 7919) % 997) : NaN));
    const rep = evaluateMedia(db, {
      queryFilter: (g) => pick.has(g.species ?? ''),
      cvae: {
        description: 'hand-made',
        scoresFor: (g) => {
          asked.push(g.species ?? '');
          return { query: cvaeScoresOf('t', ll), prior: cvaeScoresOf('t', Float32Array.from(ll, (x) => x / 2)) };
        },
      },
    });
    expect(asked).toHaveLength(rep.genomes);
    expect([...new Set(asked)].sort()).toEqual([...pick].sort());
    const c = rep.cvae!;
    expect(c.rows.map((x) => x.name)).toEqual([
      'cvae alone: log p(m | c)',
      'cvae alone: log p(m | c) − log p(m | group)',
      'mediaforge + cvae rank term, weight 1',
      'mediaforge + cvae rank term, weight 2 (a priori)',
      'mediaforge + cvae rank term, weight 4',
      'mediaforge + cvae ratio rank term, weight 2',
      'mediaforge + cvae rank term, weight 2, no candidates added',
      'mediaforge + cvae, weight chosen by nested leave-genus-out',
    ]);
    for (const x of c.rows) expect(x.hits.all.queries).toBe(rep.genomes);
    expect(Object.values(c.rows.at(-1)!.picks!).reduce((a, b) => a + b, 0)).toBe(rep.genomes);
    const mf = rep.rows.find((x) => x.ranker === 'mediaforge' && x.domain === 'all')!.hits;
    expect(c.decision.judged).toBe('mediaforge + cvae rank term, weight 2 (a priori)');
    const j = c.rows[3].hits;
    expect(c.decision.adopt).toBe(j.all.top10 >= mf.top10 && (j.archaea.top10 > rep.rows.find((x) => x.ranker === 'mediaforge' && x.domain === 'archaea')!.hits.top10 || j.all.top1 > mf.top1));
    expect(formatMediaEval(rep)).toMatch(/recipe CVAE likelihood \(hand-made\)/);
  });
});

describe('on the MediaDive fixture database', () => {
  it('ranks media without any linked genome (popularity, conditions, recipes)', async () => {
    const fdb = openSnapshot(await sql(), (await build(FIXTURE_DATA)).bytes, 'fixture').db;
    try {
      const fctx = buildRecommendContext(fdb);
      expect(fctx.genomes).toHaveLength(0); // the fixture strains include no Mycoplasma
      const id = Number(fdb.exec("SELECT id FROM genomes WHERE species LIKE 'Mycoplasma%'")[0].values[0][0]);
      const q: GenomeQuery = { ...queryOfGenome(fdb, { genomeId: id, latent: null, domainCall: 'bacteria' } as never), latent: null };
      const r = recommendMedia(fctx, q, { top: 5, conditions: { temperatureC: 37, oxygenTolerant: true } });
      expect(r.neighbors).toEqual([]);
      expect(r.media.length).toBeGreaterThan(0);
      for (const m of r.media) expect(m.reasons.length).toBeGreaterThan(0);
    } finally {
      fdb.close();
    }
  });
});
