/**
 * An independent, obviously-correct reference for canonical k-mer counting, written without
 * any code from src/: gunzip with node:zlib, split into lines, slide a window over strings.
 * Slow on purpose (string slicing); use it on small genomes only.
 */
import { gunzipSync } from 'node:zlib';

const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };

export function reverseComplement(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += COMPLEMENT[s[i]];
  return out;
}

export interface ReferenceRecord {
  id: string;
  sequence: string; // uppercase, U -> T, whitespace removed
}

export function parseFastaNaive(bytes: Uint8Array): ReferenceRecord[] {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : Buffer.from(bytes);
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: ReferenceRecord[] = [];
  let current: { id: string; parts: string[] } | null = null;
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    if (l.startsWith('>')) {
      if (current) records.push({ id: current.id, sequence: current.parts.join('') });
      current = { id: l.slice(1).trim().split(/\s+/)[0], parts: [] };
    } else if (current) {
      current.parts.push(l.replace(/\s+/g, '').toUpperCase().replace(/U/g, 'T'));
    }
  }
  if (current) records.push({ id: current.id, sequence: current.parts.join('') });
  return records;
}

/** Map from canonical k-mer to count, for k = 1..6, summed over records (no window spans records). */
export function countCanonicalNaive(records: ReferenceRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { sequence } of records) {
    for (let k = 1; k <= 6; k++) {
      for (let i = 0; i + k <= sequence.length; i++) {
        const w = sequence.slice(i, i + k);
        if (!/^[ACGT]+$/.test(w)) continue;
        const rc = reverseComplement(w);
        const canon = w < rc ? w : rc;
        counts.set(canon, (counts.get(canon) ?? 0) + 1);
      }
    }
  }
  return counts;
}

export function naiveStats(records: ReferenceRecord[]) {
  let length = 0;
  let gc = 0;
  let acgt = 0;
  let n = 0;
  for (const { sequence } of records) {
    length += sequence.length;
    for (const ch of sequence) {
      if (ch === 'G' || ch === 'C') gc++;
      if ('ACGT'.includes(ch)) acgt++;
      if (ch === 'N') n++;
    }
  }
  return { length, gc, acgt, n, other: length - acgt - n };
}

/** Every canonical k-mer string for k = 1..6 in lexicographic order per k (built independently). */
export function allCanonicalKmers(k: number): string[] {
  const out: string[] = [];
  const walk = (prefix: string) => {
    if (prefix.length === k) {
      if (prefix <= reverseComplement(prefix)) out.push(prefix);
      return;
    }
    for (const b of 'ACGT') walk(prefix + b);
  };
  walk('');
  return out;
}
