/**
 * The phenotype features of the snapshot's labelled genomes, stored in the snapshot itself (the
 * `meta` row PHENOTYPE_FEATURES_META_KEY), so that what needs them — training the phenotype
 * models of `eval media`'s folds, the conditions of a bundled genome in the app — works the same
 * without the shared genome files (a bare clone, the browser).
 *
 * `mediaforge db build` profiles each labelled genome as `loadPhenotypeSamples` does
 * (phenotype-node-data.ts: the file, or the collection record on its own, with protein features)
 * and stores, per genome (keyed by content hash): GC fraction, length, the canonical 1–3-mer
 * counts (the only k-mers the phenotype features use; collection records have no stored profile)
 * and the protein feature vector (float32, PROTEIN_FEATURE_NAMES order, base64). Samples rebuilt
 * from it give the same feature vectors, hence the same models and predictions, as samples
 * profiled from the shared files. Pure: Node and the workers.
 */
import type { Database } from 'sql.js';
import { base64ToBytes, bytesToBase64 } from '../core/base64';
import { FEATURE_COUNT } from '../core/kmer-layout';
import { PROTEIN_FEATURE_NAMES } from '../core/protein-features';
import { K_BLOCKS } from '../ml/clr';
import { phenotypeGroupOf, type PhenotypeSample } from './phenotype-eval';
import { loadPhenotypeLabels } from './phenotype-labels';

export const PHENOTYPE_FEATURES_META_KEY = 'phenotype_features';
export const PHENOTYPE_FEATURES_VERSION = 1;

/** Counts kept: the k = 1..3 blocks, which are a prefix of the layout. */
const K3_END = K_BLOCKS.find((b) => b.k === 3)!.end;

export interface StoredGenomeFeatures {
  gcFraction: number;
  lengthBp: number;
  /** All FEATURE_COUNT counts, zero beyond k = 3. */
  counts: Float64Array;
  /** PROTEIN_FEATURE_NAMES order. */
  protein: Float32Array;
}

interface StoredJson {
  version: number;
  proteinFeatureNames: string[];
  countsEnd: number;
  genomes: { contentHash: string; gcFraction: number; lengthBp: number; counts: number[]; protein: string }[];
}

/** The meta value for these samples (sorted by content hash: deterministic). */
export function encodeStoredPhenotypeFeatures(samples: readonly { contentHash: string; gcFraction: number; lengthBp: number; counts: ArrayLike<number>; protein: ArrayLike<number> }[]): string {
  const genomes = [...samples]
    .sort((a, b) => (a.contentHash < b.contentHash ? -1 : a.contentHash > b.contentHash ? 1 : 0))
    .map((s) => {
      const f = Float32Array.from(s.protein);
      const le = new Uint8Array(f.length * 4);
      const view = new DataView(le.buffer);
      f.forEach((x, i) => view.setFloat32(i * 4, x, true));
      return { contentHash: s.contentHash, gcFraction: s.gcFraction, lengthBp: s.lengthBp, counts: Array.from({ length: K3_END }, (_, i) => s.counts[i]), protein: bytesToBase64(le) };
    });
  const json: StoredJson = { version: PHENOTYPE_FEATURES_VERSION, proteinFeatureNames: [...PROTEIN_FEATURE_NAMES], countsEnd: K3_END, genomes };
  return JSON.stringify(json);
}

/** The stored features by content hash, or null when the database has none (or of another layout). */
export function readStoredPhenotypeFeatures(db: Database): Map<string, StoredGenomeFeatures> | null {
  let text: unknown;
  try {
    text = db.exec('SELECT value FROM meta WHERE key = ?', [PHENOTYPE_FEATURES_META_KEY])[0]?.values[0]?.[0];
  } catch {
    return null;
  }
  if (typeof text !== 'string') return null;
  let j: StoredJson;
  try {
    j = JSON.parse(text) as StoredJson;
  } catch {
    return null;
  }
  // Features of another protein feature list or layout would not mean the same: ignore them.
  if (j.version !== PHENOTYPE_FEATURES_VERSION || j.countsEnd !== K3_END || JSON.stringify(j.proteinFeatureNames) !== JSON.stringify(PROTEIN_FEATURE_NAMES)) return null;
  const out = new Map<string, StoredGenomeFeatures>();
  for (const g of j.genomes) {
    const counts = new Float64Array(FEATURE_COUNT);
    g.counts.forEach((c, i) => (counts[i] = c));
    const bytes = base64ToBytes(g.protein);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const protein = Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
    out.set(g.contentHash, { gcFraction: g.gcFraction, lengthBp: g.lengthBp, counts, protein });
  }
  return out;
}

/** Stored protein features by genome id (the genomes of `db` whose content hash has them). */
export function storedProteinByGenome(db: Database, stored = readStoredPhenotypeFeatures(db)): Map<number, Float32Array> {
  const out = new Map<number, Float32Array>();
  if (!stored || !stored.size) return out;
  for (const [id, hash] of db.exec('SELECT id, content_hash FROM genomes')[0]?.values ?? []) {
    const s = stored.get(String(hash));
    if (s) out.set(Number(id), s.protein);
  }
  return out;
}

/**
 * The phenotype training samples from the snapshot alone: the labelled genomes (phenotype-labels.ts)
 * whose features are stored. Null when the database stores none. Same order and fields as
 * loadPhenotypeSamples (by genome id).
 */
export function loadStoredPhenotypeSamples(db: Database): PhenotypeSample[] | null {
  const stored = readStoredPhenotypeFeatures(db);
  if (!stored) return null;
  const where = db.prepare('SELECT source_file, record_id FROM genomes WHERE id = ?');
  const samples: PhenotypeSample[] = [];
  try {
    for (const label of loadPhenotypeLabels(db)) {
      const f = stored.get(label.contentHash);
      if (!f) continue;
      where.bind([label.genomeId]);
      where.step();
      const [file, recordId] = where.get() as [string | null, string | null];
      where.reset();
      samples.push({
        key: recordId ? `${file}#${recordId}` : String(file),
        genomeId: label.genomeId,
        name: label.name,
        species: label.species,
        domain: label.domain,
        recordType: label.recordType,
        group: phenotypeGroupOf(label.species),
        labels: label,
        lengthBp: f.lengthBp,
        input: { counts: f.counts, gcFraction: f.gcFraction, protein: f.protein },
      });
    }
  } finally {
    where.free();
  }
  samples.sort((a, b) => a.genomeId - b.genomeId);
  return samples;
}
