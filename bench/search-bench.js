#!/usr/bin/env node
/**
 * `node bench/search-bench.js [--quick] [--dim 32]`: nearest-genome search speed, with numpy as
 * the baseline measured in the same run.
 *
 * src/ml/search is TypeScript, so this script first bundles src/ml/search/index.ts for Node with
 * Vite's build API (the same toolchain as the app and the CLI; no extra dependency) into a
 * temporary folder, then imports it.
 *
 * Data: a synthetic stand-in for genome latents, a two-level Gaussian mixture (100 families ×
 * 20 clusters = 2,000 overlapping clusters, log-normal sizes) in d dims; queries are
 * fresh draws from the same mixture. N ∈ {10k, 100k, 1M} are prefixes of one 1M set (--quick:
 * 10k and 100k only). For each N it measures, single-threaded:
 *   - exact search, one query at a time (ms/query) and a batch of 64 (ms/query);
 *   - numpy (`/usr/bin/python3`, when it imports numpy) on the same unit-length float32 data:
 *     `X @ q` / `Q @ X.T` + argpartition + sort of the k, with OpenBLAS at its default threads
 *     and at 1 thread (threadpoolctl), plus the ratio ours / numpy and whether the top-k agree;
 *   - at the largest N: IVF build time, ms/query, recall@10 against exact and speed-up, for a
 *     few nprobe values.
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
const K = 10;
const BATCH = 64;
const RECALL_QUERIES = 256;
const SEED = 20240611;

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const dimArg = args.indexOf('--dim');
const DIM = dimArg >= 0 ? Number(args[dimArg + 1]) : 32;
if (!Number.isInteger(DIM) || DIM < 1) {
  process.stderr.write(`--dim must be a positive integer, got ${args[dimArg + 1]}\n`);
  process.exit(2);
}
const SIZES = QUICK ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const log = (msg) => process.stderr.write(`${msg}\n`);

async function loadSearchModule(dir) {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    publicDir: false,
    build: {
      ssr: join(ROOT, 'src/ml/search/index.ts'),
      outDir: dir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: { output: { entryFileNames: 'search.js', format: 'es' } },
    },
  });
  return import(pathToFileURL(join(dir, 'search.js')).href);
}

/** mulberry32 + Box–Muller: the same numbers on every run. */
function createGaussian(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => {
    let u = 0;
    while (u === 0) u = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, gauss };
}

/** A two-level Gaussian mixture: families → clusters → points, with skewed cluster weights. */
function createMixture(d, seed, families = 100, perFamily = 20) {
  // Clusters overlap: centre offsets within a family (0.35 per dim) are about the clusters' own
  // spreads (0.2–0.6 per dim), so near neighbours often sit in another cluster or IVF list.
  const { uniform, gauss } = createGaussian(seed);
  const nc = families * perFamily;
  const centers = new Float64Array(nc * d);
  const spread = new Float64Array(nc);
  const cumulative = new Float64Array(nc);
  const fam = new Float64Array(d);
  let total = 0;
  for (let f = 0; f < families; f++) {
    for (let j = 0; j < d; j++) fam[j] = gauss();
    for (let c = f * perFamily; c < (f + 1) * perFamily; c++) {
      for (let j = 0; j < d; j++) centers[c * d + j] = fam[j] + 0.35 * gauss();
      spread[c] = 0.2 + 0.4 * uniform();
      total += Math.exp(1.2 * gauss()); // log-normal cluster sizes
      cumulative[c] = total;
    }
  }
  const pickCluster = () => {
    const r = uniform() * total;
    let lo = 0;
    let hi = nc - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (n) => {
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const c = pickCluster();
      for (let j = 0; j < d; j++) out[i * d + j] = centers[c * d + j] + spread[c] * gauss();
    }
    return out;
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, digits = 3) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));

function timeSingle(index, queries, nq, reps) {
  const d = index.dim;
  for (let i = 0; i < Math.min(3, nq); i++) index.search(queries.subarray(i * d, (i + 1) * d), K); // warm-up
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < nq; i++) index.search(queries.subarray(i * d, (i + 1) * d), K);
    times.push((performance.now() - t0) / nq);
  }
  return Math.min(...times);
}

function timeBatch(index, queries, nq, reps) {
  index.searchBatch(queries.subarray(0, 4 * index.dim), 4, K); // warm-up
  let best = Infinity;
  let result = null;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    result = index.searchBatch(queries.subarray(0, nq * index.dim), nq, K);
    best = Math.min(best, (performance.now() - t0) / nq);
  }
  return { msPerQuery: best, result };
}

function recallAt(found, truth, nq, k) {
  let hit = 0;
  for (let q = 0; q < nq; q++) {
    const want = new Set(truth.subarray(q * k, (q + 1) * k));
    for (let i = 0; i < k; i++) if (want.has(found[q * k + i])) hit++;
  }
  return hit / (nq * k);
}

// One worker thread per shard of rows: it indexes its slice of the shared matrix (no copy) and
// answers searchBatch calls; the main thread merges with mergeShardResults.
const SHARD_WORKER = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.moduleUrl).then(({ ExactCosineIndex }) => {
  const { buffer, d, r0, r1 } = workerData;
  const index = new ExactCosineIndex(new Float32Array(buffer, r0 * d * 4, (r1 - r0) * d), d, { normalized: true });
  parentPort.on('message', ({ queries, nq, k }) => {
    const r = index.searchBatch(queries, nq, k);
    parentPort.postMessage({ indices: r.indices, scores: r.scores }, [r.indices.buffer, r.scores.buffer]);
  });
  parentPort.postMessage('ready');
});
`;

async function createShardPool(moduleUrl, mergeShardResults, shared, n, d, threads) {
  const per = Math.ceil(n / threads / 4) * 4;
  const shards = [];
  for (let r0 = 0; r0 < n; r0 += per) {
    const r1 = Math.min(n, r0 + per);
    const worker = new Worker(SHARD_WORKER, { eval: true, workerData: { moduleUrl, buffer: shared, d, r0, r1 } });
    await new Promise((ok, fail) => {
      worker.once('message', ok);
      worker.once('error', fail);
    });
    shards.push({ worker, r0 });
  }
  const searchBatch = (queries, nq, k) =>
    Promise.all(
      shards.map(
        ({ worker, r0 }) =>
          new Promise((ok) => {
            worker.once('message', (m) => ok({ ...m, rowOffset: r0 }));
            worker.postMessage({ queries, nq, k });
          }),
      ),
    ).then((parts) => mergeShardResults(parts, nq, k));
  return { threads: shards.length, searchBatch, close: () => Promise.all(shards.map((s) => s.worker.terminate())) };
}

async function timeParallel(pool, queries, d, singles) {
  await pool.searchBatch(queries.subarray(0, 4 * d), 4, K); // warm-up
  for (let i = 0; i < 3; i++) await pool.searchBatch(queries.subarray(i * d, (i + 1) * d), 1, K);
  let single = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < singles; i++) await pool.searchBatch(queries.subarray(i * d, (i + 1) * d), 1, K);
    single = Math.min(single, (performance.now() - t0) / singles);
  }
  let batch = Infinity;
  let result = null;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    result = await pool.searchBatch(queries.subarray(0, BATCH * d), BATCH, K);
    batch = Math.min(batch, (performance.now() - t0) / BATCH);
  }
  return { single, batch, result };
}

const NUMPY_SCRIPT = String.raw`
import json, sys, time
import numpy as np
try:
    from threadpoolctl import threadpool_limits, threadpool_info
except ImportError:
    threadpool_limits = None
db_path, q_path, d, k, batch, singles, sizes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), [int(s) for s in sys.argv[6].split(',')], [int(s) for s in sys.argv[7].split(',')]
X_all = np.fromfile(db_path, dtype=np.float32).reshape(-1, d)
Q = np.fromfile(q_path, dtype=np.float32).reshape(-1, d)
def topk(S):
    idx = np.argpartition(-S, k - 1, axis=-1)[..., :k]
    part = np.take_along_axis(S, idx, axis=-1)
    order = np.argsort(-part, axis=-1, kind='stable')
    return np.take_along_axis(idx, order, axis=-1)
def bench(X, singles):
    for i in range(3): topk(X @ Q[i])
    single = []
    for rep in range(3):
        t = time.perf_counter()
        for i in range(singles): topk(X @ Q[i])
        single.append((time.perf_counter() - t) / singles * 1e3)
    best_b = None; top = None
    for rep in range(3):
        t = time.perf_counter(); top = topk(Q[:batch] @ X.T); dt = (time.perf_counter() - t) / batch * 1e3
        best_b = dt if best_b is None else min(best_b, dt)
    t = time.perf_counter(); S = Q[:batch] @ X.T; gemm = (time.perf_counter() - t) / batch * 1e3
    return {'singleMsPerQuery': min(single), 'batchMsPerQuery': best_b, 'gemmOnlyMsPerQuery': gemm}, top
out = {'numpy': np.__version__, 'threads': None, 'sizes': {}}
if threadpool_limits is not None:
    out['threads'] = [i.get('num_threads') for i in threadpool_info()]
for n, ns in zip(sizes, singles):
    X = X_all[:n]
    r, top = bench(X, ns)
    entry = {'defaultThreads': r}
    if threadpool_limits is not None:
        with threadpool_limits(limits=1):
            entry['oneThread'], _ = bench(X, ns)
    entry['top'] = top[:, :k].astype(int).tolist()
    out['sizes'][str(n)] = entry
print(json.dumps(out))
`;

function runNumpy(dir, db, queries, d, sizes, singles) {
  if (spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0) return null;
  const dbPath = join(dir, 'db.f32');
  const qPath = join(dir, 'queries.f32');
  writeFileSync(dbPath, new Uint8Array(db.buffer, db.byteOffset, db.byteLength));
  writeFileSync(qPath, new Uint8Array(queries.buffer, queries.byteOffset, queries.byteLength));
  writeFileSync(join(dir, 'bench.py'), NUMPY_SCRIPT);
  const r = spawnSync(PYTHON, [join(dir, 'bench.py'), dbPath, qPath, String(d), String(K), String(BATCH), singles.join(','), sizes.join(',')], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    log(`numpy baseline failed: ${r.stderr.trim().split('\n').pop()}`);
    return null;
  }
  return JSON.parse(r.stdout);
}

async function main() {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'mediaforge-search-bench-'));
  try {
    log('bundling src/ml/search …');
    const search = await loadSearchModule(join(dir, 'dist'));
    const { ExactCosineIndex, IvfCosineIndex, normalizeRows, mergeShardResults } = search;
    const moduleUrl = pathToFileURL(join(dir, 'dist', 'search.js')).href;
    const threads = Math.max(1, availableParallelism());
    const maxN = SIZES[SIZES.length - 1];
    log(`generating ${maxN} × ${DIM} vectors (2,000-cluster Gaussian mixture) …`);
    const draw = createMixture(DIM, SEED);
    const raw = draw(maxN);
    const queriesRaw = draw(Math.max(BATCH, RECALL_QUERIES, 400));
    // Unit-length rows, in shared memory so worker threads can index slices without copies.
    const db = new Float32Array(new SharedArrayBuffer(raw.byteLength));
    db.set(normalizeRows(raw, DIM));
    const queries = normalizeRows(queriesRaw, DIM);
    const nqRecall = RECALL_QUERIES;

    const result = {
      bench: 'nearest-genome search (cosine top-k)',
      node: process.version,
      dim: DIM,
      k: K,
      batch: BATCH,
      data: '2-level Gaussian mixture, 100 families × 20 overlapping clusters, log-normal sizes; queries are fresh draws from the same mixture',
      exact: [],
      numpy: null,
      ann: null,
    };

    const exactTop = new Map();
    for (const n of SIZES) {
      const x = db.subarray(0, n * DIM);
      const t0 = performance.now();
      const index = new ExactCosineIndex(x, DIM, { normalized: true });
      const buildMs = performance.now() - t0;
      const singles = n >= 1_000_000 ? 20 : n >= 100_000 ? 100 : 400;
      log(`exact N=${n}: single queries …`);
      const singleMs = timeSingle(index, queries, singles, 3);
      log(`exact N=${n}: batch of ${BATCH} …`);
      const batch = timeBatch(index, queries, BATCH, 3);
      exactTop.set(n, batch.result.indices);
      const row = { n, buildMs: round(buildMs), singleMsPerQuery: round(singleMs), batchMsPerQuery: round(batch.msPerQuery) };
      if (threads > 1) {
        log(`exact N=${n}: ${threads} worker threads …`);
        const pool = await createShardPool(moduleUrl, mergeShardResults, db.buffer, n, DIM, threads);
        const par = await timeParallel(pool, queries, DIM, singles);
        await pool.close();
        const same = par.result.indices.every((v, i) => v === batch.result.indices[i]);
        row.threads = { count: pool.threads, singleMsPerQuery: round(par.single), batchMsPerQuery: round(par.batch), sameTopK: same };
      }
      result.exact.push(row);
    }

    log('numpy baseline …');
    const singlesNumpy = SIZES.map((n) => (n >= 1_000_000 ? 20 : n >= 100_000 ? 100 : 400));
    const np = runNumpy(dir, db.subarray(0, maxN * DIM), queries, DIM, SIZES, singlesNumpy);
    if (np) {
      result.numpy = { version: np.numpy, blasThreads: np.threads, sizes: [] };
      for (const row of result.exact) {
        const e = np.sizes[String(row.n)];
        const top = exactTop.get(row.n);
        let agree = 0;
        e.top.forEach((want, q) => {
          const got = new Set(top.subarray(q * K, (q + 1) * K));
          for (const i of want) if (got.has(i)) agree++;
        });
        const dt = e.defaultThreads;
        const one = e.oneThread ?? null;
        result.numpy.sizes.push({
          n: row.n,
          singleMsPerQuery: round(dt.singleMsPerQuery),
          batchMsPerQuery: round(dt.batchMsPerQuery),
          gemmOnlyMsPerQuery: round(dt.gemmOnlyMsPerQuery),
          oneThread: one && { singleMsPerQuery: round(one.singleMsPerQuery), batchMsPerQuery: round(one.batchMsPerQuery) },
          topKAgreement: round(agree / (BATCH * K), 4),
        });
        row.oursOverNumpy = {
          single: round(row.singleMsPerQuery / dt.singleMsPerQuery, 2),
          batch: round(row.batchMsPerQuery / dt.batchMsPerQuery, 2),
          ...(row.threads && {
            threadsSingle: round(row.threads.singleMsPerQuery / dt.singleMsPerQuery, 2),
            threadsBatch: round(row.threads.batchMsPerQuery / dt.batchMsPerQuery, 2),
          }),
          ...(one && {
            singleVsOneThread: round(row.singleMsPerQuery / one.singleMsPerQuery, 2),
            batchVsOneThread: round(row.batchMsPerQuery / one.batchMsPerQuery, 2),
          }),
        };
      }
    } else {
      log('numpy not available: no baseline');
    }

    const n = maxN;
    log(`IVF N=${n}: build …`);
    const x = db.subarray(0, n * DIM);
    const t0 = performance.now();
    const ivf = IvfCosineIndex.build(x, DIM, { normalized: true });
    const buildMs = performance.now() - t0;
    log(`IVF N=${n}: exact reference for ${nqRecall} queries …`);
    const exact = new ExactCosineIndex(x, DIM, { normalized: true });
    const truth = exact.searchBatch(queries.subarray(0, nqRecall * DIM), nqRecall, K).indices;
    const exactRow = result.exact.find((r) => r.n === n);
    const sweep = [];
    for (const nprobe of [...new Set([Math.max(1, ivf.nprobe >> 1), ivf.nprobe, ivf.nprobe * 2])]) {
      const found = ivf.searchBatch(queries.subarray(0, nqRecall * DIM), nqRecall, K, { nprobe }).indices; // warm-up + recall
      let ms = Infinity; // best of 5 passes over the queries, as for exact search
      for (let rep = 0; rep < 5; rep++) {
        const t1 = performance.now();
        for (let q = 0; q < nqRecall; q++) ivf.search(queries.subarray(q * DIM, (q + 1) * DIM), K, { nprobe });
        ms = Math.min(ms, (performance.now() - t1) / nqRecall);
      }
      sweep.push({
        nprobe,
        msPerQuery: round(ms, 4),
        recallAt10: round(recallAt(found, truth, nqRecall, K), 4),
        speedupVsExactSingle: round(exactRow.singleMsPerQuery / ms, 1),
        speedupVsExactBatch: round(exactRow.batchMsPerQuery / ms, 1),
      });
    }
    const chosen = sweep.find((s) => s.nprobe === ivf.nprobe);
    result.ann = {
      method: 'IVF-flat, spherical k-means coarse quantizer (src/ml/search/ivf-index.ts)',
      n,
      nlist: ivf.nlist,
      defaultNprobe: ivf.nprobe,
      buildMs: round(buildMs, 0),
      msPerQuery: chosen.msPerQuery,
      recallAt10: chosen.recallAt10,
      speedupVsExactSingle: chosen.speedupVsExactSingle,
      sweep,
    };
    result.totalSeconds = round((performance.now() - started) / 1000, 1);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
