/**
 * The genome VAE (the design documents' VAEMulti): CLR profile → [Dense → BatchNorm → LeakyReLU]×n
 * → latent mean and log-variance → mirrored decoder → 2,772 outputs. Built from a resolved config;
 * no training, database or UI code here (see train-vae.ts for the loop, weights.ts for saving).
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedVaeConfig } from './vae-config';

interface HiddenBlock {
  dense: tf.layers.Layer;
  bn: tf.layers.Layer;
}

export interface GenomeVae {
  readonly config: ResolvedVaeConfig;
  /** Latent mean and log-variance for a batch of CLR profiles. */
  encode(x: tf.Tensor2D, training?: boolean): { mean: tf.Tensor2D; logVar: tf.Tensor2D };
  /** CLR reconstruction for a batch of latent vectors. */
  decode(z: tf.Tensor2D, training?: boolean): tf.Tensor2D;
  /** Trainable variables in a fixed order (the optimizer state follows it). */
  trainableVariables(): tf.Variable[];
  /** Every weight (trainable and BatchNorm moving statistics) in a fixed order, for saving. */
  allWeights(): tf.LayerVariable[];
  dispose(): void;
}

/** log-variance is clipped to this range before exp(), so a bad batch cannot overflow. */
export const LOG_VAR_CLIP = 10;

function seeded(seed: number, i: number) {
  return tf.initializers.glorotUniform({ seed: seed * 131 + i });
}

function block(units: number, seed: number, i: number): HiddenBlock {
  return {
    dense: tf.layers.dense({ units, kernelInitializer: seeded(seed, i) }),
    bn: tf.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3 }),
  };
}

/** Builds the VAE with seeded initial weights. Call dispose() when done. */
export function buildGenomeVae(config: ResolvedVaeConfig): GenomeVae {
  const { inputDim, hiddenDims, latentDim, leakyAlpha, seed } = config;
  let li = 0;
  const encoder = hiddenDims.map((w) => block(w, seed, li++));
  const meanLayer = tf.layers.dense({ units: latentDim, kernelInitializer: seeded(seed, li++) });
  const logVarLayer = tf.layers.dense({ units: latentDim, kernelInitializer: seeded(seed, li++) });
  const decoder = [...hiddenDims].reverse().map((w) => block(w, seed, li++));
  const outLayer = tf.layers.dense({ units: inputDim, kernelInitializer: seeded(seed, li++) });

  const run = (blocks: HiddenBlock[], x: tf.Tensor2D, training: boolean): tf.Tensor2D => {
    let h = x;
    for (const b of blocks) {
      // Training computes the first encoder layer unfused: the fused Dense always forms the
      // gradient with respect to its input, a full 2,772-wide product nobody needs (5-12 % faster).
      // Inference keeps the fused layer, so embeddings stay bit-identical to the bundled ones.
      const d = (training && b === encoder[0] && b.dense.built
        ? tf.add(tf.matMul(h, b.dense.trainableWeights[0].read()), b.dense.trainableWeights[1].read())
        : b.dense.apply(h)) as tf.Tensor2D;
      const n = b.bn.apply(d, { training }) as tf.Tensor2D;
      h = tf.leakyRelu(n, leakyAlpha);
    }
    return h;
  };

  const vae: GenomeVae = {
    config,
    encode(x, training = false) {
      return tf.tidy(() => {
        const h = run(encoder, x, training);
        const mean = meanLayer.apply(h) as tf.Tensor2D;
        const logVar = tf.clipByValue(logVarLayer.apply(h) as tf.Tensor2D, -LOG_VAR_CLIP, LOG_VAR_CLIP);
        return { mean, logVar };
      });
    },
    decode(z, training = false) {
      return tf.tidy(() => outLayer.apply(run(decoder, z, training)) as tf.Tensor2D);
    },
    trainableVariables() {
      return layers().flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    },
    allWeights() {
      return layers().flatMap((l) => l.weights);
    },
    dispose() {
      for (const l of layers()) l.dispose();
    },
  };
  const layers = () => [...encoder.flatMap((b) => [b.dense, b.bn]), meanLayer, logVarLayer, ...decoder.flatMap((b) => [b.dense, b.bn]), outLayer];

  // Build every layer now (inference mode: BatchNorm statistics stay at their initial values).
  tf.tidy(() => vae.decode(vae.encode(tf.zeros([1, inputDim]) as tf.Tensor2D).mean));
  return vae;
}

export interface VaeLosses {
  /** Mean squared reconstruction error per feature (the design documents' "MSE"). */
  recon: tf.Scalar;
  /** KL divergence to N(0, I) in nats, summed over latent dimensions, averaged over the batch. */
  kl: tf.Scalar;
  /**
   * recon + klWeight · kl / latentDim: both terms are means (per feature, per latent dimension),
   * as in the design documents, so β = 0.05 means the same at any latent size. (With the KL
   * summed instead, β = 0.05 collapsed the posterior to ~5 nats on the shared genomes and halved
   * the local-distance correlation; see README "Genome VAE".)
   */
  total: tf.Scalar;
}

/** The VAE loss for one batch. `eps` is the reparameterisation noise (batch × latent). */
export function vaeLoss(vae: GenomeVae, x: tf.Tensor2D, eps: tf.Tensor2D, klWeight: number, training: boolean): VaeLosses {
  return tf.tidy(() => {
    const { mean, logVar } = vae.encode(x, training);
    const z = mean.add(tf.exp(logVar.mul(0.5)).mul(eps)) as tf.Tensor2D;
    const xHat = vae.decode(z, training);
    const recon = tf.mean(tf.squaredDifference(x, xHat)) as tf.Scalar;
    const kl = tf.mean(tf.sum(tf.exp(logVar).add(mean.square()).sub(logVar).sub(1), 1)).mul(0.5) as tf.Scalar;
    const total = recon.add(kl.mul(klWeight / vae.config.latentDim)) as tf.Scalar;
    return { recon, kl, total };
  });
}

/** KL weight after `epoch` completed epochs (0-based epoch being trained): linear warm-up to β. */
export function klWeightAt(epoch: number, beta: number, warmupEpochs: number): number {
  if (warmupEpochs <= 0) return beta;
  return beta * Math.min(1, (epoch + 1) / warmupEpochs);
}
