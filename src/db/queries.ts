/**
 * Browse queries over the growth database: media by name or ingredient, a medium's recipe, strains
 * by species or culture-collection number, genomes with their link status. Pure sql.js (a worker
 * and Node tests share it); results are plain, structured-clone-safe objects.
 *
 * Concentrations (see media_composition in migrations/001): lines of a medium's main solution are
 * FINAL concentrations; lines of sub-solutions (trace elements, vitamins, ...) are per litre OF THE
 * STOCK, whose volume in the medium is unknown. Recipe lines carry `basis` so a UI can mark them.
 */
import type { Database, SqlValue } from 'sql.js';
import { findCcnos, splitCcnoList } from './culture-collections';

function rows(db: Database, sql: string, params: SqlValue[] = []): SqlValue[][] {
  return db.exec(sql, params)[0]?.values ?? [];
}

const str = (v: SqlValue) => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: SqlValue) => (v === null || v === undefined ? null : Number(v));
/** LIKE pattern for "contains", with %, _ and \ escaped. */
const likeContains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface SearchOptions {
  /** Most results returned. @default 50 */
  limit?: number;
}
export const SEARCH_DEFAULTS = { limit: 50 } satisfies Required<SearchOptions>;

function resolveLimit(options: SearchOptions): number {
  const limit = options.limit ?? SEARCH_DEFAULTS.limit;
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 10_000) : SEARCH_DEFAULTS.limit;
}

export interface MediumHit {
  id: string;
  name: string;
  isComplex: boolean | null;
  minPh: number | null;
  maxPh: number | null;
  collection: string | null;
  /** How it matched: its id, its name, or an ingredient (named in `ingredient`). Empty query: 'popular'. */
  matchedBy: 'id' | 'name' | 'ingredient' | 'popular';
  ingredient: string | null;
  /** Strains (BacDive) recorded as growing on it. */
  strainCount: number;
}

export interface MediaSearchResult {
  query: string;
  hits: MediumHit[];
  /** Matches before the limit. */
  total: number;
}

const MEDIUM_COLS = `m.id, m.name, m.is_complex, m.min_ph, m.max_ph, m.collection,
  (SELECT count(*) FROM strain_growth g WHERE g.medium_id = m.id) AS strains`;

function mediumHit(r: SqlValue[], matchedBy: MediumHit['matchedBy'], ingredient: string | null = null): MediumHit {
  return {
    id: String(r[0]),
    name: String(r[1]),
    isComplex: r[2] === null ? null : r[2] === 1,
    minPh: numOrNull(r[3]),
    maxPh: numOrNull(r[4]),
    collection: str(r[5]),
    matchedBy,
    ingredient,
    strainCount: Number(r[6]),
  };
}

/**
 * Media whose id equals the text, whose name contains it, or that contain an ingredient whose name
 * contains it (case-insensitive). Id matches come first, then name matches, then ingredient
 * matches; within each, media with more strains first. Empty text: the most used media.
 */
export function searchMedia(db: Database, text: string, options: SearchOptions = {}): MediaSearchResult {
  const limit = resolveLimit(options);
  const q = text.trim();
  if (!q) {
    const hits = rows(db, `SELECT ${MEDIUM_COLS} FROM media m ORDER BY strains DESC, m.id LIMIT ?`, [limit]).map((r) => mediumHit(r, 'popular'));
    return { query: q, hits, total: Number(rows(db, 'SELECT count(*) FROM media')[0][0]) };
  }
  const like = likeContains(q);
  const seen = new Set<string>();
  const all: MediumHit[] = [];
  const add = (h: MediumHit) => {
    if (seen.has(h.id)) return;
    seen.add(h.id);
    all.push(h);
  };
  for (const r of rows(db, `SELECT ${MEDIUM_COLS} FROM media m WHERE m.id = ? COLLATE NOCASE`, [q])) add(mediumHit(r, 'id'));
  for (const r of rows(db, `SELECT ${MEDIUM_COLS} FROM media m WHERE m.name LIKE ? ESCAPE '\\' ORDER BY strains DESC, length(m.name), m.id`, [like])) {
    add(mediumHit(r, 'name'));
  }
  const byIngredient = rows(
    db,
    `SELECT ${MEDIUM_COLS}, (SELECT i.name FROM media_composition c JOIN ingredients i ON i.id = c.ingredient_id
        WHERE c.medium_id = m.id AND i.name LIKE ?1 ESCAPE '\\' ORDER BY length(i.name), i.name LIMIT 1) AS ing
     FROM media m WHERE EXISTS (SELECT 1 FROM media_composition c JOIN ingredients i ON i.id = c.ingredient_id
        WHERE c.medium_id = m.id AND i.name LIKE ?1 ESCAPE '\\')
     ORDER BY strains DESC, m.id`,
    [like],
  );
  for (const r of byIngredient) add(mediumHit(r, 'ingredient', str(r[7])));
  return { query: q, hits: all.slice(0, limit), total: all.length };
}

export interface RecipeLine {
  order: number;
  ingredientId: number;
  name: string;
  formula: string | null;
  chebi: string | null;
  isComplex: boolean | null;
  /** 'final_medium': per litre of the medium; 'stock_solution': per litre of this stock solution. */
  basis: 'final_medium' | 'stock_solution';
  gPerL: number | null;
  mmolPerL: number | null;
  mlPerL: number | null;
  valueOriginal: string | null;
  unitOriginal: string | null;
}

export interface RecipeSolution {
  id: number;
  name: string;
  volumeMl: number | null;
  /** The solution whose litre is the final medium. */
  isMain: boolean;
  lines: RecipeLine[];
}

export interface Recipe {
  id: string;
  name: string;
  isComplex: boolean | null;
  minPh: number | null;
  maxPh: number | null;
  collection: string | null;
  link: string | null;
  reference: string | null;
  description: string | null;
  inMediadive: boolean;
  solutions: RecipeSolution[];
  /** BacDive strains recorded as growing on it, and NCBI taxa (taxon_media). */
  strainCount: number;
  taxonCount: number;
}

/** A medium with its solutions and recipe lines (main solution first), or null if there is no such medium. */
export function getRecipe(db: Database, mediumId: string): Recipe | null {
  const m = rows(db, 'SELECT id, name, is_complex, min_ph, max_ph, collection, link, reference, description, in_mediadive FROM media WHERE id = ?', [mediumId]);
  if (!m.length) return null;
  const [id, name, isComplex, minPh, maxPh, collection, link, reference, description, inMediadive] = m[0];
  const solutions = new Map<number, RecipeSolution>();
  const solutionRows = rows(
    db,
    `SELECT s.id, s.name, s.volume_ml, max(x.is_main), min(x.pos) FROM (
        SELECT solution_id, is_main, position AS pos FROM media_solutions WHERE medium_id = ?1
        UNION ALL
        SELECT solution_id, conc_basis = 'final_medium', 1000000 + min(recipe_order) FROM media_composition WHERE medium_id = ?1 GROUP BY solution_id, conc_basis
      ) x JOIN solutions s ON s.id = x.solution_id
      GROUP BY s.id ORDER BY max(x.is_main) DESC, min(x.pos), s.id`,
    [mediumId],
  );
  for (const [sid, sname, vol, main] of solutionRows) {
    solutions.set(Number(sid), { id: Number(sid), name: String(sname), volumeMl: numOrNull(vol), isMain: main === 1, lines: [] });
  }
  const lines = rows(
    db,
    `SELECT c.solution_id, c.recipe_order, c.ingredient_id, i.name, i.formula, i.chebi, i.is_complex, c.conc_basis,
            coalesce(c.g_per_l, c.stock_g_per_l), coalesce(c.mmol_per_l, c.stock_mmol_per_l), coalesce(c.ml_per_l, c.stock_ml_per_l),
            c.value_original, c.unit_original
     FROM media_composition c JOIN ingredients i ON i.id = c.ingredient_id
     WHERE c.medium_id = ? ORDER BY c.solution_id, c.recipe_order`,
    [mediumId],
  );
  for (const r of lines) {
    const sol = solutions.get(Number(r[0]));
    if (!sol) continue;
    sol.lines.push({
      order: Number(r[1]),
      ingredientId: Number(r[2]),
      name: str(r[3]) ?? `ingredient ${r[2]}`,
      formula: str(r[4]),
      chebi: str(r[5]),
      isComplex: r[6] === null ? null : r[6] === 1,
      basis: r[7] === 'stock_solution' ? 'stock_solution' : 'final_medium',
      gPerL: numOrNull(r[8]),
      mmolPerL: numOrNull(r[9]),
      mlPerL: numOrNull(r[10]),
      valueOriginal: str(r[11]),
      unitOriginal: str(r[12]),
    });
  }
  return {
    id: String(id),
    name: String(name),
    isComplex: isComplex === null ? null : isComplex === 1,
    minPh: numOrNull(minPh),
    maxPh: numOrNull(maxPh),
    collection: str(collection),
    link: str(link),
    reference: str(reference),
    description: str(description),
    inMediadive: inMediadive === 1,
    solutions: [...solutions.values()],
    strainCount: Number(rows(db, 'SELECT count(*) FROM strain_growth WHERE medium_id = ?', [mediumId])[0][0]),
    taxonCount: Number(rows(db, 'SELECT count(DISTINCT ncbi_taxid) FROM taxon_media WHERE medium_id = ?', [mediumId])[0][0]),
  };
}

export interface StrainHit {
  /** BacDive id. */
  id: number;
  species: string | null;
  dsmNumber: string | null;
  /** Culture-collection numbers, normalised ('DSM 20231', 'ATCC 33560', ...). */
  ccnos: string[];
  designation: string | null;
  isTypeStrain: boolean;
  domain: string | null;
  ncbiTaxid: number | null;
  matchedBy: 'number' | 'species' | 'bacdive';
  /** Media the strain grows on (strain_growth). */
  media: { id: string; name: string; growth: string }[];
}

export interface StrainSearchResult {
  query: string;
  /** Culture-collection numbers read from the query ("dsm20231" -> "DSM 20231"). */
  numbers: string[];
  hits: StrainHit[];
  total: number;
}

const STRAIN_COLS = 's.id, s.species, s.dsm_number, s.culture_collection_numbers, s.designation, s.is_type_strain, s.domain, s.ncbi_taxid';

function strainHit(db: Database, r: SqlValue[], matchedBy: StrainHit['matchedBy']): StrainHit {
  const ccnos = splitCcnoList(str(r[3]) ?? '');
  const dsm = str(r[2]);
  if (dsm && !ccnos.includes(dsm)) ccnos.unshift(dsm);
  return {
    id: Number(r[0]),
    species: str(r[1]),
    dsmNumber: dsm,
    ccnos,
    designation: str(r[4]),
    isTypeStrain: r[5] === 1,
    domain: str(r[6]),
    ncbiTaxid: numOrNull(r[7]),
    matchedBy,
    media: rows(db, 'SELECT g.medium_id, m.name, g.growth FROM strain_growth g JOIN media m ON m.id = g.medium_id WHERE g.strain_id = ? ORDER BY g.medium_id', [Number(r[0])]).map(
      ([mid, mname, growth]) => ({ id: String(mid), name: String(mname), growth: String(growth) }),
    ),
  };
}

/**
 * Strains by culture-collection number ("DSM 20231", "dsm20231", "ATCC BAA-918"; a bare number is
 * read as a DSM number), by BacDive id ("bacdive:4907"), or by species name (contains, case-insensitive).
 */
export function searchStrains(db: Database, text: string, options: SearchOptions = {}): StrainSearchResult {
  const limit = resolveLimit(options);
  const q = text.trim();
  if (!q) return { query: q, numbers: [], hits: [], total: 0 };
  const hits: StrainHit[] = [];
  const seen = new Set<number>();
  let total = 0;
  const take = (r: SqlValue[], by: StrainHit['matchedBy']) => {
    const id = Number(r[0]);
    if (seen.has(id)) return;
    seen.add(id);
    total++;
    if (hits.length < limit) hits.push(strainHit(db, r, by));
  };

  const bacdive = /^(?:bacdive[:\s]*)(\d+)$/i.exec(q);
  if (bacdive) for (const r of rows(db, `SELECT ${STRAIN_COLS} FROM strains s WHERE s.id = ?`, [Number(bacdive[1])])) take(r, 'bacdive');

  const numbers = /^\d+$/.test(q) ? [`DSM ${q.replace(/^0+(?=\d)/, '')}`] : findCcnos(q);
  for (const ccno of numbers) {
    const candidates = rows(
      db,
      `SELECT ${STRAIN_COLS} FROM strains s WHERE s.dsm_number = ?1 OR s.culture_collection_numbers LIKE ?2 ESCAPE '\\' ORDER BY s.id`,
      [ccno, likeContains(ccno)],
    );
    for (const r of candidates) {
      const list = splitCcnoList(str(r[3]) ?? '');
      if (r[2] === ccno || list.includes(ccno)) take(r, 'number');
    }
  }
  if (!numbers.length && !bacdive) {
    const species = rows(
      db,
      `SELECT ${STRAIN_COLS} FROM strains s WHERE s.species LIKE ? ESCAPE '\\'
       ORDER BY (SELECT count(*) FROM strain_growth g WHERE g.strain_id = s.id) = 0, s.is_type_strain IS NOT 1, s.species, s.id`,
      [likeContains(q)],
    );
    for (const r of species) take(r, 'species');
  }
  return { query: q, numbers, hits, total };
}

export type GenomeLinkStatus = 'strain' | 'species' | 'genus' | 'none' | 'unlinked';

export interface GenomeRow {
  id: number;
  name: string;
  species: string | null;
  strain: string | null;
  organismType: string;
  lengthBp: number;
  gcFraction: number | null;
  origin: 'snapshot' | 'user';
  sourceFile: string | null;
  /** Best link level; 'none' = a user decided no strain matches; 'unlinked' = no links at all. */
  linkStatus: GenomeLinkStatus;
  linkCount: number;
  reviewed: boolean;
  /** The strain-level strain, when there is one: 'Escherichia coli DSM 18039 (bacdive:4907)'. */
  strainLabel: string | null;
  /** Media in genome_growth (propagated growth). */
  mediaCount: number;
}

/** Every genome with its link status, user genomes first (newest first), then snapshot genomes by name. */
export function listGenomes(db: Database): GenomeRow[] {
  return rows(
    db,
    `SELECT g.id, g.name, g.species, g.strain, g.organism_type, g.length_bp, g.gc_fraction, g.origin, g.source_file,
       (SELECT l.level FROM genome_strain_links l WHERE l.genome_id = g.id
          ORDER BY CASE l.level WHEN 'strain' THEN 0 WHEN 'species' THEN 1 WHEN 'genus' THEN 2 ELSE 3 END LIMIT 1),
       (SELECT count(*) FROM genome_strain_links l WHERE l.genome_id = g.id),
       EXISTS (SELECT 1 FROM genome_strain_links l WHERE l.genome_id = g.id AND l.reviewed_by_user = 1),
       (SELECT coalesce(s.species, '?') || coalesce(' ' || s.dsm_number, '') || ' (bacdive:' || s.id || ')'
          FROM genome_strain_links l JOIN strains s ON s.id = l.strain_id WHERE l.genome_id = g.id AND l.level = 'strain' ORDER BY s.id LIMIT 1),
       (SELECT count(*) FROM genome_growth gg WHERE gg.genome_id = g.id)
     FROM genomes g ORDER BY g.origin = 'snapshot', CASE WHEN g.origin = 'user' THEN -g.id ELSE 0 END, g.name, g.id`,
  ).map((r) => ({
    id: Number(r[0]),
    name: String(r[1]),
    species: str(r[2]),
    strain: str(r[3]),
    organismType: String(r[4]),
    lengthBp: Number(r[5]),
    gcFraction: numOrNull(r[6]),
    origin: r[7] === 'snapshot' ? 'snapshot' : 'user',
    sourceFile: str(r[8]),
    linkStatus: (str(r[9]) ?? 'unlinked') as GenomeLinkStatus,
    linkCount: Number(r[10]),
    reviewed: r[11] === 1,
    strainLabel: str(r[12]),
    mediaCount: Number(r[13]),
  }));
}

export interface GenomeMedium {
  mediumId: string;
  name: string;
  confidence: number;
  linkLevel: string;
  source: string;
  evidence: string;
  nEvidence: number;
}

/** A genome's propagated media (genome_growth), most confident first. */
export function genomeMedia(db: Database, genomeId: number, limit = 20): GenomeMedium[] {
  return rows(
    db,
    `SELECT gg.medium_id, m.name, gg.confidence, gg.link_level, gg.source, gg.evidence, gg.n_evidence
     FROM genome_growth gg JOIN media m ON m.id = gg.medium_id WHERE gg.genome_id = ?
     ORDER BY gg.confidence DESC, gg.n_evidence DESC, gg.medium_id LIMIT ?`,
    [genomeId, limit],
  ).map((r) => ({
    mediumId: String(r[0]),
    name: String(r[1]),
    confidence: Number(r[2]),
    linkLevel: String(r[3]),
    source: String(r[4]),
    evidence: String(r[5]),
    nEvidence: Number(r[6]),
  }));
}
