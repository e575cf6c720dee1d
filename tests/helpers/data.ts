import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = resolve(REPO_ROOT, 'tests/fixtures');
/** ../shared/data beside the checkout (present on developer machines and in CI, absent in a bare clone). */
export const SHARED_DATA = resolve(REPO_ROOT, '../shared/data');
export const HAS_SHARED_DATA = existsSync(resolve(SHARED_DATA, 'genomes/manifest.tsv'));
export const fixture = (name: string) => resolve(FIXTURES, name);
export const sharedGenome = (rel: string) => resolve(SHARED_DATA, 'genomes', rel);
