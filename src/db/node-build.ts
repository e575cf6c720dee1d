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
import type { Database, SqlJsStatic } from 'sql.js';
import { AppError } from '../core/errors';
import { LAYOUT_NAME, LAYOUT_VERSION } from '../core/kmer-layout';
import type { ByteSource } from '../core/profile-types';
import { addGenome } from './genomes';
import { importMediadive, MEDIADIVE_FILES, type MediadiveImportReport, type MediadiveTexts } from './import-mediadive';
import { linkGenome, type LinkLevel } from './link';
import { RRNA_MARKER_METHOD, rrnaEvidenceJson, saveMarkers } from './models';
import { parseManifest } from './manifest';
import { loadSharedGenomes, type SharedGenome } from './node-shared-genomes';
import { SCHEMA_VERSION } from './migrations';
import { GROWTH_QUALITY_FACTOR, LINK_LEVEL_FACTOR } from './propagate';
import { createDatabase, exportSnapshot, gzipSnapshot } from './snapshot-file';
import { buildStrainIndex } from './strain-index';
import { storePhenotypeFeatures } from '../media/phenotype-node-data';

export interface BuildOptions {
  /** Directory holding mediadive/ and genomes/. */
  dataDir: string;
  /** Profile and link the reference genomes. @default true */
  genomes?: boolean;
  /** Gzip the output. @default true */
  gzip?: boolean;
  /** How to read a FASTA file (the CLI passes nodeFileSource). */
  sourceFor: (path: string) => ByteSource;
  /** Add each record of the collection files as a genome (without its profile). @default true */
  collections?: boolean;
  /** Runs after the genomes are in (the CLI embeds them with the bundled model here); may add meta rows. */
  afterGenomes?: (db: Database, genomes: BuiltGenome[], meta: Record<string, string>) => Promise<void>;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface BuiltGenome {
  genomeId: number;
  item: SharedGenome;
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
  /** Records of the collection files: how many were read, added, and already there (same profile). */
  records: { read: number; added: number; duplicates: number };
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
  const meta: Record<string, string> = {};
  try {
    onProgress('loading MediaDive / BacDive tables');
    const mediadive = importMediadive(db, texts);

    const genomes: GenomeBuildRow[] = [];
    const added: BuiltGenome[] = [];
    const records = { read: 0, added: 0, duplicates: 0 };
    if (withGenomes) {
      const gDir = join(dataDir, 'genomes');
      requireDir(gDir, 'genome folder');
      const manifestText = readText(join(gDir, 'manifest.tsv'));
      dataFiles['genomes/manifest.tsv'] = { bytes: Buffer.byteLength(manifestText), sha256: sha256(manifestText) };
      const withCollections = options.collections ?? true;
      if (withCollections && existsSync(join(gDir, 'records.tsv.gz'))) {
        const recordsPath = join(gDir, 'records.tsv.gz');
        dataFiles['genomes/records.tsv.gz'] = { bytes: statSync(recordsPath).size, sha256: sha256(readFileSync(recordsPath)) };
      }
      const entries = parseManifest(manifestText);
      const items = await loadSharedGenomes(dataDir, { collections: withCollections, sourceFor: options.sourceFor, onProgress, signal });
      for (const f of new Set(items.map((it) => it.file))) {
        const path = join(gDir, f);
        dataFiles[`genomes/${f}`] = { bytes: statSync(path).size, sha256: sha256(readFileSync(path)) };
      }
      const index = buildStrainIndex(db);
      const entryByFile = new Map(entries.map((e) => [e.file, e]));
      onProgress('adding genomes and linking them to strains');
      for (const it of items) {
        if (signal?.aborted) throw new AppError('CANCELLED', 'db build: cancelled');
        const isRecord = it.recordId !== null;
        const result = await addGenome(
          db,
          { counts: it.counts, lengthBp: it.lengthBp, nBp: it.nBp, otherBp: it.otherBp, gcFraction: it.gcFraction, records: it.records },
          {
            name: it.name,
            species: it.species,
            strain: it.strain,
            organismType: it.organismType,
            firstHeader: it.firstHeader,
            sourceFile: it.file,
            origin: 'snapshot',
            recordType: it.recordType,
            recordId: it.recordId,
          },
          { storeProfile: !isRecord },
        );
        if (result.created) {
          added.push({ genomeId: result.genomeId, item: it });
          if (it.rrna) saveMarkers(db, { genomeId: result.genomeId, method: RRNA_MARKER_METHOD, domainCall: it.rrna.domainCall, evidence: rrnaEvidenceJson(it.rrna) });
        }
        if (isRecord) {
          records.read++;
          records[result.created ? 'added' : 'duplicates']++;
          continue;
        } // records are not linked to strains (see src/db/README.md)
        const e = entryByFile.get(it.file)!;
        const row: GenomeBuildRow = {
          genomeId: result.genomeId,
          file: e.file,
          species: e.species,
          strain: e.strain,
          organismType: e.organismType,
          duplicateOf: result.created ? null : result.genomeId,
          level: null,
          strainLinks: 0,
          links: 0,
          evidence: null,
          notes: [],
        };
        if (result.created) {
          const link = linkGenome(
            db,
            result.genomeId,
            {
              species: e.species,
              organismType: e.organismType,
              texts: [
                { source: 'manifest strain', text: e.strain },
                { source: 'file name', text: basename(e.file) },
                ...it.headers.map((h) => ({ source: 'FASTA header', text: h })),
              ],
            },
            index,
          );
          row.level = link.level;
          row.links = link.links.length;
          row.strainLinks = link.links.filter((l) => l.level === 'strain').length;
          row.evidence = link.links.filter((l) => l.level === 'strain').map((l) => l.evidence).join('; ') || (link.links[0]?.evidence ?? null);
          row.notes = link.notes;
        } else {
          row.notes = [`same profile as genome ${result.genomeId}: not added again`];
        }
        genomes.push(row);
      }
      if (options.afterGenomes) await options.afterGenomes(db, added, meta);
      // The labelled genomes' phenotype features (meta row), so that eval media and the app predict
      // their growth conditions without the genome files (src/media/phenotype-stored-features.ts).
      onProgress('phenotype features of the labelled genomes');
      await storePhenotypeFeatures(db, dataDir, meta, { signal });
    }

    Object.assign(meta, {
      schema_version: String(SCHEMA_VERSION),
      kmer_layout: `${LAYOUT_NAME} v${LAYOUT_VERSION}`,
      built_by: 'mediaforge db build',
      credits: SNAPSHOT_CREDITS,
      growth_confidence_rule: JSON.stringify({ quality: GROWTH_QUALITY_FACTOR, linkLevel: LINK_LEVEL_FACTOR }),
      data_files: JSON.stringify(dataFiles),
    });
    const ins = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    for (const k of Object.keys(meta).sort()) ins.run([k, meta[k]]);
    ins.free();

    onProgress('compacting');
    db.exec('VACUUM');
    const sqlite = exportSnapshot(db);
    const bytes = options.gzip === false ? sqlite : gzipSnapshot(sqlite);
    return { bytes, sqliteBytes: sqlite.length, mediadive, genomes, records, elapsedMs: performance.now() - t0 };
  } finally {
    db.close();
  }
}
