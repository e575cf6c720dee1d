/**
 * `mediaforge train vae`, `db build --model`, `neighbors` and `vae report`, in-process on the
 * fixture data (a tiny model), and `neighbors` on the bundled snapshot with its shipped model.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as dbCmd from '../../src/cli/commands/db';
import * as neighborsCmd from '../../src/cli/commands/neighbors';
import * as trainCmd from '../../src/cli/commands/train';
import * as vaeCmd from '../../src/cli/commands/vae';
import { decodeModelFile } from '../../src/ml/genome-vae-model';
import { NEIGHBOR_DOMAINS } from '../../src/ml/genome-neighbors';
import { fixture, REPO_ROOT } from '../helpers/data';
import { FIXTURE_DATA } from './db-test-helpers';
import { runCommand, type CommandModule } from '../helpers/run-cli';

type Cmd = CommandModule;
const cli = (cmd: Cmd, name: string, ...argv: string[]) => runCommand(cmd, name, ...argv);

let dir: string;
let modelFile: string;
let snapshot: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mf-vae-cli-'));
  modelFile = join(dir, 'tiny.mfvae');
  snapshot = join(dir, 'snap.sqlite.gz');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same sequence as `src`, with every header replaced and a neutral file name. */
function anonymise(src: string, name: string): string {
  const text = gunzipSync(readFileSync(src)).toString('utf8');
  let n = 0;
  const out = text.replace(/^>.*$/gm, () => `>contig_${++n}`);
  const path = join(dir, name);
  writeFileSync(path, gzipSync(out));
  return path;
}

describe('train vae → db build --model → neighbors → vae report (fixture data, tiny model)', () => {
  it('trains and writes a model file, one line per epoch', async () => {
    const r = await cli(trainCmd, 'train', 'vae', '--data', FIXTURE_DATA, '--preset', 'tiny', '--epochs', '3', '--out', modelFile, '--val-fraction', '0');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/epoch 3\/3 {2}loss \d/);
    const m = decodeModelFile(readFileSync(modelFile));
    expect(m.config.latentDim).toBe(4);
    expect(m.provenance.trainRows).toBe(3); // every file of the manifest (the db build folds the lambda copy)
    expect(m.history).toHaveLength(3);
  });

  it('bundles the model and embeds every genome', async () => {
    const r = await cli(dbCmd, 'db', 'build', '--data', FIXTURE_DATA, '--out', snapshot, '--model', modelFile, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const s = await cli(dbCmd, 'db', 'stats', '--db', snapshot, '--json');
    const stats = JSON.parse(s.stdout);
    const get = (key: string) => stats.sections.flatMap((x: { rows: { key: string; value: number }[] }) => x.rows).find((x: { key: string }) => x.key === key)?.value;
    expect(get('genomes.withEmbeddings')).toBe(get('genomes.total'));
    expect(get('genomes.models')).toBe(1);
  });

  it('neighbors --json has the documented schema, nearest first', async () => {
    const r = await cli(neighborsCmd, 'neighbors', fixture('mycoplasma-genitalium-g37.fa.gz'), '--db', snapshot, '--k', '5', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model).toMatch(/^genome-vae-[0-9a-f]{12}$/);
    expect(out.neighbors).toHaveLength(2);
    for (const n of out.neighbors) {
      expect(Number.isInteger(n.genome_id)).toBe(true);
      expect(typeof n.name).toBe('string');
      expect(n.species === null || typeof n.species === 'string').toBe(true);
      expect(NEIGHBOR_DOMAINS).toContain(n.domain);
      expect(n.similarity).toBeGreaterThanOrEqual(-1);
      expect(n.similarity).toBeLessThanOrEqual(1);
    }
    expect(out.neighbors[0].similarity).toBeGreaterThanOrEqual(out.neighbors[1].similarity);
    expect(out.neighbors[0].species).toMatch(/^Mycoplasma genitalium/); // itself: it is in the database
  });

  it('gives the same neighbours for anonymised headers and file name', async () => {
    const plain = await cli(neighborsCmd, 'neighbors', fixture('lambda.fa.gz'), '--db', snapshot, '--json');
    const anon = await cli(neighborsCmd, 'neighbors', anonymise(fixture('lambda.fa.gz'), 'sample-001.fa.gz'), '--db', snapshot, '--json');
    expect(JSON.parse(anon.stdout).neighbors).toEqual(JSON.parse(plain.stdout).neighbors);
  });

  it('vae report --json holds every section', async () => {
    const r = await cli(vaeCmd, 'vae', 'report', '--db', snapshot, '--json');
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(Object.keys(rep.perK.perK)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    for (const key of ['localDistance', 'neighborMse', 'cosineHistogram', 'retrieval', 'domainPurity']) expect(rep).toHaveProperty(key);
    expect(rep.heldOut.note).toMatch(/no held-out genera/); // --val-fraction 0: said, not hidden
    const text = await cli(vaeCmd, 'vae', 'report', '--db', snapshot);
    expect(text.stdout).toMatch(/local distances .* Spearman/);
  });
});

describe('bad input: one line on stderr, non-zero exit', () => {
  it.each([
    [trainCmd, 'train', ['vae', '--latent', 'x'], 2, /--latent must be a number/],
    [trainCmd, 'train', ['cvae2'], 2, /unknown model 'cvae2'/],
    [trainCmd, 'train', ['vae', '--preset', 'huge'], 2, /--preset must be one of default, design-doc, tiny/],
    [trainCmd, 'train', ['vae', '--data', '/nonexistent/data'], 1, /\/nonexistent\/data: no such directory/],
    [trainCmd, 'train', ['vae', '--lr', '0', '--data', FIXTURE_DATA], 1, /learningRate must be a number > 0/],
    [neighborsCmd, 'neighbors', [], 2, /no input FILE given/],
    [neighborsCmd, 'neighbors', ['x.fa', '--k', '0'], 2, /--k must be an integer from 1/],
    [vaeCmd, 'vae', ['plot'], 2, /unknown command 'plot'/],
  ].map(([cmd, name, argv, code, re]) => [`${name} ${(argv as string[]).join(' ')}`, cmd, name, argv, code, re]) as [string, Cmd, string, string[], number, RegExp][])('%s', async (_label, cmd, name, argv, code, re) => {
    const r = await cli(cmd, name, ...argv);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(re);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('neighbors names a FASTQ file and refuses a database without a model', async () => {
    const fq = await cli(neighborsCmd, 'neighbors', fixture('reads.fq'), '--db', snapshot);
    expect(fq.code).toBe(1);
    expect(fq.stderr).toMatch(/reads\.fq/);
    const bare = join(dir, 'bare.sqlite.gz');
    await cli(dbCmd, 'db', 'build', '--data', FIXTURE_DATA, '--out', bare, '--no-model', '--quiet');
    const r = await cli(neighborsCmd, 'neighbors', fixture('lambda.fa.gz'), '--db', bare);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds no genome VAE/);
  });

  it('--help works for every new command', async () => {
    for (const [cmd, name, argv] of [[trainCmd, 'train', ['--help']], [trainCmd, 'train', ['vae', '--help']], [neighborsCmd, 'neighbors', ['--help']], [vaeCmd, 'vae', ['--help']], [vaeCmd, 'vae', ['report', '--help']]] as [Cmd, string, string[]][]) {
      const r = await cli(cmd, name, ...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: mediaforge/);
    }
  });
});
