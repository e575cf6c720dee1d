/**
 * Culture media for a genome: the product's ranking (`mediaforge recommend`, the Media panel) and
 * the ranker `eval media` measures as "mediaforge" — the same function, called with the held-out
 * genus excluded from every source of evidence.
 *
 * Only the query's sequence is used: its k-mer profile (4-mer neighbours), its genome-VAE latent
 * vector (latent neighbours), its rRNA domain call and its protein features (growth conditions).
 * The domain used is the rRNA call; when the call is 'unknown' (a draft or MAG whose rRNA genes
 * did not assemble), the domain classifier on its predicted proteome (domain-classifier.ts), and
 * without protein features the majority of the nearest genomes — never a label of the query.
 *
 * Evidence for a medium m, computed for every candidate medium (GROWTH_FEATURES, growth-predictor.ts):
 * - neighbor: the 5 nearest linked genomes (latent + rRNA agreement, or 4-mer cosine without a
 *   latent vector): Σ w·confidence(m) / Σ w, w = similarity. A user's 'grew' outcome of a genome
 *   counts as a known medium of confidence 1; a 'no growth' outcome counts −1 (it lowers m).
 * - genus: 3 genera stand for the query, each for all its BacDive strains: share of the genus's
 *   strains grown on m (strain_growth) plus its taxon_media rows. The candidates are the genera
 *   named by the 10 nearest genomes and records and the 3 genera nearest to the query's 16S rRNA
 *   region (ssu-reference.ts, whether or not any genome of them is in the database), each scored
 *   by the media overlap expected at its similarity (genus-route-calibration.ts); the 3 highest
 *   count, weighted by it.
 * - recipe: media whose recipe resembles an evidence-supported medium j (weighted ingredient
 *   Jaccard, media-vectors.ts) get evidence(j) × Jaccard(m, j) — archaeal media are nearly
 *   genus-specific, but a new genus's medium is often a near-copy of a related genus's medium.
 * - condition: the growth conditions of the BacDive strains grown on m (of the domain) matched to
 *   the predicted (or user-given) conditions (condition-ranking.ts).
 * - traits: the recipe's NaCl, anoxic preparation and pH against the conditions (medium-traits.ts).
 * - popularity, domain_share: how many strains of the domain grow on m; the domain's share of m's strains.
 * The growth predictor (logistic regression, growth-model.default.json) turns them into
 * P(growth | genome, medium); its linear score is the ranking score. Without a model, a fixed
 * hand-set combination is used (FALLBACK_WEIGHTS).
 *
 * The recipe CVAE's likelihood log p(m | c) of each medium under the query's condition
 * (options.cvae, computed where the CVAE lives: src/ml/recipe-cvae-score.ts) is a reason and the
 * JSON's cvae_log_likelihood / cvae_percentile. Its rank term enters the score with CVAE_WEIGHT,
 * which is 0: `eval media --cvae` (fold CVAEs that never saw the held-out genus) found that it
 * raises top-1 but lowers top-10, so by the rule fixed before the runs it is a reason only.
 *
 * Lab outcomes of the query genome (query.genomeId): 'grew' media rank first, 'no growth' last.
 */
import type { Database } from 'sql.js';
import { AppError } from '../core/errors';
import { PROTEIN_FEATURE_NAMES, usableProtein } from '../core/protein-features';
import { getGenomeCounts } from '../db/genomes';
import { getActiveModelId, loadDomainCalls, loadEmbeddings, loadSsuRegion } from '../db/models';
import type { DomainCall } from '../ml/genome-neighbors';
import { genusOf } from '../ml/genus-split';
import { genusVariants } from '../db/taxon-names';
import { bundledSsuReference, GENUS_IDENTITY, nearestSsuGenera, type SsuGenusMatch, type SsuReference } from './ssu-reference';
import { cvaeRankTerm, cvaeReason, type CvaeMediumScores } from './cvae-evidence';
import { expectedOverlap, fitGenusCalibration, fitOverlapCurve, GENUS_CALIBRATION_FORMAT, genusCalibrationPairs, latentCalibrationPairs, parseGenusCalibration, type CalibrationPair, type GenusCalibrationFile, type GenusCalibrationPairs, type GenusRouteCalibration, type LatentRecord } from './genus-route-calibration';
import defaultGenusCalibrationJson from './genus-route-calibration.default.json';
import { classifyDomain, trainDomainClassifier, type DomainClassifier, type DomainSample } from './domain-classifier';
import { fitRecipeTemperatures, recipeTemperatureFit, RECIPE_TEMPERATURE_WEIGHT, type MediumTemperature } from './recipe-temperature';
import { CONDITION_KERNEL, conditionMatch, genomeConditions, loadStrainMediumConditions, median, strainConditions, type Conditions, type StrainConditionRow } from './condition-ranking';
import { BASE_FEATURES, expandFeatures, GROWTH_FEATURES, RANKED_FEATURES, growthProbability, growthScore, parseGrowthModel, type GrowthModel } from './growth-predictor';
import defaultGrowthModelJson from './growth-model.default.json';
import { GROWTH_TEMPERATURE_RANGE_C, type DomainSource, type GenomeQuery, type GrowthConditions, type PredictedConditionsJson, type RecommendedMedium, type RecommendResult } from './media-api-types';
import { latentSimilarity, loadGenusCarriers, loadLinkedGenomes, tetraSimilarity, tetraVector, type GenusCarrier, type LinkedGenome } from './media-ranking';
import { buildMediaMatrix, gellingMask, PRESENCE_WEIGHT, type MediaMatrix } from './media-vectors';
import { mediumTraits, type MediumTraits } from './medium-traits';
import { mediaNamedForGenera } from './medium-name-genera';
import { EUKARYOTE_MEDIA_NOTE } from './eukaryote-note';
import { estimateGenusConditions, GENUS_CONDITION_MIN_STRAINS, GENUS_OXYGEN_AGREEMENT, genusStrainConditions, type GenusConditionEstimate, type GenusStrain } from './genus-conditions';
import type { OxygenClass } from './phenotype-labels';
import { HALOPHILE_RULE, parsePhenotypeModel, predictPhenotype, type PhenotypeModel, type PhenotypePrediction } from './phenotype-model';
import defaultPhenotypeJson from './phenotype-model.default.json';
import dnaPhenotypeJson from './phenotype-model.dna.json';
import { storedProteinByGenome } from './phenotype-stored-features';
import { acgtBasesOf, COMPOSITION_FLOOR_BP, shortSequenceNote } from './sequence-length';

/** Nearest genomes whose own media count (neighbor feature). */
export const NEIGHBOR_K = 5;
/** Nearest genomes whose genera count (genus feature), and how many distinct genera. */
export const GENUS_NEIGHBORS = 10;
export const GENUS_K = 3;
/** Evidence-supported media that propagate to recipe-similar media. */
export const RECIPE_SOURCES = 40;
/**
 * Two stages: the fixed-weight score (FALLBACK_WEIGHTS) shortlists this many media, and the growth
 * predictor ranks the shortlist (it is trained on the same shortlists, so it learns to order the
 * hard candidates); media outside the shortlist follow in fixed-weight order.
 */
export const SHORTLIST = 200;
/** A neighbour this similar is the query itself (a genome of the database): its media are known. */
export const IDENTICAL_SIMILARITY = 0.995;
/** Logit penalty per unit of neighbours' 'no growth' outcomes (similarity-weighted share). */
export const NO_GROWTH_PENALTY = 4;
/** Rule 12: what puts an extreme-salt recipe after every other candidate for an archaeon that is not salt-in (scores are a few units). */
export const SALT_MISFIT_DEMOTION = 100;
/** Rule 18: media named for a genus count as its taxon records in the genus route (buildRecommendContext's mediumNames). */
export const MEDIUM_NAME_GENERA = false;
/**
 * Rule 19 (recipeTemperatureRule; README decision list, recipe-temperature.ts): a candidate with a
 * recipe adds RECIPE_TEMPERATURE_WEIGHT × its recipe temperature's fit to the temperature used.
 * Measured 2026-12-04 and not adopted: leave-genus-out top-1, top-10 and archaea top-10 unchanged
 * (48.7 / 71.1 / 32.1 %; top-5 65.8 → 67.1 %).
 */
export const RECIPE_TEMPERATURE_RULE = false;
/**
 * Weight of the recipe CVAE's likelihood term (cvaeRankTerm: 10 / (10 + rank of log p(m | c))) in
 * the ranking score. Set a priori (the condition term's weight) and adopted by `eval media
 * --cvae`'s rule only if it helps; 0 = the likelihood is a reason only (see CVAE_WEIGHT_ADOPTED).
 */
export const CVAE_WEIGHT_A_PRIORI = 2;
/**
 * The weight the product uses: eval media --cvae's decision. 0 = shown as a reason only: at the
 * a-priori weight 2 the term gave top-1 43.4 % (from 44.7 %), top-10 67.1 % (from 71.1 %) and
 * archaea top-10 21.4 % (from 32.1 %) over the 76 genomes.
 */
export const CVAE_WEIGHT = 0;
/** With a CVAE weight > 0, media this high in the likelihood ranking join the candidates even without other evidence. */
export const CVAE_CANDIDATES = 30;

/**
 * The starting weights of the evidence score (set by hand, a priori), the shortlist score, and the
 * ranking score when no tuned weights are shipped (growth-model.default.json evidenceWeights).
 */
export const FALLBACK_WEIGHTS: Partial<Record<(typeof BASE_FEATURES)[number], number>> = {
  neighbor: 6,
  genus: 4,
  recipe: 3,
  condition_recipe: 2,
  condition: 2,
  traits: 0.5,
  popularity: 0.3,
  domain_share: 0.5,
  no_recipe: -0.5,
};

interface GenusEvidence {
  strains: number;
  domain: string | null;
  /** medium → strains of the genus grown on it. */
  media: Map<string, number>;
  /** media of taxon_media rows of the genus's taxa, and (rule 18) the media named for the genus. */
  taxon: Set<string>;
  /** Of `taxon`, the media there only because MediaDive names them for the genus (medium-name-genera.ts). */
  named: Set<string>;
}

interface StrainRow {
  strainId: number;
  genus: string | null;
  domain: string | null;
  mediumId: string;
}

interface ConditionRow extends Conditions {
  strainId: number;
  genus: string | null;
  domain: string | null;
  mediumId: string;
}

export interface RecommendContext {
  modelId: string | null;
  /** Genomes with a profile and known media or lab outcomes (the neighbour candidates). */
  genomes: LinkedGenome[];
  /** genome → medium → latest lab outcome (true = grew). */
  labOutcomes: Map<number, Map<string, boolean>>;
  matrix: MediaMatrix;
  traits: MediumTraits[];
  mediumIndex: Map<string, number>;
  genusEvidence: Map<string, GenusEvidence>;
  strains: StrainRow[];
  conditionRows: ConditionRow[];
  phenotypeModel: PhenotypeModel | null;
  /** Protein features stored in the snapshot for its labelled genomes (phenotype-stored-features.ts), by genome id: a database genome's query gets them. */
  storedProtein: Map<number, Float32Array>;
  /** DNA-only phenotype model, used when the query has no usable protein features (null = none). */
  dnaPhenotypeModel: PhenotypeModel | null;
  growthModel: GrowthModel | null;
  /** Sparse recipe weights per medium (indices, weights, Σ weights), for the Jaccard. */
  recipe: { idx: Uint16Array; w: Float32Array; sum: number }[];
  jaccardCache: Map<number, Float32Array>;
  /** Tuned weights of the evidence score (BASE_FEATURES order), from the shipped growth model file; null = FALLBACK_WEIGHTS. */
  evidenceWeights: number[] | null;
  /** BacDive growth conditions of each linked genome's strains (genome_strain_links), for condition-aware neighbours. */
  genomeConditions: Map<number, Conditions>;
  /** Labelled genomes and records without known media that name a genus with BacDive evidence (the genus route; media-ranking.ts). */
  carriers: GenusCarrier[];
  /** Bacteria and archaea with stored protein features: the training genomes of the domain classifier (a query without an rRNA call). */
  domainSamples: DomainSample[];
  /** Domain classifiers by the genera left out of their training ('' = none; domainClassifierFor). */
  domainClassifiers: Map<string, DomainClassifier | null>;
  /** The 16S reference that places a query among BacDive genera by its rRNA (ssu-reference.ts); null = none. */
  ssuReference: SsuReference | null;
  /** Every BacDive strain with an oxygen label or a pH, by genus (rule 13; genus-conditions.ts). */
  genusStrains: Map<string, GenusStrain[]>;
  /**
   * The genus route's curves (genus-route-calibration.ts): the shipped ones when they were fitted on
   * the context's genome VAE; null = another model is active, so the latent curve is fitted on this
   * database at the first ranking that needs it (genusCalibrationOf).
   */
  genusCalibration: GenusRouteCalibration | null;
}

const lower = (v: unknown) => (v === null || v === undefined ? null : String(v).toLowerCase());

/** The bundled phenotype model (needs protein features). */
export function bundledPhenotypeModel(): PhenotypeModel {
  return parsePhenotypeModel(JSON.stringify(defaultPhenotypeJson), 'bundled phenotype model');
}

/**
 * The bundled DNA-only phenotype model (GC + 1–3-mer CLR; `mediaforge phenotype train --dna-only`):
 * the fallback for a query without usable protein features (too short for gene calling).
 */
export function bundledDnaPhenotypeModel(): PhenotypeModel {
  return parsePhenotypeModel(JSON.stringify(dnaPhenotypeJson), 'bundled DNA-only phenotype model');
}

/** The query's protein features: its own when usable, else those stored in the snapshot for a database genome (`stored`); null when neither. */
function proteinOfQuery(ctx: Partial<Pick<RecommendContext, 'storedProtein'>>, query: GenomeQuery): { protein: Float32Array | null; stored: boolean } {
  if (usableProtein(query.protein)) return { protein: query.protein, stored: false };
  const stored = query.genomeId != null ? ctx.storedProtein?.get(query.genomeId) : undefined;
  return { protein: stored ?? null, stored: !!stored };
}

/** The bundled growth predictor, or null when the shipped file holds none. */
let bundledCalibration: GenusCalibrationFile | null = null;
/** The genus-route calibration shipped with MediaForge (genus-route-calibration.default.json). */
export function bundledGenusCalibration(): GenusCalibrationFile {
  return (bundledCalibration ??= parseGenusCalibration(defaultGenusCalibrationJson, 'bundled genus-route calibration'));
}

/** The embedded, labelled genomes and records of a context that name a genus with BacDive evidence: the latent curve's population. */
export function genusCalibrationRecords(ctx: Pick<RecommendContext, 'genomes' | 'carriers'>): LatentRecord[] {
  return [...ctx.genomes.flatMap((g) => (g.latent && g.genus ? [{ genus: g.genus, latent: g.latent, domainCall: g.domainCall }] : [])), ...ctx.carriers];
}

/** The latent curve's pairs of a context: each embedded, labelled record against its GENUS_NEIGHBORS nearest records of other genera. */
export function contextLatentPairs(ctx: Pick<RecommendContext, 'genomes' | 'carriers' | 'genusEvidence'>): CalibrationPair[] {
  return latentCalibrationPairs(genusCalibrationRecords(ctx), ctx.genusEvidence, GENUS_NEIGHBORS);
}

/** Both curves' pairs of a context: its latent pairs and its 16S reference's pairs (slow the first time, then remembered). */
export function contextCalibrationPairs(ctx: Pick<RecommendContext, 'genomes' | 'carriers' | 'genusEvidence' | 'ssuReference'>): GenusCalibrationPairs {
  return genusCalibrationPairs({ records: genusCalibrationRecords(ctx), evidence: ctx.genusEvidence, ssuReference: ctx.ssuReference, neighbors: GENUS_NEIGHBORS });
}

/** The calibration file of a database (`mediaforge db genus-calibration`): both curves fitted on its records, its active genome VAE and the bundled 16S reference. */
export function fitGenusCalibrationFile(db: Database, name: string): GenusCalibrationFile {
  const ctx = buildRecommendContext(db, { phenotypeModel: null, growthModel: null, genusCalibration: null });
  if (!ctx.modelId) throw new AppError('DATA_INVALID', `${name}: no active genome VAE, so no latent similarities to calibrate`, 'give a database with a genome VAE (mediaforge db build bundles one)');
  const pairs = contextCalibrationPairs(ctx);
  if (!pairs.latent.length) throw new AppError('DATA_INVALID', `${name}: no embedded genome or record names a genus with BacDive media`, 'give a database with linked genomes (mediaforge db build)');
  return {
    format: GENUS_CALIBRATION_FORMAT,
    version: 1,
    modelId: ctx.modelId,
    ...fitGenusCalibration(pairs),
    note: `fitted by \`mediaforge db genus-calibration\` on ${name}: E[media overlap | latent similarity] over its embedded, labelled genomes and records (each against its ${GENUS_NEIGHBORS} nearest records of other genera) and E[media overlap | 16S identity] over the bundled 16S reference (${ctx.ssuReference?.source ?? 'none'}); weighted logistic regression`,
  };
}

const FITTED_CALIBRATIONS = new WeakMap<RecommendContext, GenusRouteCalibration>();

/** Rule 19: recipe temperatures by the genera and strains left out of their training (see recipeTemperaturesOf). */
const RECIPE_TEMPERATURES = new WeakMap<RecommendContext, Map<string, Float64Array>>();

/** Rule 19: every medium's recipe temperature, fitted on the context's strains less the excluded genera and strains (cached per context and exclusion). */
export function recipeTemperaturesOf(ctx: Pick<RecommendContext, 'recipe' | 'matrix' | 'conditionRows' | 'mediumIndex'>, excludedGenera: ReadonlySet<string>, dropStrains: ReadonlySet<number>): Float64Array {
  let byKey = RECIPE_TEMPERATURES.get(ctx as RecommendContext);
  if (!byKey) RECIPE_TEMPERATURES.set(ctx as RecommendContext, (byKey = new Map()));
  const key = `${[...excludedGenera].sort().join(',')}|${[...dropStrains].sort((a, b) => a - b).join(',')}`;
  let t = byKey.get(key);
  if (!t) {
    const strains: MediumTemperature[] = [];
    for (const r of ctx.conditionRows) {
      if (r.temperatureC === null || (r.genus && excludedGenera.has(r.genus)) || dropStrains.has(r.strainId)) continue;
      const i = ctx.mediumIndex.get(r.mediumId);
      if (i !== undefined) strains.push({ medium: i, temperatureC: r.temperatureC });
    }
    t = fitRecipeTemperatures(ctx.recipe, ctx.matrix.hasComposition, strains);
    byKey.set(key, t);
  }
  return t;
}
/**
 * The context's genus-route curves: the shipped ones, or (another genome VAE active) the shipped
 * 16S curve and a latent curve fitted on this database once (a few seconds).
 */
export function genusCalibrationOf(ctx: RecommendContext): GenusRouteCalibration {
  if (ctx.genusCalibration) return ctx.genusCalibration;
  let c = FITTED_CALIBRATIONS.get(ctx);
  if (!c) {
    c = { latent: fitOverlapCurve(contextLatentPairs(ctx)), ssu: bundledGenusCalibration().ssu };
    FITTED_CALIBRATIONS.set(ctx, c);
  }
  return c;
}

export function bundledGrowthModel(): GrowthModel | null {
  const j = defaultGrowthModelJson as unknown as { format?: string };
  if (!j || !j.format) return null;
  const m = parseGrowthModel(j, 'bundled growth model');
  // Its columns must be this version's (a stale file would score shifted columns).
  if (JSON.stringify(m.features) !== JSON.stringify(GROWTH_FEATURES)) {
    throw new AppError('DATA_INVALID', `bundled growth model ${m.id}: its features are not GROWTH_FEATURES`, 'retrain it: mediaforge eval media --growth-model-out src/media/growth-model.default.json');
  }
  return m;
}

function loadLab(db: Database): Map<number, Map<string, boolean>> {
  const out = new Map<number, Map<string, boolean>>();
  let rows: unknown[][] = [];
  try {
    rows = db.exec('SELECT genome_id, medium_id, grew FROM lab_outcomes ORDER BY tested_on, recorded_at, id')[0]?.values ?? [];
  } catch {
    rows = []; // a database before schema 4 has no lab outcomes
  }
  for (const [g, m, grew] of rows) {
    const map = out.get(Number(g)) ?? new Map<string, boolean>();
    map.set(String(m), Number(grew) === 1); // the latest outcome counts
    out.set(Number(g), map);
  }
  return out;
}

function recipeWeights(m: MediaMatrix): RecommendContext['recipe'] {
  const V = m.vocab.length;
  const skip = gellingMask(m.vocab);
  return m.mediumIds.map((_, i) => {
    const idx: number[] = [];
    const w: number[] = [];
    if (m.hasComposition[i]) {
      for (let j = 0; j < V; j++) {
        if (skip[j] || !m.present[i * V + j]) continue;
        idx.push(j);
        w.push(Math.max(m.amount[i * V + j], PRESENCE_WEIGHT));
      }
    }
    return { idx: Uint16Array.from(idx), w: Float32Array.from(w), sum: w.reduce((a, b) => a + b, 0) };
  });
}

/** Everything the ranking needs from the database, built once (the worker caches it). */
export function buildRecommendContext(
  db: Database,
  options: { phenotypeModel?: PhenotypeModel | null; dnaPhenotypeModel?: PhenotypeModel | null; growthModel?: GrowthModel | null; ssuReference?: SsuReference | null; genusCalibration?: GenusRouteCalibration | null; mediumNames?: boolean } = {},
): RecommendContext {
  const modelId = getActiveModelId(db);
  const labOutcomes = loadLab(db);
  const vectors = { emb: modelId ? loadEmbeddings(db, modelId) : null, calls: loadDomainCalls(db) };
  const genomes = loadLinkedGenomes(db, modelId, { include: new Set(labOutcomes.keys()), ...vectors });
  const matrix = buildMediaMatrix(db);
  const mediumIndex = new Map(matrix.mediumIds.map((m, i) => [m, i]));
  const strains: StrainRow[] = [];
  const genusEvidence = new Map<string, GenusEvidence>();
  const ev = (g: string) => {
    let e = genusEvidence.get(g);
    if (!e) genusEvidence.set(g, (e = { strains: 0, domain: null, media: new Map(), taxon: new Set(), named: new Set() }));
    return e;
  };
  const strainCount = new Map<string, Set<number>>();
  for (const [sid, sp, d, m] of db.exec("SELECT s.id, s.species, s.domain, sg.medium_id FROM strain_growth sg JOIN strains s ON s.id = sg.strain_id WHERE sg.growth = 'yes'")[0]?.values ?? []) {
    const genus = genusOf(sp === null ? null : String(sp));
    const row = { strainId: Number(sid), genus, domain: lower(d), mediumId: String(m) };
    strains.push(row);
    if (!genus) continue;
    const e = ev(genus);
    e.domain = e.domain ?? row.domain;
    e.media.set(row.mediumId, (e.media.get(row.mediumId) ?? 0) + 1);
    const set = strainCount.get(genus) ?? new Set<number>();
    set.add(Number(sid));
    strainCount.set(genus, set);
  }
  for (const [g, set] of strainCount) ev(g).strains = set.size;
  // taxon_media: an NCBI taxon's genus is that of the BacDive strains carrying the taxon id.
  for (const [sp, d, m] of db.exec('SELECT DISTINCT s.species, s.domain, tm.medium_id FROM taxon_media tm JOIN strains s ON s.ncbi_taxid = tm.ncbi_taxid')[0]?.values ?? []) {
    const genus = genusOf(sp === null ? null : String(sp));
    if (!genus) continue;
    const e = ev(genus);
    e.domain = e.domain ?? lower(d);
    e.taxon.add(String(m));
  }
  // Rule 18: a medium named for a BacDive genus counts as a taxon record of it (one medium per
  // strain in the snapshot: a genus's named media are often linked to none of its strains).
  if (options.mediumNames ?? MEDIUM_NAME_GENERA) {
    const genera = new Set<string>();
    for (const [sp] of db.exec('SELECT DISTINCT species FROM strains WHERE species IS NOT NULL')[0]?.values ?? []) {
      const g = genusOf(String(sp));
      if (g) genera.add(g);
    }
    for (const [g, ids] of mediaNamedForGenera(matrix.mediumIds.map((id, i) => ({ id, name: matrix.names[i] })), genera)) {
      const e = ev(g);
      for (const m of ids) {
        if (e.taxon.has(m) || e.media.has(m)) continue;
        e.taxon.add(m);
        e.named.add(m);
      }
    }
  }
  const byStrain = strainConditions(db);
  const genomeConds = new Map<number, Conditions>();
  for (const g of genomes) {
    const c = genomeConditions(db, g.genomeId, byStrain);
    if (c) genomeConds.set(g.genomeId, c);
  }
  const strainDomain = new Map((db.exec('SELECT id, domain FROM strains')[0]?.values ?? []).map(([i, d]) => [Number(i), lower(d)]));
  const conditionRows = loadStrainMediumConditions(db, byStrain).map((r) => ({ ...r, domain: strainDomain.get(r.strainId) ?? null }));
  const growthModel = options.growthModel === undefined ? bundledGrowthModel() : options.growthModel;
  const carriers = loadGenusCarriers(db, modelId, (g) => genusEvidence.has(g), new Set(genomes.map((g) => g.genomeId)), vectors);
  const storedProtein = storedProteinByGenome(db);
  const built = {
    modelId,
    genomes,
    labOutcomes,
    matrix,
    traits: mediumTraits(matrix),
    mediumIndex,
    genusEvidence,
    strains,
    conditionRows,
    phenotypeModel: options.phenotypeModel === undefined ? bundledPhenotypeModel() : options.phenotypeModel,
    storedProtein,
    dnaPhenotypeModel: options.dnaPhenotypeModel === undefined ? (options.phenotypeModel === undefined ? bundledDnaPhenotypeModel() : null) : options.dnaPhenotypeModel,
    growthModel,
    recipe: recipeWeights(matrix),
    jaccardCache: new Map(),
    genomeConditions: genomeConds,
    carriers,
    domainSamples: loadDomainSamples(db, storedProtein),
    domainClassifiers: new Map(),
    ssuReference: options.ssuReference === undefined ? bundledSsuReference() : options.ssuReference,
    genusStrains: genusStrainConditions(db, byStrain),
    genusCalibration: options.genusCalibration !== undefined ? options.genusCalibration : bundledGenusCalibration().modelId === modelId ? bundledGenusCalibration() : null,
    evidenceWeights: growthModel?.evidenceWeights?.length === BASE_FEATURES.length ? growthModel.evidenceWeights : null,
  };
  return built;
}

/** A genus's BacDive evidence without some strains (evaluation: a new isolate of a known genus). */
function genusEvidenceWithout(ctx: RecommendContext, genus: string, drop: ReadonlySet<number>): GenusEvidence {
  const e = ctx.genusEvidence.get(genus)!;
  if (!drop.size) return e;
  const gone = ctx.strains.filter((s) => s.genus === genus && drop.has(s.strainId));
  if (!gone.length) return e;
  const media = new Map(e.media);
  for (const s of gone) {
    const c = (media.get(s.mediumId) ?? 0) - 1;
    if (c > 0) media.set(s.mediumId, c);
    else media.delete(s.mediumId);
  }
  return { ...e, strains: e.strains - new Set(gone.map((s) => s.strainId)).size, media };
}

/** The genera and their synonyms (GENUS_SYNONYMS), in the database's spelling. */
export function withSynonyms(genera: ReadonlySet<string>): Set<string> {
  const out = new Set(genera);
  for (const g of genera) for (const v of genusVariants(g)) out.add(v.charAt(0).toUpperCase() + v.slice(1));
  return out;
}

/** The database's bacteria and archaea with stored protein features, with their domain and genus. */
export function loadDomainSamples(db: Database, storedProtein: Map<number, Float32Array>): DomainSample[] {
  const out: DomainSample[] = [];
  if (!storedProtein.size) return out;
  for (const [id, name, species, type] of db.exec("SELECT id, name, species, organism_type FROM genomes WHERE organism_type IN ('bacteria', 'archaea') ORDER BY id")[0]?.values ?? []) {
    const protein = storedProtein.get(Number(id));
    if (protein) out.push({ protein, archaea: type === 'archaea', genus: genusOf(species === null ? null : String(species)), name: String(name) });
  }
  return out;
}

/** The domain classifier trained without the given genera (evaluation leaves the query's genus out), cached; null = too few genomes, or a context without them. */
export function domainClassifierFor(ctx: Partial<Pick<RecommendContext, 'domainSamples' | 'domainClassifiers'>>, excluded: ReadonlySet<string>): DomainClassifier | null {
  const { domainSamples: samples, domainClassifiers: cache } = ctx;
  if (!samples || !cache) return null;
  const key = [...excluded].sort().join('\u0000');
  if (!cache.has(key)) cache.set(key, trainDomainClassifier(samples.filter((s) => !s.genus || !excluded.has(s.genus))));
  return cache.get(key)!;
}

/** Re-reads lab_outcomes (after the user records one) and the genomes they make neighbours of. */
export function refreshLabOutcomes(ctx: RecommendContext, db: Database): void {
  ctx.labOutcomes = loadLab(db);
  ctx.genomes = loadLinkedGenomes(db, ctx.modelId, { include: new Set(ctx.labOutcomes.keys()) });
  const byStrain = strainConditions(db);
  for (const g of ctx.genomes) {
    if (ctx.genomeConditions.has(g.genomeId)) continue;
    const c = genomeConditions(db, g.genomeId, byStrain);
    if (c) ctx.genomeConditions.set(g.genomeId, c);
  }
}

/** Weighted ingredient Jaccard of medium i against every medium (cached per i). */
export function jaccardRow(ctx: RecommendContext, i: number): Float32Array {
  let row = ctx.jaccardCache.get(i);
  if (row) return row;
  const n = ctx.matrix.mediumIds.length;
  row = new Float32Array(n);
  const a = ctx.recipe[i];
  if (a.sum > 0) {
    const dense = new Float32Array(ctx.matrix.vocab.length);
    a.idx.forEach((j, k) => (dense[j] = a.w[k]));
    for (let t = 0; t < n; t++) {
      const b = ctx.recipe[t];
      if (!b.sum) continue;
      let common = 0;
      for (let k = 0; k < b.idx.length; k++) {
        const x = dense[b.idx[k]];
        if (x) common += x < b.w[k] ? x : b.w[k];
      }
      row[t] = common / (a.sum + b.sum - common);
    }
  }
  ctx.jaccardCache.set(i, row);
  return row;
}

/**
 * The conditions a phenotype prediction gives the rankers. A regression target that was no better
 * than the training mean in the model's own leave-genus-out CV (salinity and pH in the bundled
 * model) is treated as unknown, not as the mean: matching media to the mean salinity only
 * penalises media without salt. The salt-in proteome rule (halophiles) always counts.
 */
export { GROWTH_TEMPERATURE_RANGE_C };

export function conditionsFromPrediction(model: PhenotypeModel, p: PhenotypePrediction): GrowthConditions {
  const useful = (t: 'temperatureC' | 'salinityPct' | 'pH') => {
    const m = model.targets[t];
    return !!m && m.subset !== 'mean' && m.cv.mse < m.cv.baselineMse;
  };
  const salt = p.salinityPct && (p.salinityPct.halophile || useful('salinityPct')) ? p.salinityPct.value : null;
  return {
    temperatureC:
      p.temperatureC && useful('temperatureC') && p.temperatureC.value >= GROWTH_TEMPERATURE_RANGE_C[0] && p.temperatureC.value <= GROWTH_TEMPERATURE_RANGE_C[1] ? p.temperatureC.value : null,
    oxygenTolerant: p.oxygen?.tolerant ?? null,
    salinityPct: salt,
    ph: p.pH && useful('pH') ? p.pH.value : null,
  };
}

const EMPTY_CONDITIONS: GrowthConditions = { temperatureC: null, oxygenTolerant: null, salinityPct: null, ph: null };

/** Growth conditions predicted from the genome (phenotype model), as JSON and as the rankers use them. */
/** Fewer training genomes of one oxygen class than this within a domain, and the model's oxygen call there is flagged. */
export const OXYGEN_CLASS_MIN_GENOMES = 3;

/**
 * What the oxygen call is worth within the query's domain: null when the model's training genomes
 * of that domain hold at least OXYGEN_CLASS_MIN_GENOMES of each class (or the model does not say).
 * The bundled model's bacteria are all O2-tolerant, so it cannot call a bacterium anaerobic.
 */
export function oxygenCaveat(model: PhenotypeModel, domain: string | null): string | null {
  const c = domain ? model.oxygen?.tolerant.cv.byDomain?.[domain] : undefined;
  if (!c) return null;
  const n = c.tolerant + c.intolerant;
  const minority = c.intolerant <= c.tolerant ? { k: c.intolerant, what: 'anaerobic' } : { k: c.tolerant, what: 'O2-tolerant' };
  if (minority.k >= OXYGEN_CLASS_MIN_GENOMES) return null;
  const one = domain === 'bacteria' ? 'bacterium' : domain === 'archaea' ? 'archaeon' : 'genome';
  const advice = "check what the BacDive strains of its 16S genus say (genus_conditions), or give the oxygen you know";
  return minority.k === 0
    ? `none of the ${n} ${domain} the phenotype model was trained on is ${minority.what}, so it cannot call a${one === 'archaeon' ? 'n' : ''} ${one} ${minority.what}: within ${domain} its call is the domain's majority, not a prediction; ${advice}`
    : `only ${minority.k} of the ${n} ${domain} the phenotype model was trained on ${minority.k === 1 ? 'is' : 'are'} ${minority.what}: within ${domain} its call is little more than the domain's majority; ${advice}`;
}

export function predictConditions(ctx: Pick<RecommendContext, 'phenotypeModel'> & Partial<Pick<RecommendContext, 'dnaPhenotypeModel' | 'storedProtein' | 'domainSamples' | 'domainClassifiers' | 'ssuReference' | 'genusStrains'>>, query: GenomeQuery): { json: PredictedConditionsJson; conditions: GrowthConditions } {
  let m = ctx.phenotypeModel;
  const notes: string[] = [];
  const own = proteinOfQuery(ctx, query);
  let protein = own.protein;
  if (own.stored) notes.push('protein features of this database genome: stored in the snapshot');
  if (m && m.featureSet === 'dna+protein' && !usableProtein(protein)) {
    protein = null;
    if (ctx.dnaPhenotypeModel) {
      // DNA-only fallback: a sequence too short for gene calling (or a database genome without stored protein features).
      notes.push(
        `no usable protein features (${query.protein ? 'too few genes found' : 'none for this query'}): growth conditions from the DNA-only phenotype model ${ctx.dnaPhenotypeModel.id} (GC and 1–3-mer composition), less accurate than the protein model ${m.id}`,
      );
      m = ctx.dnaPhenotypeModel;
    }
  }
  // The proteome's domain (bacteria or archaea), from the query's own protein features or those stored for a database genome.
  const classifier = domainClassifierFor(ctx, new Set());
  const proteomeCall = classifier ? classifyDomain(classifier, protein) : null;
  const proteome_domain = proteomeCall?.domain ?? null;
  const none = (model: string) => ({
    json: { temperature_c: null, oxygen: null, salinity_pct: null, ph: null, domain: query.domainCall, proteome_domain, model, notes },
    conditions: { ...EMPTY_CONDITIONS },
  });
  if (!m) {
    notes.push('no phenotype model: growth conditions unknown (give them with --temperature, --salinity, --ph, --anaerobic/--aerobic)');
    return none('none');
  }
  if (m.featureSet === 'dna+protein' && !protein) {
    notes.push(`phenotype model ${m.id} needs protein features, which this query lacks: growth conditions unknown (profile with protein features, or give the conditions)`);
    return none(m.id);
  }
  const p = predictPhenotype(m, { counts: query.counts, gcFraction: query.gcFraction, protein: m.featureSet === 'dna+protein' ? protein : null });
  notes.push(...p.notes);
  const r = (x: number, d = 2) => Number(x.toFixed(d));
  const iv = (x: { value: number; low: number; high: number } | null) => (x ? { value: r(x.value), low: r(x.low), high: r(x.high) } : null);
  const json: PredictedConditionsJson = {
    temperature_c: iv(p.temperatureC),
    oxygen: p.oxygen ? { class: p.oxygen.class, p_tolerant: r(p.oxygen.pTolerant, 3), tolerant: p.oxygen.tolerant } : null,
    salinity_pct: p.salinityPct ? { ...iv(p.salinityPct)!, halophile: p.salinityPct.halophile, basis: p.salinityPct.basis } : null,
    ph: iv(p.pH),
    domain: query.domainCall,
    proteome_domain,
    model: m.id,
    notes,
  };
  const caveat = oxygenCaveat(m, query.domainCall === 'bacteria' || query.domainCall === 'archaea' ? query.domainCall : proteome_domain);
  if (json.oxygen && caveat) {
    json.oxygen.caveat = caveat;
    notes.push(`oxygen: ${caveat}`);
  }
  const conditions = conditionsFromPrediction(m, p);
  if (p.temperatureC && conditions.temperatureC === null && (p.temperatureC.value < GROWTH_TEMPERATURE_RANGE_C[0] || p.temperatureC.value > GROWTH_TEMPERATURE_RANGE_C[1])) {
    notes.push(`predicted growth temperature ${p.temperatureC.value.toFixed(1)} °C is outside any known growth range: left unknown (give it)`);
  }
  if (p.salinityPct && conditions.salinityPct === null) notes.push('salinity: not used for ranking (no better than the training mean)');
  if (p.pH && conditions.ph === null) notes.push('pH: not used for ranking (no better than the training mean)');
  addGenusConditions(ctx, query, json);
  return { json, conditions };
}

/**
 * Rule 13 (measured, not adopted as the ranking's conditions): a genome whose 16S rRNA identifies
 * its genus (≥ GENUS_IDENTITY) is told that genus's oxygen tolerance and pH from its BacDive strains
 * (identifiedGenusConditions) as `genus_conditions` and a note, beside the phenotype model's values,
 * which stay the ones used: the user can take them over (edits). Changes the JSON in place.
 */
function addGenusConditions(ctx: Partial<Pick<RecommendContext, 'ssuReference' | 'genusStrains'>>, query: GenomeQuery, json: PredictedConditionsJson): void {
  if (!ctx.ssuReference || !ctx.genusStrains || !query.ssuRegion) return;
  const g = identifiedGenusConditions(ctx as Pick<RecommendContext, 'genusStrains'>, nearestSsuGenera(ctx.ssuReference, query.ssuRegion), new Set(), new Set());
  if (!g) return;
  const r = (x: number) => Number(x.toFixed(2));
  const oxygen = g.oxygen;
  const ph = g.ph ? { value: r(g.ph.value), low: r(g.ph.low), high: r(g.ph.high), strains: g.ph.strains } : null;
  json.genus_conditions = { genus: g.genus, identity: Number(g.identity.toFixed(4)), oxygen, ph };
  const said = [oxygen ? `${oxygen.agreeing} of ${oxygen.strains} ${oxygen.tolerant ? 'tolerate oxygen' : 'are anaerobes'}` : '', ph ? `median pH ${ph.value} (${ph.low}–${ph.high}, ${ph.strains} strains)` : ''].filter(Boolean).join('; ');
  json.notes.push(`the BacDive strains of ${g.genus}, the genus its 16S rRNA identifies (${(100 * g.identity).toFixed(1)} %): ${said} (shown, not used: give them as conditions to rank with them)`);
}

export interface RecommendOptions {
  /** Media returned (default 10). */
  top?: number;
  /** User edits / counterfactuals: override the predicted conditions (null = unknown). */
  conditions?: Partial<GrowthConditions>;
  /** Evaluation: every genome, strain, taxon and lab outcome of this genus is left out. */
  excludeGenus?: string | null;
  /** Evaluation: more genera to leave out (nested leave-genus-out training of the growth predictor). */
  excludeGenera?: readonly string[];
  /** Evaluation: this genome is never its own neighbour. */
  excludeGenomeId?: number | null;
  /**
   * Evaluation: what excludeGenus / excludeGenera leave out. 'everything' (default): genomes, records,
   * strains, taxon records, condition rows and the 16S reference. 'genomes': genomes and records only,
   * so the genus is one BacDive knows and the genome collection does not (with excludeStrains: a new
   * isolate of it). eval media --genus-in-bacdive.
   */
  excludeScope?: 'everything' | 'genomes';
  /** Evaluation: BacDive strains left out of every strain source (the query's own linked strains). */
  excludeStrains?: ReadonlySet<number>;
  /** Weigh neighbours by how well their strains' conditions match the query's (measured: worse; default off). */
  conditionAwareNeighbors?: boolean;
  /** The growth predictor to use for growth_probability (default: the context's; null = none). */
  growthModel?: GrowthModel | null;
  /**
   * What orders the media: 'evidence' (default), the fixed-weight evidence score (FALLBACK_WEIGHTS),
   * or 'growth-model', the growth predictor's score on the evidence shortlist. Measured by
   * `eval media` (rankers mediaforge and mediaforge-lr): the fixed weights rank better on the
   * shared data, so they are the default and the predictor supplies P(growth).
   */
  rankBy?: 'evidence' | 'growth-model';
  /** Weights of the evidence score (BASE_FEATURES order); default: the context's (tuned, shipped) or FALLBACK_WEIGHTS. */
  evidenceWeights?: readonly number[] | null;
  /** The recipe CVAE's likelihood of every medium for this query (cvae-evidence.ts; computed where the CVAE lives); null = the database has none (said in the notes); undefined = not computed. */
  cvae?: CvaeMediumScores | null;
  /** Weight of its rank term in the score (default CVAE_WEIGHT; 0 = reason only). */
  cvaeWeight?: number;
  /** With a weight: the media this high in the likelihood ranking join the candidates (default CVAE_CANDIDATES; 0 = none). */
  cvaeCandidates?: number;
  /**
   * Without an rRNA call, the domain comes from the proteome classifier, which also stands in for the
   * call in the neighbours' domain agreement ('proteome', the default); 'proteome-domain-only' keeps
   * the neighbours by cosine alone; 'neighbors' takes their majority (what it was before). eval media
   * --no-rrna measures all three.
   */
  domainFallback?: 'proteome' | 'proteome-domain-only' | 'neighbors';
  /**
   * How the query's 16S region (515F–1390R) feeds the genus route: 'calibrated' (the default), the
   * 3 genera nearest by 16S and the genera named by the nearest genomes on one scale, their expected
   * media overlap (`genusCalibration`, else genusCalibrationOf(ctx); genus-route-calibration.ts):
   * the GENUS_K highest, weighted by it (without embeddings: 'identified'); 'identified' (the
   * default until 2026-12-02), a genus whose reference sequence is ≥ GENUS_IDENTITY identical joins
   * first, ahead of the genera named by the nearest genomes, each weighted by its similarity;
   * 'nearest', the 3 genera nearest by 16S replace those (only the ones ≥ GENUS_IDENTITY when the
   * best is); 'replace', the genera ≥ GENUS_IDENTITY (up to 3) replace them, and without one the
   * nearest genomes' genera stay; 'off'. eval media --variants measures them all.
   */
  ssuGenera?: 'identified' | 'nearest' | 'replace' | 'calibrated' | 'off';
  /** The curves of ssuGenera 'calibrated' (evaluation: refitted without the held-out genus); default genusCalibrationOf(ctx). */
  genusCalibration?: GenusRouteCalibration;
  /**
   * Rule 8 (eval media --variants): a pH the conditions leave unknown comes from the genus route's
   * genera, the median pH of each genus's BacDive strains weighed by the route (genusRoutePh).
   */
  genusRoutePh?: boolean;
  /**
   * Rule 13 (rule 9 on all strains; eval media --variants, not adopted): the 16S-identified genus's
   * BacDive strains give the oxygen tolerance (replacing the phenotype model's) and the pH
   * (identifiedGenusConditions); the fields in conditionEdits are the user's and are kept.
   */
  identifiedGenusConditions?: boolean;
  /**
   * Rule 10 (eval media --variants): the oxygen tolerance and pH of the genera nearest by 16S
   * (up to GENUS_K, ≥ FAMILY_IDENTITY), weighed by their expected media overlap
   * (ssuGenusConditions); the fields in conditionEdits are kept.
   */
  ssuGenusConditions?: boolean;
  /**
   * Rule 11 (adopted 2026-12-03; default true, false = before): for an archaeal query with protein
   * features, no salinity and a proteome that is not salt-in (notSaltInArchaeon), a recipe with
   * ≥ EXTREME_SALT_G_PER_L NaCl is a misfit (−1 in the recipe-traits term).
   */
  saltInRule?: boolean;
  /** Rule 12 (adopted 2026-12-03; default true, false = rule 11 alone): the extreme-salt recipes of such an archaeon rank after every other candidate (score − SALT_MISFIT_DEMOTION). */
  saltInDemote?: boolean;
  /** Rule 14 (adopted 2026-12-03; default true, false = NaCl alone): rules 11 and 12 read total salts (MediumTraits.saltsGPerL). */
  saltInTotalSalts?: boolean;
  /**
   * Rule 15 (measured 2026-12-03, not adopted: leave-genus-out top-1 fell by one genome; default off): a medium loses its neighbour evidence (neighbor, kmer_neighbor)
   * when its domain strains with a growth temperature (≥ TEMPERATURE_MISFIT_MIN_STRAINS) all grow
   * more than TEMPERATURE_MISFIT_C from the temperature used.
   */
  temperatureMisfitRule?: boolean;
  /** Rule 19 (default RECIPE_TEMPERATURE_RULE): the score adds the recipe temperature's fit (recipe-temperature.ts). */
  recipeTemperatureRule?: boolean;
  /**
   * Rule 16 (measured 2026-12-03): a query of fewer than COMPOSITION_FLOOR_BP A/C/G/T is ranked
   * without its composition: no neighbour evidence, a genus route of its 16S genera only, and (in
   * recommendMedia) no predicted conditions, only the user's.
   */
  shortQueryRule?: boolean;
  /**
   * Rule 17 (measured 2026-12-03, not adopted: top-1 rose, top-10 fell by one genome; default off): each of the nearest genomes weighs E[media overlap | its latent
   * similarity] / (NEIGHBOR_K · E[overlap | 1]) (the genus route's latent curve) instead of its
   * share of the similarities.
   */
  calibratedNeighbors?: boolean;
  /** The condition fields the user set (edits, counterfactuals): nothing replaces them. */
  conditionEdits?: readonly (keyof GrowthConditions)[];
  /** recommendMedia: this query's predictConditions result, when the caller already has it (it is not predicted again). */
  predicted?: ReturnType<typeof predictConditions>;
}

export interface NeighborEvidence {
  genome: LinkedGenome;
  similarity: number;
}

/** Rule 8: the pH the genus route's genera gave (genusRoutePh). */
export interface RoutePh {
  /** pH, the route-weighted mean of the genera's medians. */
  ph: number;
  /** Each genus that counted: its median strain pH, how many strains had one, its share of the route's weight. */
  genera: { genus: string; ph: number; strains: number; share: number }[];
}

/** Per-medium features and what produced them, for every candidate medium. */
export interface MediumEvidence {
  /** Rule 11 (saltInRule, on by default): the query is an archaeon whose proteome is not salt-in, so recipes for extreme halophiles (extremeSalt) are misfits. */
  notSaltIn: boolean;
  /** Rule 14 (saltInTotalSalts, on by default): rules 11 and 12 read total salts, not NaCl alone. */
  totalSalts: boolean;
  /** The conditions the evidence was matched against (the given ones, with what the rule 8, 9/13 or 10 options filled in). */
  conditions: GrowthConditions;
  /** Rules 9/13 or 10 (identifiedGenusConditions, ssuGenusConditions options): what the 16S genera gave; null otherwise. */
  genusConditions: GenusConditions | null;
  /** Rule 8 (genusRoutePh option): the pH the genus route gave a query without one; null otherwise. */
  routePh: RoutePh | null;
  domain: 'bacteria' | 'archaea' | string;
  domainBasis: string;
  /** What gave the domain: the query's rRNA genes, its predicted proteome, or its nearest genomes. */
  domainSource: DomainSource;
  neighbors: NeighborEvidence[];
  /** The genus route's genera, each with the nearest genome or record that names it, or the 16S reference sequence that placed the query in it. */
  genera: { genus: string; similarity: number; via: { genomeId: number; name: string }; ssu?: SsuGenusMatch; /** ssuGenera 'calibrated': the expected media overlap that weighs it (else the similarity does). */ weight?: number }[];
  /** The genera nearest to the query's 16S region (best first; none without a region or reference). */
  ssuMatches: SsuGenusMatch[];
  /** Candidate medium indices (into ctx.matrix.mediumIds). */
  candidates: number[];
  /** features[c] = BASE_FEATURES values of candidates[c]. */
  features: number[][];
  /** The growth model's rows (expandFeatures of features and the domain). */
  modelRows: number[][];
  /** The first-stage (fixed-weight) score of each candidate, and whether it is on the shortlist. */
  firstStage: number[];
  shortlist: Uint8Array;
  /** Neighbours' 'no growth' outcomes: similarity-weighted share, per medium index. */
  noGrowth: Map<number, number>;
  /** Best recipe source per medium index: the supported medium it resembles. */
  recipeSource: Map<number, { source: number; jaccard: number }>;
  conditionStats: Map<number, { n: number; tN: number; tMin: number | null; tMax: number | null; anaerobic: number; aerobic: number; match: number }>;
  /** Rule 15 (temperatureMisfitRule): media whose neighbour evidence was dropped, their domain strains all growing > TEMPERATURE_MISFIT_C from the temperature used. */
  temperatureMisfits: Set<number>;
}

/**
 * The domain the ranking uses: the query's rRNA call; without one (a draft or MAG whose rRNA genes
 * were not found), the domain classifier on its predicted proteome (domain-classifier.ts), which
 * only tells bacteria from archaea, so it decides only when the nearest genomes' majority is
 * prokaryotic; otherwise (a eukaryote's neighbours, or no usable protein features) that majority.
 */
function domainOfQuery(call: DomainCall, neighbors: NeighborEvidence[], proteome: { domain: string; score: number; trainedOn: DomainClassifier['trainedOn'] } | null): { domain: string; basis: string; source: DomainSource } {
  if (call === 'bacteria' || call === 'archaea') return { domain: call, basis: `rRNA genes of the query (${call})`, source: 'rrna' };
  const votes = new Map<string, number>();
  for (const n of neighbors.slice(0, 5)) votes.set(n.genome.organismType, (votes.get(n.genome.organismType) ?? 0) + 1);
  const best = [...votes].sort((a, b) => b[1] - a[1])[0];
  if (call === 'unknown' && proteome && (!best || best[0] === 'bacteria' || best[0] === 'archaea')) {
    const t = proteome.trainedOn;
    return { domain: proteome.domain, basis: `no rRNA call: the predicted proteome (amino-acid composition classifier trained on ${t.bacteria} bacteria and ${t.archaea} archaea of ${t.genera} genera; score ${proteome.score.toFixed(2)}, > 0 archaea)`, source: 'proteome' };
  }
  // A eukaryote's rRNA call names a domain BacDive has no strains of: the ranking falls back to its neighbours, and says why.
  const why = call === 'eukarya' ? 'rRNA genes of a eukaryote, a domain BacDive has no strains of' : 'no rRNA call';
  return best ? { domain: best[0], basis: `${why}: the majority of the ${Math.min(5, neighbors.length)} nearest genomes (${best[0]})`, source: 'neighbors' } : { domain: 'bacteria', basis: `${why} and no neighbours: bacteria assumed`, source: 'neighbors' };
}

/** The proteome's domain call for a query without an rRNA call (its own protein features, or those stored for a database genome). */
function proteomeDomain(ctx: RecommendContext, query: GenomeQuery, excluded: ReadonlySet<string>): { domain: string; score: number; trainedOn: DomainClassifier['trainedOn'] } | null {
  if (query.domainCall !== 'unknown') return null;
  const { protein } = proteinOfQuery(ctx, query);
  if (!protein) return null;
  const model = domainClassifierFor(ctx, excluded);
  const call = model ? classifyDomain(model, protein) : null;
  return call && model ? { ...call, trainedOn: model.trainedOn } : null;
}

/**
 * The genera left out of the evidence (excludeGenera and excludeGenus), and those left out of its
 * strain-side sources (strains, taxon records, conditions, the 16S reference): none with
 * excludeScope 'genomes'.
 */
function exclusionsOf(options: Pick<RecommendOptions, 'excludeGenus' | 'excludeGenera' | 'excludeScope'>): { excluded: Set<string>; strainExcluded: Set<string> } {
  const excluded = new Set<string>([...(options.excludeGenera ?? []), ...(options.excludeGenus ? [options.excludeGenus] : [])]);
  return { excluded, strainExcluded: options.excludeScope === 'genomes' ? new Set<string>() : excluded };
}

/** The features of every candidate medium for a query (the growth predictor's input). */
export function mediumEvidence(ctx: RecommendContext, query: GenomeQuery, conditions: GrowthConditions, options: Pick<RecommendOptions, 'excludeGenus' | 'excludeGenera' | 'excludeGenomeId' | 'excludeScope' | 'excludeStrains' | 'conditionAwareNeighbors' | 'domainFallback' | 'ssuGenera' | 'genusCalibration' | 'genusRoutePh' | 'identifiedGenusConditions' | 'ssuGenusConditions' | 'saltInRule' | 'saltInTotalSalts' | 'temperatureMisfitRule' | 'shortQueryRule' | 'calibratedNeighbors' | 'conditionEdits'> = {}): MediumEvidence {
  const { excluded, strainExcluded } = exclusionsOf(options);
  const dropStrains = options.excludeStrains ?? new Set<number>();
  const n = ctx.matrix.mediumIds.length;
  const useLatent = !!query.latent && ctx.genomes.some((g) => g.latent);
  let sim: (g: LinkedGenome) => number;
  let latentSim: ReturnType<typeof latentSimilarity> | null = null;
  let unitLatent: Float32Array | null = null;
  if (useLatent) {
    let s = 0;
    for (const x of query.latent!) s += x * x;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    unitLatent = Float32Array.from(query.latent!, (x) => x * inv);
    sim = latentSim = latentSimilarity({ latent: unitLatent, domainCall: query.domainCall });
  } else sim = tetraSimilarity({ tetra: tetraVector(query.counts) });
  const cands = ctx.genomes.filter((g) => g.genomeId !== options.excludeGenomeId && !(g.genus && excluded.has(g.genus)));
  // Condition-aware neighbours (similarity × conditionMatch of the neighbour's strains to the
  // query's conditions) were measured and made things worse (eval media: top-10 67.1 % vs 71.1 %,
  // bacteria top-1 52.1 % vs 60.4 %): off unless options.conditionAwareNeighbors.
  const anyQueryCondition = !!options.conditionAwareNeighbors && (conditions.temperatureC !== null || conditions.oxygenTolerant !== null || conditions.salinityPct !== null || conditions.ph !== null);
  const conditionWeight = (g: LinkedGenome) => {
    const c = anyQueryCondition ? ctx.genomeConditions.get(g.genomeId) : undefined;
    return c ? conditionMatch(c, conditions) : 1;
  };
  const nearest = () => cands.map((genome) => ({ genome, similarity: sim(genome) * conditionWeight(genome) })).sort((a, b) => b.similarity - a.similarity || a.genome.genomeId - b.genome.genomeId).slice(0, Math.max(NEIGHBOR_K, GENUS_NEIGHBORS));
  let neighbors = nearest();
  const { domain, basis, source: domainSource } = domainOfQuery(query.domainCall, neighbors, options.domainFallback === 'neighbors' ? null : proteomeDomain(ctx, query, excluded));
  if (domainSource === 'proteome' && unitLatent && options.domainFallback !== 'proteome-domain-only') {
    // The proteome's domain stands in for the missing rRNA call in the neighbours' domain agreement too.
    sim = latentSim = latentSimilarity({ latent: unitLatent, domainCall: domain as DomainCall });
    neighbors = nearest();
  }

  // Rule 16: a query too short for its composition to count has no neighbours' evidence and names genera by its 16S only.
  const shortQuery = !!options.shortQueryRule && isShortQuery(query);
  if (shortQuery) neighbors = [];
  // neighbor: own media of the 5 nearest genomes (lab outcomes: grew = confidence 1, no growth = −1).
  const nb = new Float64Array(n);
  const noGrowth = new Map<number, number>();
  const top = neighbors.slice(0, NEIGHBOR_K);
  const wsum = top.reduce((a, t) => a + Math.max(0, t.similarity), 0) || 1;
  // Rule 17 (calibratedNeighbors): each neighbour weighs its expected media overlap at its similarity, relative to five at similarity 1.
  const nbCurve = options.calibratedNeighbors && latentSim ? (options.genusCalibration ?? genusCalibrationOf(ctx)).latent : null;
  const nbScale = nbCurve ? NEIGHBOR_K * expectedOverlap(nbCurve, 1) : 1;
  for (const { genome, similarity } of top) {
    const w = nbCurve ? expectedOverlap(nbCurve, similarity) / nbScale : Math.max(0, similarity) / wsum;
    const lab = ctx.labOutcomes.get(genome.genomeId);
    for (const [m, c] of genome.media) {
      const i = ctx.mediumIndex.get(m);
      if (i === undefined || lab?.get(m) === false) continue;
      nb[i] += w * c;
    }
    for (const [m, grew] of lab ?? []) {
      const i = ctx.mediumIndex.get(m);
      if (i === undefined) continue;
      if (grew && !genome.media.has(m)) nb[i] += w;
      if (!grew) noGrowth.set(i, (noGrowth.get(i) ?? 0) + w);
    }
  }
  // kmer_neighbor: the same over the 5 nearest genomes by 4-mer profile (no latent, no rRNA).
  const kmerNb = new Float64Array(n);
  {
    const tsim = tetraSimilarity({ tetra: tetraVector(query.counts) });
    const kTop = shortQuery ? [] : cands.map((genome) => ({ genome, similarity: tsim(genome) })).sort((a, b) => b.similarity - a.similarity || a.genome.genomeId - b.genome.genomeId).slice(0, NEIGHBOR_K);
    const ksum = kTop.reduce((a, t) => a + Math.max(0, t.similarity), 0) || 1;
    for (const { genome, similarity } of kTop) {
      const lab = ctx.labOutcomes.get(genome.genomeId);
      for (const [m, c] of genome.media) {
        const i = ctx.mediumIndex.get(m);
        if (i !== undefined && lab?.get(m) !== false) kmerNb[i] += (Math.max(0, similarity) / ksum) * c;
      }
    }
  }
  // genus: the nearest genera stand for all their BacDive strains and taxon_media rows. Any labelled
  // genome or record of the database names a genus (ctx.carriers: those without known media), not
  // only the genomes with known media.
  const genera: MediumEvidence['genera'] = [];
  const named: { genus: string | null; similarity: number; via: { genomeId: number; name: string } }[] = neighbors.slice(0, GENUS_NEIGHBORS).map((t) => ({ genus: t.genome.genus, similarity: t.similarity, via: t.genome }));
  if (latentSim && !shortQuery) {
    for (const c of ctx.carriers) {
      if (c.genomeId === options.excludeGenomeId || excluded.has(c.genus)) continue;
      named.push({ genus: c.genus, similarity: latentSim(c), via: c });
    }
    named.sort((a, b) => b.similarity - a.similarity || a.via.genomeId - b.via.genomeId);
  }
  // 16S: the genera whose reference 16S is nearest to the query's (a held-out genus's synonyms are
  // left out too, as old names of the same organisms).
  // The calibrated route weighs latent similarities; a context without embeddings keeps the identified genus.
  const ssuMode = options.ssuGenera === 'calibrated' || options.ssuGenera === undefined ? (latentSim ? 'calibrated' : 'identified') : options.ssuGenera;
  // The 16S reference holds bacteria and archaea only: a eukaryote's 18S region (cut by the same primers) is not compared with it.
  const ssuMatches = query.ssuRegion && ctx.ssuReference && query.domainCall !== 'eukarya' ? nearestSsuGenera(ctx.ssuReference, query.ssuRegion, { excluded: withSynonyms(strainExcluded) }).filter((m) => ctx.genusEvidence.has(m.genus)) : [];
  const ssuVia = { genomeId: -1, name: '16S rRNA reference' };
  if (ssuMode === 'calibrated') {
    const cal = options.genusCalibration ?? genusCalibrationOf(ctx);
    const pool: MediumEvidence['genera'] = [];
    for (const m of ssuMatches.slice(0, GENUS_K)) pool.push({ genus: m.genus, similarity: m.identity, via: { ...ssuVia, name: `${m.species} 16S (${m.accession})` }, ssu: m, weight: expectedOverlap(cal.ssu, m.identity) });
    for (const t of named.slice(0, GENUS_NEIGHBORS)) {
      const g = t.genus;
      if (g && !strainExcluded.has(g) && ctx.genusEvidence.has(g)) pool.push({ genus: g, similarity: t.similarity, via: t.via, weight: expectedOverlap(cal.latent, t.similarity) });
    }
    pool.sort((a, b) => b.weight! - a.weight!);
    for (const p of pool) if (genera.length < GENUS_K && !genera.some((x) => x.genus === p.genus)) genera.push(p);
  } else if (ssuMode !== 'off' && ssuMatches.length) {
    const identified = ssuMatches.filter((m) => m.identity >= GENUS_IDENTITY);
    const picks = ssuMode === 'identified' ? identified.slice(0, 1) : ssuMode === 'replace' ? identified.slice(0, GENUS_K) : (identified.length ? identified : ssuMatches).slice(0, GENUS_K);
    for (const m of picks) genera.push({ genus: m.genus, similarity: m.identity, via: { ...ssuVia, name: `${m.species} 16S (${m.accession})` }, ssu: m });
  }
  if (ssuMode !== 'calibrated' && ((ssuMode !== 'nearest' && ssuMode !== 'replace') || !genera.length)) {
    for (const t of named.slice(0, GENUS_NEIGHBORS)) {
      if (genera.length >= GENUS_K) break;
      const g = t.genus;
      if (!g || strainExcluded.has(g) || genera.some((x) => x.genus === g) || !ctx.genusEvidence.has(g)) continue;
      genera.push({ genus: g, similarity: t.similarity, via: t.via });
    }
  }
  const gen = new Float64Array(n);
  const gsum = genera.reduce((a, g) => a + genusRouteWeight(g), 0) || 1;
  for (const g of genera) {
    const e = genusEvidenceWithout(ctx, g.genus, dropStrains);
    const w = genusRouteWeight(g) / gsum;
    const total = e.strains + e.taxon.size;
    if (!total) continue;
    for (const [m, c] of e.media) {
      const i = ctx.mediumIndex.get(m);
      if (i !== undefined) gen[i] += (w * c) / total;
    }
    for (const m of e.taxon) {
      const i = ctx.mediumIndex.get(m);
      if (i !== undefined) gen[i] += w / total;
    }
  }
  // recipe: evidence spreads to media with similar recipes.
  const support = Array.from({ length: n }, (_, i) => i).filter((i) => nb[i] + gen[i] > 0).sort((a, b) => nb[b] + gen[b] - (nb[a] + gen[a]) || a - b).slice(0, RECIPE_SOURCES);
  const rec = new Float64Array(n);
  const recipeSource = new Map<number, { source: number; jaccard: number }>();
  for (const j of support) {
    const e = nb[j] + gen[j];
    const row = jaccardRow(ctx, j);
    for (let i = 0; i < n; i++) {
      if (i === j || !row[i]) continue;
      const v = e * row[i];
      if (v > rec[i]) {
        rec[i] = v;
        recipeSource.set(i, { source: j, jaccard: row[i] });
      }
    }
  }
  // Rule 9: oxygen and pH of the 16S-identified genus (user edits kept).
  const edited = new Set(options.conditionEdits ?? []);
  const genusConditions = options.identifiedGenusConditions
    ? identifiedGenusConditions(ctx, ssuMatches, strainExcluded, dropStrains)
    : options.ssuGenusConditions
      ? ssuGenusConditions(ctx, ssuMatches, strainExcluded, dropStrains, options.genusCalibration ?? genusCalibrationOf(ctx))
      : null;
  if (genusConditions) {
    if (genusConditions.oxygen && !edited.has('oxygenTolerant')) conditions = { ...conditions, oxygenTolerant: genusConditions.oxygen.tolerant };
    if (genusConditions.ph && !edited.has('ph')) conditions = { ...conditions, ph: genusConditions.ph.value };
  }
  // Rule 8: an unknown pH from the genus route's genera.
  const routePh = options.genusRoutePh && conditions.ph === null ? genusRoutePh(ctx, genera, strainExcluded, dropStrains) : null;
  if (routePh) conditions = { ...conditions, ph: routePh.ph };
  // condition: strains of the domain grown on the medium, matched to the conditions.
  const condSum = new Float64Array(n);
  const condN = new Float64Array(n);
  const conditionStats: MediumEvidence['conditionStats'] = new Map();
  const anyCondition = conditions.temperatureC !== null || conditions.oxygenTolerant !== null || conditions.salinityPct !== null || conditions.ph !== null;
  for (const r of ctx.conditionRows) {
    if (r.domain !== domain || (r.genus && strainExcluded.has(r.genus)) || dropStrains.has(r.strainId)) continue;
    const i = ctx.mediumIndex.get(r.mediumId);
    if (i === undefined) continue;
    const k = anyCondition ? conditionMatch(r, conditions) : 0;
    condSum[i] += k;
    condN[i] += 1;
    let st = conditionStats.get(i);
    if (!st) conditionStats.set(i, (st = { n: 0, tN: 0, tMin: null, tMax: null, anaerobic: 0, aerobic: 0, match: 0 }));
    st.n++;
    if (r.temperatureC !== null) {
      st.tN++;
      st.tMin = st.tMin === null ? r.temperatureC : Math.min(st.tMin, r.temperatureC);
      st.tMax = st.tMax === null ? r.temperatureC : Math.max(st.tMax, r.temperatureC);
    }
    if (r.oxygenTolerant === false) st.anaerobic++;
    if (r.oxygenTolerant === true) st.aerobic++;
  }
  // popularity in the domain, and the domain's share of the medium's strains.
  const pop = new Float64Array(n);
  const all = new Float64Array(n);
  for (const s of ctx.strains) {
    if ((s.genus && strainExcluded.has(s.genus)) || dropStrains.has(s.strainId)) continue;
    const i = ctx.mediumIndex.get(s.mediumId);
    if (i === undefined) continue;
    all[i] += 1;
    if (s.domain === domain) pop[i] += 1;
  }
  const cond = new Float64Array(n);
  for (let i = 0; i < n; i++) cond[i] = condN[i] ? condSum[i] / (condN[i] + CONDITION_KERNEL.priorStrains) : 0;
  // condition_share: the kernel estimate of P(m | conditions) over the domain's strains, Σ_{strains on m} K,
  // scaled by its maximum (popular media with condition-matched strains; condition prefers consistent ones).
  let shareMax = 0;
  for (let i = 0; i < n; i++) shareMax = Math.max(shareMax, condSum[i]);
  const share = (i: number) => (anyCondition && shareMax > 0 ? condSum[i] / shareMax : 0);
  // condition_recipe: media whose recipe resembles the media that best match the conditions.
  const condRec = new Float64Array(n);
  if (anyCondition) {
    const srcs = Array.from({ length: n }, (_, i) => i).filter((i) => cond[i] > 0).sort((a, b) => cond[b] - cond[a] || a - b).slice(0, RECIPE_SOURCES);
    for (const j of srcs) {
      const row = jaccardRow(ctx, j);
      for (let i = 0; i < n; i++) {
        if (i === j || !row[i]) continue;
        const v = cond[j] * row[i];
        if (v > condRec[i]) condRec[i] = v;
      }
    }
  }
  // Rule 15: the neighbours' media whose domain strains all grow far from the temperature used get no neighbour evidence.
  const temperatureMisfits = new Set<number>();
  if (options.temperatureMisfitRule && conditions.temperatureC !== null) {
    for (const [i, st] of conditionStats) {
      if ((nb[i] > 0 || kmerNb[i] > 0) && temperatureMisfit(st, conditions.temperatureC)) {
        temperatureMisfits.add(i);
        nb[i] = 0;
        kmerNb[i] = 0;
      }
    }
  }
  // Rule 11: an archaeon that is not salt-in is no extreme halophile.
  const salt = { notSaltIn: options.saltInRule !== false && notSaltInArchaeon(ctx, query, domain, conditions), totalSalts: options.saltInTotalSalts !== false };
  const candidates: number[] = [];
  const features: number[][] = [];
  const maxRec = rec.reduce((a, b) => Math.max(a, b), 0);
  const maxCondRec = condRec.reduce((a, b) => Math.max(a, b), 0);
  for (let i = 0; i < n; i++) {
    if (!(nb[i] > 0 || gen[i] > 0 || rec[i] > 0.05 * maxRec || condRec[i] > 0.5 * maxCondRec || pop[i] > 0 || kmerNb[i] > 0 || noGrowth.has(i))) continue;
    const st = conditionStats.get(i);
    if (st) st.match = cond[i];
    candidates.push(i);
    features.push([nb[i], gen[i], rec[i], condRec[i], cond[i], traitFit(ctx.traits[i], ctx.matrix.hasComposition[i] === 1, conditions) - (saltMisfit(ctx, salt, i) ? 1 : 0), Math.log1p(pop[i]), all[i] ? pop[i] / all[i] : 0, ctx.matrix.hasComposition[i] ? 0 : 1]);
  }
  // Within-query rank features (the growth predictor learns how far down each evidence list to trust).
  for (const name of RANKED_FEATURES) {
    const j = BASE_FEATURES.indexOf(name);
    const order = features.map((_, c) => c).sort((a, b) => features[b][j] - features[a][j] || a - b);
    const rr = new Float64Array(features.length);
    order.forEach((c, rank) => (rr[c] = features[c][j] > 0 ? 10 / (10 + rank) : 0));
    features.forEach((f, c) => f.push(rr[c]));
  }
  features.forEach((f, c) => f.push(share(candidates[c]), kmerNb[candidates[c]]));
  const first = features.map((f) => fallbackScore(f));
  const modelRows = features.map((f) => expandFeatures(f, domain === 'archaea'));
  const order = first.map((_, c) => c).sort((a, b) => first[b] - first[a] || candidates[a] - candidates[b]);
  const shortlist = new Uint8Array(candidates.length);
  for (const c of order.slice(0, SHORTLIST)) shortlist[c] = 1;
  return { domain, domainBasis: basis, domainSource, neighbors, genera, ssuMatches, candidates, features, modelRows, firstStage: first, shortlist, noGrowth, recipeSource, conditionStats, temperatureMisfits, routePh, genusConditions, conditions, ...salt };
}

/** Rule 16: fewer than COMPOSITION_FLOOR_BP A/C/G/T bases. */
export function isShortQuery(query: Pick<GenomeQuery, 'counts'>): boolean {
  return acgtBasesOf(query.counts) < COMPOSITION_FLOOR_BP;
}

/** Rule 15: how far (°C) outside the growth temperatures of a medium's domain strains the temperature used may lie. */
export const TEMPERATURE_MISFIT_C = 20;
/** Rule 15: the strains with a growth temperature a medium needs for the rule to judge it. */
export const TEMPERATURE_MISFIT_MIN_STRAINS = 2;

/** Rule 15: ≥ TEMPERATURE_MISFIT_MIN_STRAINS strains with a temperature, and `t` more than TEMPERATURE_MISFIT_C outside their range. */
export function temperatureMisfit(st: { tN: number; tMin: number | null; tMax: number | null }, t: number): boolean {
  return st.tN >= TEMPERATURE_MISFIT_MIN_STRAINS && st.tMin !== null && st.tMax !== null && (t < st.tMin - TEMPERATURE_MISFIT_C || t > st.tMax + TEMPERATURE_MISFIT_C);
}

/** Rule 9 / 10: what the BacDive strains of the 16S-identified genus (rule 9) or of the genera nearest by 16S (rule 10) say. */
export interface GenusConditions {
  /** The genus (rule 10: the nearest of those that counted). */
  genus: string;
  identity: number;
  /** Rule 10: each genus that counted, with its 16S identity and weight. */
  genera?: { genus: string; identity: number; weight: number }[];
  oxygen: { tolerant: boolean; strains: number; agreeing: number; class?: OxygenClass } | null;
  ph: { value: number; strains: number; low?: number; high?: number } | null;
}

/**
 * Rules 9 and 13: the oxygen tolerance (majority of ≥ GENUS_CONDITION_MIN_STRAINS labelled strains,
 * ≥ 2/3 agreeing) and pH (median) of all BacDive strains with conditions of the genus the query's
 * 16S region identifies (≥ GENUS_IDENTITY; genus-conditions.ts); the excluded genera and strains
 * are left out. Null without an identified genus or with neither label.
 */
export function identifiedGenusConditions(ctx: Pick<RecommendContext, 'genusStrains'>, ssuMatches: readonly SsuGenusMatch[], excluded: ReadonlySet<string>, dropStrains: ReadonlySet<number>): (GenusConditions & GenusConditionEstimate) | null {
  const best = ssuMatches[0];
  if (!best || best.identity < GENUS_IDENTITY || excluded.has(best.genus)) return null;
  const { oxygen, ph } = estimateGenusConditions(ctx.genusStrains.get(best.genus) ?? [], dropStrains);
  return oxygen || ph ? { genus: best.genus, identity: best.identity, oxygen, ph } : null;
}

/** The BacDive strains with conditions of each wanted genus (one row per strain; the dropped strains left out). */
function conditionStrainsByGenus(ctx: RecommendContext, wanted: ReadonlySet<string>, dropStrains: ReadonlySet<number>): Map<string, StrainConditionRow[]> {
  const rows = new Map<string, Map<number, StrainConditionRow>>();
  for (const r of ctx.conditionRows) {
    if (!r.genus || !wanted.has(r.genus) || dropStrains.has(r.strainId)) continue;
    let m = rows.get(r.genus);
    if (!m) rows.set(r.genus, (m = new Map()));
    m.set(r.strainId, r);
  }
  return new Map([...rows].map(([g, m]) => [g, [...m.values()]]));
}

const phsOf = (strains: readonly StrainConditionRow[]) => strains.map((r) => r.ph).filter((x): x is number => x !== null);
const oxygenOf = (strains: readonly StrainConditionRow[]) => strains.map((r) => r.oxygenTolerant).filter((o): o is boolean => o !== null);

/** Rule 11: NaCl of a recipe for extreme halophiles, g/L (the halophile rule's lower bound, 15 % w/v). */
export const EXTREME_SALT_G_PER_L = 10 * HALOPHILE_RULE.salinityPct.low;

/** Rules 11, 12 (and 14 with totalSalts): a recipe for extreme halophiles. */
export function extremeSalt(t: MediumTraits, totalSalts = false): boolean {
  return (totalSalts ? t.saltsGPerL : t.naclGPerL) >= EXTREME_SALT_G_PER_L;
}

/** Rules 11, 12, 14: medium i is a recipe for extreme halophiles and the query is an archaeon that is not salt-in. */
function saltMisfit(ctx: RecommendContext, ev: Pick<MediumEvidence, 'notSaltIn' | 'totalSalts'>, i: number): boolean {
  return ev.notSaltIn && ctx.matrix.hasComposition[i] === 1 && extremeSalt(ctx.traits[i], ev.totalSalts);
}

/**
 * Rule 11: the query is of the archaeal domain, has protein features, no salinity is given, and its
 * proteome is not salt-in (the halophile rule's thresholds, phenotype-model.ts): extreme halophiles
 * among archaea are salt-in organisms (the haloarchaea; a few methanogens are the exceptions).
 */
export function notSaltInArchaeon(ctx: RecommendContext, query: GenomeQuery, domain: string, conditions: GrowthConditions): boolean {
  if (domain !== 'archaea' || conditions.salinityPct !== null) return false;
  const { protein } = proteinOfQuery(ctx, query);
  if (!protein) return false;
  const ratio = protein[PROTEIN_FEATURE_NAMES.indexOf('acid_base_ratio')];
  const acidic = protein[PROTEIN_FEATURE_NAMES.indexOf('pi_acidic_fraction')];
  if (!Number.isFinite(ratio) || !Number.isFinite(acidic)) return false;
  return !(ratio >= HALOPHILE_RULE.acidBaseRatioMin && acidic >= HALOPHILE_RULE.acidicProteinFractionMin);
}

/** Yarza et al. 2014: the median 16S identity separating families (86.5 %); rule 10's floor. */
export const FAMILY_IDENTITY = 0.865;

/**
 * Rule 10: oxygen tolerance and pH of the query's relatives by 16S, for a query whose genus is not
 * known (or is): the genera nearest by 16S (up to GENUS_K, ≥ FAMILY_IDENTITY; the excluded genera
 * left out), each weighed by the media overlap expected at its identity (the genus route's 16S
 * curve). Oxygen: the weighted mean of each genus's tolerant share (genera with
 * ≥ GENUS_CONDITION_MIN_STRAINS labelled strains), tolerant at ≥ 2/3 and not at ≤ 1/3; pH: the
 * weighted mean of the genera's medians (≥ GENUS_CONDITION_MIN_STRAINS strains), when they carry at
 * least half of the weight.
 */
export function ssuGenusConditions(ctx: RecommendContext, ssuMatches: readonly SsuGenusMatch[], excluded: ReadonlySet<string>, dropStrains: ReadonlySet<number>, cal: GenusRouteCalibration): GenusConditions | null {
  const near = ssuMatches.filter((m) => m.identity >= FAMILY_IDENTITY && !excluded.has(m.genus)).slice(0, GENUS_K);
  if (!near.length) return null;
  const rows = conditionStrainsByGenus(ctx, new Set(near.map((m) => m.genus)), dropStrains);
  let total = 0;
  let oxW = 0;
  let oxSum = 0;
  let oxN = 0;
  let phW = 0;
  let phSum = 0;
  let phN = 0;
  const genera: NonNullable<GenusConditions['genera']> = [];
  for (const m of near) {
    const w = expectedOverlap(cal.ssu, m.identity);
    total += w;
    const strains = rows.get(m.genus) ?? [];
    const ox = oxygenOf(strains);
    const phs = phsOf(strains);
    let counted = false;
    if (ox.length >= GENUS_CONDITION_MIN_STRAINS) {
      oxW += w;
      oxSum += (w * ox.filter(Boolean).length) / ox.length;
      oxN += ox.length;
      counted = true;
    }
    if (phs.length >= GENUS_CONDITION_MIN_STRAINS) {
      phW += w;
      phSum += w * median(phs)!;
      phN += phs.length;
      counted = true;
    }
    if (counted) genera.push({ genus: m.genus, identity: m.identity, weight: w });
  }
  const share = oxW > 0 ? oxSum / oxW : NaN;
  const oxygen = oxW > 0 && (share >= GENUS_OXYGEN_AGREEMENT || share <= 1 - GENUS_OXYGEN_AGREEMENT) ? { tolerant: share >= GENUS_OXYGEN_AGREEMENT, strains: oxN, agreeing: Math.round(oxN * (share >= 0.5 ? share : 1 - share)) } : null;
  const ph = phW > 0 && phW >= total / 2 ? { value: phSum / phW, strains: phN } : null;
  if (!oxygen && !ph) return null;
  return { genus: genera[0].genus, identity: genera[0].identity, genera, oxygen, ph };
}

/** Genera of the genus route need this many BacDive strains with a pH to give one (Rule 8). */
export const ROUTE_PH_MIN_STRAINS = 3;

/**
 * Rule 8: the pH of the genus route's genera, for a query whose conditions leave it unknown. Per
 * genus, the median pH of its BacDive strains (the held-out genera and the query's own strains left
 * out); genera with ≥ ROUTE_PH_MIN_STRAINS of them, averaged with the route's weights; null unless
 * they carry at least half of the route's weight.
 */
export function genusRoutePh(ctx: RecommendContext, genera: MediumEvidence['genera'], excluded: ReadonlySet<string>, dropStrains: ReadonlySet<number>): RoutePh | null {
  if (!genera.length) return null;
  const total = genera.reduce((a, g) => a + genusRouteWeight(g), 0);
  if (!(total > 0)) return null;
  const byGenus = conditionStrainsByGenus(ctx, new Set(genera.map((g) => g.genus).filter((g) => !excluded.has(g))), dropStrains);
  let sum = 0;
  let covered = 0;
  const parts: RoutePh['genera'] = [];
  for (const g of genera) {
    const phs = phsOf(byGenus.get(g.genus) ?? []);
    if (phs.length < ROUTE_PH_MIN_STRAINS) continue;
    const mid = median(phs)!;
    const w = genusRouteWeight(g);
    sum += w * mid;
    covered += w;
    parts.push({ genus: g.genus, ph: mid, strains: phs.length, share: w / total });
  }
  if (covered < total / 2) return null;
  return { ph: sum / covered, genera: parts };
}

/** Recipe fit to the conditions (0 = fits; more negative = worse). */
export function traitFit(t: MediumTraits, hasRecipe: boolean, c: GrowthConditions): number {
  if (!hasRecipe) return -1;
  let score = 0;
  if (c.salinityPct !== null) score -= Math.abs(Math.log1p(t.naclGPerL / 10) - Math.log1p(c.salinityPct));
  if (c.oxygenTolerant !== null) score -= t.anoxic === !c.oxygenTolerant ? 0 : 1;
  if (c.ph !== null && Number.isFinite(t.ph)) score -= Math.abs(t.ph - c.ph) / 2;
  return score;
}

export function fallbackScore(x: readonly number[]): number {
  return BASE_FEATURES.reduce((s, f, j) => s + (FALLBACK_WEIGHTS[f] ?? 0) * (x[j] ?? 0), 0);
}

function mergeConditions(predicted: GrowthConditions, edits: Partial<GrowthConditions> | undefined): GrowthConditions {
  const out = { ...predicted };
  for (const k of ['temperatureC', 'oxygenTolerant', 'salinityPct', 'ph'] as const) if (edits && k in edits && edits[k] !== undefined) (out as Record<string, unknown>)[k] = edits[k];
  return out;
}

/** Ranked media with scores, for evaluation (no reasons). */
export function rankMedia(ctx: RecommendContext, query: GenomeQuery, options: RecommendOptions = {}): { evidence: MediumEvidence; ranked: { index: number; score: number; p: number | null }[]; conditions: GrowthConditions } {
  const predicted = options.conditions && ['temperatureC', 'oxygenTolerant', 'salinityPct', 'ph'].every((k) => k in options.conditions!) ? { ...EMPTY_CONDITIONS } : predictConditions(ctx, query).conditions;
  const conditions = mergeConditions(predicted, options.conditions);
  const evidence = mediumEvidence(ctx, query, conditions, options);
  const model = options.growthModel === undefined ? ctx.growthModel : options.growthModel;
  const own = query.genomeId != null && !(options.excludeGenomeId === query.genomeId) ? ctx.labOutcomes.get(query.genomeId) : undefined;
  // Rule 19: the recipe temperature's fit, fitted without the genera and strains left out of the strain-side evidence.
  const tUsed = evidence.conditions.temperatureC;
  const recipeFit =
    (options.recipeTemperatureRule ?? RECIPE_TEMPERATURE_RULE) && tUsed !== null && tUsed >= GROWTH_TEMPERATURE_RANGE_C[0] && tUsed <= GROWTH_TEMPERATURE_RANGE_C[1]
      ? recipeTemperatureFit(recipeTemperaturesOf(ctx, exclusionsOf(options).strainExcluded, options.excludeStrains ?? new Set()), tUsed)
      : null;
  const ranked = evidence.candidates.map((index, c) => {
    const x = evidence.features[c];
    const row = evidence.modelRows[c];
    // rankBy 'growth-model': the predictor orders the shortlist; outside it, first-stage order below.
    const ew = options.evidenceWeights === undefined ? ctx.evidenceWeights : options.evidenceWeights;
    const evidenceScore = ew ? x.reduce((s, v, j) => s + (ew[j] ?? 0) * v, 0) : evidence.firstStage[c];
    let score = !model || options.rankBy !== 'growth-model' ? evidenceScore : evidence.shortlist[c] ? growthScore(model, row) : -1000 + evidence.firstStage[c];
    void x;
    score -= NO_GROWTH_PENALTY * (evidence.noGrowth.get(index) ?? 0);
    if (options.saltInDemote !== false && saltMisfit(ctx, evidence, index)) score -= SALT_MISFIT_DEMOTION;
    if (recipeFit) score += RECIPE_TEMPERATURE_WEIGHT * recipeFit[index];
    const p = model ? growthProbability(model, row) : null;
    return { index, score, p };
  });
  const cvae = options.cvae ?? null;
  const cw = options.cvaeWeight ?? CVAE_WEIGHT;
  if (cvae && cw !== 0) {
    for (const r of ranked) r.score += cw * cvaeRankTerm(cvae, r.index);
    // The media the recipe model finds most likely join the candidates (an unseen genus's medium may have no other evidence).
    const have = new Set(ranked.map((r) => r.index));
    for (let i = 0; i < cvae.rank.length; i++) {
      const rk = cvae.rank[i];
      if (rk >= 0 && rk < (options.cvaeCandidates ?? CVAE_CANDIDATES) && !have.has(i)) ranked.push({ index: i, score: cw * cvaeRankTerm(cvae, i), p: null });
    }
  }
  // A neighbour identical to the query (the query is a genome of the database): its known media first.
  for (const t of evidence.neighbors) {
    if (t.similarity < IDENTICAL_SIMILARITY) break;
    for (const r of ranked) {
      const c = t.genome.media.get(ctx.matrix.mediumIds[r.index]);
      if (c !== undefined) r.score += 100 * c;
    }
  }
  if (own) {
    // The query's own outcomes: grew first, no growth last (also media that had no other evidence).
    const have = new Set(ranked.map((r) => r.index));
    for (const m of own.keys()) {
      const i = ctx.mediumIndex.get(m);
      if (i !== undefined && !have.has(i)) ranked.push({ index: i, score: 0, p: null });
    }
    for (const r of ranked) {
      const o = own.get(ctx.matrix.mediumIds[r.index]);
      if (o === true) r.score += 1e6;
      if (o === false) r.score -= 1e6;
    }
  }
  ranked.sort((a, b) => b.score - a.score || (ctx.matrix.mediumIds[a.index] < ctx.matrix.mediumIds[b.index] ? -1 : 1));
  return { evidence, ranked, conditions };
}

const fmt = (x: number, d = 2) => x.toFixed(d);
const collectionName = (id: string) => (/^J/.test(id) ? `JCM ${id.slice(1)}` : /^C/.test(id) ? `CCAP ${id}` : /^\d/.test(id) ? `DSMZ ${id}` : id);

function conditionText(c: GrowthConditions): string {
  const parts: string[] = [];
  if (c.temperatureC !== null) parts.push(`${Math.round(c.temperatureC)} °C`);
  if (c.oxygenTolerant !== null) parts.push(c.oxygenTolerant ? 'tolerates O2' : 'anaerobe');
  if (c.salinityPct !== null) parts.push(`${fmt(c.salinityPct, 1)} % NaCl`);
  if (c.ph !== null) parts.push(`pH ${fmt(c.ph, 1)}`);
  return parts.join(', ');
}

function reasonsFor(ctx: RecommendContext, ev: MediumEvidence, index: number, c: number, conditions: GrowthConditions, p: number | null, cvae: CvaeMediumScores | null = null): string[] {
  const id = ctx.matrix.mediumIds[index];
  const x = ev.features[c] ?? new Array(BASE_FEATURES.length).fill(0);
  const out: string[] = [];
  const same = ev.neighbors.find((t) => t.similarity >= IDENTICAL_SIMILARITY && t.genome.media.has(id));
  if (same) out.push(`known medium of this genome (identical to ${same.genome.name} in the database, growth confidence ${fmt(same.genome.media.get(id)!)})`);
  const nbs = ev.neighbors.slice(0, NEIGHBOR_K).filter((t) => t.genome.media.has(id) || ctx.labOutcomes.get(t.genome.genomeId)?.get(id) === true);
  nbs.slice(0, 2).forEach((t, k) => {
    const lab = ctx.labOutcomes.get(t.genome.genomeId)?.get(id) === true ? ', your lab outcome' : '';
    out.push(`grows ${t.genome.name} (${k === 0 && t === ev.neighbors[0] ? 'nearest genome' : 'near genome'}, similarity ${fmt(t.similarity)}${lab})`);
  });
  if (ev.temperatureMisfits.has(index) && conditions.temperatureC !== null) {
    const st = ev.conditionStats.get(index)!;
    out.push(`the near genomes' use of it not counted (rule 15): its ${st.tN} ${ev.domain} strains with a growth temperature grow at ${Math.round(st.tMin!)}–${Math.round(st.tMax!)} °C, more than ${TEMPERATURE_MISFIT_C} °C from ${fmt(conditions.temperatureC, 0)} °C`);
  }
  const neg = ev.neighbors.slice(0, NEIGHBOR_K).filter((t) => ctx.labOutcomes.get(t.genome.genomeId)?.get(id) === false);
  for (const t of neg.slice(0, 2)) out.push(`did not grow ${t.genome.name} in your lab (near genome, similarity ${fmt(t.similarity)})`);
  if (x[1] > 0) {
    for (const g of ev.genera) {
      const e = ctx.genusEvidence.get(g.genus)!;
      const k = e.media.get(id) ?? 0;
      const t = e.taxon.has(id);
      if (!k && !t) continue;
      const why = g.ssu ? `its 16S rRNA is ${(100 * g.ssu.identity).toFixed(1)} % identical to ${g.ssu.species} (${g.ssu.accession})` : `genus of near genome ${g.via.name} (similarity ${fmt(g.similarity)})`;
      out.push(k ? `${k} of ${e.strains} BacDive strains of ${g.genus} grow on it — ${why}` : e.named.has(id) ? `named for ${g.genus} in MediaDive — ${why}` : `${g.genus} (BacDive taxon record) grows on it — ${why}`);
      break;
    }
  }
  const rs = ev.recipeSource.get(index);
  if (rs && rs.jaccard >= 0.3 && x[2] > 0.02) {
    const src = ctx.matrix.mediumIds[rs.source];
    const who = ev.neighbors.slice(0, NEIGHBOR_K).find((t) => t.genome.media.has(src))?.genome.name ?? ev.genera.find((g) => ctx.genusEvidence.get(g.genus)!.media.has(src) || ctx.genusEvidence.get(g.genus)!.taxon.has(src))?.genus;
    out.push(`recipe like ${collectionName(src)} (${ctx.matrix.names[rs.source]}; ingredient similarity ${fmt(rs.jaccard)})${who ? `, the medium of ${who}` : ''}`);
  }
  const st = ev.conditionStats.get(index);
  if (st && st.n > 0 && conditionText(conditions)) {
    const t = st.tMin === null ? '' : st.tMin === st.tMax ? `${Math.round(st.tMin)} °C` : `${Math.round(st.tMin)}–${Math.round(st.tMax!)} °C`;
    const o = st.anaerobic + st.aerobic ? (st.anaerobic > st.aerobic ? 'mostly anaerobes' : 'mostly O2-tolerant') : '';
    const desc = [t, o].filter(Boolean).join(', ');
    const verdict = st.match >= 0.5 ? 'matches' : st.match >= 0.2 ? 'partly matches' : 'does not match';
    if (desc) out.push(`${st.n} ${ev.domain} strain${st.n === 1 ? '' : 's'} grown on it: ${desc} — ${verdict} predicted ${conditionText(conditions)}`);
  }
  if (ctx.matrix.hasComposition[index]) {
    const tr = ctx.traits[index];
    const bits = [tr.anoxic ? 'anoxic (reducing agent or resazurin)' : 'oxic', `${fmt(tr.naclGPerL / 10, 1)} % NaCl`, Number.isFinite(tr.ph) ? `pH ${fmt(tr.ph, 1)}` : ''].filter(Boolean);
    const rel = conditionText({ ...conditions, temperatureC: null });
    // Rule 11's misfit is said on its own; the verdict on the conditions leaves it out.
    const salty = saltMisfit(ctx, ev, index);
    const saltWhy = `${ev.totalSalts && !extremeSalt(tr) ? `${fmt(tr.saltsGPerL / 10, 1)} % salts (NaCl, KCl, Mg salts)` : `${fmt(tr.naclGPerL / 10, 1)} % NaCl`} is for extreme halophiles, and this proteome is not salt-in (ranked after the other media)`;
    const fit = x[5] + (salty ? 1 : 0);
    if (rel) out.push(`recipe: ${bits.join(', ')} — ${fit > -0.3 ? 'fits' : 'does not fit'} ${rel}${salty ? `, but ${saltWhy}` : ''}`);
    else if (salty) out.push(`recipe: ${bits.join(', ')} — ${saltWhy}`);
  } else out.push('no recipe in MediaDive (ranked from growth records only)');
  if (p !== null) out.push(`P(growth) ${fmt(p)}`);
  if (cvae) out.push(cvaeReason(cvae, index, conditionText(conditions) ? `the predicted conditions (${conditionText(conditions)})` : 'this genome'));
  return out;
}

/** The ranked media for a genome, best first, each with reasons. */
export function recommendMedia(ctx: RecommendContext, query: GenomeQuery, options: RecommendOptions = {}): RecommendResult {
  const top = options.top ?? 10;
  const predicted = options.predicted ?? predictConditions(ctx, query);
  // Rule 16: the conditions predicted from a query too short for its composition to count are shown, not used.
  const shortQuery = !!options.shortQueryRule && isShortQuery(query);
  const { evidence, ranked, conditions } = rankMedia(ctx, query, { ...options, conditions: mergeConditions(shortQuery ? EMPTY_CONDITIONS : predicted.conditions, options.conditions) });
  const own = query.genomeId != null ? ctx.labOutcomes.get(query.genomeId) : undefined;
  const pos = new Map(evidence.candidates.map((i, c) => [i, c]));
  const pick = ranked.slice(0, top);
  // The query's 'no growth' media rank last: they are listed after the top media, flagged.
  if (own) for (const r of ranked.slice(top)) if (own.get(ctx.matrix.mediumIds[r.index]) === false) pick.push(r);
  const media: RecommendedMedium[] = pick.map((r) => {
    const id = ctx.matrix.mediumIds[r.index];
    const c = pos.get(r.index) ?? -1;
    const outcome = own?.get(id);
    const reasons = reasonsFor(ctx, evidence, r.index, c, conditions, r.p, options.cvae ?? null);
    if (outcome === true) reasons.unshift('grew in your lab (lab outcome): ranked first');
    if (outcome === false) reasons.unshift('did not grow in your lab (lab outcome): ranked last');
    const m: RecommendedMedium = {
      medium_id: id,
      name: ctx.matrix.names[r.index],
      score: Number(r.score.toFixed(4)),
      growth_probability: r.p === null ? null : Number(r.p.toFixed(4)),
      reasons,
      has_recipe: ctx.matrix.hasComposition[r.index] === 1,
    };
    if (outcome !== undefined) m.lab_outcome = outcome ? 'grew' : 'no growth';
    const cv = options.cvae;
    m.cvae_log_likelihood = cv && Number.isFinite(cv.logLikelihood[r.index]) ? Number(cv.logLikelihood[r.index].toFixed(3)) : null;
    m.cvae_percentile = cv && Number.isFinite(cv.percentile[r.index]) ? Number((100 * cv.percentile[r.index]).toFixed(1)) : null;
    return m;
  });
  // undefined: the caller did not score (the app's first result); null: no recipe CVAE.
  const cvaeNote =
    options.cvae === undefined
      ? []
      : [
          options.cvae
            ? `recipe model ${options.cvae.modelId}: log-likelihood of ${options.cvae.scored.toLocaleString('en-US')} recipes under this genome's condition, ${(options.cvaeWeight ?? CVAE_WEIGHT) !== 0 ? `in the score (weight ${options.cvaeWeight ?? CVAE_WEIGHT})` : 'shown as a reason, not used to order (eval media --cvae)'}`
            : 'no recipe model (recipe CVAE) in the database: no recipe-model likelihood',
        ];
  const saltNote = evidence.notSaltIn ? [`salinity: no extreme halophile (an archaeon whose proteome is not salt-in): recipes with ≥ ${EXTREME_SALT_G_PER_L / 10} % ${evidence.totalSalts ? 'salts (NaCl, KCl, Mg salts)' : 'NaCl'} rank after the other media`] : [];
  const shortNote = shortQuery ? [`fewer than ${COMPOSITION_FLOOR_BP.toLocaleString('en-US')} bp of sequence: ranked without its composition (rule 16): no nearest genomes, the genera its 16S rRNA names, and only the conditions you give (the predicted ones are shown, not used)`] : [];
  const eukaryoteNote =
    query.domainCall === 'eukarya'
      ? [`a eukaryote (its rRNA genes): ${EUKARYOTE_MEDIA_NOTE}; its conditions come from phenotype models trained on bacteria and archaea`]
      : [];
  const json = { ...predicted.json, notes: [...predicted.json.notes, `domain used: ${evidence.domain} (${evidence.domainBasis})`, ...eukaryoteNote, ...shortNote, ...saltNote, ...cvaeNote] };
  return {
    predicted_conditions: json,
    conditions_used: conditions,
    domain_used: { domain: evidence.domain, source: evidence.domainSource, basis: evidence.domainBasis },
    neighbors: evidence.neighbors.slice(0, NEIGHBOR_K).map((t) => ({ genome_id: t.genome.genomeId, name: t.genome.name, species: t.genome.species, similarity: Number(t.similarity.toFixed(4)) })),
    rrna_16s:
      query.ssuRegion && ctx.ssuReference
        ? {
            identified_genus: evidence.ssuMatches[0] && evidence.ssuMatches[0].identity >= GENUS_IDENTITY ? evidence.ssuMatches[0].genus : null,
            nearest: evidence.ssuMatches.slice(0, 3).map((m) => ({ genus: m.genus, species: m.species, accession: m.accession, identity: Number(m.identity.toFixed(4)) })),
            reference: ctx.ssuReference.source,
          }
        : null,
    genus_route: genusRouteJson(evidence.genera),
    not_extreme_halophile: evidence.notSaltIn,
    ...shortSequence(query),
    media,
  };
}

/** `short_sequence` of a query below SHORT_SEQUENCE_BP A/C/G/T bases, else nothing. */
function shortSequence(query: GenomeQuery): Pick<RecommendResult, 'short_sequence'> {
  const bp = acgtBasesOf(query.counts);
  const note = shortSequenceNote(bp, !!query.ssuRegion);
  return note ? { short_sequence: { acgt_bp: bp, note } } : {};
}

/** A genus's weight in the genus route: its expected media overlap (calibrated route) or its raw similarity, never negative. */
export function genusRouteWeight(g: MediumEvidence['genera'][number]): number {
  return Math.max(0, g.weight ?? g.similarity);
}

/** The genus route as RecommendResult.genus_route: each genus's source, similarity, expected overlap and share of the weight. */
function genusRouteJson(genera: MediumEvidence['genera']): RecommendResult['genus_route'] {
  const w = genera.map(genusRouteWeight);
  const sum = w.reduce((a, b) => a + b, 0) || 1;
  return genera.map((g, i) => ({
    genus: g.genus,
    source: g.ssu ? '16S' : 'genome',
    via: g.ssu ? `${g.ssu.species} (${g.ssu.accession})` : g.via.name,
    similarity: Number(g.similarity.toFixed(4)),
    expected_overlap: g.weight === undefined ? null : Number(g.weight.toFixed(4)),
    share: Number((w[i] / sum).toFixed(4)),
  }));
}

/** A database genome as a query (evaluation; the latent vector is the stored embedding). */
export function queryOfGenome(db: Database, g: LinkedGenome): GenomeQuery {
  const counts = getGenomeCounts(db, g.genomeId)!;
  const gc = Number(db.exec('SELECT gc_fraction FROM genomes WHERE id = ?', [g.genomeId])[0]?.values[0]?.[0] ?? 0);
  return { counts, gcFraction: gc, domainCall: g.domainCall, protein: null, latent: g.latent, genomeId: g.genomeId, ssuRegion: loadSsuRegion(db, g.genomeId) };
}
