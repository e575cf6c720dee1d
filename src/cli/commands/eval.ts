/** `mediaforge eval media [--db FILE] [--json]`: leave-genus-out evaluation of the media ranking. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSqlJs, readFileBytes, repoRoot } from '../../db/node-files';
import { openSnapshot } from '../../db/snapshot-file';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Conditions } from '../../media/condition-ranking';
import { evaluateMedia, formatMediaEval, type MediaEvalOptions } from '../../media/media-eval';
import { predictPhenotype, trainPhenotypeModel, type PhenotypeModel } from '../../media/phenotype-model';
import { loadPhenotypeSamples } from '../../media/phenotype-node-data';
import { UsageError } from '../cli-error';

export const SUMMARY = 'leave-genus-out evaluation of the media ranking against baselines';

const DEFAULT_DB = 'public/mediaforge-snapshot.sqlite.gz';

export const HELP = `Usage: mediaforge eval media [--db FILE] [--json]
       mediaforge eval phenotype [...]   (= mediaforge phenotype eval; see its --help)

Leave-genus-out over every genome of the database with a profile and known media: for each
genome, every genome and BacDive strain of its genus is removed from the evidence, all media are
ranked, and a hit is any known medium of the genome among the first 1, 5 and 10. Rankers, measured
in the same run: popular (the media most used by BacDive strains of the genome's domain),
kmer4-neighbors (media of the 5 nearest genomes by 4-mer profile), latent-neighbors (the same with
the genome VAE and rRNA evidence) and mediaforge (the fused ranking). Also the weighted ingredient
Jaccard between the top-1 pick and the closest known medium.

The conditions route (strains' growth conditions and recipe traits matched to the conditions
predicted from the genome) needs the genomes' sequences: with --data (default ../shared/data
beside the repository, when present) each genome's conditions are predicted by a phenotype model
trained without its genus; without the sequences that route is left out.

Options:
  --db FILE   database or snapshot (default: the bundled ${DEFAULT_DB})
  --data DIR  shared data folder holding genomes/ (default: ../shared/data, when present)
  --json      the report as one JSON object
  -h, --help  show this help
`;

export async function run(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === undefined || what === '-h' || what === '--help' || what === 'help') {
    process.stdout.write(HELP);
    return what === undefined ? 2 : 0;
  }
  if (what === 'phenotype') return (await import('./phenotype')).run(['eval', ...rest]);
  if (what !== 'media') throw new UsageError(`unknown evaluation '${what}' (evaluations: media, phenotype)`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { db: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const SQL = await loadSqlJs();
  const { db } = openSnapshot(SQL, readFileBytes(resolve(v.db ?? resolve(repoRoot(), DEFAULT_DB))), v.db ?? DEFAULT_DB);
  try {
    // Predicted conditions need the genomes' sequences (protein features): from the shared data folder.
    const dataDir = resolve(v.data ?? join(repoRoot(), '..', 'shared', 'data'));
    const options: MediaEvalOptions = {};
    if (existsSync(join(dataDir, 'genomes', 'manifest.tsv'))) {
      const { samples } = await loadPhenotypeSamples(db, dataDir);
      const byGenome = new Map(samples.map((s) => [s.genomeId, s]));
      const models = new Map<string, PhenotypeModel>();
      options.conditionsFor = (g): Conditions | null => {
        const s = byGenome.get(g.genomeId);
        if (!s) return null;
        // The phenotype model of this fold never saw the genome's genus.
        let m = models.get(s.group);
        if (!m) {
          m = trainPhenotypeModel(samples.filter((x) => x.group !== s.group));
          models.set(s.group, m);
        }
        const p = predictPhenotype(m, s.input);
        return { temperatureC: p.temperatureC?.value ?? null, oxygenTolerant: p.oxygen?.tolerant ?? null, salinityPct: p.salinityPct?.value ?? null, ph: p.pH?.value ?? null };
      };
    }
    const report = evaluateMedia(db, options);
    process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : formatMediaEval(report));
    return 0;
  } finally {
    db.close();
  }
}
