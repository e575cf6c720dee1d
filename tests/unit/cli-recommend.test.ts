/** `mediaforge recommend`: JSON schema, text table, user conditions, header/file-name invariance, bad input. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/recommend';
import { nodeFileSource } from '../../src/cli/node-source';
import { profileSource } from '../../src/core/profile';
import { loadSqlJs, readFileBytes, repoRoot } from '../../src/db/node-files';
import { openSnapshot } from '../../src/db/snapshot-file';
import { CVAE_WEIGHT } from '../../src/media/recommend';
import { fixture, HAS_SHARED_DATA, sharedGenome } from '../helpers/data';
import { runCommand } from '../helpers/run-cli';

const cli = (...argv: string[]) => runCommand({ run }, 'recommend', ...argv);
const MG = fixture('mycoplasma-genitalium-g37.fa.gz');
const tmp = mkdtempSync(join(tmpdir(), 'mf-recommend-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The file's sequence under new headers, in a file with a new name (plain text). */
function disguise(src: string, name: string): string {
  const raw = readFileSync(src);
  const text = (raw[0] === 0x1f ? gunzipSync(raw) : raw).toString('utf8');
  let n = 0;
  const out = join(tmp, name);
  writeFileSync(out, text.replace(/^>.*$/gm, () => `>contig_${++n} sample X Escherichia coli K-12 DSM 30083`));
  return out;
}

function checkSchema(r: Record<string, unknown>) {
  expect(Object.keys(r).sort()).toEqual(['conditions_used', 'domain_used', 'genus_route', 'media', 'neighbors', 'not_extreme_halophile', 'predicted_conditions', 'rrna_16s']);
  expect(typeof r.not_extreme_halophile).toBe('boolean');
  // The genera standing for the genome, heaviest first, their shares summing to 1.
  const route = r.genus_route as { genus: string; source: string; via: string; similarity: number; expected_overlap: number | null; share: number }[];
  expect(route.length).toBeGreaterThan(0);
  expect(route.length).toBeLessThanOrEqual(3);
  for (const g of route) {
    expect(Object.keys(g).sort()).toEqual(['expected_overlap', 'genus', 'share', 'similarity', 'source', 'via']);
    expect(['16S', 'genome']).toContain(g.source);
    expect(g.similarity).toBeLessThanOrEqual(1);
  }
  expect(route.reduce((a, g) => a + g.share, 0)).toBeCloseTo(1, 3);
  for (let i = 1; i < route.length; i++) expect(route[i - 1].share).toBeGreaterThanOrEqual(route[i].share);
  // Where the 16S rRNA places the genome: null without a 16S region, else the nearest genera, best first.
  const s = r.rrna_16s as { identified_genus: string | null; nearest: Record<string, unknown>[]; reference: string } | null;
  if (s) {
    expect(Object.keys(s).sort()).toEqual(['identified_genus', 'nearest', 'reference']);
    expect(s.reference).toMatch(/SILVA/);
    for (const m of s.nearest) {
      expect(Object.keys(m).sort()).toEqual(['accession', 'genus', 'identity', 'species']);
      expect(m.identity as number).toBeGreaterThan(0);
      expect(m.identity as number).toBeLessThanOrEqual(1);
    }
    for (let i = 1; i < s.nearest.length; i++) expect(s.nearest[i - 1].identity as number).toBeGreaterThanOrEqual(s.nearest[i].identity as number);
    expect(s.identified_genus).toBe(s.nearest.length && (s.nearest[0].identity as number) >= 0.945 ? s.nearest[0].genus : null);
  }
  const p = r.predicted_conditions as Record<string, unknown>;
  for (const k of ['temperature_c', 'oxygen', 'salinity_pct', 'ph', 'domain', 'model', 'notes']) expect(p, k).toHaveProperty(k);
  expect(['bacteria', 'archaea', 'eukarya', 'unknown']).toContain(p.domain);
  // The domain the ranking used: the rRNA call when there is one, else the proteome's or the neighbours'.
  const d = r.domain_used as Record<string, unknown>;
  expect(Object.keys(d).sort()).toEqual(['basis', 'domain', 'source']);
  expect(['rrna', 'proteome', 'neighbors']).toContain(d.source);
  if (p.domain === 'bacteria' || p.domain === 'archaea') expect(d).toMatchObject({ domain: p.domain, source: 'rrna' });
  expect((p.notes as string[]).filter((n) => n.startsWith('domain used:'))).toEqual([`domain used: ${d.domain} (${d.basis})`]);
  expect(Object.keys(r.conditions_used as object).sort()).toEqual(['oxygenTolerant', 'ph', 'salinityPct', 'temperatureC']);
  for (const n of r.neighbors as Record<string, unknown>[]) {
    expect(typeof n.genome_id).toBe('number');
    expect(typeof n.name).toBe('string');
    expect(typeof n.similarity).toBe('number');
  }
  const media = r.media as Record<string, unknown>[];
  for (const m of media) {
    expect(typeof m.medium_id).toBe('string');
    expect(m.medium_id).toMatch(/^[A-Z]?\d+[a-z]?$/);
    expect(typeof m.name).toBe('string');
    expect(typeof m.score).toBe('number');
    expect(m.growth_probability === null || (typeof m.growth_probability === 'number' && m.growth_probability >= 0 && m.growth_probability <= 1)).toBe(true);
    expect(Array.isArray(m.reasons) && (m.reasons as unknown[]).length > 0 && (m.reasons as unknown[]).every((x) => typeof x === 'string')).toBe(true);
    expect(typeof m.has_recipe).toBe('boolean');
    // The recipe CVAE's likelihood: a number for a medium with a recipe (when the database has a CVAE), null otherwise.
    expect(m).toHaveProperty('cvae_log_likelihood');
    expect(m).toHaveProperty('cvae_percentile');
    if (!m.has_recipe) expect(m.cvae_log_likelihood).toBeNull();
    if (m.cvae_percentile !== null) expect(m.cvae_percentile as number).toBeGreaterThanOrEqual(0), expect(m.cvae_percentile as number).toBeLessThanOrEqual(100);
  }
  for (let i = 1; i < media.length; i++) expect(media[i - 1].score as number).toBeGreaterThanOrEqual(media[i].score as number);
}

describe('mediaforge recommend', () => {
  let json: string;
  it('--json prints one RecommendResult object, best medium first', async () => {
    const r = await cli(MG, '--top', '7', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    checkSchema(out);
    expect(out.media).toHaveLength(7);
    expect(out.predicted_conditions.domain).toBe('bacteria');
    // Its 16S rRNA names its genus (M. pneumoniae is the nearest reference of Mycoplasmoides).
    expect(out.rrna_16s.identified_genus).toBe('Mycoplasmoides');
    expect(out.rrna_16s.nearest[0]).toMatchObject({ genus: 'Mycoplasmoides', species: 'Mycoplasmoides pneumoniae' });
    // … and that genus stands for it first, through the 16S, at its expected media overlap.
    expect(out.genus_route[0]).toMatchObject({ genus: 'Mycoplasmoides', source: '16S', via: expect.stringMatching(/^Mycoplasmoides pneumoniae \(\w+\)$/) });
    expect(out.genus_route[0].expected_overlap).toBeGreaterThan(0.5);
    expect(out.genus_route[0].share).toBeGreaterThan(out.genus_route[1].share);
    expect(out.predicted_conditions.temperature_c.value).toBeGreaterThan(25);
    expect(out.predicted_conditions.temperature_c.value).toBeLessThan(45);
    json = r.stdout;
    // The bundled snapshot has a recipe CVAE: every medium with a recipe gets its likelihood, in the JSON and in words.
    const scored = out.media.filter((m: { cvae_log_likelihood: number | null }) => m.cvae_log_likelihood !== null);
    expect(scored.length).toBeGreaterThan(0);
    for (const m of scored) {
      expect(m.has_recipe).toBe(true);
      expect(Number.isFinite(m.cvae_log_likelihood)).toBe(true);
      expect(m.reasons.filter((x: string) => x.startsWith('recipe model: this recipe is'))).toHaveLength(1);
      const words = /^recipe model: this recipe is .+ of [\d,]+ recipes for the predicted conditions \(.*°C.*\) \(rank (\d+), log-likelihood (-?\d+\.\d)\)$/.exec(m.reasons.at(-1));
      expect(words, m.reasons.at(-1)).not.toBeNull();
      expect(Math.abs(Number(words![2]) - m.cvae_log_likelihood)).toBeLessThan(0.06);
    }
    // A higher likelihood, a higher percentile.
    const byLl = [...scored].sort((a, b) => b.cvae_log_likelihood - a.cvae_log_likelihood);
    for (let i = 1; i < byLl.length; i++) expect(byLl[i - 1].cvae_percentile).toBeGreaterThanOrEqual(byLl[i].cvae_percentile);
    expect(out.predicted_conditions.notes.some((n: string) => /^recipe model recipe-cvae-\w+: log-likelihood of [\d,]+ recipes/.test(n))).toBe(true);
  });

  it('a database without a recipe CVAE: the same media, no likelihood, and a note that says so', async () => {
    const SQL = await loadSqlJs();
    const { db } = openSnapshot(SQL, readFileBytes(join(repoRoot(), 'public/mediaforge-snapshot.sqlite.gz')), 'snapshot');
    db.run("DELETE FROM models WHERE kind = 'recipe-cvae'");
    db.run("DELETE FROM meta WHERE key = 'active_recipe_cvae'");
    const file = join(tmp, 'no-cvae.sqlite');
    writeFileSync(file, db.export());
    db.close();
    const r = await cli(MG, '--top', '7', '--json', '--db', file);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    checkSchema(out);
    const withModel = JSON.parse(json);
    for (const m of out.media) {
      expect(m.cvae_log_likelihood).toBeNull();
      expect(m.cvae_percentile).toBeNull();
      expect(m.reasons.some((x: string) => x.startsWith('recipe model'))).toBe(false);
    }
    expect(out.predicted_conditions.notes).toContain('no recipe model (recipe CVAE) in the database: no recipe-model likelihood');
    // The likelihood is a reason only (CVAE_WEIGHT 0): the ranking is the same with or without the model.
    if (CVAE_WEIGHT === 0) expect(out.media.map((m: { medium_id: string; score: number }) => [m.medium_id, m.score])).toEqual(withModel.media.map((m: { medium_id: string; score: number }) => [m.medium_id, m.score]));
  });

  it('only the sequence counts: a renamed file with other headers gives the same output', async () => {
    const other = disguise(MG, 'Methanococcus_maripaludis_S2_DSM_2067.fasta');
    const r = await cli(other, '--top', '7', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(json);
  });

  it('text mode: a table with units and reasons', async () => {
    const r = await cli(MG, '--top', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/predicted: temperature \d+\.\d °C/);
    expect(r.stdout).toMatch(/^rank {2}medium {4}P\(growth\) {2}score {4}name$/m);
    expect(r.stdout).toMatch(/^ {3}1 {2}\S+/m);
    expect(r.stdout).toMatch(/^ {16}- /m);
  });

  it('user conditions override the predicted ones', async () => {
    const r = await cli(MG, '--top', '5', '--json', '--temperature', '85', '--anaerobic', '--salinity', '3', '--ph', '6');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.conditions_used).toEqual({ temperatureC: 85, oxygenTolerant: false, salinityPct: 3, ph: 6 });
    expect(out.media.map((m: { medium_id: string }) => m.medium_id)).not.toEqual(JSON.parse(json).media.slice(0, 5).map((m: { medium_id: string }) => m.medium_id));
  });

  it('a fragment: the result says what rankings of fragments that short were worth (JSON, stderr, text)', async () => {
    const raw = gunzipSync(readFileSync(MG)).toString('utf8');
    const seq = raw.slice(raw.indexOf('\n') + 1).replace(/\s+/g, '');
    const cut = (bp: number) => {
      const f = join(tmp, `fragment-${bp}.fa`);
      writeFileSync(f, `>fragment\n${seq.slice(100_000, 100_000 + bp)}\n`);
      return f;
    };
    const mid = await cli(cut(5000), '--top', '5', '--json');
    expect(mid.code, mid.stderr).toBe(0);
    const { short_sequence: short, ...rest } = JSON.parse(mid.stdout);
    checkSchema(rest);
    expect(short.acgt_bp).toBe(5000);
    expect(short.note).toMatch(/^only 5 kbp of sequence \(A, C, G, T\): the ranking of a fragment is less sure than that of a genome/);
    expect(short.note).toMatch(/10 kbp 53\.9 %, 3 kbp 50\.0 %, 1 kbp 35\.5 %; complete genomes 71\.1 %$/);
    expect(mid.stderr.trim().split('\n')).toEqual([`mediaforge recommend: warning: ${cut(5000)}: ${short.note}`]);
    // Below the length where fragments still beat the most popular media, it says so.
    const tiny = await cli(cut(900), '--top', '5', '--json');
    expect(tiny.code, tiny.stderr).toBe(0);
    expect(JSON.parse(tiny.stdout).short_sequence).toMatchObject({ acgt_bp: 900, note: expect.stringMatching(/^only 900 bp of sequence .*no better than the most popular media \(1 kbp: 35\.5 % against 38\.2 %\)/) });
    const text = await cli(cut(900), '--top', '3');
    expect(text.stdout.split('\n')[1]).toMatch(/^  warning: only 900 bp of sequence/);
    // A genome (580 kb) carries no such field: the --json test's schema check above holds it to the exact keys.
  });

  it("the genome's 16S region alone: its genus is named, and the warning gives what 16S regions alone were worth", async () => {
    const ssu = (await profileSource(nodeFileSource(MG), { rrnaMarkers: true })).rrna?.ssuRegion;
    expect(ssu?.length).toBeGreaterThan(800);
    const f = join(tmp, 'ssu-only.fa');
    writeFileSync(f, `>isolate 16S\n${ssu}\n`);
    const r = await cli(f, '--top', '10', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rrna_16s.identified_genus).toBe('Mycoplasmoides');
    expect(out.genus_route[0]).toMatchObject({ genus: 'Mycoplasmoides', source: '16S' });
    expect(out.short_sequence.acgt_bp).toBe(ssu!.length);
    expect(out.short_sequence.note).toMatch(/, with a 16S rRNA region, .*68\.4 %, and 82\.9 % where the genus is one BacDive knows/);
  });

  it('--help exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mediaforge recommend FILE/);
  });

  it('bad input: one clear line on stderr and a non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [[MG, '--top', '0'], /--top must be an integer from 1 to 5000, got '0'/],
      [[MG, '--top', 'ten'], /--top must be an integer/],
      [[MG, '--temperature', 'hot'], /--temperature must be a number/],
      [[MG, '--anaerobic', '--aerobic'], /not both/],
      [[join(tmp, 'missing.fa')], /missing\.fa: no such file/],
      [[fixture('protein.faa')], /protein/i],
      [[fixture('reads.fq')], /FASTQ/],
      [[], /no input FILE/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0], argv.join(' ')).toMatch(re);
      expect(lines[0]).toMatch(/^mediaforge recommend: /);
    }
  });

  if (HAS_SHARED_DATA) {
    it('a shared archaeon: archaeal domain from its rRNA, anaerobic hyperthermophile media', async () => {
      const r = await cli(sharedGenome('reference/Thermococcus_kodakarensis_KOD1_type.fna.gz'), '--top', '10', '--json');
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      checkSchema(out);
      expect(out.predicted_conditions.domain).toBe('archaea');
      expect(out.predicted_conditions.temperature_c.value).toBeGreaterThan(65);
      expect(out.predicted_conditions.oxygen.tolerant).toBe(false);
    });
  }
});
