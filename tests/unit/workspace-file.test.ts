/**
 * Workspace files (src/db/workspace-file.ts, workspace-stream.ts) on real sql.js: what goes in (the
 * user's rows only), the round trip into a fresh copy of the reference data (replace) and into
 * another database (merge), the preview, the refusals of bad files, and cancel.
 */
import { gunzipSync, gzipSync } from 'fflate';
import type { Database, SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { addGenome } from '../../src/db/genomes';
import { recordLabOutcome } from '../../src/db/lab-outcomes';
import { setGenomeLink } from '../../src/db/link';
import { deleteModel, getActiveModelId, saveEmbeddings, saveModel, setActiveModelId } from '../../src/db/models';
import { exportSnapshot, openSnapshot } from '../../src/db/snapshot-file';
import { buildStrainIndex } from '../../src/db/strain-index';
import {
  applyWorkspace,
  collectWorkspace,
  describeImport,
  exportWorkspace,
  modelIdsOf,
  openImportFile,
  WORKSPACE_FORMAT_VERSION,
  WORKSPACE_MANIFEST_KEY,
  workspaceFileName,
} from '../../src/db/workspace-file';
import { gunzipChunked, gzipChunked, type TransferProgress } from '../../src/db/workspace-stream';
import { all, mediaDb, one, sql } from './db-test-helpers';

const profile = (seed: number) => ({
  counts: Float64Array.from({ length: FEATURE_COUNT }, (_, i) => ((i * seed) % 23) + 1),
  lengthBp: 5000 + seed,
  nBp: 0,
  otherBp: 0,
  gcFraction: 0.5,
  records: 1,
});
const vec = (seed: number, dim: number) => Float32Array.from({ length: dim }, (_, i) => Math.sin(seed * 7 + i));
const model = (id: string, kind = 'genome-vae', bytes = 64) => ({ id, kind, config: { latentDim: 4 }, weights: new Uint8Array(bytes).fill(7), metrics: { ok: 1 }, createdAt: '2026-12-01T00:00:00.000Z' });

let SQL: SqlJsStatic;
/** Reference data: fixture media/strains, 3 reference genomes, reference model 'ref-vae' (embeds all) and a reference recipe model. */
let referenceBytes: Uint8Array;
/** The user's database: the reference data plus their genomes, a trained model, links, outcomes, a checkpoint. */
let userBytes: Uint8Array;

const reopen = (bytes: Uint8Array) => openSnapshot(SQL, bytes, 'db.sqlite', { integrityCheck: false }).db;

/** Rows as they read in any database: genomes by content hash, no row ids. */
function portable(db: Database) {
  const hash = (id: unknown) => String(one(db, 'SELECT content_hash FROM genomes WHERE id = ?', [Number(id)]));
  const userIds = all(db, "SELECT id FROM genomes WHERE origin = 'user'").map((r) => Number(r.id));
  return {
    genomes: all(db, "SELECT name, species, strain, organism_type, length_bp, content_hash, source_file FROM genomes WHERE origin = 'user' ORDER BY content_hash"),
    profiles: all(db, `SELECT g.content_hash, hex(p.counts) AS c FROM genome_profiles p JOIN genomes g ON g.id = p.genome_id WHERE g.origin = 'user' ORDER BY 1`),
    markers: all(db, `SELECT g.content_hash, m.domain_call FROM genome_markers m JOIN genomes g ON g.id = m.genome_id WHERE g.origin = 'user' ORDER BY 1`),
    embeddings: all(db, 'SELECT genome_id, model_id, hex(vector) AS v FROM genome_embeddings')
      .map((r) => ({ g: hash(r.genome_id), m: r.model_id, v: r.v }))
      .sort((a, b) => `${a.g}${a.m}`.localeCompare(`${b.g}${b.m}`)),
    links: all(db, `SELECT genome_id, strain_id, level, reviewed_by_user FROM genome_strain_links WHERE genome_id IN (${userIds.join(',') || 'NULL'}) OR reviewed_by_user = 1`)
      .map((r) => ({ ...r, genome_id: hash(r.genome_id) }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    outcomes: all(db, 'SELECT genome_id, medium_id, grew, tested_on, note, recorded_at FROM lab_outcomes')
      .map((r) => ({ ...r, genome_id: hash(r.genome_id) }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  };
}

beforeAll(async () => {
  SQL = await sql();
  const ref = await mediaDb();
  saveModel(ref, model('ref-vae'));
  saveModel(ref, model('ref-cvae', 'recipe-cvae'));
  setActiveModelId(ref, 'ref-vae');
  const refIds: number[] = [];
  for (const s of [2, 3, 5]) refIds.push((await addGenome(ref, profile(s), { name: `ref ${s}`, origin: 'snapshot' })).genomeId);
  saveEmbeddings(ref, 'ref-vae', refIds, Float32Array.from(refIds.flatMap((id) => [...vec(id, 4)])), 4);
  referenceBytes = exportSnapshot(ref);

  const u = ref;
  const a = (await addGenome(u, profile(11), { name: 'my isolate A', species: 'Acetobacter tropicalis', sourceFile: 'a.fna', origin: 'user' })).genomeId;
  const b = (await addGenome(u, profile(13), { name: 'my isolate B', sourceFile: 'b.fna', origin: 'user' })).genomeId;
  saveEmbeddings(u, 'ref-vae', [a, b], Float32Array.from([...vec(a, 4), ...vec(b, 4)]), 4);
  u.run("INSERT INTO genome_markers (genome_id, method, domain_call, evidence_json) VALUES (?, 'rrna', 'bacteria', '{}')", [a]);
  const index = buildStrainIndex(u);
  setGenomeLink(u, a, 17, 'strain', 'user chose DSM 15551', index);
  // A link decision on a reference genome is the user's too.
  setGenomeLink(u, refIds[0], 2335, 'species', 'user chose bacdive:2335', index);
  // A model the user trained (embeds every profiled genome) and made active, and an unfinished run.
  saveModel(u, model('user-vae', 'genome-vae', 96));
  saveEmbeddings(u, 'user-vae', [...refIds, a, b], Float32Array.from([...refIds, a, b].flatMap((id) => [...vec(id + 100, 4)])), 4);
  setActiveModelId(u, 'user-vae');
  saveModel(u, model('run-1', 'genome-vae-checkpoint'));
  recordLabOutcome(u, { genomeId: a, mediumId: '1', grew: true, testedOn: '2026-11-20', note: '48 h, 30 °C' }, new Date(2026, 10, 21));
  recordLabOutcome(u, { genomeId: refIds[1], mediumId: 'J12', grew: false, testedOn: '2026-11-22' }, new Date(2026, 10, 22));
  userBytes = exportSnapshot(u);
  u.close();
});

describe('collecting a workspace', () => {
  it("holds only the user's rows: their genomes with profiles, anchors for reference genomes, user models, stubs, outcomes", () => {
    const user = reopen(userBytes);
    const reference = reopen(referenceBytes);
    const { workspace: ws, manifest } = collectWorkspace(SQL, user, { referenceModelIds: modelIdsOf(reference), createdAt: '2026-12-01T10:00:00.000Z' });
    reference.close();
    expect(all(ws, 'SELECT name, origin FROM genomes ORDER BY name')).toEqual([
      { name: 'my isolate A', origin: 'user' },
      { name: 'my isolate B', origin: 'user' },
      { name: 'ref 2', origin: 'snapshot' },
      { name: 'ref 3', origin: 'snapshot' },
      { name: 'ref 5', origin: 'snapshot' },
    ]);
    // Profiles only for the user's genomes (reference ones are in every MediaForge).
    expect(one(ws, "SELECT count(*) FROM genome_profiles p JOIN genomes g ON g.id = p.genome_id WHERE g.origin = 'user'")).toBe(2);
    expect(one(ws, 'SELECT count(*) FROM genome_profiles')).toBe(2);
    // The user's model with weights; the reference model as a stub; no checkpoint, no recipe model.
    expect(all(ws, 'SELECT id, kind, weights IS NULL AS stub FROM models ORDER BY id')).toEqual([
      { id: 'ref-vae', kind: 'genome-vae', stub: 1 },
      { id: 'user-vae', kind: 'genome-vae', stub: 0 },
    ]);
    expect(one(ws, "SELECT value FROM meta WHERE key = 'active_genome_vae'")).toBe('user-vae');
    // Embeddings: the user genomes by both models, the reference genomes only by the user's model.
    expect(one(ws, "SELECT count(*) FROM genome_embeddings WHERE model_id = 'user-vae'")).toBe(5);
    expect(one(ws, "SELECT count(*) FROM genome_embeddings WHERE model_id = 'ref-vae'")).toBe(2);
    // Links: the user genome's, and the reviewed ones of a reference genome (a species-level choice
    // links every strain of the species), with their strains.
    expect(all(ws, 'SELECT strain_id, level, reviewed_by_user FROM genome_strain_links ORDER BY strain_id')).toEqual([
      { strain_id: 17, level: 'strain', reviewed_by_user: 1 },
      { strain_id: 2334, level: 'species', reviewed_by_user: 1 },
      { strain_id: 2335, level: 'species', reviewed_by_user: 1 },
    ]);
    expect(one(ws, 'SELECT count(*) FROM strains')).toBe(3);
    expect(all(ws, 'SELECT medium_id, grew, note FROM lab_outcomes ORDER BY medium_id')).toEqual([
      { medium_id: '1', grew: 1, note: '48 h, 30 °C' },
      { medium_id: 'J12', grew: 0, note: '' },
    ]);
    expect(one(ws, 'SELECT count(*) FROM media')).toBe(2);
    expect(ws.exec('PRAGMA foreign_key_check')).toEqual([]);
    expect(manifest).toMatchObject({
      kind: 'mediaforge-workspace',
      formatVersion: WORKSPACE_FORMAT_VERSION,
      createdAt: '2026-12-01T10:00:00.000Z',
      referenceModels: [{ id: 'ref-vae', kind: 'genome-vae' }],
      activeGenomeModel: 'user-vae',
      activeRecipeModel: null,
      counts: { genomes: 2, referenceGenomes: 3, profiles: 2, links: 3, embeddings: 7, models: 1, labOutcomes: 2, notes: 1 },
    });
    expect(JSON.parse(String(one(ws, 'SELECT value FROM meta WHERE key = ?', [WORKSPACE_MANIFEST_KEY])))).toEqual(manifest);
    ws.close();
    user.close();
  });

  it('without a model of their own, the user genomes keep their embeddings by the reference model (as a stub)', () => {
    const user = reopen(userBytes);
    deleteModel(user, 'user-vae');
    const { workspace: ws, manifest } = collectWorkspace(SQL, user, { referenceModelIds: new Set(['ref-vae', 'ref-cvae']) });
    user.close();
    expect(all(ws, 'SELECT id, weights IS NULL AS stub FROM models')).toEqual([{ id: 'ref-vae', stub: 1 }]);
    expect(one(ws, "SELECT count(*) FROM genome_embeddings WHERE model_id = 'ref-vae'")).toBe(2);
    expect(one(ws, "SELECT count(*) FROM meta WHERE key = 'active_genome_vae'")).toBe(0);
    // Only the reference genomes with an outcome or a reviewed link remain as anchors.
    expect(all(ws, "SELECT name FROM genomes WHERE origin = 'snapshot' ORDER BY name")).toEqual([{ name: 'ref 2' }, { name: 'ref 3' }]);
    expect(manifest.counts).toMatchObject({ genomes: 2, referenceGenomes: 2, embeddings: 2, models: 0 });
    expect(ws.exec('PRAGMA foreign_key_check')).toEqual([]);
    ws.close();
  });

  it('names the file by date', () => {
    expect(workspaceFileName(new Date('2026-12-01T23:00:00Z'))).toBe('mediaforge-workspace-2026-12-01.sqlite.gz');
  });
});

describe('importing a workspace', () => {
  async function exported(): Promise<Uint8Array> {
    const user = reopen(userBytes);
    const reference = reopen(referenceBytes);
    const { bytes } = await exportWorkspace(SQL, user, { referenceModelIds: modelIdsOf(reference) });
    reference.close();
    user.close();
    return bytes;
  }

  it('replace: the reference data plus the workspace equals the user database on every user row, with its active model', async () => {
    const file = await exported();
    const opened = await openImportFile(SQL, file, 'ws.sqlite.gz');
    expect(opened.preview).toMatchObject({ kind: 'workspace', gzip: true, formatVersion: 1, schemaVersion: 5, counts: { genomes: 2, labOutcomes: 2, notes: 1, models: 1 } });
    expect(opened.preview.genomeNames).toEqual(['my isolate A', 'my isolate B']);
    expect(opened.preview.referenceModels).toEqual(['ref-vae']);
    const fresh = reopen(referenceBytes);
    const r = applyWorkspace(fresh, opened.db, opened.manifest, { adoptActiveModels: true });
    opened.db.close();
    expect(r.embeddingsSkipped).toBe(0);
    expect(r.activated).toEqual(['user-vae']);
    expect(r.merge).toMatchObject({ genomesAdded: 2, genomesAlreadyPresent: 3, modelsAdded: 1, labOutcomesAdded: 2 });
    const user = reopen(userBytes);
    expect(portable(fresh)).toEqual(portable(user));
    expect(getActiveModelId(fresh)).toBe('user-vae');
    // The stub never replaces the real reference model.
    expect(Number(one(fresh, "SELECT length(weights) FROM models WHERE id = 'ref-vae'"))).toBe(64);
    expect(fresh.exec('PRAGMA foreign_key_check')).toEqual([]);
    // Importing the same file again adds nothing.
    const again = await openImportFile(SQL, file, 'ws.sqlite.gz');
    const r2 = applyWorkspace(fresh, again.db, again.manifest);
    again.db.close();
    expect(r2.merge).toMatchObject({ genomesAdded: 0, embeddingsAdded: 0, modelsAdded: 0, labOutcomesAdded: 0, labOutcomesAlreadyPresent: 2 });
    user.close();
    fresh.close();
  });

  it('merge into a database without the reference model: its embeddings are skipped and counted, nothing dangles; the active model stays', async () => {
    const target = await mediaDb();
    saveModel(target, model('other-vae'));
    setActiveModelId(target, 'other-vae');
    const opened = await openImportFile(SQL, await exported(), 'ws.sqlite.gz');
    const r = applyWorkspace(target, opened.db, opened.manifest);
    opened.db.close();
    expect(r.embeddingsSkipped).toBe(2);
    expect(r.activated).toEqual([]);
    expect(all(target, 'SELECT id FROM models ORDER BY id')).toEqual([{ id: 'other-vae' }, { id: 'user-vae' }]);
    expect(getActiveModelId(target)).toBe('other-vae');
    expect(one(target, "SELECT count(*) FROM genomes WHERE origin = 'user'")).toBe(2);
    expect(one(target, 'SELECT count(*) FROM lab_outcomes')).toBe(2);
    expect(target.exec('PRAGMA foreign_key_check')).toEqual([]);
    target.close();
  });

  it('describes what merge and replace would do', async () => {
    const opened = await openImportFile(SQL, await exported(), 'ws.sqlite.gz');
    opened.db.close();
    const d = describeImport(opened.preview, { genomes: 4, referenceGenomes: 0, profiles: 0, links: 0, embeddings: 0, models: 0, labOutcomes: 1, notes: 0 });
    expect(d.merge).toContain("the file's 2 genomes, 3 links, 7 embeddings, 1 model and 2 lab outcomes");
    expect(d.replace).toContain('bundled reference data plus this workspace: your 4 genomes and 1 lab outcome are dropped');
  });

  it('a full snapshot previews as a snapshot', async () => {
    const opened = await openImportFile(SQL, gzipSync(userBytes), 'full.sqlite.gz');
    opened.db.close();
    expect(opened.preview).toMatchObject({ kind: 'snapshot', formatVersion: null, createdAt: null, counts: { genomes: 2, referenceGenomes: 3, models: 4 - 1 } });
  });
});

describe('bad files are refused with a specific message', () => {
  async function withManifest(edit: (m: Record<string, unknown>) => unknown): Promise<Uint8Array> {
    const user = reopen(userBytes);
    const { workspace } = collectWorkspace(SQL, user, { referenceModelIds: new Set(['ref-vae', 'ref-cvae']) });
    user.close();
    const m = JSON.parse(String(one(workspace, 'SELECT value FROM meta WHERE key = ?', [WORKSPACE_MANIFEST_KEY])));
    workspace.run('UPDATE meta SET value = ? WHERE key = ?', [String(edit(m)), WORKSPACE_MANIFEST_KEY]);
    const bytes = gzipSync(workspace.export());
    workspace.close();
    return bytes;
  }

  it('a workspace of a newer format', async () => {
    const file = await withManifest((m) => JSON.stringify({ ...m, formatVersion: 2, appVersion: '9.0.0' }));
    await expect(openImportFile(SQL, file, 'new.sqlite.gz')).rejects.toMatchObject({
      code: 'DB_TOO_NEW',
      message: 'new.sqlite.gz: workspace format version 2 is newer than this MediaForge understands (1; written by MediaForge 9.0.0)',
    });
  });

  it('a damaged manifest', async () => {
    const file = await withManifest(() => '{not json');
    await expect(openImportFile(SQL, file, 'bad.sqlite.gz')).rejects.toMatchObject({ code: 'DB_INVALID', message: 'bad.sqlite.gz: the workspace manifest is not valid JSON' });
  });

  it('a newer schema, a foreign SQLite, garbage and truncated gzip (the growth DB rules)', async () => {
    const newer = reopen(userBytes);
    newer.exec('PRAGMA user_version = 99');
    const newerBytes = newer.export();
    newer.close();
    await expect(openImportFile(SQL, gzipSync(newerBytes), 'n.sqlite.gz')).rejects.toMatchObject({ code: 'DB_TOO_NEW', message: expect.stringMatching(/^n\.sqlite\.gz: made by a newer MediaForge: schema version 99 is newer/) });
    const foreign = new SQL.Database();
    foreign.exec('CREATE TABLE t (x); PRAGMA application_id = 42;');
    await expect(openImportFile(SQL, foreign.export(), 'f.sqlite')).rejects.toMatchObject({ code: 'DB_INVALID', message: expect.stringContaining('another application') });
    foreign.close();
    await expect(openImportFile(SQL, new TextEncoder().encode('hello, not a database at all'.repeat(10)), 'g.bin')).rejects.toMatchObject({
      code: 'DB_INVALID',
      message: expect.stringMatching(/^g\.bin: not an SQLite database/),
    });
    const gz = gzipSync(userBytes);
    await expect(openImportFile(SQL, gz.subarray(0, gz.length >> 1), 't.sqlite.gz')).rejects.toMatchObject({ code: 'DB_INVALID', message: expect.stringMatching(/^t\.sqlite\.gz: gzip data is (damaged or )?truncated/) });
  });
});

describe('progress and cancel', () => {
  it('chunked gzip and gunzip give the bytes of the one-shot functions, with progress per chunk', async () => {
    const data = userBytes;
    const seen: TransferProgress[] = [];
    const gz = await gzipChunked(data, 'x', { chunkBytes: 64 * 1024, onProgress: (p) => seen.push(p) });
    expect(gunzipSync(gz)).toEqual(data);
    expect(seen.length).toBe(Math.ceil(data.length / 65536) + 1);
    expect(seen.at(-1)).toEqual({ stage: 'compress', doneBytes: data.length, totalBytes: data.length, cancellable: true });
    const back: TransferProgress[] = [];
    expect(await gunzipChunked(gz, 'x.gz', { chunkBytes: 4096, onProgress: (p) => back.push(p) })).toEqual(data);
    expect(back.map((p) => p.doneBytes)).toEqual([0, ...Array.from({ length: Math.ceil(gz.length / 4096) }, (_, i) => Math.min(gz.length, (i + 1) * 4096))]);
  });

  it('a cancelled import stops between chunks, and the current database stays byte-identical', async () => {
    const current = reopen(userBytes);
    const before = exportSnapshot(current);
    const file = gzipSync(referenceBytes);
    const ac = new AbortController();
    let chunks = 0;
    const importing = openImportFile(SQL, file, 'ref.sqlite.gz', {
      chunkBytes: 8192,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.stage === 'decompress' && ++chunks === 3) ac.abort();
      },
    });
    await expect(importing).rejects.toMatchObject({ code: 'CANCELLED', message: 'import of ref.sqlite.gz: cancelled' });
    expect(chunks).toBe(3);
    expect(exportSnapshot(current)).toEqual(before);
    current.close();
  });

  it('a cancelled export throws CANCELLED and leaves the database as it was', async () => {
    const user = reopen(userBytes);
    const before = exportSnapshot(user);
    const ac = new AbortController();
    const stages: string[] = [];
    await expect(
      exportWorkspace(SQL, user, {
        referenceModelIds: new Set(['ref-vae', 'ref-cvae']),
        chunkBytes: 4096,
        signal: ac.signal,
        onProgress: (p) => {
          stages.push(p.stage);
          if (p.stage === 'compress' && p.doneBytes > 0) ac.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED', message: 'workspace export: cancelled' });
    expect(stages).toEqual(['collect', 'compress', 'compress']);
    expect(exportSnapshot(user)).toEqual(before);
    user.close();
  });
});
