/**
 * The 16S rRNA reference: where a genome's small-subunit rRNA places it among the genera that
 * BacDive has strains of. Pure; Node and browser.
 *
 * A genome's 16S region (515F–1390R, E. coli 515–1406, V4–V8, cut by the rRNA scanner of the
 * profiling pass: `RrnaEvidence.ssuRegion`) is compared with the same region of named isolates'
 * 16S genes (`ssu-reference.tsv.gz`, built by `mediaforge db ssu-reference` from SILVA SSU Ref 93
 * as shipped in Debian's ncbi-rrna-data; up to 3 species per genus; the same scanner cuts the
 * region, so both sides start and end at the same primer sites).
 *
 * Identity = 1 − (edit distance − length difference) / length of the shorter region (unit costs;
 * a banded global alignment, as both regions span the same two primer sites). The length
 * difference is left out because it is gaps whatever the alignment: the introns of some archaeal
 * 16S genes (Aeropyrum, Caldivirga and other Thermoproteota carry 100–700 bp insertions in this
 * region) would otherwise make a genome look unlike its own species. Candidates are first narrowed to the
 * `PREFILTER` references sharing the most 8-mers with the query. The published threshold for one
 * genus is 94.5 % over the whole gene (Yarza et al. 2014, Nat Rev Microbiol 12:635); V4–V8 is
 * about as variable as the whole gene.
 */
import { dataUrlBytes } from '../core/base64';
import { BASE_BYTE_CLASS } from '../core/fasta-byte-class';
import { gunzipSync } from 'fflate';
import bundledDataUrl from './ssu-reference.tsv.gz?inline';

/** Yarza et al. 2014: two 16S genes ≥ 94.5 % identical are, in most cases, of one genus. */
export const GENUS_IDENTITY = 0.945;
/** References aligned per query (those sharing the most 8-mers). */
export const PREFILTER = 40;
const K = 8;

export interface SsuReferenceEntry {
  genus: string;
  species: string;
  accession: string;
  region: string;
}

export interface SsuReference {
  entries: SsuReferenceEntry[];
  /** Per entry: the region as bytes. */
  bytes: Uint8Array[];
  /** Per entry: its distinct 8-mers, sorted. */
  kmers: Uint16Array[];
  /** Where the sequences came from (shown with a match). */
  source: string;
}

export interface SsuGenusMatch {
  genus: string;
  /** The reference sequence of the genus closest to the query. */
  species: string;
  accession: string;
  /** 0..1. */
  identity: number;
}

export const SSU_REFERENCE_SOURCE = 'SILVA SSU Ref 93 (Pruesse et al. 2007), as in Debian ncbi-rrna-data';

/** Distinct 8-mers of an A/C/G/T string (other letters break the window), sorted. */
export function kmerSet(seq: string): Uint16Array {
  const seen = SEEN;
  const found = new Uint16Array(Math.max(0, seq.length - K + 1));
  let code = 0;
  let run = 0;
  let n = 0;
  const mask = (1 << (2 * K)) - 1;
  for (let i = 0; i < seq.length; i++) {
    const c = BASE_BYTE_CLASS[seq.charCodeAt(i)];
    if (c > 3) {
      run = 0;
      continue;
    }
    code = ((code << 2) | c) & mask;
    if (++run >= K && !seen[code]) {
      seen[code] = 1;
      found[n++] = code;
    }
  }
  const out = found.slice(0, n).sort();
  for (let i = 0; i < n; i++) seen[out[i]] = 0; // the scratch table is clean again
  return out;
}

/** Scratch table of kmerSet (4^8 flags), cleared after each use. */
const SEEN = new Uint8Array(1 << (2 * K));


/**
 * Every reference entry ordered by the number of distinct 8-mers it shares with `q` (most first,
 * ties by position): the query's 8-mers are flagged in the scratch table, each entry's looked up,
 * and the entries bucketed by count (a counting sort, stable, so ties keep their order).
 */
function orderByShared(q: Uint16Array, kmers: readonly Uint16Array[]): Int32Array {
  const flag = SEEN;
  for (let t = 0; t < q.length; t++) flag[q[t]] = 1;
  const shared = new Int32Array(kmers.length);
  let most = 0;
  for (let e = 0; e < kmers.length; e++) {
    const k = kmers[e];
    let c = 0;
    for (let t = 0; t < k.length; t++) c += flag[k[t]];
    shared[e] = c;
    if (c > most) most = c;
  }
  for (let t = 0; t < q.length; t++) flag[q[t]] = 0; // the scratch table is clean again
  const start = new Int32Array(most + 2); // start[most - c]: where entries sharing c begin
  for (let e = 0; e < kmers.length; e++) start[most - shared[e] + 1]++;
  for (let c = 1; c < start.length; c++) start[c] += start[c - 1];
  const order = new Int32Array(kmers.length);
  for (let e = 0; e < kmers.length; e++) order[start[most - shared[e]]++] = e;
  return order;
}

/**
 * Edit distance (unit mismatch and gap costs) of a and b, restricted to a diagonal band of
 * half-width `band` + |len(a) − len(b)|; exact whenever the optimal path stays in the band.
 * An N in either sequence counts as a mismatch.
 *
 * Computed by diagonal transition (Ukkonen 1985): for d = 0, 1, … the furthest cell reachable at
 * cost d on each diagonal of the band, extended along matches. This is the banded dynamic
 * programme's value exactly (cells reachable at cost ≤ d form a prefix of each diagonal, also
 * within a band), in O(d · band) steps instead of O(length · band): several times faster on 16S
 * regions of one family (d ≈ 50–150 over ≈ 900 bp), far faster within a genus.
 */
export function bandedEditDistance(a: Uint8Array, b: Uint8Array, band = 64): number {
  const n = a.length;
  const m = b.length;
  const w = band + Math.abs(n - m);
  const kMin = Math.max(-w, -n);
  const kMax = Math.min(w, m);
  const target = m - n;
  const size = kMax - kMin + 3; // one unreachable sentinel diagonal on each side
  const NONE = -(1 << 29);
  let prev = new Int32Array(size).fill(NONE);
  let cur = new Int32Array(size).fill(NONE);
  const off = 1 - kMin; // diagonal k lives at k + off
  const slide = (k: number, i: number): number => {
    let j = i + k;
    while (i < n && j < m && a[i] === b[j] && a[i] !== 78) {
      i++;
      j++;
    }
    return i;
  };
  prev[off] = slide(0, 0);
  if (target === 0 && prev[off] >= n) return 0;
  for (let d = 1; ; d++) {
    const lo = Math.max(kMin, -d);
    const hi = Math.min(kMax, d);
    for (let k = lo; k <= hi; k++) {
      const x = k + off;
      // from the same diagonal (substitution), from k + 1 (a letter of a skipped), from k − 1 (of b)
      let i = prev[x] + 1;
      if (prev[x + 1] + 1 > i) i = prev[x + 1] + 1;
      if (prev[x - 1] > i) i = prev[x - 1];
      if (i < 0) {
        cur[x] = NONE;
        continue;
      }
      if (i > n) i = n;
      if (i > m - k) i = m - k;
      i = slide(k, i);
      cur[x] = i;
      if (k === target && i >= n) return d;
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
}

const ascii = (s: string) => new TextEncoder().encode(s);

/** 1 − (edit distance − length difference) / length of the shorter sequence (strings or ASCII bytes). */
export function regionIdentity(a: string | Uint8Array, b: string | Uint8Array): number {
  const x = typeof a === 'string' ? ascii(a) : a;
  const y = typeof b === 'string' ? ascii(b) : b;
  const L = Math.min(x.length, y.length);
  return L ? 1 - (bandedEditDistance(x, y) - Math.abs(x.length - y.length)) / L : 0;
}

/** Reads the reference TSV (genus, species, accession, region; a '#' line may name the source). */
export function parseSsuReference(tsv: string): SsuReference {
  const entries: SsuReferenceEntry[] = [];
  let source = SSU_REFERENCE_SOURCE;
  for (const line of tsv.split('\n')) {
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^#\s*source:\s*(.+)$/.exec(line);
      if (m) source = m[1].trim();
      continue;
    }
    const [genus, species, accession, region] = line.split('\t');
    if (!genus || !species || !accession || !region) throw new Error(`16S reference: bad row '${line.slice(0, 60)}…'`);
    entries.push({ genus, species, accession, region });
  }
  return { entries, bytes: entries.map((e) => ascii(e.region)), kmers: entries.map((e) => kmerSet(e.region)), source };
}

/** The reference TSV's rows (genus, species, accession, region), one per entry: what parseSsuReference reads. */
export function formatSsuReferenceRows(entries: readonly SsuReferenceEntry[]): string[] {
  return entries.map((e) => `${e.genus}\t${e.species}\t${e.accession}\t${e.region}`);
}

let bundled: SsuReference | null = null;
/** The reference shipped with MediaForge (src/media/ssu-reference.tsv.gz). */
export function bundledSsuReference(): SsuReference {
  if (!bundled) {
    bundled = parseSsuReference(new TextDecoder().decode(gunzipSync(dataUrlBytes(bundledDataUrl))));
  }
  return bundled;
}

/**
 * The genera nearest to a 16S region, best first, each with its closest reference sequence;
 * genera in `excluded` are skipped (evaluation leaves the query's genus out).
 */
export function nearestSsuGenera(ref: SsuReference, region: string, options: { excluded?: ReadonlySet<string>; k?: number } = {}): SsuGenusMatch[] {
  const s = searchOf(ref, region);
  if (!s) return [];
  const best = new Map<string, SsuGenusMatch>();
  let taken = 0;
  for (let r = 0; r < s.order.length && taken < PREFILTER; r++) {
    const i = s.order[r];
    const e = ref.entries[i];
    if (options.excluded?.has(e.genus)) continue;
    taken++;
    if (Number.isNaN(s.identity[i])) s.identity[i] = regionIdentity(s.bytes, ref.bytes[i]);
    const identity = s.identity[i];
    const prev = best.get(e.genus);
    if (!prev || identity > prev.identity) best.set(e.genus, { genus: e.genus, species: e.species, accession: e.accession, identity });
  }
  return [...best.values()].sort((a, b) => b.identity - a.identity || (a.genus < b.genus ? -1 : 1)).slice(0, options.k ?? 10);
}

/**
 * One region's search, remembered per reference: every entry ordered by shared 8-mers (ties by
 * position), and the identities aligned so far. Left-out genera are skipped when walking the order,
 * so a search with any exclusions aligns exactly the PREFILTER best non-excluded references, and an
 * evaluation that leaves out a different genus each time aligns each reference once.
 */
interface RegionSearch {
  bytes: Uint8Array;
  order: Int32Array;
  identity: Float64Array;
}
const SEARCHES = new WeakMap<SsuReference, Map<string, RegionSearch | null>>();
const SEARCH_CACHE = 256;

function searchOf(ref: SsuReference, region: string): RegionSearch | null {
  let cache = SEARCHES.get(ref);
  if (!cache) SEARCHES.set(ref, (cache = new Map()));
  const known = cache.get(region);
  if (known !== undefined) return known;
  const q = kmerSet(region);
  let out: RegionSearch | null = null;
  if (q.length >= 50) {
    out = { bytes: ascii(region), order: orderByShared(q, ref.kmers), identity: new Float64Array(ref.entries.length).fill(NaN) };
  }
  if (cache.size >= SEARCH_CACHE) cache.delete(cache.keys().next().value!);
  cache.set(region, out);
  return out;
}
