/**
 * Nearest database genomes of many k-mer profiles at once: the records of a multi-record file (a
 * MAG, a contig set) or any batch of genomes. Each profile is embedded with the genome VAE
 * (embedProfiles, as for a single file) and searched with its own rRNA domain call. Shared by
 * `mediaforge neighbors --per-record` (Node) and the ML worker (browser).
 */
import type { DomainCall, GenomeNeighbor, GenomeNeighborIndex } from './genome-neighbors';
import { embedProfiles } from './train-pipeline';
import type { GenomeVae } from './vae';

export interface ProfileQuery {
  /** 2,772 canonical k-mer counts (kmer-layout.ts). */
  counts: ArrayLike<number>;
  /** The profile's rRNA domain evidence; 'unknown' (the default) ranks by cosine alone. */
  domainCall?: DomainCall;
}

/** Profiles embedded per tfjs call (bounds the CLR matrix: 256 × 2,772 float32 = 2.8 MB). @default 256 */
export const EMBED_BATCH = 256;

/** The k nearest candidates of each query, in query order. */
export function nearestGenomesOf(vae: GenomeVae, index: GenomeNeighborIndex, queries: ProfileQuery[], k: number, batch = EMBED_BATCH): GenomeNeighbor[][] {
  const dim = vae.config.latentDim;
  const out: GenomeNeighbor[][] = [];
  for (let s = 0; s < queries.length; s += batch) {
    const part = queries.slice(s, s + batch);
    const vectors = embedProfiles(vae, part, batch);
    part.forEach((q, i) => out.push(index.search(vectors.subarray(i * dim, (i + 1) * dim), k, q.domainCall ?? 'unknown')));
  }
  return out;
}
