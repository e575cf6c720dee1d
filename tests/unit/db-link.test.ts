/**
 * Linking genomes to BacDive strains and propagating growth (src/db/link.ts, propagate.ts), on a
 * real sql.js database loaded from the fixture subset of the shared TSVs. Expected strain ids come
 * from the fixture TSVs (parsed here with a plain split), not from the code under test.
 */
import { join } from 'node:path';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { addGenome, type GenomeMeta } from '../../src/db/genomes';
import { genomeLinks, linkGenome, proposeLinks, setGenomeLink, type GenomeLabels } from '../../src/db/link';
import { GROWTH_QUALITY_FACTOR, LINK_LEVEL_FACTOR, propagateGrowth } from '../../src/db/propagate';
import { buildStrainIndex, type StrainIndex } from '../../src/db/strain-index';
import { all, FIXTURE_DATA, mediaDb, one, readRows } from './db-test-helpers';

let db: Database;
let index: StrainIndex;
const strains = readRows(join(FIXTURE_DATA, 'strains.tsv'));
const conditions = readRows(join(FIXTURE_DATA, 'strain_conditions.tsv'));
const growth = readRows(join(FIXTURE_DATA, 'strain_growth.tsv'));
const taxonMedia = readRows(join(FIXTURE_DATA, 'taxon_media.tsv'));

/** BacDive ids (numbers) of strains whose species (strains.tsv or strain_conditions.tsv) starts with `prefix`. */
function idsOf(prefix: string): number[] {
  const ids = new Set<number>();
  for (const r of strains) if (r.species.startsWith(prefix) || r.ncbi_taxon_label.startsWith(prefix)) ids.add(Number(r.bacdive_id));
  for (const r of conditions) if (r.species.startsWith(prefix)) ids.add(Number(r.bacdive_id));
  return [...ids].sort((a, b) => a - b);
}

let seq = 0;
/** Adds a genome with a small real profile (of a made-up sequence, distinct per call). */
async function genome(meta: GenomeMeta): Promise<number> {
  seq++;
  const fasta = `>g${seq}\n${'ACGTTGCA'.repeat(seq)}GGGCCCAAATTT${'T'.repeat(seq)}\n`;
  const p = await profileSource(bytesSource(`g${seq}.fa`, new TextEncoder().encode(fasta)));
  return (await addGenome(db, p, meta)).genomeId;
}

const labels = (species: string | null, strain: string, organismType = 'bacteria'): GenomeLabels => ({
  species,
  organismType,
  texts: [{ source: 'manifest strain', text: strain }],
});

beforeAll(async () => {
  db = await mediaDb();
  index = buildStrainIndex(db);
});
afterAll(() => db?.close());

describe('proposeLinks', () => {
  it('links a DSM number in any spelling to that strain, and the rest of the species at species level', () => {
    // strains.tsv: bacdive:6507 is Limosilactobacillus reuteri DSM 20016.
    for (const text of ['subsp. reuteri DSM 20016 (type strain)', 'DSM20016', 'DSM:20016', 'DSM-20016']) {
      const p = proposeLinks(index, labels('Limosilactobacillus reuteri', text));
      expect(p.level, text).toBe('strain');
      expect(p.links.filter((l) => l.level === 'strain')).toEqual([{ strainId: 6507, level: 'strain', evidence: 'DSM 20016 in manifest strain' }]);
    }
  });

  it('leaves out strains of other subspecies when the genome names its subspecies', () => {
    const p = proposeLinks(index, labels('Limosilactobacillus reuteri', 'subsp. reuteri DSM 20016 (type strain)'));
    const species = p.links.filter((l) => l.level === 'species').map((l) => l.strainId);
    const expected = strains.filter((r) => r.species === 'Limosilactobacillus reuteri' && r.bacdive_id !== '6507').map((r) => Number(r.bacdive_id));
    expect(species).toEqual(expect.arrayContaining(expected));
    for (const sub of ['murium', 'kinnaridis', 'suis', 'porcinus', 'rodentium']) {
      const id = idsOf(`Limosilactobacillus reuteri subsp. ${sub}`)[0];
      expect(id, sub).toBeDefined();
      expect(species, sub).not.toContain(id);
    }
  });

  it('matches "Lactobacillus plantarum" to Lactiplantibacillus plantarum strains (2020 genus split)', () => {
    const p = proposeLinks(index, labels('Lactobacillus plantarum', 'WCFS1'));
    expect(p.level).toBe('species');
    expect(p.links.map((l) => l.strainId).sort((a, b) => a - b)).toEqual(idsOf('Lactiplantibacillus plantarum'));
    expect(p.links[0].evidence).toMatch(/species synonym Lactobacillus plantarum = Lactiplantibacillus plantarum/);
  });

  it('links Escherichia coli K-12 (no collection number) at species level only, to every E. coli strain', () => {
    const p = proposeLinks(index, labels('Escherichia coli', 'K-12 substr. MG1655'));
    expect(p.level).toBe('species');
    expect(p.links.every((l) => l.level === 'species')).toBe(true);
    const expected = idsOf('Escherichia coli');
    expect(expected.length).toBeGreaterThan(10);
    expect(p.links.map((l) => l.strainId)).toEqual(expected);
  });

  it('links the E. coli type strain through the unique BacDive type strain when the labels say so', () => {
    // bacdive:4907 is the only E. coli row of strain_conditions.tsv (type strains only) and is not in strains.tsv.
    expect(conditions.filter((r) => r.species === 'Escherichia coli').map((r) => r.bacdive_id)).toContain('4907');
    const p = proposeLinks(index, labels('Escherichia coli', 'DSM 30083 = JCM 1649 = ATCC 11775 (type strain)'));
    expect(p.links.filter((l) => l.level === 'strain').map((l) => l.strainId)).toEqual([4907]);
    expect(p.links.find((l) => l.level === 'strain')!.evidence).toMatch(/type strain/);
  });

  it('does not pick one of several type strains of a species', () => {
    // Staphylococcus aureus has three BacDive type-strain entries in the fixture.
    const types = [...new Set(conditions.filter((r) => r.species === 'Staphylococcus aureus').map((r) => r.bacdive_id))];
    expect(types.length).toBeGreaterThan(1);
    const p = proposeLinks(index, labels('Staphylococcus aureus', 'subsp. aureus DSM 20231 (type strain)'));
    expect(p.level).toBe('species');
    expect(p.notes.join(' ')).toMatch(/BacDive type strains under this name/);
  });

  it('picks the type strain of the nominal subspecies, not those of other subspecies', async () => {
    // The four Leuconostoc mesenteroides type-strain rows of the shared strains.tsv / strain_conditions.tsv.
    const small = await mediaDb();
    for (const [id, species] of [[6820, 'Leuconostoc mesenteroides subsp. cremoris'], [6822, 'Leuconostoc mesenteroides subsp. dextranicum'], [6825, 'Leuconostoc mesenteroides'], [140557, 'Leuconostoc mesenteroides subsp. jonggajibkimchii']] as const) {
      small.run('INSERT INTO strains (id, species, is_type_strain, domain) VALUES (?, ?, 1, ?)', [id, species, 'Bacteria']);
    }
    const idx = buildStrainIndex(small);
    const p = proposeLinks(idx, labels('Leuconostoc mesenteroides', 'subsp. mesenteroides ATCC 8293 (type strain)'));
    expect(p.links.filter((l) => l.level === 'strain').map((l) => l.strainId)).toEqual([6825]);
    const cremoris = proposeLinks(idx, labels('Leuconostoc mesenteroides', 'subsp. cremoris X (type strain)'));
    expect(cremoris.links.filter((l) => l.level === 'strain').map((l) => l.strainId)).toEqual([6820]);
    // "type strain of subsp. X" counts for subspecies X only.
    const ofSub = proposeLinks(idx, labels('Leuconostoc mesenteroides', 'subsp. dextranicum Y (type strain of subsp. dextranicum)'));
    expect(ofSub.links.filter((l) => l.level === 'strain').map((l) => l.strainId)).toEqual([6822]);
    const ofOther = proposeLinks(idx, labels('Leuconostoc mesenteroides', 'subsp. dextranicum Y (type strain of subsp. cremoris)'));
    expect(ofOther.links.filter((l) => l.level === 'strain')).toEqual([]);
    small.close();
  });

  it('does not follow a number that names the type strain of another strain ("type is S-6 = DSM 2053")', () => {
    // bacdive:7096 is Methanosarcina mazei DSM 2053 (S-6), the type strain; Go1 is DSM 3647.
    const p = proposeLinks(index, labels('Methanosarcina mazei', 'Go1 = DSM 3647 (not the type strain; type is S-6 = DSM 2053)'));
    expect(p.level).toBe('species');
    expect(p.links.find((l) => l.strainId === 7096)?.level).toBe('species');
  });

  it('uses the synonym table: Methanosaeta concilii, Caulobacter crescentus, Chlamydophila pneumoniae, Mycoplasma genitalium', () => {
    expect(proposeLinks(index, labels('Methanosaeta concilii', 'GP-6')).links.map((l) => l.strainId)).toEqual(idsOf('Methanothrix soehngenii'));
    expect(proposeLinks(index, labels('Caulobacter crescentus', 'CB15')).links.map((l) => l.strainId)).toEqual(idsOf('Caulobacter vibrioides'));
    expect(proposeLinks(index, labels('Chlamydophila pneumoniae', 'TW-183')).links.map((l) => l.strainId)).toEqual(idsOf('Chlamydia pneumoniae'));
    const myco = proposeLinks(index, labels('Mycoplasma genitalium', 'G37 = ATCC 33530 = NCTC 10195 (type strain)'));
    expect(myco.links.map((l) => [l.strainId, l.level])).toEqual([[8605, 'strain']]);
  });

  it('maps "Halobacterium sp. NRC-1" to H. salinarum, not to unnamed Halobacterium sp. strains', () => {
    const p = proposeLinks(index, { species: null, organismType: 'archaea', texts: [{ source: 'FASTA header', text: 'NC_002607.1 Halobacterium sp. NRC-1, complete genome' }] });
    expect(p.level).toBe('species');
    expect(p.links.map((l) => l.strainId)).toEqual(idsOf('Halobacterium salinarum'));
  });

  it('links by strain designation within the species (Aeropyrum pernix K1)', () => {
    // strains.tsv: bacdive:4195 Aeropyrum pernix, designation K1, no number in the genome's labels.
    const p = proposeLinks(index, labels('Aeropyrum pernix', 'K1 (type strain)', 'archaea'));
    expect(p.links).toEqual([{ strainId: 4195, level: 'strain', evidence: 'designation K1 in manifest strain (species Aeropyrum pernix)' }]);
  });

  it('reports a number that belongs to another genus instead of linking it', () => {
    const p = proposeLinks(index, labels('Escherichia coli', 'DSM 20016'));
    expect(p.level).toBe('species');
    expect(p.notes.join(' ')).toMatch(/DSM 20016 \(manifest strain\) is BacDive 6507 Limosilactobacillus reuteri, which does not match Escherichia coli/);
  });

  it('finds IFO numbers under NBRC and the reverse', () => {
    // bacdive:17 lists IFO 16470 and NBRC 16470.
    expect(proposeLinks(index, labels('Acetobacter tropicalis', 'NBRC 16470')).links[0]).toMatchObject({ strainId: 17, level: 'strain' });
  });

  it('falls back to the genus, and links no viruses', () => {
    const g = proposeLinks(index, labels('Lactococcus nonexistens', 'X1'));
    expect(g.level).toBe('genus');
    expect(g.links.map((l) => l.strainId)).toEqual(idsOf('Lactococcus '));
    const v = proposeLinks(index, labels('Escherichia virus Lambda', '', 'virus'));
    expect(v).toMatchObject({ links: [], level: null });
    expect(v.notes[0]).toMatch(/virus/);
  });
});

describe('propagateGrowth', () => {
  /** genome_growth computed here from the fixture TSVs and the genome's link rows (the rule, written out again). */
  function expectedGrowth(genomeId: number): Map<string, number> {
    const links = all(db, 'SELECT strain_id, level FROM genome_strain_links WHERE genome_id = ? AND strain_id IS NOT NULL', [genomeId]);
    const best = new Map<string, number>();
    const offer = (m: string, c: number) => best.set(m, Math.max(best.get(m) ?? 0, Math.round(c * 1e4) / 1e4));
    const taxa = new Map<string, number>();
    for (const l of links) {
      const f = LINK_LEVEL_FACTOR[l.level as 'strain'];
      for (const g of growth) if (g.bacdive_id === String(l.strain_id) && g.growth === 'yes') offer(g.medium_id, GROWTH_QUALITY_FACTOR.unknown * f);
      const taxid = strains.find((s) => s.bacdive_id === String(l.strain_id))?.ncbi_taxid;
      if (taxid) taxa.set(taxid, Math.max(taxa.get(taxid) ?? 0, Math.min(f, LINK_LEVEL_FACTOR.species)));
    }
    for (const [taxid, f] of taxa) {
      const row = taxonMedia.find((t) => t.taxon_id === `NCBITaxon:${taxid}`);
      for (const m of row?.media_ids.split('|') ?? []) offer(m.replace('mediadive.medium:', ''), GROWTH_QUALITY_FACTOR.unknown * f);
    }
    return best;
  }
  const stored = (genomeId: number) =>
    new Map(all(db, 'SELECT medium_id, confidence FROM genome_growth WHERE genome_id = ?', [genomeId]).map((r) => [r.medium_id as string, r.confidence as number]));

  it('gives a strain-level genome 0.75 for its strain\'s medium and 0.6 for species-level evidence', async () => {
    const id = await genome({ species: 'Limosilactobacillus reuteri', strain: 'DSM 20016', organismType: 'bacteria' });
    linkGenome(db, id, labels('Limosilactobacillus reuteri', 'subsp. reuteri DSM 20016 (type strain)'), index);
    const got = stored(id);
    expect(got).toEqual(expectedGrowth(id));
    // bacdive:6507 grows in medium 11 (strain_growth.tsv): strain level, unknown quality.
    expect(growth.find((g) => g.bacdive_id === '6507')!.medium_id).toBe('11');
    expect(got.get('11')).toBe(0.75);
    expect(all(db, "SELECT link_level, source, evidence FROM genome_growth WHERE genome_id = ? AND medium_id = '11'", [id])).toEqual([
      { link_level: 'strain', source: 'strain_growth', evidence: 'bacdive:6507' },
    ]);
    expect([...got.values()].every((c) => c === 0.75 || c === 0.6)).toBe(true);
  });

  it('gives a species-level genome 0.6 and a genus-level genome 0.375 at most', async () => {
    const sp = await genome({ species: 'Escherichia coli', strain: 'K-12', organismType: 'bacteria' });
    linkGenome(db, sp, labels('Escherichia coli', 'K-12 substr. MG1655'), index);
    expect(stored(sp).size).toBeGreaterThan(0);
    expect(stored(sp)).toEqual(expectedGrowth(sp));
    expect(Math.max(...stored(sp).values())).toBe(0.6);

    const ge = await genome({ species: 'Methanosarcina nonexistens', strain: 'X', organismType: 'archaea' });
    linkGenome(db, ge, labels('Methanosarcina nonexistens', 'X', 'archaea'), index);
    expect(stored(ge)).toEqual(expectedGrowth(ge));
    expect(Math.max(...stored(ge).values())).toBe(0.375);
  });

  it('counts every evidence path and keeps the best one', async () => {
    const id = await genome({ species: 'Methanosarcina mazei', organismType: 'archaea' });
    linkGenome(db, id, labels('Methanosarcina mazei', 'Go1'), index);
    // Several M. mazei strains grow in medium 120 (strain_growth.tsv), each one path.
    const paths = growth.filter((g) => g.medium_id === '120' && idsOf('Methanosarcina mazei').includes(Number(g.bacdive_id))).length;
    expect(paths).toBeGreaterThan(1);
    const row = all(db, "SELECT n_evidence, confidence FROM genome_growth WHERE genome_id = ? AND medium_id = '120'", [id])[0];
    expect(row.confidence).toBe(0.6);
    expect(row.n_evidence as number).toBeGreaterThanOrEqual(paths);
  });

  it('is idempotent', async () => {
    const before = all(db, 'SELECT * FROM genome_growth ORDER BY genome_id, medium_id');
    propagateGrowth(db);
    expect(all(db, 'SELECT * FROM genome_growth ORDER BY genome_id, medium_id')).toEqual(before);
  });
});

describe('setGenomeLink', () => {
  it('replaces the links with the user\'s choice, marks them reviewed and re-propagates', async () => {
    const id = await genome({ species: 'Escherichia coli', strain: 'K-12', organismType: 'bacteria' });
    linkGenome(db, id, labels('Escherichia coli', 'K-12 substr. MG1655'), index);
    expect(genomeLinks(db, id)[0].level).toBe('species');

    // The user says: this genome is BacDive 4410 (an E. coli strain of strains.tsv).
    const medium = growth.find((g) => g.bacdive_id === '4410')!.medium_id;
    setGenomeLink(db, id, 4410, 'strain', 'user: sequenced our own DSM stock');
    const links = genomeLinks(db, id);
    expect(links[0]).toMatchObject({ strainId: 4410, level: 'strain', reviewedByUser: true, evidence: 'user: sequenced our own DSM stock' });
    expect(links.every((l) => l.reviewedByUser)).toBe(true);
    expect(links.filter((l) => l.level === 'strain')).toHaveLength(1);
    expect(one(db, 'SELECT confidence FROM genome_growth WHERE genome_id = ? AND medium_id = ?', [id, medium])).toBe(0.75);
    expect(one(db, 'SELECT ncbi_taxid FROM genomes WHERE id = ?', [id])).toBe(Number(strains.find((s) => s.bacdive_id === '4410')!.ncbi_taxid));

    // Automatic relinking leaves a reviewed genome alone.
    const again = linkGenome(db, id, labels('Escherichia coli', 'K-12 substr. MG1655'), index);
    expect(again.keptReviewed).toBe(true);
    expect(genomeLinks(db, id)[0]).toMatchObject({ strainId: 4410, level: 'strain' });
  });

  it('records "no strain matches" and drops the propagated growth', async () => {
    const id = await genome({ species: 'Escherichia coli', organismType: 'bacteria' });
    linkGenome(db, id, labels('Escherichia coli', ''), index);
    expect(one(db, 'SELECT count(*) FROM genome_growth WHERE genome_id = ?', [id])).toBeGreaterThan(0);
    setGenomeLink(db, id, null, 'strain', 'user: contaminated assembly');
    expect(genomeLinks(db, id)).toEqual([
      { strainId: null, level: 'none', evidence: 'user: contaminated assembly', reviewedByUser: true, species: null, dsmNumber: null },
    ]);
    expect(one(db, 'SELECT count(*) FROM genome_growth WHERE genome_id = ?', [id])).toBe(0);
    expect(linkGenome(db, id, labels('Escherichia coli', ''), index).keptReviewed).toBe(true);
  });

  it('refuses unknown genomes, strains and levels', async () => {
    const id = await genome({ species: 'Escherichia coli', organismType: 'bacteria' });
    expect(() => setGenomeLink(db, 999_999, 4410, 'strain', '')).toThrow(/genome 999999 does not exist/);
    expect(() => setGenomeLink(db, id, 1, 'strain', '')).toThrow(/strain bacdive:1 is not in the database/);
    expect(() => setGenomeLink(db, id, 4410, 'kingdom' as 'strain', '')).toThrow(/not strain, species or genus/);
  });
});
