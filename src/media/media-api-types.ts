/**
 * The shapes that cross module boundaries in the media part of MediaForge: what `recommend`,
 * `generate` and lab outcomes take and return, shared by the core (src/media), the CLI
 * (`mediaforge recommend|generate --json`), the database and ML workers and the Media panel.
 * Field names of the JSON outputs are snake_case as other tools read them; keep them exactly.
 */
import type { DomainCall } from '../ml/genome-neighbors';
import type { OxygenClass } from './phenotype-labels';

/** Growth temperatures outside this range (°C) are no growth condition: such a prediction (a fragment, a genome far from the training genomes) is left unknown. */
export const GROWTH_TEMPERATURE_RANGE_C: readonly [number, number] = [-2, 113];

/** Growth conditions as the rankers and the recipe generator use them (a user may edit them). */
export interface GrowthConditions {
  /** Typical growth temperature, °C. */
  temperatureC: number | null;
  /** Tolerates oxygen (aerobe, facultative, microaerophile) or not (anaerobe). */
  oxygenTolerant: boolean | null;
  /** NaCl, % w/v. */
  salinityPct: number | null;
  /** Growth pH. */
  ph: number | null;
}

/** `predicted_conditions` of `recommend --json` (and of the app): each with its uncertainty. */
export interface PredictedConditionsJson {
  temperature_c: { value: number; low: number; high: number } | null;
  /** `caveat`: present when the phenotype model's training genomes of the query's domain hold fewer than 3 of one oxygen class (its call there is little more than the domain's majority). */
  oxygen: { class: OxygenClass; p_tolerant: number; tolerant: boolean; caveat?: string } | null;
  salinity_pct: { value: number; low: number; high: number; halophile: boolean; basis: string } | null;
  ph: { value: number; low: number; high: number } | null;
  /**
   * What the BacDive strains of the genus the genome's 16S rRNA identifies (≥ 94.5 %) say of oxygen
   * (their majority, when ≥ 3 are labelled and ≥ 2/3 agree) and pH (median and 10th–90th
   * percentile of ≥ 3): shown beside the predicted values, not used unless given as conditions
   * (rule 13, measured and not adopted). Absent without an identified genus or such strains.
   */
  genus_conditions?: {
    genus: string;
    identity: number;
    oxygen: { class: OxygenClass; tolerant: boolean; strains: number; agreeing: number } | null;
    ph: { value: number; low: number; high: number; strains: number } | null;
  };
  /** Domain from the genome's rRNA evidence (never from headers or file names). */
  domain: DomainCall;
  /**
   * Bacteria or archaea by the predicted proteome (domain-classifier.ts), whatever the rRNA call;
   * null without usable protein features or a classifier. What a query without an rRNA call is
   * ranked and given recipes for.
   */
  proteome_domain?: 'bacteria' | 'archaea' | null;
  model: string;
  notes: string[];
}

/** What a query genome brings: only things computed from its sequence. */
export interface GenomeQuery {
  /** The 2,772 canonical k-mer counts (k = 1..6). */
  counts: ArrayLike<number>;
  gcFraction: number;
  /** rRNA domain call of the profiling pass. */
  domainCall: DomainCall;
  /** Protein features of the profiling pass (PROTEIN_FEATURE_NAMES order), or null. */
  protein: Float32Array | null;
  /** Unit or raw latent vector of the active genome VAE (the caller embeds), or null. */
  latent: Float32Array | null;
  /** A genome row of the database this query is (its lab outcomes apply), or null. */
  genomeId?: number | null;
  /** The 16S region (515F–1390R) of the profiling pass (RrnaEvidence.ssuRegion), or null. */
  ssuRegion?: string | null;
}

/** One ranked real medium of `recommend --json`'s `media` array. */
export interface RecommendedMedium {
  /** MediaDive id exactly as in media.tsv: "1", "1a", "J346". */
  medium_id: string;
  name: string;
  /** Higher is better; the ranking's own score. */
  score: number;
  /** Calibrated P(growth | genome, medium) of the growth predictor, or null without one. */
  growth_probability: number | null;
  /** Why, in words a microbiologist reads ("grows Methanococcus maripaludis (nearest genome, 0.93)"). */
  reasons: string[];
  /** false for the 193 media without a composition in MediaDive (ranked, never generated). */
  has_recipe: boolean;
  /** Set when the user's lab outcome placed this medium ('grew' first, 'no growth' last). */
  lab_outcome?: 'grew' | 'no growth';
  /** log p(recipe | this genome's condition) under the database's recipe CVAE (recipe-cvae-score.ts); null without a model or a recipe in its vocabulary. */
  cvae_log_likelihood?: number | null;
  /** Percentile of that likelihood among all scored recipes (100 = the most likely); null as above. */
  cvae_percentile?: number | null;
}

/** What gave the ranking its domain: the query's rRNA genes, its predicted proteome (no rRNA call), or its nearest genomes (neither). */
export type DomainSource = 'rrna' | 'proteome' | 'neighbors';

export interface RecommendResult {
  predicted_conditions: PredictedConditionsJson;
  /** The conditions the ranking used: the predicted ones, or the user's edits (counterfactuals). */
  conditions_used: GrowthConditions;
  /** The domain the ranking used (whose strains and media counted), and what gave it. */
  domain_used: { domain: string; source: DomainSource; basis: string };
  /** The nearest linked genomes that gave evidence. */
  neighbors: { genome_id: number; name: string; species: string | null; similarity: number }[];
  /**
   * Where the query's 16S rRNA region (515F–1390R) places it among BacDive genera: the nearest
   * genera of the 16S reference, best first (identity 0..1), and the genus it is identified as
   * (identity ≥ 0.945, Yarza et al. 2014); null without a 16S region. Which of them count is in
   * `genus_route`.
   */
  rrna_16s: { identified_genus: string | null; nearest: { genus: string; species: string; accession: string; identity: number }[]; reference: string } | null;
  /**
   * The genera whose BacDive strains' and taxon records' media stand for the query (the genus
   * route), heaviest first: named by its 16S region or by a near genome or record (`via`), its
   * similarity (16S identity or latent similarity, 0..1), the media overlap expected at that
   * similarity (null where the route weighs by similarity: a database without genome embeddings),
   * and its share of the route's weight (the shares sum to 1).
   */
  genus_route: { genus: string; source: '16S' | 'genome'; via: string; similarity: number; expected_overlap: number | null; share: number }[];
  /** An archaeon whose proteome is not salt-in (rules 11, 12 and 14): recipes with ≥ 15 % salts (NaCl, KCl, Mg salts) were ranked after the other media. */
  not_extreme_halophile?: boolean;
  /** Set below 100 kb of A/C/G/T (sequence-length.ts): the bases, and what the benchmark measured at such lengths. */
  short_sequence?: { acgt_bp: number; note: string };
  media: RecommendedMedium[];
}

/** One ingredient line of a generated recipe. */
export interface GeneratedIngredient {
  name: string;
  g_per_l: number | null;
  mmol_per_l: number | null;
  /** ml/L for liquids (stock solutions, sea water), else null. */
  ml_per_l?: number | null;
  /** Present as a stock-solution ingredient (no final amount in the data). */
  stock_only?: boolean;
}

/** One recipe of `generate --json`'s `recipes` array. */
export interface GeneratedRecipe {
  ingredients: GeneratedIngredient[];
  /** Estimated pH. */
  ph: number | null;
  /** Passes every validity check. */
  valid: boolean;
  /** What is implausible or missing ("no nitrogen source", "total solids 180 g/L > 100 g/L"). */
  flags: string[];
  nearest_medium_id: string | null;
  nearest_medium_name?: string | null;
  /** Weighted ingredient Jaccard to the nearest real medium. */
  nearest_similarity?: number | null;
  /** How the recipe differs from the nearest medium: added / left out / changed ingredients. */
  differences?: { added: string[]; removed: string[]; changed: { name: string; from_g_per_l: number; to_g_per_l: number }[] };
}

export interface GenerateResult {
  conditions_used: GrowthConditions;
  recipes: GeneratedRecipe[];
}

/** A user's bench result (table lab_outcomes, source 'user'). */
export interface LabOutcome {
  id: number;
  genomeId: number;
  mediumId: string;
  grew: boolean;
  /** ISO date, YYYY-MM-DD. */
  testedOn: string;
  note: string;
  source: 'user';
  recordedAt: string;
}
