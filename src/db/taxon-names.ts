/**
 * Species and genus names for linking genomes to BacDive strains: name keys, the 2020
 * Lactobacillus genus split, and a small synonym table. Pure functions; Node and browser.
 *
 * A name key is lower case, without brackets or quotes, made of the genus, the epithet and
 * (if given) "subsp. <name>": "escherichia coli", "lactococcus lactis subsp. cremoris".
 * "Genus sp." has no species key (only a genus).
 */

/**
 * The 23 genera split off Lactobacillus by Zheng et al. 2020 (IJSEM 70:2782). Species kept their
 * epithet, so "Lactiplantibacillus plantarum" was "Lactobacillus plantarum". Lactobacillus itself
 * remains (L. acidophilus, L. delbrueckii, L. gasseri, L. helveticus, ...).
 */
export const LACTOBACILLUS_SPLIT_GENERA = [
  'Acetilactobacillus',
  'Agrilactobacillus',
  'Amylolactobacillus',
  'Apilactobacillus',
  'Bombilactobacillus',
  'Companilactobacillus',
  'Dellaglioa',
  'Fructilactobacillus',
  'Furfurilactobacillus',
  'Holzapfelia',
  'Lacticaseibacillus',
  'Lactiplantibacillus',
  'Lapidilactobacillus',
  'Latilactobacillus',
  'Lentilactobacillus',
  'Levilactobacillus',
  'Ligilactobacillus',
  'Limosilactobacillus',
  'Liquorilactobacillus',
  'Loigolactobacillus',
  'Paucilactobacillus',
  'Schleiferilactobacillus',
  'Secundilactobacillus',
] as const;

/**
 * Genus renames where species kept their epithet, both directions. A genome named in one genus
 * is matched to strains named in the other, for the same epithet (species level) and as a genus
 * (genus level).
 * - Methanothrix / Methanosaeta (Methanosaeta is a later synonym of Methanothrix)
 * - Chlamydia / Chlamydophila (Chlamydophila pneumoniae, psittaci, ... returned to Chlamydia)
 * - Mycoplasma / Mycoplasmoides, Mycoplasmopsis, Metamycoplasma, Mesomycoplasma, Malacoplasma
 *   (Gupta et al. 2018 split of Mycoplasma)
 */
export const GENUS_SYNONYMS: readonly (readonly string[])[] = [
  ['Methanothrix', 'Methanosaeta'],
  ['Chlamydia', 'Chlamydophila'],
  ['Mycoplasma', 'Mycoplasmoides', 'Mycoplasmopsis', 'Metamycoplasma', 'Mesomycoplasma', 'Malacoplasma'],
];

/**
 * Species names that mean the same organism (homotypic or heterotypic synonyms, or a species
 * raised from a subspecies). Each group is matched as a whole: a genome named with any entry
 * links to strains named with any other entry.
 */
export const SPECIES_SYNONYMS: readonly (readonly string[])[] = [
  ['Methanothrix soehngenii', 'Methanosaeta concilii'],
  ['Caulobacter vibrioides', 'Caulobacter crescentus'],
  ['Chlamydia pneumoniae', 'Chlamydophila pneumoniae'],
  ['Mycoplasmoides genitalium', 'Mycoplasma genitalium'],
  ['Mycoplasmoides pneumoniae', 'Mycoplasma pneumoniae'],
  ['Halobacterium salinarum', 'Halobacterium halobium', 'Halobacterium cutirubrum'],
  ['Lactococcus cremoris', 'Lactococcus lactis subsp. cremoris'],
  ['Streptococcus thermophilus', 'Streptococcus salivarius subsp. thermophilus'],
  ['Methanothermobacter thermautotrophicus', 'Methanobacterium thermoautotrophicum', 'Methanobacterium thermautotrophicum'],
  ['Thermococcus kodakarensis', 'Thermococcus kodakaraensis'],
];

/**
 * Genomes labelled with a genus and a strain name only, for strains whose species is known.
 * The text is searched (case-insensitively) in the species + strain + header text.
 */
export const SPECIES_OF_NAMED_STRAINS: readonly { text: string; species: string }[] = [
  { text: 'Halobacterium sp. NRC-1', species: 'Halobacterium salinarum' },
  { text: 'Pyrococcus sp. KOD1', species: 'Thermococcus kodakarensis' },
];

export interface NameKeys {
  /** "genus epithet", lower case; null for "Genus sp." or a single word. */
  species: string | null;
  /** "genus epithet subsp. x", lower case, when a subspecies is named. */
  subspecies: string | null;
  /** Genus, lower case; null when there is no name. */
  genus: string | null;
}

/** Lower-case keys of a (possibly messy) organism name. */
export function nameKeys(name: string | null | undefined): NameKeys {
  const none: NameKeys = { species: null, subspecies: null, genus: null };
  if (!name) return none;
  const words = name
    .replace(/[[\]"'“”]/g, '')
    .replace(/^\s*Candidatus\s+/i, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (words.length === 0 || !/^[A-Za-z][a-z-]+$/.test(words[0])) return none;
  const genus = words[0].toLowerCase();
  const epithet = words[1]?.toLowerCase();
  if (!epithet || !/^[a-z][a-z-]+$/.test(epithet) || epithet === 'sp' || epithet === 'spp') {
    return { species: null, subspecies: null, genus };
  }
  const species = `${genus} ${epithet}`;
  let subspecies: string | null = null;
  const i = words.findIndex((w, j) => j >= 2 && /^subsp\.?$/i.test(w));
  if (i >= 2 && words[i + 1] && /^[a-z][a-z-]+$/.test(words[i + 1])) subspecies = `${species} subsp. ${words[i + 1]}`;
  return { species, subspecies, genus };
}

const lc = (s: string) => s.toLowerCase();

const GENUS_GROUPS = new Map<string, string[]>();
for (const group of GENUS_SYNONYMS) for (const g of group) GENUS_GROUPS.set(lc(g), group.map(lc));
const SPLIT = new Set(LACTOBACILLUS_SPLIT_GENERA.map(lc));

const SPECIES_GROUPS = new Map<string, string[]>();
for (const group of SPECIES_SYNONYMS) {
  const keys = group.map((n) => {
    const k = nameKeys(n);
    return k.subspecies ?? k.species!;
  });
  for (const k of keys) SPECIES_GROUPS.set(k, keys);
}

/** Genus and its synonyms (not the Lactobacillus split: those are separate genera now). */
export function genusVariants(genus: string): string[] {
  const g = lc(genus);
  return GENUS_GROUPS.get(g) ?? [g];
}

/**
 * Every species / subspecies key under which a strain of this species may be filed in BacDive:
 * the name itself, its synonyms, the same epithet in synonym genera, and across the Lactobacillus
 * split (a "Lactobacillus" epithet is tried in all 23 new genera and vice versa; only keys that
 * exist in the strain table will match anything).
 */
export function speciesVariants(keys: NameKeys): string[] {
  if (!keys.species || !keys.genus) return [];
  const out = new Set<string>();
  const add = (k: string) => {
    out.add(k);
    for (const s of SPECIES_GROUPS.get(k) ?? []) out.add(s);
  };
  const epithetPart = keys.species.slice(keys.genus.length + 1);
  const subPart = keys.subspecies ? keys.subspecies.slice(keys.species.length) : '';
  const genera = new Set(genusVariants(keys.genus));
  if (keys.genus === 'lactobacillus') for (const g of SPLIT) genera.add(g);
  if (SPLIT.has(keys.genus)) genera.add('lactobacillus');
  for (const g of genera) {
    add(`${g} ${epithetPart}`);
    if (subPart) add(`${g} ${epithetPart}${subPart}`);
  }
  // A subspecies listed as a synonym of a species ("Lactococcus lactis subsp. cremoris" = "Lactococcus cremoris").
  if (keys.subspecies) add(keys.subspecies);
  return [...out];
}

/** Species named by a strain-qualified label in the text ("Halobacterium sp. NRC-1" -> H. salinarum), if any. */
export function speciesOfNamedStrain(text: string): string | null {
  const t = lc(text);
  for (const e of SPECIES_OF_NAMED_STRAINS) if (t.includes(lc(e.text))) return e.species;
  return null;
}

/**
 * Organism names in a genome's labels: the species field, names in parentheses inside it
 * ("Mycoplasma genitalium (Mycoplasmoides genitalium)"), a strain-qualified label and the
 * "Genus epithet" that follows the accession in FASTA headers ("NZ_CP033092.2 Escherichia coli ...").
 */
export function organismNames(species: string | null | undefined, texts: readonly string[]): string[] {
  const out: string[] = [];
  const push = (n: string | null | undefined) => {
    const t = n?.trim();
    if (t && !out.includes(t)) out.push(t);
  };
  if (species) {
    push(species.replace(/\(.*?\)/g, ' ').replace(/\s+/g, ' '));
    for (const m of species.matchAll(/\(([^)]*)\)/g)) if (/^[A-Z][a-z-]+ [a-z][a-z-]+/.test(m[1].trim())) push(m[1]);
  }
  const named = speciesOfNamedStrain([species ?? '', ...texts].join(' '));
  if (named) push(named);
  if (!species) for (const t of texts) push(speciesFromHeader(t));
  return out;
}

/** "NZ_CP033092.2 Escherichia coli DSM 30083 ..." -> "Escherichia coli"; null if the header names no binomial. */
export function speciesFromHeader(header: string): string | null {
  const words = header.trim().split(/\s+/);
  for (let i = 0; i < Math.min(words.length - 1, 3); i++) {
    const g = words[i].replace(/^>/, '');
    const e = words[i + 1];
    if (/^[A-Z][a-z]{2,}$/.test(g) && /^[a-z]{3,}$/.test(e) && e !== 'sp') return `${g} ${e}`;
  }
  return null;
}
