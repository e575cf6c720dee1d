/**
 * Proteome composition from a genome, read from sequence alone in the same streaming pass as the
 * k-mer profiler: genes found in all six frames, translated, and summarised as amino-acid counts
 * and growth-condition features (optimum temperature, salinity, oxygen, pH) in the style of
 * GenomeSPOT (Barnum et al. 2024, "Predicting microbial growth conditions from amino acid
 * composition", bioRxiv preprint; github.com/cultivarium/GenomeSPOT), which predicts them from the
 * amino-acid composition of Prodigal-predicted proteins, not from DNA k-mers. Unlike GenomeSPOT,
 * all proteins are pooled: there is no split into secreted / membrane / cytoplasmic proteins
 * (GenomeSPOT finds signal peptides with an HMM and uses the extracellular set for salinity and pH).
 *
 * 1. Candidate ORFs (one rule for both strands)
 * - Each record is cut at N, IUPAC codes and any other non-ACGTU letter, and at its ends: nothing
 *   spans two records or an N. Each piece is read in its three frames on both strands.
 * - Each frame of each strand is cut again at stop codons. In each stop-free stretch the candidate
 *   is the LONGEST ORF: from the first start codon (ATG, GTG or TTG) to the end of the stretch. That
 *   end is a stop codon, or a cut: then the ORF is "open", a gene running off a contig end (common
 *   in drafts and MAGs; GenomeSPOT is meant to work down to 10 % completeness).
 * - A candidate needs ≥ `minCodons` codons (start included, stop excluded).
 *   First-start-to-stop rather than stop-to-stop: the stretch upstream of the first start is mostly
 *   non-coding. A real start further downstream (Prodigal's RBS-based choice) would shorten a few
 *   genes, not change the proteome's composition.
 * 2. Gene selection (`selection: 'coding'`, the default). Six-frame long ORFs are not a proteome:
 *   the antisense frames of genes are stop-poor because stops are AT-rich, so in GC-rich genomes
 *   most long ORFs are "shadows" (Halobacterium salinarum, 66 % GC: 7,539 candidates for ~2,000
 *   genes, coding density 2.8, and a basic "proteome" instead of its famously acidic one). The
 *   scanner therefore keeps one ORF per locus with a self-trained codon model, after GeneMark's heuristic
 *   models (Besemer & Borodovsky 1999, Nucleic Acids Res 27:3911) and Prodigal's self-training
 *   (Hyatt et al. 2010, BMC Bioinformatics 11:119):
 *   a. start with the longest candidates that do not overlap (greedy, longest first);
 *   b. train a codon model on them: P(codon) = (n + 1) / (N + sense codons); null model Q(codon)
 *      = product of base frequencies (both strands: A = T, C = G from the file's GC), over sense
 *      codons; score every candidate by its log-likelihood ratio Σ n_c · ln(P_c / Q_c);
 *   c. keep, greedily by score, candidates with score > 0 that overlap already kept ones by
 *      ≤ `MAX_OVERLAP_BP` (prokaryotic genes overlap by a few bp, rarely more than 60); a candidate
 *      that overlaps more gets its start moved to the first later in-frame start codon that brings
 *      the overlap within the limit (its longest-ORF start often lies in the upstream gene; lambda
 *      gene C is one), if ≥ `minCodons` codons and a positive score remain (a. trims the same way);
 *   d. repeat b–c until the kept set no longer changes (2–9 rounds on the shared genomes; at most
 *      `MAX_MODEL_ROUNDS`).
 *   On E. coli K-12 this keeps 3,629 genes (it has ~4,100 protein genes, ~10 % of them under
 *   100 aa) at coding density 0.82; on M. genitalium (table 4) 487 genes (G37 has ~475 protein
 *   genes) at density 0.94.
 *   One model per file: a file should hold one genome (or MAG); per-record results use it too.
 *   `selection: 'all'` keeps every candidate (the raw six-frame ORF set).
 * 3. Composition. Amino-acid counts leave out the initiator codon (it is read as Met whatever it
 *   is, and GenomeSPOT's `Protein` drops the N-terminal Met as well, so that short proteins do not
 *   inflate Met): `residues` = coding codons − ORFs. Pooled features are residue-weighted over all
 *   kept ORFs; pI features are means over ORFs.
 *
 * Why `minCodons` = 100 by default: random sequence is stop-free over 100 codons with probability
 * (61/64)^100 ≈ 0.8 % at 50 % GC but ≈ 10 % at 67 % GC, so shorter thresholds multiply the
 * candidates (memory and time: 1.6–2.3× more at 60 codons in E. coli, H. salinarum, P. aeruginosa)
 * while the composition barely moves ((D+E)/(K+R) and IVYWREL change < 0.5 % between 60 and 100
 * codons in those three); fewer than ~10 % of prokaryotic proteins are shorter (median ~280 aa).
 * The cost: the shortest genes (some ribosomal proteins, which are basic) are missed, lowering K+R
 * slightly in every genome alike. With drafts the features hold up: 10 % of a genome in 2–5 kb
 * contigs gives (D+E)/(K+R), IVYWREL and mean pI within ~5 % of the complete genome's
 * (E. coli, H. salinarum, A. fulgidus).
 *
 * Genetic code. Table 11 (bacteria, archaea, plastids) by default. `geneticCode: 4` (Mycoplasma,
 * Spiroplasma, Ureaplasma: UGA = Trp) reads TGA as Trp. There is no automatic detection: read
 * with table 11, a table-4 genome has its genes cut at every TGA (M. genitalium: 30 % fewer
 * residues, see the tests) and its Trp lost. Other codes (table 25, UGA = Gly, in SR1 and
 * Gracilibacteria) are not handled.
 *
 * Streaming and memory. Chunks are pushed as they come (any split, even 1 byte), with the byte rules
 * of the other scanners: header lines start with '>' or ';' at the start of a line and are skipped,
 * lower case and U are bases, CR/spaces/line breaks are ignored, a UTF-8 BOM before the first
 * header is skipped. Per frame, the codons since the last stop (reverse strand) or since the first
 * start (forward strand) are held in a growable byte buffer, 1 byte per codon, so this part is
 * bounded by the longest stop-free stretch (a few kb in real genomes). Selection needs every
 * candidate until the end: 1 byte per codon plus 29 bytes each (~0.45 MB per Mbp at 50 % GC, ~1 MB
 * per Mbp at 66 % GC), plus 1 byte per base of the longest record while selecting.
 * The hot loop is a byte-class lookup, a 6-bit codon update and one codon-flag lookup per base.
 */
import { AppError } from './errors';
import { BASE_BYTE_CLASS, C_BOM, C_HEADER, C_NEWLINE, C_SKIP } from './fasta-byte-class';

// ---------------------------------------------------------------------------------------------
// Options

export type GeneticCode = 11 | 4;
export type OrfSelection = 'coding' | 'all';

export interface ProteinFeatureOptions {
  /** Shortest ORF kept, in codons (start codon included, stop codon excluded). @default 100 */
  minCodons?: number;
  /** NCBI translation table: 11 (bacteria, archaea) or 4 (Mycoplasma/Spiroplasma, UGA = Trp). @default 11 */
  geneticCode?: GeneticCode;
  /** 'coding': one ORF per locus, chosen by a self-trained codon model; 'all': every candidate ORF. @default 'coding' */
  selection?: OrfSelection;
  /** Also keep the features of each FASTA record on its own (`finishByRecord`). @default false */
  perRecord?: boolean;
}

export const PROTEIN_FEATURE_DEFAULTS = {
  minCodons: 100,
  geneticCode: 11,
  selection: 'coding',
  perRecord: false,
} satisfies Required<ProteinFeatureOptions>;

/** Merges options with the defaults and validates them once, at the entry point. */
export function resolveProteinFeatureOptions(options: ProteinFeatureOptions = {}): Required<ProteinFeatureOptions> {
  const o = { ...PROTEIN_FEATURE_DEFAULTS, ...options } as Required<ProteinFeatureOptions>;
  if (!Number.isInteger(o.minCodons) || o.minCodons < 2) {
    throw new AppError('BAD_OPTION', `proteinFeatures.minCodons must be an integer >= 2 (codons, start included), got ${String(o.minCodons)}`, 'the default is 100 codons');
  }
  if (o.geneticCode !== 11 && o.geneticCode !== 4) {
    throw new AppError('BAD_OPTION', `proteinFeatures.geneticCode must be 11 or 4, got ${String(o.geneticCode)}`, 'use 11 for bacteria and archaea, 4 for Mycoplasma and Spiroplasma');
  }
  if (o.selection !== 'coding' && o.selection !== 'all') {
    throw new AppError('BAD_OPTION', `proteinFeatures.selection must be 'coding' or 'all', got ${String(o.selection)}`);
  }
  if (typeof o.perRecord !== 'boolean') throw new AppError('BAD_OPTION', `proteinFeatures.perRecord must be true or false, got ${String(o.perRecord)}`);
  return o;
}

/** Largest overlap (bp) between a kept ORF and those kept before it. */
export const MAX_OVERLAP_BP = 60;
/** Most rounds of codon-model training and selection. */
export const MAX_MODEL_ROUNDS = 10;

// ---------------------------------------------------------------------------------------------
// Amino-acid tables

/** One-letter codes in the order of `aaCounts` and of the aa_* features. */
export const AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';
const AA = (ch: string) => AMINO_ACIDS.indexOf(ch);
const STOP = 20;

/** Per-residue property in AMINO_ACIDS order, from a letter → value map. */
function perResidue(values: Record<string, number>): Float64Array {
  const t = new Float64Array(20);
  for (let i = 0; i < 20; i++) {
    const v = values[AMINO_ACIDS[i]];
    if (v === undefined) throw new Error(`protein-features: no value for ${AMINO_ACIDS[i]}`);
    t[i] = v;
  }
  return t;
}

/** Kyte & Doolittle 1982, J Mol Biol 157:105, Table 2 (hydropathy index; GRAVY = mean). */
const KYTE_DOOLITTLE = perResidue({
  A: 1.8, R: -4.5, N: -3.5, D: -3.5, C: 2.5, Q: -3.5, E: -3.5, G: -0.4, H: -3.2, I: 4.5,
  L: 3.8, K: -3.9, M: 1.9, F: 2.8, P: -1.6, S: -0.8, T: -0.7, W: -0.9, Y: -1.3, V: 4.2,
});

/**
 * Side-chain atoms (the R group: the residue minus the Gly-like backbone, so C = nC(aa) − 2,
 * N = nN(aa) − 1; Pro's ring carbons count, its N is backbone). ARSC = atoms per residue side
 * chain: Baudouin-Cornu, Surdin-Kerjan, Marlière & Thomas 2001, Science 293:297; N-ARSC as a
 * nitrogen-limitation signal: Grzymski & Dussaq 2012, ISME J 6:71; Mende et al. 2017, Nat Microbiol
 * 2:1367.
 */
const SIDE_CHAIN_C = perResidue({
  A: 1, R: 4, N: 2, D: 2, C: 1, Q: 3, E: 3, G: 0, H: 4, I: 4, L: 4, K: 4, M: 3, F: 7, P: 3, S: 1, T: 2, W: 9, Y: 7, V: 3,
});
const SIDE_CHAIN_N = perResidue({
  A: 0, R: 3, N: 1, D: 0, C: 0, Q: 1, E: 0, G: 0, H: 2, I: 0, L: 0, K: 1, M: 0, F: 0, P: 0, S: 0, T: 0, W: 1, Y: 0, V: 0,
});
const SIDE_CHAIN_S = perResidue({
  A: 0, R: 0, N: 0, D: 0, C: 1, Q: 0, E: 0, G: 0, H: 0, I: 0, L: 0, K: 0, M: 1, F: 0, P: 0, S: 0, T: 0, W: 0, Y: 0, V: 0,
});

/**
 * Carbon oxidation state: Z_C = Σ Ztot / Σ nC over residues (Dick 2014, BMC Genomics 15:1028;
 * values as in the canprot R package, `Zc`; a residue has the same Ztot as its amino acid, since
 * H2O contributes 0). GenomeSPOT uses Z_C among its features.
 */
const CARBONS = perResidue({
  A: 3, C: 3, D: 4, E: 5, F: 9, G: 2, H: 6, I: 6, K: 6, L: 6, M: 5, N: 4, P: 5, Q: 5, R: 6, S: 3, T: 4, V: 5, W: 11, Y: 9,
});
const ZTOT = perResidue({
  A: 0, C: 2, D: 4, E: 2, F: -4, G: 2, H: 4, I: -6, K: -4, L: -6, M: -2, N: 4, P: -2, Q: 2, R: 2, S: 2, T: 0, V: -4, W: -2, Y: -2,
});

/**
 * Stoichiometric hydration state nH2O per residue in the QEC basis (glutamine, glutamic acid,
 * cysteine, H2O, O2): Dick, Yu & Tan 2020, Biogeosciences 17:6145 (canprot `nH2O`, basis "QEC";
 * amino-acid values − 1 for the residue). Lower in hypersaline proteomes; GenomeSPOT uses a
 * variant of it.
 */
const NH2O_QEC = perResidue({
  A: -0.4, C: -1, D: -1.2, E: -1, F: -3.2, G: -0.6, H: -2.8, I: 0.2, K: 0.2, L: 0.2,
  M: -0.6, N: -1.2, P: -1, Q: -1, R: -0.8, S: -0.4, T: -0.2, V: 0, W: -4.8, Y: -3.2,
});

/**
 * pK values for charge and isoelectric point: Bjellqvist et al. 1993, Electrophoresis 14:1023
 * (as used by canprot `pI`; side-chain values also those of Biopython's IsoelectricPoint).
 */
const PK_N_TERM = 7.5;
const PK_C_TERM = 3.55;
const PK_SIDE: Record<string, { pK: number; z: 1 | -1 }> = {
  D: { pK: 4.05, z: -1 },
  E: { pK: 4.45, z: -1 },
  C: { pK: 9.0, z: -1 },
  Y: { pK: 10.0, z: -1 },
  H: { pK: 5.98, z: 1 },
  K: { pK: 10.0, z: 1 },
  R: { pK: 12.0, z: 1 },
};
const IONIZABLE = Object.keys(PK_SIDE).map(AA);
const IONIZABLE_Z = Int8Array.from(Object.values(PK_SIDE).map((g) => g.z));
const IONIZABLE_KINV = Float64Array.from(Object.values(PK_SIDE).map((g) => 10 ** -g.pK));

/** Net charge of a group of `n` with charge sign z at pH with t = 10^pH (Henderson–Hasselbalch). */
function groupCharge(n: number, z: number, t: number, kInv: number): number {
  const a = t * kInv; // [base]/[acid] = 10^(pH − pK)
  return z > 0 ? n / (1 + a) : (-n * a) / (1 + a);
}

/** Side-chain net charge per residue at pH 7 of the given counts (termini left out). */
function sideChainChargeAt(counts: ArrayLike<number>, pH: number): number {
  const t = 10 ** pH;
  let z = 0;
  for (let g = 0; g < IONIZABLE.length; g++) z += groupCharge(counts[IONIZABLE[g]], IONIZABLE_Z[g], t, IONIZABLE_KINV[g]);
  return z;
}

/** Isoelectric point of one chain (side chains + one N- and one C-terminus), bisection to 1e-6. */
export function isoelectricPoint(counts: ArrayLike<number>): number {
  const nKinv = 10 ** -PK_N_TERM;
  const cKinv = 10 ** -PK_C_TERM;
  let lo = 0;
  let hi = 14;
  for (let it = 0; it < 24; it++) {
    const mid = (lo + hi) / 2;
    const t = 10 ** mid;
    let z = groupCharge(1, 1, t, nKinv) + groupCharge(1, -1, t, cKinv);
    for (let g = 0; g < IONIZABLE.length; g++) z += groupCharge(counts[IONIZABLE[g]], IONIZABLE_Z[g], t, IONIZABLE_KINV[g]);
    if (z > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------------------------------------
// Codon tables. Codon code = 16·b1 + 4·b2 + b3 with A=0 C=1 G=2 T=3 (the base order of the scan).

/** NCBI table 1/11 amino acids, codons in TCAG order (b1 slowest). */
const NCBI_TCAG = 'FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG';
const TCAG_POS = [2, 1, 3, 0]; // our base code → index in TCAG
const START_CODONS = ['ATG', 'GTG', 'TTG'];
const STOP_NAMES = ['TAA', 'TAG', 'TGA'] as const;

const F_STOP = 1;
const F_START = 2;
const R_STOP = 4;
const R_START = 8;

interface CodonTables {
  /** Flags of the codon read forward (F_*) and of its reverse complement (R_*). */
  flags: Uint8Array;
  /** Amino-acid index (0..19, 20 = stop) of a codon in its own strand's orientation. */
  aa: Uint8Array;
  /** 1 when the third base of a codon (own strand) is G or C. */
  gc3: Uint8Array;
  /** 1 for sense codons. */
  sense: Uint8Array;
  /** Reverse-complement code. */
  rc: Uint8Array;
  /** Stop kind (0 TAA, 1 TAG, 2 TGA) of the codon / of its reverse complement, −1 otherwise. */
  stopF: Int8Array;
  stopR: Int8Array;
}

const codonString = (code: number) => 'ACGT'[code >> 4] + 'ACGT'[(code >> 2) & 3] + 'ACGT'[code & 3];
const reverseComplementCode = (code: number) => ((3 - (code & 3)) << 4) | ((3 - ((code >> 2) & 3)) << 2) | (3 - (code >> 4));

/** Amino-acid letter of each codon code for a table ('*' = stop). */
export function codonTable(geneticCode: GeneticCode): string[] {
  const out: string[] = [];
  for (let code = 0; code < 64; code++) {
    const s = codonString(code);
    if (geneticCode === 4 && s === 'TGA') out.push('W');
    else out.push(NCBI_TCAG[TCAG_POS[code >> 4] * 16 + TCAG_POS[(code >> 2) & 3] * 4 + TCAG_POS[code & 3]]);
  }
  return out;
}

function buildCodonTables(geneticCode: GeneticCode): CodonTables {
  const letters = codonTable(geneticCode);
  const t: CodonTables = {
    flags: new Uint8Array(64),
    aa: new Uint8Array(64),
    gc3: new Uint8Array(64),
    sense: new Uint8Array(64),
    rc: new Uint8Array(64),
    stopF: new Int8Array(64).fill(-1),
    stopR: new Int8Array(64).fill(-1),
  };
  const isStop = (code: number) => letters[code] === '*';
  const isStart = (code: number) => START_CODONS.includes(codonString(code));
  const stopKind = (code: number) => STOP_NAMES.indexOf(codonString(code) as (typeof STOP_NAMES)[number]);
  for (let code = 0; code < 64; code++) {
    const rc = reverseComplementCode(code);
    t.rc[code] = rc;
    t.aa[code] = isStop(code) ? STOP : AA(letters[code]);
    t.sense[code] = isStop(code) ? 0 : 1;
    t.gc3[code] = (code & 3) === 1 || (code & 3) === 2 ? 1 : 0;
    if (isStop(code)) {
      t.flags[code] |= F_STOP;
      t.stopF[code] = stopKind(code);
    }
    if (isStop(rc)) {
      t.flags[code] |= R_STOP;
      t.stopR[code] = stopKind(rc);
    }
    if (isStart(code)) t.flags[code] |= F_START;
    if (isStart(rc)) t.flags[code] |= R_START;
  }
  return t;
}

const CODON_TABLES = new Map<GeneticCode, CodonTables>();
const codonTables = (g: GeneticCode) => CODON_TABLES.get(g) ?? CODON_TABLES.set(g, buildCodonTables(g)).get(g)!;

// ---------------------------------------------------------------------------------------------
// Results

/**
 * Feature vector order for models (`proteinFeatureVector`). Residue-weighted over all kept ORFs
 * (pooled composition), except pi_* (means over ORFs) and the ORF-level figures at the end.
 */
export const PROTEIN_FEATURE_NAMES = [
  // Amino-acid frequencies (20), the GenomeSPOT aa_* features.
  'aa_A', 'aa_C', 'aa_D', 'aa_E', 'aa_F', 'aa_G', 'aa_H', 'aa_I', 'aa_K', 'aa_L',
  'aa_M', 'aa_N', 'aa_P', 'aa_Q', 'aa_R', 'aa_S', 'aa_T', 'aa_V', 'aa_W', 'aa_Y',
  // Charge. Halophiles ("salt-in" strategy) have acidic proteomes: high D+E, low K (Lanyi 1974,
  // Bacteriol Rev 38:272; Kennedy et al. 2001, Genome Res 11:1641; Paul et al. 2008, Genome Biol 9:R70).
  'acidic_DE',
  'basic_KR',
  'charged_DEKR',
  'acid_base_ratio', // (D+E)/(K+R)
  // Thermophily. IVYWREL: Zeldovich, Berezovsky & Shakhnovich 2007, PLoS Comput Biol 3:e5.
  // CvP bias (D+E+K+R) − (N+Q+S+T): Suhre & Claverie 2003, J Biol Chem 278:17198.
  // (E+K)/(Q+H): Farias & Bonato 2003, Genet Mol Res 2:383.
  // Thermolabile N+Q (deamidation): Singer & Hickey 2003, Gene 317:39.
  'ivywrel',
  'cvp_bias',
  'ek_qh_ratio',
  'thermolabile_NQ',
  // Other groups.
  'aromatic_FWY',
  'sulfur_CM',
  'pro_gly_PG',
  // Physico-chemical means (GenomeSPOT: gravy, pi, zc, nh2o).
  'gravy', // Kyte & Doolittle 1982
  'net_charge_ph7', // side-chain charge per residue at pH 7 (Bjellqvist pKs)
  'pi_mean', // mean isoelectric point of the ORFs
  'pi_acidic_fraction', // ORFs with pI < 7 (Kiraga et al. 2007, BMC Genomics 8:163)
  'zc', // carbon oxidation state, Dick 2014
  'nh2o', // hydration state (QEC basis), Dick, Yu & Tan 2020
  // Elemental side-chain content: Baudouin-Cornu et al. 2001.
  'n_arsc',
  'c_arsc',
  's_arsc',
  // Codon-level figures.
  'gc3', // G+C at third codon positions of the ORFs
  'coding_density', // coding codons · 3 / ACGT bases
  'mean_orf_codons',
] as const;

export type ProteinFeatureName = (typeof PROTEIN_FEATURE_NAMES)[number];

/** Protein features a model can use: present and finite (a sequence too short for gene calling has none, or NaN). */
export function usableProtein(protein: ArrayLike<number> | null | undefined): protein is ArrayLike<number> {
  return !!protein && protein.length > 0 && Array.prototype.every.call(protein, (x: number) => Number.isFinite(x));
}

export interface ProteinFeatures {
  geneticCode: GeneticCode;
  minCodons: number;
  selection: OrfSelection;
  /** A, C, G, T/U bases scanned. */
  acgtBp: number;
  /** Candidate ORFs (six frames, ≥ minCodons) before selection. */
  candidates: number;
  /** Kept ORFs (both strands). */
  orfs: number;
  /** Kept ORFs that end at a cut (record end, N, IUPAC) instead of a stop codon. */
  openOrfs: number;
  /** Codons of the kept ORFs, start codon included, stop codon excluded. */
  codingCodons: number;
  /** Residues counted in `aaCounts` (= codingCodons − orfs: the initiator codon is left out). */
  residues: number;
  /** codingCodons · 3 / acgtBp (NaN without ACGT). */
  codingDensity: number;
  /** Rounds of codon-model training (0 for selection 'all'). */
  modelRounds: number;
  /** Stop codons that end the kept ORFs. */
  stopCodons: { TAA: number; TAG: number; TGA: number };
  /** Residue counts in AMINO_ACIDS order (20). */
  aaCounts: number[];
  /** aaCounts / residues (NaN when there are no residues). */
  aaFrequencies: number[];
  /** Residues whose codon has G or C at the third position. */
  gc3Count: number;
  /** All features by name; NaN when there are no residues. */
  features: Record<ProteinFeatureName, number>;
}

/** The features in PROTEIN_FEATURE_NAMES order, for models. */
export function proteinFeatureVector(result: Pick<ProteinFeatures, 'features'>): Float32Array {
  const v = new Float32Array(PROTEIN_FEATURE_NAMES.length);
  PROTEIN_FEATURE_NAMES.forEach((n, i) => (v[i] = result.features[n]));
  return v;
}

/** Running totals of one record or of the file. */
class Totals {
  acgtBp = 0;
  candidates = 0;
  orfs = 0;
  openOrfs = 0;
  codingCodons = 0;
  gc3 = 0;
  piSum = 0;
  piAcidic = 0;
  readonly aa = new Float64Array(20);
  readonly stops = new Float64Array(3);

  add(o: Totals): void {
    this.acgtBp += o.acgtBp;
    this.candidates += o.candidates;
    this.orfs += o.orfs;
    this.openOrfs += o.openOrfs;
    this.codingCodons += o.codingCodons;
    this.gc3 += o.gc3;
    this.piSum += o.piSum;
    this.piAcidic += o.piAcidic;
    for (let i = 0; i < 20; i++) this.aa[i] += o.aa[i];
    for (let i = 0; i < 3; i++) this.stops[i] += o.stops[i];
  }
}

function summarise(t: Totals, opts: Required<ProteinFeatureOptions>, modelRounds: number): ProteinFeatures {
  const aa = t.aa;
  let residues = 0;
  for (let i = 0; i < 20; i++) residues += aa[i];
  const f = (letters: string) => {
    let s = 0;
    for (const ch of letters) s += aa[AA(ch)];
    return s / residues;
  };
  const mean = (w: Float64Array) => {
    let s = 0;
    for (let i = 0; i < 20; i++) s += w[i] * aa[i];
    return s / residues;
  };
  let zTot = 0;
  let nC = 0;
  for (let i = 0; i < 20; i++) {
    zTot += ZTOT[i] * aa[i];
    nC += CARBONS[i] * aa[i];
  }
  const features = {} as Record<ProteinFeatureName, number>;
  for (let i = 0; i < 20; i++) features[`aa_${AMINO_ACIDS[i]}` as ProteinFeatureName] = aa[i] / residues;
  Object.assign(features, {
    acidic_DE: f('DE'),
    basic_KR: f('KR'),
    charged_DEKR: f('DEKR'),
    acid_base_ratio: f('DE') / f('KR'),
    ivywrel: f('IVYWREL'),
    cvp_bias: f('DEKR') - f('NQST'),
    ek_qh_ratio: f('EK') / f('QH'),
    thermolabile_NQ: f('NQ'),
    aromatic_FWY: f('FWY'),
    sulfur_CM: f('CM'),
    pro_gly_PG: f('PG'),
    gravy: mean(KYTE_DOOLITTLE),
    net_charge_ph7: sideChainChargeAt(aa, 7) / residues,
    pi_mean: t.piSum / t.orfs,
    pi_acidic_fraction: t.piAcidic / t.orfs,
    zc: zTot / nC,
    nh2o: mean(NH2O_QEC),
    n_arsc: mean(SIDE_CHAIN_N),
    c_arsc: mean(SIDE_CHAIN_C),
    s_arsc: mean(SIDE_CHAIN_S),
    gc3: t.gc3 / residues,
    coding_density: t.acgtBp > 0 ? (3 * t.codingCodons) / t.acgtBp : Number.NaN,
    mean_orf_codons: t.codingCodons / t.orfs,
  } satisfies Partial<Record<ProteinFeatureName, number>>);
  if (residues === 0) for (const n of PROTEIN_FEATURE_NAMES) if (n !== 'coding_density') features[n] = Number.NaN;
  return {
    geneticCode: opts.geneticCode,
    minCodons: opts.minCodons,
    selection: opts.selection,
    acgtBp: t.acgtBp,
    candidates: t.candidates,
    orfs: t.orfs,
    openOrfs: t.openOrfs,
    codingCodons: t.codingCodons,
    residues,
    codingDensity: features.coding_density,
    modelRounds,
    stopCodons: { TAA: t.stops[0], TAG: t.stops[1], TGA: t.stops[2] },
    aaCounts: Array.from(aa),
    aaFrequencies: Array.from(aa, (n) => n / residues),
    gc3Count: t.gc3,
    features,
  };
}

// ---------------------------------------------------------------------------------------------
// Candidate store and gene selection

/** Candidate ORFs of a file: where they are, and their codons (1 byte each, own strand, 5'→3'). */
class Candidates {
  n = 0;
  record = new Int32Array(1024);
  /** Lowest base of the ORF (record coordinates, sequence letters from 0): it spans [lo, lo + 3·codons). */
  lo = new Int32Array(1024);
  /** Codons, start included, stop excluded. */
  codons = new Int32Array(1024);
  /** +1 forward, −1 reverse. */
  strand = new Int8Array(1024);
  /** Stop kind that ends it (0 TAA, 1 TAG, 2 TGA), −1 for an open ORF. */
  stop = new Int8Array(1024);
  /** Offset of its first codon in `seq`. */
  offset = new Float64Array(1024);
  seq = new Uint8Array(1 << 16);
  seqLength = 0;

  /** Appends a candidate and returns the place for its codons (to fill 5'→3'). */
  add(record: number, lo: number, codons: number, strand: number, stop: number): Uint8Array {
    if (this.n === this.record.length) this.grow();
    const i = this.n++;
    this.record[i] = record;
    this.lo[i] = lo;
    this.codons[i] = codons;
    this.strand[i] = strand;
    this.stop[i] = stop;
    this.offset[i] = this.seqLength;
    if (this.seqLength + codons > this.seq.length) {
      const next = new Uint8Array(Math.max(this.seq.length * 2, this.seqLength + codons));
      next.set(this.seq.subarray(0, this.seqLength));
      this.seq = next;
    }
    const place = this.seq.subarray(this.seqLength, this.seqLength + codons);
    this.seqLength += codons;
    return place;
  }

  private grow(): void {
    const cap = this.record.length * 2;
    const g = <T extends Int32Array | Int8Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.record = g(this.record);
    this.lo = g(this.lo);
    this.codons = g(this.codons);
    this.strand = g(this.strand);
    this.stop = g(this.stop);
    this.offset = g(this.offset);
  }
}

/**
 * Greedy pick of non-overlapping ORFs. Candidates with key > 0 are visited by record, then key
 * (high first), then position and strand (forward first). One that overlaps the ORFs kept before it
 * by ≤ MAX_OVERLAP_BP bases is kept whole. Otherwise its start moves to the first later in-frame
 * start codon (ATG, GTG, TTG) that brings the overlap to ≤ MAX_OVERLAP_BP, if ≥ minCodons remain
 * (and, with weights, the residues after it still score > 0): the longest-ORF start often lies
 * inside the upstream gene. Returns the kept start (codon index) of each candidate, −1 if dropped.
 */
function pickGenes(c: Candidates, key: Float64Array, w: Float64Array | null, minCodons: number, recordLengths: number[], t: CodonTables): Int32Array {
  const idx: number[] = [];
  for (let i = 0; i < c.n; i++) if (key[i] > 0) idx.push(i);
  idx.sort((a, b) => c.record[a] - c.record[b] || key[b] - key[a] || c.lo[a] - c.lo[b] || c.strand[b] - c.strand[a]);
  const start = new Int32Array(c.n).fill(-1);
  const seq = c.seq;
  let cover = new Uint8Array(0);
  let rec = -1;
  for (const i of idx) {
    if (c.record[i] !== rec) {
      rec = c.record[i];
      const len = recordLengths[rec];
      if (cover.length < len) cover = new Uint8Array(len);
      else cover.fill(0, 0, len);
    }
    const n = c.codons[i];
    const lo = c.lo[i];
    const hi = lo + 3 * n;
    const forward = c.strand[i] > 0;
    // covered bases from the 3' end back: j ends at the last codon (5'→3' index) that cannot be
    // kept, −1 when the whole ORF overlaps by ≤ MAX_OVERLAP_BP. Codon j covers [lo + 3j, lo + 3j + 3)
    // forward, [hi − 3j − 3, hi − 3j) reverse.
    let overlap = 0;
    let j = n - 1;
    for (; j >= 0; j--) {
      const p = forward ? lo + 3 * j : hi - 3 * j - 3;
      overlap += cover[p] + cover[p + 1] + cover[p + 2];
      if (overlap > MAX_OVERLAP_BP) break;
    }
    let s = 0;
    if (j >= 0) {
      // trim the 5' end: the first start codon after codon j, with ≥ minCodons left
      if (n - (j + 1) < minCodons) continue;
      const o = c.offset[i];
      let score = key[i];
      s = -1;
      for (let k = 1; n - k >= minCodons; k++) {
        if (w) score -= w[seq[o + k]];
        if (k <= j || (t.flags[seq[o + k]] & F_START) === 0) continue;
        if (!w || score > 0) s = k;
        break;
      }
      if (s < 0) continue;
    }
    start[i] = s;
    if (c.strand[i] > 0) cover.fill(1, lo + 3 * s, hi);
    else cover.fill(1, lo, hi - 3 * s);
  }
  return start;
}

/** ln(P/Q) per sense codon: P from the kept ORFs' residues (+1 pseudocount), Q from base composition. */
function codonWeights(c: Candidates, start: Int32Array, gcFraction: number, t: CodonTables): Float64Array {
  const n = new Float64Array(64);
  const seq = c.seq;
  for (let i = 0; i < c.n; i++) {
    if (start[i] < 0) continue;
    const o = c.offset[i];
    for (let j = o + start[i] + 1, end = o + c.codons[i]; j < end; j++) n[seq[j]]++;
  }
  const base = [(1 - gcFraction) / 2, gcFraction / 2, gcFraction / 2, (1 - gcFraction) / 2];
  const q = new Float64Array(64);
  let total = 0;
  let qSum = 0;
  let senseCodons = 0;
  for (let k = 0; k < 64; k++) {
    if (!t.sense[k]) continue;
    q[k] = base[k >> 4] * base[(k >> 2) & 3] * base[k & 3];
    qSum += q[k];
    total += n[k];
    senseCodons++;
  }
  const w = new Float64Array(64);
  for (let k = 0; k < 64; k++) {
    if (t.sense[k]) w[k] = Math.log((n[k] + 1) / (total + senseCodons) / (q[k] / qSum));
  }
  return w;
}

/** Kept start of each candidate (−1 = dropped) after codon-model selection, and the rounds used. */
function selectGenes(c: Candidates, minCodons: number, recordLengths: number[], gcFraction: number, t: CodonTables): { start: Int32Array; rounds: number } {
  const key = new Float64Array(c.n);
  for (let i = 0; i < c.n; i++) key[i] = c.codons[i];
  let start = pickGenes(c, key, null, minCodons, recordLengths, t);
  let rounds = 0;
  while (rounds < MAX_MODEL_ROUNDS) {
    rounds++;
    const w = codonWeights(c, start, gcFraction, t);
    const seq = c.seq;
    for (let i = 0; i < c.n; i++) {
      const o = c.offset[i];
      let s = 0;
      for (let j = o + 1, end = o + c.codons[i]; j < end; j++) s += w[seq[j]];
      key[i] = s;
    }
    const next = pickGenes(c, key, w, minCodons, recordLengths, t);
    let same = true;
    for (let i = 0; i < c.n && same; i++) same = next[i] === start[i];
    start = next;
    if (same) break;
  }
  return { start, rounds };
}

// ---------------------------------------------------------------------------------------------
// Scanner

const INITIAL_BUFFER_CODONS = 1 << 12;

/**
 * Streaming six-frame ORF scanner over decompressed FASTA bytes. Push the chunks the k-mer
 * profiler sees, in order, then call `finish()` (and `finishByRecord()` with perRecord).
 */
export class ProteinFeatureScanner {
  private readonly opts: Required<ProteinFeatureOptions>;
  private readonly t: CodonTables;
  private readonly minCodons: number;

  // byte-level state
  private code = 0;
  private run = 0; // ACGT bases since the last cut
  private phase = 0; // run mod 3
  private pos = 0; // sequence letters of the current record
  private inHeader = false;
  private lineStart = true;
  private record = 0; // headers seen (record n = the n-th header; 0 = before any header)
  private gcBp = 0;
  private readonly recordAcgt: number[] = [];
  private readonly recordLengths: number[] = [];
  private acgtInRecord = 0;

  // per frame (= phase of the codon's last base), forward strand: from the first start codon
  private readonly fIn = new Uint8Array(3);
  private readonly fLen = new Int32Array(3);
  private readonly fLo = new Int32Array(3);
  private readonly fBuf: Uint8Array[] = [0, 1, 2].map(() => new Uint8Array(INITIAL_BUFFER_CODONS));
  // reverse strand: codons since the last reverse stop (forward orientation)
  private readonly rLen = new Int32Array(3);
  private readonly rLo = new Int32Array(3);
  private readonly rLastStart = new Int32Array(3); // buffer length just after the last reverse start codon (0 = none)
  private readonly rStop = new Int8Array(3).fill(-1); // stop kind that began the stretch (the ORF's end), −1 = a cut
  private readonly rBuf: Uint8Array[] = [0, 1, 2].map(() => new Uint8Array(INITIAL_BUFFER_CODONS));

  private readonly candidates = new Candidates();
  private finished = false;
  private result: { file: ProteinFeatures; records: ProteinFeatures[] } | null = null;

  constructor(options: ProteinFeatureOptions = {}) {
    this.opts = resolveProteinFeatureOptions(options);
    this.t = codonTables(this.opts.geneticCode);
    this.minCodons = this.opts.minCodons;
  }

  push(chunk: Uint8Array): void {
    if (this.finished) throw new Error('ProteinFeatureScanner: push() after finish()');
    const n = chunk.length;
    const CL = BASE_BYTE_CLASS;
    const flags = this.t.flags;
    const fIn = this.fIn;
    const fLen = this.fLen;
    const fBuf = this.fBuf;
    const rLen = this.rLen;
    const rBuf = this.rBuf;
    const rLastStart = this.rLastStart;
    let code = this.code;
    let run = this.run;
    let phase = this.phase;
    let pos = this.pos;
    let lineStart = this.lineStart;
    let acgt = 0;
    let gc = 0;
    let i = 0;
    if (this.inHeader) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.inHeader = false;
      lineStart = true;
      i = nl + 1;
    }
    for (; i < n; i++) {
      const c = CL[chunk[i]];
      if (c < 4) {
        code = ((code << 2) | c) & 63;
        lineStart = false;
        acgt++;
        gc += (c ^ (c >> 1)) & 1; // C = 1, G = 2
        pos++;
        const p = phase;
        phase = p === 2 ? 0 : p + 1;
        if (++run < 3) continue;
        const fl = flags[code];
        // forward strand: from the first start to a stop
        if (fIn[p] !== 0) {
          if ((fl & F_STOP) !== 0) {
            if (fLen[p] >= this.minCodons) this.addForward(p, this.t.stopF[code]);
            fIn[p] = 0;
            fLen[p] = 0;
          } else {
            const len = fLen[p];
            const buf = len < fBuf[p].length ? fBuf[p] : this.grow(fBuf, p);
            buf[len] = code;
            fLen[p] = len + 1;
          }
        } else if ((fl & F_START) !== 0) {
          fIn[p] = 1;
          fBuf[p][0] = code;
          fLen[p] = 1;
          this.fLo[p] = pos - 3;
        }
        // reverse strand: stop … start, read right to left
        if ((fl & R_STOP) !== 0) {
          if (rLastStart[p] >= this.minCodons) this.addReverse(p);
          rLen[p] = 0;
          rLastStart[p] = 0;
          this.rStop[p] = this.t.stopR[code];
        } else {
          const len = rLen[p];
          const buf = len < rBuf[p].length ? rBuf[p] : this.grow(rBuf, p);
          buf[len] = code;
          rLen[p] = len + 1;
          if (len === 0) this.rLo[p] = pos - 3;
          if ((fl & R_START) !== 0) rLastStart[p] = len + 1;
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
            this.cut();
            run = 0;
            phase = 0;
            if (chunk[i] === 62) {
              this.acgtInRecord += acgt;
              this.gcBp += gc;
              acgt = 0;
              gc = 0;
              this.pos = pos;
              this.endRecord();
              pos = 0;
            }
            const nl = chunk.indexOf(10, i + 1);
            if (nl < 0) {
              this.inHeader = true;
              i = n;
              break;
            }
            i = nl; // the newline itself: the next line starts
            lineStart = true;
            break;
          }
        // '>' or ';' inside a line is not sequence: it cuts (falls through)
        case C_BOM:
          if (c === C_BOM && lineStart && this.record === 0 && pos === 0) break; // a byte-order mark before the first header
        // falls through
        default:
          pos++;
          if (run > 0) {
            this.cut();
            run = 0;
            phase = 0;
          }
          lineStart = false;
      }
    }
    this.acgtInRecord += acgt;
    this.gcBp += gc;
    this.code = code;
    this.run = run;
    this.phase = phase;
    this.pos = pos;
    this.lineStart = lineStart;
  }

  private grow(bufs: Uint8Array[], p: number): Uint8Array {
    const old = bufs[p];
    const next = new Uint8Array(old.length * 2);
    next.set(old);
    bufs[p] = next;
    return next;
  }

  /** A cut (N, IUPAC, header, end): every stretch ends here; open ORFs that are long enough count. */
  private cut(): void {
    for (let p = 0; p < 3; p++) {
      if (this.fIn[p] !== 0 && this.fLen[p] >= this.minCodons) this.addForward(p, -1);
      this.fIn[p] = 0;
      this.fLen[p] = 0;
      if (this.rLastStart[p] >= this.minCodons) this.addReverse(p);
      this.rLen[p] = 0;
      this.rLastStart[p] = 0;
      this.rStop[p] = -1;
    }
  }

  /** Forward ORF = fBuf[p][0 .. fLen): the start codon, then the residues. */
  private addForward(p: number, stop: number): void {
    const len = this.fLen[p];
    this.candidates.add(this.record, this.fLo[p], len, 1, stop).set(this.fBuf[p].subarray(0, len));
  }

  /** Reverse ORF = rBuf[p][0 .. rLastStart), stop side first: stored reverse-complemented, start first. */
  private addReverse(p: number): void {
    const len = this.rLastStart[p];
    const buf = this.rBuf[p];
    const rc = this.t.rc;
    const place = this.candidates.add(this.record, this.rLo[p], len, -1, this.rStop[p]);
    for (let j = 0; j < len; j++) place[j] = rc[buf[len - 1 - j]];
  }

  /** Closes the current record (its stretches were cut already). */
  private endRecord(): void {
    this.recordAcgt[this.record] = this.acgtInRecord;
    this.recordLengths[this.record] = this.pos;
    this.acgtInRecord = 0;
    this.pos = 0;
    this.record++;
  }

  private close(): { file: ProteinFeatures; records: ProteinFeatures[] } {
    if (this.result) return this.result;
    this.finished = true;
    this.cut();
    this.endRecord();
    const c = this.candidates;
    const t = this.t;
    const records = this.recordAcgt.map((acgtBp) => Object.assign(new Totals(), { acgtBp }));
    for (let i = 0; i < c.n; i++) records[c.record[i]].candidates++;
    const acgtBp = this.recordAcgt.reduce((a, b) => a + b, 0);
    let start: Int32Array;
    let rounds = 0;
    if (this.opts.selection === 'coding' && c.n > 0) ({ start, rounds } = selectGenes(c, this.minCodons, this.recordLengths, this.gcBp / acgtBp, t));
    else start = new Int32Array(c.n);
    const aa = new Float64Array(20);
    for (let i = 0; i < c.n; i++) {
      if (start[i] < 0) continue;
      const r = records[c.record[i]];
      aa.fill(0);
      let gc3 = 0;
      for (let j = c.offset[i] + start[i] + 1, end = c.offset[i] + c.codons[i]; j < end; j++) {
        const k = c.seq[j];
        aa[t.aa[k]]++;
        gc3 += t.gc3[k];
      }
      r.orfs++;
      r.codingCodons += c.codons[i] - start[i];
      r.gc3 += gc3;
      if (c.stop[i] >= 0) r.stops[c.stop[i]]++;
      else r.openOrfs++;
      for (let k = 0; k < 20; k++) r.aa[k] += aa[k];
      const pi = isoelectricPoint(aa);
      r.piSum += pi;
      if (pi < 7) r.piAcidic++;
    }
    const file = new Totals();
    for (const r of records) file.add(r);
    this.result = {
      file: summarise(file, this.opts, rounds),
      records: this.opts.perRecord ? records.slice(1).map((r) => summarise(r, this.opts, rounds)) : [],
    };
    return this.result;
  }

  /** Ends the input and returns the features of the whole file. */
  finish(): ProteinFeatures {
    return this.close().file;
  }

  /**
   * The features of each FASTA record on its own, in header order (index i = the (i+1)-th
   * header), every record included; ORFs are those selected for the whole file. Needs perRecord;
   * call after the last push (it ends the scan).
   */
  finishByRecord(): ProteinFeatures[] {
    if (!this.opts.perRecord) throw new Error('ProteinFeatureScanner: finishByRecord() needs perRecord: true');
    return this.close().records;
  }
}

/** Scans a whole decompressed FASTA (bytes or a stream of chunks). */
export async function scanProteinFeatures(
  input: Uint8Array | AsyncIterable<Uint8Array>,
  options: ProteinFeatureOptions = {},
): Promise<ProteinFeatures> {
  const scanner = new ProteinFeatureScanner(options);
  if (input instanceof Uint8Array) scanner.push(input);
  else for await (const chunk of input) scanner.push(chunk);
  return scanner.finish();
}
