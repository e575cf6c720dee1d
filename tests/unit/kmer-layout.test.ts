import { describe, expect, it } from 'vitest';
import {
  CODE_TO_FEATURE,
  FEATURE_COUNT,
  FEATURE_K,
  FEATURE_KMERS,
  K_OFFSETS,
  canonicalCount,
  featureIndex,
  reverseComplementCode,
  encodeKmer,
} from '../../src/core/kmer-layout';
import { allCanonicalKmers, reverseComplement } from '../helpers/reference-kmers';

describe('feature-vector layout', () => {
  it('has 2 + 10 + 32 + 136 + 512 + 2080 = 2772 canonical k-mers', () => {
    expect([1, 2, 3, 4, 5, 6].map(canonicalCount)).toEqual([2, 10, 32, 136, 512, 2080]);
    expect(FEATURE_COUNT).toBe(2772);
    expect(FEATURE_KMERS).toHaveLength(2772);
  });

  it('orders k ascending, then k-mers lexicographically (matches an independent enumeration)', () => {
    const expected = [1, 2, 3, 4, 5, 6].flatMap((k) => allCanonicalKmers(k));
    expect(FEATURE_KMERS).toEqual(expected);
    expect(FEATURE_KMERS.slice(0, 12)).toEqual(['A', 'C', 'AA', 'AC', 'AG', 'AT', 'CA', 'CC', 'CG', 'GA', 'GC', 'TA']);
    for (let i = 0; i < FEATURE_COUNT; i++) expect(FEATURE_K[i]).toBe(FEATURE_KMERS[i].length);
    expect(K_OFFSETS.slice(1)).toEqual([0, 2, 12, 44, 180, 692]);
  });

  it('maps a k-mer and its reverse complement to the same feature', () => {
    for (const kmer of ['A', 'T', 'GATTAC', 'GTAATC', 'ACGT', 'TTTTT', 'CCG']) {
      const i = featureIndex(kmer);
      expect(featureIndex(reverseComplement(kmer))).toBe(i);
      const canon = kmer < reverseComplement(kmer) ? kmer : reverseComplement(kmer);
      expect(FEATURE_KMERS[i]).toBe(canon);
    }
    for (let k = 1; k <= 6; k++) {
      for (let c = 0; c < 4 ** k; c++) expect(CODE_TO_FEATURE[k][c]).toBe(CODE_TO_FEATURE[k][reverseComplementCode(c, k)]);
    }
    expect(encodeKmer('TTT')).toBe(63);
  });
});
