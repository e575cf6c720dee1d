import { defineConfig } from 'vite';

// Bundles the Node CLI (src/cli/main.ts + the same src/core the app uses) into dist-cli/.
export default defineConfig({
  build: {
    ssr: 'src/cli/main.ts',
    outDir: 'dist-cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      output: { entryFileNames: 'mediaforge.js', format: 'es' },
    },
  },
  ssr: { noExternal: ['fflate'] },
  // src/media/ssu-reference.tsv.gz is imported with ?inline (the 16S reference travels inside the bundle).
  assetsInclude: ['**/*.tsv.gz'],
});
