/** Adding, reading and removing genomes and their profiles. Pure sql.js; Node and browser. */
import type { Database } from 'sql.js';
import { AppError } from '../core/errors';
import { FEATURE_COUNT, LAYOUT_VERSION } from '../core/kmer-layout';
import type { SequenceStats } from '../core/profile-types';
import { decodeProfileCounts, encodeProfileCounts, profileContentHash } from './profile-blob';

export const ORGANISM_TYPES = ['bacteria', 'archaea', 'fungi', 'protist', 'virus', 'plasmid', 'metagenome', 'unknown'] as const;
export type OrganismType = (typeof ORGANISM_TYPES)[number];

export interface GenomeMeta {
  /** Display name; default: species + strain, else the file name. */
  name?: string | null;
  species?: string | null;
  strain?: string | null;
  organismType?: OrganismType;
  ncbiTaxid?: number | null;
  firstHeader?: string | null;
  sourceFile?: string | null;
  origin?: 'snapshot' | 'user';
  /** 'genome' (a whole file, the default) or the record type of one record of a multi-record file. */
  recordType?: string;
  /** FASTA record id, when the genome is one record of sourceFile. */
  recordId?: string | null;
}

export interface AddGenomeOptions {
  /** Store the k-mer counts in genome_profiles. Collection records in the bundled snapshot are
   * stored without (their embeddings are kept; the snapshot stays small). @default true */
  storeProfile?: boolean;
}

/** What addGenome needs from a GenomeProfile (src/core/profile-types.ts). */
export type ProfileForDb = Pick<SequenceStats, 'lengthBp' | 'nBp' | 'otherBp' | 'gcFraction'> & {
  counts: Float64Array;
  records: number;
};

export interface AddGenomeResult {
  genomeId: number;
  /** False when a genome with the same content hash was already there (nothing was written). */
  created: boolean;
  contentHash: string;
}

export function isOrganismType(s: unknown): s is OrganismType {
  return typeof s === 'string' && (ORGANISM_TYPES as readonly string[]).includes(s);
}

/**
 * Inserts a genome and its profile unless the same profile (content hash) is already stored, in
 * which case the existing genome's id is returned and nothing changes.
 */
export async function addGenome(db: Database, profile: ProfileForDb, meta: GenomeMeta = {}, options: AddGenomeOptions = {}): Promise<AddGenomeResult> {
  if (profile.counts.length !== FEATURE_COUNT) {
    throw new AppError('INTERNAL', `profile has ${profile.counts.length} features, expected ${FEATURE_COUNT} (layout ${LAYOUT_VERSION})`);
  }
  const organismType = meta.organismType ?? 'unknown';
  if (!isOrganismType(organismType)) {
    throw new AppError('BAD_OPTION', `organism type '${String(organismType)}' is not one of ${ORGANISM_TYPES.join(', ')}`);
  }
  const contentHash = await profileContentHash(profile.counts, profile.lengthBp);
  const existing = findGenomeByHash(db, contentHash);
  if (existing !== null) return { genomeId: existing, created: false, contentHash };

  const name =
    meta.name?.trim() || [meta.species, meta.strain].filter((s) => s && s.trim()).join(' ').trim() || meta.sourceFile || 'genome';
  const { encoding, bytes } = encodeProfileCounts(profile.counts);
  db.exec('SAVEPOINT add_genome');
  try {
    db.run(
      `INSERT INTO genomes (name, species, strain, organism_type, ncbi_taxid, gc_fraction, length_bp, n_bp, other_bp,
         records, first_header, content_hash, source_file, origin, record_type, record_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      [
        name,
        meta.species ?? null,
        meta.strain ?? null,
        organismType,
        meta.ncbiTaxid ?? null,
        Number.isFinite(profile.gcFraction) ? profile.gcFraction : null,
        profile.lengthBp,
        profile.nBp,
        profile.otherBp,
        profile.records,
        meta.firstHeader ?? null,
        contentHash,
        meta.sourceFile ?? null,
        meta.origin ?? 'user',
        meta.recordType ?? 'genome',
        meta.recordId ?? null,
      ],
    );
    const genomeId = Number(db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
    if (options.storeProfile ?? true) {
      db.run('INSERT INTO genome_profiles (genome_id, layout_version, encoding, feature_count, counts) VALUES (?,?,?,?,?)', [
        genomeId,
        LAYOUT_VERSION,
        encoding,
        FEATURE_COUNT,
        bytes,
      ]);
    }
    db.exec('RELEASE add_genome');
    return { genomeId, created: true, contentHash };
  } catch (e) {
    db.exec('ROLLBACK TO add_genome; RELEASE add_genome');
    throw e;
  }
}

export function findGenomeByHash(db: Database, contentHash: string): number | null {
  const r = db.exec('SELECT id FROM genomes WHERE content_hash = ? ORDER BY id LIMIT 1', [contentHash]);
  return r.length ? Number(r[0].values[0][0]) : null;
}

/** The stored k-mer counts of a genome (layout of kmer-layout.ts), or null if it has no profile. */
export function getGenomeCounts(db: Database, genomeId: number): Float64Array | null {
  const r = db.exec('SELECT layout_version, encoding, feature_count, counts FROM genome_profiles WHERE genome_id = ?', [genomeId]);
  if (!r.length) return null;
  const [layout, encoding, featureCount, blob] = r[0].values[0] as [number, string, number, Uint8Array];
  if (layout !== LAYOUT_VERSION) {
    throw new AppError('DB_INVALID', `genome ${genomeId}: profile layout version ${layout}, this MediaForge uses ${LAYOUT_VERSION}`, 'profile the genome again');
  }
  return decodeProfileCounts(encoding, blob, featureCount);
}

/** Removes a genome with its profile, embeddings, links and propagated growth. */
export function deleteGenome(db: Database, genomeId: number): boolean {
  db.exec('PRAGMA foreign_keys = ON');
  db.run('DELETE FROM genomes WHERE id = ?', [genomeId]);
  return db.getRowsModified() > 0;
}
