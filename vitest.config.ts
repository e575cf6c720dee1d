import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './tests/helpers/slow-first-sequencer.ts';

// Two projects: `unit` (pure Node, tests/unit + tests/regress) and `e2e` (a real Chromium
// driven by playwright-core against the built app in dist/; run `npm run build` first).
// src/media/ssu-reference.tsv.gz is imported with ?inline (the 16S reference travels inside the bundle).
const assetsInclude = ['**/*.tsv.gz'];

export default defineConfig({
  test: {
    // The minutes-long evaluation files start first (tests/helpers/slow-first-sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        assetsInclude,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/regress/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Unit files are CPU-bound Node work: two at a time even on 2 cores (vitest's default
          // leaves one core to its main process, which idles), so a minutes-long evaluation file
          // runs beside the others instead of after them.
          maxWorkers: Math.max(2, availableParallelism() - 1),
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
