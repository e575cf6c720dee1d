/**
 * Domain evidence (Bacteria / Archaea / Eukarya) from small-subunit rRNA genes, read from sequence
 * alone in the same streaming pass as the k-mer profiler.
 *
 * Method
 * 1. Sites. `RRNA_SITES` lists published primer and probe sequences (names and papers are given
 *    beside each one). Each site is written here in rRNA-sense orientation, with IUPAC codes, and
 *    is searched on both strands. *Universal* sites (conserved in all three domains) locate the
 *    gene; *domain* sites carry the evidence.
 * 2. Matching. A 2-bit rolling code of the last 26 bases, split over two 26-bit integers, is
 *    updated per base. Its last 12 bases are tested against a 2^24-bit seed table that holds every
 *    12-mer within the allowed mismatches of any site's 3' end, so the hot loop is a few integer
 *    operations per base. A seed hit is verified over the whole site: ≤ 2 mismatches for
 *    universal sites; ≤ 1 for domain sites with ≥ 17 informative bases, exact for shorter or
 *    more degenerate ones. N/IUPAC codes and record boundaries break the window; lower
 *    case, U, CRLF and line breaks do not. Header lines ('>' or ';' at the start of a line) are
 *    skipped.
 * 3. Genes. Hits on the same record and strand that lie within `GENE_GAP_BP` of each other form a
 *    cluster; a cluster with ≥ `MIN_SITES_PER_GENE` distinct sites is a located SSU rRNA gene.
 *    Hits outside located genes (chance matches of an 18-20-mer) are dropped.
 * 4. Scores. Per domain and per locus (overlapping sites count once), the best match inside any
 *    located gene scores 2 (exact) or 1 (one mismatch). A domain is called when its score is
 *    ≥ `MIN_CALL_SCORE` and beats the other prokaryotic domain by a wide margin (rule in
 *    `callDomain`). Eukarya wins whenever its own score qualifies, because eukaryotic genomes also
 *    carry bacterial-type organellar rRNA. Without a located gene the call is 'unknown': drafts,
 *    MAGs and fragments without rRNA never get a guess.
 * 5. Signature. The region between the universal 515F and 1390R sites (E. coli 515-1406, the
 *    V4-V8 variable regions, ~890 bp) is cut out of each gene copy, oriented, and its 6-mers are
 *    counted into a 4,096-bin vector (L2-normalised, lexicographic 6-mer order). Its cosine
 *    compares two genomes by rRNA similarity.
 *
 * On the shared data (README, "Domain evidence from rRNA genes"): all 92 reference bacteria and
 * archaea are called correctly, and none of the 10,863 shared records gets a wrong call.
 */
import { BASE_BYTE_CLASS, C_BOM, C_HEADER, C_NEWLINE, C_SKIP } from './fasta-byte-class';

export type Domain = 'bacteria' | 'archaea' | 'eukarya';
export type DomainCall = Domain | 'unknown';
export type SiteKind = Domain | 'universal';

export interface RrnaSite {
  /** Primer/probe name as published. */
  name: string;
  kind: SiteKind;
  /** Sites that overlap on the gene share a locus and score once. */
  locus: string;
  /** The published sequence (5'→3', IUPAC; I = inosine is written N). */
  published: string;
  /** true when the published oligo is complementary to the rRNA (probes, reverse primers). */
  antisense: boolean;
  /** Where it was published. */
  ref: string;
}

/**
 * Published SSU rRNA primers and probes. Locus labels are approximate positions (E. coli 16S
 * numbering, Brosius et al. 1978; 18S sites by their published names) and only group overlapping
 * sites.
 * The list comes from the papers cited beside each site (sequences cross-checked against the
 * primer table of the RiboGrove database), not from the genomes it is tested on. Primers that the
 * literature describes as universal (515F, 806R, 926R, 1390R, 1492R) are used only to locate
 * genes, never as domain evidence.
 */
export const RRNA_SITES: readonly RrnaSite[] = [
  // Universal: locate the gene (≤ UNIVERSAL_MAX_MISMATCHES).
  { name: '515F-Y', kind: 'universal', locus: 'U515', published: 'GTGYCAGCMGCCGCGGTAA', antisense: false, ref: 'Parada, Needham & Fuhrman 2016, Environ Microbiol 18:1403' },
  { name: '806RB', kind: 'universal', locus: 'U806', published: 'GGACTACNVGGGTWTCTAAT', antisense: true, ref: 'Apprill et al. 2015, Aquat Microb Ecol 75:129' },
  { name: '926R', kind: 'universal', locus: 'U926', published: 'CCGYCAATTYMTTTRAGTTT', antisense: true, ref: 'Parada et al. 2016' },
  { name: '1390R', kind: 'universal', locus: 'U1390', published: 'GACGGGCGGTGTGTACAA', antisense: true, ref: 'Zheng et al. 1996, Appl Environ Microbiol 62:4504' },
  { name: '1492R', kind: 'universal', locus: 'U1492', published: 'GGTTACCTTGTTACGACTT', antisense: true, ref: 'Lane 1991, in Nucleic Acid Techniques in Bacterial Systematics; Turner et al. 1999, J Eukaryot Microbiol 46:327' },

  // Bacteria. Domain sites: ≤ 1 mismatch or exact, see siteMaxMismatches().
  { name: '27F', kind: 'bacteria', locus: 'B8', published: 'AGAGTTTGATCMTGGCTCAG', antisense: false, ref: 'Lane 1991' },
  { name: '63F', kind: 'bacteria', locus: 'B43', published: 'CAGGCCTAACACATGCAAGTC', antisense: false, ref: 'Marchesi et al. 1998, Appl Environ Microbiol 64:795' },
  { name: 'EUB338', kind: 'bacteria', locus: 'B338', published: 'GCTGCCTCCCGTAGGAGT', antisense: true, ref: 'Amann et al. 1990, Appl Environ Microbiol 56:1919' },
  { name: 'EUB338-II', kind: 'bacteria', locus: 'B338', published: 'GCAGCCACCCGTAGGTGT', antisense: true, ref: 'Daims et al. 1999, Syst Appl Microbiol 22:434' },
  { name: 'EUB338-III', kind: 'bacteria', locus: 'B338', published: 'GCTGCCACCCGTAGGTGT', antisense: true, ref: 'Daims et al. 1999' },
  { name: '341F', kind: 'bacteria', locus: 'B338', published: 'CCTACGGGAGGCAGCAG', antisense: false, ref: 'Muyzer et al. 1993, Appl Environ Microbiol 59:695' },
  { name: '939F', kind: 'bacteria', locus: 'B939', published: 'GAATTGACGGGGGCCCGCACAAG', antisense: false, ref: 'Lebuhn et al. 2014, Anaerobe 29:10' },
  { name: '968F', kind: 'bacteria', locus: 'B968', published: 'AACGCGAAGAACCTTAC', antisense: false, ref: 'Nübel et al. 1996, J Bacteriol 178:5636' },
  { name: '1100R', kind: 'bacteria', locus: 'B1100', published: 'AGGGTTGCGCTCGTTG', antisense: true, ref: 'Lane 1991; Turner et al. 1999' },
  { name: '1193R', kind: 'bacteria', locus: 'B1175', published: 'ACGTCATCCCCACCTTCC', antisense: true, ref: 'Bodenhausen et al. 2013, PLoS One 8:e56329' },
  { name: '1387R', kind: 'bacteria', locus: 'B1378', published: 'GGGCGGWGTGTACAAGGC', antisense: true, ref: 'Marchesi et al. 1998' },
  { name: '1401R', kind: 'bacteria', locus: 'B1378', published: 'CGGTGTGTACAAGACCC', antisense: true, ref: 'Nübel et al. 1996' },
  { name: '1378R', kind: 'bacteria', locus: 'B1378', published: 'CGGTGTGTACAAGGCCCGGGAACG', antisense: true, ref: 'Lebuhn et al. 2014' },

  // Archaea.
  { name: 'Arch21F', kind: 'archaea', locus: 'A2', published: 'TTCCGGTTGATCCYGCCGGA', antisense: false, ref: 'DeLong 1992, PNAS 89:5685' },
  { name: 'SSU1ArF', kind: 'archaea', locus: 'A2', published: 'TCCGGTTGATCCYGCBRG', antisense: false, ref: 'Bahram et al. 2019, Environ Microbiol Rep 11:487' },
  { name: 'ARC344', kind: 'archaea', locus: 'A340', published: 'TCGCGCCTGCTGCNCCCCGT', antisense: true, ref: 'Raskin et al. 1994, Appl Environ Microbiol 60:1232' },
  { name: 'Arch340F', kind: 'archaea', locus: 'A340', published: 'CCCTAYGGGGYGCASCAG', antisense: false, ref: 'Gantner et al. 2011, J Microbiol Methods 84:12' },
  { name: 'Arch349F', kind: 'archaea', locus: 'A340', published: 'GYGCASCAGKCGMGAAW', antisense: false, ref: 'Takai & Horikoshi 2000, Appl Environ Microbiol 66:5066' },
  { name: 'A571F', kind: 'archaea', locus: 'A571', published: 'GCYTAAAGSRNCCGTAGC', antisense: false, ref: 'Baker, Smith & Cowan 2003, J Microbiol Methods 55:541' },
  { name: 'SSU666ArR', kind: 'archaea', locus: 'A666', published: 'HGCYTTCGCCACHGGTRG', antisense: true, ref: 'Bahram et al. 2019' },
  { name: 'A751F', kind: 'archaea', locus: 'A751', published: 'CCGACGGTGAGRGRYGAA', antisense: false, ref: 'Baker et al. 2003' },
  { name: 'ARCH915', kind: 'archaea', locus: 'A915', published: 'GTGCTCCCCCGCCAATTCCT', antisense: true, ref: 'Stahl & Amann 1991, in Nucleic Acid Techniques in Bacterial Systematics' },
  { name: 'Ar912r', kind: 'archaea', locus: 'A915', published: 'CTCCCCCGCCAATTCCTTTA', antisense: true, ref: 'Lueders & Friedrich 2000, Appl Environ Microbiol 66:2732' },
  { name: 'Arch958R', kind: 'archaea', locus: 'A958', published: 'YCCGGCGTTGAMTCCAATT', antisense: true, ref: 'DeLong 1992' },
  { name: 'Arc1059R', kind: 'archaea', locus: 'A1044', published: 'GCCATGCACCWCCTCT', antisense: true, ref: 'Yu et al. 2005, Biotechnol Bioeng 89:670' },
  { name: 'SSU1000ArR', kind: 'archaea', locus: 'A1044', published: 'GGCCATGCAMYWCCTCTC', antisense: true, ref: 'Bahram et al. 2019' },
  { name: 'UA1204R', kind: 'archaea', locus: 'A1204', published: 'TTMGGGGCATRCNKACCT', antisense: true, ref: 'Baker et al. 2003' },
  { name: 'Ar1378R', kind: 'archaea', locus: 'A1378', published: 'TGTGCAAGGAGCAGGGAC', antisense: true, ref: 'Watanabe et al. 2007, Soil Biol Biochem 39:2877' },

  // Eukarya (18S).
  { name: 'EukA', kind: 'eukarya', locus: 'E2', published: 'AACCTGGTTGATCCTGCCAGT', antisense: false, ref: 'Medlin et al. 1988, Gene 71:491' },
  { name: 'NS1', kind: 'eukarya', locus: 'E20', published: 'GTAGTCATATGCTTGTCTC', antisense: false, ref: 'White et al. 1990, in PCR Protocols' },
  { name: 'Euk82F', kind: 'eukarya', locus: 'E82', published: 'GAADCTGYGAAYGGCTC', antisense: false, ref: 'López-García et al. 2003, Environ Microbiol 5:961' },
  { name: 'EUK516', kind: 'eukarya', locus: 'E516', published: 'ACCAGACTTGCCCTCC', antisense: true, ref: 'Amann et al. 1990' },
  { name: 'NS3', kind: 'eukarya', locus: 'E516', published: 'GCAAGTCTGGTGCCAGCAGCC', antisense: false, ref: 'White et al. 1990' },
  { name: 'TAReukREV3', kind: 'eukarya', locus: 'EV4', published: 'ACTTTCGTTCTTGATYRA', antisense: true, ref: 'Stoeck et al. 2010, Mol Ecol 19(s1):21' },
  { name: 'NS4', kind: 'eukarya', locus: 'E1150', published: 'CTTCCGTCAATTCCTTTAAG', antisense: true, ref: 'White et al. 1990' },
  { name: 'EUK1209R', kind: 'eukarya', locus: 'E1209', published: 'GGGCATCACAGACCTG', antisense: true, ref: 'Giovannoni et al. 1988, J Bacteriol 170:720' },
  { name: 'EukB', kind: 'eukarya', locus: 'E1772', published: 'TGATCCTTCTGCAGGTTCACCTAC', antisense: true, ref: 'Medlin et al. 1988' },
];

/** Mismatches allowed for domain sites: 0 scores 2, 1 scores 1. */
export const DOMAIN_MAX_MISMATCHES = 1;
/**
 * A domain site may match with a mismatch only if it holds at least this many informative bases
 * (a base counts log4(4 / number of allowed letters): A = 1, R = 0.5, N = 0). A 16-mer with one
 * mismatch is 94 % identical, which the other domains' rRNA reaches at the most conserved sites,
 * so degenerate or short sites are matched exactly. (On the shared reference genomes, every site
 * that matched another domain's rRNA with one mismatch — SSU666ArR, Arc1059R, Arch340F, EUK516 —
 * is below this threshold.)
 */
export const MIN_INFORMATIVE_BASES_FOR_MISMATCH = 17;
/** Mismatches allowed for universal (gene-locating) sites. */
export const UNIVERSAL_MAX_MISMATCHES = 2;
/** Largest gap between neighbouring site hits of one gene (SSU sites lie ≤ ~400 bp apart; archaeal introns add some). */
export const GENE_GAP_BP = 1500;
/** Distinct sites needed for a cluster to count as a located rRNA gene. */
export const MIN_SITES_PER_GENE = 3;
/** Smallest domain score that can be called (e.g. two exact loci, or four loci at one mismatch). */
export const MIN_CALL_SCORE = 4;
/** Signature k-mer length and size (4^6 oriented 6-mers). */
export const SIGNATURE_K = 6;
export const SIGNATURE_SIZE = 4 ** SIGNATURE_K;

/**
 * Weight of `domainAgreement` in `similarity = (1 − w)·cos(CLR q, c) + w·agreement(q, c)`.
 * Leave-one-genus-out over the 92 shared bacteria/archaea: composition alone 80/92 queries with
 * ≥ 4 of 5 nearest in the query's domain; with w = 0.25, 92/92 (w ≥ 0.2 suffices). Kept as small as
 * gives the target with margin, so that same-domain genomes without rRNA (drafts, MAGs: agreement
 * 0) are not pushed far below those with it.
 */
export const DOMAIN_AGREEMENT_WEIGHT = 0.25;

export interface RrnaSiteHit {
  name: string;
  kind: SiteKind;
  locus: string;
  /** Fewest mismatches of this site inside any located gene. */
  mismatches: number;
}

export interface RrnaEvidence {
  /** Located SSU rRNA genes (clusters of ≥ MIN_SITES_PER_GENE distinct sites). */
  genes: number;
  /** Domain loci matched (≤ DOMAIN_MAX_MISMATCHES) inside located genes. */
  bacteriaHits: number;
  archaeaHits: number;
  eukaryaHits: number;
  /** Per-domain score: sum over loci of 2 (exact) or 1 (one mismatch). */
  scores: { bacteria: number; archaea: number; eukarya: number };
  domainCall: DomainCall;
  /** 0 for 'unknown'; rises to 1 with the score margin (see `callDomain`). */
  confidence: number;
  /** Best match of each site that matched inside a located gene. */
  sites: RrnaSiteHit[];
  /** Oriented 6-mer counts of the 515F–1390R regions, L2-normalised; null without such a region. */
  signature: Float32Array | null;
  /** Number of 515F–1390R regions in the signature. */
  signatureRegions: number;
  /**
   * The first 515F–1390R region found (E. coli 515–1406: V4–V8, ~890 bp, primer sites included),
   * in rRNA-sense orientation as A/C/G/T (N for any other letter); null without one. Compared
   * with the 16S reference (src/media/rrna-16s-reference.ts) to place a genome among genera.
   */
  ssuRegion: string | null;
}

// ---------------------------------------------------------------------------------------------
// Pattern tables (built once, shared by all scanners)

const IUPAC_MASK: Record<string, number> = {
  A: 1, C: 2, G: 4, T: 8, U: 8, R: 5, Y: 10, S: 6, W: 9, K: 12, M: 3, B: 14, D: 13, H: 11, V: 7, N: 15,
};
const COMPLEMENT_MASK = (m: number) => ((m & 1) << 3) | ((m & 2) << 1) | ((m & 4) >> 1) | ((m & 8) >> 3);

const SEED_K = 12;
const SEED_MASK = (1 << (2 * SEED_K)) - 1;
const HALF_BASES = 13; // bases per 26-bit half of the rolling code
const HALF_MASK = (1 << 26) - 1;
const MAX_SITE_LENGTH = 2 * HALF_BASES;

interface Tables {
  seedBits: Uint32Array;
  seedPatterns: Map<number, Int32Array>;
  /** Per pattern: masks in window order from the LAST base backwards. */
  masks: Uint8Array;
  offset: Int32Array;
  length: Int32Array;
  site: Int32Array;
  /** +1 when the pattern is the rRNA-sense site, −1 when it is its reverse complement. */
  strand: Int8Array;
  maxMismatches: Int8Array;
  u515: number;
  u1390: number;
}

let TABLES: Tables | null = null;

/** A site in rRNA-sense orientation, IUPAC letters kept (I written N). */
export function siteSenseSequence(site: RrnaSite): string {
  const letterOfMask = '-ACMGRSVTWYHKDBN'; // index = 4-bit mask (A=1 C=2 G=4 T=8)
  return siteMasks(site)
    .map((m) => letterOfMask[m])
    .join('');
}

function siteMasks(site: RrnaSite): number[] {
  const letters = site.published.toUpperCase().replace(/I/g, 'N');
  const m = [...letters].map((ch) => {
    const v = IUPAC_MASK[ch];
    if (!v) throw new Error(`rrna-markers: bad letter '${ch}' in site ${site.name}`);
    return v;
  });
  // sense orientation: the rRNA-like strand
  return site.antisense ? m.reverse().map(COMPLEMENT_MASK) : m;
}

/** Informative bases of a site: sum over positions of log4(4 / allowed letters). */
export function informativeBases(site: RrnaSite): number {
  let bits = 0;
  for (const m of siteMasks(site)) {
    let n = 0;
    for (let b = 0; b < 4; b++) n += (m >> b) & 1;
    bits += Math.log2(4 / n);
  }
  return bits / 2;
}

/** Mismatches a site may have: 2 for universal sites; 1 or 0 for domain sites (see MIN_INFORMATIVE_BASES_FOR_MISMATCH). */
export function siteMaxMismatches(site: RrnaSite): number {
  if (site.kind === 'universal') return UNIVERSAL_MAX_MISMATCHES;
  return informativeBases(site) >= MIN_INFORMATIVE_BASES_FOR_MISMATCH - 1e-9 ? DOMAIN_MAX_MISMATCHES : 0;
}

function buildTables(): Tables {
  const patMasks: number[][] = [];
  const site: number[] = [];
  const strand: number[] = [];
  const maxMm: number[] = [];
  RRNA_SITES.forEach((s, i) => {
    const sense = siteMasks(s);
    if (sense.length < SEED_K || sense.length > MAX_SITE_LENGTH) throw new Error(`rrna-markers: site ${s.name} must be ${SEED_K}-${MAX_SITE_LENGTH} nt`);
    const anti = [...sense].reverse().map(COMPLEMENT_MASK);
    for (const [m, dir] of [[sense, 1], [anti, -1]] as const) {
      patMasks.push([...m].reverse()); // last base first
      site.push(i);
      strand.push(dir);
      maxMm.push(siteMaxMismatches(s));
    }
  });
  const n = patMasks.length;
  const offset = new Int32Array(n);
  const length = new Int32Array(n);
  let total = 0;
  patMasks.forEach((m, p) => {
    offset[p] = total;
    length[p] = m.length;
    total += m.length;
  });
  const masks = new Uint8Array(total);
  patMasks.forEach((m, p) => masks.set(m, offset[p]));

  // Seed table: every 12-mer within maxMm of the pattern's last 12 bases.
  const seedBits = new Uint32Array((SEED_MASK + 1) >>> 5);
  const lists = new Map<number, number[]>();
  for (let p = 0; p < n; p++) {
    const m = patMasks[p]; // m[j] = mask of the base j positions before the window end
    const budget = maxMm[p];
    const visit = (j: number, key: number, left: number) => {
      if (j === SEED_K) {
        seedBits[key >>> 5] |= 1 << (key & 31);
        let l = lists.get(key);
        if (!l) lists.set(key, (l = []));
        if (l[l.length - 1] !== p) l.push(p);
        return;
      }
      for (let b = 0; b < 4; b++) {
        const cost = (m[j] >> b) & 1 ? 0 : 1;
        if (cost <= left) visit(j + 1, key | (b << (2 * j)), left - cost);
      }
    };
    visit(0, 0, budget);
  }
  const seedPatterns = new Map<number, Int32Array>();
  for (const [k, l] of lists) seedPatterns.set(k, Int32Array.from(l));
  return {
    seedBits,
    seedPatterns,
    masks,
    offset,
    length,
    site: Int32Array.from(site),
    strand: Int8Array.from(strand),
    maxMismatches: Int8Array.from(maxMm),
    u515: RRNA_SITES.findIndex((s) => s.name === '515F-Y'),
    u1390: RRNA_SITES.findIndex((s) => s.name === '1390R'),
  };
}

function tables(): Tables {
  return (TABLES ??= buildTables());
}

const RING_BITS = 12;
const RING_SIZE = 1 << RING_BITS; // > longest 515F–1390R region kept
const RING_MASK = RING_SIZE - 1;
const REGION_MIN_BP = 700;
/** 2-bit base code → ASCII letter (A C G T). */
const BASE_LETTER = [65, 67, 71, 84];
const REGION_MAX_BP = 2500;
const MAX_SIGNATURE_REGIONS = 64;
/** Records whose first region is kept for finishByRecord (~0.9 kB each): bounds memory on metagenomes. */
const MAX_RECORD_REGIONS = 10_000;
const MAX_HITS = 1 << 18; // real genomes give hundreds; caps memory on pathological input

/**
 * Streaming scanner over decompressed FASTA bytes. Push the chunks the k-mer profiler sees, in
 * order, then call `finish()` once.
 */
export class RrnaMarkerScanner {
  private readonly t = tables();
  private lo = 0;
  private hi = 0;
  private run = 0;
  private pos = 0; // sequence letters seen in the current record
  private record = 0;
  private inHeader = false;
  private lineStart = true;
  // hits: record, strand, end position, site, mismatches
  private hitRecord: number[] = [];
  private hitStrand: number[] = [];
  private hitPos: number[] = [];
  private hitSite: number[] = [];
  private hitMm: number[] = [];
  // signature capture
  private readonly ring = new Uint8Array(RING_SIZE);
  private startPlus = -1; // start of the last 515F (sense) hit in this record
  private startMinus = -1; // start of the last reverse-complement 1390R hit in this record
  private readonly sigCounts = new Float64Array(SIGNATURE_SIZE);
  private regions = 0;
  private ssuRegion: string | null = null;
  /** The first 515F–1390R region of each record (record number → region). */
  private readonly recordRegions = new Map<number, string>();
  private finished = false;

  push(chunk: Uint8Array): void {
    if (this.finished) throw new Error('RrnaMarkerScanner: push() after finish()');
    const n = chunk.length;
    const CL = BASE_BYTE_CLASS;
    const bits = this.t.seedBits;
    const ring = this.ring;
    let lo = this.lo;
    let hi = this.hi;
    let run = this.run;
    let pos = this.pos;
    let inHeader = this.inHeader;
    let lineStart = this.lineStart;
    for (let i = 0; i < n; i++) {
      const b = chunk[i];
      if (inHeader) {
        if (b === 10) {
          inHeader = false;
          lineStart = true;
        }
        continue;
      }
      const c = CL[b];
      if (c < 4) {
        hi = ((hi << 2) | (lo >>> 24)) & HALF_MASK;
        lo = ((lo << 2) | c) & HALF_MASK;
        ring[pos & RING_MASK] = c;
        pos++;
        lineStart = false;
        if (++run >= SEED_K) {
          const key = lo & SEED_MASK;
          if ((bits[key >>> 5] >>> (key & 31)) & 1) {
            this.lo = lo;
            this.hi = hi;
            this.verify(key, run, pos);
          }
        }
        continue;
      }
      switch (c) {
        case C_NEWLINE:
          lineStart = true;
          break;
        case C_SKIP:
          break;
        case C_HEADER:
          if (lineStart) {
            if (b === 62) {
              this.newRecord();
              pos = 0;
            }
            inHeader = true;
            run = 0;
            break;
          }
        // '>' or ';' inside a line is not sequence: it breaks the window (falls through)
        case C_BOM:
          if (lineStart) break; // a byte-order mark before the first header
        // falls through
        default:
          ring[pos & RING_MASK] = 4;
          pos++;
          run = 0;
          lineStart = false;
      }
    }
    this.lo = lo;
    this.hi = hi;
    this.run = run;
    this.pos = pos;
    this.inHeader = inHeader;
    this.lineStart = lineStart;
  }

  private newRecord(): void {
    this.record++;
    this.pos = 0;
    this.run = 0;
    this.startPlus = -1;
    this.startMinus = -1;
  }

  /** Checks every pattern whose 3' seed matches the current window. */
  private verify(key: number, run: number, pos: number): void {
    const t = this.t;
    const list = t.seedPatterns.get(key);
    if (!list) return;
    const lo = this.lo;
    const hi = this.hi;
    for (let li = 0; li < list.length; li++) {
      const p = list[li];
      const len = t.length[p];
      if (run < len) continue;
      const max = t.maxMismatches[p];
      const off = t.offset[p];
      let mm = 0;
      for (let j = 0; j < len; j++) {
        const base = j < HALF_BASES ? (lo >>> (2 * j)) & 3 : (hi >>> (2 * (j - HALF_BASES))) & 3;
        if (((t.masks[off + j] >>> base) & 1) === 0 && ++mm > max) break;
      }
      if (mm > max) continue;
      const site = t.site[p];
      const strand = t.strand[p];
      if (this.hitPos.length < MAX_HITS) {
        this.hitRecord.push(this.record);
        this.hitStrand.push(strand);
        this.hitPos.push(pos);
        this.hitSite.push(site);
        this.hitMm.push(mm);
      }
      this.captureRegion(site, strand, pos, len);
    }
  }

  /** 515F → 1390R on the sense strand, or rc(1390R) → rc(515F) on the other: count the region's 6-mers. */
  private captureRegion(site: number, strand: number, end: number, len: number): void {
    const t = this.t;
    const start = end - len;
    if (strand > 0) {
      if (site === t.u515) this.startPlus = start;
      else if (site === t.u1390 && this.startPlus >= 0) {
        this.countRegion(this.startPlus, end, false);
        this.startPlus = -1;
      }
    } else {
      if (site === t.u1390) this.startMinus = start;
      else if (site === t.u515 && this.startMinus >= 0) {
        this.countRegion(this.startMinus, end, true);
        this.startMinus = -1;
      }
    }
  }

  private countRegion(start: number, end: number, reverse: boolean): void {
    const span = end - start;
    if (span < REGION_MIN_BP || span > REGION_MAX_BP) return;
    const count = this.regions < MAX_SIGNATURE_REGIONS;
    // The first region of each record too (finishByRecord), up to MAX_RECORD_REGIONS records.
    const forRecord = !this.recordRegions.has(this.record) && this.recordRegions.size < MAX_RECORD_REGIONS;
    if (!count && !forRecord) return;
    if (count) this.regions++;
    const ring = this.ring;
    const k = SIGNATURE_K;
    const mask = SIGNATURE_SIZE - 1;
    let code = 0;
    let run = 0;
    const keep = this.ssuRegion === null || forRecord ? new Uint8Array(span) : null;
    for (let i = 0; i < span; i++) {
      // sense order: forward from start, or backwards from end with complemented bases
      const b = reverse ? ring[(end - 1 - i) & RING_MASK] : ring[(start + i) & RING_MASK];
      if (keep) keep[i] = b > 3 ? 78 : BASE_LETTER[reverse ? 3 - b : b];
      if (!count) continue;
      if (b > 3) {
        run = 0;
        continue;
      }
      code = ((code << 2) | (reverse ? 3 - b : b)) & mask;
      if (++run >= k) this.sigCounts[code]++;
    }
    if (!keep) return;
    const region = String.fromCharCode(...keep);
    this.ssuRegion ??= region;
    if (forRecord) this.recordRegions.set(this.record, region);
  }

  finish(): RrnaEvidence {
    this.finished = true;
    return { ...summarise(this.hitRecord, this.hitStrand, this.hitPos, this.hitSite, this.hitMm, this.sigCounts, this.regions), ssuRegion: this.ssuRegion };
  }

  /**
   * The evidence of each FASTA record on its own (record n = the n-th header, 1-based), for the
   * records with any site hit; every other record is 'unknown'. No signatures (per-file only); each
   * record's own first 515F–1390R region (for the first MAX_RECORD_REGIONS records that have one).
   * Call after the last push (it also ends the scan).
   */
  finishByRecord(): Map<number, RrnaEvidence> {
    this.finished = true;
    const byRecord = new Map<number, number[]>();
    this.hitRecord.forEach((r, i) => {
      const list = byRecord.get(r) ?? [];
      list.push(i);
      byRecord.set(r, list);
    });
    const out = new Map<number, RrnaEvidence>();
    const none = new Float64Array(0);
    for (const [r, idx] of byRecord) {
      const pick = (a: number[]) => idx.map((i) => a[i]);
      out.set(r, { ...summarise(pick(this.hitRecord), pick(this.hitStrand), pick(this.hitPos), pick(this.hitSite), pick(this.hitMm), none, 0), ssuRegion: this.recordRegions.get(r) ?? null });
    }
    return out;
  }
}

function summarise(
  rec: number[],
  strand: number[],
  pos: number[],
  site: number[],
  mm: number[],
  sigCounts: Float64Array,
  regions: number,
): Omit<RrnaEvidence, 'ssuRegion'> {
  const order = pos.map((_, i) => i).sort((a, b) => rec[a] - rec[b] || strand[a] - strand[b] || pos[a] - pos[b]);
  const best = new Map<number, number>(); // site → fewest mismatches inside genes
  let genes = 0;
  for (let s = 0; s < order.length; ) {
    let e = s + 1;
    while (
      e < order.length &&
      rec[order[e]] === rec[order[s]] &&
      strand[order[e]] === strand[order[s]] &&
      pos[order[e]] - pos[order[e - 1]] <= GENE_GAP_BP
    ) e++;
    const distinct = new Set<number>();
    for (let i = s; i < e; i++) distinct.add(site[order[i]]);
    if (distinct.size >= MIN_SITES_PER_GENE) {
      genes++;
      for (let i = s; i < e; i++) {
        const h = order[i];
        const prev = best.get(site[h]);
        if (prev === undefined || mm[h] < prev) best.set(site[h], mm[h]);
      }
    }
    s = e;
  }

  const locusScore = new Map<string, number>(); // `${kind}:${locus}` → best score
  const sites: RrnaSiteHit[] = [];
  for (const [i, m] of [...best].sort((a, b) => a[0] - b[0])) {
    const s = RRNA_SITES[i];
    sites.push({ name: s.name, kind: s.kind, locus: s.locus, mismatches: m });
    if (s.kind === 'universal') continue;
    const key = `${s.kind}:${s.locus}`;
    locusScore.set(key, Math.max(locusScore.get(key) ?? 0, m === 0 ? 2 : 1));
  }
  const scores = { bacteria: 0, archaea: 0, eukarya: 0 };
  const hits = { bacteria: 0, archaea: 0, eukarya: 0 };
  for (const [key, v] of locusScore) {
    const d = key.slice(0, key.indexOf(':')) as Domain;
    scores[d] += v;
    hits[d]++;
  }
  const { call, confidence } = callDomain(scores);

  let signature: Float32Array | null = null;
  if (regions > 0) {
    let norm = 0;
    for (let i = 0; i < SIGNATURE_SIZE; i++) norm += sigCounts[i] * sigCounts[i];
    norm = Math.sqrt(norm);
    if (norm > 0) {
      signature = new Float32Array(SIGNATURE_SIZE);
      for (let i = 0; i < SIGNATURE_SIZE; i++) signature[i] = sigCounts[i] / norm;
    }
  }
  return {
    genes,
    bacteriaHits: hits.bacteria,
    archaeaHits: hits.archaea,
    eukaryaHits: hits.eukarya,
    scores,
    domainCall: call,
    confidence,
    sites,
    signature,
    signatureRegions: signature ? regions : 0,
  };
}

/**
 * The call from the three domain scores.
 * - Eukarya when its score is ≥ MIN_CALL_SCORE and not below the archaeal one (bacterial-type
 *   organellar rRNA in a eukaryotic assembly does not veto it).
 * - Otherwise the larger of Bacteria/Archaea when it is ≥ MIN_CALL_SCORE and ≥ 2 × the other + 2.
 * - Otherwise 'unknown'.
 * Confidence = min(1, (top − 2·other) / 8): a call at the margin gets 0.25, a clear one 1.
 */
export function callDomain(scores: { bacteria: number; archaea: number; eukarya: number }): { call: DomainCall; confidence: number } {
  const { bacteria: b, archaea: a, eukarya: e } = scores;
  const confidence = (top: number, other: number) => Math.min(1, Math.max(0.25, (top - 2 * other) / 8));
  if (e >= MIN_CALL_SCORE && e >= a) return { call: 'eukarya', confidence: confidence(e, a) };
  const [top, other, call] = b >= a ? [b, a, 'bacteria' as const] : [a, b, 'archaea' as const];
  if (top >= MIN_CALL_SCORE && top >= 2 * other + 2) return { call, confidence: confidence(top, other) };
  return { call: 'unknown', confidence: 0 };
}

/**
 * Domain agreement in [−1, 1]: +c for the same call, −c for conflicting calls, 0 when either is
 * unknown, where c = the smaller of the two confidences.
 */
export function domainAgreement(a: Pick<RrnaEvidence, 'domainCall' | 'confidence'>, b: Pick<RrnaEvidence, 'domainCall' | 'confidence'>): number {
  if (a.domainCall === 'unknown' || b.domainCall === 'unknown') return 0;
  const c = Math.min(a.confidence, b.confidence);
  return a.domainCall === b.domainCall ? c : -c;
}

/** Cosine of two rRNA signatures (both L2-normalised), or null when either genome has none. */
export function signatureCosine(a: Float32Array | null, b: Float32Array | null): number | null {
  if (!a || !b) return null;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

/** Scans a whole decompressed FASTA (bytes or a stream of chunks). */
export async function scanRrnaMarkers(input: Uint8Array | AsyncIterable<Uint8Array>): Promise<RrnaEvidence> {
  const scanner = new RrnaMarkerScanner();
  if (input instanceof Uint8Array) scanner.push(input);
  else for await (const chunk of input) scanner.push(chunk);
  return scanner.finish();
}
