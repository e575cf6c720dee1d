#!/usr/bin/env node
// Benchmark: first load of the bundled snapshot in a real Chromium (playwright-core + /usr/bin/chromium):
// fetch the .sqlite.gz, gunzip with DecompressionStream (and, for comparison, fflate), init sql.js
// (wasm), open, first query. totalMs leaves out the fflate comparison.
//   node bench/db-load-browser.js [--runs N]
// Serves the repository read-only on 127.0.0.1 (a random port) for the duration of the run.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 3;
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.gz': 'application/octet-stream', '.html': 'text/html' };

const page = `<!doctype html><script src="/node_modules/sql.js/dist/sql-wasm-browser.js"></script><script src="/node_modules/fflate/umd/index.js"></script>`;
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  const path = resolve(root, '.' + decodeURIComponent(url.pathname));
  if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
  createReadStream(path).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(base + '/');
    results.push(
      await p.evaluate(async () => {
        const t0 = performance.now();
        const res = await fetch('/public/mediaforge-snapshot.sqlite.gz');
        const gz = new Uint8Array(await res.arrayBuffer());
        const t1 = performance.now();
        const bytes = new Uint8Array(await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
        const t2 = performance.now();
        const viaFflate = globalThis.fflate.gunzipSync(gz);
        const fflateGunzipMs = performance.now() - t2;
        if (viaFflate.length !== bytes.length) throw new Error('gunzip results differ');
        const t2b = performance.now();
        const SQL = await globalThis.initSqlJs({ locateFile: (f) => `/node_modules/sql.js/dist/${f.replace('sql-wasm.wasm', 'sql-wasm-browser.wasm')}` });
        const t3 = performance.now();
        const db = new SQL.Database(bytes);
        const t4 = performance.now();
        const n = db.exec('SELECT count(*) FROM media')[0].values[0][0];
        const t5 = performance.now();
        db.close();
        return { fetchMs: t1 - t0, gunzipMs: t2 - t1, fflateGunzipMs, sqlInitMs: t3 - t2b, openMs: t4 - t3, firstQueryMs: t5 - t4, totalMs: t5 - t0 - fflateGunzipMs, media: n, sqliteBytes: bytes.length };
      }),
    );
    await ctx.close();
  }
  const median = (k) => [...results.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(results.length / 2)];
  console.log(`Chromium ${browser.version()}: snapshot load, median of ${runs} runs (${results[0].sqliteBytes.toLocaleString('en-US')} bytes SQLite, ${results[0].media} media)`);
  for (const k of ['fetchMs', 'gunzipMs', 'fflateGunzipMs', 'sqlInitMs', 'openMs', 'firstQueryMs', 'totalMs']) console.log(`  ${k.padEnd(13)}${median(k).toFixed(1).padStart(9)} ms`);
} finally {
  await browser.close();
  server.close();
}
