/**
 * One-pass FASTA parser + canonical k-mer counter (k = 1..6) over Uint8Array chunks.
 *
 * How it counts (exact, not sampled):
 * - Each base is coded A=0 C=1 G=2 T/U=3 (any case); any other letter breaks the window
 *   (k-mers containing N or IUPAC codes are skipped), and so does a record boundary.
 * - At each position we know `run`, the number of consecutive ACGT bases ending there.
 *   If run >= 6, the 6-mer ending there is counted in `raw6` (4,096 bins, not canonical);
 *   every shorter k-mer ending there is its suffix, so it is recovered later by summing raw6
 *   over prefixes. If run < 6 (the first 5 bases of a run), the k-mers of length 1..run
 *   ending there are counted directly in `rawShort`.
 * - At the end, raw counts are marginalised per k and folded to canonical k-mers with
 *   CODE_TO_FEATURE (kmer-layout.ts). The hot loop is one table lookup, a shift and one
 *   increment per base.
 */
import { concatBytes } from './decompress';
import { AppError } from './errors';
import { CODE_TO_FEATURE, FEATURE_COUNT } from './kmer-layout';
import type { RecordProfile, SequenceStats } from './profile-types';

// Byte classes. 0..3 are the bases.
const CL_N = 4;
const CL_IUPAC = 5; // R Y S W K M B D H V X, gaps '-' '.'
const CL_NEWLINE = 6;
const CL_SPACE = 7; // \r, space, tab, \v, \f
const CL_HEADER = 8; // '>'
const CL_PROTEIN = 9; // letters that only occur in protein: E F I J L O P Q Z and '*'
const CL_BAD = 10; // digits, control bytes, non-ASCII, punctuation

const BYTE_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(CL_BAD);
  const set = (chars: string, cls: number) => {
    for (const ch of chars) {
      t[ch.charCodeAt(0)] = cls;
      t[ch.toLowerCase().charCodeAt(0)] = cls;
    }
  };
  set('A', 0);
  set('C', 1);
  set('G', 2);
  set('TU', 3);
  set('N', CL_N);
  set('RYSWKMBDHVX-.', CL_IUPAC);
  set('EFIJLOPQZ*', CL_PROTEIN);
  t[10] = CL_NEWLINE;
  for (const b of [9, 11, 12, 13, 32]) t[b] = CL_SPACE;
  t[62] = CL_HEADER;
  return t;
})();

/** Offsets of k = 1..5 in rawShort (index by k). */
const SHORT_OFF = [0, 0, 4, 20, 84, 340];
const SHORT_LEN = 1364;
const MASK = [0, 3, 15, 63, 255, 1023, 4095];

const PROTEIN_MIN_LETTERS = 1000;
const PROTEIN_MAX_FRACTION = 0.05;

export interface ScannerOptions {
  perRecord: boolean;
}

interface ShortStats {
  nBp: number;
  otherBp: number;
  proteinBp: number;
}

function emptyStats(): ShortStats {
  return { nBp: 0, otherBp: 0, proteinBp: 0 };
}

const utf8 = new TextDecoder('utf-8');

/** Describes the start of a file that is not FASTA, or returns null if it may be FASTA. */
function sniffNotFasta(name: string, head: Uint8Array): AppError | null {
  const b = head;
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x42, 0x5a, 0x68)) return new AppError('FASTA_BINARY', `${name}: compressed with bzip2, which is not supported`, 'recompress with gzip (or bgzip) or decompress it first');
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return new AppError('FASTA_BINARY', `${name}: compressed with xz, which is not supported`, 'recompress with gzip (or bgzip) or decompress it first');
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return new AppError('FASTA_BINARY', `${name}: compressed with zstd, which is not supported`, 'recompress with gzip (or bgzip) or decompress it first');
  if (starts(0x50, 0x4b, 0x03, 0x04)) return new AppError('FASTA_BINARY', `${name}: is a ZIP archive, not a FASTA file`, 'unzip it and choose the FASTA file inside');
  if (starts(0x42, 0x41, 0x4d, 0x01)) return new AppError('FASTA_BINARY', `${name}: is a BAM alignment file, not FASTA`, 'convert it with `samtools fasta` first');
  return null;
}

function printable(bytes: Uint8Array, max = 40): string {
  const text = utf8.decode(bytes.subarray(0, Math.min(bytes.length, max * 4)));
  const line = text.split(/\r?\n/)[0];
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export class FastaKmerScanner {
  readonly name: string;
  private readonly perRecord: boolean;

  // Raw (non-canonical) counts of the current accumulation window.
  private raw6 = new Float64Array(4096);
  private rawShort = new Float64Array(SHORT_LEN);
  private code = 0;
  private run = 0;
  private readonly stats: ShortStats = emptyStats();

  // File totals when perRecord (raw arrays are folded per record).
  private fileCounts = new Float64Array(FEATURE_COUNT);
  private fileStats: ShortStats = emptyStats();
  private doneAcgtBp = 0;

  private started = false;
  private headBytes: Uint8Array[] = [];
  private prevByte = 10;
  private inHeader = false;
  private headerParts: Uint8Array[] = [];
  private currentId = '';
  private currentDescription = '';
  private recordCount = 0;
  readonly records: RecordProfile[] = [];

  constructor(name: string, options: ScannerOptions) {
    this.name = name;
    this.perRecord = options.perRecord;
  }

  /** Sequence letters scanned so far (cheap enough to call for progress every ~100 ms). */
  basesScanned(): number {
    let acgt = this.doneAcgtBp;
    const r6 = this.raw6;
    for (let i = 0; i < 4096; i++) acgt += r6[i];
    for (let i = 0; i < 4; i++) acgt += this.rawShort[i];
    const s = this.stats;
    const f = this.fileStats;
    return acgt + s.nBp + s.otherBp + s.proteinBp + f.nBp + f.otherBp + f.proteinBp;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    let buf = chunk;
    if (!this.started) {
      const rest = this.sniffStart(buf);
      if (rest === null) return; // still only whitespace
      buf = rest;
    }
    this.scan(buf);
  }

  /** Handles a BOM, leading blank lines and non-FASTA starts. Returns the bytes to scan, or null. */
  private sniffStart(buf: Uint8Array): Uint8Array | null {
    this.headBytes.push(buf.subarray(0, 64));
    const head = this.headBytes.length === 1 ? buf : concatBytes(this.headBytes);
    const bad = sniffNotFasta(this.name, head);
    if (bad) throw bad;
    let i = 0;
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    while (i < buf.length && (BYTE_CLASS[buf[i]] === CL_SPACE || buf[i] === 10)) i++;
    if (i === buf.length) return null;
    const first = buf[i];
    if (first === 62) {
      this.started = true;
      this.headBytes = [];
      this.prevByte = 10;
      return buf.subarray(i);
    }
    const shown = printable(buf.subarray(i));
    if (first === 64) {
      throw new AppError(
        'FASTA_IS_FASTQ',
        `${this.name}: this is FASTQ (sequencing reads; the first line starts with '@'), not FASTA`,
        'profile an assembly (FASTA, first line starts with ">"), or convert reads with `seqtk seq -a reads.fq > reads.fa`',
      );
    }
    let control = 0;
    const probe = buf.subarray(i, i + 512);
    for (const b of probe) if ((b < 9 || (b > 13 && b < 32)) && b !== 27) control++;
    if (control > 0) {
      throw new AppError('FASTA_BINARY', `${this.name}: is a binary file, not FASTA text`, 'choose a FASTA (.fa, .fna, .fasta) or gzip-compressed FASTA (.fa.gz) file');
    }
    if (first === 59) {
      // ';' comment lines of old FASTA: skip the line and look again.
      const nl = buf.indexOf(10, i);
      if (nl < 0) return null;
      return this.sniffStart(buf.subarray(nl + 1));
    }
    const hint = /^(LOCUS|ID {3})/.test(shown)
      ? 'this looks like GenBank/EMBL: convert it to FASTA first (e.g. `seqret` or Biopython)'
      : 'a FASTA file starts with a header line beginning with ">"';
    throw new AppError('FASTA_NO_HEADER', `${this.name}: not FASTA: the first line should start with '>' but is "${shown}"`, hint);
  }

  private scan(buf: Uint8Array): void {
    const n = buf.length;
    let i = 0;
    if (this.inHeader) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        this.headerParts.push(buf.slice());
        this.prevByte = buf[n - 1];
        return;
      }
      this.headerParts.push(buf.subarray(0, nl));
      this.beginRecord();
      i = nl + 1;
    }

    const CL = BYTE_CLASS;
    const raw6 = this.raw6;
    const rawShort = this.rawShort;
    const stats = this.stats;
    let code = this.code;
    let run = this.run;

    while (i < n) {
      const c = CL[buf[i]];
      if (c < 4) {
        code = ((code << 2) | c) & 4095;
        if (++run >= 6) {
          raw6[code]++;
        } else {
          for (let k = 1; k <= run; k++) rawShort[SHORT_OFF[k] + (code & MASK[k])]++;
        }
        i++;
        continue;
      }
      switch (c) {
        case CL_NEWLINE:
        case CL_SPACE:
          break;
        case CL_N:
          stats.nBp++;
          run = 0;
          break;
        case CL_IUPAC:
          stats.otherBp++;
          run = 0;
          break;
        case CL_PROTEIN:
          stats.proteinBp++;
          run = 0;
          break;
        case CL_HEADER: {
          const prev = i > 0 ? buf[i - 1] : this.prevByte;
          if (prev !== 10) this.badCharacter(buf[i]);
          this.code = code;
          this.run = run;
          this.endRecord();
          code = 0;
          run = 0;
          const nl = buf.indexOf(10, i + 1);
          if (nl < 0) {
            this.inHeader = true;
            this.headerParts = [buf.slice(i + 1)];
            this.prevByte = buf[n - 1];
            return;
          }
          this.headerParts = [buf.subarray(i + 1, nl)];
          this.beginRecord();
          i = nl + 1;
          continue;
        }
        default:
          this.badCharacter(buf[i]);
      }
      i++;
    }
    this.code = code;
    this.run = run;
    this.prevByte = buf[n - 1];
    this.checkProtein(false);
  }

  private badCharacter(byte: number): never {
    const ch = byte >= 33 && byte < 127 ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, '0')}`;
    const where = this.recordCount > 0 ? ` in the sequence of record '${this.currentId}'` : '';
    throw new AppError(
      'FASTA_BAD_CHARACTER',
      `${this.name}: unexpected character ${ch}${where}`,
      'sequence lines may hold only nucleotide letters (IUPAC codes, any case) and gaps; headers start with ">" at the beginning of a line',
    );
  }

  private checkProtein(final: boolean): void {
    const s = this.stats;
    const f = this.fileStats;
    const protein = s.proteinBp + f.proteinBp;
    if (protein === 0) return;
    const letters = this.basesScanned();
    if (!final && letters < PROTEIN_MIN_LETTERS) return;
    if (protein / Math.max(letters, 1) > PROTEIN_MAX_FRACTION) {
      const pct = ((100 * protein) / letters).toFixed(0);
      throw new AppError(
        'FASTA_IS_PROTEIN',
        `${this.name}: looks like protein, not DNA (${pct}% of letters are amino-acid codes such as E, F, I, L, P, Q; record '${this.currentId}')`,
        'MediaForge profiles nucleotide sequences: choose the genome (.fna) rather than the proteins (.faa)',
      );
    }
  }

  private beginRecord(): void {
    const header = utf8.decode(concatBytes(this.headerParts)).replace(/\r$/, '');
    this.headerParts = [];
    this.inHeader = false;
    const m = /^\s*(\S*)\s*(.*)$/.exec(header);
    this.currentId = m?.[1] || `record_${this.recordCount + 1}`;
    this.currentDescription = m?.[2] ?? '';
    this.recordCount++;
    this.code = 0;
    this.run = 0;
  }

  /** Closes the current record: k-mers never span two records. */
  private endRecord(): void {
    this.run = 0;
    this.code = 0;
    if (!this.perRecord || this.recordCount === 0) return;
    const counts = new Float64Array(FEATURE_COUNT);
    foldRawCounts(this.raw6, this.rawShort, counts);
    const s = this.stats;
    const rec: RecordProfile = {
      id: this.currentId,
      description: this.currentDescription,
      counts,
      ...computeStats(counts, s.nBp, s.otherBp + s.proteinBp),
    };
    this.records.push(rec);
    for (let i = 0; i < FEATURE_COUNT; i++) this.fileCounts[i] += counts[i];
    this.doneAcgtBp += rec.acgtBp;
    this.fileStats.nBp += s.nBp;
    this.fileStats.otherBp += s.otherBp;
    this.fileStats.proteinBp += s.proteinBp;
    // reset in place: the scan loop holds a reference to this object
    s.nBp = 0;
    s.otherBp = 0;
    s.proteinBp = 0;
    this.raw6.fill(0);
    this.rawShort.fill(0);
  }

  /** Ends the input and returns file totals. Throws if the input was not usable FASTA. */
  finish(): { counts: Float64Array; records: number } & SequenceStats {
    if (!this.started) {
      throw new AppError('FILE_EMPTY', `${this.name}: the file is empty (no FASTA header or sequence)`, 'choose a FASTA file with at least one ">" header line and its sequence');
    }
    if (this.inHeader) this.beginRecord();
    this.endRecord();
    let counts: Float64Array;
    let n: number;
    let other: number;
    if (this.perRecord) {
      counts = this.fileCounts;
      n = this.fileStats.nBp;
      other = this.fileStats.otherBp + this.fileStats.proteinBp;
    } else {
      counts = new Float64Array(FEATURE_COUNT);
      foldRawCounts(this.raw6, this.rawShort, counts);
      n = this.stats.nBp;
      other = this.stats.otherBp + this.stats.proteinBp;
    }
    this.checkProtein(true);
    const stats = computeStats(counts, n, other);
    if (stats.lengthBp === 0) {
      const what = this.recordCount === 1 ? '1 header' : `${this.recordCount} headers`;
      throw new AppError('FASTA_NO_SEQUENCE', `${this.name}: ${what} but no sequence letters`, 'the lines after each ">" header must hold the sequence');
    }
    if (stats.acgtBp === 0) {
      // All N (or other ambiguity codes): no k-mer to count, so no profile, and never a genome.
      throw new AppError('FASTA_NO_SEQUENCE', `${this.name}: ${stats.lengthBp.toLocaleString('en-US')} bp in ${this.recordCount === 1 ? '1 record' : `${this.recordCount} records`} but no A, C, G or T (only N or other ambiguity codes)`, 'give a genome with real sequence; a masked or placeholder FASTA has nothing to count');
    }
    return { counts, records: this.recordCount, ...stats };
  }
}

/** Marginalises raw 6-mer and short counts to canonical counts for k = 1..6 (adds into `out`). */
export function foldRawCounts(raw6: Float64Array, rawShort: Float64Array, out: Float64Array): void {
  const f6 = CODE_TO_FEATURE[6];
  for (let c = 0; c < 4096; c++) out[f6[c]] += raw6[c];
  for (let k = 1; k <= 5; k++) {
    const fk = CODE_TO_FEATURE[k];
    const n = 4 ** k;
    const suffix = new Float64Array(n);
    // every 6-mer ends with exactly one k-mer (its suffix)
    for (let c = 0; c < 4096; c++) suffix[c & MASK[k]] += raw6[c];
    const off = SHORT_OFF[k];
    for (let c = 0; c < n; c++) out[fk[c]] += suffix[c] + rawShort[off + c];
  }
}

function computeStats(counts: Float64Array, nBp: number, otherBp: number): SequenceStats {
  // The k = 1 block is [A (=A+T), C (=C+G)].
  const at = counts[0];
  const gc = counts[1];
  const acgtBp = at + gc;
  const lengthBp = acgtBp + nBp + otherBp;
  return {
    lengthBp,
    acgtBp,
    gcBp: gc,
    nBp,
    otherBp,
    gcFraction: acgtBp > 0 ? gc / acgtBp : Number.NaN,
    nFraction: lengthBp > 0 ? (nBp + otherBp) / lengthBp : 0,
  };
}
