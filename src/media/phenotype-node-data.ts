/**
 * Node only: the labelled training genomes of the phenotype models, read from the shared data
 * folder (DIR/genomes) and joined with the labels of a growth database (phenotype-labels.ts).
 *
 * Each labelled genome of the database names its file (genomes.source_file) and, for a
 * collection record, its FASTA record (genomes.record_id). That file or record is profiled with
 * the call the predict command uses, `profileSource(source, {proteinFeatures: true})`, so training
 * and prediction see identical features; a collection record is profiled on its own (its genes
 * found with a codon model of that record, not of the whole multi-genome collection file). The
 * profile's content hash must equal the database's (src/db/profile-blob.ts): a data folder that
 * differs from the one the database was built from is reported, never silently mixed in.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Database } from 'sql.js';
import { AppError } from '../core/errors';
import { profileSource } from '../core/profile';
import { proteinFeatureVector, type ProteinFeatures } from '../core/protein-features';
import { bytesSource } from '../core/sources';
import { profileContentHash } from '../db/profile-blob';
import { loadPhenotypeLabels, type GenomePhenotypeLabels, type PhenotypeLabelOptions } from './phenotype-labels';
import { phenotypeGroupOf, type PhenotypeSample } from './phenotype-eval';
import { encodeStoredPhenotypeFeatures, PHENOTYPE_FEATURES_META_KEY } from './phenotype-stored-features';

export interface LoadPhenotypeSamplesOptions extends PhenotypeLabelOptions {
  /** Also compute protein features (about 25 Mbp/s). @default true */
  protein?: boolean;
  /** Keep only genomes whose key (source file, or 'file#record') passes. */
  filter?: (key: string, labels: GenomePhenotypeLabels) => boolean;
  /** Collection records shorter than this are left out (a chromosome fragment is not a genome). @default 300_000 */
  minRecordBp?: number;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface LoadedPhenotypeSamples {
  samples: PhenotypeSample[];
  /** Labelled genomes left out, with the reason. */
  skipped: string[];
}

/** Byte ranges of the FASTA records of a decompressed file, by record id. */
function recordRanges(bytes: Uint8Array): Map<string, [number, number]> {
  const starts: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 62 && (i === 0 || bytes[i - 1] === 10)) starts.push(i);
  const out = new Map<string, [number, number]>();
  const dec = new TextDecoder();
  starts.forEach((s, j) => {
    let e = s + 1;
    while (e < bytes.length && bytes[e] !== 10 && bytes[e] !== 13 && bytes[e] !== 32 && bytes[e] !== 9) e++;
    out.set(dec.decode(bytes.subarray(s + 1, e)), [s, j + 1 < starts.length ? starts[j + 1] : bytes.length]);
  });
  return out;
}

/** The labelled genomes of `db` whose files are in `dataDir`, with features. */
export async function loadPhenotypeSamples(db: Database, dataDir: string, options: LoadPhenotypeSamplesOptions = {}): Promise<LoadedPhenotypeSamples> {
  const gDir = existsSync(join(dataDir, 'genomes', 'manifest.tsv')) ? join(dataDir, 'genomes') : dataDir;
  if (!existsSync(join(gDir, 'manifest.tsv'))) {
    throw new AppError('FILE_NOT_FOUND', `${join(gDir, 'manifest.tsv')}: no such file`, 'point --data at the shared data folder (it holds genomes/manifest.tsv)');
  }
  const { protein = true, minRecordBp = 300_000, onProgress = () => {}, signal } = options;
  const labels = loadPhenotypeLabels(db, options);
  const where = db.prepare('SELECT source_file, record_id, length_bp FROM genomes WHERE id = ?');
  const byFile = new Map<string, { label: GenomePhenotypeLabels; recordId: string | null }[]>();
  const skipped: string[] = [];
  try {
    for (const l of labels) {
      where.bind([l.genomeId]);
      where.step();
      const [file, recordId, lengthBp] = where.get() as [string | null, string | null, number];
      where.reset();
      const key = recordId ? `${file}#${recordId}` : String(file);
      if (!file || !existsSync(join(gDir, file))) {
        skipped.push(`${l.name}: file ${file ?? '(none)'} not in ${gDir}`);
        continue;
      }
      if (recordId && lengthBp < minRecordBp) {
        skipped.push(`${l.name}: record of ${lengthBp} bp, under ${minRecordBp}`);
        continue;
      }
      if (options.filter && !options.filter(key, l)) continue;
      const list = byFile.get(file) ?? [];
      list.push({ label: l, recordId });
      byFile.set(file, list);
    }
  } finally {
    where.free();
  }

  const samples: PhenotypeSample[] = [];
  const profileOptions = { proteinFeatures: protein } as const;
  let done = 0;
  const total = [...byFile.values()].reduce((n, l) => n + l.length, 0);
  for (const [file, items] of [...byFile].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    let ranges: Map<string, [number, number]> | null = null;
    let bytes: Uint8Array | null = null;
    for (const { label, recordId } of items) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'cancelled');
      if (done++ % 20 === 0) onProgress(`profiling labelled genomes: ${done}/${total}`);
      let source;
      const key = recordId ? `${file}#${recordId}` : file;
      if (recordId) {
        if (!bytes) {
          const raw = readFileSync(join(gDir, file));
          bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
          ranges = recordRanges(bytes);
        }
        const r = ranges!.get(recordId);
        if (!r) {
          skipped.push(`${label.name}: record ${recordId} not in ${file}`);
          continue;
        }
        source = bytesSource(key, bytes.subarray(r[0], r[1]), 1 << 20);
      } else {
        source = bytesSource(file, readFileSync(join(gDir, file)), 1 << 20);
      }
      const p = await profileSource(source, profileOptions, { signal });
      const hash = await profileContentHash(p.counts, p.lengthBp);
      if (hash !== label.contentHash) {
        skipped.push(`${label.name}: ${key} differs from the database's copy (content hash)`);
        continue;
      }
      const proteinFeatures: ProteinFeatures | null = protein ? (p.protein ?? null) : null;
      samples.push({
        key,
        genomeId: label.genomeId,
        name: label.name,
        species: label.species,
        domain: label.domain,
        recordType: label.recordType,
        group: phenotypeGroupOf(label.species),
        labels: label,
        lengthBp: p.lengthBp,
        input: { counts: p.counts, gcFraction: p.gcFraction, protein: proteinFeatures },
      });
    }
  }
  samples.sort((a, b) => a.genomeId - b.genomeId);
  return { samples, skipped };
}

/**
 * `db build`: the phenotype features of the labelled genomes of `db` (profiled from `dataDir` as
 * above, protein features included) as the meta row of phenotype-stored-features.ts.
 */
export async function storePhenotypeFeatures(db: Database, dataDir: string, meta: Record<string, string>, options: Pick<LoadPhenotypeSamplesOptions, 'onProgress' | 'signal'> = {}): Promise<number> {
  const { samples } = await loadPhenotypeSamples(db, dataDir, { ...options, protein: true });
  const hash = new Map((db.exec('SELECT id, content_hash FROM genomes')[0]?.values ?? []).map(([id, h]) => [Number(id), String(h)]));
  const rows = samples
    .filter((s) => s.input.protein)
    .map((s) => ({
      contentHash: hash.get(s.genomeId)!,
      gcFraction: s.input.gcFraction,
      lengthBp: s.lengthBp,
      counts: s.input.counts,
      protein: s.input.protein instanceof Float32Array ? s.input.protein : proteinFeatureVector(s.input.protein!),
    }));
  meta[PHENOTYPE_FEATURES_META_KEY] = encodeStoredPhenotypeFeatures(rows);
  return rows.length;
}
