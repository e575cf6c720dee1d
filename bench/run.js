#!/usr/bin/env node
/**
 * `npm run bench`: profiling throughput and memory, with baselines measured in the same run.
 *
 * For each input (a real reference genome and the 129 Mb lactic-acid-bacteria collection from
 * ../shared/data/genomes) it measures, best of REPEATS runs each:
 *   - mediaforge on the .gz file (the product path: stream, gunzip, parse, k = 1..6), in a child
 *     process so peak RSS is that run's own;
 *   - the gunzip ceiling: Node's zlib stream to nowhere, and `gzip -dc` when installed;
 *   - mediaforge and `jellyfish count -C -m 6 -t 1` (Debian package, when installed) on the same
 *     decompressed FASTA; jellyfish's 6-mer counts are also compared with ours, k-mer by k-mer.
 * Prints one JSON document on stdout (progress goes to stderr). Exit code 0 unless a run fails.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = resolve(ROOT, '../shared/data/genomes');
const CLI = join(ROOT, 'dist-cli/mediaforge.js');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

const INPUTS = [
  { label: 'E. coli K-12 MG1655 (reference genome)', path: join(DATA, 'reference/Escherichia_coli_K-12_MG1655.fna.gz') },
  { label: 'lactic acid bacteria collection (129 Mbp, 50 records)', path: join(DATA, 'collection/genomes_lactic_acid_bacteria_strains.fna.gz') },
];

const log = (msg) => process.stderr.write(`${msg}\n`);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function best(fn) {
  let bestRun = null;
  for (let i = 0; i < REPEATS; i++) {
    const r = fn();
    if (!bestRun || r.seconds < bestRun.seconds) bestRun = r;
  }
  return bestRun;
}

/** Runs the CLI's profile command in a fresh Node process; returns seconds, peak RSS and the JSON. */
function runMediaforge(file) {
  const script = `
    const { main } = await import(${JSON.stringify(CLI)});
    const t0 = performance.now();
    const code = await main(['profile', ${JSON.stringify(file)}, '--format', 'json', '--quiet', '--out', process.env.OUT_JSON]);
    const seconds = (performance.now() - t0) / 1000;
    process.stderr.write(JSON.stringify({ code, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
  `;
  const out = join(tmp, 'profile.json');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, OUT_JSON: out }, encoding: 'utf8' });
  const last = r.stderr.trim().split('\n').at(-1);
  const m = JSON.parse(last);
  if (m.code !== 0) throw new Error(`mediaforge failed on ${file}: ${r.stderr}`);
  return { ...m, profile: JSON.parse(readFileSync(out, 'utf8')).files[0] };
}

async function nodeGunzipSeconds(file) {
  const t0 = performance.now();
  let bytes = 0;
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), createGunzip(), async function* (src) {
    for await (const chunk of src) bytes += chunk.length;
  });
  return { seconds: (performance.now() - t0) / 1000, bytes };
}

function timeCommand(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { seconds: (performance.now() - t0) / 1000 };
}

function compareWithJellyfish(jfFile, profile, kmers) {
  const dump = execFileSync('jellyfish', ['dump', '-c', jfFile], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const jf = new Map(dump.trim().split('\n').map((l) => l.split(' ')).map(([k, c]) => [k, Number(c)]));
  let compared = 0;
  let mismatches = 0;
  kmers.forEach((kmer, i) => {
    if (kmer.length !== 6) return;
    compared++;
    if ((jf.get(kmer) ?? 0) !== profile.counts[i]) mismatches++;
  });
  return { compared6mers: compared, mismatches };
}

const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

if (!existsSync(CLI)) {
  log('dist-cli/mediaforge.js is missing: run `npm run build:cli` (npm run bench does it)');
  process.exit(2);
}
if (!existsSync(DATA)) {
  log(`benchmark data not found at ${DATA} (it reads ../shared/data beside the checkout)`);
  process.exit(2);
}

const tmp = mkdtempSync(join(tmpdir(), 'mediaforge-bench-'));
const results = [];
try {
  for (const input of INPUTS) {
    log(`# ${input.label}`);
    const gzBytes = statSync(input.path).size;
    const mfGz = best(() => runMediaforge(input.path));
    const bp = mfGz.profile.lengthBp;
    const zlib = { seconds: Infinity };
    for (let i = 0; i < REPEATS; i++) zlib.seconds = Math.min(zlib.seconds, (await nodeGunzipSeconds(input.path)).seconds);
    const gzipCli = has('gzip') ? best(() => timeCommand('sh', ['-c', `gzip -dc '${input.path}' > /dev/null`])) : null;

    const plain = join(tmp, 'input.fna');
    await pipeline(createReadStream(input.path), createGunzip(), createWriteStream(plain));
    const mfPlain = best(() => runMediaforge(plain));
    let jellyfish = null;
    if (has('jellyfish')) {
      const jfOut = join(tmp, 'counts.jf');
      const jf = best(() => timeCommand('jellyfish', ['count', '-C', '-m', '6', '-t', '1', '-s', '10M', '-o', jfOut, plain]));
      const kmers = JSON.parse(readFileSync(join(tmp, 'profile.json'), 'utf8')).layout.kmers;
      jellyfish = { seconds: round(jf.seconds), mbpPerSec: round(bp / 1e6 / jf.seconds, 1), ...compareWithJellyfish(jfOut, mfPlain.profile, kmers) };
    } else {
      log('jellyfish not installed (apt-get install jellyfish): skipping that baseline');
    }
    rmSync(plain);

    results.push({
      input: input.label,
      file: input.path.slice(DATA.length + 1),
      gzipBytes: gzBytes,
      lengthBp: bp,
      mediaforgeGz: { seconds: round(mfGz.seconds), mbpPerSec: round(bp / 1e6 / mfGz.seconds, 1), peakRssMB: round(mfGz.maxRssMB, 1) },
      mediaforgePlain: { seconds: round(mfPlain.seconds), mbpPerSec: round(bp / 1e6 / mfPlain.seconds, 1), peakRssMB: round(mfPlain.maxRssMB, 1) },
      gunzipNodeZlib: { seconds: round(zlib.seconds), mbpPerSec: round(bp / 1e6 / zlib.seconds, 1) },
      gunzipGzipCli: gzipCli ? { seconds: round(gzipCli.seconds) } : null,
      jellyfishK6SingleThread: jellyfish,
      ratios: {
        // > 1 means MediaForge (all six k) is faster than jellyfish (one k), same plain input
        mediaforgeOverJellyfishSpeed: jellyfish ? round(jellyfish.seconds / mfPlain.seconds, 2) : null,
        // target < 2: MediaForge on .gz takes less than twice as long as gunzip alone
        mediaforgeGzOverGunzipTime: round(mfGz.seconds / zlib.seconds, 2),
      },
    });
    log(JSON.stringify(results.at(-1).ratios));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

process.stdout.write(
  JSON.stringify(
    { benchmark: 'profile', node: process.version, repeats: REPEATS, note: 'seconds are best of repeats, wall clock, single thread', results },
    null,
    2,
  ) + '\n',
);
