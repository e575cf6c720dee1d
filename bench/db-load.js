#!/usr/bin/env node
/**
 * How long the Database tab takes to become usable in headless Chromium, on a first visit (fetch
 * the bundled snapshot + gunzip + sql.js open + save to IndexedDB) and on a reload (image from
 * IndexedDB + open), up to the first query's results on screen. Prints JSON (ms). Target: < 2 s.
 *
 * Needs the built app with its snapshot: `npx vite build` (public/mediaforge-snapshot.sqlite.gz
 * copied into dist/). Usage: node bench/db-load.js [--runs N]
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = join(ROOT, 'dist');
const SNAPSHOT = join(DIST, 'mediaforge-snapshot.sqlite.gz');
const TARGET_MS = 2000;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.gz': 'application/gzip', '.webmanifest': 'application/manifest+json' };

function fail(message) {
  process.stderr.write(`db-load: ${message}\n`);
  process.exit(1);
}

if (!existsSync(join(DIST, 'index.html'))) fail('dist/index.html is missing: run `npx vite build` first');
if (!existsSync(SNAPSHOT)) fail('dist/mediaforge-snapshot.sqlite.gz is missing: build the snapshot into public/ and run `npx vite build`');

/** A static server like a real host's: Content-Length set, no compression. */
function serve() {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(DIST, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(DIST + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(body);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** The page has loaded and started its profiling workers; a person would not click sooner. */
const SETTLE_MS = 1000;

/** Clicks the Database tab; ms until the database is open and until the first media results show. */
async function measure(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(SETTLE_MS);
  const t0 = await page.evaluate(() => performance.now());
  await page.locator('header nav').getByRole('button', { name: 'Database' }).click();
  await page.locator('[data-testid="database-page"][data-status="ready"]').waitFor({ timeout: 120_000 });
  const ready = await page.evaluate(() => performance.now());
  await page.locator('[data-testid="media-results"] [data-medium-id]').first().waitFor({ timeout: 60_000 });
  const firstQuery = await page.evaluate(() => performance.now());
  // The worker's own step timings (DbInfo.timings), as the page exposes them.
  const worker = JSON.parse((await page.getByTestId('database-page').getAttribute('data-timings')) ?? 'null');
  return { readyMs: Math.round(ready - t0), firstQueryMs: Math.round(firstQuery - t0), worker };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await serve();
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const first = [];
const reload = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    first.push(await measure(page));
    await page.reload();
    reload.push(await measure(page));
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

const summary = (runs) => ({
  readyMs: median(runs.map((r) => r.readyMs)),
  firstQueryMs: median(runs.map((r) => r.firstQueryMs)),
  runs,
});
const result = {
  bench: 'db-load',
  snapshotBytes: statSync(SNAPSHOT).size,
  runs: RUNS,
  targetMs: TARGET_MS,
  settleMsBeforeClick: SETTLE_MS,
  loadAverage: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100),
  firstVisit: summary(first),
  reload: summary(reload),
};
result.withinTarget = result.firstVisit.firstQueryMs < TARGET_MS && result.reload.firstQueryMs < TARGET_MS;
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
