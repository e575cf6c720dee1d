/** Species name keys, synonyms and the Lactobacillus split (src/db/taxon-names.ts). */
import { describe, expect, it } from 'vitest';
import { nameKeys, organismNames, speciesFromHeader, speciesVariants } from '../../src/db/taxon-names';

describe('nameKeys', () => {
  it('lower-cases genus and epithet and keeps a subspecies', () => {
    expect(nameKeys('Lactiplantibacillus plantarum subsp. plantarum')).toEqual({
      species: 'lactiplantibacillus plantarum',
      subspecies: 'lactiplantibacillus plantarum subsp. plantarum',
      genus: 'lactiplantibacillus',
    });
    expect(nameKeys('[Clostridium] difficile').species).toBe('clostridium difficile');
    expect(nameKeys('Candidatus Nitrosopumilus maritimus').species).toBe('nitrosopumilus maritimus');
  });

  it('gives "Genus sp." a genus but no species', () => {
    expect(nameKeys('Halobacterium sp.')).toEqual({ species: null, subspecies: null, genus: 'halobacterium' });
    expect(nameKeys('')).toEqual({ species: null, subspecies: null, genus: null });
  });
});

describe('speciesVariants', () => {
  const v = (name: string) => speciesVariants(nameKeys(name));

  it('crosses the 2020 Lactobacillus split both ways', () => {
    expect(v('Lactobacillus plantarum')).toContain('lactiplantibacillus plantarum');
    expect(v('Lactiplantibacillus plantarum')).toContain('lactobacillus plantarum');
    expect(v('Limosilactobacillus reuteri')).toContain('lactobacillus reuteri');
    expect(v('Lactobacillus reuteri')).toContain('limosilactobacillus reuteri');
    // The epithet is kept: no cross-species variants.
    expect(v('Lactiplantibacillus plantarum')).not.toContain('lactobacillus pentosus');
  });

  it('knows the documented synonyms', () => {
    expect(v('Methanosaeta concilii')).toContain('methanothrix soehngenii');
    expect(v('Methanothrix soehngenii')).toContain('methanosaeta concilii');
    expect(v('Methanosaeta harundinacea')).toContain('methanothrix harundinacea');
    expect(v('Caulobacter crescentus')).toContain('caulobacter vibrioides');
    expect(v('Chlamydophila pneumoniae')).toContain('chlamydia pneumoniae');
    expect(v('Mycoplasma genitalium')).toContain('mycoplasmoides genitalium');
    expect(v('Lactococcus cremoris')).toContain('lactococcus lactis subsp. cremoris');
    expect(v('Streptococcus thermophilus')).toContain('streptococcus salivarius subsp. thermophilus');
  });

  it('has nothing to offer for a name without a species', () => {
    expect(v('Thermococcus sp.')).toEqual([]);
  });
});

describe('organismNames', () => {
  it('reads alternative names in parentheses and strain-qualified labels', () => {
    expect(organismNames('Mycoplasma genitalium (Mycoplasmoides genitalium)', [])).toEqual(['Mycoplasma genitalium', 'Mycoplasmoides genitalium']);
    expect(organismNames(null, ['NC_002607.1 Halobacterium sp. NRC-1, complete genome'])).toContain('Halobacterium salinarum');
    // A parenthesis that is not a name is ignored.
    expect(organismNames('crAssphage (uncultured)', [])).toEqual(['crAssphage']);
  });

  it('takes the species from a FASTA header when no species is given', () => {
    expect(organismNames(null, ['NZ_CP033092.2 Escherichia coli DSM 30083 chromosome'])).toEqual(['Escherichia coli']);
    expect(speciesFromHeader('K-12-MG1655 Escherichia coli str. K-12')).toBe('Escherichia coli');
    expect(speciesFromHeader('MAL1')).toBeNull();
  });
});
