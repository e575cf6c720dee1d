/**
 * Merging another user's snapshot into ours: their genomes (with profiles), links, embeddings and
 * models are added; nothing is duplicated.
 * - genomes are matched by content hash (a genome we have keeps its id and metadata);
 * - models by id (a model id we have is kept as ours); training checkpoints are not merged;
 * - rRNA marker evidence travels with a genome new to us;
 * - embeddings by (genome, model);
 * - links: a genome new to us takes the other file's links; for a genome we have, the other file's
 *   links replace ours only when theirs were reviewed by a user and ours were not;
 * - strains the other file's links name but we lack are copied (without their growth records);
 * - genome_growth of every genome whose links changed is propagated again from our strain data;
 * - lab outcomes (the user's bench results) come over with their genome id remapped (by content
 *   hash, as above); an outcome we already have (same genome, medium, grew, tested_on and note) is
 *   not added again, and one naming a medium we lack is skipped (media are reference data);
 *   recorded_at is kept, so "the latest outcome counts" means the same in both files.
 * Media, strains and growth records are reference data from the snapshot and are not merged.
 * Both databases must be open at the current schema (see openSnapshot).
 */
import type { Database, SqlValue } from 'sql.js';
import { propagateGrowth } from './propagate';

export interface MergeReport {
  genomesAdded: number;
  genomesAlreadyPresent: number;
  linksAdded: number;
  linkSetsReplaced: number;
  embeddingsAdded: number;
  modelsAdded: number;
  modelsAlreadyPresent: number;
  strainsAdded: number;
  /** Lab outcomes copied (genome ids remapped). */
  labOutcomesAdded: number;
  /** Lab outcomes we already had (same genome, medium, grew, tested_on, note). */
  labOutcomesAlreadyPresent: number;
  /** Lab outcomes not copied because their medium is not in our media table. */
  labOutcomesSkipped: number;
}

function rows(db: Database, sql: string, params: SqlValue[] = []): SqlValue[][] {
  return db.exec(sql, params)[0]?.values ?? [];
}

const GENOME_COLUMNS = [
  'name', 'species', 'strain', 'organism_type', 'ncbi_taxid', 'gc_fraction', 'length_bp', 'n_bp',
  'other_bp', 'records', 'first_header', 'content_hash', 'source_file', 'origin', 'record_type', 'record_id',
] as const;

/** Training checkpoints belong to the run on the machine that wrote them: never merged. */
const UNMERGED_MODEL_KINDS = ['genome-vae-checkpoint', 'recipe-cvae-checkpoint'];

export function mergeDatabase(target: Database, source: Database): MergeReport {
  const report: MergeReport = {
    genomesAdded: 0,
    genomesAlreadyPresent: 0,
    linksAdded: 0,
    linkSetsReplaced: 0,
    embeddingsAdded: 0,
    modelsAdded: 0,
    modelsAlreadyPresent: 0,
    strainsAdded: 0,
    labOutcomesAdded: 0,
    labOutcomesAlreadyPresent: 0,
    labOutcomesSkipped: 0,
  };
  target.exec('PRAGMA foreign_keys = ON');
  target.exec('BEGIN');
  try {
    // Models by id.
    for (const [id, kind, config, weights, metrics, created] of rows(source, 'SELECT id, kind, config_json, weights, metrics_json, created_at FROM models ORDER BY id')) {
      if (UNMERGED_MODEL_KINDS.includes(String(kind))) continue;
      if (rows(target, 'SELECT 1 FROM models WHERE id = ?', [id]).length) {
        report.modelsAlreadyPresent++;
        continue;
      }
      target.run('INSERT INTO models (id, kind, config_json, weights, metrics_json, created_at) VALUES (?,?,?,?,?,?)', [id, kind, config, weights, metrics, created]);
      report.modelsAdded++;
    }

    // Genomes by content hash.
    const idMap = new Map<number, number>();
    const newGenomes = new Set<number>();
    const cols = GENOME_COLUMNS.join(', ');
    for (const r of rows(source, `SELECT id, ${cols} FROM genomes ORDER BY id`)) {
      const sourceId = Number(r[0]);
      const hash = r[1 + GENOME_COLUMNS.indexOf('content_hash')];
      const have = rows(target, 'SELECT id FROM genomes WHERE content_hash = ? ORDER BY id LIMIT 1', [hash]);
      if (have.length) {
        idMap.set(sourceId, Number(have[0][0]));
        report.genomesAlreadyPresent++;
        continue;
      }
      target.run(`INSERT INTO genomes (${cols}) VALUES (${GENOME_COLUMNS.map(() => '?').join(',')})`, r.slice(1));
      const targetId = Number(rows(target, 'SELECT last_insert_rowid()')[0][0]);
      idMap.set(sourceId, targetId);
      newGenomes.add(targetId);
      const profile = rows(source, 'SELECT layout_version, encoding, feature_count, counts FROM genome_profiles WHERE genome_id = ?', [sourceId]);
      if (profile.length) {
        target.run('INSERT INTO genome_profiles (genome_id, layout_version, encoding, feature_count, counts) VALUES (?,?,?,?,?)', [targetId, ...profile[0]]);
      }
      const markers = rows(source, 'SELECT method, domain_call, evidence_json FROM genome_markers WHERE genome_id = ?', [sourceId]);
      if (markers.length) target.run('INSERT INTO genome_markers (genome_id, method, domain_call, evidence_json) VALUES (?,?,?,?)', [targetId, ...markers[0]]);
      report.genomesAdded++;
    }

    // Links.
    const relinked = new Set<number>();
    for (const [sourceId, targetId] of idMap) {
      const theirs = rows(source, 'SELECT strain_id, level, evidence, reviewed_by_user FROM genome_strain_links WHERE genome_id = ? ORDER BY id', [sourceId]);
      if (!theirs.length) continue;
      if (!newGenomes.has(targetId)) {
        const theirsReviewed = theirs.some((l) => l[3] === 1);
        const oursReviewed = rows(target, 'SELECT 1 FROM genome_strain_links WHERE genome_id = ? AND reviewed_by_user = 1 LIMIT 1', [targetId]).length > 0;
        if (!theirsReviewed || oursReviewed) continue;
        target.run('DELETE FROM genome_strain_links WHERE genome_id = ?', [targetId]);
        report.linkSetsReplaced++;
      }
      for (const [strainId, level, evidence, reviewed] of theirs) {
        if (strainId !== null && !rows(target, 'SELECT 1 FROM strains WHERE id = ?', [strainId]).length) {
          const s = rows(source, 'SELECT id, species, ncbi_taxid, ncbi_taxon_label, dsm_number, culture_collection_numbers, designation, is_type_strain, domain FROM strains WHERE id = ?', [strainId]);
          if (!s.length) continue;
          target.run(
            'INSERT INTO strains (id, species, ncbi_taxid, ncbi_taxon_label, dsm_number, culture_collection_numbers, designation, is_type_strain, domain) VALUES (?,?,?,?,?,?,?,?,?)',
            s[0],
          );
          report.strainsAdded++;
        }
        target.run('INSERT OR IGNORE INTO genome_strain_links (genome_id, strain_id, level, evidence, reviewed_by_user) VALUES (?,?,?,?,?)', [targetId, strainId, level, evidence, reviewed]);
        report.linksAdded += target.getRowsModified();
      }
      relinked.add(targetId);
    }

    // Embeddings by (genome, model).
    for (const [sourceId, targetId] of idMap) {
      for (const [modelId, dim, vector] of rows(source, 'SELECT model_id, dim, vector FROM genome_embeddings WHERE genome_id = ? ORDER BY model_id', [sourceId])) {
        if (!rows(target, 'SELECT 1 FROM models WHERE id = ?', [modelId]).length) continue;
        target.run('INSERT OR IGNORE INTO genome_embeddings (genome_id, model_id, dim, vector) VALUES (?,?,?,?)', [targetId, modelId, dim, vector]);
        report.embeddingsAdded += target.getRowsModified();
      }
    }

    mergeLabOutcomes(target, source, idMap, report);

    if (relinked.size) {
      const ids = [...relinked].sort((a, b) => a - b);
      for (const id of ids) {
        target.run(
          `UPDATE genomes SET ncbi_taxid = COALESCE(ncbi_taxid, (SELECT s.ncbi_taxid FROM genome_strain_links l JOIN strains s ON s.id = l.strain_id
             WHERE l.genome_id = ?1 AND l.level = 'strain' LIMIT 1)) WHERE id = ?1`,
          [id],
        );
      }
      propagateGrowth(target, ids);
    }
    target.exec('COMMIT');
  } catch (e) {
    target.exec('ROLLBACK');
    throw e;
  }
  return report;
}

const hasLabOutcomes = (db: Database) => rows(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'lab_outcomes'").length > 0;

/** Lab outcomes of every merged genome, genome ids through idMap (source id -> target id). */
function mergeLabOutcomes(target: Database, source: Database, idMap: Map<number, number>, report: MergeReport): void {
  if (!hasLabOutcomes(source) || !hasLabOutcomes(target)) return;
  const outcomes = rows(source, 'SELECT genome_id, medium_id, grew, tested_on, note, recorded_at FROM lab_outcomes ORDER BY id');
  for (const [sourceGenome, mediumId, grew, testedOn, note, recordedAt] of outcomes) {
    const genomeId = idMap.get(Number(sourceGenome));
    if (genomeId === undefined) continue; // cannot happen: every source genome is mapped
    if (!rows(target, 'SELECT 1 FROM media WHERE id = ?', [mediumId]).length) {
      report.labOutcomesSkipped++;
      continue;
    }
    const same = rows(
      target,
      'SELECT 1 FROM lab_outcomes WHERE genome_id = ? AND medium_id = ? AND grew = ? AND tested_on = ? AND note = ? LIMIT 1',
      [genomeId, mediumId, grew, testedOn, note ?? ''],
    );
    if (same.length) {
      report.labOutcomesAlreadyPresent++;
      continue;
    }
    target.run("INSERT INTO lab_outcomes (genome_id, medium_id, grew, tested_on, note, source, recorded_at) VALUES (?,?,?,?,?,'user',?)", [
      genomeId,
      mediumId,
      grew,
      testedOn,
      note ?? '',
      recordedAt,
    ]);
    report.labOutcomesAdded++;
  }
}
