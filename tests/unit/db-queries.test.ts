/**
 * Browse queries (src/db/queries.ts) on a real sql.js database built with the DB helper's importer
 * from the MediaDive/BacDive fixture subset (tests/fixtures/mediadive/). Expected values are read
 * straight from the fixture TSVs, independently of the SQL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMediadive, MEDIADIVE_FILES, type MediadiveTexts } from '../../src/db/import-mediadive';
import { loadSqlJs } from '../../src/db/node-files';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { addGenome, deleteGenome } from '../../src/db/genomes';
import { linkGenome, setGenomeLink } from '../../src/db/link';
import { genomeMedia, getRecipe, listGenomes, searchMedia, searchStrains } from '../../src/db/queries';
import { createDatabase } from '../../src/db/snapshot-file';
import { FIXTURES } from '../helpers/data';

const DATA_DIR = process.env.MF_QUERIES_DATA ?? join(FIXTURES, 'mediadive');

/** A TSV as objects keyed by header. */
function readTsv(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(join(DATA_DIR, `${file}.tsv`), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const cols = head.split('\t');
  return lines.map((l) => Object.fromEntries(l.replace(/\r$/, '').split('\t').map((v, i) => [cols[i], v])));
}

let db: Database;
let media: Record<string, string>[];
let composition: Record<string, string>[];
let strains: Record<string, string>[];
let growth: Record<string, string>[];

beforeAll(async () => {
  if (!existsSync(join(DATA_DIR, 'media.tsv'))) throw new Error(`${DATA_DIR}/media.tsv is missing (the MediaDive fixture subset)`);
  const SQL = await loadSqlJs();
  db = createDatabase(SQL);
  const texts = Object.fromEntries(MEDIADIVE_FILES.map((f) => [f, readFileSync(join(DATA_DIR, `${f}.tsv`), 'utf8')])) as MediadiveTexts;
  importMediadive(db, texts);
  media = readTsv('media');
  composition = readTsv('media_composition');
  strains = readTsv('strains');
  growth = readTsv('strain_growth');
});

afterAll(() => db?.close());

const lower = (s: string) => s.toLowerCase();

describe('searchMedia', () => {
  it('finds media by a word of their name, and only those', () => {
    // A word from a real medium name (the first one with a word of >= 5 letters).
    const word = media.map((m) => /[A-Za-z]{5,}/.exec(m.name)?.[0]).find(Boolean)!;
    const expected = new Set(media.filter((m) => lower(m.name).includes(lower(word))).map((m) => m.medium_id));
    expect(expected.size).toBeGreaterThan(0);
    const r = searchMedia(db, lower(word), { limit: 10_000 });
    const byName = r.hits.filter((h) => h.matchedBy === 'name' || h.matchedBy === 'id');
    expect(new Set(byName.map((h) => h.id))).toEqual(expected);
    for (const h of byName) expect(lower(h.name)).toContain(lower(word));
  });

  it('finds media by ingredient and names the ingredient that matched', () => {
    const ing = 'NaCl';
    const expected = new Set(composition.filter((c) => lower(c.ingredient_name).includes('nacl')).map((c) => c.medium_id));
    expect(expected.size).toBeGreaterThan(0);
    const r = searchMedia(db, 'nacl', { limit: 10_000 });
    const nameIds = new Set(media.filter((m) => lower(m.name).includes('nacl')).map((m) => m.medium_id));
    const viaIngredient = r.hits.filter((h) => h.matchedBy === 'ingredient');
    // Every medium with NaCl is found (either by name or by ingredient), and no other.
    expect(new Set(r.hits.map((h) => h.id))).toEqual(new Set([...expected, ...nameIds]));
    for (const h of viaIngredient) expect(lower(h.ingredient!)).toContain(lower(ing));
  });

  it('puts an exact id first and honours the limit', () => {
    const m = media[0];
    const r = searchMedia(db, m.medium_id, { limit: 3 });
    expect(r.hits[0]).toMatchObject({ id: m.medium_id, name: m.name, matchedBy: 'id' });
    expect(r.hits.length).toBeLessThanOrEqual(3);
  });

  it('lists the most used media for an empty query', () => {
    const r = searchMedia(db, '  ', { limit: 5 });
    // Every medium of media.tsv plus retired ones that only growth links name (stub rows).
    const named = new Set([...media.map((m) => m.medium_id), ...growth.map((g) => g.medium_id)]);
    for (const t of readTsv('taxon_media')) for (const m of t.media_ids.split('|')) named.add(m.replace('mediadive.medium:', ''));
    expect(r.total).toBe(named.size);
    const counts = r.hits.map((h) => h.strainCount);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const top = Object.entries(growth.reduce<Record<string, number>>((acc, g) => ((acc[g.medium_id] = (acc[g.medium_id] ?? 0) + 1), acc), {})).sort((a, b) => b[1] - a[1])[0];
    expect(r.hits[0].strainCount).toBe(top[1]);
  });

  it('treats LIKE wildcards literally', () => {
    expect(searchMedia(db, '%%%').hits).toEqual([]);
  });
});

describe('getRecipe', () => {
  it('gives every recipe line of a medium with g/L and mmol/L, and marks stock-solution lines', () => {
    // A medium that has final (main-solution) and stock (sub-solution) lines.
    const withBoth = media.find(
      (m) => composition.some((c) => c.medium_id === m.medium_id && c.conc_basis === 'final_medium' && c.mmol_per_l) &&
        composition.some((c) => c.medium_id === m.medium_id && c.conc_basis === 'stock_solution'),
    )!;
    expect(withBoth).toBeDefined();
    const recipe = getRecipe(db, withBoth.medium_id)!;
    expect(recipe).toMatchObject({ id: withBoth.medium_id, name: withBoth.name, link: withBoth.link || null });
    expect(recipe.isComplex).toBe(withBoth.complex_medium === '1');
    expect(recipe.solutions[0].isMain).toBe(true);

    const expected = composition.filter((c) => c.medium_id === withBoth.medium_id);
    const got = recipe.solutions.flatMap((s) => s.lines.map((l) => ({ s, l })));
    expect(got.length).toBe(expected.length);
    for (const e of expected) {
      const hit = got.find(({ s, l }) => s.id === Number(e.solution_id) && l.order === Number(e.recipe_order));
      expect(hit, `line ${e.solution_id}/${e.recipe_order}`).toBeDefined();
      const { l } = hit!;
      expect(l.name).toBe(e.ingredient_name);
      expect(l.basis).toBe(e.conc_basis);
      expect(l.gPerL).toBe(e.g_per_l === '' ? null : Number(e.g_per_l));
      expect(l.mmolPerL).toBe(e.mmol_per_l === '' ? null : Number(e.mmol_per_l));
      expect(l.mlPerL).toBe(e.ml_per_l === '' ? null : Number(e.ml_per_l));
    }
    // mmol/L agrees with g/L and the molar mass (mmol/L = g/L / (g/mol) x 1000).
    const withMass = got.find(({ l }) => l.gPerL && l.mmolPerL)!;
    const mass = Number(db.exec('SELECT molar_mass FROM ingredients WHERE id = ?', [withMass.l.ingredientId])[0].values[0][0]);
    expect(withMass.l.mmolPerL!).toBeCloseTo((withMass.l.gPerL! / mass) * 1000, 2);
    // Stock lines are never in a main solution's final concentrations.
    for (const { s, l } of got) if (l.basis === 'stock_solution') expect(s.isMain).toBe(false);
  });

  it('returns null for an unknown medium', () => {
    expect(getRecipe(db, 'no-such-medium')).toBeNull();
  });
});

describe('searchStrains', () => {
  const linked = () => strains.find((s) => s.dsm_number && growth.some((g) => g.strain_id === s.strain_id))!;

  it('finds a strain by its DSM number, written any way, with its media', () => {
    const s = linked();
    expect(s).toBeDefined();
    const number = s.dsm_number.replace(/^DSM\s*/, '');
    const expectedMedia = growth.filter((g) => g.strain_id === s.strain_id).map((g) => g.medium_id).sort();
    for (const q of [`DSM ${number}`, `dsm${number}`, `DSM:${number}`, number]) {
      const r = searchStrains(db, q);
      const hit = r.hits.find((h) => `bacdive:${h.id}` === s.strain_id);
      expect(hit, q).toBeDefined();
      expect(hit!.matchedBy).toBe('number');
      expect(hit!.species).toBe(s.species || null);
      expect(hit!.media.map((m) => m.id).sort()).toEqual(expectedMedia);
      // A number never matches a longer number that starts with it.
      for (const h of r.hits) expect(h.ccnos).toContain(`DSM ${number}`);
    }
  });

  it('finds strains by species name', () => {
    const s = linked();
    const genusSpecies = s.species.split(' ').slice(0, 2).join(' ');
    const expected = new Set(strains.filter((x) => lower(x.species).includes(lower(genusSpecies))).map((x) => x.strain_id));
    const r = searchStrains(db, genusSpecies, { limit: 10_000 });
    // strains.tsv plus stub strains from strain_conditions.tsv may match; all tsv strains must be there.
    const got = new Set(r.hits.map((h) => `bacdive:${h.id}`));
    for (const id of expected) expect(got.has(id)).toBe(true);
    for (const h of r.hits) expect(lower(h.species ?? '')).toContain(lower(genusSpecies));
  });

  it('returns nothing for an unknown number', () => {
    expect(searchStrains(db, 'DSM 999999999').hits).toEqual([]);
  });
});

describe('listGenomes and genomeMedia', () => {
  it('lists a genome with its link status, strain and propagated media', async () => {
    expect(listGenomes(db)).toEqual([]);
    const s = strains.find((x) => x.dsm_number && x.species && growth.some((g) => g.strain_id === x.strain_id))!;
    const strainId = Number(s.strain_id.replace('bacdive:', ''));
    // A seeded random 20 kbp sequence: a genome of our own.
    let x = 99;
    let seq = '>isolate\n';
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      seq += 'ACGT'[x >>> 30];
    }
    const profile = await profileSource(bytesSource('isolate.fa', new TextEncoder().encode(seq)));
    const { genomeId } = await addGenome(db, profile, { species: s.species, strain: s.dsm_number, organismType: 'bacteria', sourceFile: 'isolate.fa' });
    try {
      expect(listGenomes(db)[0]).toMatchObject({ id: genomeId, linkStatus: 'unlinked', linkCount: 0, mediaCount: 0, origin: 'user' });
      linkGenome(db, genomeId, { species: s.species, organismType: 'bacteria', texts: [{ source: 'strain', text: s.dsm_number }] });
      const [row] = listGenomes(db);
      expect(row).toMatchObject({ id: genomeId, linkStatus: 'strain', reviewed: false, lengthBp: 20_000 });
      expect(row.strainLabel).toBe(`${s.species} ${s.dsm_number} (bacdive:${strainId})`);
      const linkRows = Number(db.exec('SELECT count(*) FROM genome_strain_links WHERE genome_id = ?', [genomeId])[0].values[0][0]);
      expect(row.linkCount).toBe(linkRows);
      // Every medium of the strain reaches the genome at strain level with the strain as evidence.
      const media = genomeMedia(db, genomeId, 1000);
      expect(row.mediaCount).toBe(media.length);
      for (const g of growth.filter((g) => g.strain_id === s.strain_id)) {
        expect(media.find((m) => m.mediumId === g.medium_id), g.medium_id).toMatchObject({ linkLevel: 'strain' });
      }
      for (let i = 1; i < media.length; i++) expect(media[i - 1].confidence).toBeGreaterThanOrEqual(media[i].confidence);
      // A user's "no strain matches" shows as 'none', reviewed.
      setGenomeLink(db, genomeId, null, 'strain', 'not this one');
      expect(listGenomes(db)[0]).toMatchObject({ linkStatus: 'none', reviewed: true, mediaCount: 0, strainLabel: null });
    } finally {
      deleteGenome(db, genomeId);
    }
  });
});
