/**
 * What the recipe CVAE's likelihood adds to a media recommendation, in Node on the bundled
 * snapshot (tfjs WASM, as the CLI): buildRecommendContext and recommendMedia (the baseline), then
 * the CVAE's own steps — instantiate the model, the media matrix over its vocabulary (once per
 * model), the likelihood of every medium under one genome's condition — and recommendMedia with
 * the scores. Query: M. genitalium G37 (tests/fixtures), embedded by the bundled genome VAE.
 * Prints JSON with medians and the ratio of the per-query extra to the baseline ranking.
 *
 * `npx vite build --config vite.bench.config.ts && node dist-bench/media-cvae.js [--runs N]`
 */
import { join } from 'node:path';
import { genomeQueryOf, profileQueryFile } from '../../src/cli/genome-query';
import { loadSqlJs, readFileBytes, repoRoot } from '../../src/db/node-files';
import { openSnapshot } from '../../src/db/snapshot-file';
import { scoredMediaOf } from '../../src/media/cvae-evidence';
import { buildMediaMatrix } from '../../src/media/media-vectors';
import { buildRecommendContext, predictConditions, recommendMedia } from '../../src/media/recommend';
import { initNodeBackend } from '../../src/ml/node-backend';
import { instantiateRecipeCvae, readRecipeCvae } from '../../src/ml/recipe-cvae-model';
import { scoreMediaForQuery } from '../../src/ml/recipe-cvae-score';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const root = repoRoot();
const backend = await initNodeBackend('wasm');
const SQL = await loadSqlJs();
const { db } = openSnapshot(SQL, readFileBytes(join(root, 'public/mediaforge-snapshot.sqlite.gz')), 'bundled', { integrityCheck: false });
const profile = await profileQueryFile(join(root, 'tests/fixtures/mycoplasma-genitalium-g37.fa.gz'));
const { query } = await genomeQueryOf(db, profile);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

const ms: Record<string, number[]> = { buildRecommendContext: [], recommendMedia: [], instantiateCvae: [], cvaeMediaMatrix: [], scoreAllMedia: [], recommendMediaWithCvae: [] };
let scored = 0;
for (let run = 0; run < RUNS; run++) {
  const ctx = time(() => buildRecommendContext(db));
  ms.buildRecommendContext.push(ctx.ms);
  recommendMedia(ctx.value, query, { top: 20 }); // first call fills the Jaccard cache, as the app's first request does
  ms.recommendMedia.push(time(() => recommendMedia(ctx.value, query, { top: 20 })).ms);
  const model = readRecipeCvae(db)!;
  const net = time(() => instantiateRecipeCvae(model));
  ms.instantiateCvae.push(net.ms);
  const media = time(() => scoredMediaOf(buildMediaMatrix(db, { vocab: model.vocab })));
  ms.cvaeMediaMatrix.push(media.ms);
  const conditions = predictConditions(ctx.value, query).conditions;
  scoreMediaForQuery(net.value, model.id, media.value, conditions, query); // warm-up (kernels)
  const s = time(() => scoreMediaForQuery(net.value, model.id, media.value, conditions, query, model.genomeModelId === ctx.value.modelId));
  ms.scoreAllMedia.push(s.ms);
  scored = s.value.scored;
  ms.recommendMediaWithCvae.push(time(() => recommendMedia(ctx.value, query, { top: 20, cvae: s.value })).ms);
  net.value.dispose();
}
const med = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Number(median(v).toFixed(1))]));
const perQueryExtra = med.scoreAllMedia + med.recommendMediaWithCvae - med.recommendMedia;
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'media-cvae',
      backend,
      runs: RUNS,
      mediaScored: scored,
      medianMs: med,
      perQueryExtraMs: Number(perQueryExtra.toFixed(1)),
      perQueryExtraVsRecommend: Number((perQueryExtra / med.recommendMedia).toFixed(2)),
      oncePerModelMs: Number((med.instantiateCvae + med.cvaeMediaMatrix).toFixed(1)),
    },
    null,
    2,
  )}\n`,
);
db.close();
