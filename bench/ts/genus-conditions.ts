/**
 * Rule 13's test apart from the 76 genomes the media evaluation scores: how well the other BacDive
 * strains of a genus give a strain's oxygen tolerance and pH (estimateGenusConditions, what a
 * genome whose 16S identifies that genus is given), against the majority of its domain, which is
 * what the phenotype model's oxygen call amounts to (no labelled bacterium of it is anaerobic).
 * Every strain with a label is held out in turn. Not a speed benchmark, not part of `npm run bench`.
 *
 *   npx vite build --config vite.bench.config.ts && node dist-bench/genus-conditions.js [SNAPSHOT]
 *
 * Prints one JSON object: per domain and overall, the strains with a label, the share the genus
 * rule covers, and there the balanced accuracy of the genus and of the domain majority (oxygen
 * tolerance), and the pH MAE of the genus median and of the domain median.
 */
import { readFileSync } from 'node:fs';
import initSqlJs from 'sql.js';
import { openSnapshot } from '../../src/db/snapshot-file';
import { median } from '../../src/media/condition-ranking';
import { estimateGenusConditions, genusStrainConditions } from '../../src/media/genus-conditions';

const path = process.argv[2] ?? 'public/mediaforge-snapshot.sqlite.gz';
const db = openSnapshot(await initSqlJs(), new Uint8Array(readFileSync(path)), 'bundled').db;
const domainOf = new Map((db.exec('SELECT id, domain FROM strains')[0]?.values ?? []).map(([i, d]) => [Number(i), d === null ? 'unknown' : String(d).toLowerCase()]));
const byGenus = genusStrainConditions(db);

type Acc = { labelled: number; covered: number; tp: [number, number]; n: [number, number]; domTp: [number, number]; phLabelled: number; phCovered: number; phErr: number; phDomErr: number };
const acc = new Map<string, Acc>();
const get = (d: string) => acc.get(d) ?? (acc.set(d, { labelled: 0, covered: 0, tp: [0, 0], n: [0, 0], domTp: [0, 0], phLabelled: 0, phCovered: 0, phErr: 0, phDomErr: 0 }), acc.get(d)!);

// The domain majorities (the baseline), over every labelled strain of the domain.
const domTolerant = new Map<string, { t: number; n: number; ph: number[] }>();
for (const list of byGenus.values())
  for (const s of list) {
    const d = domainOf.get(s.strainId) ?? 'unknown';
    const x = domTolerant.get(d) ?? (domTolerant.set(d, { t: 0, n: 0, ph: [] }), domTolerant.get(d)!);
    if (s.oxygen) {
      x.n++;
      if (s.oxygen !== 'anaerobe') x.t++;
    }
    if (s.ph !== null) x.ph.push(s.ph);
  }
const domMedian = new Map([...domTolerant].map(([d, x]) => [d, median(x.ph)]));

for (const list of byGenus.values())
  for (const s of list) {
    const d = domainOf.get(s.strainId) ?? 'unknown';
    const e = estimateGenusConditions(list, new Set([s.strainId]));
    for (const a of [get(d), get('all')]) {
      if (s.oxygen) {
        a.labelled++;
        if (e.oxygen) {
          const truth = s.oxygen !== 'anaerobe' ? 1 : 0;
          const dm = domTolerant.get(d)!;
          a.covered++;
          a.n[truth]++;
          if ((e.oxygen.tolerant ? 1 : 0) === truth) a.tp[truth]++;
          if ((dm.t * 2 >= dm.n ? 1 : 0) === truth) a.domTp[truth]++;
        }
      }
      if (s.ph !== null) {
        a.phLabelled++;
        if (e.ph) {
          a.phCovered++;
          a.phErr += Math.abs(e.ph.value - s.ph);
          a.phDomErr += Math.abs((domMedian.get(d) ?? 7) - s.ph);
        }
      }
    }
  }

const ba = (tp: [number, number], n: [number, number]) => {
  const parts = [0, 1].filter((k) => n[k] > 0).map((k) => tp[k] / n[k]);
  return parts.length ? Number((parts.reduce((x, y) => x + y, 0) / parts.length).toFixed(3)) : null;
};
const out = Object.fromEntries(
  [...acc]
    .filter(([d]) => d === 'all' || d === 'bacteria' || d === 'archaea')
    .map(([d, a]) => [
      d,
      {
        oxygen: { labelled: a.labelled, covered: a.covered, coverage: Number((a.covered / a.labelled).toFixed(3)), tolerant: a.n[1], intolerant: a.n[0], balancedAccuracy: { genus: ba(a.tp, a.n), domainMajority: ba(a.domTp, a.n) }, accuracy: { genus: Number(((a.tp[0] + a.tp[1]) / a.covered).toFixed(3)), domainMajority: Number(((a.domTp[0] + a.domTp[1]) / a.covered).toFixed(3)) } },
        ph: { labelled: a.phLabelled, covered: a.phCovered, maeGenus: Number((a.phErr / a.phCovered).toFixed(3)), maeDomainMedian: Number((a.phDomErr / a.phCovered).toFixed(3)) },
      },
    ]),
);
process.stdout.write(`${JSON.stringify({ bench: 'genus-conditions', snapshot: path, genera: byGenus.size, ...out }, null, 1)}\n`);
