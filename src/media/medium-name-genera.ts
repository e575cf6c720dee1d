/**
 * The genera a MediaDive medium is named for ("PYROBACULUM CALIDIFONTIS MEDIUM", "THERMOCLADIUM
 * MEDIUM", "METHANOBACTERIUM MEDIUM"), for the genus route (rule 18, recommend.ts). MediaDive names
 * most media for the organism they were written for, while the BacDive snapshot keeps one medium
 * per strain, so a genus's named media are often linked to none of its strains. Pure: Node and the
 * database worker alike.
 *
 * Rules:
 * - a word of the name (letters only, case-insensitive) that is a genus of the vocabulary (the
 *   genera of BacDive's strains, as genusOf reads them) names that genus, unless the word before
 *   it names a genus too: then it is that binomial's epithet ("NITRILIRUPTOR ALKALIPHILUS MEDIUM"
 *   names Nitriliruptor, not Alkaliphilus);
 * - a binomial that is an old name in SPECIES_SYNONYMS names the genus of the group's first name
 *   ("METHANOBACTERIUM THERMOAUTOTROPHICUM MEDIUM" names Methanothermobacter);
 * - a genus named twice counts once.
 */
import { SPECIES_SYNONYMS } from '../db/taxon-names';

/** Old binomial (lower case) → the genus of its group's first (current) name. */
const CURRENT_GENUS = new Map<string, string>();
for (const group of SPECIES_SYNONYMS) {
  const current = group[0].split(/\s+/)[0];
  for (const name of group.slice(1)) {
    const [g, e] = name.toLowerCase().split(/\s+/);
    if (g && e && g !== current.toLowerCase()) CURRENT_GENUS.set(`${g} ${e}`, current);
  }
}

/** The genera (vocabulary spelling) a medium's name names, in the order they appear. */
export function generaInMediumName(name: string, vocabulary: ReadonlyMap<string, string>): string[] {
  const words = name.toLowerCase().split(/[^a-z]+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const genus = vocabulary.get(words[i]);
    if (!genus || (i > 0 && vocabulary.has(words[i - 1]))) continue;
    const named = CURRENT_GENUS.get(`${words[i]} ${words[i + 1] ?? ''}`) ?? genus;
    if (!out.includes(named)) out.push(named);
  }
  return out;
}

/** genus → the ids of the media named for it, over all media. */
export function mediaNamedForGenera(media: Iterable<{ id: string; name: string }>, genera: Iterable<string>): Map<string, Set<string>> {
  const vocabulary = new Map<string, string>();
  for (const g of genera) vocabulary.set(g.toLowerCase(), g);
  const out = new Map<string, Set<string>>();
  for (const m of media) {
    for (const g of generaInMediumName(m.name, vocabulary)) {
      let s = out.get(g);
      if (!s) out.set(g, (s = new Set()));
      s.add(m.id);
    }
  }
  return out;
}
