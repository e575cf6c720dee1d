/**
 * `mediaforge recommend FILE [--top 10] [--json] [--db FILE] [--temperature C] [--salinity PCT]
 * [--ph PH] [--anaerobic|--aerobic]`: culture media for a genome, from its sequence only.
 */
import type { RecommendResult } from '../../media/media-api-types';
import { buildRecommendContext, predictConditions, recommendMedia } from '../../media/recommend';
import { scoredMediaOf, type CvaeMediumScores } from '../../media/cvae-evidence';
import { buildMediaMatrix } from '../../media/media-vectors';
import { initNodeBackend } from '../../ml/node-backend';
import { instantiateRecipeCvae, readRecipeCvae } from '../../ml/recipe-cvae-model';
import { scoreMediaForQuery } from '../../ml/recipe-cvae-score';
import { recipeDomainOf } from '../../media/recipe-conditions';
import { numberOption, onePositional, parseCommandArgs } from '../command-args';
import { CONDITION_HELP, CONDITION_OPTIONS, conditionEdits, genomeQueryOf, profileQueryFile } from '../genome-query';
import { DEFAULT_DB, openCliDatabase } from '../cli-database';

export const SUMMARY = 'culture media for a genome (nearest genomes, their genera, recipes, predicted conditions)';

export const HELP = `Usage: mediaforge recommend FILE [--top 10] [--json] [--db FILE]
                          [--temperature C] [--salinity PCT] [--ph PH] [--anaerobic|--aerobic]

Profiles FILE (FASTA or FASTA.gz: k-mers, rRNA genes, predicted proteins), predicts its growth
conditions, finds its nearest genomes with the database's genome VAE and ranks the MediaDive
media: media of the nearest genomes and of all BacDive strains of their genera, media whose
recipes resemble those, media whose strains grow at the predicted conditions and recipes that fit
them (salt, anoxic, pH). Each medium comes with its reasons and P(growth) of the growth predictor.
Only the sequence is used: headers and the file name do not change the answer. Below 100 kb of
sequence the result carries a warning with what rankings of such fragments are worth (also on
stderr with --json; short_sequence: {acgt_bp, note}).

Options:
  --top N            media to list (default 10)
  --json             one JSON object: {predicted_conditions, conditions_used, domain_used
                     ({domain, source: rrna|proteome|neighbors, basis}), neighbors, media:
                     [{medium_id, name, score, growth_probability, reasons, has_recipe,
                     cvae_log_likelihood, cvae_percentile}]}: the last two are the recipe
                     CVAE's log p(recipe | this genome's condition) and its percentile among
                     all recipes (null without a recipe CVAE in the database)
  --db FILE          database or snapshot (default: the bundled ${DEFAULT_DB}); lab outcomes
                     recorded in it count (a genome's own: grew first, no growth last)
${CONDITION_HELP}
  -h, --help         show this help
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { top: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, db: { type: 'string' }, ...CONDITION_OPTIONS }, HELP, { positionals: true });
  if (!args) return 0;
  const { values: v, positionals } = args;
  const file = onePositional(positionals);
  const top = numberOption(v, 'top', { integer: true, min: 1, max: 5000 });
  const edits = conditionEdits(v);

  const { db } = await openCliDatabase(v.db);
  const profile = await profileQueryFile(file).catch((e: unknown) => {
    db.close();
    throw e;
  });
  let result: RecommendResult;
  try {
    const { query } = await genomeQueryOf(db, profile);
    const ctx = buildRecommendContext(db);
    const predicted = predictConditions(ctx, query);
    // The recipe CVAE's likelihood of every medium under this genome's condition (a reason; see CVAE_WEIGHT).
    let cvae: CvaeMediumScores | null = null;
    const model = readRecipeCvae(db);
    if (model) {
      await initNodeBackend('wasm');
      const net = instantiateRecipeCvae(model);
      try {
        const conditions = { ...predicted.conditions, ...Object.fromEntries(Object.entries(edits).filter(([, x]) => x !== undefined)) };
        // The recipe model's group: the rRNA call, or without one the proteome's domain.
        const forRecipes = { domainCall: recipeDomainOf(query.domainCall, predicted.json.proteome_domain), latent: query.latent };
        cvae = scoreMediaForQuery(net, model.id, scoredMediaOf(buildMediaMatrix(db, { vocab: model.vocab })), conditions, forRecipes, model.genomeModelId === ctx.modelId);
      } finally {
        net.dispose();
      }
    }
    result = recommendMedia(ctx, query, { top, conditions: edits, cvae, predicted });
  } finally {
    db.close();
  }
  if (v.json && result.short_sequence) process.stderr.write(`mediaforge recommend: warning: ${file}: ${result.short_sequence.note}\n`);
  process.stdout.write(v.json ? `${JSON.stringify(result, null, 2)}\n` : formatRecommendation(file, result));
  return 0;
}

export function formatRecommendation(file: string, r: RecommendResult): string {
  const p = r.predicted_conditions;
  const c = r.conditions_used;
  const L: string[] = [`${file}: culture media (domain by rRNA: ${p.domain}; phenotype model ${p.model})`];
  if (r.short_sequence) L.push(`  warning: ${r.short_sequence.note}`);
  const pred: string[] = [];
  if (p.temperature_c) pred.push(`temperature ${p.temperature_c.value.toFixed(1)} °C (${p.temperature_c.low.toFixed(1)}–${p.temperature_c.high.toFixed(1)})`);
  if (p.oxygen) pred.push(`oxygen: ${p.oxygen.tolerant ? 'tolerates O2' : 'anaerobe'} (P tolerant ${p.oxygen.p_tolerant.toFixed(2)}, ${p.oxygen.class})`);
  if (p.salinity_pct) pred.push(`salinity ${p.salinity_pct.value.toFixed(1)} % NaCl (${p.salinity_pct.low.toFixed(1)}–${p.salinity_pct.high.toFixed(1)}${p.salinity_pct.halophile ? ', extreme halophile' : ''})`);
  if (p.ph) pred.push(`pH ${p.ph.value.toFixed(1)} (${p.ph.low.toFixed(1)}–${p.ph.high.toFixed(1)})`);
  L.push(`  predicted: ${pred.length ? pred.join('; ') : 'unknown'}`);
  const used = [
    c.temperatureC !== null ? `${c.temperatureC.toFixed(1)} °C` : null,
    c.oxygenTolerant !== null ? (c.oxygenTolerant ? 'tolerates O2' : 'anaerobe') : null,
    c.salinityPct !== null ? `${c.salinityPct.toFixed(1)} % NaCl` : null,
    c.ph !== null ? `pH ${c.ph.toFixed(1)}` : null,
  ].filter(Boolean);
  L.push(`  ranked for: ${used.length ? used.join(', ') : 'no known conditions'}`);
  for (const n of p.notes) L.push(`  note: ${n}`);
  L.push(`  nearest genomes: ${r.neighbors.map((n) => `${n.name} (${n.similarity.toFixed(2)})`).join('; ') || 'none'}`);
  L.push(`  genera standing for it: ${r.genus_route.map((g) => `${g.genus} (${g.source === '16S' ? `16S ${(100 * g.similarity).toFixed(1)} %` : `near genome ${g.similarity.toFixed(2)}`}; ${Math.round(100 * g.share)} % of the genus evidence)`).join('; ') || 'none'}`);
  L.push('', 'rank  medium    P(growth)  score    name');
  r.media.forEach((m, i) => {
    const prob = m.growth_probability === null ? '–' : m.growth_probability.toFixed(2);
    L.push(`${String(i + 1).padStart(4)}  ${m.medium_id.padEnd(8)}  ${prob.padStart(9)}  ${m.score.toFixed(3).padStart(7)}  ${m.name}${m.has_recipe ? '' : ' (no recipe in MediaDive)'}${m.lab_outcome ? ` [lab: ${m.lab_outcome}]` : ''}`);
    for (const why of m.reasons) L.push(`${' '.repeat(16)}- ${why}`);
  });
  return `${L.join('\n')}\n`;
}
