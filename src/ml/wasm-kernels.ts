/**
 * Faster tfjs-backend-wasm 4.22 kernels for the genome VAE's training step, registered in place
 * of the package's own under the same names. Results equal the originals up to float rounding
 * (tests/unit/wasm-kernels.test.ts checks them against the cpu backend).
 *
 * Where a training step lost its time on one core:
 * - BatchMatMul with transposeA/transposeB ran on a generic loop (~2–4 GFLOP/s). The fast
 *   XNNPACK path packs its second operand (~2 ns an element) on every call, so which operand is
 *   second matters: dx = g·Wᵀ is computed as (W·gᵀ)ᵀ (only batch-sized copies, W not repacked),
 *   dW = xᵀ·g as T(x)·g, and the forward x·W as (Wᵀ·xᵀ)ᵀ when that packs less (planMatMul).
 * - Tile (BatchNorm's gradient tiles 1/σ over the batch) took ~1 ms a call: now a few memcpy.
 * - Sum and Mean over the batch axis (bias and BatchNorm gradients, BatchNorm moments) transposed
 *   the whole input first: now one SIMD pass.
 * - Identity copied the tensor (tfjs clones every tensor it saves for the backward pass): now it
 *   shares the buffer, as the cpu and webgl backends do.
 * Batched matmuls (rank > 2) run as one fast 2D product per batch instead of the generic loop.
 * Measured in Node, one core, training samples/s before → after (→ with createFastAdam):
 * default 256/128 batch 64 1,610 → 2,160 (→ 2,550); batch 256 2,550 → 3,270 (→ 3,580);
 * design-doc batch 256 600 → 790 (→ 860). The big products now run at XNNPACK's ~45 GFLOP/s.
 *
 * `createFastAdam` is tfjs's Adam (same formula, bits, state and checkpoint format) updating each
 * variable in one pass instead of 14 kernels, on the wasm and cpu backends; train-vae.ts decides
 * whether to use it.
 */
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;

interface WasmData {
  id: number;
  memoryOffset: number;
}

/** The parts of tfjs-backend-wasm's BackendWasm used here (it exports no types for them). */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): WasmData | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: Record<string, unknown> };

const BYTES_PER_ELEMENT: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

let originals: Record<string, tf.KernelConfig> | null = null;

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function as(t: Info, shape: number[]): Info {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

function offsetOf(be: WasmBackend, t: Info): number {
  return be.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** A view of a float32 tensor on the wasm heap. Take it after the last allocation: growing the heap detaches old views. */
function heapF32(be: WasmBackend, t: Info): Float32Array {
  return new Float32Array(be.wasm.HEAPU8.buffer, offsetOf(be, t), sizeOf(t.shape));
}

function runOriginal(name: string, be: WasmBackend, inputs: tf.NamedTensorInfoMap, attrs: Record<string, unknown> = {}): Info {
  return originals![name].kernelFunc({ inputs, backend: be as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

// ---------------------------------------------------------------------------------------------
// Transpose

/**
 * The wasm Transpose kernel slows down 5–10× when its output rows are a multiple of 32 floats
 * long (cache-set conflicts: 512×2772 → 2772×512 took 6–10 ms). Transposing a copy with 4 padding
 * rows and then dropping the padding (two memcpy-speed passes) takes ~1 ms there.
 */
function transposeNeedsPadding(rows: number): boolean {
  return rows >= 128 && rows % 32 === 0;
}

const TRANSPOSE_PAD_ROWS = 4;

/** A new cols×rows tensor holding the transpose of the rows×cols float32 matrix x. */
function transpose2d(be: WasmBackend, x: Info, rows: number, cols: number): Info {
  if (rows === 1 || cols === 1) {
    // A copy, not a shared buffer: XNNPACK caches packed weights by buffer, whatever the shape.
    const out = be.makeOutput([cols, rows], 'float32');
    const src = offsetOf(be, x);
    be.wasm.HEAPU8.copyWithin(offsetOf(be, out), src, src + rows * cols * 4);
    return out;
  }
  if (!transposeNeedsPadding(rows)) return runOriginal('Transpose', be, { x: as(x, [rows, cols]) }, { perm: [1, 0] });
  const padded = rows + TRANSPOSE_PAD_ROWS;
  const xp = be.makeOutput([padded, cols], 'float32');
  const src = offsetOf(be, x);
  be.wasm.HEAPU8.copyWithin(offsetOf(be, xp), src, src + rows * cols * 4);
  const t = runOriginal('Transpose', be, { x: xp }, { perm: [1, 0] });
  be.disposeData(xp.dataId);
  const out = be.makeOutput([cols, rows], 'float32');
  const heap = be.wasm.HEAPU8;
  const from = offsetOf(be, t);
  const to = offsetOf(be, out);
  for (let j = 0; j < cols; j++) heap.copyWithin(to + j * rows * 4, from + j * padded * 4, from + (j * padded + rows) * 4);
  be.disposeData(t.dataId);
  return out;
}

/** out[M,N] = tᵀ + bias, from t[N,M]: the transpose (a new tensor, ours to change), then the bias row by row. */
function transposeAddBias(be: WasmBackend, t: Info, n: number, m: number, bias: Info): Info {
  const out = transpose2d(be, t, n, m);
  const simd = simdFor(be);
  const head = simd ? n - (n % 4) : 0;
  if (simd && head > 0) simd.addrows(offsetOf(be, out), offsetOf(be, bias), m, n * 4, head * 4);
  if (head < n) {
    const dst = heapF32(be, out);
    const b = heapF32(be, bias);
    for (let i = 0; i < m; i++) for (let j = head; j < n; j++) dst[i * n + j] += b[j];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Matrix products

export type MatMulPlan = 'direct' | 'swapped';

/** Estimated nanoseconds an element: XNNPACK's packing of the second operand, and a transpose. */
const PACK_NS = 2.2;
function transposeNs(rows: number): number {
  return transposeNeedsPadding(rows) ? 0.7 : 0.4;
}

let forcedPlan: MatMulPlan | null = null;

/** Tests and benchmarks: force every 2D product onto one plan (null: choose by cost). */
export function forceMatMulPlan(plan: MatMulPlan | null): void {
  forcedPlan = plan;
}

/**
 * C[M,N] = op(A)[M,K]·op(B)[K,N] on XNNPACK needs both operands untransposed and packs the second.
 * 'direct' multiplies op(A)·op(B) (transposing stored-transposed operands first); 'swapped'
 * computes Cᵀ = op(B)ᵀ·op(A)ᵀ and transposes the small result. The plans round differently, so
 * the choice depends on the shapes only: the same product always gives the same bits (training
 * resumed from a checkpoint must match an uninterrupted run). XNNPACK's cache of packed weights
 * still serves direct products that reuse a weight, e.g. inference at batch 512.
 */
export function planMatMul(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): MatMulPlan {
  if (forcedPlan) return forcedPlan;
  const direct = (transposeA ? transposeNs(k) * k * m : 0) + (transposeB ? transposeNs(n) * n * k : 0) + PACK_NS * k * n;
  const swapped = (transposeB ? 0 : transposeNs(k) * k * n) + (transposeA ? 0 : transposeNs(m) * m * k) + PACK_NS * k * m + transposeNs(n) * n * m;
  return swapped < direct ? 'swapped' : 'direct';
}

interface Fused {
  bias: Info | null;
  prelu: Info | null;
  activation: string;
  leakyreluAlpha: number;
}

/** C = op(A)·op(B) for 2D float32 A (M×K, stored K×M if transposeA) and B (K×N, stored N×K if transposeB). */
function matMul2d(be: WasmBackend, a: Info, b: Info, transposeA: boolean, transposeB: boolean, m: number, k: number, n: number, fused: Fused | null): Info {
  const temps: Info[] = [];
  const temp = (t: Info) => (temps.push(t), t);
  const canSwap = !fused || (fused.activation === 'linear' && (!fused.bias || sizeOf(fused.bias.shape) === n));
  const plan = canSwap ? planMatMul(m, k, n, transposeA, transposeB) : 'direct';
  let out: Info;
  if (plan === 'direct') {
    // The original kernels take rank-3 operands (batch 1 runs on XNNPACK).
    const a2 = as(transposeA ? temp(transpose2d(be, a, k, m)) : a, [1, m, k]);
    const b2 = as(transposeB ? temp(transpose2d(be, b, n, k)) : b, [1, k, n]);
    const attrs = { transposeA: false, transposeB: false };
    out = fused
      ? runOriginal('_FusedMatMul', be, { a: a2, b: b2, bias: fused.bias!, preluActivationWeights: fused.prelu! }, { ...attrs, activation: fused.activation, leakyreluAlpha: fused.leakyreluAlpha })
      : runOriginal('BatchMatMul', be, { a: a2, b: b2 }, attrs);
  } else {
    const first = as(transposeB ? b : temp(transpose2d(be, b, k, n)), [1, n, k]);
    const second = as(transposeA ? a : temp(transpose2d(be, a, m, k)), [1, k, m]);
    const outT = temp(runOriginal('BatchMatMul', be, { a: first, b: second }, { transposeA: false, transposeB: false }));
    out = fused?.bias ? transposeAddBias(be, outT, n, m, fused.bias) : transpose2d(be, outT, n, m);
  }
  for (const t of temps) be.disposeData(t.dataId);
  return as(out, [m, n]);
}

/** Row/column counts of op(A)[M,K] and op(B)[K,N] from rank ≥ 2 shapes. */
function productDims(a: Info, b: Info, transposeA: boolean, transposeB: boolean) {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  return { m, k, kb, n, outerA: a.shape.slice(0, -2), outerB: b.shape.slice(0, -2) };
}

/** Batched product: one fast 2D product per (broadcast) batch, operands copied out of the batch. */
function batchedMatMul(be: WasmBackend, a: Info, b: Info, transposeA: boolean, transposeB: boolean, outer: number[], outerA: number[], outerB: number[], m: number, k: number, n: number): Info {
  const out = be.makeOutput([...outer, m, n], 'float32');
  const rank = outer.length;
  const padA = [...new Array(rank - outerA.length).fill(1), ...outerA];
  const padB = [...new Array(rank - outerB.length).fill(1), ...outerB];
  const sizeA = m * k;
  const sizeB = k * n;
  const shapeA = transposeA ? [k, m] : [m, k];
  const shapeB = transposeB ? [n, k] : [k, n];
  const batches = sizeOf(outer);
  const idx = new Array<number>(rank).fill(0);
  const slice = (x: Info, batch: number, size: number, shape: number[]): Info => {
    const t = be.makeOutput(shape, 'float32');
    const src = offsetOf(be, x) + batch * size * 4;
    be.wasm.HEAPU8.copyWithin(offsetOf(be, t), src, src + size * 4);
    return t;
  };
  for (let i = 0; i < batches; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia = ia * padA[d] + (padA[d] === 1 ? 0 : idx[d]);
      ib = ib * padB[d] + (padB[d] === 1 ? 0 : idx[d]);
    }
    const ai = slice(a, ia, sizeA, shapeA);
    const bi = slice(b, ib, sizeB, shapeB);
    const ci = matMul2d(be, ai, bi, transposeA, transposeB, m, k, n, null);
    const dst = offsetOf(be, out) + i * m * n * 4;
    const src = offsetOf(be, ci);
    be.wasm.HEAPU8.copyWithin(dst, src, src + m * n * 4);
    for (const t of [ai, bi, ci]) be.disposeData(t.dataId);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outer[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function batchMatMulKernel({ inputs, backend: be, attrs }: KernelArgs): Info {
  const a = inputs.a as Info;
  const b = inputs.b as Info;
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return runOriginal('BatchMatMul', be, inputs, attrs);
  const { m, k, kb, n, outerA, outerB } = productDims(a, b, transposeA, transposeB);
  if (k !== kb || m * k * n === 0) return runOriginal('BatchMatMul', be, inputs, attrs);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  if (sizeOf(outer) === 1) return as(matMul2d(be, a, b, transposeA, transposeB, m, k, n, null), [...outer, m, n]);
  return batchedMatMul(be, a, b, transposeA, transposeB, outer, outerA, outerB, m, k, n);
}

function fusedMatMulKernel({ inputs, backend: be, attrs }: KernelArgs): Info {
  const a = inputs.a as Info;
  const b = inputs.b as Info;
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as { transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number };
  const bias = (inputs.bias as Info | undefined) ?? null;
  const prelu = (inputs.preluActivationWeights as Info | undefined) ?? null;
  const { m, k, kb, n, outerA, outerB } = productDims(a, b, transposeA, transposeB);
  const batches = sizeOf(outerA) * sizeOf(outerB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || k !== kb || m * k * n === 0 || (bias && bias.shape.length !== 1)) return runOriginal('_FusedMatMul', be, inputs, attrs);
  if (batches !== 1) {
    // Rare (not in the VAE): transpose explicitly and let the original kernel loop over batches.
    const temps: Info[] = [];
    const swap = (x: Info): Info => {
      const perm = x.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 1], perm[r - 2]] = [perm[r - 2], perm[r - 1]];
      const t = runOriginal('Transpose', be, { x }, { perm });
      temps.push(t);
      return t;
    };
    const out = runOriginal('_FusedMatMul', be, { ...inputs, a: transposeA ? swap(a) : a, b: transposeB ? swap(b) : b }, { ...attrs, transposeA: false, transposeB: false });
    for (const t of temps) be.disposeData(t.dataId);
    return out;
  }
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const out = matMul2d(be, a, b, transposeA, transposeB, m, k, n, { bias, prelu, activation, leakyreluAlpha: leakyreluAlpha ?? 0 });
  return as(out, [...outer, m, n]);
}

// ---------------------------------------------------------------------------------------------
// Tile, Identity, Sum, Mean

/** out = tile(x, reps) by contiguous copies: each level copies its block once, then doubles it. */
function tileKernel({ inputs, backend: be, attrs }: KernelArgs): Info {
  const x = inputs.x as Info;
  const reps = attrs.reps as number[];
  const bpe = BYTES_PER_ELEMENT[x.dtype];
  if (!bpe) return runOriginal('Tile', be, inputs, attrs);
  const rank = x.shape.length;
  const outShape = x.shape.map((s, i) => s * reps[i]);
  const out = be.makeOutput(outShape, x.dtype);
  if (sizeOf(outShape) === 0) return out;
  const inStride = new Array<number>(rank + 1).fill(1);
  const outStride = new Array<number>(rank + 1).fill(1);
  for (let d = rank - 1; d >= 0; d--) {
    inStride[d] = inStride[d + 1] * x.shape[d];
    outStride[d] = outStride[d + 1] * outShape[d];
  }
  let tail = rank;
  while (tail > 0 && reps[tail - 1] === 1) tail--;
  const heap = be.wasm.HEAPU8;
  const src0 = offsetOf(be, x);
  const dst0 = offsetOf(be, out);
  const fill = (d: number, s: number, o: number): void => {
    if (d === tail) {
      heap.copyWithin(dst0 + o * bpe, src0 + s * bpe, src0 + (s + inStride[d]) * bpe);
      return;
    }
    for (let i = 0; i < x.shape[d]; i++) fill(d + 1, s + i * inStride[d + 1], o + i * outStride[d + 1]);
    const block = x.shape[d] * outStride[d + 1];
    for (let done = 1; done < reps[d]; ) {
      const n = Math.min(done, reps[d] - done);
      heap.copyWithin(dst0 + (o + done * block) * bpe, dst0 + o * bpe, dst0 + (o + n * block) * bpe);
      done += n;
    }
  };
  fill(0, 0, 0);
  return out;
}

function identityKernel({ inputs, backend: be }: KernelArgs): Info {
  const x = inputs.x as Info;
  if (!BYTES_PER_ELEMENT[x.dtype]) return runOriginal('Identity', be, inputs);
  be.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Sum or mean over axes that lead the non-unit dimensions (x viewed as rows × cols, reduced over
 * rows): one pass in float32 in row order, the order the original kernel adds in after its
 * transpose. Returns null for other reductions.
 */
function reduceLeading(be: WasmBackend, x: Info, axis: number | number[], keepDims: boolean, mean: boolean): Info | null {
  if (x.dtype !== 'float32') return null;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  let rows = 1;
  let cols = 1;
  for (let d = 0; d < x.shape.length; d++) {
    if (x.shape[d] === 1) continue;
    if (axes.includes(d)) {
      if (cols > 1) return null;
      rows *= x.shape[d];
    } else cols *= x.shape[d];
  }
  if (rows === 1 || cols === 1) return null;
  const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
  const out = be.makeOutput(keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape, 'float32');
  const src = heapF32(be, x);
  const dst = heapF32(be, out);
  dst.set(src.subarray(0, cols));
  const simd = simdFor(be);
  const head = simd ? cols - (cols % 4) : 0;
  if (simd && head > 0) simd.colsum(offsetOf(be, x), offsetOf(be, out), rows, cols * 4, head * 4);
  for (let i = 1; i < rows; i++) {
    const r = i * cols;
    for (let j = head; j < cols; j++) dst[j] += src[r + j];
  }
  if (mean) for (let j = 0; j < cols; j++) dst[j] /= rows;
  return out;
}

function sumKernel(args: KernelArgs): Info {
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  return reduceLeading(args.backend, args.inputs.x as Info, axis, keepDims, false) ?? runOriginal('Sum', args.backend, args.inputs, args.attrs);
}

function meanKernel(args: KernelArgs): Info {
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  return reduceLeading(args.backend, args.inputs.x as Info, axis, keepDims, true) ?? runOriginal('Mean', args.backend, args.inputs, args.attrs);
}

// ---------------------------------------------------------------------------------------------
// Adam in one pass

const ADAM_KERNEL = 'MediaForgeAdamUpdate';

interface AdamAttrs {
  beta1: number;
  beta2: number;
  /** 1 − β₁ᵗ and 1 − β₂ᵗ for this step. */
  correction1: number;
  correction2: number;
  epsilon: number;
  learningRate: number;
}

/**
 * One Adam step for one variable, in the order and float32 rounding of tfjs's AdamOptimizer:
 * m' = β₁m + (1−β₁)g, v' = β₂v + (1−β₂)g², w' = w − lr·(m'/c₁)/(√(v'/c₂) + ε).
 */
function adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, w1: Float32Array, m1: Float32Array, v1: Float32Array, a: AdamAttrs): void {
  const f = Math.fround;
  const b1 = f(a.beta1);
  const c1b1 = f(1 - a.beta1);
  const b2 = f(a.beta2);
  const c1b2 = f(1 - a.beta2);
  const c1 = f(a.correction1);
  const c2 = f(a.correction2);
  const eps = f(a.epsilon);
  const negLr = f(-a.learningRate);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(gi * c1b1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * c1b2));
    m1[i] = mi;
    v1[i] = vi;
    w1[i] = f(f(f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps)) * negLr) + w[i]);
  }
}

// Hand-assembled WebAssembly SIMD loops sharing the tfjs module's memory: Adam's update (the JS
// loop above runs ~7 ns an element, on double-precision division and square root; the SIMD loop
// is memory-bound) and column sums. f32x4 arithmetic rounds every lane like the scalar float32
// operation it replaces, in the same order, so results are bit-identical.

interface SimdLoops {
  /** adamUpdate over `bytes` bytes (a multiple of 16) of w g m v into w1 m1 v1, scalars as in wasmSimdModule. */
  adam(w: number, g: number, m: number, v: number, w1: number, m1: number, v1: number, bytes: number, ...scalars: number[]): void;
  /** dst[j] += src[i·rowBytes + j] for rows i = 1..rows−1, j < groupBytes (a multiple of 16). */
  colsum(src: number, dst: number, rows: number, rowBytes: number, groupBytes: number): void;
  /** dst[i·rowBytes + j] += row[j] for rows i = 0..rows−1, j < groupBytes (a multiple of 16). */
  addrows(dst: number, row: number, rows: number, rowBytes: number, groupBytes: number): void;
}

function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function wasmSimdModule(shared: boolean): WebAssembly.Module {
  const I32 = 0x7f;
  const F32 = 0x7d;
  const V128 = 0x7b;
  const name = (s: string) => [...leb128(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const section = (id: number, body: number[]) => [id, ...leb128(body.length), ...body];
  const get = (i: number) => [0x20, ...leb128(i)];
  const set = (i: number) => [0x21, ...leb128(i)];
  const simd = (op: number) => [0xfd, ...leb128(op)];
  const [SPLAT, SQRT, ADD, MUL, DIV] = [0x13, 0xe3, 0xe4, 0xe6, 0xe7].map(simd);
  const LOAD = [...simd(0x00), 2, 0];
  const STORE = [...simd(0x0b), 2, 0];
  const [I32_ADD, I32_MUL, I32_GE_U] = [0x6a, 0x6c, 0x4f];
  /** block { loop { if (counter >= limit) break; body; counter += step; continue } } */
  const forLoop = (counter: number, limit: number[], step: number[], body: number[]) => [
    0x02, 0x40, 0x03, 0x40, ...get(counter), ...limit, I32_GE_U, 0x0d, 1,
    ...body,
    ...get(counter), ...step, I32_ADD, ...set(counter), 0x0c, 0, 0x0b, 0x0b,
  ];
  const code = (locals: [number, number][], body: number[]) => {
    const c = [...leb128(locals.length), ...locals.flatMap(([n, t]) => [n, t]), ...body, 0x0b];
    return [...leb128(c.length), ...c];
  };

  // adam — params: 0..6 pointers w g m v w1 m1 v1, 7 byte count, 8..15 β₁ 1−β₁ β₂ 1−β₂ c₁ c₂ ε −lr
  const adamParams = [...new Array(8).fill(I32), ...new Array(8).fill(F32)];
  const [IDX, K, G, M, V] = [16, 17, 25, 26, 27]; // K..K+7: the scalars splat into v128
  const at = (ptr: number) => [...get(ptr), ...get(IDX), I32_ADD];
  const load = (ptr: number) => [...at(ptr), ...LOAD];
  const adam = code(
    [[1, I32], [8, V128], [3, V128]],
    [
      ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => [...get(8 + k), ...SPLAT, ...set(K + k)]),
      ...forLoop(IDX, get(7), [0x41, 16], [
        ...load(1), ...set(G),
        ...load(2), ...get(K), ...MUL, ...get(G), ...get(K + 1), ...MUL, ...ADD, ...set(M),
        ...load(3), ...get(K + 2), ...MUL, ...get(G), ...get(G), ...MUL, ...get(K + 3), ...MUL, ...ADD, ...set(V),
        ...at(5), ...get(M), ...STORE,
        ...at(6), ...get(V), ...STORE,
        ...at(4),
        ...get(M), ...get(K + 4), ...DIV,
        ...get(V), ...get(K + 5), ...DIV, ...SQRT, ...get(K + 6), ...ADD,
        ...DIV, ...get(K + 7), ...MUL, ...load(0), ...ADD,
        ...STORE,
      ]),
    ],
  );

  // colsum — params: 0 src, 1 dst, 2 rows, 3 rowBytes, 4 groupBytes; locals 5 row offset, 6 j, 7 end
  const [SRC, DST, ROWS, ROW_BYTES, GROUP_BYTES, R, J, END] = [0, 1, 2, 3, 4, 5, 6, 7];
  const colsum = code(
    [[3, I32]],
    [
      ...get(ROWS), ...get(ROW_BYTES), I32_MUL, ...set(END),
      ...get(ROW_BYTES), ...set(R),
      ...forLoop(R, get(END), get(ROW_BYTES), [
        0x41, 0, ...set(J),
        ...forLoop(J, get(GROUP_BYTES), [0x41, 16], [
          ...get(DST), ...get(J), I32_ADD,
          ...get(DST), ...get(J), I32_ADD, ...LOAD,
          ...get(SRC), ...get(R), I32_ADD, ...get(J), I32_ADD, ...LOAD,
          ...ADD, ...STORE,
        ]),
      ]),
    ],
  );

  // addrows — params: 0 dst, 1 row, 2 rows, 3 rowBytes, 4 groupBytes; locals 5 row offset, 6 j, 7 end
  const [OUT, ROW] = [0, 1];
  const addrows = code(
    [[3, I32]],
    [
      ...get(ROWS), ...get(ROW_BYTES), I32_MUL, ...set(END),
      0x41, 0, ...set(R),
      ...forLoop(R, get(END), get(ROW_BYTES), [
        0x41, 0, ...set(J),
        ...forLoop(J, get(GROUP_BYTES), [0x41, 16], [
          ...get(OUT), ...get(R), I32_ADD, ...get(J), I32_ADD,
          ...get(OUT), ...get(R), I32_ADD, ...get(J), I32_ADD, ...LOAD,
          ...get(ROW), ...get(J), I32_ADD, ...LOAD,
          ...ADD, ...STORE,
        ]),
      ]),
    ],
  );

  const memoryLimits = shared ? [0x03, 0x00, ...leb128(65536)] : [0x00, 0x00];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, ...leb128(adamParams.length), ...adamParams, 0, 0x60, 5, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...memoryLimits]),
    ...section(3, [3, 0, 1, 1]),
    ...section(7, [3, ...name('adam'), 0x00, 0, ...name('colsum'), 0x00, 1, ...name('addrows'), 0x00, 2]),
    ...section(10, [3, ...adam, ...colsum, ...addrows]),
  ];
  return new WebAssembly.Module(new Uint8Array(bytes));
}

const simdByMemory = new WeakMap<WebAssembly.Memory, SimdLoops | null>();

/** The SIMD loops bound to this backend's memory, or null (then the JS loops run). */
function simdFor(be: WasmBackend): SimdLoops | null {
  // The memory is exported by the SIMD build and imported (shared) by the threaded one.
  const module = be.wasm as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  const memory = module.asm?.memory ?? module.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (!simdByMemory.has(memory)) {
    let loops: SimdLoops | null = null;
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      loops = new WebAssembly.Instance(wasmSimdModule(shared), { env: { memory } }).exports as unknown as SimdLoops;
    } catch {
      loops = null; // no SIMD, or an engine that refuses the module
    }
    simdByMemory.set(memory, loops);
  }
  return simdByMemory.get(memory)!;
}

function adamWasmKernel({ inputs, backend: be, attrs }: KernelArgs): Info[] {
  const { w, g, m, v } = inputs as Record<string, Info>;
  const outs = [w, m, v].map((t) => be.makeOutput(t.shape, 'float32'));
  const a = attrs as unknown as AdamAttrs;
  const n = sizeOf(w.shape);
  const simd = simdFor(be);
  const head = simd ? n - (n % 4) : 0;
  if (simd && head > 0) {
    const f = Math.fround;
    const ptrs = [w, g, m, v, ...outs].map((t) => offsetOf(be, t));
    simd.adam(ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], ptrs[5], ptrs[6], head * 4, f(a.beta1), f(1 - a.beta1), f(a.beta2), f(1 - a.beta2), f(a.correction1), f(a.correction2), f(a.epsilon), f(-a.learningRate));
  }
  if (head < n) {
    const [w1, m1, v1] = outs.map((t) => heapF32(be, t).subarray(head));
    const tail = (t: Info) => heapF32(be, t).subarray(head);
    adamUpdate(tail(w), tail(g), tail(m), tail(v), w1, m1, v1, a);
  }
  return outs;
}

interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): Info;
}

function adamCpuKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: CpuBackend; attrs: Record<string, unknown> }): Info[] {
  const { w, g, m, v } = inputs as Record<string, Info>;
  const read = (t: Info) => backend.data.get(t.dataId).values;
  const n = sizeOf(w.shape);
  const [w1, m1, v1] = [0, 1, 2].map(() => new Float32Array(n));
  adamUpdate(read(w), read(g), read(m), read(v), w1, m1, v1, attrs as unknown as AdamAttrs);
  return [backend.makeTensorInfo(w.shape, 'float32', w1), backend.makeTensorInfo(m.shape, 'float32', m1), backend.makeTensorInfo(v.shape, 'float32', v1)];
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
type NamedTensorList = Extract<VariableGradients, unknown[]>;

/**
 * tfjs's AdamOptimizer with each variable updated by one kernel on the wasm and cpu backends
 * instead of 14 (for the 3.1 M parameters of the 512/256 model: 22–38 ms → 5–15 ms a step on
 * wasm, 390–580 ms → 30–70 ms on cpu). Same formula and float32 rounding (bit-identical
 * results), same state variables and getWeights/setWeights format, so checkpoints of either
 * load into the other. Other backends run the original implementation.
 */
class FastAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    const backendName = tf.getBackend();
    if (!tf.getKernel(ADAM_KERNEL, backendName)) return super.applyGradients(variableGradients);
    const self = this as unknown as {
      accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
      accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
      accBeta1: tf.Variable;
      accBeta2: tf.Variable;
      incrementIterations(): void;
    };
    const list = Array.isArray(variableGradients);
    const names = list ? (variableGradients as NamedTensorList).map((v) => v.name) : Object.keys(variableGradients);
    const [accBeta1, accBeta2] = [self.accBeta1.dataSync()[0], self.accBeta2.dataSync()[0]];
    const attrs: AdamAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      correction1: Math.fround(1 - accBeta1),
      correction2: Math.fround(1 - accBeta2),
      epsilon: this.epsilon,
      learningRate: this.learningRate,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (self.accumulatedFirstMoment[i] == null) self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (self.accumulatedSecondMoment[i] == null) self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = list ? (variableGradients as NamedTensorList)[i].tensor : (variableGradients as tf.NamedTensorMap)[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        if (value.dtype !== 'float32' || gradient.dtype !== 'float32') throw new Error(`Adam: ${name} is ${value.dtype}, expected float32`);
        const [w1, m1, v1] = tf.engine().runKernel(ADAM_KERNEL, { w: value, g: gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m1);
        v.assign(v1);
        value.assign(w1);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
    });
    self.incrementIterations();
  }
}

let adamKernelsRegistered = false;

/** tf.train.adam(learningRate) with the one-pass update on wasm and cpu (see FastAdamOptimizer). */
export function createFastAdam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.Optimizer {
  if (!adamKernelsRegistered) {
    tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: adamWasmKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: 'cpu', kernelFunc: adamCpuKernel as unknown as tf.KernelFunc });
    adamKernelsRegistered = true;
  }
  return new FastAdamOptimizer(learningRate, beta1, beta2, epsilon);
}

// ---------------------------------------------------------------------------------------------

const OVERRIDES: Record<string, (args: KernelArgs) => Info> = {
  BatchMatMul: batchMatMulKernel,
  _FusedMatMul: fusedMatMulKernel,
  Tile: tileKernel,
  Identity: identityKernel,
  Sum: sumKernel,
  Mean: meanKernel,
};

/**
 * Registers the faster wasm kernels (once; the package's kernels stay reachable for the cases
 * these don't handle). Call after the wasm backend is ready, in Node or in a browser worker.
 */
export function installFastWasmKernels(): void {
  if (originals) return;
  const found: Record<string, tf.KernelConfig> = {};
  for (const name of [...Object.keys(OVERRIDES), 'Transpose']) {
    const k = tf.getKernel(name, 'wasm');
    if (!k) return; // not the tfjs-backend-wasm this was written for: keep its kernels
    found[name] = k;
  }
  originals = found;
  for (const [name, kernelFunc] of Object.entries(OVERRIDES)) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...found[name], kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}

/** Puts the package's own kernels back (tests compare both). */
export function uninstallFastWasmKernels(): void {
  if (!originals) return;
  for (const name of Object.keys(OVERRIDES)) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(originals[name]);
  }
  originals = null;
}
