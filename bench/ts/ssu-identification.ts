/**
 * How often the 16S reference names the right genus for a species it does not hold, at several
 * reference densities (species per genus). Not a speed benchmark and not part of `npm run bench`:
 * it needs a SILVA dump that the repository does not carry.
 *
 *   apt-get install -y ncbi-rrna-data ncbi-blast+
 *   blastdbcmd -db /usr/share/ncbi/data/SSURef_93.fasta -entry all > /tmp/ssu.fasta
 *   npx vite build --config vite.bench.config.ts && node dist-bench/ssu-identification.js /tmp/ssu.fasta [../shared/data]
 *
 * Every BacDive species with a 515F–1390R region is a candidate (buildSsuReference with no limit
 * per genus). From each genus with ≥ 2 species one species is held out (the smallest FNV-1a hash
 * of its name); the reference at density p holds up to p of the genus's other species (by hash,
 * not by buildSsuReference's culture-collection-first order). Prints one JSON line per density:
 * top-1 and top-3 genus accuracy, the share of held-out species with a genus ≥ 94.5 % identical
 * (identified) and how often that genus is right, gzipped size and ms per query.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSsuReference } from '../../src/media/ssu-reference-build';
import { formatSsuReferenceRows, GENUS_IDENTITY, nearestSsuGenera, parseSsuReference, type SsuReferenceEntry } from '../../src/media/ssu-reference';
import { parseTsv } from '../../src/db/tsv';

const [fastaPath, dataDir = '../shared/data'] = process.argv.slice(2);
if (!fastaPath) {
  process.stderr.write('usage: node dist-bench/ssu-identification.js SSU.fasta [DATA_DIR]\n');
  process.exit(2);
}
const fasta = readFileSync(fastaPath, 'utf8');
const strainsPath = resolve(dataDir, 'mediadive/strains.tsv');
const strains = parseTsv(strainsPath, readFileSync(strainsPath, 'utf8'), ['species']);
const col = strains.col('species');
const species = strains.rows.map((r) => r[col]).filter((s) => s !== '');
const all = buildSsuReference(fasta, species, Number.POSITIVE_INFINITY);
const byGenus = new Map<string, SsuReferenceEntry[]>();
for (const e of all.entries) byGenus.set(e.genus, [...(byGenus.get(e.genus) ?? []), e]);
const fnv = (s: string) => {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
  return x >>> 0;
};
const held: SsuReferenceEntry[] = [];
for (const es of byGenus.values()) if (es.length >= 2) held.push([...es].sort((a, b) => fnv(a.species) - fnv(b.species))[0]);
const heldIds = new Set(held.map((e) => e.accession));
console.log(JSON.stringify({ genera: byGenus.size, species: all.entries.length, heldOut: held.length }));
for (const p of [1, 3, 5, 10, 20, Number.POSITIVE_INFINITY]) {
  const ents: SsuReferenceEntry[] = [];
  for (const es of byGenus.values()) ents.push(...es.filter((e) => !heldIds.has(e.accession)).sort((a, b) => fnv(b.species) - fnv(a.species)).slice(0, p));
  const tsv = formatSsuReferenceRows(ents).join('\n');
  const ref = parseSsuReference(tsv);
  const t = performance.now();
  let top1 = 0, top3 = 0, identified = 0, identifiedRight = 0;
  for (const e of held) {
    const m = nearestSsuGenera(ref, e.region, { k: 3 });
    if (m[0]?.genus === e.genus) top1++;
    if (m.some((x) => x.genus === e.genus)) top3++;
    if (m[0] && m[0].identity >= GENUS_IDENTITY) {
      identified++;
      if (m[0].genus === e.genus) identifiedRight++;
    }
  }
  const r = (x: number) => Number(x.toFixed(3));
  console.log(JSON.stringify({ perGenus: Number.isFinite(p) ? p : 'all', entries: ents.length, gzipMB: r(gzipSync(tsv).length / 1e6), top1: r(top1 / held.length), top3: r(top3 / held.length), identified: r(identified / held.length), identifiedPrecision: r(identifiedRight / identified), msPerQuery: r((performance.now() - t) / held.length) }));
}
