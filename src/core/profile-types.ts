/** Shapes of profiling inputs and results, shared by core, workers, CLI, UI and DB. */
import type { ProteinFeatureOptions, ProteinFeatures } from './protein-features';
import type { RrnaEvidence } from './rrna-markers';

/** Anything that can be (re-)opened as a byte stream: a browser File, a Node file, bytes in memory. */
export interface ByteSource {
  /** Shown in messages, e.g. the file name. */
  name: string;
  /** Size in bytes of the stored (possibly compressed) file, if known; used for progress. */
  size?: number;
  /** Opens a fresh stream from the first byte. May be called more than once (fallback decoding). */
  open(): ReadableStream<Uint8Array>;
}

export interface ProfileOptions {
  /** Also return one profile per FASTA record. @default false */
  perRecord?: boolean;
  /** Also scan for SSU rRNA signature sites (domain evidence, src/core/rrna-markers.ts) in the same pass. @default false */
  rrnaMarkers?: boolean;
  /**
   * Also find genes in six frames and summarise their proteins (amino-acid composition and
   * growth-condition features, src/core/protein-features.ts) in the same pass. `true` uses the
   * defaults (table 11, ≥ 100 codons); an object sets them. Per record too with perRecord.
   * @default false
   */
  proteinFeatures?: boolean | Omit<ProteinFeatureOptions, 'perRecord'>;
  /** Minimum milliseconds between progress callbacks. @default 100 */
  progressIntervalMs?: number;
}

export const PROFILE_DEFAULTS = {
  perRecord: false,
  rrnaMarkers: false,
  proteinFeatures: false,
  progressIntervalMs: 100,
} satisfies Required<ProfileOptions>;

export interface ProfileProgress {
  name: string;
  /** Stored bytes read so far (compressed bytes for .gz). */
  bytesRead: number;
  /** Stored size, if known. */
  totalBytes?: number;
  /** Sequence letters scanned so far. */
  basesDone: number;
  elapsedMs: number;
  /** Throughput in mega base pairs per second. */
  mbpPerSec: number;
  /** Estimated seconds left, if the size is known. */
  etaSec?: number;
}

export interface ProfileHooks {
  onProgress?: (p: ProfileProgress) => void;
  signal?: AbortSignal;
}

/** Sequence composition figures. gcFraction = (G+C)/(A+C+G+T), as in the shared manifest. */
export interface SequenceStats {
  /** All sequence letters, ambiguous ones included (whitespace excluded). */
  lengthBp: number;
  /** A, C, G, T (and U, counted as T), any case. */
  acgtBp: number;
  /** G + C. */
  gcBp: number;
  /** N or n. */
  nBp: number;
  /** Other IUPAC codes and gaps (R, Y, K, M, S, W, B, D, H, V, -, ...). */
  otherBp: number;
  /** (G+C)/(A+C+G+T); NaN when there is no ACGT. */
  gcFraction: number;
  /** (N + other)/length; 0 when empty. */
  nFraction: number;
}

export interface RecordProfile extends SequenceStats {
  /** The header up to the first whitespace. */
  id: string;
  /** The rest of the header line. */
  description: string;
  /** Canonical k-mer counts in layout order (only with perRecord). */
  counts: Float64Array;
  /** rRNA domain evidence of this record alone (perRecord with rrnaMarkers). */
  rrna?: RrnaEvidence;
  /** Protein features of this record's genes (perRecord with proteinFeatures; genes chosen with the file's codon model). */
  protein?: ProteinFeatures;
}

export interface GenomeProfile extends SequenceStats {
  name: string;
  /** Stored size in bytes. */
  fileBytes: number;
  /** Whether the stored file was gzip-compressed. */
  gzip: boolean;
  records: number;
  /** Canonical k-mer counts for k = 1..6 in the layout order of kmer-layout.ts (2,772 values). */
  counts: Float64Array;
  /** Per-record profiles, when requested. */
  recordProfiles?: RecordProfile[];
  /** rRNA domain evidence of the whole file, when requested (rrnaMarkers). */
  rrna?: RrnaEvidence;
  /** Protein features of the whole file, when requested (proteinFeatures). */
  protein?: ProteinFeatures;
  /**
   * What was odd but accepted (duplicate record ids, records without sequence, IUPAC codes,
   * non-nucleotide letters, very long headers), one line each, naming the file; absent when none.
   * The CLI prints them on stderr; the app shows them in the file's row. See docs/bad-input.md.
   */
  warnings?: string[];
  elapsedMs: number;
}
