import { svelte } from '@sveltejs/vite-plugin-svelte';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
/** Names this build (`<html data-build>`): the package version, or MEDIAFORGE_BUILD_ID when set (the update e2e builds a second version with it). */
const BUILD_ID = process.env.MEDIAFORGE_BUILD_ID || pkg.version;

/** The largest file the service worker precaches (the largest now is a worker chunk of ~2 MB; the bundled snapshot is not precached). */
const PRECACHE_MAX_BYTES = 64 * 1024 * 1024;

/** The bundled snapshot in public/: not precached (see the VitePWA options), kept offline by the app itself. */
const SNAPSHOT_FILE = 'mediaforge-snapshot.sqlite.gz';

/**
 * Defines __MEDIAFORGE_SNAPSHOT_REVISION__: a hash of the public folder's snapshot, the key of its
 * offline copy (src/db/snapshot-offline-copy.ts), so a build with a changed snapshot downloads it
 * again and one with the same snapshot does not. Changing it changes the page's code, hence sw.js:
 * a new snapshot alone is an update too. Reads the resolved public folder (tests build with another).
 */
function snapshotRevision(): Plugin {
  return {
    name: 'mediaforge-snapshot-revision',
    config(config) {
      const publicDir = config.publicDir === false ? null : resolve(config.root ?? process.cwd(), config.publicDir ?? 'public');
      const file = publicDir ? join(publicDir, SNAPSHOT_FILE) : null;
      const revision = file && existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16) : 'none';
      return { define: { __MEDIAFORGE_SNAPSHOT_REVISION__: JSON.stringify(revision) } };
    },
  };
}

/**
 * The built app's Content-Security-Policy: only its own files, no inline script, no eval beyond
 * compiling wasm (sql.js, tfjs's wasm backend), no other host. img-src data: is for the map's PNG
 * export (its canvas's data: URL is drawn into an image). Svelte's style: directives set styles
 * through the CSSOM, which style-src allows without 'unsafe-inline'.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/** Puts the policy right after <meta charset> in the built index.html, before any script (not in dev: Vite's HMR injects inline <style> elements). */
function contentSecurityPolicy(): Plugin {
  const charset = '<meta charset="UTF-8" />';
  return {
    name: 'mediaforge-content-security-policy',
    apply: 'build',
    transformIndexHtml(html) {
      if (!html.includes(charset)) throw new Error(`index.html: no ${charset} to put the Content-Security-Policy after`);
      return html.replace(charset, `${charset}\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`);
    },
  };
}

// The browser app (index.html → src/main.ts → src/ui/App.svelte) and its Web Workers.
// The Node CLI has its own config (vite.cli.config.ts); tests are configured in vitest.config.ts.
export default defineConfig({
  // Relative URLs, so dist/ works from any path (a sub-folder of a web site, an intranet share).
  base: './',
  // src/media/ssu-reference.tsv.gz is imported with ?inline (the 16S reference travels inside the bundle).
  assetsInclude: ['**/*.tsv.gz'],
  define: {
    __MEDIAFORGE_BUILD__: JSON.stringify(BUILD_ID),
  },
  plugins: [
    svelte(),
    contentSecurityPolicy(),
    snapshotRevision(),
    // An installable, offline app: Workbox's generated service worker (dist/sw.js) precaches
    // everything the app needs, the wasm files included, except the 14.5 MB bundled snapshot: the
    // page downloads that one anyway to open the database, and keeps that download in Cache
    // Storage for offline use (src/db/snapshot-offline-copy.ts), so it crosses the network once
    // on a first visit instead of twice (page + precache). A new version
    // waits until the user accepts the "update available" prompt (src/pwa/register.ts registers it:
    // no inline script, because of the Content-Security-Policy in index.html).
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      // public/manifest.webmanifest is ours, linked from index.html.
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{js,css,html,wasm,svg,png,webmanifest,gz}'],
        globIgnores: ['**/*.map', 'sw.js', 'workbox-*.js', SNAPSHOT_FILE],
        maximumFileSizeToCacheInBytes: PRECACHE_MAX_BYTES,
        // The first install takes the open page at once (there is no older version to keep);
        // later versions wait in "installed" until the prompt's Reload (skipWaiting message).
        clientsClaim: true,
        skipWaiting: false,
        cleanupOutdatedCaches: true,
        navigateFallback: 'index.html',
        sourcemap: false,
      },
    }),
  ],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  worker: {
    format: 'es',
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
