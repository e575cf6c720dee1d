/**
 * Workspace files against full snapshots, in Node on the bundled snapshot plus one user genome
 * (M. genitalium G37 from tests/fixtures, embedded, linked at species level, one lab outcome):
 * file sizes (workspace vs full snapshot) and times of export, preview, merge and replace; the
 * chunked gzip (progress + cancel) against fflate's one-shot gzipSync as the baseline. Prints JSON.
 *
 * `npx vite build --config vite.bench.config.ts && node dist-bench/workspace-transfer.js [--runs N]`
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { nodeFileSource } from '../../src/cli/node-source';
import { profileSource } from '../../src/core/profile';
import { addGenome } from '../../src/db/genomes';
import { recordLabOutcome } from '../../src/db/lab-outcomes';
import { linkGenome } from '../../src/db/link';
import { getActiveModelId, saveEmbeddings } from '../../src/db/models';
import { loadSqlJs, repoRoot } from '../../src/db/node-files';
import { exportSnapshot, openSnapshot } from '../../src/db/snapshot-file';
import { buildStrainIndex } from '../../src/db/strain-index';
import { applyWorkspace, exportWorkspace, modelIdsOf, openImportFile } from '../../src/db/workspace-file';
import { gzipChunked } from '../../src/db/workspace-stream';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const root = repoRoot();
const SQL = await loadSqlJs();
const bundled = new Uint8Array(readFileSync(join(root, 'public/mediaforge-snapshot.sqlite.gz')));
const open = (bytes: Uint8Array, name: string) => openSnapshot(SQL, bytes, name, { integrityCheck: false }).db;

const reference = open(bundled, 'bundled');
const referenceModelIds = modelIdsOf(reference);
// The user's database: the bundled one plus one genome of theirs.
const user = open(bundled, 'bundled');
const p = await profileSource(nodeFileSource(join(root, 'tests/fixtures/mycoplasma-genitalium-g37.fa.gz')));
const g = await addGenome(user, p, { species: 'Mycoplasma genitalium', organismType: 'bacteria', sourceFile: 'my-isolate.fa', origin: 'user' });
const modelId = getActiveModelId(user)!;
const dim = Number(user.exec('SELECT dim FROM genome_embeddings WHERE model_id = ? LIMIT 1', [modelId])[0].values[0][0]);
saveEmbeddings(user, modelId, [g.genomeId], Float32Array.from({ length: dim }, (_, i) => Math.sin(i)), dim);
linkGenome(user, g.genomeId, { species: 'Mycoplasma genitalium', organismType: 'bacteria', texts: [] }, buildStrainIndex(user));
recordLabOutcome(user, { genomeId: g.genomeId, mediumId: '1', grew: true, note: 'bench' });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time<T>(f: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

const ms: Record<string, number[]> = { exportWorkspace: [], previewWorkspace: [], mergeWorkspace: [], replaceWorkspace: [], fullGzipChunked: [], fullGzipSync: [] };
let workspaceBytes = 0;
let workspaceSqliteBytes = 0;
let fullBytes = 0;
let fullSqliteBytes = 0;
for (let run = 0; run < RUNS; run++) {
  const ex = await time(() => exportWorkspace(SQL, user, { referenceModelIds }));
  ms.exportWorkspace.push(ex.ms);
  workspaceBytes = ex.value.bytes.length;
  workspaceSqliteBytes = ex.value.sqliteBytes;
  const pv = await time(() => openImportFile(SQL, ex.value.bytes, 'ws.sqlite.gz'));
  ms.previewWorkspace.push(pv.ms);
  const target = open(bundled, 'bundled');
  ms.mergeWorkspace.push((await time(() => applyWorkspace(target, pv.value.db, pv.value.manifest))).ms);
  target.close();
  pv.value.db.close();
  // Replace = a fresh copy of the reference data (gunzip + open) + the workspace.
  const pv2 = await openImportFile(SQL, ex.value.bytes, 'ws.sqlite.gz');
  const rep = await time(() => {
    const fresh = open(bundled, 'bundled');
    applyWorkspace(fresh, pv2.db, pv2.manifest, { adoptActiveModels: true });
    return fresh;
  });
  ms.replaceWorkspace.push(rep.ms);
  rep.value.close();
  pv2.db.close();

  const sqlite = exportSnapshot(user);
  fullSqliteBytes = sqlite.length;
  const chunked = await time(() => gzipChunked(sqlite, 'bench'));
  ms.fullGzipChunked.push(chunked.ms);
  fullBytes = chunked.value.length;
  ms.fullGzipSync.push((await time(() => gzipSync(sqlite, { level: 9, mtime: 0 }))).ms);
}
reference.close();
user.close();

const med = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(median(v))]));
console.log(
  JSON.stringify(
    {
      bench: 'workspace-transfer',
      runs: RUNS,
      bytes: { workspace: workspaceBytes, workspaceSqlite: workspaceSqliteBytes, fullSnapshot: fullBytes, fullSnapshotSqlite: fullSqliteBytes },
      fullOverWorkspace: Math.round(fullBytes / workspaceBytes),
      medianMs: med,
      chunkedOverOneShotGzip: Number((med.fullGzipChunked / med.fullGzipSync).toFixed(2)),
    },
    null,
    2,
  ),
);
