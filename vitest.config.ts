import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure Node, tests/unit + tests/regress) and `e2e` (a real Chromium
// driven by playwright-core against the built app in dist/; run `npm run build` first).
// src/media/ssu-reference.tsv.gz is imported with ?inline (the 16S reference travels inside the bundle).
const assetsInclude = ['**/*.tsv.gz'];

export default defineConfig({
  test: {
    projects: [
      {
        assetsInclude,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/regress/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        assetsInclude,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
