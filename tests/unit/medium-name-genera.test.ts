/**
 * medium-name-genera.ts: the genera a MediaDive medium's name names (rule 18), on hand-made names
 * and on the bundled snapshot's real media.
 */
import { describe, expect, it } from 'vitest';
import { generaInMediumName, mediaNamedForGenera } from '../../src/media/medium-name-genera';
import { openSnapshot } from '../../src/db/snapshot-file';
import { genusOf } from '../../src/ml/genus-split';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import initSqlJs from 'sql.js';
import { REPO_ROOT } from '../helpers/data';
import { buildRecommendContext } from '../../src/media/recommend';

const vocab = new Map(['Thermocladium', 'Nitriliruptor', 'Alkaliphilus', 'Methanobacterium', 'Methanothermobacter', 'Pyrococcus', 'Halobacterium'].map((g) => [g.toLowerCase(), g]));

describe('generaInMediumName', () => {
  it('reads a genus word, case-insensitively, once', () => {
    expect(generaInMediumName('THERMOCLADIUM MEDIUM', vocab)).toEqual(['Thermocladium']);
    expect(generaInMediumName('Pyrococcus medium (Pyrococcus furiosus)', vocab)).toEqual(['Pyrococcus']);
    expect(generaInMediumName('ALKALIPHILUS MEDIUM', vocab)).toEqual(['Alkaliphilus']);
  });
  it('takes a genus word after another genus word as its epithet', () => {
    expect(generaInMediumName('NITRILIRUPTOR ALKALIPHILUS MEDIUM', vocab)).toEqual(['Nitriliruptor']);
  });
  it('moves an old binomial of SPECIES_SYNONYMS to its current genus', () => {
    expect(generaInMediumName('METHANOBACTERIUM THERMOAUTOTROPHICUM MEDIUM', vocab)).toEqual(['Methanothermobacter']);
    expect(generaInMediumName('MODIFIED METHANOBACTERIUM MEDIUM', vocab)).toEqual(['Methanobacterium']);
  });
  it('does not read a class name or a part of a word as a genus', () => {
    expect(generaInMediumName('HALOBACTERIA MEDIUM', vocab)).toEqual([]);
    expect(generaInMediumName('PYROCOCCUSLIKE BROTH', vocab)).toEqual([]);
  });
});

describe('mediaNamedForGenera on the bundled snapshot', () => {
  it('finds the genus-named media of MediaDive, and only genera of BacDive strains', async () => {
    const { db } = openSnapshot(await initSqlJs(), new Uint8Array(readFileSync(join(REPO_ROOT, 'public', 'mediaforge-snapshot.sqlite.gz'))), 'bundled');
    try {
      const media = (db.exec('SELECT id, name FROM media')[0]?.values ?? []).map(([id, name]) => ({ id: String(id), name: String(name) }));
      const genera = new Set((db.exec('SELECT DISTINCT species FROM strains WHERE species IS NOT NULL')[0]?.values ?? []).map(([s]) => genusOf(String(s))).filter((g): g is string => !!g));
      const named = mediaNamedForGenera(media, genera);
      for (const g of named.keys()) expect(genera.has(g)).toBe(true);
      expect(named.get('Pyrobaculum')?.has('1090')).toBe(true); // PYROBACULUM CALIDIFONTIS MEDIUM
      expect(named.get('Thermocladium')?.has('J236')).toBe(true); // THERMOCLADIUM MEDIUM
      expect(named.get('Methanothermobacter')?.has('J231')).toBe(true); // METHANOBACTERIUM THERMOAUTOTROPHICUM MEDIUM
      expect(named.get('Methanobacterium')?.has('J231')).toBeFalsy();
      expect(named.get('Alkaliphilus')?.has('1105')).toBeFalsy(); // NITRILIRUPTOR ALKALIPHILUS MEDIUM
      // In the ranking's context (rule 18, off in the product): named media become the genus's taxon records, marked as named.
      const off = buildRecommendContext(db, { mediumNames: false });
      const on = buildRecommendContext(db, { mediumNames: true });
      expect(off.genusEvidence.get('Pyrobaculum')?.named.size ?? 0).toBe(0);
      const pyro = on.genusEvidence.get('Pyrobaculum')!;
      expect(pyro.named.has('1090') || pyro.media.has('1090')).toBe(true);
      for (const m of pyro.named) expect(pyro.taxon.has(m) && !pyro.media.has(m)).toBe(true);
      expect(on.genusEvidence.get('Thermocladium')!.taxon.has('J236')).toBe(true);
      const total = new Set([...named.values()].flatMap((s) => [...s])).size;
      expect(total).toBeGreaterThan(1000);
      expect(total).toBeLessThan(media.length);
    } finally {
      db.close();
    }
  }, 120_000);
});
