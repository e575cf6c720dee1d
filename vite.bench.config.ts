import { readdirSync } from 'node:fs';
import { defineConfig } from 'vite';

// Bundles the TypeScript benchmarks (bench/ts/*.ts, over the same src/ as the app and the CLI)
// into dist-bench/*.js for Node: `npx vite build --config vite.bench.config.ts`, then
// `node dist-bench/<name>.js`. `npm run bench` does both.
const entries = Object.fromEntries(
  readdirSync('bench/ts')
    .filter((f) => f.endsWith('.ts'))
    .map((f) => [f.replace(/\.ts$/, ''), `bench/ts/${f}`]),
);

export default defineConfig({
  publicDir: false, // the benchmarks need none of public/ (the 12 MB snapshot)
  // src/media/ssu-reference.tsv.gz is imported with ?inline (the 16S reference travels inside the bundle).
  assetsInclude: ['**/*.tsv.gz'],
  build: {
    ssr: true,
    outDir: 'dist-bench',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { input: entries, output: { entryFileNames: '[name].js', format: 'es' } },
  },
  ssr: { noExternal: ['fflate'] },
});
