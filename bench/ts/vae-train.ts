/**
 * Genome VAE training benchmark: tfjs in Node (wasm and cpu backends) against PyTorch on the CPU
 * (bench/vae-torch.py, same architecture, loss, optimizer and batch) in the same run.
 *
 *   npx vite build --config vite.bench.config.ts && node dist-bench/vae-train.js [--quick] [--no-torch] [--no-threads]
 *
 * Prints ONE JSON object. For each configuration (default preset at batch 64 and 256, design-doc
 * preset at batch 256, and the former 512/256 default at batch 64) and each tfjs variant, in a
 * child process of its own:
 * - trainSamplesPerSec: training rows per second, median of timed windows after warm-up steps.
 *   A step is train-vae.ts's inner step (upload the batch, reparameterisation noise, variableGrads
 *   of vaeLoss, applyGradients); optimizer 'tfjs-adam' is tf.train.adam (what train-vae.ts uses),
 *   'fast-adam' is createFastAdam (wasm-kernels.ts).
 * - encodeSamplesPerSec: encodeMeans (latent mean, inference) at batch 512.
 * The 'wasm-threads' variant is experimental and off in the app: tfjs-backend-wasm's threaded
 * build, started in Node by the shims in startThreadedWasm.
 * Inputs are random CLR-like rows, normal(0, 1), 2,772 features, a pool of 8 batches.
 * PyTorch runs once with 1 thread (torch.set_num_threads(1) and OMP_NUM_THREADS=1) and once with
 * all cores; `defaultThreads` is torch.get_num_threads() in an unconfigured process.
 * `ratios` gives PyTorch's samples/s over ours (how many times slower tfjs is) for each variant,
 * `encodeRatios` the same for the fastest non-experimental encode. `cpuUtilization` (CPU seconds
 * per wall second while timing) shows a run that had to wait for a core on a busy machine.
 * Progress goes to stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { initNodeBackend } from '../../src/ml/node-backend';
import { encodeMeans } from '../../src/ml/train-vae';
import { buildGenomeVae, vaeLoss } from '../../src/ml/vae';
import { VAE_PRESETS, countVaeParameters, resolveVaeConfig, type VaeConfig } from '../../src/ml/vae-config';
import { installFastWasmMatMul } from '../../src/ml/wasm-matmul';
import { createFastAdam } from '../../src/ml/wasm-kernels';

type Variant = 'wasm' | 'cpu' | 'wasm-threads';
type OptimizerName = 'tfjs-adam' | 'fast-adam';

interface Timing {
  warmupSteps: number;
  windows: number;
  stepsPerWindow: number;
  /** Stop timing after the window that passes this many seconds (at least one window runs). */
  maxSeconds: number;
}

interface ChildSpec {
  variant: Variant;
  optimizer: OptimizerName;
  preset: string;
  /** Options over the preset (e.g. other layer widths). */
  overrides?: VaeConfig;
  batchSize: number;
  timing: Timing;
  encodeWindows: number;
  threads?: number;
}

interface ChildResult {
  variant: Variant;
  optimizer: OptimizerName;
  experimental?: boolean;
  threads?: number;
  trainSamplesPerSec: number;
  msPerStep: number;
  trainWindows: number[];
  /** CPU seconds per wall second over the timed windows: below 1 (one thread) means the run waited for a core. */
  cpuUtilization?: number;
  encodeSamplesPerSec: number;
  steps: number;
  error?: string;
}

const ENCODE_BATCH = 512;
const POOL_BATCHES = 8;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Seeded normal(0, 1) rows (mulberry32 + Box–Muller): reproducible CLR-like inputs. */
function randomRows(rows: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(rows * FEATURE_COUNT);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Experimental: tfjs-backend-wasm's threaded build in Node.

/**
 * The threaded build starts its pthreads from Blob URLs (Node's Worker refuses them), its
 * worker re-evaluates the factory's source (which refers to the bundle's `require$$N` and
 * `commonjsGlobal`), and it caps threads at os.cpus().length / 2. These shims cover the three
 * while the backend starts and are removed afterwards. Not robust enough for the app.
 */
async function startThreadedWasm(threads: number): Promise<number> {
  const require = createRequire(import.meta.url);
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const dir = mkdtempSync(join(os.tmpdir(), 'tfjs-wasm-threads-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const OrigBlob = globalThis.Blob;
  const origCreateObjectURL = URL.createObjectURL;
  const origCpus = os.cpus;
  let mainPath: string | null = null;
  let workers = 0;
  const prelude = "var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os'); var commonjsGlobal = globalThis;\n";
  class TextBlob extends OrigBlob {
    readonly text_: string;
    constructor(parts: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      this.text_ = parts.map(String).join('');
      if (this.text_.startsWith('var WasmBackendModuleThreadedSimd')) {
        mainPath = join(dir, 'main.js');
        writeFileSync(mainPath, prelude + this.text_);
      }
    }
  }
  globalThis.Blob = TextBlob as typeof Blob;
  URL.createObjectURL = (b: Blob) => {
    if (b instanceof TextBlob && b.text_.includes('worker_threads') && mainPath) {
      const text = b.text_.replace('if(typeof e.data.urlOrBlob=="string")', 'if(true)').replace('importScripts(e.data.urlOrBlob)', `importScripts(${JSON.stringify(mainPath)})`);
      const p = join(dir, `worker${workers++}.js`);
      writeFileSync(p, text);
      return p;
    }
    return origCreateObjectURL(b);
  };
  const fakeCpus = Array.from({ length: 2 * threads }, () => origCpus()[0]);
  (os as { cpus: () => os.CpuInfo[] }).cpus = () => fakeCpus;
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    setWasmPaths(`${wasmDir}/`);
    setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm backend did not start');
    await tf.ready();
  } finally {
    globalThis.Blob = OrigBlob;
    URL.createObjectURL = origCreateObjectURL;
    (os as { cpus: () => os.CpuInfo[] }).cpus = origCpus;
  }
  installFastWasmMatMul();
  return getThreadsCount();
}

// ---------------------------------------------------------------------------------------------
// One measurement (child process)

async function measure(spec: ChildSpec): Promise<ChildResult> {
  let threads: number | undefined;
  if (spec.variant === 'wasm-threads') threads = await startThreadedWasm(spec.threads ?? os.cpus().length);
  else await initNodeBackend(spec.variant);
  const config = resolveVaeConfig({ ...VAE_PRESETS[spec.preset], ...spec.overrides, batchSize: spec.batchSize });
  const vae = buildGenomeVae(config);
  const vars = vae.trainableVariables();
  const optimizer: tf.Optimizer = spec.optimizer === 'fast-adam' ? createFastAdam(config.learningRate) : tf.train.adam(config.learningRate);
  const b = config.batchSize;
  const d = FEATURE_COUNT;
  const pool = randomRows(POOL_BATCHES * b, 7);
  let lossSum = tf.scalar(0);
  let step = 0;
  // train-vae.ts's inner step (klWeight of a warmed-up epoch).
  const trainStep = () => {
    const i = step % POOL_BATCHES;
    const rows = pool.subarray(i * b * d, (i + 1) * b * d);
    const l = tf.tidy(() => {
      const x = tf.tensor2d(rows, [b, d]);
      const eps = tf.randomNormal([b, config.latentDim], 0, 1, 'float32', 1000 + step) as tf.Tensor2D;
      const { value, grads } = tf.variableGrads(() => vaeLoss(vae, x, eps, config.beta, true).total, vars);
      optimizer.applyGradients(grads);
      return lossSum.add(value.mul(b)) as tf.Scalar;
    });
    lossSum.dispose();
    lossSum = l;
    step++;
  };
  for (let i = 0; i < spec.timing.warmupSteps; i++) trainStep();
  lossSum.dataSync();
  const windows: number[] = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let w = 0; w < spec.timing.windows; w++) {
    const t0 = performance.now();
    for (let i = 0; i < spec.timing.stepsPerWindow; i++) trainStep();
    const loss = lossSum.dataSync()[0];
    if (!Number.isFinite(loss)) throw new Error(`non-finite loss ${loss}`);
    windows.push((spec.timing.stepsPerWindow * b * 1000) / (performance.now() - t0));
    if (performance.now() - wall0 > spec.timing.maxSeconds * 1000) break;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuUtilization = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
  const encodeRows = spec.variant === 'cpu' ? ENCODE_BATCH : 2 * ENCODE_BATCH;
  const xe = randomRows(encodeRows, 11);
  if (spec.variant !== 'cpu') encodeMeans(vae, xe, encodeRows, ENCODE_BATCH); // warm-up (cpu: too slow to repeat)
  const encode: number[] = [];
  for (let w = 0; w < spec.encodeWindows; w++) {
    const t0 = performance.now();
    encodeMeans(vae, xe, encodeRows, ENCODE_BATCH);
    encode.push((encodeRows * 1000) / (performance.now() - t0));
  }
  const train = median(windows);
  return {
    variant: spec.variant,
    optimizer: spec.optimizer,
    ...(spec.variant === 'wasm-threads' ? { experimental: true, threads } : {}),
    trainSamplesPerSec: round(train),
    msPerStep: round((b * 1000) / train, 2),
    trainWindows: windows.map((x) => round(x)),
    cpuUtilization: round(cpuUtilization, 2),
    encodeSamplesPerSec: round(median(encode)),
    steps: step,
  };
}

// ---------------------------------------------------------------------------------------------
// Orchestration (parent process)

const SCRIPT = fileURLToPath(import.meta.url);
const TORCH_SCRIPT = resolve(dirname(SCRIPT), '../bench/vae-torch.py');
const PYTHON = process.env.TORCH_PYTHON ?? '/usr/bin/python3';

function runChild(spec: ChildSpec): ChildResult {
  const r = spawnSync(process.execPath, [SCRIPT, '--child', JSON.stringify(spec)], { encoding: 'utf8', timeout: 240_000, maxBuffer: 1 << 24 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ChildResult;
  } catch {
    const why = r.error?.message ?? (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-3).join(' | ');
    return { variant: spec.variant, optimizer: spec.optimizer, trainSamplesPerSec: NaN, msPerStep: NaN, trainWindows: [], encodeSamplesPerSec: NaN, steps: 0, error: why };
  }
}

interface TorchRun {
  threads: number;
  /** OMP_NUM_THREADS the run had (null: unset). */
  ompNumThreads: string | null;
  trainSamplesPerSec: number;
  encodeSamplesPerSec: number;
  trainWindows: number[];
  cpuUtilization: number;
}

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 }).status === 0;
}

type TorchOut = { torch: string; defaultThreads: number; mkldnn: boolean; ompNumThreads: string | null; results: TorchRun[] };

/**
 * One Python process per thread count. torch.set_num_threads(1) alone is not one thread here:
 * the backward pass still ran on every core (CPU utilization 2.0 on 2 cores, 30 % faster), so
 * the 1-thread run also gets OMP_NUM_THREADS=1. The all-threads run keeps the environment, so
 * its defaultThreads is torch's own default.
 */
function runTorch(threads: number, run: object): TorchOut | { error: string } {
  const env = threads === 1 ? { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } : process.env;
  const r = spawnSync(PYTHON, [TORCH_SCRIPT], { input: JSON.stringify({ runs: [{ ...run, threads }] }), encoding: 'utf8', timeout: 240_000, maxBuffer: 1 << 24, env });
  try {
    return JSON.parse((r.stdout ?? '').trim().split('\n').pop() ?? '');
  } catch {
    return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' | ') };
  }
}

async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const withTorch = !args.includes('--no-torch');
  const withThreads = !args.includes('--no-threads');
  const started = performance.now();
  const loadAtStart = os.loadavg()[0];
  const cpus = os.cpus().length;
  const scale = (t: Timing): Timing =>
    quick ? { warmupSteps: Math.min(t.warmupSteps, 2), windows: Math.min(t.windows, 3), stepsPerWindow: Math.max(1, Math.ceil(t.stepsPerWindow / 3)), maxSeconds: t.maxSeconds / 3 } : t;

  // The cpu backend is ~25× slower: sampled with a step or two (and not for the extra config).
  interface Case {
    name: string;
    preset: string;
    overrides?: VaeConfig;
    batchSize: number;
    wasm: Timing;
    cpu: Timing | null;
  }
  const cases: Case[] = [
    { name: 'default', preset: 'default', batchSize: 64, wasm: { warmupSteps: 5, windows: 5, stepsPerWindow: 8, maxSeconds: 10 }, cpu: { warmupSteps: 1, windows: 2, stepsPerWindow: 1, maxSeconds: 10 } },
    { name: 'default', preset: 'default', batchSize: 256, wasm: { warmupSteps: 3, windows: 5, stepsPerWindow: 4, maxSeconds: 10 }, cpu: { warmupSteps: 1, windows: 1, stepsPerWindow: 1, maxSeconds: 10 } },
    { name: 'design-doc', preset: 'design-doc', batchSize: 256, wasm: { warmupSteps: 2, windows: 5, stepsPerWindow: 2, maxSeconds: 10 }, cpu: { warmupSteps: 0, windows: 1, stepsPerWindow: 1, maxSeconds: 10 } },
    // The default before 256/128 (and the model of the earlier PyTorch comparison).
    { name: 'hidden-512-256', preset: 'default', overrides: { hiddenDims: [512, 256] }, batchSize: 64, wasm: { warmupSteps: 5, windows: 5, stepsPerWindow: 8, maxSeconds: 10 }, cpu: null },
  ];
  const hasTorch = withTorch && torchAvailable();
  let torchInfo: { version: string; defaultThreads: number; mkldnn: boolean } | { error: string } | null = null;
  const configs = [];
  for (const c of cases) {
    const config = resolveVaeConfig({ ...VAE_PRESETS[c.preset], ...c.overrides, batchSize: c.batchSize });
    const base = { preset: c.preset, overrides: c.overrides, batchSize: c.batchSize };
    const specs: ChildSpec[] = [
      { ...base, variant: 'wasm', optimizer: 'tfjs-adam', timing: scale(c.wasm), encodeWindows: 5 },
      { ...base, variant: 'wasm', optimizer: 'fast-adam', timing: scale(c.wasm), encodeWindows: 5 },
    ];
    if (c.cpu) specs.push({ ...base, variant: 'cpu', optimizer: 'fast-adam', timing: scale(c.cpu), encodeWindows: 1 });
    if (c.cpu && c.batchSize === 64) specs.push({ ...base, variant: 'cpu', optimizer: 'tfjs-adam', timing: scale(c.cpu), encodeWindows: 1 });
    if (withThreads && cpus > 1) specs.push({ ...base, variant: 'wasm-threads', optimizer: 'fast-adam', timing: scale(c.wasm), encodeWindows: 5, threads: cpus });
    const tfjsResults = specs.map((spec) => {
      const r = runChild(spec);
      process.stderr.write(`vae-train: ${c.name} b${c.batchSize} ${spec.variant}/${spec.optimizer}: ${r.error ? `error ${r.error}` : `${r.trainSamplesPerSec} samples/s`}\n`);
      return r;
    });

    let torch: TorchRun[] = [];
    let torchError: string | undefined;
    if (hasTorch) {
      const base = { inputDim: config.inputDim, hiddenDims: config.hiddenDims, latentDim: config.latentDim, batchSize: c.batchSize, beta: config.beta, leakyAlpha: config.leakyAlpha, learningRate: config.learningRate, seed: config.seed, encodeBatch: ENCODE_BATCH, ...scale({ warmupSteps: 10, windows: 5, stepsPerWindow: 10, maxSeconds: 8 }) };
      for (const threads of [...new Set([1, cpus])]) {
        const out = runTorch(threads, base);
        if ('error' in out) {
          torchError = out.error;
          continue;
        }
        torch.push(...out.results.map((r) => ({ threads: r.threads, ompNumThreads: out.ompNumThreads, trainSamplesPerSec: round(r.trainSamplesPerSec), encodeSamplesPerSec: round(r.encodeSamplesPerSec), trainWindows: r.trainWindows.map((x) => round(x)), cpuUtilization: round(r.cpuUtilization, 2) })));
        if (threads === cpus || !torchInfo) torchInfo = { version: out.torch, defaultThreads: out.defaultThreads, mkldnn: out.mkldnn };
      }
      if (torchError) torchInfo = { error: torchError };
      process.stderr.write(`vae-train: ${c.name} b${c.batchSize} torch: ${torchError ?? torch.map((t) => `${t.threads}t ${t.trainSamplesPerSec}`).join(', ')} samples/s\n`);
    }

    const measured = tfjsResults.filter((r) => Number.isFinite(r.trainSamplesPerSec));
    const onByDefault = measured.filter((r) => !r.experimental);
    const bestEncode = onByDefault.reduce<ChildResult | null>((a, r) => (!a || r.encodeSamplesPerSec > a.encodeSamplesPerSec ? r : a), null);
    const ratios: Record<string, number> = {};
    const encodeRatios: Record<string, number> = {};
    for (const t of torch) {
      for (const r of measured) ratios[`torch${t.threads}t/${r.variant}+${r.optimizer}`] = round(t.trainSamplesPerSec / r.trainSamplesPerSec, 2);
      if (bestEncode) encodeRatios[`torch${t.threads}t/${bestEncode.variant}`] = round(t.encodeSamplesPerSec / bestEncode.encodeSamplesPerSec, 2);
    }
    configs.push({
      name: c.name,
      preset: c.preset,
      hiddenDims: config.hiddenDims,
      latentDim: config.latentDim,
      batchSize: c.batchSize,
      parameters: countVaeParameters(config),
      tfjs: tfjsResults,
      torch,
      ...(torchError ? { torchError } : {}),
      ratios,
      encodeRatios,
    });
  }

  const result = {
    bench: 'vae-train',
    machine: {
      cpus,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      tfjs: tf.version.tfjs,
      tfjsBackendWasm: version_wasm,
      /** Other work on the machine skews every number: the 1-minute load average before and after. */
      loadAverage1m: [round(loadAtStart, 2), round(os.loadavg()[0], 2)],
    },
    settings: { inputDim: FEATURE_COUNT, inputs: 'normal(0, 1), pool of 8 batches', encodeBatch: ENCODE_BATCH, quick, timing: 'median of windows after warm-up' },
    torch: hasTorch ? torchInfo : { available: false, python: PYTHON },
    configs,
    seconds: round((performance.now() - started) / 1000),
  };
  console.log(JSON.stringify(result, null, 2));
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  measure(JSON.parse(process.argv[childAt + 1]) as ChildSpec)
    .then((r) => {
      console.log(JSON.stringify(r));
      process.exit(0);
    })
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.stack : String(e));
      process.exit(1);
    });
} else {
  await main(process.argv.slice(2));
}
