/**
 * `mediaforge neighbors FILE [--k 10] [--json] [--per-record]`: the genomes most similar to a FASTA
 * file, or to each of its records (a MAG, a contig set).
 */
import { resolve } from 'node:path';
import { AppError } from '../../core/errors';
import { profileSource } from '../../core/profile';
import { readGenomeVae } from '../../ml/bundle-model';
import type { RecordProfile } from '../../core/profile-types';
import { neighborIndexFromDb, type GenomeNeighbor } from '../../ml/genome-neighbors';
import { instantiateGenomeVae } from '../../ml/genome-vae-model';
import { initNodeBackend } from '../../ml/node-backend';
import { nearestGenomesOf } from '../../ml/record-neighbors';
import { embedProfiles } from '../../ml/train-pipeline';
import { numberOption, onePositional, parseCommandArgs } from '../command-args';
import { nodeFileSource } from '../node-source';
import { DEFAULT_DB, openCliDatabase } from '../cli-database';

export const SUMMARY = 'the genomes most similar to a FASTA file (genome VAE embedding + rRNA markers)';

export const HELP = `Usage: mediaforge neighbors FILE [--k 10] [--json] [--per-record] [--db FILE] [--include-records]

Profiles FILE (FASTA or FASTA.gz; k = 1..6), embeds it with the database's genome VAE and prints
the k most similar genomes of the database, most similar first. Only the sequence is used:
headers and the file name do not change the answer. With --per-record, every record of FILE
(each contig of a MAG or contig set) is embedded and searched on its own, with its own rRNA
evidence.

similarity = (1 − w)·cosine(latent vectors) + w·agreement of rRNA marker evidence (w = 0.25;
agreement +1 same domain, −1 different, 0 when the other genome has no rRNA evidence). A query
without rRNA evidence (a draft, a MAG, a fragment) is ranked by cosine alone.

Options:
  --k N              number of neighbours (default 10)
  --json             one JSON object: {"query": {...}, "model": "...", "neighbors": [{genome_id, name,
                     species, domain, similarity, cosine, marker_agreement, record_type, ...}]}
                     domain is bacteria, archaea, fungi, protist, virus, plasmid or unknown
  --per-record       the k nearest genomes of each record with A, C, G or T, in file order
                     TSV: record_id, rank, similarity, domain, species, name, genome_id
                     JSON: {"query": {...}, "model": "...", "records": [{record_id, length_bp,
                     gc_fraction, rrna_domain, rrna_genes, neighbors: [...]}]}
  --db FILE          database or snapshot (default: the bundled ${DEFAULT_DB})
  --include-records  also search contigs, 3 kb fragments and metagenome contigs
  -h, --help         show this help
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { k: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, db: { type: 'string' }, 'include-records': { type: 'boolean', default: false }, 'per-record': { type: 'boolean', default: false } },
    HELP,
    { positionals: true },
  );
  if (!args) return 0;
  const { values: v, positionals } = args;
  const file = onePositional(positionals);
  const k = numberOption(v, 'k', { integer: true, min: 1, max: 10_000 });

  const { db } = await openCliDatabase(v.db);
  try {
    const model = readGenomeVae(db);
    if (!model) throw new AppError('DATA_INVALID', `${v.db ?? DEFAULT_DB}: holds no genome VAE`, 'train one with `mediaforge train vae` and bundle it with `mediaforge db build --model`');
    const index = neighborIndexFromDb(db, model.id, { includeRecords: v['include-records'] });
    const perRecord = v['per-record'];
    const profile = await profileSource(nodeFileSource(resolve(file), file), { rrnaMarkers: true, perRecord });
    if (profile.acgtBp === 0) throw new AppError('FASTA_NO_SEQUENCE', `${file}: no A, C, G or T in any record`, 'give a nucleotide FASTA file');
    await initNodeBackend('wasm');
    const vae = instantiateGenomeVae(model);
    if (perRecord) {
      const records = (profile.recordProfiles ?? []).filter((r) => r.acgtBp > 0);
      const found = nearestGenomesOf(vae, index, records.map((r) => ({ counts: r.counts, domainCall: r.rrna?.domainCall ?? 'unknown' })), k);
      vae.dispose();
      if (v.json) {
        const out = {
          query: { file, length_bp: profile.lengthBp, gc_fraction: profile.gcFraction, records: profile.records, records_searched: records.length, rrna_domain: profile.rrna?.domainCall ?? 'unknown' },
          model: model.id,
          searched: index.size,
          records: records.map((r, i) => recordJson(r, found[i])),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else process.stdout.write(formatRecordTable(records, found));
      return 0;
    }
    const query = embedProfiles(vae, [profile]);
    vae.dispose();
    const call = profile.rrna?.domainCall ?? 'unknown';
    const neighbors = index.search(query, k, call);
    if (v.json) {
      const out = {
        query: { file, length_bp: profile.lengthBp, gc_fraction: profile.gcFraction, records: profile.records, rrna_domain: call, rrna_genes: profile.rrna?.genes ?? 0 },
        model: model.id,
        searched: index.size,
        neighbors,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else process.stdout.write(formatTable(neighbors));
    return 0;
  } finally {
    db.close();
  }
}

function formatTable(ns: GenomeNeighbor[]): string {
  const lines = ['rank\tsimilarity\tdomain\tspecies\tname\tgenome_id'];
  ns.forEach((n, i) => lines.push([i + 1, n.similarity.toFixed(4), n.domain, n.species ?? '', n.name, n.genome_id].join('\t')));
  return `${lines.join('\n')}\n`;
}

function recordJson(r: RecordProfile, neighbors: GenomeNeighbor[]) {
  return { record_id: r.id, length_bp: r.lengthBp, gc_fraction: r.gcFraction, rrna_domain: r.rrna?.domainCall ?? 'unknown', rrna_genes: r.rrna?.genes ?? 0, neighbors };
}

function formatRecordTable(records: RecordProfile[], found: GenomeNeighbor[][]): string {
  const lines = ['record_id\trank\tsimilarity\tdomain\tspecies\tname\tgenome_id'];
  records.forEach((r, i) => found[i].forEach((n, j) => lines.push([r.id, j + 1, n.similarity.toFixed(4), n.domain, n.species ?? '', n.name, n.genome_id].join('\t'))));
  return `${lines.join('\n')}\n`;
}
