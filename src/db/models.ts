/**
 * Trained models and genome embeddings in the database (tables `models`, `genome_embeddings`,
 * `genome_markers`). Pure sql.js: Node and the browser worker.
 */
import type { Database } from 'sql.js';
import { AppError } from '../core/errors';
import { decodeFloat32, encodeFloat32 } from './profile-blob';

export const GENOME_VAE_KIND = 'genome-vae';
/** meta key naming the model whose embeddings search and the map use. */
export const ACTIVE_GENOME_VAE_KEY = 'active_genome_vae';

export interface StoredModel {
  id: string;
  kind: string;
  /** Parsed config_json. */
  config: Record<string, unknown>;
  weights: Uint8Array | null;
  /** Parsed metrics_json. */
  metrics: Record<string, unknown> | null;
  createdAt: string;
}

export function saveModel(db: Database, m: StoredModel): void {
  db.run('INSERT OR REPLACE INTO models (id, kind, config_json, weights, metrics_json, created_at) VALUES (?,?,?,?,?,?)', [
    m.id,
    m.kind,
    JSON.stringify(m.config),
    m.weights,
    m.metrics ? JSON.stringify(m.metrics) : null,
    m.createdAt,
  ]);
}

export function getModel(db: Database, id: string): StoredModel | null {
  const r = db.exec('SELECT id, kind, config_json, weights, metrics_json, created_at FROM models WHERE id = ?', [id]);
  if (!r.length) return null;
  const [mid, kind, config, weights, metrics, createdAt] = r[0].values[0] as [string, string, string, Uint8Array | null, string | null, string];
  return { id: mid, kind, config: JSON.parse(config), weights, metrics: metrics ? JSON.parse(metrics) : null, createdAt };
}

export interface ModelSummary {
  id: string;
  kind: string;
  createdAt: string;
  embeddings: number;
  active: boolean;
}

export function listModels(db: Database, kind?: string): ModelSummary[] {
  const active = getActiveModelId(db);
  const r = db.exec(
    `SELECT m.id, m.kind, m.created_at, (SELECT count(*) FROM genome_embeddings e WHERE e.model_id = m.id)
       FROM models m ${kind ? 'WHERE m.kind = ?' : ''} ORDER BY m.created_at, m.id`,
    kind ? [kind] : [],
  );
  return (r[0]?.values ?? []).map(([id, k, c, n]) => ({ id: String(id), kind: String(k), createdAt: String(c), embeddings: Number(n), active: id === active }));
}

export function getActiveModelId(db: Database): string | null {
  const r = db.exec('SELECT value FROM meta WHERE key = ?', [ACTIVE_GENOME_VAE_KEY]);
  return r.length ? String(r[0].values[0][0]) : null;
}

export function setActiveModelId(db: Database, id: string): void {
  if (!getModel(db, id)) throw new AppError('DATA_INVALID', `no model '${id}' in the database`);
  db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [ACTIVE_GENOME_VAE_KEY, id]);
}

export function deleteModel(db: Database, id: string): void {
  db.exec('PRAGMA foreign_keys = ON');
  db.run('DELETE FROM genome_embeddings WHERE model_id = ?', [id]);
  db.run('DELETE FROM models WHERE id = ?', [id]);
  if (getActiveModelId(db) === id) db.run('DELETE FROM meta WHERE key = ?', [ACTIVE_GENOME_VAE_KEY]);
}

/** Writes (or replaces) the embeddings of genomeIds[i] = row i of a row-major matrix. */
export function saveEmbeddings(db: Database, modelId: string, genomeIds: ArrayLike<number>, vectors: Float32Array, dim: number): void {
  if (vectors.length !== genomeIds.length * dim) throw new AppError('INTERNAL', `saveEmbeddings: ${vectors.length} values for ${genomeIds.length} × ${dim}`);
  const st = db.prepare('INSERT OR REPLACE INTO genome_embeddings (genome_id, model_id, dim, vector) VALUES (?,?,?,?)');
  try {
    for (let i = 0; i < genomeIds.length; i++) st.run([genomeIds[i], modelId, dim, encodeFloat32(vectors.subarray(i * dim, (i + 1) * dim))]);
  } finally {
    st.free();
  }
}

export interface EmbeddingMatrix {
  modelId: string;
  dim: number;
  genomeIds: Int32Array;
  /** Row-major, genomeIds.length × dim. */
  vectors: Float32Array;
}

export function loadEmbeddings(db: Database, modelId: string): EmbeddingMatrix {
  const r = db.exec('SELECT genome_id, dim, vector FROM genome_embeddings WHERE model_id = ? ORDER BY genome_id', [modelId]);
  const rows = r[0]?.values ?? [];
  const dim = rows.length ? Number(rows[0][1]) : 0;
  const genomeIds = new Int32Array(rows.length);
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach(([g, d, v], i) => {
    if (Number(d) !== dim) throw new AppError('DB_INVALID', `embedding of genome ${g} has ${d} dimensions, others ${dim}`);
    genomeIds[i] = Number(g);
    vectors.set(decodeFloat32(v as Uint8Array), i * dim);
  });
  return { modelId, dim, genomeIds, vectors };
}

/** The genome_markers method name of src/core/rrna-markers.ts (bump when its sites or rules change). */
export const RRNA_MARKER_METHOD = 'ssu-rrna-sites-v1';

/** The evidence_json of an rRNA scan: everything but the signature vector. */
export function rrnaEvidenceJson(e: { genes: number; scores: object; confidence: number; sites: { name: string; mismatches: number }[]; signatureRegions: number; ssuRegion?: string | null }): Record<string, unknown> {
  return { genes: e.genes, scores: e.scores, confidence: e.confidence, sites: e.sites.map((s) => `${s.name}${s.mismatches ? `(${s.mismatches} mm)` : ''}`), signatureRegions: e.signatureRegions, ...(e.ssuRegion ? { ssuRegion: e.ssuRegion } : {}) };
}

export interface MarkerRow {
  genomeId: number;
  method: string;
  domainCall: 'bacteria' | 'archaea' | 'eukarya' | 'unknown';
  evidence: Record<string, unknown>;
}

export function saveMarkers(db: Database, m: MarkerRow): void {
  db.run('INSERT OR REPLACE INTO genome_markers (genome_id, method, domain_call, evidence_json) VALUES (?,?,?,?)', [m.genomeId, m.method, m.domainCall, JSON.stringify(m.evidence)]);
}

/** genome id → domain call, for every genome with marker evidence. */
/** The 16S region (515F–1390R) stored with a genome's rRNA evidence, or null. */
export function loadSsuRegion(db: Database, genomeId: number): string | null {
  const r = db.exec('SELECT evidence_json FROM genome_markers WHERE genome_id = ?', [genomeId])[0]?.values[0]?.[0];
  if (typeof r !== 'string') return null;
  try {
    const v = (JSON.parse(r) as { ssuRegion?: unknown }).ssuRegion;
    return typeof v === 'string' && /^[ACGTN]+$/.test(v) ? v : null;
  } catch {
    return null;
  }
}

export function loadDomainCalls(db: Database): Map<number, MarkerRow['domainCall']> {
  const r = db.exec('SELECT genome_id, domain_call FROM genome_markers');
  return new Map((r[0]?.values ?? []).map(([g, d]) => [Number(g), d as MarkerRow['domainCall']]));
}
