/**
 * Recipe CVAEs for an honest leave-genus-out evaluation of the CVAE likelihood (`eval media
 * --cvae`). The bundled CVAE was trained on every BacDive strain → medium pair, so it has seen the
 * media of each held-out genome's genus. Here the genera are split into K folds by a hash of the
 * genus name (genusFold), and fold k's CVAE is trained without every pair whose strain belongs to
 * a genus of fold k (the same genusOf(species) that `eval media` uses to remove a genus from
 * every source of evidence). A held-out genome is scored by the CVAE of its genus's fold, which
 * never saw a strain of that genus. Fungal and protist media (no strains, group only) stay in
 * every fold's training data.
 *
 * A small fixed configuration (FOLD_CVAE_CONFIG) keeps all folds within a few minutes on 2 cores;
 * trained weights are cached (a key of the data, the fold and the configuration), so reruns only
 * load them.
 */
import type { Database } from 'sql.js';
import { mixSeed } from '../ml/random';
import { buildRecipeCvae, exportCvaeWeights, importCvaeWeights, trainRecipeCvae, type RecipeCvae } from '../ml/recipe-cvae';
import { resolveRecipeCvaeConfig, type RecipeCvaeConfig, type ResolvedRecipeCvaeConfig } from '../ml/recipe-cvae-config';
import { loadCvaeInput, trainSetOf, type CvaeInput } from '../ml/recipe-cvae-pipeline';
import { packWeights, unpackWeights } from '../ml/weights';
import { scoredMediaOf } from './cvae-evidence';
import { curriculumRows } from './recipe-training-data';
import type { ScoredMedia } from './cvae-evidence';

export const CVAE_FOLDS = 5;

/** The fold models' configuration: one hidden layer of 128, an 8-dim latent, 12 epochs over the curriculum. */
export const FOLD_CVAE_CONFIG: RecipeCvaeConfig = { hiddenDims: [128], latentDim: 8, epochsPerPhase: [6, 4, 1, 1], warmupEpochs: 4, batchSize: 128, seed: 42, checkpointEvery: 1000 };

/** The fold (0 … K−1) of a genus: a hash of its name (deterministic, independent of the data). */
export function genusFold(genus: string, K = CVAE_FOLDS): number {
  const codes = [0x5eed, ...Array.from(genus, (ch) => ch.charCodeAt(0))];
  return mixSeed(...codes) % K;
}

export interface FoldCacheStore {
  get(key: string): Uint8Array | null | Promise<Uint8Array | null>;
  set(key: string, bytes: Uint8Array): void | Promise<void>;
}

export interface FoldCvaes {
  K: number;
  config: ResolvedRecipeCvaeConfig;
  models: RecipeCvae[];
  /** The media as the models score them (matrix over the default vocabulary, media.tsv order). */
  media: ScoredMedia;
  /** Training pairs of each fold's model (pairs − the fold's genera), and whether it came from the cache. */
  trainPairs: number[];
  cached: boolean[];
  seconds: number;
  /** The CVAE that never saw `genus` (null genus: fold of the genome's key). */
  modelFor(genus: string | null, key: string): RecipeCvae;
  dispose(): void;
}

async function sha256Hex(parts: (string | Uint8Array)[]): Promise<string> {
  const enc = new TextEncoder();
  const chunks = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p));
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length + 1, 0));
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length + 1;
  }
  const d = await crypto.subtle.digest('SHA-256', all);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Marks fold k's genera as held out (and nothing else): the rows curriculumRows leaves out. */
function holdOutFold(input: CvaeInput, k: number, K: number): number {
  let train = 0;
  for (const p of input.data.pairs) {
    p.heldOut = p.strainId !== null && p.genus !== null && genusFold(p.genus, K) === k;
    if (!p.heldOut) train++;
  }
  return train;
}

/** Trains (or loads from the cache) the K fold CVAEs of a database. */
export async function trainFoldCvaes(db: Database, o: { K?: number; config?: RecipeCvaeConfig; cache?: FoldCacheStore | null; log?: (line: string) => void } = {}): Promise<FoldCvaes> {
  const t0 = Date.now();
  const K = o.K ?? CVAE_FOLDS;
  const input = loadCvaeInput(db);
  const config = resolveRecipeCvaeConfig({ ...FOLD_CVAE_CONFIG, ...o.config, vocabSize: input.matrix.vocab.length, genomeDim: input.data.genomeDim });
  const set = trainSetOf(input);
  const dataKey = await sha256Hex([
    'mediaforge fold cvae v1',
    JSON.stringify(config),
    input.matrix.vocab.map((e) => e.ingredientId).join(','),
    input.data.pairs.map((p) => `${p.strainId ?? 'medium'}:${p.mediumId}:${p.genus ?? ''}`).join('\n'),
    new Uint8Array(input.data.conditions.buffer, input.data.conditions.byteOffset, input.data.conditions.byteLength),
    new Uint8Array(set.amount.buffer, set.amount.byteOffset, set.amount.byteLength),
    set.present,
  ]);
  const models: RecipeCvae[] = [];
  const trainPairs: number[] = [];
  const cached: boolean[] = [];
  try {
    for (let k = 0; k < K; k++) {
      const key = `${dataKey.slice(0, 24)}-K${K}-fold${k}`;
      trainPairs.push(holdOutFold(input, k, K));
      const hit = o.cache ? await o.cache.get(key) : null;
      if (hit) {
        const cvae = buildRecipeCvae(config);
        importCvaeWeights(cvae, unpackWeights(hit, `fold CVAE ${key}`), `fold CVAE ${key}`);
        models.push(cvae);
        cached.push(true);
        o.log?.(`fold ${k + 1}/${K}: loaded from the cache (${trainPairs[k]} training pairs)`);
        continue;
      }
      const t1 = Date.now();
      const { rows } = curriculumRows(input.data.pairs, config.minGroupShare);
      const result = await trainRecipeCvae(config, set, rows);
      if (result.stoppedBy !== 'done') throw new Error(`fold CVAE ${k + 1}: training stopped (${result.stoppedBy}${result.message ? `: ${result.message}` : ''})`);
      models.push(result.cvae);
      cached.push(false);
      await o.cache?.set(key, packWeights(await exportCvaeWeights(result.cvae)));
      o.log?.(`fold ${k + 1}/${K}: trained on ${trainPairs[k]} pairs in ${((Date.now() - t1) / 1000).toFixed(1)} s (loss ${result.history.at(-1)?.loss.toFixed(2)})`);
    }
  } catch (e) {
    for (const m of models) m.dispose();
    throw e;
  }
  const media = scoredMediaOf(input.matrix);
  return {
    K,
    config,
    models,
    media,
    trainPairs,
    cached,
    seconds: (Date.now() - t0) / 1000,
    modelFor: (genus, key) => models[genusFold(genus ?? key, K)],
    dispose: () => models.forEach((m) => m.dispose()),
  };
}
