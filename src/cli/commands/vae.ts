/** `mediaforge vae report [--db FILE] [--data DIR] [--json]`: verification report of the genome VAE. */
import { resolve } from 'node:path';
import type { Database } from 'sql.js';
import { AppError } from '../../core/errors';
import { getGenomeCounts } from '../../db/genomes';
import { loadDomainCalls } from '../../db/models';
import { loadSharedGenomes } from '../../db/node-shared-genomes';
import { readGenomeVae } from '../../ml/bundle-model';
import { formatPerK } from '../../ml/clr';
import { instantiateGenomeVae } from '../../ml/genome-vae-model';
import { initNodeBackend } from '../../ml/node-backend';
import { computeVaeReport, type DomainPurity, type ReportItem, type VaeReport } from '../../ml/vae-report';
import { parseCommandArgs, runSubcommand } from '../command-args';
import { nodeFileSource } from '../node-source';
import { DEFAULT_DB, openCliDatabase } from '../cli-database';

export const SUMMARY = 'verification report of the genome VAE on held-out genera';

export const HELP = `Usage: mediaforge vae report [--db FILE] [--model ID] [--data DIR] [--json]

Computes the verification report of the database's genome VAE on the genera it held out from
training (its provenance names them): per-k reconstruction MSE, local-distance Spearman and Pearson
(input-space vs latent distances to each genome's 10 nearest), top-1 latent-neighbour MSE against
random pairs, the histogram of latent cosine distances split by GC, leave-one-out precision@1 for
species and genus (latent vs raw CLR vs 4-mer cosine) and leave-one-genus-out domain purity of the
5 nearest genomes (with and without rRNA marker evidence).

Options:
  --db FILE    database or snapshot (default: the bundled ${DEFAULT_DB})
  --model ID   a model of the database (default: the active genome VAE)
  --data DIR   also use the collection records of a shared data folder (profiled on the fly);
               default: the genomes of the database that have a stored profile
  --json       the report as one JSON object
  -h, --help   show this help
`;

function dbItems(db: Database): ReportItem[] {
  const calls = loadDomainCalls(db);
  const r = db.exec('SELECT g.id, g.species, g.organism_type, g.record_type, g.gc_fraction FROM genomes g JOIN genome_profiles p ON p.genome_id = g.id ORDER BY g.id');
  return (r[0]?.values ?? []).map(([id, species, ot, rt, gc]) => ({
    species: species === null ? null : String(species),
    organismType: String(ot),
    recordType: String(rt),
    gcFraction: gc === null ? NaN : Number(gc),
    counts: getGenomeCounts(db, Number(id))!,
    domainCall: calls.get(Number(id)) ?? 'unknown',
  }));
}

export function run(argv: string[]): Promise<number> {
  return runSubcommand(argv, { help: HELP, commands: { report: runReport } });
}

async function runReport(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, model: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean', default: false } }, HELP);
  if (!args) return 0;
  const v = args.values;
  const { db, name: dbName } = await openCliDatabase(v.db);
  let report: VaeReport;
  let modelId: string;
  try {
    const model = readGenomeVae(db, v.model);
    if (!model) throw new AppError('DATA_INVALID', `${dbName}: ${v.model ? `no model '${v.model}'` : 'holds no genome VAE'}`, 'train one with `mediaforge train vae`');
    modelId = model.id;
    let items = dbItems(db);
    if (v.data !== undefined) {
      const calls = loadDomainCalls(db);
      const byHash = new Map<string, number>();
      for (const [id, h] of db.exec('SELECT id, content_hash FROM genomes')[0]?.values ?? []) byHash.set(String(h), Number(id));
      const shared = await loadSharedGenomes(resolve(v.data), { sourceFor: (p) => nodeFileSource(p) });
      items = shared.map((s) => ({
        species: s.species,
        organismType: s.organismType,
        recordType: s.recordType,
        gcFraction: s.gcFraction,
        counts: s.counts,
        domainCall: calls.get(byHash.get(s.contentHash) ?? -1) ?? 'unknown',
      }));
    }
    await initNodeBackend('wasm');
    const vae = instantiateGenomeVae(model);
    report = computeVaeReport(vae, items, { valGenera: model.provenance.valGenera });
    vae.dispose();
  } finally {
    db.close();
  }
  if (v.json) process.stdout.write(`${JSON.stringify({ model: modelId, ...report }, null, 2)}\n`);
  else process.stdout.write(formatReport(modelId, report));
  return 0;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const purity = (p: DomainPurity) =>
  `${p.ok}/${p.queries} (${pct(p.ok / Math.max(1, p.queries))}; ${Object.entries(p.byDomain)
    .map(([d, b]) => `${d} ${b.ok}/${b.queries}`)
    .join(', ')})`;

export function formatReport(modelId: string, r: VaeReport): string {
  const h = r.cosineHistogram;
  const lines = [
    `genome VAE ${modelId} (latent ${r.latentDim})`,
    `held out: ${r.heldOut.rows} genomes/records, ${r.heldOut.genera} genera — ${r.heldOut.note}`,
    `reconstruction (${r.clrMode} CLR, units²) ${formatPerK(r.perK)}`,
    `  each k block centred      ${formatPerK(r.perKCentred)}`,
    `  variance explained (R²)   ${[6, 5, 4, 3, 2, 1].map((k) => `${k}mer=${r.perKR2.perK[`k${k}` as keyof typeof r.perKR2.perK].toFixed(3)}`).join(', ')} (all ${r.perKR2.total.toFixed(3)})`,
    `local distances (${r.localDistance.k} nearest, ${r.localDistance.pairs} pairs): Spearman ${r.localDistance.spearman.toFixed(3)}, Pearson ${r.localDistance.pearson.toFixed(3)}`,
    `top-1 latent neighbour MSE ${r.neighborMse.top1.toFixed(3)} vs random pairs ${r.neighborMse.random.toFixed(3)} (ratio ${r.neighborMse.ratio.toFixed(2)})`,
    `precision@1 species: latent ${pct(r.retrieval.species.latent)}, raw CLR ${pct(r.retrieval.species.rawClr)}, 4-mer ${pct(r.retrieval.species.tetra)} (${r.retrieval.species.queries} queries)`,
    `precision@1 genus:   latent ${pct(r.retrieval.genus.latent)}, raw CLR ${pct(r.retrieval.genus.rawClr)}, 4-mer ${pct(r.retrieval.genus.tetra)}`,
    `search cost: latent ${r.retrieval.msPerQuery.latent.toFixed(3)} ms/query, raw CLR ${r.retrieval.msPerQuery.rawClr.toFixed(3)} ms/query, 4-mer ${r.retrieval.msPerQuery.tetra.toFixed(3)} ms/query`,
    `leave-one-genus-out, ≥ 4 of 5 nearest share the domain: latent ${purity(r.domainPurity.latent)}`,
    `                                                      raw CLR ${purity(r.domainPurity.rawClr)}`,
    ...(r.domainPurity.latentWithMarkers ? [`                                       latent + rRNA markers ${purity(r.domainPurity.latentWithMarkers)}`] : []),
    `latent cosine distance histogram (${h.pairs} pairs; GC split at ${(100 * h.gcThreshold).toFixed(1)} %):`,
    ...h.all.map((c, i) => (c ? `  ${h.binEdges[i].toFixed(2)}–${h.binEdges[i + 1].toFixed(2)}  all ${String(c).padStart(5)}  low-low ${String(h.lowLow[i]).padStart(5)}  high-high ${String(h.highHigh[i]).padStart(5)}  low-high ${String(h.lowHigh[i]).padStart(5)}` : '')).filter(Boolean),
  ];
  return `${lines.join('\n')}\n`;
}
