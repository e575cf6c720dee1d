/**
 * Saving and restoring model weights and optimizer state as plain bytes (a JSON-able manifest
 * plus one Float32Array), so they can go into the database's models table, a checkpoint, or a file.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../core/errors';
import type { GenomeVae } from './vae';

export interface WeightSpec {
  shape: number[];
}

export interface SerializedWeights {
  specs: WeightSpec[];
  /** All values, concatenated in spec order. */
  data: Float32Array;
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** Reads every weight of the model (trainable and BatchNorm statistics). */
export async function exportModelWeights(vae: GenomeVae): Promise<SerializedWeights> {
  const ws = vae.allWeights();
  const values = await Promise.all(ws.map((w) => w.read().data() as Promise<Float32Array>));
  return { specs: ws.map((w) => ({ shape: [...w.shape] as number[] })), data: concat(values) };
}

function checkSpecs(what: string, expected: number[][], got: WeightSpec[], data: Float32Array): void {
  const same = expected.length === got.length && expected.every((s, i) => s.length === got[i].shape.length && s.every((d, j) => d === got[i].shape[j]));
  const size = got.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  if (!same || size !== data.length) {
    throw new AppError('DATA_INVALID', `${what}: the saved weights do not fit this model (expected ${expected.length} tensors ${JSON.stringify(expected.slice(0, 3))}…, got ${got.length})`, 'the model configuration must match the one the weights were saved with');
  }
}

function* slices(specs: WeightSpec[], data: Float32Array): Generator<[WeightSpec, Float32Array]> {
  let o = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    yield [s, data.subarray(o, o + n)];
    o += n;
  }
}

/** Writes saved weights into a model of the same configuration. */
export function importModelWeights(vae: GenomeVae, saved: SerializedWeights, what = 'model'): void {
  const ws = vae.allWeights();
  checkSpecs(what, ws.map((w) => [...w.shape] as number[]), saved.specs, saved.data);
  let i = 0;
  for (const [s, values] of slices(saved.specs, saved.data)) {
    const t = tf.tensor(values, s.shape, 'float32');
    ws[i++].write(t);
    t.dispose();
  }
}

/** Adam state (iteration count and moments), in the order of the variables it updates. */
export async function exportOptimizerState(optimizer: tf.Optimizer): Promise<SerializedWeights> {
  const named = await optimizer.getWeights();
  const values = await Promise.all(named.map((n) => n.tensor.data() as Promise<Float32Array>));
  return { specs: named.map((n) => ({ shape: [...n.tensor.shape] })), data: concat(values.map((v) => Float32Array.from(v))) };
}

export async function importOptimizerState(optimizer: tf.Optimizer, saved: SerializedWeights): Promise<void> {
  const named: { name: string; tensor: tf.Tensor }[] = [];
  let i = 0;
  for (const [s, values] of slices(saved.specs, saved.data)) named.push({ name: `w${i++}`, tensor: tf.tensor(values.slice(), s.shape, 'float32') });
  await optimizer.setWeights(named);
  for (const n of named) n.tensor.dispose();
}

/** Bytes layout for storage: [u32 json length][json specs][pad to 4][float32 data]. */
export function packWeights(w: SerializedWeights): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(w.specs));
  const head = 4 + json.length;
  const pad = (4 - (head % 4)) % 4;
  const out = new Uint8Array(head + pad + w.data.byteLength);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), head + pad);
  return out;
}

export function unpackWeights(bytes: Uint8Array, what = 'weights'): SerializedWeights {
  try {
    const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
    const specs = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))) as WeightSpec[];
    const head = 4 + len;
    const start = head + ((4 - (head % 4)) % 4);
    const body = bytes.slice(start); // copy: aligned, and independent of the source buffer
    return { specs, data: new Float32Array(body.buffer, 0, body.byteLength / 4) };
  } catch (e) {
    throw new AppError('DATA_INVALID', `${what}: not a MediaForge weights blob (${(e as Error).message})`);
  }
}
