/**
 * Node-only: builds the bundled snapshot from the shared data directory
 * (DIR/mediadive/*.tsv, DIR/genomes/manifest.tsv + DIR/genomes/reference/*.fna.gz). The TSVs may
 * also lie directly in DIR (the layout of tests/fixtures/mediadive/).
 *
 * Deterministic: files are read in a fixed order, rows inserted in file order, genomes in manifest
 * order, no timestamps are stored, the database is VACUUMed and gzip gets mtime 0, so the same
 * input gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { AppError } from '../core/errors';
import { LAYOUT_NAME, LAYOUT_VERSION } from '../core/kmer-layout';
import { profileSource } from '../core/profile';
import type { ByteSource } from '../core/profile-types';
import { addGenome } from './genomes';
import { importMediadive, MEDIADIVE_FILES, type MediadiveImportReport, type MediadiveTexts } from './import-mediadive';
import { linkGenome, type LinkLevel } from './link';
import { parseManifest } from './manifest';
import { SCHEMA_VERSION } from './migrations';
import { GROWTH_QUALITY_FACTOR, LINK_LEVEL_FACTOR } from './propagate';
import { createDatabase, exportSnapshot, gzipSnapshot } from './snapshot-file';
import { buildStrainIndex } from './strain-index';

export interface BuildOptions {
  /** Directory holding mediadive/ and genomes/. */
  dataDir: string;
  /** Profile and link the reference genomes. @default true */
  genomes?: boolean;
  /** Gzip the output. @default true */
  gzip?: boolean;
  /** How to read a FASTA file (the CLI passes nodeFileSource). */
  sourceFor: (path: string) => ByteSource;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface GenomeBuildRow {
  genomeId: number;
  file: string;
  species: string;
  strain: string;
  organismType: string;
  duplicateOf: number | null;
  level: LinkLevel | null;
  strainLinks: number;
  links: number;
  /** Evidence of the strain-level link(s), or of the first link. */
  evidence: string | null;
  notes: string[];
}

export interface BuildResult {
  /** The snapshot file's bytes (gzip if asked). */
  bytes: Uint8Array;
  sqliteBytes: number;
  mediadive: MediadiveImportReport;
  genomes: GenomeBuildRow[];
  elapsedMs: number;
}

export const SNAPSHOT_CREDITS =
  'Culture media: DSMZ MediaDive (Koblitz et al. 2023, Nucleic Acids Res, doi:10.1093/nar/gkac803). ' +
  'Strains, growth conditions and strain-medium links: BacDive (Schober et al. 2025, Nucleic Acids Res, doi:10.1093/nar/gkae959), CC BY 4.0. ' +
  'Taxon-medium links: TaxonMech / kg-microbe. Genomes: public INSDC/RefSeq records (see genomes/manifest.tsv).';

function requireDir(path: string, what: string): void {
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new AppError('FILE_NOT_FOUND', `${what} ${path}: no such directory`, 'point --data at the shared data folder that holds mediadive/ and genomes/');
  }
}

function readText(path: string): string {
  if (!existsSync(path)) throw new AppError('FILE_NOT_FOUND', `${path}: no such file`, 'the --data folder must hold mediadive/*.tsv and genomes/manifest.tsv');
  return readFileSync(path, 'utf8');
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

export async function buildSnapshot(SQL: SqlJsStatic, options: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now();
  const { dataDir, onProgress = () => {}, signal } = options;
  const withGenomes = options.genomes ?? true;
  requireDir(dataDir, '--data');
  const mdDir = existsSync(join(dataDir, 'mediadive', 'media.tsv')) || !existsSync(join(dataDir, 'media.tsv')) ? join(dataDir, 'mediadive') : dataDir;
  requireDir(mdDir, 'MediaDive folder');

  const texts = {} as MediadiveTexts;
  const dataFiles: Record<string, { bytes: number; sha256: string }> = {};
  for (const f of MEDIADIVE_FILES) {
    const text = readText(join(mdDir, `${f}.tsv`));
    texts[f] = text;
    dataFiles[`mediadive/${f}.tsv`] = { bytes: Buffer.byteLength(text), sha256: sha256(text) };
  }

  const db = createDatabase(SQL);
  try {
    onProgress('loading MediaDive / BacDive tables');
    const mediadive = importMediadive(db, texts);

    const genomes: GenomeBuildRow[] = [];
    if (withGenomes) {
      const gDir = join(dataDir, 'genomes');
      requireDir(gDir, 'genome folder');
      const manifestText = readText(join(gDir, 'manifest.tsv'));
      dataFiles['genomes/manifest.tsv'] = { bytes: Buffer.byteLength(manifestText), sha256: sha256(manifestText) };
      const entries = parseManifest(manifestText);
      const index = buildStrainIndex(db);
      for (const [i, e] of entries.entries()) {
        if (signal?.aborted) throw new AppError('CANCELLED', 'db build: cancelled');
        onProgress(`profiling ${i + 1}/${entries.length} ${e.file}`);
        const path = join(gDir, e.file);
        const profile = await profileSource(options.sourceFor(path), { perRecord: true }, { signal });
        const headers = [...new Set((profile.recordProfiles ?? []).map((r) => `${r.id} ${r.description}`.trim()))];
        dataFiles[`genomes/${e.file}`] = { bytes: profile.fileBytes, sha256: sha256(readFileSync(path)) };
        const firstHeader = headers[0] ?? null;
        const added = await addGenome(
          db,
          { counts: profile.counts, lengthBp: profile.lengthBp, nBp: profile.nBp, otherBp: profile.otherBp, gcFraction: profile.gcFraction, records: profile.records },
          { species: e.species || null, strain: e.strain || null, organismType: e.organismType, firstHeader, sourceFile: e.file, origin: 'snapshot' },
        );
        const row: GenomeBuildRow = {
          genomeId: added.genomeId,
          file: e.file,
          species: e.species,
          strain: e.strain,
          organismType: e.organismType,
          duplicateOf: added.created ? null : added.genomeId,
          level: null,
          strainLinks: 0,
          links: 0,
          evidence: null,
          notes: [],
        };
        if (added.created) {
          const result = linkGenome(
            db,
            added.genomeId,
            {
              species: e.species,
              organismType: e.organismType,
              texts: [
                { source: 'manifest strain', text: e.strain },
                { source: 'file name', text: basename(e.file) },
                ...headers.slice(0, 50).map((h) => ({ source: 'FASTA header', text: h })),
              ],
            },
            index,
          );
          row.level = result.level;
          row.links = result.links.length;
          row.strainLinks = result.links.filter((l) => l.level === 'strain').length;
          row.evidence = result.links.filter((l) => l.level === 'strain').map((l) => l.evidence).join('; ') || (result.links[0]?.evidence ?? null);
          row.notes = result.notes;
        } else {
          row.notes = [`same profile as genome ${added.genomeId}: not added again`];
        }
        genomes.push(row);
      }
    }

    const meta: Record<string, string> = {
      schema_version: String(SCHEMA_VERSION),
      kmer_layout: `${LAYOUT_NAME} v${LAYOUT_VERSION}`,
      built_by: 'mediaforge db build',
      credits: SNAPSHOT_CREDITS,
      growth_confidence_rule: JSON.stringify({ quality: GROWTH_QUALITY_FACTOR, linkLevel: LINK_LEVEL_FACTOR }),
      data_files: JSON.stringify(dataFiles),
    };
    const ins = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    for (const k of Object.keys(meta).sort()) ins.run([k, meta[k]]);
    ins.free();

    onProgress('compacting');
    db.exec('VACUUM');
    const sqlite = exportSnapshot(db);
    const bytes = options.gzip === false ? sqlite : gzipSnapshot(sqlite);
    return { bytes, sqliteBytes: sqlite.length, mediadive, genomes, elapsedMs: performance.now() - t0 };
  } finally {
    db.close();
  }
}
