/**
 * Node only: every genome of the shared data folder (DIR/genomes): the reference genomes (one
 * profile per file) and each record of the collection files (one profile per FASTA record),
 * profiled with the same core as the app, labelled from manifest.tsv and records.tsv.gz.
 * Used by `mediaforge train vae` and `mediaforge db build`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AppError } from '../core/errors';
import { profileSource } from '../core/profile';
import type { ByteSource } from '../core/profile-types';
import type { RrnaEvidence } from '../core/rrna-markers';
import { isOrganismType, type OrganismType } from './genomes';
import { parseManifest } from './manifest';
import { profileContentHash } from './profile-blob';
import { parseTsv } from './tsv';

export interface SharedGenome {
  /** 'reference/X.fna.gz' for a reference genome, 'collection/Y.fna.gz#record_id' for a record. */
  key: string;
  file: string;
  /** The record id (collections), or null (a whole reference file). */
  recordId: string | null;
  name: string;
  species: string | null;
  strain: string | null;
  organismType: OrganismType;
  /** records.tsv record_type for records; 'genome' for reference files. */
  recordType: string;
  firstHeader: string | null;
  /** Distinct FASTA headers (up to 50; reference genomes), for linking to strains. */
  headers: string[];
  lengthBp: number;
  nBp: number;
  otherBp: number;
  gcFraction: number;
  records: number;
  counts: Float64Array;
  contentHash: string;
  /** rRNA domain evidence of the file (reference genomes) or of the record alone; null when not scanned. */
  rrna: RrnaEvidence | null;
}

export interface LoadSharedOptions {
  /** Include the collection records. @default true */
  collections?: boolean;
  /** Keep only these files (paths relative to genomes/), for tests. */
  files?: string[];
  sourceFor: (path: string) => ByteSource;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

interface RecordRow {
  file: string;
  recordId: string;
  header: string;
  species: string;
  strain: string;
  organismType: OrganismType;
  recordType: string;
}

function readRecords(gDir: string): Map<string, RecordRow[]> {
  const path = join(gDir, 'records.tsv.gz');
  if (!existsSync(path)) throw new AppError('FILE_NOT_FOUND', `${path}: no such file`, 'the genomes folder must hold records.tsv.gz');
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const tsv = parseTsv('records.tsv.gz', text, ['file', 'record_id', 'header', 'species', 'strain', 'organism_type', 'record_type']);
  const byFile = new Map<string, RecordRow[]>();
  for (const r of tsv.rows) {
    const type = r[tsv.col('organism_type')].trim();
    const row: RecordRow = {
      file: r[tsv.col('file')].trim(),
      recordId: r[tsv.col('record_id')].trim(),
      header: r[tsv.col('header')].trim(),
      species: r[tsv.col('species')].trim(),
      strain: r[tsv.col('strain')].trim(),
      organismType: isOrganismType(type) ? type : 'unknown',
      recordType: r[tsv.col('record_type')].trim(),
    };
    const list = byFile.get(row.file) ?? [];
    list.push(row);
    byFile.set(row.file, list);
  }
  return byFile;
}

/** Files listed in the manifest under collection/, in manifest order (their organism_type may list several, e.g. 'bacteria|archaea'). */
export function collectionFiles(manifestText: string): string[] {
  const tsv = parseTsv('manifest.tsv', manifestText, ['file']);
  return tsv.rows.map((r) => r[tsv.col('file')].trim()).filter((f) => f.startsWith('collection/'));
}

export async function loadSharedGenomes(dataDir: string, options: LoadSharedOptions): Promise<SharedGenome[]> {
  const gDir = existsSync(join(dataDir, 'genomes', 'manifest.tsv')) ? join(dataDir, 'genomes') : dataDir;
  const manifestPath = join(gDir, 'manifest.tsv');
  if (!existsSync(manifestPath)) throw new AppError('FILE_NOT_FOUND', `${manifestPath}: no such file`, 'point --data at the shared data folder (it holds genomes/manifest.tsv)');
  const { onProgress = () => {}, signal } = options;
  const keep = options.files ? new Set(options.files) : null;
  const manifestText = readFileSync(manifestPath, 'utf8');
  const out: SharedGenome[] = [];

  const refs = parseManifest(manifestText).filter((e) => !keep || keep.has(e.file));
  for (const [i, e] of refs.entries()) {
    if (signal?.aborted) throw new AppError('CANCELLED', 'cancelled');
    if (i % 20 === 0 || i === refs.length - 1) onProgress(`profiling reference genomes: ${i + 1}/${refs.length}`);
    const p = await profileSource(options.sourceFor(join(gDir, e.file)), { perRecord: true, rrnaMarkers: true }, { signal });
    const first = p.recordProfiles?.[0];
    const headers = [...new Set((p.recordProfiles ?? []).map((r) => `${r.id} ${r.description}`.trim()))].slice(0, 50);
    out.push({
      key: e.file,
      file: e.file,
      recordId: null,
      name: [e.species, e.strain].filter(Boolean).join(' ') || e.file,
      species: e.species || null,
      strain: e.strain || null,
      organismType: e.organismType,
      recordType: 'genome',
      firstHeader: first ? `${first.id} ${first.description}`.trim() : null,
      headers,
      lengthBp: p.lengthBp,
      nBp: p.nBp,
      otherBp: p.otherBp,
      gcFraction: p.gcFraction,
      records: p.records,
      counts: p.counts,
      contentHash: await profileContentHash(p.counts, p.lengthBp),
      rrna: p.rrna ?? null,
    });
  }

  const files = collectionFiles(manifestText).filter((f) => !keep || keep.has(f));
  if ((options.collections ?? true) && files.length > 0) {
    const records = readRecords(gDir);
    for (const [i, file] of files.entries()) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'cancelled');
      onProgress(`profiling collection ${i + 1}/${files.length} ${file}`);
      const rows = records.get(file) ?? [];
      const p = await profileSource(options.sourceFor(join(gDir, file)), { perRecord: true, rrnaMarkers: true }, { signal });
      const recs = p.recordProfiles ?? [];
      if (recs.length !== rows.length) {
        throw new AppError('DATA_INVALID', `${file}: ${recs.length} FASTA records, but records.tsv.gz lists ${rows.length}`);
      }
      for (const [j, r] of recs.entries()) {
        const row = rows[j];
        if (row.recordId !== r.id) throw new AppError('DATA_INVALID', `${file}: record ${j + 1} is '${r.id}', records.tsv.gz says '${row.recordId}'`);
        if (r.acgtBp === 0) continue; // nothing to profile
        const species = row.species || null;
        out.push({
          key: `${file}#${r.id}`,
          file,
          recordId: r.id,
          name: `${[species, row.strain].filter(Boolean).join(' ') || 'record'} · ${r.id}`,
          species,
          strain: row.strain || null,
          organismType: row.organismType,
          recordType: row.recordType || 'record',
          firstHeader: `${r.id} ${r.description}`.trim(),
          headers: [],
          lengthBp: r.lengthBp,
          nBp: r.nBp,
          otherBp: r.otherBp,
          gcFraction: r.gcFraction,
          records: 1,
          counts: r.counts,
          contentHash: await profileContentHash(r.counts, r.lengthBp),
          rrna: r.rrna ?? null,
        });
      }
    }
  }
  return out;
}
