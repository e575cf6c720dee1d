/**
 * `mediaforge train cvae` → `db build --cvae` → `generate`, in-process on the fixture data (a tiny
 * recipe CVAE): the JSON schema of `generate --json`, validity fields, determinism with --seed,
 * header and file-name invariance, --help and bad input. With the shared data, `generate` on the
 * bundled snapshot's own recipe CVAE.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as dbCmd from '../../src/cli/commands/db';
import * as generateCmd from '../../src/cli/commands/generate';
import * as trainCmd from '../../src/cli/commands/train';
import { loadSqlJs } from '../../src/db/node-files';
import { openSnapshot } from '../../src/db/snapshot-file';
import { decodeRecipeModelFile, readRecipeCvae } from '../../src/ml/recipe-cvae-model';
import { fixture, HAS_SHARED_DATA, REPO_ROOT, sharedGenome } from '../helpers/data';
import { runCommand } from '../helpers/run-cli';
import { FIXTURE_DATA } from './db-test-helpers';

let dir: string;
let snapshot: string;
let modelFile: string;
const genome = join(FIXTURE_DATA, 'genomes/reference/Mycoplasma_genitalium_G37_type.fna.gz');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mf-generate-'));
  snapshot = join(dir, 'snap.sqlite.gz');
  modelFile = join(dir, 'tiny.mfcvae');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same sequence as `src`, every header replaced, under a neutral file name. */
function anonymise(src: string, name: string): string {
  const text = gunzipSync(readFileSync(src)).toString('utf8');
  let n = 0;
  const path = join(dir, name);
  writeFileSync(path, gzipSync(text.replace(/^>.*$/gm, () => `>seq${++n} something else entirely`)));
  return path;
}

function checkSchema(out: { recipes: Record<string, unknown>[] }, n: number) {
  expect(Object.keys(out)).toContain('recipes');
  expect(out.recipes).toHaveLength(n);
  for (const r of out.recipes) {
    for (const k of ['ingredients', 'ph', 'valid', 'flags', 'nearest_medium_id']) expect(r, k).toHaveProperty(k);
    expect(typeof r.valid).toBe('boolean');
    expect(Array.isArray(r.flags)).toBe(true);
    expect(r.valid).toBe((r.flags as string[]).length === 0);
    expect(r.ph === null || typeof r.ph === 'number').toBe(true);
    expect(r.nearest_medium_id === null || typeof r.nearest_medium_id === 'string').toBe(true);
    for (const g of r.ingredients as Record<string, unknown>[]) {
      expect(typeof g.name).toBe('string');
      for (const k of ['g_per_l', 'mmol_per_l']) {
        expect(g, k).toHaveProperty(k);
        expect(g[k] === null || (typeof g[k] === 'number' && Number.isFinite(g[k]) && (g[k] as number) >= 0), `${k} ${g[k]}`).toBe(true);
      }
    }
  }
}

describe('train cvae → db build --cvae → generate (fixture data, tiny model)', () => {
  it('builds a fixture snapshot and trains a tiny recipe CVAE on it, printing phase metrics', async () => {
    const b = await runCommand(dbCmd, 'db', 'build', '--data', FIXTURE_DATA, '--out', snapshot, '--no-model', '--quiet');
    expect(b.code, b.stderr).toBe(0);
    const t = await runCommand(trainCmd, 'train', 'cvae', '--db', snapshot, '--preset', 'tiny', '--out', modelFile, '--seed', '3', '--eval-rows', '50', '--created-at', '2026-12-01T00:00:00.000Z');
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/epoch 5\/5 \(phase 4/);
    expect(t.stderr).toMatch(/phase 1 \(bacteria\)[\s\S]*phase 4 \(\+ protists\)/);
    expect(t.stderr).toMatch(/nearest real medium is a known medium of the genus/);
    const m = decodeRecipeModelFile(readFileSync(modelFile));
    expect(m.history).toHaveLength(5);
    expect((m.metrics.phases as unknown[]).length).toBe(4);
  });

  it('is deterministic given the seed', async () => {
    const again = join(dir, 'again.mfcvae');
    const t = await runCommand(trainCmd, 'train', 'cvae', '--db', snapshot, '--preset', 'tiny', '--out', again, '--seed', '3', '--eval-rows', '50', '--created-at', '2026-12-01T00:00:00.000Z', '--quiet');
    expect(t.code, t.stderr).toBe(0);
    expect(decodeRecipeModelFile(readFileSync(again)).id).toBe(decodeRecipeModelFile(readFileSync(modelFile)).id);
  });

  it('bundles the model with db build --cvae, and keeps it on a plain rebuild', async () => {
    const b = await runCommand(dbCmd, 'db', 'build', '--data', FIXTURE_DATA, '--out', snapshot, '--cvae', modelFile, '--quiet');
    expect(b.code, b.stderr).toBe(0);
    const first = readFileSync(snapshot);
    const { db } = openSnapshot(await loadSqlJs(), new Uint8Array(first), 'snap');
    expect(readRecipeCvae(db)?.id).toBe(decodeRecipeModelFile(readFileSync(modelFile)).id);
    db.close();
    const again = await runCommand(dbCmd, 'db', 'build', '--data', FIXTURE_DATA, '--out', snapshot, '--quiet');
    expect(again.code, again.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(snapshot), first)).toBe(0);
  });

  it('generate --json: the schema, deterministic with --seed, independent of headers and file name', async () => {
    const r = await runCommand(generateCmd, 'generate', genome, '-n', '3', '--json', '--db', snapshot, '--seed', '7');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    checkSchema(out, 3);
    expect(out.conditions_used).toHaveProperty('temperatureC');
    const same = await runCommand(generateCmd, 'generate', genome, '-n', '3', '--json', '--db', snapshot, '--seed', '7');
    expect(same.stdout).toBe(r.stdout);
    const renamed = await runCommand(generateCmd, 'generate', anonymise(genome, 'query.fa.gz'), '-n', '3', '--json', '--db', snapshot, '--seed', '7');
    expect(renamed.stdout).toBe(r.stdout);
    const other = await runCommand(generateCmd, 'generate', genome, '-n', '3', '--json', '--db', snapshot, '--seed', '8');
    expect(other.stdout).not.toBe(r.stdout);
  });

  it('takes given conditions over predicted ones, and prints a bench table in text mode', async () => {
    const r = await runCommand(generateCmd, 'generate', genome, '-n', '2', '--json', '--db', snapshot, '--temperature', '70', '--salinity', '3', '--ph', '6', '--anaerobic');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).conditions_used).toEqual({ temperatureC: 70, oxygenTolerant: false, salinityPct: 3, ph: 6 });
    const t = await runCommand(generateCmd, 'generate', genome, '-n', '2', '--db', snapshot);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^Recipe 1: /m);
    expect(t.stdout).toMatch(/ingredient\s+g\/L\s+mmol\/L\s+ml\/L\s+note/);
  });

  it('--help exits 0; bad input gives one stderr line and a non-zero exit', async () => {
    const h = await runCommand(generateCmd, 'generate', '--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Usage: mediaforge generate FILE/);
    const cases = [
      ['generate', '--db', snapshot],
      ['generate', genome, '-n', '0', '--db', snapshot],
      ['generate', genome, '--temperature', 'hot', '--db', snapshot],
      ['generate', genome, '--aerobic', '--anaerobic', '--db', snapshot],
      ['generate', fixture('protein.faa'), '--db', snapshot],
      ['generate', join(dir, 'missing.fa'), '--db', snapshot],
    ];
    for (const [, ...argv] of cases) {
      const r = await runCommand(generateCmd, 'generate', ...argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(/^mediaforge generate: /);
    }
    // A database without a recipe CVAE says so.
    const plain = join(dir, 'plain.sqlite.gz');
    await runCommand(dbCmd, 'db', 'build', '--data', FIXTURE_DATA, '--out', plain, '--no-model', '--no-cvae', '--quiet');
    const none = await runCommand(generateCmd, 'generate', genome, '--db', plain);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/holds no recipe CVAE/);
  });
});

describe('generate with the bundled snapshot', () => {
  it('a sequence without rRNA genes gets recipes for its predicted proteome’s domain, and says so', async () => {
    // 240 kbp of the M. genitalium fixture past its rRNA operon: genes, no rRNA genes.
    const lines = gunzipSync(readFileSync(fixture('mycoplasma-genitalium-g37.fa.gz'))).toString('utf8').trimEnd().split('\n');
    const file = join(dir, 'no-rrna.fa');
    writeFileSync(file, `>chunk\n${lines.slice(3001, 6001).join('\n')}\n`);
    const r = await runCommand(generateCmd, 'generate', file, '-n', '2', '--json', '--seed', '1');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.group).toBe('bacteria');
    const text = await runCommand(generateCmd, 'generate', file, '-n', '1', '--seed', '1');
    expect(text.stdout.split('\n')[0]).toMatch(/; rRNA domain unknown \(recipes for bacteria: the predicted proteome\)$/);
    // With its rRNA genes (the start of the genome), the rRNA call decides and the line says only that.
    const whole = join(dir, 'with-rrna.fa');
    writeFileSync(whole, `>chunk\n${lines.slice(1, 3001).join('\n')}\n`);
    const called = await runCommand(generateCmd, 'generate', whole, '-n', '1', '--seed', '1');
    expect(called.stdout.split('\n')[0]).toMatch(/; rRNA domain bacteria$/);
    // Neither is short; a 2 kbp fragment is told its conditions mean little (notes and stderr), and still gets its recipes.
    expect(r.stderr).toBe('');
    expect(out.predicted_notes.some((x: string) => x.startsWith('warning: only'))).toBe(false);
    const frag = join(dir, 'fragment-2kb.fa');
    writeFileSync(frag, `>f\n${lines.slice(4001, 4026).join('\n')}\n`);
    const f = await runCommand(generateCmd, 'generate', frag, '-n', '1', '--json', '--seed', '1');
    expect(f.code, f.stderr).toBe(0);
    const note = /^warning: only 2 kbp of sequence \(A, C, G, T\): the growth conditions the recipes are generated for .* \(below 3 kbp they mean little\); give the conditions you know/;
    expect(JSON.parse(f.stdout).predicted_notes[0]).toMatch(note);
    expect(JSON.parse(f.stdout).recipes).toHaveLength(1);
    expect(f.stderr.trim().split('\n')).toHaveLength(1);
    expect(f.stderr).toMatch(/^mediaforge generate: warning: .*fragment-2kb\.fa: only 2 kbp of sequence/);
  });
});

if (HAS_SHARED_DATA) {
  describe('generate with the bundled snapshot (shared data)', () => {
    it('generates valid recipes for a real genome, deterministic with --seed', async () => {
      const snap = join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz');
      const { db } = openSnapshot(await loadSqlJs(), new Uint8Array(readFileSync(snap)), 'bundled', { integrityCheck: false });
      const bundled = readRecipeCvae(db);
      db.close();
      expect(bundled, 'the bundled snapshot holds a recipe CVAE (npx mediaforge db build --cvae FILE)').not.toBeNull();
      const file = sharedGenome('reference/Escherichia_coli_K-12_MG1655.fna.gz');
      const r = await runCommand(generateCmd, 'generate', file, '-n', '5', '--json', '--seed', '1');
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      checkSchema(out, 5);
      expect(out.recipes.filter((x: { valid: boolean }) => x.valid).length).toBeGreaterThanOrEqual(4);
      const again = await runCommand(generateCmd, 'generate', anonymise(file, 'e.fa.gz'), '-n', '5', '--json', '--seed', '1');
      expect(again.stdout).toBe(r.stdout);
    });
  });
}
