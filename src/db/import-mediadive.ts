/**
 * Loads the shared MediaDive / BacDive TSVs (see ../shared/data/mediadive/README.md) into the
 * schema of migrations/001. Pure: takes the files' text, so the same code runs in Node and a worker.
 *
 * Every row with a valid key goes in, in file order (so the same files give the same database):
 * - strain_growth rows naming a retired medium (not in media.tsv) get a stub medium row
 *   (in_mediadive = 0, named as in strain_growth.tsv) instead of being dropped;
 * - strain_conditions rows of type strains without a medium link (not in strains.tsv) get a stub
 *   strain row (is_type_strain = 1, species from strain_conditions.tsv, domain from the genus);
 * - sub-solution recipe lines are kept as stock concentrations (see media_composition in 001).
 * Rows without a usable key are counted in `skipped` with the reason.
 */
import type { Database, Statement } from 'sql.js';
import { int, num, parseTsv, text, type Tsv } from './tsv';

export const MEDIADIVE_FILES = [
  'media',
  'solutions',
  'ingredients',
  'media_composition',
  'strains',
  'strain_growth',
  'strain_conditions',
  'taxon_media',
] as const;
export type MediadiveFile = (typeof MEDIADIVE_FILES)[number];
/** The text of each `<name>.tsv`. */
export type MediadiveTexts = Record<MediadiveFile, string>;

export interface SkippedRow {
  file: string;
  line: number;
  reason: string;
}

export interface MediadiveImportReport {
  /** Rows read per file (header excluded). */
  rowsRead: Record<MediadiveFile, number>;
  /** Rows written per table. */
  rowsWritten: Record<string, number>;
  /** Media ids that only strain_growth / taxon_media name, added as in_mediadive = 0. */
  retiredMedia: string[];
  /** Strains known only from strain_conditions.tsv, added as stub type strains. */
  conditionOnlyStrains: number;
  skipped: SkippedRow[];
}

const REQUIRED: Record<MediadiveFile, string[]> = {
  media: ['medium_id', 'name', 'complex_medium', 'min_ph', 'max_ph', 'source', 'link', 'solution_ids', 'main_solution_id'],
  solutions: ['solution_id', 'name', 'volume_ml', 'main_solution_of_medium'],
  ingredients: ['ingredient_id', 'name', 'chebi', 'cas_rn', 'pubchem', 'kegg', 'formula', 'molar_mass', 'density', 'group', 'element', 'is_complex'],
  media_composition: ['medium_id', 'solution_id', 'conc_basis', 'recipe_order', 'ingredient_id', 'g_per_l', 'mmol_per_l', 'ml_per_l', 'value_original', 'unit_original'],
  strains: ['strain_id', 'bacdive_id', 'dsm_number', 'culture_collection_numbers', 'designation', 'species', 'ncbi_taxid', 'ncbi_taxon_label', 'is_type_strain', 'domain', 'domain_source', 'metadata_source'],
  strain_growth: ['strain_id', 'medium_id', 'medium_name', 'growth', 'source'],
  strain_conditions: ['strain_id', 'species', 'condition', 'value', 'kind', 'test_result', 'source_file'],
  taxon_media: ['taxon_id', 'media_ids'],
};

/** Provenance labels for files whose rows carry none. */
export const FILE_SOURCES = {
  taxonMedia: 'TaxonMech mediadive_taxa.tsv (kg-microbe MediaDive edges), CC BY 4.0',
  conditionOnlyStrain: 'strain_conditions.tsv: BacDive type strain without a medium link (MicrobeDecoder exports)',
} as const;

/** 'bacdive:123' -> 123 */
export function parseStrainId(cell: string): number | null {
  const m = /^bacdive:(\d+)$/.exec(cell);
  return m ? Number(m[1]) : null;
}

/**
 * A BacDive value as a numeric range: '25-41' -> [25, 41], '06-09' -> [6, 9], '7' -> [7, 7],
 * '<2' -> [null, 2], '>14 days' -> [14, null], '-2-10' -> [-2, 10]; text ('aerobe') -> [null, null].
 */
export function parseRange(value: string): [number | null, number | null] {
  const m = /^\s*([<>]=?)?\s*(-?\d+(?:\.\d+)?)\s*(?:-\s*(-?\d+(?:\.\d+)?))?\s*(?:days?|°C|C|%)?\s*$/i.exec(value);
  if (!m) return [null, null];
  const a = Number(m[2]);
  const b = m[3] !== undefined ? Number(m[3]) : a;
  if (m[1]?.startsWith('<')) return [null, a];
  if (m[1]?.startsWith('>')) return [a, null];
  return a <= b ? [a, b] : [b, a];
}

function normDomain(d: string): 'Bacteria' | 'Archaea' | 'unresolved' | null {
  if (d === 'Bacteria' || d === 'Archaea') return d;
  if (d.startsWith('unresolved')) return 'unresolved';
  return null;
}

class SourceIds {
  private ids = new Map<string, number>();
  private stmt: Statement;
  private lookup: Statement;
  constructor(db: Database) {
    this.stmt = db.prepare('INSERT OR IGNORE INTO sources (label) VALUES (?)');
    this.lookup = db.prepare('SELECT id FROM sources WHERE label = ?');
  }
  get(label: string | null): number | null {
    if (!label) return null;
    let id = this.ids.get(label);
    if (id === undefined) {
      this.stmt.run([label]);
      this.lookup.bind([label]);
      this.lookup.step();
      id = Number(this.lookup.get()[0]);
      this.lookup.reset();
      this.ids.set(label, id);
    }
    return id;
  }
  free() {
    this.stmt.free();
    this.lookup.free();
  }
}

/** Parses all eight TSVs (throws DATA_INVALID naming the file on a bad header) and loads them in one transaction. */
export function importMediadive(db: Database, texts: MediadiveTexts): MediadiveImportReport {
  const t = {} as Record<MediadiveFile, Tsv>;
  for (const f of MEDIADIVE_FILES) t[f] = parseTsv(`${f}.tsv`, texts[f], REQUIRED[f]);
  const report: MediadiveImportReport = {
    rowsRead: Object.fromEntries(MEDIADIVE_FILES.map((f) => [f, t[f].rows.length])) as Record<MediadiveFile, number>,
    rowsWritten: {},
    retiredMedia: [],
    conditionOnlyStrains: 0,
    skipped: [],
  };
  const written = (table: string, n = 1) => (report.rowsWritten[table] = (report.rowsWritten[table] ?? 0) + n);
  const skip = (file: MediadiveFile, rowIndex: number, reason: string) => report.skipped.push({ file: `${file}.tsv`, line: rowIndex + 2, reason });

  db.exec('BEGIN');
  const stmts: Statement[] = [];
  const prep = (sql: string) => {
    const s = db.prepare(sql);
    stmts.push(s);
    return s;
  };
  const sources = new SourceIds(db);
  try {
    // media
    const media = t.media;
    const insMedium = prep(
      `INSERT INTO media (id, name, is_complex, min_ph, max_ph, collection, link, reference, description,
         organism_group_hint, culturemech_category, in_mediadive) VALUES (?,?,?,?,?,?,?,?,?,?,?,1)`,
    );
    const c = (tsv: Tsv, name: string) => tsv.header.indexOf(name);
    const mediaIds = new Set<string>();
    media.rows.forEach((r, i) => {
      const id = r[media.col('medium_id')].trim();
      if (!id) return skip('media', i, 'empty medium_id');
      if (mediaIds.has(id)) return skip('media', i, `duplicate medium_id ${id}`);
      const complex = int(r[media.col('complex_medium')]);
      insMedium.run([
        id,
        r[media.col('name')],
        complex === 0 || complex === 1 ? complex : null,
        num(r[media.col('min_ph')]),
        num(r[media.col('max_ph')]),
        text(r[media.col('source')]),
        text(r[media.col('link')]),
        text(r[c(media, 'reference')]),
        text(r[c(media, 'description')]),
        text(r[c(media, 'organism_group_hint')]),
        text(r[c(media, 'culturemech_category')]),
      ]);
      mediaIds.add(id);
      written('media');
    });

    // Retired media: named by strain_growth / taxon_media but absent from media.tsv.
    const insStubMedium = prep('INSERT INTO media (id, name, in_mediadive) VALUES (?, ?, 0)');
    const addStubMedium = (id: string, name: string) => {
      if (mediaIds.has(id)) return;
      insStubMedium.run([id, name]);
      mediaIds.add(id);
      report.retiredMedia.push(id);
      written('media');
    };
    const sg = t.strain_growth;
    for (const r of sg.rows) {
      const id = r[sg.col('medium_id')].trim();
      if (id) addStubMedium(id, r[sg.col('medium_name')] || `medium ${id} (not in MediaDive)`);
    }

    // solutions
    const sol = t.solutions;
    const insSolution = prep('INSERT INTO solutions (id, name, volume_ml, main_solution_of_medium) VALUES (?,?,?,?)');
    const solutionIds = new Set<number>();
    sol.rows.forEach((r, i) => {
      const id = int(r[sol.col('solution_id')]);
      if (id === null) return skip('solutions', i, `solution_id '${r[sol.col('solution_id')]}' is not a whole number`);
      if (solutionIds.has(id)) return skip('solutions', i, `duplicate solution_id ${id}`);
      insSolution.run([id, r[sol.col('name')], num(r[sol.col('volume_ml')]), text(r[sol.col('main_solution_of_medium')])]);
      solutionIds.add(id);
      written('solutions');
    });

    // media_solutions, from media.tsv solution_ids / main_solution_id
    const insMs = prep('INSERT INTO media_solutions (medium_id, solution_id, position, is_main) VALUES (?,?,?,?)');
    media.rows.forEach((r) => {
      const id = r[media.col('medium_id')].trim();
      if (!mediaIds.has(id)) return;
      const listed = r[media.col('solution_ids')].split('|').map((s) => int(s.trim()));
      const mains = new Set(r[media.col('main_solution_id')].split('|').map((s) => int(s.trim())));
      const ids: number[] = [];
      for (const s of [...listed, ...mains]) if (s !== null && solutionIds.has(s) && !ids.includes(s)) ids.push(s);
      ids.forEach((s, pos) => {
        insMs.run([id, s, pos + 1, mains.has(s) ? 1 : 0]);
        written('media_solutions');
      });
    });

    // ingredients
    const ing = t.ingredients;
    const insIng = prep(
      `INSERT INTO ingredients (id, name, chebi, cas_rn, pubchem, kegg, formula, molar_mass, density, base_group, element, is_complex)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const ingredientIds = new Set<number>();
    ing.rows.forEach((r, i) => {
      const id = int(r[ing.col('ingredient_id')]);
      if (id === null) return skip('ingredients', i, `ingredient_id '${r[ing.col('ingredient_id')]}' is not a whole number`);
      if (ingredientIds.has(id)) return skip('ingredients', i, `duplicate ingredient_id ${id}`);
      const complex = int(r[ing.col('is_complex')]);
      insIng.run([
        id,
        text(r[ing.col('name')]),
        text(r[ing.col('chebi')]),
        text(r[ing.col('cas_rn')]),
        text(r[ing.col('pubchem')]),
        text(r[ing.col('kegg')]),
        text(r[ing.col('formula')]),
        num(r[ing.col('molar_mass')]),
        num(r[ing.col('density')]),
        text(r[ing.col('group')]),
        text(r[ing.col('element')]),
        complex === 0 || complex === 1 ? complex : null,
      ]);
      ingredientIds.add(id);
      written('ingredients');
    });

    // media_composition
    const mc = t.media_composition;
    const insMc = prep(
      `INSERT INTO media_composition (medium_id, solution_id, recipe_order, ingredient_id, conc_basis,
         g_per_l, mmol_per_l, ml_per_l, stock_g_per_l, stock_mmol_per_l, stock_ml_per_l, value_original, unit_original)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const mcKeys = new Set<string>();
    mc.rows.forEach((r, i) => {
      const medium = r[mc.col('medium_id')].trim();
      const solution = int(r[mc.col('solution_id')]);
      const order = int(r[mc.col('recipe_order')]);
      const ingredient = int(r[mc.col('ingredient_id')]);
      const basis = r[mc.col('conc_basis')];
      if (!mediaIds.has(medium)) return skip('media_composition', i, `unknown medium_id '${medium}'`);
      if (solution === null || !solutionIds.has(solution)) return skip('media_composition', i, `unknown solution_id '${r[mc.col('solution_id')]}'`);
      if (ingredient === null || !ingredientIds.has(ingredient)) return skip('media_composition', i, `unknown ingredient_id '${r[mc.col('ingredient_id')]}'`);
      if (order === null) return skip('media_composition', i, `recipe_order '${r[mc.col('recipe_order')]}' is not a whole number`);
      if (basis !== 'final_medium' && basis !== 'stock_solution') return skip('media_composition', i, `conc_basis '${basis}' is neither final_medium nor stock_solution`);
      const key = `${medium}\t${solution}\t${order}`;
      if (mcKeys.has(key)) return skip('media_composition', i, `duplicate (medium, solution, recipe_order) ${key.replace(/\t/g, ', ')}`);
      mcKeys.add(key);
      const g = num(r[mc.col('g_per_l')]);
      const mm = num(r[mc.col('mmol_per_l')]);
      const ml = num(r[mc.col('ml_per_l')]);
      const final = basis === 'final_medium';
      insMc.run([
        medium,
        solution,
        order,
        ingredient,
        basis,
        final ? g : null,
        final ? mm : null,
        final ? ml : null,
        final ? null : g,
        final ? null : mm,
        final ? null : ml,
        text(r[mc.col('value_original')]),
        text(r[mc.col('unit_original')]),
      ]);
      written('media_composition');
    });

    // strains
    const st = t.strains;
    const insStrain = prep(
      `INSERT INTO strains (id, species, ncbi_taxid, ncbi_taxon_label, dsm_number, culture_collection_numbers,
         designation, is_type_strain, domain, domain_source_id, metadata_source_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const strainIds = new Set<number>();
    const domainByGenus = new Map<string, { domain: string; source: string }>();
    st.rows.forEach((r, i) => {
      const id = parseStrainId(r[st.col('strain_id')]);
      if (id === null) return skip('strains', i, `strain_id '${r[st.col('strain_id')]}' is not bacdive:<number>`);
      if (strainIds.has(id)) return skip('strains', i, `duplicate strain_id bacdive:${id}`);
      const species = text(r[st.col('species')]);
      const domain = normDomain(r[st.col('domain')]);
      const type = int(r[st.col('is_type_strain')]);
      insStrain.run([
        id,
        species,
        int(r[st.col('ncbi_taxid')]),
        text(r[st.col('ncbi_taxon_label')]),
        text(r[st.col('dsm_number')]),
        text(r[st.col('culture_collection_numbers')]),
        text(r[st.col('designation')]),
        type === 1 ? 1 : type === 0 ? 0 : null,
        domain,
        sources.get(text(r[st.col('domain_source')])),
        sources.get(text(r[st.col('metadata_source')])),
      ]);
      strainIds.add(id);
      const genus = species?.split(/\s+/)[0];
      if (genus && (domain === 'Bacteria' || domain === 'Archaea') && !domainByGenus.has(genus)) {
        domainByGenus.set(genus, { domain, source: 'genus as in strains.tsv (stub strain from strain_conditions.tsv)' });
      }
      written('strains');
    });

    // Stub strains for type strains that only strain_conditions.tsv knows.
    const sc = t.strain_conditions;
    const stubSource = sources.get(FILE_SOURCES.conditionOnlyStrain);
    sc.rows.forEach((r) => {
      const id = parseStrainId(r[sc.col('strain_id')]);
      if (id === null || strainIds.has(id)) return;
      const species = text(r[sc.col('species')]);
      const d = species ? domainByGenus.get(species.split(/\s+/)[0]) : undefined;
      insStrain.run([id, species, null, null, null, null, null, 1, d?.domain ?? null, sources.get(d?.source ?? null), stubSource]);
      strainIds.add(id);
      report.conditionOnlyStrains++;
      written('strains');
    });

    // strain_growth
    const insSg = prep('INSERT INTO strain_growth (strain_id, medium_id, growth, quality, source_id) VALUES (?,?,?,?,?)');
    const sgKeys = new Set<string>();
    const hasQuality = sg.header.includes('quality');
    sg.rows.forEach((r, i) => {
      const id = parseStrainId(r[sg.col('strain_id')]);
      const medium = r[sg.col('medium_id')].trim();
      const growth = r[sg.col('growth')].trim().toLowerCase();
      if (id === null || !strainIds.has(id)) return skip('strain_growth', i, `unknown strain_id '${r[sg.col('strain_id')]}'`);
      if (!medium) return skip('strain_growth', i, 'empty medium_id');
      if (growth !== 'yes' && growth !== 'no') return skip('strain_growth', i, `growth '${growth}' is neither yes nor no`);
      const key = `${id}\t${medium}`;
      if (sgKeys.has(key)) return skip('strain_growth', i, `duplicate (strain, medium) bacdive:${id}, ${medium}`);
      sgKeys.add(key);
      const q = hasQuality ? r[sg.col('quality')].trim().toLowerCase() : '';
      insSg.run([id, medium, growth, ['excellent', 'good', 'fair', 'poor'].includes(q) ? q : null, sources.get(text(r[sg.col('source')]))]);
      written('strain_growth');
    });

    // strain_conditions
    const insSc = prep(
      `INSERT INTO strain_conditions (strain_id, id, condition, value, min_value, max_value, kind, test_result, source_id)
       VALUES (?,?,?,?,?,?,?,?,?)`,
    );
    sc.rows.forEach((r, i) => {
      const id = parseStrainId(r[sc.col('strain_id')]);
      const condition = r[sc.col('condition')].trim();
      const value = r[sc.col('value')];
      if (id === null) return skip('strain_conditions', i, `strain_id '${r[sc.col('strain_id')]}' is not bacdive:<number>`);
      if (!condition) return skip('strain_conditions', i, 'empty condition');
      if (value.trim() === '') return skip('strain_conditions', i, 'empty value');
      const [lo, hi] = condition === 'oxygen_tolerance' ? [null, null] : parseRange(value);
      insSc.run([id, i + 2, condition, value, lo, hi, text(r[sc.col('kind')]), text(r[sc.col('test_result')]), sources.get(text(r[sc.col('source_file')]))]);
      written('strain_conditions');
    });

    // taxon_media
    const tm = t.taxon_media;
    const insTm = prep('INSERT OR IGNORE INTO taxon_media (ncbi_taxid, medium_id) VALUES (?, ?)');
    sources.get(FILE_SOURCES.taxonMedia);
    tm.rows.forEach((r, i) => {
      const m = /^NCBITaxon:(\d+)$/.exec(r[tm.col('taxon_id')].trim());
      if (!m) return skip('taxon_media', i, `taxon_id '${r[tm.col('taxon_id')]}' is not NCBITaxon:<number>`);
      for (const raw of r[tm.col('media_ids')].split('|')) {
        const medium = raw.trim().replace(/^mediadive\.medium:/, '');
        if (!medium) continue;
        addStubMedium(medium, `medium ${medium} (not in MediaDive)`);
        insTm.run([Number(m[1]), medium]);
        written('taxon_media', db.getRowsModified());
      }
    });

    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  } finally {
    for (const s of stmts) s.free();
    sources.free();
  }
  return report;
}
