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

const CHOOSE_FASTA = 'choose a FASTA (.fa, .fna, .fasta) or gzip-compressed FASTA (.fa.gz) file';
const RECOMPRESS = 'recompress with gzip (or bgzip) or decompress it first';

/** Binary formats people drop by mistake: [magic bytes, what it is, what to do]. */
const SIGNATURES: [number[], string, string][] = [
  [[0x42, 0x5a, 0x68], 'compressed with bzip2, which is not supported', RECOMPRESS],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'compressed with xz, which is not supported', RECOMPRESS],
  [[0x28, 0xb5, 0x2f, 0xfd], 'compressed with zstd, which is not supported', RECOMPRESS],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'is a 7-Zip archive, not a FASTA file', 'extract it and choose the FASTA file inside'],
  [[0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], 'is a RAR archive, not a FASTA file', 'extract it and choose the FASTA file inside'],
  [[0x50, 0x4b, 0x03, 0x04], 'is a ZIP archive (or an Office document), not a FASTA file', 'unzip it and choose the FASTA file inside'],
  [[0x50, 0x4b, 0x05, 0x06], 'is an empty ZIP archive, not a FASTA file', CHOOSE_FASTA],
  [[0x1f, 0x8b], 'is gzip-compressed twice (gzip data inside the gzip data)', 'decompress it once (`gunzip FILE`) and choose the result'],
  [[0x42, 0x41, 0x4d, 0x01], 'is a BAM alignment file, not FASTA', 'convert it with `samtools fasta` first'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'is a PDF document, not FASTA', CHOOSE_FASTA],
  [[0x89, 0x50, 0x4e, 0x47], 'is a PNG image, not FASTA', CHOOSE_FASTA],
  [[0xff, 0xd8, 0xff], 'is a JPEG image, not FASTA', CHOOSE_FASTA],
  [[0x47, 0x49, 0x46, 0x38], 'is a GIF image, not FASTA', CHOOSE_FASTA],
  [[0x49, 0x49, 0x2a, 0x00], 'is a TIFF image, not FASTA', CHOOSE_FASTA],
  [[0x4d, 0x4d, 0x00, 0x2a], 'is a TIFF image, not FASTA', CHOOSE_FASTA],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'is a Microsoft Office document, not FASTA', 'export the sequence as FASTA text first'],
  [[...'SQLite format 3'].map((c) => c.charCodeAt(0)), 'is an SQLite database, not FASTA', 'a MediaForge snapshot is imported on the Database tab (`mediaforge db import`), not profiled'],
];

/** UTF-16 text: a byte-order mark, or ASCII with a zero byte after (LE) or before (BE) each character. */
function looksUtf16(b: Uint8Array): boolean {
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) return true;
  const n = Math.min(b.length, 64) & ~1;
  if (n < 4) return false;
  let le = 0;
  let be = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] !== 0 && b[i + 1] === 0) le++;
    if (b[i] === 0 && b[i + 1] !== 0) be++;
  }
  return le === n / 2 || be === n / 2;
}

/** Describes the start of a file that is not FASTA, or returns null if it may be FASTA. */
function sniffNotFasta(name: string, head: Uint8Array): AppError | null {
  for (const [sig, what, hint] of SIGNATURES) {
    if (head.length >= sig.length && sig.every((v, i) => head[i] === v)) return new AppError('FASTA_BINARY', `${name}: ${what}`, hint);
  }
  if (looksUtf16(head)) {
    return new AppError(
      'FASTA_IS_UTF16',
      `${name}: is UTF-16 text (as Windows Notepad or Excel save "Unicode"), not ASCII/UTF-8 FASTA`,
      'save it again as UTF-8 or ASCII text, or convert it with `iconv -f UTF-16 -t UTF-8 FILE > out.fa`',
    );
  }
  return null;
}

function printable(bytes: Uint8Array, max = 40): string {
  const text = utf8.decode(bytes.subarray(0, Math.min(bytes.length, max * 4)));
  const line = text.split(/\r?\n/)[0];
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Bytes read before deciding what the file is (magic numbers, UTF-16). */
const SNIFF_BYTES = 64;
/** Bytes of the first line looked at before refusing a file that does not start with '>'. */
const FIRST_LINE_BYTES = 512;
/** Header bytes kept per record; the rest of a longer header is dropped, with a warning. */
export const MAX_HEADER_BYTES = 65_536;
/** Record ids remembered for the duplicate-id warning (memory stays bounded on huge files). */
const MAX_IDS_CHECKED = 1_000_000;

const EMPTY = new Uint8Array(0);
const fmt = (n: number) => n.toLocaleString('en-US');

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

  // Before the first header: bytes held back until we know what the file is.
  private started = false;
  private sniffed = false;
  private pendingHead: Uint8Array = EMPTY;
  private headOffset = 0;

  // Where we are, for messages: offset of the next byte scan() gets, line number, line start.
  // Kept out of the hot loop's locals (register pressure cost ~20 % there): newlines and blanks
  // are counted on fields in their (rare) branch, the line start is found when needed.
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private blanks = 0; // newline and other whitespace bytes after the first header
  private seqStart = 0; // offset where the current record's sequence lines begin
  private blanksAtSeqStart = 0;

  private prevByte = 10;
  private inHeader = false;
  private headerParts: Uint8Array[] = [];
  private headerBytes = 0;
  private currentId = '';
  private currentDescription = '';
  private recordCount = 0;
  readonly records: RecordProfile[] = [];

  // For warnings (accepted, but worth knowing).
  private readonly ids = new Map<string, number>();
  private duplicateIds = 0;
  private firstDuplicate = '';
  private emptyRecords = 0;
  private firstEmpty = '';
  private longHeaders = 0;
  private longestHeader = 0;
  private crInHeader = false;

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
    if (this.started) {
      this.scan(chunk);
      return;
    }
    this.pendingHead = this.pendingHead.length === 0 ? chunk : concatBytes([this.pendingHead, chunk]);
    this.startIfFasta(false);
  }

  private startIfFasta(final: boolean): void {
    const rest = this.sniffStart(final);
    if (rest === null) return;
    this.pendingHead = EMPTY;
    this.scan(rest);
  }

  /**
   * Before the first header: says what the file is if it is not FASTA, skips a BOM, blank lines and
   * ';' comment lines. Returns the bytes to scan from the first '>', or null to wait for more
   * (the decision never depends on how the input is chunked).
   */
  private sniffStart(final: boolean): Uint8Array | null {
    let buf = this.pendingHead;
    if (!this.sniffed) {
      if (buf.length < SNIFF_BYTES && !final) return null;
      const bad = sniffNotFasta(this.name, buf);
      if (bad) throw bad;
      this.sniffed = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        buf = buf.subarray(3);
        this.headOffset += 3;
        this.lineStart = 3;
      }
    }
    let i = 0;
    const keep = (from: number) => {
      this.headOffset += from;
      this.pendingHead = buf.subarray(from);
      return null;
    };
    for (;;) {
      while (i < buf.length && (BYTE_CLASS[buf[i]] === CL_SPACE || buf[i] === 10)) {
        if (buf[i] === 10) {
          this.line++;
          this.lineStart = this.headOffset + i + 1;
        }
        i++;
      }
      if (i === buf.length) return keep(i);
      const first = buf[i];
      if (first === 62) {
        this.started = true;
        this.offset = this.headOffset + i;
        this.prevByte = 10;
        return buf.subarray(i);
      }
      if (first === 64) {
        throw new AppError(
          'FASTA_IS_FASTQ',
          `${this.name}: this is FASTQ (sequencing reads; the first line starts with '@'), not FASTA`,
          'profile an assembly (FASTA, first line starts with ">"), or convert reads with `seqtk seq -a reads.fq > reads.fa`',
        );
      }
      if (first === 59) {
        // ';' comment lines of old FASTA: skip the line and look again.
        const nl = buf.indexOf(10, i);
        if (nl < 0) return final ? keep(buf.length) : keep(i);
        i = nl;
        continue;
      }
      if (!final && buf.length - i < FIRST_LINE_BYTES) return keep(i);
      let control = 0;
      for (const b of buf.subarray(i, i + FIRST_LINE_BYTES)) if ((b < 9 || (b > 13 && b < 32)) && b !== 27) control++;
      if (control > 0) {
        if (String.fromCharCode(...buf.subarray(i + 257, i + 262)) === 'ustar') {
          throw new AppError('FASTA_BINARY', `${this.name}: is a tar archive, not a FASTA file`, 'extract it (`tar -xf FILE`) and choose the FASTA file inside');
        }
        throw new AppError('FASTA_BINARY', `${this.name}: is a binary file, not FASTA text`, CHOOSE_FASTA);
      }
      const shown = printable(buf.subarray(i));
      if (/^<(!doctype html|html|\?xml)/i.test(shown)) {
        throw new AppError('FASTA_NO_HEADER', `${this.name}: is a web page (HTML/XML), not FASTA: probably an error page saved instead of the genome`, 'download the genome again, from its FASTA (.fna.gz) link');
      }
      const hint = /^(LOCUS|ID {3})/.test(shown)
        ? 'this looks like GenBank/EMBL: convert it to FASTA first (e.g. `seqret` or Biopython)'
        : 'a FASTA file starts with a header line beginning with ">"';
      throw new AppError('FASTA_NO_HEADER', `${this.name}: not FASTA: the first line should start with '>' but is "${shown}"`, hint);
    }
  }

  private scan(buf: Uint8Array): void {
    const n = buf.length;
    const base = this.offset;
    let i = 0;
    if (this.inHeader) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        this.addHeaderPart(buf, true);
        this.prevByte = buf[n - 1];
        this.offset += n;
        return;
      }
      this.addHeaderPart(buf.subarray(0, nl), false);
      this.beginRecord();
      this.headerLineEnds(base + nl);
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
          this.line++;
          this.blanks++;
          break;
        case CL_SPACE:
          this.blanks++;
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
          if (prev !== 10) this.badCharacter(buf, i);
          this.code = code;
          this.run = run;
          this.endRecord(base + i);
          code = 0;
          run = 0;
          const nl = buf.indexOf(10, i + 1);
          if (nl < 0) {
            this.inHeader = true;
            this.headerParts = [];
            this.headerBytes = 0;
            this.addHeaderPart(buf.subarray(i + 1), true);
            this.prevByte = buf[n - 1];
            this.noteLastNewline(buf);
            this.offset += n;
            return;
          }
          this.headerParts = [];
          this.headerBytes = 0;
          this.addHeaderPart(buf.subarray(i + 1, nl), false);
          this.beginRecord();
          this.headerLineEnds(base + nl);
          i = nl + 1;
          continue;
        }
        default:
          this.badCharacter(buf, i);
      }
      i++;
    }
    this.code = code;
    this.run = run;
    this.prevByte = buf[n - 1];
    this.noteLastNewline(buf);
    this.offset += n;
    this.checkProtein(false);
  }

  /** The newline ending a header line is at `at`: the record's sequence lines start after it. */
  private headerLineEnds(at: number): void {
    this.line++;
    this.lineStart = at + 1;
    this.seqStart = at + 1;
    this.blanksAtSeqStart = this.blanks;
  }

  /** Remembers where the last line of this chunk starts (for column numbers in messages). */
  private noteLastNewline(buf: Uint8Array): void {
    const nl = buf.lastIndexOf(10);
    if (nl >= 0) this.lineStart = this.offset + nl + 1;
  }

  /** Keeps at most MAX_HEADER_BYTES of a header line (copied when the chunk may be reused). */
  private addHeaderPart(part: Uint8Array, copy: boolean): void {
    const room = MAX_HEADER_BYTES - Math.min(this.headerBytes, MAX_HEADER_BYTES);
    this.headerBytes += part.length;
    if (room <= 0) return;
    const kept = part.length > room ? part.subarray(0, room) : part;
    this.headerParts.push(copy ? kept.slice() : kept);
  }

  private badCharacter(buf: Uint8Array, i: number): never {
    // this.line is the current line (the loop and headerLineEnds count every newline so far);
    // the line starts after the last newline before i, in this chunk or an earlier one.
    const byte = buf[i];
    const nl = i === 0 ? -1 : buf.lastIndexOf(10, i - 1);
    const lineStart = nl < 0 ? this.lineStart : this.offset + nl + 1;
    const line = this.line;
    const column = this.offset + i - lineStart + 1;
    const ch = byte >= 33 && byte < 127 ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, '0')}${byte >= 128 ? ' (not ASCII)' : ''}`;
    const where = this.recordCount > 0 ? ` in the sequence of record '${this.currentId}'` : '';
    throw new AppError(
      'FASTA_BAD_CHARACTER',
      `${this.name}: unexpected character ${ch}${where} (line ${fmt(line)}, column ${fmt(column)})`,
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
    if (header.includes('\r')) this.crInHeader = true;
    if (this.headerBytes > MAX_HEADER_BYTES) {
      this.longHeaders++;
      this.longestHeader = Math.max(this.longestHeader, this.headerBytes);
    }
    this.headerParts = [];
    this.inHeader = false;
    const m = /^\s*(\S*)\s*(.*)$/s.exec(header);
    this.currentId = m?.[1] || `record_${this.recordCount + 1}`;
    this.currentDescription = m?.[2] ?? '';
    this.recordCount++;
    this.code = 0;
    this.run = 0;
    if (this.ids.size < MAX_IDS_CHECKED) {
      if (this.ids.has(this.currentId)) {
        if (this.duplicateIds++ === 0) this.firstDuplicate = `'${this.currentId}' (records ${fmt(this.ids.get(this.currentId)!)} and ${fmt(this.recordCount)})`;
      } else this.ids.set(this.currentId, this.recordCount);
    }
  }

  /** Closes the current record, whose sequence lines end at offset `end`: k-mers never span two records. */
  private endRecord(end: number): void {
    this.run = 0;
    this.code = 0;
    const letters = this.inHeader ? 0 : end - this.seqStart - (this.blanks - this.blanksAtSeqStart);
    if (this.recordCount > 0 && letters <= 0 && this.emptyRecords++ === 0) {
      this.firstEmpty = `'${this.currentId}' (record ${fmt(this.recordCount)})`;
    }
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
  finish(): { counts: Float64Array; records: number; warnings: string[] } & SequenceStats {
    if (!this.started && this.pendingHead.length > 0) this.startIfFasta(true);
    if (!this.started) {
      throw new AppError('FILE_EMPTY', `${this.name}: the file is empty (no FASTA header or sequence)`, 'choose a FASTA file with at least one ">" header line and its sequence');
    }
    const headerOnly = this.inHeader;
    if (this.inHeader) this.beginRecord();
    this.inHeader = headerOnly;
    this.endRecord(this.offset);
    this.inHeader = false;
    let counts: Float64Array;
    let n: number;
    let other: number;
    let protein: number;
    if (this.perRecord) {
      counts = this.fileCounts;
      n = this.fileStats.nBp;
      other = this.fileStats.otherBp;
      protein = this.fileStats.proteinBp;
    } else {
      counts = new Float64Array(FEATURE_COUNT);
      foldRawCounts(this.raw6, this.rawShort, counts);
      n = this.stats.nBp;
      other = this.stats.otherBp;
      protein = this.stats.proteinBp;
    }
    this.checkProtein(true);
    const stats = computeStats(counts, n, other + protein);
    if (stats.lengthBp === 0) {
      const what = this.recordCount === 1 ? '1 header' : `${this.recordCount} headers`;
      if (this.crInHeader) {
        throw new AppError(
          'FASTA_NO_SEQUENCE',
          `${this.name}: ${what} but no sequence letters: the lines end with CR only (classic Mac OS line ends), so the whole file reads as header lines`,
          "convert the line ends to LF, e.g. `tr '\\r' '\\n' < in.fa > out.fa`",
        );
      }
      throw new AppError('FASTA_NO_SEQUENCE', `${this.name}: ${what} but no sequence letters`, 'the lines after each ">" header must hold the sequence');
    }
    if (stats.acgtBp === 0) {
      // All N (or other ambiguity codes): no k-mer to count, so no profile, and never a genome.
      throw new AppError('FASTA_NO_SEQUENCE', `${this.name}: ${stats.lengthBp.toLocaleString('en-US')} bp in ${this.recordCount === 1 ? '1 record' : `${this.recordCount} records`} but no A, C, G or T (only N or other ambiguity codes)`, 'give a genome with real sequence; a masked or placeholder FASTA has nothing to count');
    }
    return { counts, records: this.recordCount, ...stats, warnings: this.warnings(other, protein) };
  }

  /** Accepted, but worth a line: what was odd about the file (see docs/bad-input.md). */
  private warnings(other: number, protein: number): string[] {
    const w: string[] = [];
    const records = (k: number) => (k === 1 ? '1 record' : `${fmt(k)} records`);
    if (this.duplicateIds > 0) {
      w.push(`${this.name}: ${this.duplicateIds === 1 ? '1 record id is' : `${fmt(this.duplicateIds)} record ids are`} used again, first ${this.firstDuplicate}; per-record output will have repeated names`);
    }
    if (this.emptyRecords > 0) w.push(`${this.name}: ${records(this.emptyRecords)} without sequence, first ${this.firstEmpty}`);
    if (other > 0) w.push(`${this.name}: ${fmt(other)} bp are IUPAC ambiguity codes or gaps (not N); k-mers containing them are not counted`);
    if (protein > 0) w.push(`${this.name}: ${fmt(protein)} letters are not nucleotide codes (E, F, I, J, L, O, P, Q, Z or *); they are skipped like N`);
    if (this.longHeaders > 0) {
      w.push(`${this.name}: ${this.longHeaders === 1 ? '1 header line is' : `${fmt(this.longHeaders)} header lines are`} over ${fmt(MAX_HEADER_BYTES)} bytes (longest ${fmt(this.longestHeader)}); only the first ${fmt(MAX_HEADER_BYTES)} bytes of each are kept`);
    }
    return w;
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
