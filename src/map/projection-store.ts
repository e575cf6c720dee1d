/**
 * The projection cache (table `projections`, migration 005): one row per (model, method), with
 * the embeddings hash it was computed from; a row whose hash no longer matches (genomes added, a
 * model retrained under the same id) is stale and recomputed. Pure sql.js.
 */
import type { Database } from 'sql.js';
import { decodeFloat32, encodeFloat32 } from '../db/profile-blob';

export interface StoredProjection {
  modelId: string;
  method: string;
  params: Record<string, unknown>;
  embeddingsHash: string;
  genomeIds: Int32Array;
  /** n × 2, row-major. */
  coords: Float32Array;
  createdAt: string;
}

const hasTable = (db: Database) => db.exec("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'projections'").length > 0;

function int32Blob(a: Int32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const v = new DataView(out.buffer);
  a.forEach((x, i) => v.setInt32(i * 4, x, true));
  return out;
}

function blobInt32(b: Uint8Array): Int32Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Int32Array.from({ length: b.byteLength / 4 }, (_, i) => v.getInt32(i * 4, true));
}

export function saveProjection(db: Database, p: StoredProjection): void {
  db.run('INSERT OR REPLACE INTO projections (model_id, method, params_json, embeddings_hash, genome_ids, coords, created_at) VALUES (?,?,?,?,?,?,?)', [
    p.modelId,
    p.method,
    JSON.stringify(p.params),
    p.embeddingsHash,
    int32Blob(p.genomeIds),
    encodeFloat32(p.coords),
    p.createdAt,
  ]);
}

/** The cached projection of a model and method when it was computed from these embeddings, else null. */
export function loadProjection(db: Database, modelId: string, method: string, embeddingsHash: string): StoredProjection | null {
  if (!hasTable(db)) return null;
  const row = db.exec('SELECT params_json, embeddings_hash, genome_ids, coords, created_at FROM projections WHERE model_id = ? AND method = ?', [modelId, method])[0]?.values[0];
  if (!row || String(row[1]) !== embeddingsHash) return null;
  return {
    modelId,
    method,
    params: JSON.parse(String(row[0])),
    embeddingsHash,
    genomeIds: blobInt32(row[2] as Uint8Array),
    coords: decodeFloat32(row[3] as Uint8Array),
    createdAt: String(row[4]),
  };
}

/** Methods cached for a model (any hash), for the UI. */
export function listProjections(db: Database, modelId: string): { method: string; embeddingsHash: string; createdAt: string }[] {
  if (!hasTable(db)) return [];
  return (db.exec('SELECT method, embeddings_hash, created_at FROM projections WHERE model_id = ? ORDER BY method', [modelId])[0]?.values ?? []).map(([m, h, c]) => ({ method: String(m), embeddingsHash: String(h), createdAt: String(c) }));
}
