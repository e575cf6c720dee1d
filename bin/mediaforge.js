#!/usr/bin/env node
// Entry point for `npx mediaforge`. The CLI is bundled into dist-cli/ by `npm run build:cli`
// (run automatically by `npm install` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist-cli/mediaforge.js', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('mediaforge: the CLI is not built yet; run `npm run build:cli` in the repository first\n');
  process.exit(2);
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
