/**
 * "Recommend media for this group" on the latent map: the media ranked for each member of a
 * selection (recommendMedia, the Media tab's ranking, for members with a k-mer profile; for records
 * stored without one, their linked media from genome_growth, else the media of their 3 nearest
 * linked genomes by latent cosine), pooled. A medium's group score is the mean over members of its
 * per-member score (ranked: (top − rank) / top; linked: confidence; nearest: similarity ×
 * confidence), so media that suit many members come first. Pure sql.js + the worker's cached
 * RecommendContext.
 */
import type { Database } from 'sql.js';
import { getGenomeCounts } from '../db/genomes';
import { loadSsuRegion } from '../db/models';
import { decodeFloat32 } from '../db/profile-blob';
import type { DomainCall } from '../ml/genome-neighbors';
import { dot, unitVector } from '../media/media-ranking';
import { recommendMedia, type RecommendContext } from '../media/recommend';

export interface GroupMedium {
  medium_id: string;
  name: string;
  /** Mean per-member score in [0, 1]. */
  score: number;
  /** Members that support it (ranked it in their top, or are linked to it). */
  members: number;
}

export interface GroupRecommendation {
  members: number;
  /** Members ranked with recommendMedia (those with a profile, at most `maxRanked`). */
  ranked: number;
  /** Records without a profile that contributed their own linked media. */
  linkedOnly: number;
  /** Records without a profile or links that contributed the media of their nearest linked genomes. */
  byNeighbours: number;
  media: GroupMedium[];
  notes: string[];
  ms: number;
}

export interface GroupRecommendOptions {
  /** Media per member ranking and in the answer. @default 20 */
  top?: number;
  /** Members ranked with the full ranking at most (an even spread of the selection). @default 25 */
  maxRanked?: number;
}

export function recommendForGroup(ctx: RecommendContext, db: Database, genomeIds: readonly number[], options: GroupRecommendOptions = {}): GroupRecommendation {
  const t0 = performance.now();
  const top = options.top ?? 20;
  const maxRanked = options.maxRanked ?? 25;
  const ids = [...new Set(genomeIds)];
  const withProfile = new Set((db.exec('SELECT genome_id FROM genome_profiles')[0]?.values ?? []).map(([g]) => Number(g)));
  const profiled = ids.filter((id) => withProfile.has(id));
  const step = Math.max(1, profiled.length / maxRanked);
  const rankedIds = new Set<number>();
  for (let i = 0; i < profiled.length && rankedIds.size < maxRanked; i += step) rankedIds.add(profiled[Math.floor(i)]);
  const score = new Map<string, { s: number; members: number; name: string }>();
  const add = (id: string, name: string, s: number) => {
    const e = score.get(id) ?? { s: 0, members: 0, name };
    e.s += s;
    e.members++;
    score.set(id, e);
  };
  const calls = new Map((db.exec('SELECT genome_id, domain_call FROM genome_markers')[0]?.values ?? []).map(([g, c]) => [Number(g), String(c) as DomainCall]));
  for (const id of rankedIds) {
    const counts = getGenomeCounts(db, id);
    if (!counts) continue;
    const gc = Number(db.exec('SELECT gc_fraction FROM genomes WHERE id = ?', [id])[0]?.values[0]?.[0] ?? NaN);
    const v = ctx.modelId ? db.exec('SELECT vector FROM genome_embeddings WHERE genome_id = ? AND model_id = ?', [id, ctx.modelId])[0]?.values[0]?.[0] : undefined;
    const r = recommendMedia(ctx, { counts, gcFraction: gc, domainCall: calls.get(id) ?? 'unknown', protein: null, latent: v ? decodeFloat32(v as Uint8Array) : null, genomeId: id, ssuRegion: loadSsuRegion(db, id) }, { top });
    r.media.forEach((m, rank) => add(m.medium_id, m.name, (top - rank) / top));
  }
  let linkedOnly = 0;
  let byNeighbours = 0;
  const unprofiled = ids.filter((id) => !withProfile.has(id));
  const mediumName = (id: string) => ctx.matrix.names[ctx.mediumIndex.get(id) ?? -1] ?? id;
  const linked = ctx.genomes.filter((g) => g.latent && g.media.size > 0);
  for (const id of unprofiled) {
    const rows = db.exec("SELECT gg.medium_id, m.name, gg.confidence FROM genome_growth gg JOIN media m ON m.id = gg.medium_id WHERE gg.genome_id = ? AND gg.growth = 'yes' ORDER BY gg.confidence DESC LIMIT ?", [id, top])[0]?.values ?? [];
    if (rows.length) {
      linkedOnly++;
      for (const [m, name, c] of rows) add(String(m), String(name), Number(c));
      continue;
    }
    // No links: the media of its nearest linked genomes (by the latent cosine), weighted by similarity.
    const v = ctx.modelId ? db.exec('SELECT vector FROM genome_embeddings WHERE genome_id = ? AND model_id = ?', [id, ctx.modelId])[0]?.values[0]?.[0] : undefined;
    if (!v || !linked.length) continue;
    const q = unitVector(decodeFloat32(v as Uint8Array));
    const near = linked
      .map((g) => ({ g, sim: dot(q, g.latent!) })) // latent is unit length already (loadLinkedGenomes)
      .sort((a, b) => b.sim - a.sim)
      .slice(0, NEAREST_LINKED);
    const best = new Map<string, number>();
    for (const { g, sim } of near) for (const [m, c] of g.media) best.set(m, Math.max(best.get(m) ?? 0, Math.max(0, sim) * c));
    const picked = [...best.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    if (picked.length) byNeighbours++;
    for (const [m, s] of picked) add(m, mediumName(m), s);
  }
  const contributing = rankedIds.size + linkedOnly + byNeighbours;
  const media = [...score.entries()]
    .map(([medium_id, e]) => ({ medium_id, name: e.name, score: contributing ? Math.round((e.s / contributing) * 1e4) / 1e4 : 0, members: e.members }))
    .sort((a, b) => b.score - a.score || b.members - a.members || (a.medium_id < b.medium_id ? -1 : 1))
    .slice(0, top);
  const notes: string[] = [];
  if (profiled.length > rankedIds.size) notes.push(`${rankedIds.size} of the ${profiled.length} members with a k-mer profile were ranked (an even spread of the selection)`);
  if (unprofiled.length) notes.push(`${unprofiled.length} members are records stored without a k-mer profile: ${linkedOnly} add their linked media (through their species or strain), ${byNeighbours} the media of their ${NEAREST_LINKED} nearest linked genomes`);
  if (!contributing) notes.push('no member has a profile or a linked medium: nothing to pool');
  return { members: ids.length, ranked: rankedIds.size, linkedOnly, byNeighbours, media, notes, ms: performance.now() - t0 };
}

/** Linked genomes whose media a record without profile or links borrows. */
export const NEAREST_LINKED = 3;
