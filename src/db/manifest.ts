/** The genome manifest (../shared/data/genomes/manifest.tsv): one row per FASTA file. */
import { AppError } from '../core/errors';
import { isOrganismType, type OrganismType } from './genomes';
import { parseTsv } from './tsv';

export interface ManifestEntry {
  /** Path relative to the genomes directory, e.g. 'reference/Escherichia_coli_K-12_MG1655.fna.gz'. */
  file: string;
  species: string;
  strain: string;
  organismType: OrganismType;
  /** Manifest line number (1 = header). */
  line: number;
}

/** Rows whose file is under `prefix` (default 'reference/'), in manifest order. */
export function parseManifest(text: string, prefix = 'reference/', name = 'manifest.tsv'): ManifestEntry[] {
  const tsv = parseTsv(name, text, ['file', 'species', 'strain', 'organism_type']);
  const out: ManifestEntry[] = [];
  tsv.rows.forEach((r, i) => {
    const file = r[tsv.col('file')].trim();
    if (!file.startsWith(prefix)) return;
    const type = r[tsv.col('organism_type')].trim();
    if (!isOrganismType(type)) {
      throw new AppError('DATA_INVALID', `${name}: line ${i + 2}: organism_type '${type}' of ${file} is not one of bacteria, archaea, fungi, protist, virus, plasmid, metagenome`);
    }
    out.push({ file, species: r[tsv.col('species')].trim(), strain: r[tsv.col('strain')].trim(), organismType: type, line: i + 2 });
  });
  return out;
}
