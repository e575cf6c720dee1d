#!/usr/bin/env node
/**
 * The latent map in headless Chromium (WebGL2; on this machine SwiftShader, i.e. the CPU): a
 * synthetic 100,000-point and 1,000,000-point cloud drawn as the app draws its map (the same
 * deck.gl view and binary ScatterplotLayer, bench/map-page/), then panned and zoomed one step per
 * animation frame for a few seconds. Reports, per size: time to first frame (drawn, read back), frames per second while
 * panning/zooming (and the 95th-percentile frame gap), GPU picking time per hover, and the JS heap.
 * Prints one JSON object. Usage: node bench/map-browser.js [--seconds S] [--sizes 100000,1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM, serveStatic } from './static-server.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SECONDS = Number(arg('seconds', 5));
const SIZES = String(arg('sizes', '100000,1000000')).split(',').map(Number);
const log = (m) => process.stderr.write(`${m}\n`);

const out = mkdtempSync(join(tmpdir(), 'mf-map-bench-'));
await build({ root: join(ROOT, 'bench/map-page'), base: './', logLevel: 'warn', publicDir: false, build: { outDir: out, emptyOutDir: true, target: 'es2022' } });
const server = await serveStatic(out);
const browser = await chromium.launch({ ...CHROMIUM, args: [...CHROMIUM.args, '--enable-precise-memory-info'] });
const result = { bench: 'map-browser', chromium: browser.version(), seconds: SECONDS, runs: [] };
try {
  for (const n of SIZES) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${server.url}?n=${n}`);
    await page.waitForFunction(() => window.__bench && window.__bench.firstFrameMs !== undefined, null, { timeout: 300_000, polling: 50 });
    const loadToFirstFrameMs = Date.now() - t0;
    const renderer = await page.evaluate(() => {
      const gl = document.querySelector('canvas')?.getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl ? String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : null;
    });
    const motion = await page.evaluate((ms) => window.__run(ms), SECONDS * 1000);
    const pick = await page.evaluate(() => window.__pick(20));
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const bench = await page.evaluate(() => window.__bench);
    const run = {
      points: n,
      renderer,
      dataGenerationMs: bench.dataMs,
      firstFrameMs: bench.firstFrameMs,
      pageLoadToFirstFrameMs: loadToFirstFrameMs,
      panZoom: motion,
      picking: pick,
      // Typed arrays (positions, colours) live outside the JS heap, as ArrayBuffers: listed apart.
      jsHeapUsedMB: Math.round((heap.usedSize / 1e6) * 10) / 10,
      attributeArraysMB: bench.attributeMB,
      jsHeapTotalMB: Math.round((heap.totalSize / 1e6) * 10) / 10,
    };
    log(`${n} points: first frame ${run.firstFrameMs} ms, ${motion.fps} fps panning/zooming, ${pick.msPerPick} ms/pick, JS heap ${run.jsHeapUsedMB} MB (${renderer})`);
    result.runs.push(run);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
  rmSync(out, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
