/**
 * Verification report of a genome VAE, on held-out genera: per-k reconstruction error,
 * local-distance Spearman/Pearson between input-space and latent distances, top-1 latent
 * neighbour MSE against random pairs, the cosine-distance histogram split by GC, retrieval
 * precision@1 (species, genus) beside raw CLR and 4-mer cosine, and leave-one-genus-out domain
 * purity of the 5 nearest genomes. Pure over typed arrays + the model's encoder (tfjs).
 */
import { FEATURE_COUNT } from '../core/kmer-layout';
import { K_BLOCKS, perKMse, type PerKError } from './clr';
import { domainOf, markerAgreement, type DomainCall } from './genome-neighbors';
import { genusOf } from './genus-split';
import { mixSeed, mulberry32 } from './random';
import { ExactCosineIndex } from './search/exact-cosine';
import { clrRows } from './train-pipeline';
import { encodeMeans, evaluateVae } from './train-vae';
import type { GenomeVae } from './vae';

export interface ReportItem {
  species: string | null;
  organismType: string;
  recordType: string;
  gcFraction: number;
  counts: ArrayLike<number>;
  /** rRNA marker evidence, when known. */
  domainCall?: DomainCall;
}

export interface Precision {
  latent: number;
  rawClr: number;
  tetra: number;
  queries: number;
}

export interface DomainPurity {
  /** Queries whose ≥ 4 of 5 nearest genomes share their domain. */
  ok: number;
  queries: number;
  byDomain: Record<string, { ok: number; queries: number }>;
  /** Queries that failed, with the domains of their 5 neighbours. */
  failures: { species: string; neighbors: string[] }[];
}

export interface VaeReport {
  heldOut: { rows: number; genera: number; note: string };
  perK: PerKError;
  /** Per-k error with each k block centred (comparable between per-k and whole-vector CLR). */
  perKCentred: PerKError;
  /** Share of the held-out variance of each k block that the reconstruction explains (mode-independent). */
  perKR2: PerKError;
  clrMode: string;
  localDistance: { spearman: number; pearson: number; pairs: number; k: number };
  neighborMse: { top1: number; random: number; ratio: number };
  cosineHistogram: { binEdges: number[]; all: number[]; lowLow: number[]; highHigh: number[]; lowHigh: number[]; gcThreshold: number; pairs: number };
  retrieval: { species: Precision; genus: Precision; msPerQuery: { latent: number; rawClr: number; tetra: number } };
  domainPurity: { latent: DomainPurity; rawClr: DomainPurity; latentWithMarkers: DomainPurity | null };
  latentDim: number;
}

export interface ReportOptions {
  /** Genera held out from training (model provenance); empty = use every item, say so. */
  valGenera: string[];
  /** Neighbours per point for the local-distance correlation. @default 10 */
  localK?: number;
  seed?: number;
  markerWeight?: number;
}

function rank(values: Float64Array): Float64Array {
  const idx = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  const r = new Float64Array(values.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]] === values[idx[i]]) j++;
    const avg = (i + j) / 2;
    for (let t = i; t <= j; t++) r[idx[t]] = avg;
    i = j + 1;
  }
  return r;
}

export function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

export function spearman(a: Float64Array, b: Float64Array): number {
  return pearson(rank(a), rank(b));
}

function euclid(m: Float32Array, d: number, i: number, j: number, m2: Float32Array = m): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const e = m[i * d + t] - m2[j * d + t];
    s += e * e;
  }
  return Math.sqrt(s);
}

function mse(m: Float32Array, d: number, i: number, j: number): number {
  const e = euclid(m, d, i, j);
  return (e * e) / d;
}

function tetraBlock(x: Float32Array, rows: number): Float32Array {
  const b = K_BLOCKS[3];
  const w = b.end - b.start;
  const out = new Float32Array(rows * w);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * FEATURE_COUNT + b.start, r * FEATURE_COUNT + b.end), r * w);
  return out;
}

// The definition: queries and candidates are whole genome files (the reference genomes), not records.
const GENOME_LEVEL = new Set(['genome']);

function purity(index: ExactCosineIndex, items: ReportItem[], queries: number[], rowGenus: Int32Array, vectors: Float32Array, d: number, extra?: (q: number) => Float32Array): DomainPurity {
  const byDomain: DomainPurity['byDomain'] = {};
  const failures: DomainPurity['failures'] = [];
  let ok = 0;
  for (const q of queries) {
    const dom = domainOf(items[q].organismType);
    const r = index.search(vectors.subarray(q * d, (q + 1) * d), 5, { rowGroups: rowGenus, queryGroup: rowGenus[q], extraScore: extra?.(q) });
    const doms = Array.from(r.ids, (id) => domainOf(items[id].organismType));
    const good = doms.filter((x) => x === dom).length >= 4;
    byDomain[dom] ??= { ok: 0, queries: 0 };
    byDomain[dom].queries++;
    if (good) {
      ok++;
      byDomain[dom].ok++;
    } else failures.push({ species: items[q].species ?? '?', neighbors: Array.from(r.ids, (id) => `${items[id].species ?? '?'} (${domainOf(items[id].organismType)})`) });
  }
  return { ok, queries: queries.length, byDomain, failures };
}

export function computeVaeReport(vae: GenomeVae, items: ReportItem[], o: ReportOptions): VaeReport {
  const n = items.length;
  const d = FEATURE_COUNT;
  const L = vae.config.latentDim;
  const all = Array.from({ length: n }, (_, i) => i);
  const x = clrRows(items, all, vae.config);
  const z = encodeMeans(vae, x, n);
  const genus = items.map((it) => genusOf(it.species, it.organismType));
  const valSet = new Set(o.valGenera);
  let held = all.filter((i) => genus[i] !== null && valSet.has(genus[i]!));
  let note = `held-out genera: ${new Set(held.map((i) => genus[i])).size} (never seen in training)`;
  if (held.length < 2) {
    held = all;
    note = 'no held-out genera in these data: computed on all rows (training data included)';
  }
  const rnd = mulberry32(mixSeed(o.seed ?? 42, 7));

  // Reconstruction of held-out rows from the latent mean.
  const xv = clrRows(items, held, vae.config);
  const { perK, perKCentred, perKR2 } = evaluateVae(vae, xv, held.length);

  // Latent cosine index over everything; held-out rows query it.
  const zIndex = new ExactCosineIndex(z, L);
  const xIndex = new ExactCosineIndex(x, d);
  const t4 = tetraBlock(x, n);
  const tIndex = new ExactCosineIndex(t4, K_BLOCKS[3].end - K_BLOCKS[3].start);

  // Local distances: each held-out row's k nearest in input space (CLR cosine), Euclidean distances both ways.
  const k = o.localK ?? 10;
  const dIn: number[] = [];
  const dLat: number[] = [];
  let top1 = 0;
  let randomMse = 0;
  for (const q of held) {
    const r = xIndex.search(x.subarray(q * d, (q + 1) * d), k + 1);
    for (const j of r.indices) {
      if (j === q) continue;
      dIn.push(euclid(x, d, q, j));
      dLat.push(euclid(z, L, q, j));
    }
    const nz = zIndex.search(z.subarray(q * L, (q + 1) * L), 2).indices.find((j) => j !== q) ?? q;
    top1 += mse(x, d, q, nz);
    let rj = Math.floor(rnd() * n);
    if (rj === q) rj = (rj + 1) % n;
    randomMse += mse(x, d, q, rj);
  }
  const a = Float64Array.from(dIn);
  const b = Float64Array.from(dLat);
  top1 /= held.length;
  randomMse /= held.length;

  // Cosine distances between latent vectors of held-out pairs (all pairs, or 20,000 random ones).
  const gcs = held.map((i) => items[i].gcFraction).filter(Number.isFinite).sort((p, q) => p - q);
  const gcThreshold = gcs.length ? gcs[Math.floor(gcs.length / 2)] : 0.5;
  const bins = 40;
  const binEdges = Array.from({ length: bins + 1 }, (_, i) => (2 * i) / bins);
  const hist = { all: new Array(bins).fill(0), lowLow: new Array(bins).fill(0), highHigh: new Array(bins).fill(0), lowHigh: new Array(bins).fill(0) };
  const zn = zIndex.vectors;
  const addPair = (i: number, j: number) => {
    let dot = 0;
    for (let t = 0; t < L; t++) dot += zn[i * L + t] * zn[j * L + t];
    const dist = Math.min(2, Math.max(0, 1 - dot));
    const bin = Math.min(bins - 1, Math.floor((dist / 2) * bins));
    hist.all[bin]++;
    const li = items[i].gcFraction < gcThreshold;
    const lj = items[j].gcFraction < gcThreshold;
    (li && lj ? hist.lowLow : !li && !lj ? hist.highHigh : hist.lowHigh)[bin]++;
  };
  let pairs = 0;
  if (held.length * (held.length - 1) / 2 <= 20000) {
    for (let p = 0; p < held.length; p++) for (let q = p + 1; q < held.length; q++, pairs++) addPair(held[p], held[q]);
  } else {
    for (; pairs < 20000; pairs++) {
      const i = held[Math.floor(rnd() * held.length)];
      let j = held[Math.floor(rnd() * held.length)];
      if (j === i) j = held[(held.indexOf(i) + 1) % held.length];
      addPair(i, j);
    }
  }

  // Retrieval precision@1 (the query itself excluded), latent vs raw CLR vs 4-mer cosine.
  const withSpecies = held.filter((i) => items[i].species && genus[i]);
  const prec = (index: ExactCosineIndex, m: Float32Array, dim: number) => {
    let sp = 0;
    let ge = 0;
    const t0 = performance.now();
    for (const q of withSpecies) {
      const ex = new Uint8Array(n);
      ex[q] = 1;
      const j = index.search(m.subarray(q * dim, (q + 1) * dim), 1, { exclude: ex }).indices[0];
      if (items[j].species === items[q].species) sp++;
      if (genus[j] === genus[q]) ge++;
    }
    const ms = withSpecies.length ? (performance.now() - t0) / withSpecies.length : 0;
    const nq = Math.max(1, withSpecies.length);
    return { sp: sp / nq, ge: ge / nq, ms };
  };
  const pl = prec(zIndex, z, L);
  const pr = prec(xIndex, x, d);
  const pt = prec(tIndex, t4, K_BLOCKS[3].end - K_BLOCKS[3].start);

  // Leave-one-genus-out domain purity over genome-level bacteria and archaea.
  const genomeRows = all.filter((i) => GENOME_LEVEL.has(items[i].recordType));
  const sub = (m: Float32Array, dim: number) => {
    const out = new Float32Array(genomeRows.length * dim);
    genomeRows.forEach((r, i) => out.set(m.subarray(r * dim, (r + 1) * dim), i * dim));
    return out;
  };
  const subItems = genomeRows.map((r) => items[r]);
  const gid = new Map<string, number>();
  const rowGenus = Int32Array.from(genomeRows, (r, i) => {
    const g = genus[r] ?? `#${i}`;
    if (!gid.has(g)) gid.set(g, gid.size);
    return gid.get(g)!;
  });
  const queries = subItems.map((it, i) => i).filter((i) => subItems[i].organismType === 'bacteria' || subItems[i].organismType === 'archaea');
  const zs = sub(z, L);
  const xs = sub(x, d);
  const zsIndex = new ExactCosineIndex(zs, L);
  const w = o.markerWeight ?? 0.5;
  const haveMarkers = subItems.some((it) => it.domainCall && it.domainCall !== 'unknown');
  const markerExtra = (q: number) => {
    const qc = subItems[q].domainCall ?? 'unknown';
    const e = new Float32Array(subItems.length);
    if (qc !== 'unknown') subItems.forEach((it, i) => (e[i] = (markerAgreement(qc, it.domainCall ?? 'unknown') * w) / (1 - w)));
    return e;
  };

  return {
    heldOut: { rows: held.length, genera: new Set(held.map((i) => genus[i])).size, note },
    perK,
    perKCentred,
    perKR2,
    clrMode: vae.config.clrMode,
    localDistance: { spearman: spearman(a, b), pearson: pearson(a, b), pairs: a.length, k },
    neighborMse: { top1, random: randomMse, ratio: randomMse > 0 ? top1 / randomMse : NaN },
    cosineHistogram: { binEdges, ...hist, gcThreshold, pairs },
    retrieval: {
      species: { latent: pl.sp, rawClr: pr.sp, tetra: pt.sp, queries: withSpecies.length },
      genus: { latent: pl.ge, rawClr: pr.ge, tetra: pt.ge, queries: withSpecies.length },
      msPerQuery: { latent: pl.ms, rawClr: pr.ms, tetra: pt.ms },
    },
    domainPurity: {
      latent: purity(zsIndex, subItems, queries, rowGenus, zs, L),
      rawClr: purity(new ExactCosineIndex(xs, d), subItems, queries, rowGenus, xs, d),
      latentWithMarkers: haveMarkers ? purity(zsIndex, subItems, queries, rowGenus, zs, L, markerExtra) : null,
    },
    latentDim: L,
  };
}
