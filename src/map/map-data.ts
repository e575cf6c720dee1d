/**
 * What the latent map shows of each embedded genome and record, as column arrays (no per-point
 * objects): built in the database worker (mapGenomesFromDb) and transferred to the page.
 */
import type { Database } from 'sql.js';
import { loadDomainCalls, loadEmbeddings } from '../db/models';
import type { DomainCall, NeighborCandidate } from '../ml/genome-neighbors';
import { GENOME_LEVEL_RECORD_TYPES } from '../ml/genome-neighbors';
import { hashArrays } from './vectors';

/** organisms.type values in code order (genomes.organism_type). */
export const ORGANISM_TYPES = ['bacteria', 'archaea', 'fungi', 'protist', 'virus', 'plasmid', 'metagenome', 'unknown'] as const;
/** Link level codes: 0 none, 1 genus, 2 species, 3 strain. */
export const LINK_LEVELS = ['none', 'genus', 'species', 'strain'] as const;
const DOMAIN_CALLS: DomainCall[] = ['unknown', 'bacteria', 'archaea', 'eukarya'];

export interface MapGenomes {
  modelId: string;
  dim: number;
  /** Changes when the embedded genomes or their vectors change (the projection cache key). */
  embeddingsHash: string;
  genomeIds: Int32Array;
  /** n × dim, row-major. */
  vectors: Float32Array;
  names: string[];
  species: (string | null)[];
  /** Index into ORGANISM_TYPES. */
  organismType: Uint8Array;
  /** Index into recordTypes. */
  recordType: Uint8Array;
  recordTypes: string[];
  /** NaN when unknown. */
  gcFraction: Float32Array;
  lengthBp: Float64Array;
  /** 1 = added by the user, 0 = bundled. */
  user: Uint8Array;
  /** Index into LINK_LEVELS: the best link of the genome. */
  linkLevel: Uint8Array;
  /** Most confident linked medium: index into mediumIds/mediumNames, −1 = none. */
  medium: Int32Array;
  mediumIds: string[];
  mediumNames: string[];
  /** rRNA domain call code (index into DOMAIN_CALLS: unknown, bacteria, archaea, eukarya). */
  domainCall: Uint8Array;
}

export function domainCallOf(code: number): DomainCall {
  return DOMAIN_CALLS[code] ?? 'unknown';
}

/** The genome-level rows (whole genomes, chromosomes, plasmids, virus genomes): the neighbour candidates. */
export function neighborCandidatesOf(m: MapGenomes): { rows: Int32Array; candidates: NeighborCandidate[] } {
  const types = new Set<string>(GENOME_LEVEL_RECORD_TYPES);
  const rows: number[] = [];
  const candidates: NeighborCandidate[] = [];
  for (let i = 0; i < m.genomeIds.length; i++) {
    const rt = m.recordTypes[m.recordType[i]];
    if (!types.has(rt)) continue;
    rows.push(i);
    candidates.push({
      genomeId: m.genomeIds[i],
      name: m.names[i],
      species: m.species[i],
      organismType: ORGANISM_TYPES[m.organismType[i]] ?? 'unknown',
      recordType: rt,
      gcFraction: Number.isNaN(m.gcFraction[i]) ? null : m.gcFraction[i],
      lengthBp: m.lengthBp[i],
      origin: m.user[i] ? 'user' : 'snapshot',
      domainCall: domainCallOf(m.domainCall[i]),
    });
  }
  return { rows: Int32Array.from(rows), candidates };
}

/** Every genome embedded by `modelId`, with what the map colours and shows (rows in genome id order). */
export function mapGenomesFromDb(db: Database, modelId: string): MapGenomes {
  const emb = loadEmbeddings(db, modelId);
  const n = emb.genomeIds.length;
  const row = new Map<number, number>();
  emb.genomeIds.forEach((id, i) => row.set(id, i));
  const names: string[] = new Array(n).fill('');
  const species: (string | null)[] = new Array(n).fill(null);
  const organismType = new Uint8Array(n).fill(ORGANISM_TYPES.indexOf('unknown'));
  const recordType = new Uint8Array(n);
  const recordTypes: string[] = [];
  const rtIndex = new Map<string, number>();
  const gcFraction = new Float32Array(n).fill(NaN);
  const lengthBp = new Float64Array(n);
  const user = new Uint8Array(n);
  const linkLevel = new Uint8Array(n);
  const medium = new Int32Array(n).fill(-1);
  const domainCall = new Uint8Array(n);
  for (const [id, name, sp, ot, rt, gc, len, origin] of db.exec(
    'SELECT g.id, g.name, g.species, g.organism_type, g.record_type, g.gc_fraction, g.length_bp, g.origin FROM genomes g JOIN genome_embeddings e ON e.genome_id = g.id AND e.model_id = ?',
    [modelId],
  )[0]?.values ?? []) {
    const i = row.get(Number(id));
    if (i === undefined) continue;
    names[i] = String(name);
    species[i] = sp === null ? null : String(sp);
    const t = ORGANISM_TYPES.indexOf(String(ot) as (typeof ORGANISM_TYPES)[number]);
    organismType[i] = t >= 0 ? t : ORGANISM_TYPES.indexOf('unknown');
    const r = String(rt);
    let ri = rtIndex.get(r);
    if (ri === undefined) {
      ri = recordTypes.push(r) - 1;
      rtIndex.set(r, ri);
    }
    recordType[i] = ri;
    gcFraction[i] = gc === null ? NaN : Number(gc);
    lengthBp[i] = Number(len);
    user[i] = origin === 'user' ? 1 : 0;
  }
  const levelCode: Record<string, number> = { genus: 1, species: 2, strain: 3 };
  for (const [g, level] of db.exec("SELECT genome_id, level FROM genome_strain_links WHERE level <> 'none'")[0]?.values ?? []) {
    const i = row.get(Number(g));
    if (i !== undefined) linkLevel[i] = Math.max(linkLevel[i], levelCode[String(level)] ?? 0);
  }
  // The most confident 'yes' medium of each genome (ties: more evidence, then the medium id).
  const mediumIds: string[] = [];
  const mediumNames: string[] = [];
  const mIndex = new Map<string, number>();
  const best = new Float64Array(n).fill(-1);
  const bestN = new Float64Array(n);
  for (const [g, m, conf, nEv, mname] of db.exec(
    "SELECT gg.genome_id, gg.medium_id, gg.confidence, gg.n_evidence, m.name FROM genome_growth gg JOIN media m ON m.id = gg.medium_id WHERE gg.growth = 'yes' ORDER BY gg.genome_id, gg.medium_id",
  )[0]?.values ?? []) {
    const i = row.get(Number(g));
    if (i === undefined) continue;
    const c = Number(conf);
    const ne = Number(nEv);
    if (c < best[i] || (c === best[i] && ne <= bestN[i])) continue;
    const id = String(m);
    let mi = mIndex.get(id);
    if (mi === undefined) {
      mi = mediumIds.push(id) - 1;
      mediumNames.push(String(mname));
      mIndex.set(id, mi);
    }
    medium[i] = mi;
    best[i] = c;
    bestN[i] = ne;
  }
  const calls = loadDomainCalls(db);
  emb.genomeIds.forEach((id, i) => (domainCall[i] = Math.max(0, DOMAIN_CALLS.indexOf(calls.get(id) ?? 'unknown'))));
  return {
    modelId,
    dim: emb.dim,
    embeddingsHash: `${n}-${hashArrays(emb.genomeIds, emb.vectors)}`,
    genomeIds: emb.genomeIds,
    vectors: emb.vectors,
    names,
    species,
    organismType,
    recordType,
    recordTypes,
    gcFraction,
    lengthBp,
    user,
    linkLevel,
    medium,
    mediumIds,
    mediumNames,
    domainCall,
  };
}

/** The typed arrays of a MapGenomes (to transfer). */
export function mapGenomesBuffers(m: MapGenomes): ArrayBuffer[] {
  return [m.genomeIds, m.vectors, m.organismType, m.recordType, m.gcFraction, m.lengthBp, m.user, m.linkLevel, m.medium, m.domainCall].map((a) => a.buffer as ArrayBuffer);
}
