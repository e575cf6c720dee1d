/**
 * Builds the 16S reference (ssu-reference.ts) from a FASTA of 16S genes whose titles name the
 * organism, e.g. SILVA SSU Ref 93 dumped from Debian's ncbi-rrna-data:
 *   blastdbcmd -db /usr/share/ncbi/data/SSURef_93.fasta -entry all > ssu.fasta
 * Pure (text in, TSV out); the CLI command `mediaforge db ssu-reference` wraps it.
 *
 * Rules
 * - Titles: `gb|ACCESSION| Genus epithet …`. Uncultured, unidentified, "sp." and Candidatus
 *   entries are skipped: a reference must name a species.
 * - Names follow BacDive: a title's species is matched to the BacDive species (strains.tsv) by the
 *   linking rules of the growth database (synonyms, the 2020 Lactobacillus split: "Lactobacillus
 *   plantarum" is filed under Lactiplantibacillus); otherwise its genus (or a synonym) must be a
 *   BacDive genus. Entries of genera without BacDive strains are dropped (they could name no media).
 * - The 515F–1390R region is cut by the profiler's own rRNA scanner; sequences without both
 *   primer sites are dropped.
 * - Per genus, up to `PER_GENUS` distinct species, each by its best sequence: a title with a
 *   culture-collection number first (more often a type strain), then fewer N, then the longer
 *   region, then the accession.
 */
import { RrnaMarkerScanner } from '../core/rrna-markers';
import { genusVariants, nameKeys, speciesVariants } from '../db/taxon-names';
import { genusOf } from '../ml/genus-split';
import { formatSsuReferenceRows, SSU_REFERENCE_SOURCE, type SsuReferenceEntry } from './ssu-reference';

export const PER_GENUS = 3;
const COLLECTION = /\b(DSM|ATCC|JCM|NBRC|IFO|NCTC|NCIMB|LMG|CIP|KCTC|CCUG|CECT|VKM|NRRL|CCM)[\s:_-]*\d/;

export interface SsuBuildReport {
  sequences: number;
  named: number;
  inBacDive: number;
  withRegion: number;
  genera: number;
  entries: number;
}

/** The 515F–1390R region of one 16S sequence, or null. */
export function ssuRegionOf(seq: string): string | null {
  const s = new RrnaMarkerScanner();
  s.push(new TextEncoder().encode(`>r\n${seq}\n`));
  return s.finish().ssuRegion;
}

/** `species`: BacDive species names (strains.tsv); `perGenus`: species kept per genus (bench/ts/ssu-identification.ts varies it). */
export function buildSsuReference(fasta: string, species: Iterable<string>, perGenus = PER_GENUS): { tsv: string; entries: SsuReferenceEntry[]; report: SsuBuildReport } {
  const bySpeciesKey = new Map<string, string>();
  const genera = new Map<string, string>(); // lower case → BacDive spelling
  for (const sp of species) {
    const k = nameKeys(sp);
    if (k.species && !bySpeciesKey.has(k.species)) bySpeciesKey.set(k.species, sp.split(/\s+/).slice(0, 2).join(' '));
    const g = genusOf(sp);
    if (g) genera.set(g.toLowerCase(), g);
  }
  const report: SsuBuildReport = { sequences: 0, named: 0, inBacDive: 0, withRegion: 0, genera: 0, entries: 0 };
  type Cand = SsuReferenceEntry & { collection: boolean; ns: number };
  const byGenus = new Map<string, Map<string, Cand>>();
  const better = (a: Cand, b: Cand) =>
    a.collection !== b.collection ? a.collection : a.ns !== b.ns ? a.ns < b.ns : a.region.length !== b.region.length ? a.region.length > b.region.length : a.accession < b.accession;
  const take = (title: string, seq: string) => {
    report.sequences++;
    const m = /^(?:\w+\|([^|\s]+)\|?)?\s*(.*)$/.exec(title);
    const accession = (m?.[1] ?? title.split(/\s+/)[0]).replace(/\|$/, '');
    const text = m?.[2] ?? '';
    const w = text.split(/\s+/);
    if (w.length < 2 || !/^[A-Z][a-z]+$/.test(w[0]) || !/^[a-z]+$/.test(w[1]) || /^(uncultured|unidentified|candidatus)$/i.test(w[0]) || w[1] === 'sp') return;
    report.named++;
    const keys = nameKeys(`${w[0]} ${w[1]}`);
    let name: string | null = null;
    for (const k of [keys.species!, ...speciesVariants(keys)]) {
      const s = bySpeciesKey.get(k);
      if (s) {
        name = s;
        break;
      }
    }
    let genus = name ? genusOf(name) : null;
    if (!genus) {
      const g = genusVariants(w[0]).map((v) => genera.get(v)).find((v) => v);
      if (!g) return;
      genus = g;
      name = `${g} ${w[1]}`;
    }
    report.inBacDive++;
    const region = ssuRegionOf(seq);
    if (!region) return;
    report.withRegion++;
    const cand: Cand = { genus, species: name!, accession, region, collection: COLLECTION.test(text), ns: (region.match(/N/g) ?? []).length };
    const list = byGenus.get(genus) ?? new Map<string, Cand>();
    const prev = list.get(cand.species);
    if (!prev || better(cand, prev)) list.set(cand.species, cand);
    byGenus.set(genus, list);
  };
  let title: string | null = null;
  let seq: string[] = [];
  for (const line of fasta.split('\n')) {
    if (line.startsWith('>')) {
      if (title !== null) take(title, seq.join(''));
      title = line.slice(1).trim();
      seq = [];
    } else if (title !== null) seq.push(line.trim());
  }
  if (title !== null) take(title, seq.join(''));

  const entries: SsuReferenceEntry[] = [];
  for (const genus of [...byGenus.keys()].sort()) {
    const picks = [...byGenus.get(genus)!.values()].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0) || (a.species < b.species ? -1 : 1)).slice(0, perGenus);
    for (const p of picks.sort((a, b) => (a.species < b.species ? -1 : 1))) entries.push({ genus: p.genus, species: p.species, accession: p.accession, region: p.region });
  }
  report.genera = byGenus.size;
  report.entries = entries.length;
  const tsv = [`# source: ${SSU_REFERENCE_SOURCE}`, `# 515F-1390R regions of ${entries.length} named isolates of ${byGenus.size} BacDive genera (mediaforge db ssu-reference)`, ...formatSsuReferenceRows(entries)].join('\n') + '\n';
  return { tsv, entries, report };
}
