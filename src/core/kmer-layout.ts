/**
 * THE feature-vector layout, defined once and used everywhere (core, CLI, DB blobs, models).
 *
 * - Bases are coded A=0, C=1, G=2, T=3, so the numeric code of a k-mer (2 bits per base,
 *   first base most significant) sorts exactly like the k-mer string.
 * - A canonical k-mer is the lexicographically smaller of a k-mer and its reverse complement.
 * - The vector holds k = 1..6 in ascending order; inside each k, the canonical k-mers in
 *   lexicographic order: [A, C | AA, AC, AG, AT, CA, CC, CG, GA, GC, TA | AAA, ... ].
 * - Sizes per k: 2, 10, 32, 136, 512, 2080 (total 2772).
 */
export const K_MIN = 1;
export const K_MAX = 6;
export const KS = [1, 2, 3, 4, 5, 6] as const;
/** Bump when the layout changes; stored with every profile blob. */
export const LAYOUT_VERSION = 1;
export const LAYOUT_NAME = 'canonical-k1-6-lex';

const BASES = 'ACGT';

export function decodeKmer(code: number, k: number): string {
  let s = '';
  for (let i = k - 1; i >= 0; i--) s += BASES[(code >> (2 * i)) & 3];
  return s;
}

export function encodeKmer(kmer: string): number {
  let code = 0;
  for (const ch of kmer) {
    const v = BASES.indexOf(ch.toUpperCase());
    if (v < 0) throw new Error(`Not an ACGT k-mer: ${kmer}`);
    code = (code << 2) | v;
  }
  return code;
}

export function reverseComplementCode(code: number, k: number): number {
  let rc = 0;
  for (let i = 0; i < k; i++) {
    rc = (rc << 2) | (3 - (code & 3));
    code >>= 2;
  }
  return rc;
}

/** Number of canonical k-mers of length k. */
export function canonicalCount(k: number): number {
  const n = 4 ** k;
  return k % 2 === 1 ? n / 2 : (n + 4 ** (k / 2)) / 2;
}

/** Offset of each k's block in the feature vector, indexed by k (index 0 unused). */
export const K_OFFSETS: readonly number[] = (() => {
  const off = [0];
  let acc = 0;
  for (const k of KS) {
    off[k] = acc;
    acc += canonicalCount(k);
  }
  return off;
})();

export const FEATURE_COUNT = KS.reduce((a, k) => a + canonicalCount(k), 0); // 2772

/**
 * For each k, a table mapping every (non-canonical) k-mer code to its feature index
 * (offset of k included). Index 0 of the outer array is unused.
 */
export const CODE_TO_FEATURE: readonly Int32Array[] = (() => {
  const tables: Int32Array[] = [new Int32Array(0)];
  for (const k of KS) {
    const n = 4 ** k;
    const table = new Int32Array(n);
    let rank = 0;
    const rankOf = new Int32Array(n).fill(-1);
    for (let c = 0; c < n; c++) {
      if (c <= reverseComplementCode(c, k)) rankOf[c] = rank++;
    }
    for (let c = 0; c < n; c++) {
      const canon = Math.min(c, reverseComplementCode(c, k));
      table[c] = K_OFFSETS[k] + rankOf[canon];
    }
    tables[k] = table;
  }
  return tables;
})();

/** The k-mer string of every feature, in layout order (length FEATURE_COUNT). */
export const FEATURE_KMERS: readonly string[] = (() => {
  const out: string[] = [];
  for (const k of KS) {
    for (let c = 0; c < 4 ** k; c++) if (c <= reverseComplementCode(c, k)) out.push(decodeKmer(c, k));
  }
  return out;
})();

/** The k of every feature, in layout order. */
export const FEATURE_K: Uint8Array = Uint8Array.from(FEATURE_KMERS, (s) => s.length);

/** Feature index of a canonical (or non-canonical) k-mer string. */
export function featureIndex(kmer: string): number {
  return CODE_TO_FEATURE[kmer.length][encodeKmer(kmer)];
}

/** The slice of a feature vector holding one k. */
export function sliceK<T extends Float64Array | Float32Array>(v: T, k: number): T {
  return v.subarray(K_OFFSETS[k], K_OFFSETS[k] + canonicalCount(k)) as T;
}
