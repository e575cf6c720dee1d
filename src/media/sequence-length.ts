/**
 * How much sequence a query has, and what the media ranking is worth at that length. The figures
 * are measured by bench/ts/media-completeness.ts (the 76 reference genomes with known media, each
 * cut to one contig of the length, ranked leave-genus-out; the README's table), so a user who
 * brings a fragment is told what to expect instead of getting a ranking that looks as sure as a
 * genome's. Pure: the DB worker and the CLI both call it.
 */

/** Below this many A/C/G/T bases the ranking says it rests on a fragment. */
export const SHORT_SEQUENCE_BP = 100_000;

/** Leave-genus-out top-10 hit rate (%) of one contig of each length (media-completeness.ts, 2026-12-03), longest first. */
export const FRAGMENT_TOP10: readonly { bp: number; top10Pct: number }[] = [
  { bp: 100_000, top10Pct: 64.5 },
  { bp: 10_000, top10Pct: 53.9 },
  { bp: 3_000, top10Pct: 50.0 },
  { bp: 1_000, top10Pct: 35.5 },
];

/** Rule 16 (shortQueryRule): below this many bases a query is ranked without its composition (the shortest measured length that beat the most popular media). */
export const COMPOSITION_FLOOR_BP = 3_000;

/** The same run: each genome's 16S rRNA region (515F–1390R, about 890 bp) alone, leave-genus-out and with the genus one BacDive knows. */
export const SSU_ONLY_TOP10 = { leaveGenusOutPct: 68.4, genusInBacdivePct: 82.9 } as const;

/** The same run: complete genomes, and the most popular media of the domain (eval media's baseline). */
export const COMPLETE_TOP10_PCT = 71.1;
export const POPULAR_TOP10_PCT = 38.2;

/** A/C/G/T bases of a profile's counts (the two canonical 1-mers, A|T and C|G, come first). */
export function acgtBasesOf(counts: ArrayLike<number>): number {
  return (counts[0] ?? 0) + (counts[1] ?? 0);
}

/** A length in prose: round ones as said ("10 kbp", "3 kbp"), others to 0.1 kbp below 10 kbp; tables use ui/format.ts formatBp ("10.0 kbp"). */
const kb = (bp: number) => (bp >= 10_000 || (bp >= 1000 && bp % 1000 === 0) ? `${Math.round(bp / 1000)} kbp` : bp >= 1000 ? `${(bp / 1000).toFixed(1)} kbp` : `${bp} bp`);

/**
 * What to tell the user of a query with `bp` A/C/G/T bases, or null from SHORT_SEQUENCE_BP up.
 * Below the shortest measured length that beat the most popular media it says so; a query under
 * 10 kbp with a 16S rRNA region is told what 16S regions alone gave instead.
 */
export function shortSequenceNote(bp: number, hasSsuRegion = false): string | null {
  if (bp >= SHORT_SEQUENCE_BP) return null;
  if (hasSsuRegion && bp < FRAGMENT_TOP10[1].bp) {
    return `only ${kb(bp)} of sequence (A, C, G, T), with a 16S rRNA region, which names its nearest genera. The 76 reference genomes' 16S regions alone (most of them bacteria on widely used media) gave a leave-genus-out top-10 hit rate of ${SSU_ONLY_TOP10.leaveGenusOutPct.toFixed(1)} %, and ${SSU_ONLY_TOP10.genusInBacdivePct.toFixed(1)} % where the genus is one BacDive knows (complete genomes ${COMPLETE_TOP10_PCT.toFixed(1)} %); the predicted conditions of so short a sequence mean little: give the ones you know`;
  }
  const curve = FRAGMENT_TOP10.map((f) => `${kb(f.bp)} ${f.top10Pct.toFixed(1)} %`).join(', ');
  const floor = FRAGMENT_TOP10.filter((f) => f.top10Pct > POPULAR_TOP10_PCT).at(-1)!;
  const worse = FRAGMENT_TOP10.find((f) => f.top10Pct <= POPULAR_TOP10_PCT);
  const verdict =
    bp < floor.bp && worse
      ? `a fragment this short ranked no better than the most popular media (${kb(worse.bp)}: ${worse.top10Pct.toFixed(1)} % against ${POPULAR_TOP10_PCT.toFixed(1)} %), so treat the ranking as a guess and give the whole genome if you have it`
      : 'the ranking of a fragment is less sure than that of a genome: give the whole genome, or more of it, if you have it';
  return `only ${kb(bp)} of sequence (A, C, G, T): ${verdict}. Leave-genus-out top-10 hit rate of one contig cut from each reference genome: ${curve}; complete genomes ${COMPLETE_TOP10_PCT.toFixed(1)} %`;
}

/** What `generate` tells the user of a query below SHORT_SEQUENCE_BP: its recipes follow conditions predicted from little sequence. Null from SHORT_SEQUENCE_BP up. */
export function shortSequenceRecipeNote(bp: number): string | null {
  if (bp >= SHORT_SEQUENCE_BP) return null;
  return `only ${kb(bp)} of sequence (A, C, G, T): the growth conditions the recipes are generated for are predicted from it and less sure than a genome's${bp < COMPOSITION_FLOOR_BP ? ' (below 3 kbp they mean little)' : ''}; give the conditions you know (--temperature, --salinity, --ph, --anaerobic or --aerobic)`;
}
