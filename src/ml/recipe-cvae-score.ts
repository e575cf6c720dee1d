/**
 * The recipe CVAE's likelihood of every real medium under one condition (issue 8: "CVAE
 * likelihood" as ranking evidence). Pure tfjs, no database: the media come as the arrays of a
 * media matrix built over the model's vocabulary (buildMediaMatrix(db, { vocab: model.vocab })).
 *
 * For medium m (presence y, log1p amounts a, pH p) and condition c, with (μ, log σ²) = enc(m, c)
 * and the decoder run at z = μ (no sampling, so the score is deterministic):
 *
 *   log p(m | c) ≈ −[ Σ_j BCE(l_j, y_j)                        presence, a Bernoulli log-likelihood (no positive weight)
 *                   + stockWeight  · Σ_j y_j·BCE(k_j, s_j)      stock-only flag, where present
 *                   + amountWeight · Σ_j f_j·(a_j − â_j)²       final amounts, where known
 *                   + phWeight     · m_pH·(p − p̂)²             scaled pH, where known
 *                   + β · KL(N(μ, σ²) ‖ N(0, I)) ]
 *
 * i.e. the training loss of recipe-cvae.ts (hurdleLoss, same term weights, β at its final value)
 * evaluated at the posterior mean, except that the presence BCE is the plain Bernoulli one
 * (positive weight 1): it is the ELBO with the reconstruction taken at z = μ instead of an
 * expectation over q(z | m, c), up to the Gaussian constants of the amount and pH terms. Higher
 * is more likely. Presence dominates: a 40-ingredient medium pays for every ingredient the
 * decoder does not expect under c.
 *
 * Every medium with a vocabulary recipe is scored in batches of `batchSize` (one encoder and one
 * decoder call per batch); media without one get NaN.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../core/errors';
import { cvaeScoresOf, type CvaeMediumScores, type ScoredMedia } from '../media/cvae-evidence';
import type { GenomeQuery, GrowthConditions } from '../media/media-api-types';
import { encodeCondition, recipeConditionForQuery } from '../media/recipe-conditions';
import { encoderInputDim, PH_CENTRE, PH_SCALE, type RecipeCvae } from './recipe-cvae';

export interface MediaLikelihood {
  /** log p(m | c) per medium (the ELBO-style sum above); NaN = not scored. */
  logLikelihood: Float32Array;
  /** Its parts (positive costs), per medium. */
  presence: Float32Array;
  stock: Float32Array;
  amount: Float32Array;
  ph: Float32Array;
  kl: Float32Array;
}

export const SCORE_BATCH = 4096;

/** log p(m | c) of every scored medium under one condition vector (see the header). */
export function scoreMediaLikelihood(cvae: RecipeCvae, media: ScoredMedia, conditionVector: Float32Array, options: { batchSize?: number } = {}): MediaLikelihood {
  const V = cvae.config.vocabSize;
  const C = cvae.conditionDim;
  if (media.V !== V) throw new AppError('BAD_OPTION', `the media matrix has ${media.V} ingredient columns, the recipe model ${V}: build it over the model's vocabulary`);
  if (conditionVector.length !== C) throw new AppError('BAD_OPTION', `the condition vector has ${conditionVector.length} values, the recipe model expects ${C}`);
  const rows: number[] = [];
  for (let i = 0; i < media.n; i++) if (media.scored[i]) rows.push(i);
  const out: MediaLikelihood = {
    logLikelihood: new Float32Array(media.n).fill(NaN),
    presence: new Float32Array(media.n).fill(NaN),
    stock: new Float32Array(media.n).fill(NaN),
    amount: new Float32Array(media.n).fill(NaN),
    ph: new Float32Array(media.n).fill(NaN),
    kl: new Float32Array(media.n).fill(NaN),
  };
  const bs = options.batchSize ?? SCORE_BATCH;
  const D = encoderInputDim(V);
  const cfg = cvae.config;
  for (let s = 0; s < rows.length; s += bs) {
    const part = rows.slice(s, s + bs);
    const n = part.length;
    const x = new Float32Array(n * D);
    const y = new Float32Array(n * V);
    const stockOnly = new Float32Array(n * V);
    const amt = new Float32Array(n * V);
    const amtMask = new Float32Array(n * V);
    const ph = new Float32Array(n);
    const phMask = new Float32Array(n);
    part.forEach((m, r) => {
      for (let j = 0; j < V; j++) {
        if (!media.present[m * V + j]) continue;
        const a = media.amount[m * V + j];
        y[r * V + j] = 1;
        x[r * D + j] = 1;
        if (a > 0) {
          amt[r * V + j] = a;
          amtMask[r * V + j] = 1;
          x[r * D + V + j] = a;
        } else stockOnly[r * V + j] = 1;
      }
      const p = media.ph[m];
      if (Number.isFinite(p)) {
        ph[r] = (p - PH_CENTRE) / PH_SCALE;
        phMask[r] = 1;
        x[r * D + 2 * V] = ph[r];
        x[r * D + 2 * V + 1] = 1;
      }
    });
    const parts = tf.tidy(() => {
      const c = tf.tile(tf.tensor2d(conditionVector, [1, C]), [n, 1]) as tf.Tensor2D;
      const { mean, logVar } = cvae.encode(tf.tensor2d(x, [n, D]), c);
      const o = cvae.decode(mean, c);
      const yt = tf.tensor2d(y, [n, V]);
      const bce = (logits: tf.Tensor2D, t: tf.Tensor2D) => tf.add(tf.mul(t, tf.softplus(tf.neg(logits))), tf.mul(tf.sub(1, t), tf.softplus(logits)));
      const presence = tf.sum(bce(o.presenceLogits, yt), 1);
      const stock = tf.sum(tf.mul(yt, bce(o.stockLogits, tf.tensor2d(stockOnly, [n, V]))), 1);
      const amount = tf.sum(tf.mul(tf.tensor2d(amtMask, [n, V]), tf.squaredDifference(o.amount, tf.tensor2d(amt, [n, V]))), 1);
      const phErr = tf.sum(tf.mul(tf.tensor2d(phMask, [n, 1]), tf.squaredDifference(o.ph, tf.tensor2d(ph, [n, 1]))), 1);
      const kl = tf.sum(tf.mul(tf.sub(tf.sub(tf.add(tf.exp(logVar), tf.square(mean)), logVar), 1), 0.5), 1);
      return tf.stack([presence, stock, amount, phErr, kl]);
    });
    const v = parts.dataSync();
    parts.dispose();
    part.forEach((m, r) => {
      const [pr, st, am, pe, k] = [0, 1, 2, 3, 4].map((t) => v[t * n + r]);
      out.presence[m] = pr;
      out.stock[m] = st;
      out.amount[m] = am;
      out.ph[m] = pe;
      out.kl[m] = k;
      out.logLikelihood[m] = -(pr + cfg.stockWeight * st + cfg.amountWeight * am + cfg.phWeight * pe + cfg.beta * k);
    });
  }
  return out;
}

/**
 * The query's condition vector: its growth conditions, the group from its rRNA call and its genome
 * embedding. The embedding is dropped (masked) when it has another size than the model's genome
 * slot, or when `sameGenomeModel` is false (embedded by another genome VAE than the CVAE's).
 */
export function cvaeConditionVector(cvae: RecipeCvae, conditions: GrowthConditions, query: Pick<GenomeQuery, 'domainCall' | 'latent'>, sameGenomeModel = true): Float32Array {
  const G = cvae.config.genomeDim;
  const genome = sameGenomeModel && query.latent && query.latent.length === G ? query.latent : null;
  return encodeCondition(recipeConditionForQuery(conditions, query.domainCall, genome), G);
}

/** Every medium's CVAE evidence for one query and its conditions (one or a few tfjs calls). */
export function scoreMediaForQuery(cvae: RecipeCvae, modelId: string, media: ScoredMedia, conditions: GrowthConditions, query: Pick<GenomeQuery, 'domainCall' | 'latent'>, sameGenomeModel = true): CvaeMediumScores {
  const ll = scoreMediaLikelihood(cvae, media, cvaeConditionVector(cvae, conditions, query, sameGenomeModel)).logLikelihood;
  return cvaeScoresOf(modelId, ll);
}

