/**
 * The genus route's two sources on one scale (pure; Node and the media worker).
 *
 * The genus route (recommend.ts) lets a few genera stand for the query: genera named by its nearest
 * genomes and records (latent similarity) and genera its 16S region places it in (alignment
 * identity). The two similarities are not comparable: a composition neighbour at latent
 * similarity 0.70 and a 16S genus at 97 % identity would weigh almost alike. Here each becomes the
 * expected *media overlap*: of genus B's BacDive evidence (its strains and taxon records, weighted as
 * the genus route weighs them), the share that lies on media genus A's strains or taxon records use,
 * where A is the organism and B the genus standing for it. E[overlap | similarity] is a weighted
 * logistic curve per source, fitted on the database itself (not on the genomes with known media
 * that `eval media` scores): for the latent similarity, every embedded, labelled record and its
 * nearest records of other genera; for the 16S identity, each genus's first reference sequence
 * and its nearest other genera, plus the genus's own other sequences (overlap 1).
 */
import type { DomainCall } from '../ml/genome-neighbors';
import { latentSimilarity } from './media-ranking';
import { nearestSsuGenera, regionIdentity, type SsuReference } from './ssu-reference';

/** What the overlap needs of a genus's BacDive evidence. */
export interface GenusMediaEvidence {
  /** Strains of the genus with a medium. */
  strains: number;
  /** medium → strains of the genus grown on it. */
  media: ReadonlyMap<string, number>;
  /** Media of the genus's taxon records. */
  taxon: ReadonlySet<string>;
}

/**
 * Share of genus B's evidence mass on media that genus A uses (0..1): each strain of B on a medium
 * counts 1, each taxon record's medium 1, as in the genus route; 0 when B has none.
 */
export function mediaOverlap(a: GenusMediaEvidence, b: GenusMediaEvidence): number {
  let hit = 0;
  let mass = 0;
  for (const [m, c] of b.media) {
    mass += c;
    if (a.media.has(m) || a.taxon.has(m)) hit += c;
  }
  for (const m of b.taxon) {
    mass += 1;
    if (a.media.has(m) || a.taxon.has(m)) hit += 1;
  }
  return mass ? hit / mass : 0;
}

/** One (organism genus A, standing genus B) pair at similarity x, with its overlap y and weight w. */
export interface CalibrationPair {
  x: number;
  y: number;
  w: number;
  genusA: string;
  genusB: string;
}

/** E[y | x] = σ(a + b·x). */
export interface OverlapCurve {
  a: number;
  b: number;
  /** Pairs and organism genera it was fitted on. */
  pairs: number;
  genera: number;
}

export interface GenusRouteCalibration {
  latent: OverlapCurve;
  ssu: OverlapCurve;
}

export const expectedOverlap = (c: OverlapCurve, x: number): number => 1 / (1 + Math.exp(-(c.a + c.b * x)));

/**
 * Weighted logistic regression of fractional y on x (Newton's method on the cross-entropy, a tiny
 * ridge on the slope), leaving out every pair that involves a genus in `without` (evaluation
 * refits the curve without the held-out genus). Fewer than two distinct x: a flat curve at the mean.
 */
export function fitOverlapCurve(pairs: readonly CalibrationPair[], without: ReadonlySet<string> = new Set()): OverlapCurve {
  const ps = pairs.filter((p) => p.w > 0 && !without.has(p.genusA) && !without.has(p.genusB));
  const W = ps.reduce((s, p) => s + p.w, 0);
  const genera = new Set(ps.map((p) => p.genusA)).size;
  if (!ps.length || W <= 0) return { a: 0, b: 0, pairs: 0, genera: 0 };
  const mx = ps.reduce((s, p) => s + p.w * p.x, 0) / W;
  const sx = Math.sqrt(ps.reduce((s, p) => s + p.w * (p.x - mx) ** 2, 0) / W);
  const logit = (y: number) => Math.log(y / (1 - y));
  const ym = Math.min(1 - 1e-6, Math.max(1e-6, ps.reduce((s, p) => s + p.w * p.y, 0) / W));
  if (!(sx > 1e-9)) return { a: logit(ym), b: 0, pairs: ps.length, genera };
  // On standardised x: z = (x − mx) / sx, p = σ(α + β z).
  let alpha = logit(ym);
  let beta = 0;
  const ridge = 1e-6 * W;
  for (let it = 0; it < 50; it++) {
    let g0 = 0, g1 = -ridge * beta, h00 = 0, h01 = 0, h11 = ridge;
    for (const p of ps) {
      const z = (p.x - mx) / sx;
      const q = 1 / (1 + Math.exp(-(alpha + beta * z)));
      const r = p.w * (p.y - q);
      const v = p.w * q * (1 - q);
      g0 += r;
      g1 += r * z;
      h00 += v;
      h01 += v * z;
      h11 += v * z * z;
    }
    const det = h00 * h11 - h01 * h01;
    if (!(det > 0)) break;
    const d0 = (h11 * g0 - h01 * g1) / det;
    const d1 = (h00 * g1 - h01 * g0) / det;
    alpha += d0;
    beta += d1;
    if (Math.abs(d0) + Math.abs(d1) < 1e-10) break;
  }
  return { a: alpha - (beta * mx) / sx, b: beta / sx, pairs: ps.length, genera };
}

/** An embedded record that names a genus: a genome with known media, or a genus carrier. */
export interface LatentRecord {
  genus: string;
  latent: Float32Array;
  domainCall: DomainCall;
}

/**
 * Latent pairs: each record and its `neighbors` nearest records of other genera (the route's
 * similarity, latentSimilarity), one pair per standing genus (its nearest record); each record weighs
 * 1 / (records of its genus), shared among its pairs, so that a genus with 1,400 records counts as
 * much as one with a single genome. Records of genera without evidence are skipped.
 */
export function latentCalibrationPairs(records: readonly LatentRecord[], evidence: ReadonlyMap<string, GenusMediaEvidence>, neighbors: number): CalibrationPair[] {
  const recs = records.filter((r) => evidence.has(r.genus));
  const perGenus = new Map<string, number>();
  for (const r of recs) perGenus.set(r.genus, (perGenus.get(r.genus) ?? 0) + 1);
  const out: CalibrationPair[] = [];
  const topS = new Float64Array(neighbors);
  const topI = new Int32Array(neighbors);
  for (const r of recs) {
    const sim = latentSimilarity({ latent: r.latent, domainCall: r.domainCall });
    let filled = 0;
    for (let j = 0; j < recs.length; j++) {
      const o = recs[j];
      if (o.genus === r.genus) continue;
      const s = sim(o);
      if (filled === neighbors && s <= topS[filled - 1]) continue;
      // Insertion into the sorted top list (ties keep the earlier record first).
      let k = filled < neighbors ? filled++ : filled - 1;
      while (k > 0 && topS[k - 1] < s) {
        topS[k] = topS[k - 1];
        topI[k] = topI[k - 1];
        k--;
      }
      topS[k] = s;
      topI[k] = j;
    }
    const seen = new Set<string>();
    const pairs: CalibrationPair[] = [];
    for (let k = 0; k < filled; k++) {
      const o = recs[topI[k]];
      if (seen.has(o.genus)) continue;
      seen.add(o.genus);
      pairs.push({ x: topS[k], y: mediaOverlap(evidence.get(r.genus)!, evidence.get(o.genus)!), w: 0, genusA: r.genus, genusB: o.genus });
    }
    for (const p of pairs) out.push({ ...p, w: 1 / perGenus.get(r.genus)! / pairs.length });
  }
  return out;
}

/**
 * 16S pairs: for each genus with evidence, its first reference sequence against the `k` nearest
 * other genera with evidence (nearestSsuGenera, its own genus left out) and against the genus's
 * other reference sequences (overlap 1); each genus weighs 1, shared among its pairs.
 */
export function ssuCalibrationPairs(ref: SsuReference, evidence: ReadonlyMap<string, GenusMediaEvidence>, k = 3): CalibrationPair[] {
  // A pure function of the reference and the evidence, and the slow part (about 40,000 alignments):
  // remembered per reference by the evidence's content, so repeated evaluations align once.
  let byRef = SSU_PAIRS.get(ref);
  if (!byRef) SSU_PAIRS.set(ref, (byRef = new Map()));
  const key = `${k}|${evidenceDigest(evidence)}`;
  const known = byRef.get(key);
  if (known) return known;
  const pairs = computeSsuPairs(ref, evidence, k);
  if (byRef.size >= 4) byRef.delete(byRef.keys().next().value!);
  byRef.set(key, pairs);
  return pairs;
}

const SSU_PAIRS = new WeakMap<SsuReference, Map<string, CalibrationPair[]>>();

/** The evidence as one string: genera in order, each with its strains, media counts and taxon media. */
function evidenceDigest(evidence: ReadonlyMap<string, GenusMediaEvidence>): string {
  const parts: string[] = [];
  for (const g of [...evidence.keys()].sort()) {
    const e = evidence.get(g)!;
    parts.push(`${g}:${e.strains}:${[...e.media].map(([m, c]) => `${m}=${c}`).sort().join(',')}:${[...e.taxon].sort().join(',')}`);
  }
  return parts.join(';');
}

function computeSsuPairs(ref: SsuReference, evidence: ReadonlyMap<string, GenusMediaEvidence>, k: number): CalibrationPair[] {
  const byGenus = new Map<string, number[]>();
  ref.entries.forEach((e, i) => {
    if (evidence.has(e.genus)) byGenus.set(e.genus, [...(byGenus.get(e.genus) ?? []), i]);
  });
  const out: CalibrationPair[] = [];
  for (const [genus, idx] of byGenus) {
    const first = ref.entries[idx[0]];
    const pairs: CalibrationPair[] = idx.slice(1).map((j) => ({ x: regionIdentity(ref.bytes[idx[0]], ref.bytes[j]), y: 1, w: 0, genusA: genus, genusB: genus }));
    const others = nearestSsuGenera(ref, first.region, { excluded: new Set([genus]), k: k + 10 }).filter((m) => evidence.has(m.genus)).slice(0, k);
    for (const m of others) pairs.push({ x: m.identity, y: mediaOverlap(evidence.get(genus)!, evidence.get(m.genus)!), w: 0, genusA: genus, genusB: m.genus });
    for (const p of pairs) out.push({ ...p, w: 1 / pairs.length });
  }
  return out;
}

export interface GenusCalibrationPairs {
  latent: CalibrationPair[];
  ssu: CalibrationPair[];
}

/** Both populations of pairs (the 16S one empty without a reference). */
export function genusCalibrationPairs(input: { records: readonly LatentRecord[]; evidence: ReadonlyMap<string, GenusMediaEvidence>; ssuReference: SsuReference | null; neighbors: number }): GenusCalibrationPairs {
  return { latent: latentCalibrationPairs(input.records, input.evidence, input.neighbors), ssu: input.ssuReference ? ssuCalibrationPairs(input.ssuReference, input.evidence) : [] };
}

/** Both curves, fitted without the pairs that involve a genus in `without`. */
export function fitGenusCalibration(pairs: GenusCalibrationPairs, without: ReadonlySet<string> = new Set()): GenusRouteCalibration {
  return { latent: fitOverlapCurve(pairs.latent, without), ssu: fitOverlapCurve(pairs.ssu, without) };
}

/** The shipped calibration (genus-route-calibration.default.json, written by `mediaforge db genus-calibration`). */
export interface GenusCalibrationFile extends GenusRouteCalibration {
  format: 'mediaforge-genus-route-calibration';
  version: 1;
  /** The genome VAE whose latent similarities the latent curve was fitted on. */
  modelId: string | null;
  note: string;
}

export const GENUS_CALIBRATION_FORMAT = 'mediaforge-genus-route-calibration';

/** Checks a calibration file's shape (the curves' numbers finite, the slope not negative). */
export function parseGenusCalibration(json: unknown, name = 'genus-route calibration'): GenusCalibrationFile {
  const o = json as Partial<GenusCalibrationFile> | null;
  const bad = (why: string) => new Error(`${name}: not a genus-route calibration (${why})`);
  if (!o || typeof o !== 'object' || o.format !== GENUS_CALIBRATION_FORMAT) throw bad(`format is not '${GENUS_CALIBRATION_FORMAT}'`);
  if (o.version !== 1) throw bad(`version ${String(o.version)}`);
  for (const k of ['latent', 'ssu'] as const) {
    const c = o[k];
    if (!c || ![c.a, c.b, c.pairs, c.genera].every((v) => typeof v === 'number' && Number.isFinite(v))) throw bad(`${k}: a, b, pairs and genera must be numbers`);
    if (c.b < 0) throw bad(`${k}: negative slope`);
  }
  if (o.modelId !== null && typeof o.modelId !== 'string') throw bad('modelId');
  return o as GenusCalibrationFile;
}
