/**
 * Growth propagation: from strains (strain_growth) and NCBI taxa (taxon_media) to the genomes
 * linked to them (genome_strain_links), written to genome_growth.
 *
 * The rule (README text):
 *   confidence = quality factor x link-level factor
 *   - quality factor of the growth record: excellent 0.95, good 0.85, fair 0.70, poor 0.50,
 *     unknown 0.75. The shared BacDive links carry growth 'yes' without a quality, so they count
 *     as unknown (0.75).
 *   - link-level factor: strain 1.0 (the genome is that strain), species 0.8 (another strain of
 *     the same species or a synonym), genus 0.5 (another strain of the genus).
 *   - taxon_media ("taxon X grows in medium Y", no strain identity, no quality) counts as unknown
 *     quality, for the NCBI taxa of the linked strains, at the weaker of the link's level and
 *     species level (a taxon's media may come from any of its strains).
 *   For each (genome, medium) the best path is kept (highest confidence; ties go to strain_growth
 *   over taxon_media, then the smaller strain id / taxon); n_evidence counts all paths.
 *   Only positive growth ('yes') is propagated.
 * Example: a genome linked at species level to strains growing in medium 1 gets confidence
 * 0.75 x 0.8 = 0.6 for medium 1; at strain level it would be 0.75.
 */
import type { Database } from 'sql.js';
import type { LinkLevel } from './link';

export const GROWTH_QUALITY_FACTOR = {
  excellent: 0.95,
  good: 0.85,
  fair: 0.7,
  poor: 0.5,
  unknown: 0.75,
} as const;

export const LINK_LEVEL_FACTOR: Record<LinkLevel, number> = {
  strain: 1.0,
  species: 0.8,
  genus: 0.5,
};

const LEVEL_RANK: Record<LinkLevel, number> = { strain: 0, species: 1, genus: 2 };

export function growthConfidence(quality: string | null, level: LinkLevel): number {
  const q = quality && quality in GROWTH_QUALITY_FACTOR ? GROWTH_QUALITY_FACTOR[quality as keyof typeof GROWTH_QUALITY_FACTOR] : GROWTH_QUALITY_FACTOR.unknown;
  // Rounded to 4 decimals so that the stored value does not depend on float noise (0.75 x 0.8).
  return Math.round(q * LINK_LEVEL_FACTOR[level] * 1e4) / 1e4;
}

interface Path {
  confidence: number;
  level: LinkLevel;
  source: 'strain_growth' | 'taxon_media';
  evidence: string;
  /** Tie-break key: strain_growth before taxon_media, then by id. */
  order: number;
}

function better(a: Path, b: Path): boolean {
  if (a.confidence !== b.confidence) return a.confidence > b.confidence;
  if (a.source !== b.source) return a.source === 'strain_growth';
  return a.order < b.order;
}

/** Recomputes genome_growth for the given genomes (all genomes when omitted). Returns rows written. */
export function propagateGrowth(db: Database, genomeIds?: readonly number[]): number {
  const ids = genomeIds ?? (db.exec('SELECT id FROM genomes ORDER BY id')[0]?.values.map((r) => Number(r[0])) ?? []);
  const links = db.prepare(
    "SELECT l.strain_id, l.level, s.ncbi_taxid FROM genome_strain_links l JOIN strains s ON s.id = l.strain_id WHERE l.genome_id = ? AND l.level <> 'none' ORDER BY l.strain_id",
  );
  const growth = db.prepare("SELECT medium_id, quality FROM strain_growth WHERE strain_id = ? AND growth = 'yes' ORDER BY medium_id");
  const taxonMedia = db.prepare('SELECT medium_id FROM taxon_media WHERE ncbi_taxid = ? ORDER BY medium_id');
  const del = db.prepare('DELETE FROM genome_growth WHERE genome_id = ?');
  const ins = db.prepare(
    'INSERT INTO genome_growth (genome_id, medium_id, growth, confidence, link_level, source, evidence, n_evidence) VALUES (?,?,?,?,?,?,?,?)',
  );
  let written = 0;
  db.exec('SAVEPOINT propagate');
  try {
    for (const genomeId of ids) {
      del.run([genomeId]);
      const best = new Map<string, Path>();
      const counts = new Map<string, number>();
      const offer = (medium: string, p: Path) => {
        counts.set(medium, (counts.get(medium) ?? 0) + 1);
        const cur = best.get(medium);
        if (!cur || better(p, cur)) best.set(medium, p);
      };
      // Taxon paths: each taxon once, at the best level any link reaches it with (capped at species).
      const taxa = new Map<number, LinkLevel>();
      links.bind([genomeId]);
      while (links.step()) {
        const [strainId, level, taxid] = links.get() as [number, LinkLevel, number | null];
        growth.bind([strainId]);
        while (growth.step()) {
          const [medium, quality] = growth.get() as [string, string | null];
          offer(medium, { confidence: growthConfidence(quality, level), level, source: 'strain_growth', evidence: `bacdive:${strainId}`, order: strainId });
        }
        growth.reset();
        if (taxid !== null) {
          const taxLevel: LinkLevel = level === 'genus' ? 'genus' : 'species';
          const cur = taxa.get(taxid);
          if (!cur || LEVEL_RANK[taxLevel] < LEVEL_RANK[cur]) taxa.set(taxid, taxLevel);
        }
      }
      links.reset();
      for (const [taxid, level] of [...taxa].sort((a, b) => a[0] - b[0])) {
        taxonMedia.bind([taxid]);
        while (taxonMedia.step()) {
          const medium = taxonMedia.get()[0] as string;
          offer(medium, { confidence: growthConfidence(null, level), level, source: 'taxon_media', evidence: `NCBITaxon:${taxid}`, order: taxid });
        }
        taxonMedia.reset();
      }
      for (const medium of [...best.keys()].sort()) {
        const p = best.get(medium)!;
        ins.run([genomeId, medium, 'yes', p.confidence, p.level, p.source, p.evidence, counts.get(medium)!]);
        written++;
      }
    }
    db.exec('RELEASE propagate');
  } catch (e) {
    db.exec('ROLLBACK TO propagate; RELEASE propagate');
    throw e;
  } finally {
    for (const s of [links, growth, taxonMedia, del, ins]) s.free();
  }
  return written;
}
