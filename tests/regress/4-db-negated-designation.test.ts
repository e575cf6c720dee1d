/**
 * Issue 4 regression: the first full snapshot build linked Methanosarcina mazei Go1 (manifest strain
 * "Go1 = DSM 3647 (not the type strain; type is S-6 = DSM 2053)") at STRAIN level to bacdive:7096,
 * the type strain S-6 = DSM 2053. Numbers in the negated clause were already ignored, but the
 * designation matcher read "S-6" from that clause and matched the type strain's designation.
 * Both matchers now read only the clauses that describe the genome's own strain.
 */
import { describe, expect, it } from 'vitest';
import { proposeLinks } from '../../src/db/link';
import { buildStrainIndex } from '../../src/db/strain-index';
import { mediaDb } from '../unit/db-test-helpers';

describe('issue 4: a strain named in a negated clause is not this genome', () => {
  it('links M. mazei Go1 at species level, not to the type strain S-6 = DSM 2053', async () => {
    const db = await mediaDb();
    const index = buildStrainIndex(db);
    // The fixture row: bacdive:7096, designation S-6, DSM 2053 (strains.tsv).
    expect(index.strains.get(7096)).toMatchObject({ designations: ['S6'], ccnos: expect.arrayContaining(['DSM 2053']) });
    const p = proposeLinks(index, {
      species: 'Methanosarcina mazei',
      organismType: 'archaea',
      texts: [
        { source: 'manifest strain', text: 'Go1 = DSM 3647 (not the type strain; type is S-6 = DSM 2053)' },
        { source: 'file name', text: 'Methanosarcina_mazei_Go1.fna.gz' },
      ],
    });
    expect(p.links.filter((l) => l.level === 'strain')).toEqual([]);
    expect(p.links.find((l) => l.strainId === 7096)).toMatchObject({ level: 'species' });
    // The same text without the negation is a strain-level match, so the matcher itself still works.
    const plain = proposeLinks(index, { species: 'Methanosarcina mazei', organismType: 'archaea', texts: [{ source: 'user', text: 'S-6' }] });
    expect(plain.links[0]).toMatchObject({ strainId: 7096, level: 'strain' });
    db.close();
  });
});
