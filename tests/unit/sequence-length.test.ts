/** What a query's length says about its ranking (sequence-length.ts): the bases from real profiles, the note's thresholds. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { acgtBasesOf, COMPLETE_TOP10_PCT, FRAGMENT_TOP10, POPULAR_TOP10_PCT, SHORT_SEQUENCE_BP, shortSequenceNote, shortSequenceRecipeNote, SSU_ONLY_TOP10 } from '../../src/media/sequence-length';
import { fixture } from '../helpers/data';

describe('sequence length of a query', () => {
  it("acgtBasesOf reads the profiler's own A/C/G/T count from the 1-mers", async () => {
    for (const name of ['lowercase-n.fa.gz', 'iupac-u-gaps.fa', 'mycoplasma-genitalium-g37.fa.gz', 'short-records.fa']) {
      const p = await profileSource(bytesSource(name, new Uint8Array(readFileSync(fixture(name)))));
      expect(p.acgtBp, name).toBeGreaterThan(0);
      expect(acgtBasesOf(p.counts), name).toBe(p.acgtBp);
    }
  });

  it('a genome gets no note; a fragment gets the measured curve, and below the last length that beat the popular media, a warning', () => {
    expect(shortSequenceNote(SHORT_SEQUENCE_BP)).toBeNull();
    expect(shortSequenceNote(5_000_000)).toBeNull();
    const mid = shortSequenceNote(SHORT_SEQUENCE_BP - 1)!;
    expect(mid).toMatch(/^only 100 kbp of sequence .*less sure than that of a genome/);
    expect(shortSequenceNote(12_345)).toMatch(/^only 12 kbp of sequence/);
    expect(shortSequenceNote(3000)).toMatch(/^only 3 kbp of sequence .*less sure/);
    const low = shortSequenceNote(2999)!;
    expect(low).toMatch(/^only 3\.0 kbp of sequence .*no better than the most popular media \(1 kbp: 35\.5 % against 38\.2 %\)/);
    expect(shortSequenceNote(12)).toMatch(/^only 12 bp of sequence .*no better than the most popular media/);
    // A short query with a 16S region is told what 16S regions alone gave (they beat the popular media); from 10 kbp the curve again.
    expect(shortSequenceNote(900, true)).toMatch(/^only 900 bp of sequence \(A, C, G, T\), with a 16S rRNA region, .* leave-genus-out top-10 hit rate of 68\.4 %, and 82\.9 % where the genus is one BacDive knows/);
    expect(shortSequenceNote(9_999, true)).toMatch(/with a 16S rRNA region/);
    expect(shortSequenceNote(10_000, true)).toMatch(/^only 10 kbp of sequence \(A, C, G, T\): the ranking of a fragment is less sure/);
    expect(shortSequenceNote(SHORT_SEQUENCE_BP, true)).toBeNull();
    expect(SSU_ONLY_TOP10.leaveGenusOutPct).toBeGreaterThan(POPULAR_TOP10_PCT);
    // generate's note: the conditions, not the ranking.
    expect(shortSequenceRecipeNote(SHORT_SEQUENCE_BP)).toBeNull();
    expect(shortSequenceRecipeNote(50_000)).toMatch(/^only 50 kbp of sequence \(A, C, G, T\): the growth conditions the recipes are generated for are predicted from it and less sure than a genome's; give/);
    expect(shortSequenceRecipeNote(2_999)).toMatch(/\(below 3 kbp they mean little\)/);
    // The curve falls with length, and its end sits below the popular baseline (what the warning rests on).
    for (let i = 1; i < FRAGMENT_TOP10.length; i++) {
      expect(FRAGMENT_TOP10[i].bp).toBeLessThan(FRAGMENT_TOP10[i - 1].bp);
      expect(FRAGMENT_TOP10[i].top10Pct).toBeLessThan(FRAGMENT_TOP10[i - 1].top10Pct);
    }
    expect(FRAGMENT_TOP10.at(-1)!.top10Pct).toBeLessThanOrEqual(POPULAR_TOP10_PCT);
    expect(FRAGMENT_TOP10[0].top10Pct).toBeLessThan(COMPLETE_TOP10_PCT);
    expect(FRAGMENT_TOP10[0].bp).toBe(SHORT_SEQUENCE_BP);
  });
});
