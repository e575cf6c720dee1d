/**
 * The genus route's calibration (src/media/genus-route-calibration.ts): the media overlap on hand-made
 * genera, the logistic fit against known curves, the pairs of a tiny latent space and a tiny 16S
 * reference; the shipped curves against a refit on the bundled snapshot (`db genus-calibration`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/db';
import { loadSqlJs, readFileBytes } from '../../src/db/node-files';
import { openSnapshot } from '../../src/db/snapshot-file';
import { expectedOverlap, fitOverlapCurve, latentCalibrationPairs, mediaOverlap, parseGenusCalibration, ssuCalibrationPairs, type CalibrationPair, type GenusMediaEvidence } from '../../src/media/genus-route-calibration';
import { buildRecommendContext, bundledGenusCalibration, genusCalibrationOf } from '../../src/media/recommend';
import { parseSsuReference } from '../../src/media/ssu-reference';
import { REPO_ROOT } from '../helpers/data';
import { runCommand } from '../helpers/run-cli';

const ev = (media: Record<string, number>, taxon: string[] = []): GenusMediaEvidence => ({ strains: Object.values(media).reduce((a, b) => a + b, 0), media: new Map(Object.entries(media)), taxon: new Set(taxon) });

describe('mediaOverlap', () => {
  it("is the share of B's strains and taxon media on media A uses", () => {
    const a = ev({ m1: 3 }, ['t1']);
    // B: 2 strains on m1 (A's), 1 on m2, taxon t1 (A's taxon medium) and t2: hit 2 + 1 of mass 3 + 2.
    expect(mediaOverlap(a, ev({ m1: 2, m2: 1 }, ['t1', 't2']))).toBeCloseTo(3 / 5, 12);
    expect(mediaOverlap(a, a)).toBe(1);
    expect(mediaOverlap(a, ev({ m9: 4 }))).toBe(0);
    expect(mediaOverlap(a, ev({}))).toBe(0);
    // Not symmetric: A's media are all B's, but B's are not all A's.
    expect(mediaOverlap(ev({ m1: 1, m2: 1 }), ev({ m1: 1 }))).toBe(1);
    expect(mediaOverlap(ev({ m1: 1 }), ev({ m1: 1, m2: 1 }))).toBe(0.5);
  });
});

describe('fitOverlapCurve', () => {
  const pair = (x: number, y: number, w = 1, genusA = 'A', genusB = 'B'): CalibrationPair => ({ x, y, w, genusA, genusB });
  it('recovers a logistic curve from its own expected values (fractional y)', () => {
    const a = -6, b = 8;
    const pairs = Array.from({ length: 101 }, (_, i) => i / 100).map((x) => pair(x, 1 / (1 + Math.exp(-(a + b * x)))));
    const c = fitOverlapCurve(pairs);
    expect(c.a).toBeCloseTo(a, 3);
    expect(c.b).toBeCloseTo(b, 3);
    expect(expectedOverlap(c, 0.75)).toBeCloseTo(1 / (1 + Math.exp(-(a + b * 0.75))), 4);
    expect(c.pairs).toBe(101);
  });
  it('weighs pairs: a pair of weight 2 counts as two of weight 1', () => {
    const once = fitOverlapCurve([pair(0.2, 0), pair(0.5, 1), pair(0.5, 0), pair(0.9, 1), pair(0.9, 1), pair(0.3, 1)]);
    const weighted = fitOverlapCurve([pair(0.2, 0), pair(0.5, 1), pair(0.5, 0), pair(0.9, 1, 2), pair(0.3, 1)]);
    expect(weighted.a).toBeCloseTo(once.a, 8);
    expect(weighted.b).toBeCloseTo(once.b, 8);
  });
  it('leaves out every pair of a genus in `without`, on either side', () => {
    const pairs = [pair(0.9, 1, 1, 'A', 'B'), pair(0.1, 0, 1, 'A', 'C'), pair(0.8, 0.9, 1, 'B', 'C'), pair(0.2, 0.1, 1, 'C', 'D'), pair(0.5, 0.5, 1, 'D', 'A')];
    const c = fitOverlapCurve(pairs, new Set(['A']));
    expect(c.pairs).toBe(2);
    expect(c.genera).toBe(2);
    expect(c.b).toBeGreaterThan(0);
    expect(fitOverlapCurve(pairs, new Set(['A', 'B', 'C', 'D']))).toEqual({ a: 0, b: 0, pairs: 0, genera: 0 });
  });
  it('is flat at the mean when x does not vary', () => {
    const c = fitOverlapCurve([pair(0.7, 0.2), pair(0.7, 0.6)]);
    expect(c.b).toBe(0);
    expect(expectedOverlap(c, 0.1)).toBeCloseTo(0.4, 9);
  });
});

describe('latentCalibrationPairs', () => {
  const unit = (deg: number) => Float32Array.of(Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180));
  const evidence = new Map([
    ['Alpha', ev({ m1: 2 })],
    ['Beta', ev({ m1: 1, m2: 1 })],
    ['Gamma', ev({ m3: 1 })],
  ]);
  it("pairs each record with the nearest record of each other genus, its genus's records sharing one weight", () => {
    const records = [
      { genus: 'Alpha', latent: unit(0), domainCall: 'unknown' as const },
      { genus: 'Alpha', latent: unit(2), domainCall: 'unknown' as const },
      { genus: 'Beta', latent: unit(10), domainCall: 'unknown' as const },
      { genus: 'Beta', latent: unit(12), domainCall: 'unknown' as const },
      { genus: 'Gamma', latent: unit(90), domainCall: 'unknown' as const },
      { genus: 'Delta', latent: unit(5), domainCall: 'unknown' as const }, // no evidence: skipped
    ];
    const pairs = latentCalibrationPairs(records, evidence, 10);
    // 5 records × 2 other genera each.
    expect(pairs).toHaveLength(10);
    const first = pairs.filter((p) => p.genusA === 'Alpha').slice(0, 2);
    expect(first.map((p) => p.genusB)).toEqual(['Beta', 'Gamma']);
    expect(first[0].x).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 6); // Alpha@0 to Beta@10, the nearer Beta
    expect(first[0].y).toBe(0.5); // half of Beta's strains are on Alpha's medium
    expect(first[1].y).toBe(0);
    const w = (g: string) => pairs.filter((p) => p.genusA === g).reduce((a, p) => a + p.w, 0);
    expect(w('Alpha')).toBeCloseTo(1, 12);
    expect(w('Gamma')).toBeCloseTo(1, 12);
    expect(pairs.filter((p) => p.genusA === 'Gamma').map((p) => [p.genusB, p.y])).toEqual([
      ['Beta', 0],
      ['Alpha', 0],
    ]);
  });
  it('keeps only the `neighbors` nearest records before taking one per genus', () => {
    const records = [
      { genus: 'Alpha', latent: unit(0), domainCall: 'unknown' as const },
      { genus: 'Beta', latent: unit(10), domainCall: 'unknown' as const },
      { genus: 'Beta', latent: unit(11), domainCall: 'unknown' as const },
      { genus: 'Gamma', latent: unit(90), domainCall: 'unknown' as const },
    ];
    expect(latentCalibrationPairs(records, evidence, 2).filter((p) => p.genusA === 'Alpha').map((p) => p.genusB)).toEqual(['Beta']);
  });
});

describe('ssuCalibrationPairs', () => {
  // Three genera on made-up 300 bp regions: Alpha (2 sequences, 1 mismatch apart), Beta (20 mismatches from Alpha), Gamma (unrelated).
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const random = (n: number) => Array.from({ length: n }, () => 'ACGT'[Math.floor(rnd() * 4)]).join('');
  const mutate = (s: string, every: number) => s.split('').map((c, i) => (i % every === 5 ? (c === 'A' ? 'C' : 'A') : c)).join('');
  const alpha = random(300);
  const tsv = [
    ['Alpha', 'Alpha one', 'X1', alpha],
    ['Alpha', 'Alpha two', 'X2', mutate(alpha, 300)],
    ['Beta', 'Beta one', 'X3', mutate(alpha, 15)],
    ['Gamma', 'Gamma one', 'X4', random(300)],
  ]
    .map((r) => r.join('\t'))
    .join('\n');
  it("pairs each genus's first sequence with its own others (y = 1) and the nearest other genera", () => {
    const ref = parseSsuReference(tsv);
    const evidence = new Map([
      ['Alpha', ev({ m1: 1 })],
      ['Beta', ev({ m1: 1, m2: 3 })],
      ['Gamma', ev({ m3: 1 })],
    ]);
    const pairs = ssuCalibrationPairs(ref, evidence, 1);
    const alphaPairs = pairs.filter((p) => p.genusA === 'Alpha');
    expect(alphaPairs.map((p) => p.genusB)).toEqual(['Alpha', 'Beta']);
    expect(alphaPairs[0]).toMatchObject({ y: 1, w: 0.5 });
    expect(alphaPairs[0].x).toBeCloseTo(299 / 300, 9);
    expect(alphaPairs[1].x).toBeCloseTo(1 - 20 / 300, 9);
    expect(alphaPairs[1].y).toBe(0.25);
    // Beta's nearest other genus is Alpha (all of Alpha's evidence is on Beta's medium m1).
    expect(pairs.filter((p) => p.genusA === 'Beta').map((p) => [p.genusB, p.y, p.w])).toEqual([['Alpha', 1, 1]]);
    // Remembered by content: equal evidence gives the same pairs without aligning again; changed evidence is recomputed.
    const copy = new Map([...evidence].map(([g, e]) => [g, ev(Object.fromEntries(e.media), [...e.taxon])]));
    expect(ssuCalibrationPairs(ref, copy, 1)).toBe(pairs);
    const changed = ssuCalibrationPairs(ref, new Map([...copy, ['Beta', ev({ m1: 4 })]]), 1);
    expect(changed).not.toBe(pairs);
    expect(changed.find((p) => p.genusA === 'Alpha' && p.genusB === 'Beta')!.y).toBe(1);
    // A genus without evidence is neither side of a pair.
    const noGamma = ssuCalibrationPairs(ref, new Map([...evidence].filter(([g]) => g !== 'Gamma')), 3);
    expect(noGamma.some((p) => p.genusA === 'Gamma' || p.genusB === 'Gamma')).toBe(false);
  });
});

describe('the shipped curves (src/media/genus-route-calibration.default.json)', () => {
  it('parse, rise with similarity, and are what `mediaforge db genus-calibration` fits on the bundled snapshot', async () => {
    const shipped = bundledGenusCalibration();
    expect(shipped.latent.b).toBeGreaterThan(0);
    expect(shipped.ssu.b).toBeGreaterThan(0);
    expect(shipped.ssu.genera).toBeGreaterThan(1000);
    const dir = mkdtempSync(join(tmpdir(), 'mf-cal-'));
    try {
      const out = join(dir, 'cal.json');
      const r = await runCommand({ run }, 'db', 'genus-calibration', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^wrote .*cal\.json: latent similarity \(\d+ pairs, \d+ genera\) 0\.6: 0\.\d\d.*; 16S identity \(\d+ pairs, \d+ genera\) 0\.9: /);
      const fitted = parseGenusCalibration(JSON.parse(readFileSync(out, 'utf8')));
      const { note: _n, ...a } = fitted;
      const { note: _m, ...b } = shipped;
      expect(a).toEqual(b);
      // A context whose genome VAE is not the shipped curves' fits the latent curve itself, on its own records: the same here.
      const db = openSnapshot(await loadSqlJs(), readFileBytes(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz')), 'bundled', { integrityCheck: false }).db;
      try {
        const ctx = buildRecommendContext(db, { genusCalibration: null });
        const own = genusCalibrationOf(ctx);
        expect(own.latent.a).toBeCloseTo(shipped.latent.a, 9);
        expect(own.latent.b).toBeCloseTo(shipped.latent.b, 9);
        expect(own.ssu).toEqual(shipped.ssu);
        expect(genusCalibrationOf(ctx)).toBe(own); // fitted once per context
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('names a bad file, and a bad --db, in one line', async () => {
    expect(() => parseGenusCalibration({ format: 'x' })).toThrow(/not a genus-route calibration \(format is not 'mediaforge-genus-route-calibration'\)/);
    const good = bundledGenusCalibration();
    expect(() => parseGenusCalibration({ ...good, ssu: { ...good.ssu, b: -1 } })).toThrow(/ssu: negative slope/);
    expect(() => parseGenusCalibration({ ...good, latent: { a: 'x' } })).toThrow(/latent: a, b, pairs and genera must be numbers/);
    const r = await runCommand({ run }, 'db', 'genus-calibration', '--db', '/nonexistent/db.sqlite');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/\/nonexistent\/db\.sqlite: no such file/);
    const help = await runCommand({ run }, 'db', 'genus-calibration', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: mediaforge db genus-calibration \[--db FILE\] \[--out FILE\]/);
  });
});
