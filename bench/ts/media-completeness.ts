/**
 * How the media ranking holds up on incomplete genomes: each reference genome with known media is
 * cut into 20 kb contigs, a seeded random share of them is kept (a MAG or draft at that
 * completeness), profiled exactly as `mediaforge recommend` profiles a file (k-mers, rRNA markers,
 * protein features, genome-VAE embedding), and ranked leave-genus-out (its genus out of every
 * source of evidence, the genus route's curves refitted without it, as `eval media` does). The
 * conditions come from the bundled phenotype model, which saw the genus, so the absolute numbers
 * are a little above `eval media`'s; the comparison between completeness levels is what this
 * measures. A fixed-length single contig (100 kb down to 1 kb) stands for a fragment, and each
 * genome's 16S region (cut by the profiler) alone for a user who has only that gene, also with the
 * genus one BacDive knows. Queries under 3 kb are also ranked under rule 16 (shortQueryRule:
 * without their composition; measured, not adopted), and every query under rule 17
 * (calibratedNeighbors). Not a speed benchmark, not part of
 * `npm run bench`.
 *
 *   npx vite build --config vite.bench.config.ts && node dist-bench/media-completeness.js [DATA_DIR] [SNAPSHOT]
 *
 * Prints one JSON object: per level and setting, the genomes, the top-1 / top-10 hit rates overall and per
 * domain, the share with a 16S region found, the mean kb kept.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import initSqlJs from 'sql.js';
import { genomeQueryOf } from '../../src/cli/genome-query';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { openSnapshot } from '../../src/db/snapshot-file';
import { fitGenusCalibration } from '../../src/media/genus-route-calibration';
import { linkedStrainIds } from '../../src/db/link';
import { buildRecommendContext, contextCalibrationPairs, isShortQuery, predictConditions, rankMedia, withSynonyms, type RecommendOptions } from '../../src/media/recommend';

const dataDir = process.argv[2] ?? '../shared/data';
const snapshot = process.argv[3] ?? 'public/mediaforge-snapshot.sqlite.gz';
const CONTIG_BP = 20_000;
const LEVELS: { name: string; fraction?: number; contigBp?: number; ssuOnly?: boolean }[] = [
  { name: 'complete', fraction: 1 },
  { name: '50 % (20 kb contigs)', fraction: 0.5 },
  { name: '20 % (20 kb contigs)', fraction: 0.2 },
  { name: '5 % (20 kb contigs)', fraction: 0.05 },
  { name: 'one 100 kb contig', contigBp: 100_000 },
  { name: 'one 10 kb contig', contigBp: 10_000 },
  { name: 'one 3 kb contig', contigBp: 3_000 },
  { name: 'one 1 kb contig', contigBp: 1_000 },
  { name: "the genome's 16S region alone", ssuOnly: true },
];

const db = openSnapshot(await initSqlJs(), new Uint8Array(readFileSync(snapshot)), 'bundled').db;
const ctx = buildRecommendContext(db);
const files = new Map((db.exec("SELECT id, source_file FROM genomes WHERE record_type = 'genome' AND source_file LIKE 'reference/%'")[0]?.values ?? []).map(([id, f]) => [Number(id), String(f)]));
const pairs = contextCalibrationPairs(ctx);

/** mulberry32: a small seeded generator, so every run keeps the same contigs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sequences(path: string): string[] {
  const text = gunzipSync(readFileSync(path)).toString('latin1');
  return text
    .split('>')
    .slice(1)
    .map((r) => r.slice(r.indexOf('\n') + 1).replace(/\s+/g, ''));
}

function subset(seqs: string[], level: (typeof LEVELS)[number], seed: number): string[] {
  const r = rng(seed);
  if (level.contigBp) {
    const longest = seqs.reduce((a, b) => (b.length > a.length ? b : a), '');
    const start = Math.floor(r() * Math.max(1, longest.length - level.contigBp));
    return [longest.slice(start, start + level.contigBp)];
  }
  const contigs = seqs.flatMap((s) => Array.from({ length: Math.ceil(s.length / CONTIG_BP) }, (_, i) => s.slice(i * CONTIG_BP, (i + 1) * CONTIG_BP)));
  if (level.fraction === 1) return seqs;
  for (let i = contigs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [contigs[i], contigs[j]] = [contigs[j], contigs[i]];
  }
  const total = contigs.reduce((a, c) => a + c.length, 0);
  const keep: string[] = [];
  let kept = 0;
  for (const c of contigs) {
    if (kept >= level.fraction! * total) break;
    keep.push(c);
    kept += c.length;
  }
  return keep;
}

type Tally = { genomes: number; top1: number; top10: number; ssu: number; kb: number };
const tally = new Map<string, Tally>();
const add = (key: string, t: Partial<Tally>) => {
  const x = tally.get(key) ?? (tally.set(key, { genomes: 0, top1: 0, top10: 0, ssu: 0, kb: 0 }), tally.get(key)!);
  for (const k of Object.keys(t) as (keyof Tally)[]) x[k] += t[k]!;
};

const t0 = Date.now();
const genomes = ctx.genomes.filter((g) => g.media.size > 0 && files.has(g.genomeId) && existsSync(join(dataDir, 'genomes', files.get(g.genomeId)!)));
for (const [gi, g] of genomes.entries()) {
  const seqs = sequences(join(dataDir, 'genomes', files.get(g.genomeId)!));
  const calibration = fitGenusCalibration(pairs, withSynonyms(new Set(g.genus ? [g.genus] : [])));
  let ssuRegion: string | null = null;
  for (const [li, level] of LEVELS.entries()) {
    if (level.ssuOnly && !ssuRegion) continue;
    const kept = level.ssuOnly ? [ssuRegion!] : subset(seqs, level, 1000 * g.genomeId + li);
    const fasta = kept.map((s, i) => `>contig_${i + 1}\n${s}\n`).join('');
    const profile = await profileSource(bytesSource('query', new TextEncoder().encode(fasta)), { rrnaMarkers: true, proteinFeatures: true });
    const { query } = await genomeQueryOf(db, profile);
    if (level.fraction === 1) ssuRegion = query.ssuRegion ?? null;
    const conditions = predictConditions(ctx, query).conditions;
    const leaveOut: RecommendOptions = { excludeGenus: g.genus, excludeGenomeId: g.genomeId, genusCalibration: calibration, evidenceWeights: null };
    // Rule 16 (shortQueryRule) beside the product, for the queries it applies to; the 16S regions also with the genus in BacDive.
    const settings: [string, RecommendOptions][] = [['product', { ...leaveOut, conditions }]];
    const none = { temperatureC: null, oxygenTolerant: null, salinityPct: null, ph: null };
    if (isShortQuery(query)) settings.push(['rule 16', { ...leaveOut, conditions: none, shortQueryRule: true }]);
    settings.push(['rule 17', { ...leaveOut, conditions, calibratedNeighbors: true }]);
    if (level.ssuOnly) {
      const known: RecommendOptions = { ...leaveOut, excludeScope: 'genomes', excludeStrains: linkedStrainIds(db, g.genomeId) };
      settings.push(['genus in BacDive: product', { ...known, conditions }], ['genus in BacDive: rule 16', { ...known, conditions: none, shortQueryRule: true }], ['genus in BacDive: rule 17', { ...known, conditions, calibratedNeighbors: true }]);
    }
    for (const [setting, opts] of settings) {
      const ranked = rankMedia(ctx, query, opts).ranked;
      const ids = ranked.map((x) => ctx.matrix.mediumIds[x.index]);
      const hit = ids.findIndex((m) => g.media.has(m));
      const t = { genomes: 1, top1: hit === 0 ? 1 : 0, top10: hit >= 0 && hit < 10 ? 1 : 0, ssu: query.ssuRegion ? 1 : 0, kb: kept.reduce((a, s) => a + s.length, 0) / 1000 };
      add(`${level.name}|${setting}|all`, t);
      add(`${level.name}|${setting}|${g.organismType}`, t);
    }
  }
  process.stderr.write(`\r${gi + 1}/${genomes.length} genomes, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
process.stderr.write('\n');
const pct = (a: number, n: number) => Number(((100 * a) / n).toFixed(1));
console.log(
  JSON.stringify(
    {
      genomes: genomes.length,
      contig_bp: CONTIG_BP,
      seconds: Math.round((Date.now() - t0) / 1000),
      levels: [...new Set([...tally.keys()].map((k) => k.split('|').slice(0, 2).join('|')))].map((key) => {
        const [level, setting] = key.split('|');
        return {
          level,
          setting,
          ...Object.fromEntries(
            ['all', 'bacteria', 'archaea'].map((d) => {
              const x = tally.get(`${key}|${d}`);
              return [d, x ? { genomes: x.genomes, top1_pct: pct(x.top1, x.genomes), top10_pct: pct(x.top10, x.genomes), ssu_found_pct: pct(x.ssu, x.genomes), mean_kb: Math.round(x.kb / x.genomes) } : null];
            }),
          ),
        };
      }),
    },
    null,
    1,
  ),
);
