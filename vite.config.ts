import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The browser app (index.html → src/main.ts → src/ui/App.svelte) and its Web Workers.
// The Node CLI has its own config (vite.cli.config.ts); tests are configured in vitest.config.ts.
export default defineConfig({
  // Relative URLs, so dist/ works from any path (a sub-folder of a web site, an intranet share).
  base: './',
  plugins: [svelte()],
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
