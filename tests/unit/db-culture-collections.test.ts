/** Culture-collection numbers in free text (src/db/culture-collections.ts). */
import { describe, expect, it } from 'vitest';
import { affirmativeClauses, ccnoVariants, findCcnos, parseCcno, splitCcnoList } from '../../src/db/culture-collections';

describe('findCcnos', () => {
  it('reads every common spelling of a number as one normalised number', () => {
    for (const s of ['DSM 20231', 'DSM20231', 'DSM:20231', 'DSM-20231', 'DSM_20231', 'dsm 20231', 'DSMZ 20231', 'DSM 20231T', 'DSM 20231 T']) {
      expect(findCcnos(s), s).toEqual(['DSM 20231']);
    }
  });

  it('keeps letter series and dotted numbers whole', () => {
    expect(findCcnos('KOD1 = JCM 12380 = ATCC BAA-918 (type strain)')).toEqual(['JCM 12380', 'ATCC BAA-918']);
    expect(findCcnos('ATCC BAA918')).toEqual(['ATCC BAA-918']);
    expect(findCcnos('VKM B-2471')).toEqual(['VKM B-2471']);
    expect(findCcnos('Corynebacterium_pseudotuberculosis_CIP_52.97.fna.gz')).toEqual(['CIP 52.97']);
  });

  it('finds numbers in manifest strains, file names and FASTA headers', () => {
    expect(findCcnos('DSM 30083 = JCM 1649 = ATCC 11775 (type strain)')).toEqual(['DSM 30083', 'JCM 1649', 'ATCC 11775']);
    expect(findCcnos('Lacticaseibacillus_casei_DSM_20011_ATCC_393.fna.gz')).toEqual(['DSM 20011', 'ATCC 393']);
    expect(findCcnos('NZ_LR134481.1 Haemophilus parainfluenzae strain NCTC10665 genome assembly, chromosome: 1')).toEqual(['NCTC 10665']);
    expect(findCcnos('NZ_AP019721.1 Staphylococcus epidermidis NBRC 100911 DNA, complete genome')).toEqual(['NBRC 100911']);
  });

  it('skips clauses that name another strain', () => {
    // Methanosarcina mazei Go1: the type strain's number is mentioned but is not this genome's.
    expect(findCcnos('Go1 = DSM 3647 (not the type strain; type is S-6 = DSM 2053)')).toEqual(['DSM 3647']);
    // Bacillus subtilis 168: "not the type strain DSM 10".
    expect(findCcnos('subsp. subtilis str. 168 (= DSM 23778 = ATCC 23857; Marburg derivative, not the type strain DSM 10)')).toEqual([
      'DSM 23778',
      'ATCC 23857',
    ]);
    expect(affirmativeClauses('Go1 = DSM 3647 (not the type strain; type is S-6 = DSM 2053)').join('|')).not.toMatch(/S-6/);
  });

  it('does not read accessions, chromosome names or words as numbers', () => {
    for (const s of ['MAL1', 'NZ_CP033092.2 Escherichia coli chromosome', 'Pk.1.1', 'principal 12', 'K-12 substr. MG1655', 'DSM 123abc']) {
      expect(findCcnos(s), s).toEqual([]);
    }
  });
});

describe('parseCcno', () => {
  it('accepts exactly one number and nothing else', () => {
    expect(parseCcno(' atcc 11775 ')).toBe('ATCC 11775');
    expect(parseCcno('DSM 1 and more')).toBeNull();
    expect(parseCcno('DSM 1, DSM 2')).toBeNull();
    expect(parseCcno('hello')).toBeNull();
  });
});

describe('splitCcnoList', () => {
  it('splits a BacDive culture_collection_numbers cell', () => {
    // strains.tsv, bacdive:17 (Acetobacter tropicalis)
    expect(splitCcnoList('DSM 15551, IFO 16470, NBRC 16470, NRIC 0312, JCM 10947, BCRC 17166, LMG 19825')).toEqual([
      'DSM 15551', 'IFO 16470', 'NBRC 16470', 'NRIC 312', 'JCM 10947', 'BCRC 17166', 'LMG 19825',
    ]);
    // Unknown acronyms ("Kol 8", "MCC-UPLB 1200") are left out, known ones kept.
    expect(splitCcnoList('DSM 13165, ATCC 700957, Kol 8')).toEqual(['DSM 13165', 'ATCC 700957']);
    expect(splitCcnoList('')).toEqual([]);
  });

  it('knows that IFO and NBRC share numbers', () => {
    expect(ccnoVariants('IFO 16470')).toEqual(['IFO 16470', 'NBRC 16470']);
    expect(ccnoVariants('DSM 1')).toEqual(['DSM 1']);
  });
});
