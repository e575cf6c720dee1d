/**
 * The latent map's database side, on the bundled snapshot: migration 005 (projections) applies on
 * open, every embedded genome and record comes out with what the map colours it by, a cached
 * projection is served only for the embeddings it was computed from, the media map has a vector
 * per medium, a group gets pooled media, and the diagnostics run on the real embeddings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getActiveModelId } from '../../src/db/models';
import { migrate, readPragmaInt, SCHEMA_VERSION } from '../../src/db/migrations';
import { loadSqlJs } from '../../src/db/node-files';
import { buildRecommendContext } from '../../src/media/recommend';
import { latentDiagnostics } from '../../src/map/diagnostics';
import { recommendForGroup } from '../../src/map/group-recommend';
import { LINK_LEVELS, mapGenomesFromDb, neighborCandidatesOf, ORGANISM_TYPES } from '../../src/map/map-data';
import { mediaMapFromDb } from '../../src/map/media-map-data';
import { projectWithPca } from '../../src/map/projection';
import { listProjections, loadProjection, saveProjection } from '../../src/map/projection-store';
import { REPO_ROOT } from '../helpers/data';

let db: Database;
let from: number;

beforeAll(async () => {
  const SQL = await loadSqlJs();
  db = new SQL.Database(gunzipSync(readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz'))));
  from = readPragmaInt(db, 'user_version');
  migrate(db, undefined, 'bundled snapshot');
});

afterAll(() => db?.close());

describe('latent map data from the bundled snapshot', () => {
  it('migrates the snapshot to the projections schema', () => {
    expect(from).toBeLessThanOrEqual(SCHEMA_VERSION);
    expect(readPragmaInt(db, 'user_version')).toBe(SCHEMA_VERSION);
    expect(db.exec("SELECT count(*) FROM sqlite_schema WHERE name = 'projections'")[0].values[0][0]).toBe(1);
  });

  it('lists every embedded genome and record with its map attributes', () => {
    const modelId = getActiveModelId(db)!;
    const m = mapGenomesFromDb(db, modelId);
    const n = Number(db.exec('SELECT count(*) FROM genome_embeddings WHERE model_id = ?', [modelId])[0].values[0][0]);
    expect(m.genomeIds.length).toBe(n);
    expect(m.vectors.length).toBe(n * m.dim);
    expect(m.names.every((s) => s.length > 0)).toBe(true);
    expect([...m.organismType].every((t) => t < ORGANISM_TYPES.length)).toBe(true);
    expect([...m.linkLevel].every((t) => t < LINK_LEVELS.length)).toBe(true);
    // Links and media as the database has them.
    const linked = Number(db.exec("SELECT count(DISTINCT genome_id) FROM genome_strain_links WHERE level <> 'none'")[0].values[0][0]);
    expect([...m.linkLevel].filter((l) => l > 0).length).toBe(linked);
    const withMedia = Number(db.exec("SELECT count(DISTINCT genome_id) FROM genome_growth WHERE growth = 'yes'")[0].values[0][0]);
    expect([...m.medium].filter((x) => x >= 0).length).toBe(withMedia);
    const { rows, candidates } = neighborCandidatesOf(m);
    expect(rows.length).toBe(candidates.length);
    expect(candidates.every((c) => ['genome', 'chromosome', 'plasmid', 'virus_genome'].includes(c.recordType))).toBe(true);
    // Same data, same hash; the hash is the cache key.
    expect(mapGenomesFromDb(db, modelId).embeddingsHash).toBe(m.embeddingsHash);
  });

  it('caches a projection per model and method, and serves it only for the same embeddings', () => {
    const modelId = getActiveModelId(db)!;
    const m = mapGenomesFromDb(db, modelId);
    const p = projectWithPca(m.vectors, m.dim);
    saveProjection(db, { modelId, method: 'pca', params: p.params, embeddingsHash: m.embeddingsHash, genomeIds: m.genomeIds, coords: p.coords, createdAt: '2026-12-01T00:00:00Z' });
    const back = loadProjection(db, modelId, 'pca', m.embeddingsHash)!;
    expect(back.genomeIds).toEqual(m.genomeIds);
    expect(back.coords).toEqual(p.coords);
    expect(back.params).toEqual(p.params);
    expect(loadProjection(db, modelId, 'pca', 'other-embeddings')).toBeNull();
    expect(loadProjection(db, modelId, 'umap', m.embeddingsHash)).toBeNull();
    expect(listProjections(db, modelId).map((x) => x.method)).toEqual(['pca']);
    // Deleting the model deletes its projections.
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('SAVEPOINT s');
    db.run('DELETE FROM genome_embeddings WHERE model_id = ?', [modelId]);
    db.run('DELETE FROM models WHERE id = ?', [modelId]);
    expect(listProjections(db, modelId)).toEqual([]);
    db.exec('ROLLBACK TO s');
    db.exec('RELEASE s');
  });

  it('gives the media map one ingredient vector per medium, with type, pH and organism group', () => {
    const d = mediaMapFromDb(db);
    const n = d.mediumIds.length;
    expect(n).toBeGreaterThan(3000);
    expect(d.features.length).toBe(n * d.featureDim);
    expect(d.featureDim).toBe(2 * d.vocabulary);
    expect([...d.complex].filter((c) => c === 1).length).toBeGreaterThan(100);
    expect(d.groups).toEqual(expect.arrayContaining(['bacteria', 'archaea']));
    expect([...d.ph].filter(Number.isFinite).length).toBeGreaterThan(n / 2);
  });

  it('pools media for a group of genomes (each member ranked, records by their linked media)', () => {
    const ctx = buildRecommendContext(db);
    const lacto = (db.exec("SELECT id FROM genomes WHERE species LIKE 'Lactobacillus%' AND record_type = 'genome' ORDER BY id LIMIT 4")[0]?.values ?? []).map(([id]) => Number(id));
    const records = (db.exec("SELECT g.id FROM genomes g WHERE g.record_type = 'contig_or_scaffold' AND EXISTS (SELECT 1 FROM genome_growth gg WHERE gg.genome_id = g.id) ORDER BY g.id LIMIT 3")[0]?.values ?? []).map(([id]) => Number(id));
    expect(lacto.length).toBeGreaterThan(1);
    const r = recommendForGroup(ctx, db, [...lacto, ...records], { top: 10 });
    expect(r.members).toBe(lacto.length + records.length);
    expect(r.ranked).toBe(lacto.length);
    expect(r.linkedOnly).toBe(records.length);
    expect(r.byNeighbours).toBe(0);
    expect(r.media.length).toBe(10);
    const scores = r.media.map((m) => m.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores.every((s) => s > 0 && s <= 1)).toBe(true);
    // Lactobacilli: MRS medium (DSMZ 11) leads.
    expect(r.media.slice(0, 3).map((m) => m.name).join(' ')).toMatch(/MRS/);
    // Metagenome contigs (no profile, no links) borrow the media of their nearest linked genomes.
    const contigs = (db.exec("SELECT id FROM genomes WHERE record_type = 'metagenome_contig' ORDER BY id LIMIT 5")[0]?.values ?? []).map(([id]) => Number(id));
    const m = recommendForGroup(ctx, db, contigs, { top: 5 });
    expect(m.byNeighbours).toBe(contigs.length);
    expect(m.media.length).toBe(5);
  });

  it('computes diagnostics on the embeddings: random pairs, nearest neighbours, PC1 against GC', () => {
    const m = mapGenomesFromDb(db, getActiveModelId(db)!);
    const pc1 = projectWithPca(m.vectors, m.dim).coords.filter((_, i) => i % 2 === 0);
    const d = latentDiagnostics(m.vectors, m.dim, pc1, m.gcFraction, { pairs: 5000, nnSample: 500 });
    expect(d.randomPairs.counts.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(d.nearestNeighbour.n).toBe(500);
    expect(d.nearestNeighbour.median).toBeLessThan(d.randomPairs.median);
    expect(Math.abs(d.pc1GcR)).toBeGreaterThan(0.3); // composition drives the main axis
  });
});
