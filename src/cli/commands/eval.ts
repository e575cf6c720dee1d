/** `mediaforge eval media [--db FILE] [--json]`: leave-genus-out evaluation of the media ranking. */
import { resolve } from 'node:path';
import { repoRoot, writeFileAtomic } from '../../db/node-files';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Conditions } from '../../media/condition-ranking';
import { serializeGrowthModel } from '../../media/growth-predictor';
import { evaluateMedia, formatMediaEval, trainShippedGrowthModel, type MediaEvalOptions } from '../../media/media-eval';
import { predictPhenotype, trainPhenotypeModel, type PhenotypeModel } from '../../media/phenotype-model';
import { loadPhenotypeSamples } from '../../media/phenotype-node-data';
import { phenotypeGroupOf } from '../../media/phenotype-eval';
import { getGenomeCounts } from '../../db/genomes';
import { loadStoredPhenotypeSamples } from '../../media/phenotype-stored-features';
import { conditionsFromPrediction } from '../../media/recommend';
import { CVAE_FOLDS, trainFoldCvaes, type FoldCacheStore } from '../../media/cvae-folds';
import { initNodeBackend } from '../../ml/node-backend';
import { scoreMediaForQuery } from '../../ml/recipe-cvae-score';
import { choiceOption, isoDateOption, numberOption, parseCommandArgs, runSubcommand } from '../command-args';
import { DEFAULT_DB, openCliDatabase } from '../cli-database';

export const SUMMARY = 'leave-genus-out evaluation of the media ranking against baselines';

export const HELP = `Usage: mediaforge eval media [--db FILE] [--data DIR] [--json] [--ablations] [--variants] [--cvae] [--dna-only] [--no-rrna] [--genus-in-bacdive] [--medium-names on|off] [--recipe-temperature on|off] [--growth-model-out FILE]
       mediaforge eval phenotype [...]   (= mediaforge phenotype eval; see its --help)

Leave-genus-out over every genome of the database with a profile and known media: for each
genome, every genome and BacDive strain of its genus is removed from the evidence, all media are
ranked, and a hit is any known medium of the genome among the first 1, 5 and 10. Rankers, measured
in the same run: popular (the media most used by BacDive strains of the genome's domain),
kmer4-neighbors (media of the 5 nearest genomes by 4-mer profile), latent-neighbors (the same with
the genome VAE and rRNA evidence), fused-rrf (the earlier reciprocal-rank fusion),
mediaforge (recommendMedia, the function behind \`mediaforge recommend\`), mediaforge-tuned
(weights tuned on the other genera) and mediaforge-lr (ordered by the growth predictor); the
growth predictor is fitted by nested leave-genus-out: never on the
held-out genus, nor on features computed with it. Also the weighted ingredient Jaccard between
the top-1 pick and the closest known medium, and the growth predictor's AUROC on held-out genera
against each single feature.

The conditions route (strains' growth conditions and recipe traits matched to the conditions
predicted from the genome) needs the labelled genomes' phenotype features: the snapshot stores
them (db build), or they are profiled from the genome files of --data (default ../shared/data
beside the repository, for a snapshot without them). Each genome's conditions are predicted by a
phenotype model trained without its genus; a genome with media but no condition labels (no
stored proteins) gets them from the DNA-only model, as a query without protein features would.
Without the features that route is left out.

Options:
  --db FILE   database or snapshot (default: the bundled ${DEFAULT_DB})
  --data DIR  profile the phenotype features from this shared data folder (holding genomes/)
              instead of using those stored in the snapshot
  --json      the report as one JSON object
  --ablations also rank without each feature of the score (what each one gives)
  --dna-only  predict the conditions with DNA-only phenotype models (the fallback for a query
              without usable protein features) instead of DNA + protein
  --no-rrna   rank every genome as a draft or MAG without rRNA genes would be: its rRNA domain
              call is withheld, so the domain comes from the proteome classifier (trained
              without its genus), which also stands in for the rRNA call in the neighbours'
              domain agreement; also ranked with the domain from the 5 nearest genomes, and
              with the proteome's domain but no agreement term, and how often each domain is right
  --genus-in-bacdive  also rank every genome as one of a genus that BacDive knows and the genome
              collection does not (what 16S identification is for): its genus left out of the
              genomes and records only, its own linked BacDive strains out of every strain source;
              without the 16S reference, with the genus identified by 16S (by similarity, the
              route before 2026-12-02), with the 3 genera nearest by 16S, with the genera
              identified by 16S in place of the nearest genomes' genera, and the product's
              (16S and genome genera weighed by their expected media overlap)
  --medium-names on|off  whether media MediaDive names for a genus count as that genus's taxon
              records in the genus route (rule 18; default: the product's setting)
  --recipe-temperature on|off  whether a medium's score adds how well the growth temperature
              read from its recipe fits the temperature used (rule 19; default: the product's setting)
  --variants  also rank with each evidence-weight variant (EVIDENCE_VARIANTS, media-eval.ts):
              fixed, nested-tuned, and selected by nested leave-genus-out; the first-pick rules; and
              the genus route without the 16S reference, with the genus identified by 16S first
              and every genus weighted by its similarity (before 2026-12-02), with the 3 genera
              nearest by 16S, and with the genera identified by 16S (>= 94.5 %) in place of the
              nearest genomes'
  --cvae      also measure the recipe CVAE's likelihood log p(medium | condition) as a ranker
              and fused into the score. The bundled CVAE saw every genus, so it is not used:
              ${CVAE_FOLDS} CVAEs are trained on genus folds (a hash of the genus; each without the
              strains of its fold's genera; small fixed configuration, a few minutes on 2
              cores) and each held-out genome is scored by its fold's model
  --cvae-cache DIR
              where the fold CVAEs are cached, keyed by the data and the configuration
              (default: mediaforge-fold-cvae in the system temp folder)
  --growth-model-out FILE
              train the growth predictor on every genome (features leave-genus-out) and
              write it (this is how src/media/growth-model.default.json is made)
  --created-at ISO  date recorded in that model (default: now)
  --objective pointwise|pairwise
              the growth predictor's training objective (default: the shipped model's)
  --lambda L  the growth predictor's L2 penalty (default 0.01)
  -h, --help  show this help
`;

export function run(argv: string[]): Promise<number> {
  return runSubcommand(argv, {
    help: HELP,
    noun: 'evaluation',
    commands: { media: runMedia, phenotype: async (rest) => (await import('./phenotype')).run(['eval', ...rest]) },
  });
}

async function runMedia(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      db: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
      ablations: { type: 'boolean', default: false },
      variants: { type: 'boolean', default: false },
      cvae: { type: 'boolean', default: false },
      'cvae-cache': { type: 'string' },
      'dna-only': { type: 'boolean', default: false },
      'no-rrna': { type: 'boolean', default: false },
      'genus-in-bacdive': { type: 'boolean', default: false },
      'medium-names': { type: 'string' },
      'recipe-temperature': { type: 'string' },
      'growth-model-out': { type: 'string' },
      'created-at': { type: 'string' },
      objective: { type: 'string' },
      lambda: { type: 'string' },
    },
    HELP,
  );
  if (!args) return 0;
  const v = args.values;
  const objective = choiceOption(v, 'objective', ['pointwise', 'pairwise']);
  const lambda = numberOption(v, 'lambda', { min: 0 });
  const createdAt = isoDateOption(v, 'created-at');
  const mediumNames = choiceOption(v, 'medium-names', ['on', 'off']);
  const recipeTemperature = choiceOption(v, 'recipe-temperature', ['on', 'off']);
  const { db } = await openCliDatabase(v.db);
  try {
    // Predicted conditions need the labelled genomes' phenotype features: stored in the snapshot
    // (db build), or profiled from the shared data folder (--data, or a snapshot without them).
    const dataDir = resolve(v.data ?? join(repoRoot(), '..', 'shared', 'data'));
    const options: MediaEvalOptions = {
      ...(mediumNames ? { mediumNames: mediumNames === 'on' } : {}),
      ...(recipeTemperature ? { recipeTemperature: recipeTemperature === 'on' } : {}),
    };
    const stored = v.data === undefined ? loadStoredPhenotypeSamples(db) : null;
    const samples = stored ?? (existsSync(join(dataDir, 'genomes', 'manifest.tsv')) ? (await loadPhenotypeSamples(db, dataDir)).samples : null);
    if (samples) {
      options.featureSource = `${stored ? 'the snapshot (stored phenotype features)' : `the genome files in ${dataDir}`}${v['dna-only'] ? '; DNA-only phenotype models (GC + 1–3-mer CLR), as for a query without protein features' : ''}`;
      const byGenome = new Map(samples.map((s) => [s.genomeId, s]));
      const models = new Map<string, PhenotypeModel>();
      const dnaModels = new Map<string, PhenotypeModel>();
      const dnaConditionsOf = (g: { genomeId: number; species: string | null }): Conditions | null => {
        const counts = getGenomeCounts(db, g.genomeId);
        const gc = db.exec('SELECT gc_fraction FROM genomes WHERE id = ?', [g.genomeId])[0]?.values[0]?.[0];
        if (!counts || typeof gc !== 'number') return null;
        const group = phenotypeGroupOf(g.species);
        let m = dnaModels.get(group);
        if (!m) {
          m = trainPhenotypeModel(samples.filter((x) => x.group !== group), { featureSet: 'dna' });
          dnaModels.set(group, m);
        }
        return conditionsFromPrediction(m, predictPhenotype(m, { counts, gcFraction: gc, protein: null }));
      };
      const cache = new Map<number, Conditions | null>();
      options.conditionsFor = (g): Conditions | null => {
        if (cache.has(g.genomeId)) return cache.get(g.genomeId)!;
        const s = byGenome.get(g.genomeId);
        if (!s) {
          // A genome with known media but no growth-condition labels: like any query, its conditions
          // come from its sequence. The snapshot keeps its k-mer profile, not its proteins, so the
          // DNA-only model (the product's fallback for a query without protein features), trained
          // without its genus, predicts them.
          const c = dnaConditionsOf(g);
          cache.set(g.genomeId, c);
          return c;
        }
        // The phenotype model of this fold never saw the genome's genus.
        let m = models.get(s.group);
        if (!m) {
          m = trainPhenotypeModel(samples.filter((x) => x.group !== s.group), { featureSet: v['dna-only'] ? 'dna' : 'auto' });
          models.set(s.group, m);
        }
        const p = predictPhenotype(m, s.input);
        const c = conditionsFromPrediction(m, p);
        cache.set(g.genomeId, c);
        return c;
      };
    }
    if (objective !== undefined) options.objective = objective;
    if (lambda !== undefined) options.lambda = lambda;
    if (v['growth-model-out']) {
      const model = trainShippedGrowthModel(db, { ...options, createdAt: createdAt ?? new Date().toISOString() });
      const text = serializeGrowthModel(model);
      writeFileAtomic(v['growth-model-out'], new TextEncoder().encode(text));
      process.stdout.write(`wrote ${v['growth-model-out']}: ${model.id}, ${text.length} bytes, ${model.training.genomes} genomes, ${model.training.pairs} pairs (${model.training.positives} known media)\n`);
      return 0;
    }
    options.ablations = v.ablations;
    options.variants = v.variants;
    options.noRrna = v['no-rrna'];
    options.genusInBacdive = v['genus-in-bacdive'];
    let folds: Awaited<ReturnType<typeof trainFoldCvaes>> | null = null;
    if (v.cvae) {
      const backend = await initNodeBackend('wasm');
      const dir = resolve(v['cvae-cache'] ?? join(tmpdir(), 'mediaforge-fold-cvae'));
      mkdirSync(dir, { recursive: true });
      const cache: FoldCacheStore = {
        get: (key) => (existsSync(join(dir, `${key}.weights`)) ? new Uint8Array(readFileSync(join(dir, `${key}.weights`))) : null),
        set: (key, bytes) => writeFileAtomic(join(dir, `${key}.weights`), bytes),
      };
      folds = await trainFoldCvaes(db, { cache, log: (line) => process.stderr.write(`fold CVAEs: ${line}\n`) });
      const f = folds;
      const c = f.config;
      options.cvae = {
        description: `${f.K} fold CVAEs (genus hash; each without its fold's genera; ${c.hiddenDims.join('/')}/${c.latentDim}, epochs ${c.epochsPerPhase.join('+')}, β ${c.beta}, tfjs ${backend}; ${f.cached.filter(Boolean).length} of ${f.K} from the cache in ${dir}; ${f.seconds.toFixed(0)} s)`,
        scoresFor: (g, query, conditions) => {
          const cvae = f.modelFor(g.genus, `genome:${g.genomeId}`);
          const none = { temperatureC: null, oxygenTolerant: null, salinityPct: null, ph: null };
          return {
            query: scoreMediaForQuery(cvae, 'fold', f.media, conditions, query),
            prior: scoreMediaForQuery(cvae, 'fold', f.media, none, { domainCall: query.domainCall, latent: null }),
          };
        },
      };
    }
    const report = evaluateMedia(db, options);
    folds?.dispose();
    process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : formatMediaEval(report));
    return 0;
  } finally {
    db.close();
  }
}
