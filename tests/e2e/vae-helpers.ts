/**
 * e2e plumbing for the genome model (Model tab, neighbours): an app root whose bundled snapshot
 * holds a genome VAE, and the Model tab.
 *
 * The bundled snapshot (dist/mediaforge-snapshot.sqlite.gz) is used when it holds an active
 * genome VAE. Otherwise a small one is built once with the CLI (a `tiny` model, 3 epochs, on the
 * reference genomes) into the OS temp folder, and served from a copy of dist/ made of symlinks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { gunzipSync } from 'fflate';
import { loadSqlJs } from '../../src/db/node-files';
import { REPO_ROOT } from '../helpers/data';
import { bundledSnapshotBytes } from './db-helpers';
import { DIST } from './helpers';

const SNAPSHOT = 'mediaforge-snapshot.sqlite.gz';
const CACHE = join(tmpdir(), 'mediaforge-e2e-vae');

/** True when the snapshot bytes hold an active genome VAE with embeddings. */
export async function snapshotHasGenomeVae(bytes: Uint8Array): Promise<boolean> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(gunzipSync(bytes));
  try {
    const r = db.exec(`SELECT count(*) FROM meta m JOIN genome_embeddings e ON e.model_id = m.value WHERE m.key = 'active_genome_vae'`);
    return Number(r[0]?.values[0][0] ?? 0) > 0;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/mediaforge.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`mediaforge ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
}

/** A snapshot with a tiny genome VAE, built once per machine (OS temp folder). */
function tinyModelSnapshot(): string {
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, 'tiny-vae.sqlite.gz');
  const cliBuilt = statSync(join(REPO_ROOT, 'dist-cli/mediaforge.js')).mtimeMs;
  if (existsSync(out) && statSync(out).mtimeMs > cliBuilt) return out;
  const model = join(CACHE, 'tiny.mfvae');
  cli(['train', 'vae', '--reference-only', '--epochs', '3', '--preset', 'tiny', '--quiet', '--out', model]);
  cli(['db', 'build', '--out', out, '--model', model]);
  return out;
}

/**
 * The folder to serve: dist/ itself when its snapshot holds a genome VAE, else a folder of
 * symlinks to dist/ with a test snapshot that does. `source` says which.
 */
export async function appRootWithModel(): Promise<{ root: string; source: 'bundled' | 'test snapshot' }> {
  if (await snapshotHasGenomeVae(bundledSnapshotBytes())) return { root: DIST, source: 'bundled' };
  const snapshot = tinyModelSnapshot();
  const root = join(CACHE, 'dist');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(DIST)) if (name !== SNAPSHOT) symlinkSync(join(DIST, name), join(root, name));
  copyFileSync(snapshot, join(root, SNAPSHOT));
  return { root, source: 'test snapshot' };
}

/** appRootWithModel's folder, logged with its source: the `root` of useBrowserAndServer for tests that need a genome VAE. */
export async function rootWithModel(): Promise<string> {
  const { root, source } = await appRootWithModel();
  console.log(`serving ${root} (${source})`);
  return root;
}

/** Clicks the Model tab and waits for the page. */
export async function showModel(page: Page): Promise<void> {
  await page.locator('header nav').getByRole('button', { name: 'Model' }).click();
  await page.getByTestId('model-page').waitFor({ timeout: 30_000 });
}

/** Waits until the ML worker reports its backend; returns {backend, reason}. */
export async function backendShown(page: Page, timeoutMs = 60_000): Promise<{ backend: string; chosen: string; reason: string }> {
  const el = page.locator('[data-testid="ml-backend"][data-backend]:not([data-backend=""])');
  await el.waitFor({ timeout: timeoutMs });
  return {
    backend: (await el.getAttribute('data-backend')) ?? '',
    chosen: (await el.getAttribute('data-chosen')) ?? '',
    reason: ((await page.getByTestId('ml-backend-reason').textContent()) ?? '').trim(),
  };
}

/** The epoch number the Model tab shows. */
export async function shownEpoch(page: Page): Promise<number> {
  return Number(await page.getByTestId('train-epoch').getAttribute('data-epoch'));
}
