/**
 * An in-memory index of the strains table for linking: by culture-collection number, species key,
 * subspecies key, genus and designation. Built once per linking session (about 0.1 s for 28k strains).
 */
import type { Database } from 'sql.js';
import { ccnoVariants, splitCcnoList, normalizeCcno } from './culture-collections';
import { nameKeys } from './taxon-names';

export interface IndexedStrain {
  id: number;
  species: string | null;
  ncbiTaxid: number | null;
  /** Species keys from the species and NCBI label columns. */
  binomials: Set<string>;
  /** Subspecies keys, if a subspecies is named. */
  subspecies: Set<string>;
  genera: Set<string>;
  /** Designations in compact form (upper case, letters and digits only): 'GSS 1, GSS1' -> GSS1. */
  designations: string[];
  ccnos: string[];
  /** In BacDive's type-strain export. */
  isTypeStrain: boolean;
}

export interface StrainIndex {
  strains: Map<number, IndexedStrain>;
  byCcno: Map<string, number[]>;
  byBinomial: Map<string, number[]>;
  bySubspecies: Map<string, number[]>;
  byGenus: Map<string, number[]>;
}

function push<K>(m: Map<K, number[]>, k: K, id: number) {
  const a = m.get(k);
  if (!a) m.set(k, [id]);
  else if (a[a.length - 1] !== id && !a.includes(id)) a.push(id);
}

/** Upper-case letters and digits only: 'KIN4/I' -> 'KIN4I', 'Hrk 5' -> 'HRK5'. */
export function compactDesignation(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function buildStrainIndex(db: Database): StrainIndex {
  const index: StrainIndex = { strains: new Map(), byCcno: new Map(), byBinomial: new Map(), bySubspecies: new Map(), byGenus: new Map() };
  const stmt = db.prepare(
    'SELECT id, species, ncbi_taxon_label, ncbi_taxid, dsm_number, culture_collection_numbers, designation, is_type_strain FROM strains ORDER BY id',
  );
  try {
    while (stmt.step()) {
      const [id, species, label, taxid, dsm, ccnoCell, designation, type] = stmt.get() as [
        number, string | null, string | null, number | null, string | null, string | null, string | null, number | null,
      ];
      const s: IndexedStrain = {
        id,
        species,
        ncbiTaxid: taxid,
        binomials: new Set(),
        subspecies: new Set(),
        genera: new Set(),
        designations: [],
        ccnos: [],
        isTypeStrain: type === 1,
      };
      for (const name of [species, label]) {
        const k = nameKeys(name);
        if (k.genus) s.genera.add(k.genus);
        if (k.species) s.binomials.add(k.species);
        if (k.subspecies) s.subspecies.add(k.subspecies);
      }
      const ccnos = splitCcnoList(ccnoCell ?? '');
      if (dsm) {
        const m = /^([A-Za-z]+)\s*(.+)$/.exec(dsm.trim());
        const c = m ? normalizeCcno(m[1], m[2]) : null;
        if (c && !ccnos.includes(c)) ccnos.push(c);
      }
      s.ccnos = ccnos;
      s.designations = (designation ?? '')
        .split(',')
        .map(compactDesignation)
        .filter((d, i, a) => d && a.indexOf(d) === i);
      index.strains.set(id, s);
      for (const c of ccnos) for (const v of ccnoVariants(c)) push(index.byCcno, v, id);
      for (const b of s.binomials) push(index.byBinomial, b, id);
      for (const b of s.subspecies) push(index.bySubspecies, b, id);
      for (const g of s.genera) push(index.byGenus, g, id);
    }
  } finally {
    stmt.free();
  }
  return index;
}
