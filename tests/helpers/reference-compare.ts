/** Compares a profile with the naive reference (reference-kmers.ts) and lists what differs. */
import { FEATURE_KMERS } from '../../src/core/kmer-layout';
import type { GenomeProfile } from '../../src/core/profile-types';
import { countCanonicalNaive, naiveStats, parseFastaNaive } from './reference-kmers';

/** Empty when the profile's counts and figures equal the naive reference on these bytes (gzip or not). */
export function referenceMismatches(profile: GenomeProfile, bytes: Uint8Array): string[] {
  const records = parseFastaNaive(bytes);
  const ref = countCanonicalNaive(records);
  const out: string[] = [];
  FEATURE_KMERS.forEach((kmer, i) => {
    const want = ref.get(kmer) ?? 0;
    if (profile.counts[i] !== want) out.push(`${kmer}: got ${profile.counts[i]}, want ${want}`);
  });
  const s = naiveStats(records);
  const figures: [string, number, number][] = [
    ['records', profile.records, records.length],
    ['lengthBp', profile.lengthBp, s.length],
    ['acgtBp', profile.acgtBp, s.acgt],
    ['gcBp', profile.gcBp, s.gc],
    ['nBp', profile.nBp, s.n],
    ['otherBp', profile.otherBp, s.other],
  ];
  for (const [what, got, want] of figures) if (got !== want) out.push(`${what}: got ${got}, want ${want}`);
  return out;
}
