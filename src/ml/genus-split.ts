/**
 * Train/validation split by genus, never by record: every genome of a genus lands on the same
 * side, so validation measures how the model does on genera it has never seen. The side of a
 * genus depends only on its name and the seed (a hash), so adding genomes never moves others.
 */
import { mixSeed } from './random';

/**
 * The genus of a species label: "Escherichia coli" → "Escherichia", "Candidatus Pelagibacter
 * ubique" → "Candidatus Pelagibacter", "[Clostridium] scindens" → "Clostridium". Viruses and
 * unknowns have no genus (null): their whole label is their group.
 */
export function genusOf(species: string | null | undefined, organismType?: string | null): string | null {
  const s = (species ?? '').trim().replace(/[[\]']/g, '');
  if (!s || /^(unknown|unclassified|uncultured|metagenome)\b/i.test(s)) return null;
  if (organismType === 'virus' || organismType === 'metagenome') return null;
  const words = s.split(/\s+/);
  if (/^candidatus$/i.test(words[0]) && words[1]) return `Candidatus ${words[1]}`;
  if (!/^[A-Z][a-z]+$/.test(words[0])) return null;
  return words[0];
}

/** The group used for splitting: the genus, else the species label, else the item's own key. */
export function splitGroupOf(species: string | null | undefined, organismType: string | null | undefined, key: string): string {
  return genusOf(species, organismType) ?? ((species ?? '').trim() || `item:${key}`);
}

function hashString(s: string, seed: number): number {
  const parts: number[] = [seed];
  for (let i = 0; i < s.length; i++) parts.push(s.charCodeAt(i));
  return mixSeed(...parts) / 0x7fffffff;
}

export interface SplitItem {
  key: string;
  species?: string | null;
  organismType?: string | null;
}

export interface GenusSplit {
  train: number[];
  val: number[];
  valGroups: string[];
}

/**
 * Puts whole genera in validation with probability `valFraction` each. Items without a genus
 * (unknown labels, metagenome contigs, viruses) always train.
 */
export function splitByGenus(items: SplitItem[], valFraction = 0.15, seed = 42): GenusSplit {
  const train: number[] = [];
  const val: number[] = [];
  const valGroups = new Set<string>();
  items.forEach((it, i) => {
    const genus = genusOf(it.species, it.organismType);
    if (genus !== null && hashString(genus, seed) < valFraction) {
      val.push(i);
      valGroups.add(genus);
    } else train.push(i);
  });
  return { train, val, valGroups: [...valGroups].sort() };
}
