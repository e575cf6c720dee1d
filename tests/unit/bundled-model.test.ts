/**
 * The genome VAE shipped in public/mediaforge-snapshot.sqlite.gz: its recorded provenance, its
 * weights reproduce its stored embeddings, and its neighbours make sense for genomes of the repo's
 * fixtures. (tests/unit/db-build.test.ts rebuilds the whole snapshot from ../shared/data with this
 * model and compares it byte for byte.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getGenomeCounts } from '../../src/db/genomes';
import { getActiveModelId, loadEmbeddings } from '../../src/db/models';
import { openSnapshot } from '../../src/db/snapshot-file';
import { readGenomeVae } from '../../src/ml/bundle-model';
import { instantiateGenomeVae, type GenomeVaeModel } from '../../src/ml/genome-vae-model';
import { neighborIndexFromDb } from '../../src/ml/genome-neighbors';
import { initNodeBackend } from '../../src/ml/node-backend';
import { embedProfiles } from '../../src/ml/train-pipeline';
import { profileSource } from '../../src/core/profile';
import { nodeFileSource } from '../../src/cli/node-source';
import { fixture, REPO_ROOT } from '../helpers/data';
import { sql } from './db-test-helpers';

let db: Database;
let model: GenomeVaeModel;

beforeAll(async () => {
  await initNodeBackend('wasm');
  db = openSnapshot(await sql(), new Uint8Array(readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz'))), 'bundled').db;
  const m = readGenomeVae(db);
  if (!m) throw new Error('the bundled snapshot holds no genome VAE: run `npx mediaforge db build --model FILE`');
  model = m;
});
afterAll(() => db?.close());

describe('the bundled genome VAE', () => {
  it('is the active model and records its seed, configuration, data and held-out genera', () => {
    expect(getActiveModelId(db)).toBe(model.id);
    expect(model.config.seed).toBe(42);
    expect(model.config.hiddenDims).toEqual([256, 128]);
    expect(model.config.latentDim).toBe(32);
    expect(model.provenance.data).toMatch(/reference genomes \+ collection records/);
    expect(model.provenance.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(model.provenance.valGenera.length).toBeGreaterThan(0);
    expect(model.history).toHaveLength(model.config.epochs);
    expect(model.report).not.toBeNull();
  });

  it('embeds every genome and record of the snapshot', () => {
    const emb = loadEmbeddings(db, model.id);
    expect(emb.genomeIds.length).toBe(Number(db.exec('SELECT count(*) FROM genomes')[0].values[0][0]));
    expect(emb.dim).toBe(32);
  });

  it('its shipped weights reproduce the shipped embeddings of every profiled genome', () => {
    const emb = loadEmbeddings(db, model.id);
    const row = new Map(Array.from(emb.genomeIds, (g, i) => [g, i]));
    const ids = (db.exec('SELECT genome_id FROM genome_profiles ORDER BY genome_id')[0]?.values ?? []).map(([g]) => Number(g));
    expect(ids.length).toBeGreaterThan(100);
    const vae = instantiateGenomeVae(model);
    const vectors = embedProfiles(vae, ids.map((g) => ({ counts: getGenomeCounts(db, g)! })));
    vae.dispose();
    let maxDiff = 0;
    ids.forEach((g, i) => {
      const r = row.get(g)!;
      for (let j = 0; j < emb.dim; j++) maxDiff = Math.max(maxDiff, Math.abs(vectors[i * emb.dim + j] - emb.vectors[r * emb.dim + j]));
    });
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('finds bacteria for M. genitalium and a phage first for lambda', async () => {
    const index = neighborIndexFromDb(db, model.id);
    const vae = instantiateGenomeVae(model);
    const near = async (file: string) => {
      const p = await profileSource(nodeFileSource(fixture(file)), { rrnaMarkers: true });
      return index.search(embedProfiles(vae, [p]), 5, p.rrna?.domainCall ?? 'unknown');
    };
    const myco = await near('mycoplasma-genitalium-g37.fa.gz');
    expect(myco[0].species).toMatch(/^Mycoplasma genitalium/);
    expect(myco.filter((n) => n.domain === 'bacteria').length).toBeGreaterThanOrEqual(4);
    const lambda = await near('lambda.fa.gz');
    expect(lambda[0].domain).toBe('virus');
    vae.dispose();
  });
});
