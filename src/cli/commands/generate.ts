/**
 * `mediaforge generate FILE [-n 5] [--json] [--db FILE] [--seed N] [--temperature C] [--salinity PCT]
 * [--ph PH] [--anaerobic|--aerobic]`: culture-medium recipes generated for a genome by the recipe
 * CVAE of the database, conditioned on growth conditions predicted from the sequence (or given),
 * the rRNA domain and the genome-VAE embedding.
 */
import { AppError } from '../../core/errors';
import { describeGeneratedRecipes } from '../../media/generate-recipes';
import type { GeneratedRecipe, GenerateResult, GrowthConditions } from '../../media/media-api-types';
import { buildMediaMatrix } from '../../media/media-vectors';
import { encodeCondition, groupOfDomain, growthConditionsOf, recipeConditionForQuery, recipeDomainOf, type OrganismGroup } from '../../media/recipe-conditions';
import { bundledDnaPhenotypeModel, bundledPhenotypeModel, loadDomainSamples, predictConditions } from '../../media/recommend';
import { storedProteinByGenome } from '../../media/phenotype-stored-features';
import { genusStrainConditions } from '../../media/genus-conditions';
import { bundledSsuReference } from '../../media/ssu-reference';
import { sampleRecipeVectors } from '../../ml/recipe-cvae';
import { instantiateRecipeCvae, readRecipeCvae } from '../../ml/recipe-cvae-model';
import { numberOption, onePositional, parseCommandArgs } from '../command-args';
import { acgtBasesOf, shortSequenceRecipeNote } from '../../media/sequence-length';
import { CONDITION_HELP, CONDITION_OPTIONS, conditionEdits, genomeQueryOf, profileQueryFile } from '../genome-query';
import { DEFAULT_DB, openCliDatabase } from '../cli-database';

export const SUMMARY = 'culture-medium recipes generated for a genome (recipe CVAE)';

export const HELP = `Usage: mediaforge generate FILE [-n 5] [--json] [--db FILE] [--seed N]
                          [--temperature C] [--salinity PCT] [--ph PH] [--anaerobic|--aerobic]

Profiles FILE (FASTA or FASTA.gz: k-mers, rRNA genes, protein features), predicts its growth
conditions (temperature, oxygen tolerance, salinity, pH; the bundled phenotype model), takes its
domain from the rRNA genes and its embedding from the database's genome VAE, and lets the recipe
CVAE generate N culture-medium recipes for it. Only the sequence is used: headers and the file
name do not change the answer. Each recipe is checked (amounts, total solids, a C, N, P and S
source) and compared with its nearest real MediaDive medium. Below 100 kb of sequence a warning
(stderr, and first in predicted_notes) says the conditions predicted from it are less sure.

Options:
  -n N               number of recipes (default 5)
  --json             one JSON object: {"recipes": [{"ingredients": [{"name", "g_per_l",
                     "mmol_per_l", "ml_per_l", "stock_only"}...], "ph", "valid", "flags",
                     "nearest_medium_id", "nearest_medium_name", "nearest_similarity",
                     "differences"}...], "conditions_used": {...}, "group", "model"}
  --db FILE          database or snapshot (default: the bundled ${DEFAULT_DB})
  --seed N           sampling seed (default 42): the same seed gives the same recipes
${CONDITION_HELP}
  -h, --help         show this help
`;

export interface GenerateJson extends GenerateResult {
  group: OrganismGroup | null;
  model: string;
  predicted_notes: string[];
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { n: { type: 'string', short: 'n', default: '5' }, json: { type: 'boolean', default: false }, db: { type: 'string' }, seed: { type: 'string', default: '42' }, ...CONDITION_OPTIONS },
    HELP,
    { positionals: true },
  );
  if (!args) return 0;
  const { values: v, positionals } = args;
  const file = onePositional(positionals);
  const n = numberOption(v, 'n', { integer: true, min: 1, max: 1000 });
  const seed = numberOption(v, 'seed', { integer: true, min: 0, max: 2 ** 31 - 1 });
  const given = conditionEdits(v);

  const { db, name: dbName } = await openCliDatabase(v.db, { integrityCheck: false });
  try {
    const model = readRecipeCvae(db);
    if (!model) throw new AppError('DATA_INVALID', `${dbName}: holds no recipe CVAE`, 'train one with `mediaforge train cvae` and bundle it with `mediaforge db build --cvae FILE`');
    const profile = await profileQueryFile(file);
    // The genome embedding of the genome VAE the recipe model was trained with.
    const { query, genomeModelFound } = await genomeQueryOf(db, profile, model.genomeModelId ?? null);
    // Growth conditions: predicted from the sequence (the same function as recommend and the app), each replaced by the one given.
    const storedProtein = storedProteinByGenome(db);
    // With the 16S reference and the BacDive strains: the identified genus's oxygen and pH, as recommend gives them (rule 13).
    const predicted = predictConditions({ phenotypeModel: bundledPhenotypeModel(), dnaPhenotypeModel: bundledDnaPhenotypeModel(), storedProtein, domainSamples: loadDomainSamples(db, storedProtein), domainClassifiers: new Map(), ssuReference: bundledSsuReference(), genusStrains: genusStrainConditions(db) }, query);
    // The group: the rRNA call, or without one the proteome's domain (as recommend ranks it).
    const domain = recipeDomainOf(query.domainCall, predicted.json.proteome_domain);
    const notes = [...predicted.json.notes];
    const short = shortSequenceRecipeNote(acgtBasesOf(query.counts));
    if (short) notes.unshift(`warning: ${short}`);
    if (model.genomeModelId && !genomeModelFound) notes.push(`genome VAE ${model.genomeModelId} of the recipe model is not in ${dbName}: the genome embedding is left unknown`);
    const conditions: GrowthConditions = { ...predicted.conditions, ...given };
    const condition = recipeConditionForQuery(conditions, domain, query.latent);
    const cvae = instantiateRecipeCvae(model);
    let recipes: GeneratedRecipe[];
    try {
      const vectors = sampleRecipeVectors(cvae, encodeCondition(condition, model.config.genomeDim), n, seed);
      const matrix = buildMediaMatrix(db, { vocab: model.vocab });
      recipes = describeGeneratedRecipes(matrix, vectors, { formulas: model.formulas, presenceThreshold: model.config.presenceThreshold });
    } finally {
      cvae.dispose();
    }
    const out: GenerateJson = { recipes, conditions_used: growthConditionsOf(condition), group: domain === 'eukarya' ? null : groupOfDomain(domain), model: model.id, predicted_notes: notes };
    if (short) process.stderr.write(`mediaforge generate: warning: ${file}: ${short}\n`);
    if (v.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    else process.stdout.write(formatRecipes(out, query.domainCall, domain));
    return 0;
  } finally {
    db.close();
  }
}

const num = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : Number(x.toPrecision(d)).toString());

/** The bench-readable text form: one ingredient table per recipe, with units. */
export function formatRecipes(out: GenerateJson, domainCall: string, domain = domainCall): string {
  const c = out.conditions_used;
  const lines = [
    `# ${out.model}; conditions used: temperature ${c.temperatureC === null ? 'unknown' : `${c.temperatureC.toFixed(1)} °C`}, oxygen ${c.oxygenTolerant === null ? 'unknown' : c.oxygenTolerant ? 'tolerant' : 'anaerobic'}, salinity ${c.salinityPct === null ? 'unknown' : `${c.salinityPct.toFixed(1)} % NaCl`}, pH ${c.ph === null ? 'unknown' : c.ph.toFixed(1)}; rRNA domain ${domainCall}${domain !== domainCall ? ` (recipes for ${domain}: the predicted proteome)` : ''}`,
  ];
  out.recipes.forEach((r, i) => {
    lines.push('');
    lines.push(`Recipe ${i + 1}: ${r.valid ? 'passes all checks' : `check: ${r.flags.join('; ')}`}; pH ${r.ph ?? 'unknown'}`);
    if (r.nearest_medium_id) lines.push(`  nearest real medium: ${r.nearest_medium_id} ${r.nearest_medium_name ?? ''} (weighted Jaccard ${r.nearest_similarity ?? ''})`);
    const rows = r.ingredients.map((g) => [g.name, g.g_per_l !== null ? num(g.g_per_l) : '', g.mmol_per_l !== null ? num(g.mmol_per_l) : '', g.ml_per_l ? num(g.ml_per_l) : '', g.stock_only ? 'from a stock solution (amount not in the data)' : '']);
    const head = ['ingredient', 'g/L', 'mmol/L', 'ml/L', 'note'];
    const w = head.map((h, k) => Math.max(h.length, ...rows.map((x) => x[k].length)));
    const fmt = (x: string[]) => `  ${x.map((s, k) => (k === 0 || k === 4 ? s.padEnd(w[k]) : s.padStart(w[k]))).join('  ')}`.trimEnd();
    lines.push(fmt(head));
    lines.push(`  ${w.map((x) => '-'.repeat(x)).join('  ')}`);
    for (const x of rows) lines.push(fmt(x));
    const d = r.differences;
    if (d && (d.added.length || d.removed.length || d.changed.length)) {
      lines.push(`  vs ${r.nearest_medium_id}: added ${d.added.join(', ') || 'nothing'}; left out ${d.removed.join(', ') || 'nothing'}${d.changed.length ? `; changed ${d.changed.map((x) => `${x.name} ${num(x.from_g_per_l)} → ${num(x.to_g_per_l)} g/L`).join(', ')}` : ''}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
