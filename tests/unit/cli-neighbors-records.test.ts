/**
 * `mediaforge neighbors FILE --per-record` on the bundled snapshot and its shipped genome VAE: each
 * record of a multi-record file is embedded and searched on its own. A two-record file made of
 * phage lambda and M. genitalium gets a virus for record 1 and M. genitalium for record 2, whatever
 * its headers say; without --per-record the output keeps its old shape.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as neighborsCmd from '../../src/cli/commands/neighbors';
import { NEIGHBOR_DOMAINS } from '../../src/ml/genome-neighbors';
import { fixture } from '../helpers/data';
import { runCommand } from '../helpers/run-cli';

const cli = (...argv: string[]) => runCommand(neighborsCmd, 'neighbors', ...argv);

let dir: string;
let twoRecords: string;
let anonymous: string;
const fasta = (name: string) => gunzipSync(readFileSync(fixture(name))).toString('utf8');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mf-neighbors-records-'));
  const both = fasta('lambda.fa.gz') + fasta('mycoplasma-genitalium-g37.fa.gz');
  twoRecords = join(dir, 'lambda-plus-mgen.fa.gz');
  writeFileSync(twoRecords, gzipSync(both));
  // The same sequences with neutral headers, an empty record between them, a neutral file name.
  let n = 0;
  const anon = both.replace(/^>.*$/gm, () => `>contig_${++n}`).replace('>contig_2', '>empty_bin\n>contig_2');
  anonymous = join(dir, 'bin-007.fa');
  writeFileSync(anonymous, anon);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RecordOut {
  record_id: string;
  length_bp: number;
  gc_fraction: number;
  rrna_domain: string;
  neighbors: { genome_id: number; name: string; species: string | null; domain: string; similarity: number }[];
}

describe('neighbors --per-record (bundled snapshot and model)', () => {
  it('finds a virus for the lambda record and M. genitalium for the Mycoplasma record', async () => {
    const r = await cli(twoRecords, '--per-record', '--k', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { query: Record<string, unknown>; model: string; records: RecordOut[] };
    expect(out.model).toMatch(/^genome-vae-[0-9a-f]{12}$/);
    expect(out.query).toMatchObject({ records: 2, records_searched: 2 });
    expect(out.records.map((x) => x.record_id)).toEqual(['NC_001416.1', 'NC_000908.2']);
    const [lambda, mgen] = out.records;
    expect(lambda.length_bp).toBe(48_502);
    expect(mgen.length_bp).toBe(580_076);
    expect(lambda.gc_fraction).toBeCloseTo(0.4986, 4);
    expect(lambda.rrna_domain).toBe('unknown'); // a phage has no 16S gene
    expect(mgen.rrna_domain).toBe('bacteria');
    for (const rec of out.records) {
      expect(rec.neighbors).toHaveLength(3);
      for (const n of rec.neighbors) expect(NEIGHBOR_DOMAINS).toContain(n.domain);
      const sims = rec.neighbors.map((n) => n.similarity);
      expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    }
    expect(lambda.neighbors[0].domain).toBe('virus');
    expect(lambda.neighbors[0].name).toMatch(/lambda/i);
    expect(mgen.neighbors[0].species).toMatch(/^Mycoplasma genitalium/);
    expect(mgen.neighbors[0].similarity).toBeGreaterThan(0.99);
  });

  it('gives each record the neighbours the record gets as a file of its own', async () => {
    const records = JSON.parse((await cli(twoRecords, '--per-record', '--json')).stdout) as { records: RecordOut[] };
    const whole = JSON.parse((await cli(fixture('lambda.fa.gz'), '--json')).stdout) as { neighbors: unknown[] };
    expect(records.records[0].neighbors).toEqual(whole.neighbors);
  });

  it('anonymised headers and file name give the same answer; a record without sequence is left out', async () => {
    const plain = JSON.parse((await cli(twoRecords, '--per-record', '--json')).stdout) as { records: RecordOut[] };
    const r = await cli(anonymous, '--per-record', '--json');
    expect(r.code, r.stderr).toBe(0);
    const anon = JSON.parse(r.stdout) as { query: Record<string, unknown>; records: RecordOut[] };
    expect(anon.query).toMatchObject({ records: 3, records_searched: 2 });
    expect(anon.records.map((x) => x.record_id)).toEqual(['contig_1', 'contig_2']);
    expect(anon.records.map((x) => x.neighbors)).toEqual(plain.records.map((x) => x.neighbors));
  });

  it('prints TSV: record_id, rank, similarity, domain, species, name, genome_id', async () => {
    const r = await cli(twoRecords, '--per-record', '--k', '2');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('record_id\trank\tsimilarity\tdomain\tspecies\tname\tgenome_id');
    const rows = lines.slice(1).map((l) => l.split('\t'));
    expect(rows.map((x) => `${x[0]}#${x[1]}`)).toEqual(['NC_001416.1#1', 'NC_001416.1#2', 'NC_000908.2#1', 'NC_000908.2#2']);
    for (const x of rows) {
      expect(x).toHaveLength(7);
      expect(x[2]).toMatch(/^-?\d\.\d{4}$/);
      expect(Number.isInteger(Number(x[6]))).toBe(true);
    }
    expect(rows[0][3]).toBe('virus');
    expect(rows[2][4]).toMatch(/^Mycoplasma genitalium/);
  });

  it('keeps the whole-file output without --per-record', async () => {
    const json = JSON.parse((await cli(twoRecords, '--json', '--k', '3')).stdout);
    expect(Object.keys(json)).toEqual(['query', 'model', 'searched', 'neighbors']);
    expect(Object.keys(json.query)).toEqual(['file', 'length_bp', 'gc_fraction', 'records', 'rrna_domain', 'rrna_genes']);
    expect(json.neighbors).toHaveLength(3);
    const tsv = (await cli(twoRecords, '--k', '3')).stdout.split('\n');
    expect(tsv[0]).toBe('rank\tsimilarity\tdomain\tspecies\tname\tgenome_id');
    expect(tsv.filter(Boolean)).toHaveLength(4);
  });

  it('documents --per-record in --help', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--per-record/);
    expect(r.stdout).toMatch(/record_id, rank, similarity, domain, species, name, genome_id/);
  });
});
