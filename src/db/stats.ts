/**
 * Database quality report: counts per table, per domain and per organism type, the gaps a user
 * should know about (media without composition, strains without a medium, genomes without links,
 * duplicate genomes, orphan rows) and the user's lab outcomes. Shared by `mediaforge db stats` and
 * the app's database page.
 */
import type { Database } from 'sql.js';
import { readPragmaInt, tablesAtVersion } from './migrations';

export interface StatRow {
  /** Stable key, e.g. 'media.withoutComposition' (also the key in DbStats.values). */
  key: string;
  label: string;
  value: number;
  /** What is counted: 'rows', 'media', 'strains', ... */
  unit: string;
}

export interface StatSection {
  id: string;
  title: string;
  rows: StatRow[];
}

export interface DbStats {
  schemaVersion: number;
  sections: StatSection[];
  /** Every row's value by key. */
  values: Record<string, number>;
}

function scalar(db: Database, sql: string): number {
  const r = db.exec(sql);
  return Number(r[0]?.values[0]?.[0] ?? 0);
}

function pairs(db: Database, sql: string): [string, number][] {
  const r = db.exec(sql);
  return (r[0]?.values ?? []).map((v) => [v[0] === null ? 'unknown' : String(v[0]), Number(v[1])]);
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'unknown';

/** Orphan checks: [key, label, SQL counting rows whose parent is missing]. */
const ORPHAN_CHECKS: [string, string, string][] = [
  ['media_solutions', 'media_solutions without medium or solution', 'SELECT count(*) FROM media_solutions x LEFT JOIN media m ON m.id = x.medium_id LEFT JOIN solutions s ON s.id = x.solution_id WHERE m.id IS NULL OR s.id IS NULL'],
  ['media_composition', 'media_composition without medium, solution or ingredient', 'SELECT count(*) FROM media_composition x LEFT JOIN media m ON m.id = x.medium_id LEFT JOIN solutions s ON s.id = x.solution_id LEFT JOIN ingredients i ON i.id = x.ingredient_id WHERE m.id IS NULL OR s.id IS NULL OR i.id IS NULL'],
  ['strain_growth', 'strain_growth without strain or medium', 'SELECT count(*) FROM strain_growth x LEFT JOIN strains s ON s.id = x.strain_id LEFT JOIN media m ON m.id = x.medium_id WHERE s.id IS NULL OR m.id IS NULL'],
  ['strain_conditions', 'strain_conditions without strain', 'SELECT count(*) FROM strain_conditions x LEFT JOIN strains s ON s.id = x.strain_id WHERE s.id IS NULL'],
  ['taxon_media', 'taxon_media without medium', 'SELECT count(*) FROM taxon_media x LEFT JOIN media m ON m.id = x.medium_id WHERE m.id IS NULL'],
  ['genome_profiles', 'genome_profiles without genome', 'SELECT count(*) FROM genome_profiles x LEFT JOIN genomes g ON g.id = x.genome_id WHERE g.id IS NULL'],
  ['genome_embeddings', 'genome_embeddings without genome or model', 'SELECT count(*) FROM genome_embeddings x LEFT JOIN genomes g ON g.id = x.genome_id LEFT JOIN models m ON m.id = x.model_id WHERE g.id IS NULL OR m.id IS NULL'],
  ['genome_strain_links', 'genome_strain_links without genome or strain', 'SELECT count(*) FROM genome_strain_links x LEFT JOIN genomes g ON g.id = x.genome_id LEFT JOIN strains s ON s.id = x.strain_id WHERE g.id IS NULL OR (x.strain_id IS NOT NULL AND s.id IS NULL)'],
  ['genome_growth', 'genome_growth without genome or medium', 'SELECT count(*) FROM genome_growth x LEFT JOIN genomes g ON g.id = x.genome_id LEFT JOIN media m ON m.id = x.medium_id WHERE g.id IS NULL OR m.id IS NULL'],
  ['lab_outcomes', 'lab_outcomes without genome or medium', 'SELECT count(*) FROM lab_outcomes x LEFT JOIN genomes g ON g.id = x.genome_id LEFT JOIN media m ON m.id = x.medium_id WHERE g.id IS NULL OR m.id IS NULL'],
];

/** Computes the report. Works on any schema version >= 1 (genome sections need version 2). */
export function collectStats(db: Database): DbStats {
  const version = readPragmaInt(db, 'user_version');
  const present = new Set((db.exec("SELECT name FROM sqlite_schema WHERE type = 'table'")[0]?.values ?? []).map((r) => String(r[0])));
  const has = (t: string) => present.has(t);
  const sections: StatSection[] = [];
  const section = (id: string, title: string) => {
    const s: StatSection = { id, title, rows: [] };
    sections.push(s);
    return (key: string, label: string, value: number, unit: string) => s.rows.push({ key: `${id}.${key}`, label, value, unit });
  };

  const tables = section('tables', 'Rows per table');
  for (const t of tablesAtVersion(version)) if (has(t)) tables(t, t, scalar(db, `SELECT count(*) FROM "${t}"`), 'rows');

  if (has('media')) {
    const add = section('media', 'Media');
    add('total', 'media', scalar(db, 'SELECT count(*) FROM media'), 'media');
    add('inMediadive', 'in MediaDive', scalar(db, 'SELECT count(*) FROM media WHERE in_mediadive = 1'), 'media');
    add('retired', 'retired (named only by growth links)', scalar(db, 'SELECT count(*) FROM media WHERE in_mediadive = 0'), 'media');
    add('complex', 'complex', scalar(db, 'SELECT count(*) FROM media WHERE is_complex = 1'), 'media');
    add('defined', 'chemically defined', scalar(db, 'SELECT count(*) FROM media WHERE is_complex = 0'), 'media');
    for (const [c, n] of pairs(db, 'SELECT collection, count(*) FROM media GROUP BY collection ORDER BY count(*) DESC, collection')) {
      add(`collection_${slug(c)}`, `recipe from ${c}`, n, 'media');
    }
    add('withComposition', 'with composition rows', scalar(db, 'SELECT count(DISTINCT medium_id) FROM media_composition'), 'media');
    add('withFinalComposition', 'with final concentrations (main solution)', scalar(db, "SELECT count(DISTINCT medium_id) FROM media_composition WHERE conc_basis = 'final_medium'"), 'media');
    add('withoutComposition', 'without composition', scalar(db, 'SELECT count(*) FROM media m WHERE NOT EXISTS (SELECT 1 FROM media_composition c WHERE c.medium_id = m.id)'), 'media');
    add('withoutCompositionInMediadive', 'without composition, in MediaDive', scalar(db, 'SELECT count(*) FROM media m WHERE in_mediadive = 1 AND NOT EXISTS (SELECT 1 FROM media_composition c WHERE c.medium_id = m.id)'), 'media');
    add('withStrainGrowth', 'with strain growth records', scalar(db, 'SELECT count(DISTINCT medium_id) FROM strain_growth'), 'media');
    add('withTaxonMedia', 'with taxon growth records', scalar(db, 'SELECT count(DISTINCT medium_id) FROM taxon_media'), 'media');
    add('withoutGrowth', 'without any growth record', scalar(db, 'SELECT count(*) FROM media m WHERE NOT EXISTS (SELECT 1 FROM strain_growth g WHERE g.medium_id = m.id) AND NOT EXISTS (SELECT 1 FROM taxon_media t WHERE t.medium_id = m.id)'), 'media');
  }

  if (has('media_composition')) {
    const add = section('composition', 'Composition');
    add('rows', 'recipe lines', scalar(db, 'SELECT count(*) FROM media_composition'), 'rows');
    add('finalRows', 'final concentrations (main solution)', scalar(db, "SELECT count(*) FROM media_composition WHERE conc_basis = 'final_medium'"), 'rows');
    add('stockRows', 'stock concentrations (sub-solutions)', scalar(db, "SELECT count(*) FROM media_composition WHERE conc_basis = 'stock_solution'"), 'rows');
    add('ingredientsUsed', 'ingredients used', scalar(db, 'SELECT count(DISTINCT ingredient_id) FROM media_composition'), 'ingredients');
    add('ingredientsUnused', 'ingredients in no recipe', scalar(db, 'SELECT count(*) FROM ingredients i WHERE NOT EXISTS (SELECT 1 FROM media_composition c WHERE c.ingredient_id = i.id)'), 'ingredients');
    add('solutionsWithoutLines', 'solutions without recipe lines', scalar(db, 'SELECT count(*) FROM solutions WHERE id NOT IN (SELECT solution_id FROM media_composition)'), 'solutions');
  }

  if (has('strains')) {
    const add = section('strains', 'Strains');
    add('total', 'strains', scalar(db, 'SELECT count(*) FROM strains'), 'strains');
    for (const [d, n] of pairs(db, 'SELECT domain, count(*) FROM strains GROUP BY domain ORDER BY count(*) DESC, domain')) {
      add(`domain_${slug(d)}`, `domain ${d}`, n, 'strains');
    }
    add('typeStrains', 'type strains', scalar(db, 'SELECT count(*) FROM strains WHERE is_type_strain = 1'), 'strains');
    add('withDsmNumber', 'with a DSM number', scalar(db, 'SELECT count(*) FROM strains WHERE dsm_number IS NOT NULL'), 'strains');
    add('withCollectionNumbers', 'with culture-collection numbers', scalar(db, 'SELECT count(*) FROM strains WHERE culture_collection_numbers IS NOT NULL'), 'strains');
    add('withMedium', 'with a medium', scalar(db, 'SELECT count(DISTINCT strain_id) FROM strain_growth'), 'strains');
    add('withoutMedium', 'without a medium', scalar(db, 'SELECT count(*) FROM strains s WHERE NOT EXISTS (SELECT 1 FROM strain_growth g WHERE g.strain_id = s.id)'), 'strains');
    add('withConditions', 'with growth conditions', scalar(db, 'SELECT count(DISTINCT strain_id) FROM strain_conditions'), 'strains');
    add('withoutName', 'without a species name', scalar(db, 'SELECT count(*) FROM strains WHERE species IS NULL'), 'strains');
  }

  if (has('strain_growth')) {
    const add = section('strainGrowth', 'Strain growth');
    add('rows', 'strain-medium records', scalar(db, 'SELECT count(*) FROM strain_growth'), 'rows');
    add('growthYes', 'growth yes', scalar(db, "SELECT count(*) FROM strain_growth WHERE growth = 'yes'"), 'rows');
    add('growthNo', 'growth no', scalar(db, "SELECT count(*) FROM strain_growth WHERE growth = 'no'"), 'rows');
    add('qualityUnknown', 'without growth quality', scalar(db, 'SELECT count(*) FROM strain_growth WHERE quality IS NULL'), 'rows');
    for (const [d, n] of pairs(db, 'SELECT s.domain, count(*) FROM strain_growth g JOIN strains s ON s.id = g.strain_id GROUP BY s.domain ORDER BY count(*) DESC, s.domain')) {
      add(`domain_${slug(d)}`, `records of domain ${d}`, n, 'rows');
    }
    for (const [d, n] of pairs(db, 'SELECT s.domain, count(DISTINCT g.medium_id) FROM strain_growth g JOIN strains s ON s.id = g.strain_id GROUP BY s.domain ORDER BY count(*) DESC, s.domain')) {
      add(`mediaOfDomain_${slug(d)}`, `media used by domain ${d}`, n, 'media');
    }
  }

  if (has('strain_conditions')) {
    const add = section('conditions', 'Growth conditions');
    add('rows', 'condition records', scalar(db, 'SELECT count(*) FROM strain_conditions'), 'rows');
    for (const [c, n] of pairs(db, 'SELECT condition, count(*) FROM strain_conditions GROUP BY condition ORDER BY count(*) DESC, condition')) {
      add(`condition_${slug(c)}`, c, n, 'rows');
    }
    add('parsedRanges', 'with a parsed numeric range', scalar(db, 'SELECT count(*) FROM strain_conditions WHERE min_value IS NOT NULL OR max_value IS NOT NULL'), 'rows');
  }

  if (has('taxon_media')) {
    const add = section('taxonMedia', 'Taxon media');
    add('rows', 'taxon-medium records', scalar(db, 'SELECT count(*) FROM taxon_media'), 'rows');
    add('taxa', 'NCBI taxa', scalar(db, 'SELECT count(DISTINCT ncbi_taxid) FROM taxon_media'), 'taxa');
    add('media', 'media', scalar(db, 'SELECT count(DISTINCT medium_id) FROM taxon_media'), 'media');
    add('taxaOfStrains', 'taxa that are a strain taxon', scalar(db, 'SELECT count(DISTINCT ncbi_taxid) FROM taxon_media WHERE ncbi_taxid IN (SELECT ncbi_taxid FROM strains)'), 'taxa');
  }

  if (has('genomes')) {
    // Whole genomes (a FASTA file each) and records (one record of a collection file) apart.
    const hasRecords = db.exec("SELECT 1 FROM pragma_table_info('genomes') WHERE name = 'record_id'").length > 0;
    const whole = hasRecords ? 'record_id IS NULL' : '1';
    const add = section('genomes', 'Genomes');
    add('total', 'genomes', scalar(db, `SELECT count(*) FROM genomes WHERE ${whole}`), 'genomes');
    for (const [t, n] of pairs(db, `SELECT organism_type, count(*) FROM genomes WHERE ${whole} GROUP BY organism_type ORDER BY count(*) DESC, organism_type`)) {
      add(`type_${slug(t)}`, t, n, 'genomes');
    }
    add('withProfile', 'with a k-mer profile', scalar(db, `SELECT count(*) FROM genome_profiles p JOIN genomes g ON g.id = p.genome_id WHERE ${whole}`), 'genomes');
    add('duplicates', 'sharing a content hash with another', scalar(db, 'SELECT count(*) FROM genomes WHERE content_hash IN (SELECT content_hash FROM genomes GROUP BY content_hash HAVING count(*) > 1)'), 'genomes');
    add('withEmbeddings', 'with an embedding', scalar(db, `SELECT count(DISTINCT e.genome_id) FROM genome_embeddings e JOIN genomes g ON g.id = e.genome_id WHERE ${whole}`), 'genomes');
    add('models', 'models', scalar(db, 'SELECT count(*) FROM models'), 'models');
    if (hasRecords) {
      const rec = section('records', 'Records of multi-record files (contigs, MAGs, fragments)');
      rec('total', 'records', scalar(db, 'SELECT count(*) FROM genomes WHERE record_id IS NOT NULL'), 'records');
      for (const [t, n] of pairs(db, 'SELECT record_type, count(*) FROM genomes WHERE record_id IS NOT NULL GROUP BY record_type ORDER BY count(*) DESC, record_type')) {
        rec(`type_${slug(t)}`, t, n, 'records');
      }
      rec('withEmbeddings', 'with an embedding', scalar(db, 'SELECT count(DISTINCT e.genome_id) FROM genome_embeddings e JOIN genomes g ON g.id = e.genome_id WHERE g.record_id IS NOT NULL'), 'records');
    }

    const links = section('links', 'Genome links (best level per genome)');
    const best = pairs(
      db,
      `SELECT lvl, count(*) FROM (
         SELECT g.id, (SELECT l.level FROM genome_strain_links l WHERE l.genome_id = g.id
                       ORDER BY CASE l.level WHEN 'strain' THEN 0 WHEN 'species' THEN 1 WHEN 'genus' THEN 2 ELSE 3 END LIMIT 1) AS lvl
         FROM genomes g WHERE ${whole}) GROUP BY lvl`,
    );
    const byLevel = new Map(best);
    links('strain', 'strain level', byLevel.get('strain') ?? 0, 'genomes');
    links('species', 'species level', byLevel.get('species') ?? 0, 'genomes');
    links('genus', 'genus level', byLevel.get('genus') ?? 0, 'genomes');
    links('none', 'no strain (reviewed by user)', byLevel.get('none') ?? 0, 'genomes');
    links('unlinked', 'without links', byLevel.get('unknown') ?? 0, 'genomes');
    for (const [t, n] of pairs(db, `SELECT organism_type, count(*) FROM genomes g WHERE ${whole} AND NOT EXISTS (SELECT 1 FROM genome_strain_links l WHERE l.genome_id = g.id) GROUP BY organism_type ORDER BY count(*) DESC, organism_type`)) {
      links(`unlinked_${slug(t)}`, `without links: ${t}`, n, 'genomes');
    }
    links('reviewed', 'reviewed by user', scalar(db, 'SELECT count(DISTINCT genome_id) FROM genome_strain_links WHERE reviewed_by_user = 1'), 'genomes');
    links('rows', 'link rows', scalar(db, 'SELECT count(*) FROM genome_strain_links'), 'rows');

    const gg = section('genomeGrowth', 'Genome growth (propagated)');
    gg('rows', 'genome-medium records', scalar(db, 'SELECT count(*) FROM genome_growth'), 'rows');
    gg('genomes', 'genomes with a medium', scalar(db, 'SELECT count(DISTINCT genome_id) FROM genome_growth'), 'genomes');
    gg('media', 'media', scalar(db, 'SELECT count(DISTINCT medium_id) FROM genome_growth'), 'media');
    for (const [l, n] of pairs(db, "SELECT link_level, count(*) FROM genome_growth GROUP BY link_level ORDER BY CASE link_level WHEN 'strain' THEN 0 WHEN 'species' THEN 1 ELSE 2 END")) {
      gg(`level_${slug(l)}`, `best evidence at ${l} level`, n, 'rows');
    }
    for (const [s, n] of pairs(db, 'SELECT source, count(*) FROM genome_growth GROUP BY source ORDER BY source')) gg(`source_${slug(s)}`, `best evidence from ${s}`, n, 'rows');
  }

  if (has('lab_outcomes')) {
    // The user's bench results (source 'user'); the latest outcome per (genome, medium) counts.
    const lab = section('labOutcomes', 'Lab outcomes (recorded by the user)');
    lab('total', 'outcomes', scalar(db, 'SELECT count(*) FROM lab_outcomes'), 'outcomes');
    lab('grew', 'grew', scalar(db, 'SELECT count(*) FROM lab_outcomes WHERE grew = 1'), 'outcomes');
    lab('didNotGrow', 'did not grow', scalar(db, 'SELECT count(*) FROM lab_outcomes WHERE grew = 0'), 'outcomes');
    lab('pairs', 'genome-medium pairs tested (latest counts)', scalar(db, 'SELECT count(*) FROM (SELECT 1 FROM lab_outcomes GROUP BY genome_id, medium_id)'), 'pairs');
    lab('genomes', 'genomes with an outcome', scalar(db, 'SELECT count(DISTINCT genome_id) FROM lab_outcomes'), 'genomes');
    lab('media', 'media tested', scalar(db, 'SELECT count(DISTINCT medium_id) FROM lab_outcomes'), 'media');
  }

  const orphans = section('orphans', 'Orphan rows (parent missing)');
  for (const [table, label, sql] of ORPHAN_CHECKS) if (has(table)) orphans(table, label, scalar(db, sql), 'rows');

  const values: Record<string, number> = {};
  for (const s of sections) for (const r of s.rows) values[r.key] = r.value;
  return { schemaVersion: version, sections, values };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The report as an aligned plain-text table. */
export function formatStatsText(stats: DbStats, title?: string): string {
  const rows = stats.sections.flatMap((s) => s.rows);
  const labelWidth = Math.max(...rows.map((r) => r.label.length), 10) + 2;
  const valueWidth = Math.max(...rows.map((r) => fmt(r.value).length), 5);
  const lines: string[] = [];
  if (title) lines.push(title, '');
  lines.push(`schema version ${stats.schemaVersion}`);
  for (const s of stats.sections) {
    lines.push('', s.title);
    for (const r of s.rows) lines.push(`  ${r.label.padEnd(labelWidth)}${fmt(r.value).padStart(valueWidth)}  ${r.unit}`);
  }
  return lines.join('\n') + '\n';
}
