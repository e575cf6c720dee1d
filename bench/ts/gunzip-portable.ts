/**
 * The portable gunzip path (the one Chromium takes for multi-member/bgzip files): how fast
 * CheckedGunzip (src/core/gzip-members.ts: fflate's raw Inflate + per-member CRC-32/ISIZE checks)
 * decodes, against its baseline fflate Gunzip (no checks) and Node's zlib, and what a whole
 * portable-path profile costs against the native one. Best of REPEATS; prints one JSON document.
 *   npx vite build --config vite.bench.config.ts && node dist-bench/gunzip-portable.js [FILE.gz]
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Gunzip } from 'fflate';
import { portableGunzip } from '../../src/core/decompress';
import { crc32 } from '../../src/core/crc32';
import { CheckedGunzip } from '../../src/core/gzip-members';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';

const FILE = process.argv[2] ?? '../shared/data/genomes/reference/Escherichia_coli_K-12_MG1655.fna.gz';
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const CHUNK = 1 << 16; // what File.stream() hands a worker
const gz = new Uint8Array(readFileSync(FILE));
const plainBytes = gunzipSync(gz).length;

function best(fn: () => void): number {
  let t = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    fn();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

async function bestAsync(fn: () => Promise<unknown>): Promise<number> {
  let t = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

function chunks(fn: (c: Uint8Array) => void) {
  for (let o = 0; o < gz.length; o += CHUNK) fn(gz.subarray(o, o + CHUNK));
}

const plain = new Uint8Array(gunzipSync(gz));
const crc = best(() => crc32(plain));
const zlib = best(() => gunzipSync(gz));
const fflateUnchecked = best(() => {
  let n = 0;
  const g = new Gunzip((d) => (n += d.length));
  chunks((c) => g.push(c, false));
  g.push(new Uint8Array(0), true);
  if (n !== plainBytes) throw new Error('fflate size');
});
const checked = best(() => {
  let n = 0;
  const g = new CheckedGunzip('bench', (d) => (n += d.length));
  chunks((c) => g.push(c));
  g.finish();
  if (n !== plainBytes) throw new Error('checked size');
});
const portableStream = await bestAsync(async () => {
  const b = await new Response(bytesSource('bench', gz, CHUNK).open().pipeThrough(portableGunzip('bench'))).arrayBuffer();
  if (b.byteLength !== plainBytes) throw new Error('stream size');
});
const profileNative = await bestAsync(() => profileSource(bytesSource('bench', gz, CHUNK)));
const scanOnly = await bestAsync(() => profileSource(bytesSource('bench.fa', gunzipSync(gz), CHUNK)));

const mb = plainBytes / 1e6;
const out = {
  file: FILE,
  compressedBytes: gz.length,
  inflatedBytes: plainBytes,
  repeats: REPEATS,
  seconds: { crc32: crc, zlib, fflateUnchecked, checkedGunzip: checked, portableGunzipStream: portableStream, profileNativeGz: profileNative, profilePlain: scanOnly },
  mbPerSec: {
    crc32: mb / crc,
    zlib: mb / zlib,
    fflateUnchecked: mb / fflateUnchecked,
    checkedGunzip: mb / checked,
    portableGunzipStream: mb / portableStream,
    profileNativeGz: mb / profileNative,
    profilePlain: mb / scanOnly,
  },
  ratios: {
    checkedVsFflateUnchecked: checked / fflateUnchecked,
    checkedVsZlib: checked / zlib,
  },
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
