/**
 * No request to any other host, and a Content-Security-Policy that the app lives with (issues 10
 * and 11). The built files hold no URL the app fetches: the http(s) URLs left in dist/ are licence
 * headers, documentation links in error messages and links the user clicks, each host named below.
 * Then one session in Chromium uses every tab (Profile with neighbours, Media, Map, Database,
 * Model) while the context records every request (the page's, its workers' and the service
 * worker's): each goes to the local server. No `securitypolicyviolation` event fires meanwhile.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers/data';
import { showDatabase } from './db-helpers';
import { DIST, screenshot, useBrowserAndServer } from './helpers';
import { cspViolations, profileNeighboursAndMedia, recordCspViolations, waitForOfflineReady } from './pwa-helpers';
import { backendShown, rootWithModel, showModel } from './vae-helpers';

/** Hosts whose URLs appear in the built files without ever being fetched, and why. */
const NEVER_FETCHED: Record<string, string> = {
  'www.apache.org': 'licence headers (tfjs)',
  'opensource.org': 'licence headers',
  'svelte.dev': 'documentation links in Svelte error messages',
  'github.com': 'documentation links in tfjs and sql.js messages',
  'en.wikipedia.org': 'comments (tfjs)',
  'www.shadertoy.com': 'a GLSL comment (deck.gl)',
  'arxiv.org': 'comments (tfjs)',
  'emscripten.org': 'an emscripten error message',
  'bit.ly': 'a Workbox console warning',
  'www.w3.org': 'the XHTML namespace (Svelte)',
  'mediadive.dsmz.de': 'credits and recipe links the user clicks (<a href>)',
  'bacdive.dsmz.de': 'credits and strain links the user clicks (<a href>)',
  'www.arb-silva.de': 'the SILVA credit on the Database page, a link the user clicks (<a href>)',
  'creativecommons.org': 'the licence link in the credits (<a href>)',
  'unpkg.com': "loaders.gl's default CDN for its worker loaders (bundled with deck.gl core); the map loads nothing through loaders.gl, and the CSP's connect-src/script-src 'self' would block it",
};

function builtTextFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return builtTextFiles(path);
    return /\.(js|html|css|webmanifest|json)$/.test(name) && !name.endsWith('.map') ? [path] : [];
  });
}

const app = useBrowserAndServer({ root: rootWithModel });

describe('no request to another host; the CSP holds', () => {
  it('the built files name no host the app fetches from, and index.html has the CSP and no inline script', () => {
    const hosts = new Map<string, string>();
    for (const file of builtTextFiles(DIST)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/https?:\/\/([a-z0-9.-]+\.[a-z]{2,})/gi)) hosts.set(m[1].toLowerCase(), file.slice(DIST.length + 1));
    }
    const unexplained = [...hosts].filter(([host]) => !(host in NEVER_FETCHED)).map(([host, file]) => `${host} (in ${file})`);
    console.log(`hosts named in dist/: ${[...hosts.keys()].sort().join(', ')}`);
    expect(unexplained).toEqual([]);
    const css = builtTextFiles(DIST).filter((f) => f.endsWith('.css')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(css).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//);

    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['img-src']).toEqual(["'self'", 'data:']);
    expect(directives['worker-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]); // Svelte's style: directives go through the CSSOM, which CSP allows
    expect(csp).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\.\//);
      expect(body.trim()).toBe('');
    }
  });

  it('a session over every tab sends every request to the local server and meets no CSP violation', async () => {
    const origin = new URL(app.server.url).host;
    const requests: { url: string; from: string }[] = [];
    // Recorded from the first request on: the page's, its workers' and the service worker's.
    const { context, page, errors } = await app.open({
      serviceWorkers: 'allow',
      beforeGoto: async (ctx) => {
        await recordCspViolations(ctx);
        ctx.on('request', (r) => requests.push({ url: r.url(), from: r.serviceWorker() ? 'service worker' : 'page and its workers' }));
      },
    });

    await waitForOfflineReady(page);
    await page.reload();
    await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
    const flow = await profileNeighboursAndMedia(page, fixture('mycoplasma-genitalium-g37.fa.gz'), 'mycoplasma-genitalium-g37.fa.gz');
    expect(flow.neighbours).toHaveLength(5);
    expect(flow.rankedMedia.length).toBeGreaterThanOrEqual(10);
    await page.locator('[data-testid="generated-recipes"][data-status="ready"]').waitFor({ timeout: 120_000 });

    await page.locator('header nav').getByRole('button', { name: 'Map' }).click();
    await page.locator('[data-testid="latent-map"][data-status="drawn"]').waitFor({ timeout: 120_000 });
    // The PNG export draws the map's data: URL into an image (img-src data:) and downloads it.
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('map-export-png').click()]);
    expect(readFileSync((await png.path())!).subarray(1, 4).toString('latin1')).toBe('PNG');
    await page.getByTestId('map-view-media').click();
    await page.getByTestId('map-view-diagnostics').click();
    await page.waitForTimeout(500);
    console.log(await screenshot(page, 'no-external-map'));

    await showDatabase(page);
    for (const id of ['strains', 'genomes', 'quality', 'media'] as const) await page.getByTestId(`db-section-${id}`).click();
    await page.locator('[data-testid="media-results"] [data-medium-id]').first().click();
    await page.getByTestId('recipe-view').waitFor({ timeout: 60_000 });

    await showModel(page);
    const backend = await backendShown(page);
    console.log(`Model tab: backend ${backend.backend} (${backend.reason})`);
    console.log(await screenshot(page, 'no-external-model'));

    const hosts = new Set(requests.map((r) => new URL(r.url).host));
    const foreign = requests.filter((r) => !/^(data|blob):/.test(r.url) && new URL(r.url).host !== origin);
    const counts = new Map<string, number>();
    for (const r of requests) counts.set(r.from, (counts.get(r.from) ?? 0) + 1);
    const byFrom = [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`${requests.length} requests recorded (${byFrom}); hosts: ${[...hosts].join(', ')}; the server answered ${app.server.requests.length}`);
    expect(requests.length).toBeGreaterThan(20);
    expect(requests.some((r) => r.from === 'service worker')).toBe(true);
    // The app's own big files are among them (workers' fetches included).
    for (const f of ['mediaforge-snapshot.sqlite.gz', 'sql-wasm', 'tfjs-backend-wasm', 'ml.worker', 'MapPage']) expect(requests.some((r) => r.url.includes(f)), f).toBe(true);
    expect(foreign).toEqual([]);

    const violations = await cspViolations(page);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
