/**
 * Profile output formats shared by the CLI and the app's downloads.
 *
 * TSV: header `k<TAB>kmer<TAB><column...>`, then one line per canonical k-mer in layout order
 * (k ascending, k-mers lexicographic within k; all 2,772, zeros included). With one file and no
 * per-record output the single column is named `count`; otherwise one column per file (its name),
 * or per record (`file:recordId`) with per-record output.
 *
 * JSON: `{format, version, layout: {name, version, features, kmers}, files: [{file, fileBytes,
 * gzip, records, lengthBp, acgtBp, gcBp, nBp, otherBp, gcFraction, nFraction, elapsedMs, counts,
 * recordProfiles?}]}`; counts are arrays in layout order.
 */
import { FEATURE_COUNT, FEATURE_K, FEATURE_KMERS, LAYOUT_NAME, LAYOUT_VERSION } from './kmer-layout';
import type { GenomeProfile, RecordProfile, SequenceStats } from './profile-types';
import { escapeJsonControls, showControls } from './untrusted-text';

export const PROFILE_JSON_FORMAT = 'mediaforge.profile';
export const PROFILE_JSON_VERSION = 1;

interface Column {
  name: string;
  counts: Float64Array;
}

function tsvColumns(profiles: GenomeProfile[]): Column[] {
  const perRecord = profiles.some((p) => p.recordProfiles);
  if (!perRecord) {
    if (profiles.length === 1) return [{ name: 'count', counts: profiles[0].counts }];
    return profiles.map((p) => ({ name: p.name, counts: p.counts }));
  }
  return profiles.flatMap((p) => (p.recordProfiles ?? []).map((r) => ({ name: `${p.name}:${r.id}`, counts: r.counts })));
}

export function formatProfilesTsv(profiles: GenomeProfile[]): string {
  const cols = tsvColumns(profiles);
  const clean = (s: string) => showControls(s.replace(/[\t\r\n]/g, ' ')); // one cell; bidi controls visible
  const lines: string[] = [['k', 'kmer', ...cols.map((c) => clean(c.name))].join('\t')];
  for (let i = 0; i < FEATURE_COUNT; i++) {
    let line = `${FEATURE_K[i]}\t${FEATURE_KMERS[i]}`;
    for (const c of cols) line += `\t${c.counts[i]}`;
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

function statsJson(s: SequenceStats) {
  return {
    lengthBp: s.lengthBp,
    acgtBp: s.acgtBp,
    gcBp: s.gcBp,
    nBp: s.nBp,
    otherBp: s.otherBp,
    gcFraction: Number.isFinite(s.gcFraction) ? s.gcFraction : null,
    nFraction: s.nFraction,
  };
}

function recordJson(r: RecordProfile) {
  return { id: r.id, description: r.description, ...statsJson(r), counts: Array.from(r.counts) };
}

export function profilesToJsonObject(profiles: GenomeProfile[]) {
  return {
    format: PROFILE_JSON_FORMAT,
    version: PROFILE_JSON_VERSION,
    layout: { name: LAYOUT_NAME, version: LAYOUT_VERSION, features: FEATURE_COUNT, kmers: FEATURE_KMERS },
    files: profiles.map((p) => ({
      file: p.name,
      fileBytes: p.fileBytes,
      gzip: p.gzip,
      records: p.records,
      ...statsJson(p),
      elapsedMs: Math.round(p.elapsedMs),
      counts: Array.from(p.counts),
      ...(p.recordProfiles ? { recordProfiles: p.recordProfiles.map(recordJson) } : {}),
    })),
  };
}

export function formatProfilesJson(profiles: GenomeProfile[]): string {
  return escapeJsonControls(JSON.stringify(profilesToJsonObject(profiles))) + '\n'; // bidi controls as \\u escapes
}
