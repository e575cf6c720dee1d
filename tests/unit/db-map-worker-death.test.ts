/**
 * Silent death and crashes of the database and map workers. Before, a DB worker that crashed or
 * hung during an import, an export or a merge (or the map worker during a projection) left the
 * page waiting for ever; now the call in flight rejects with an AppError naming the worker and
 * what it was doing, and the next call runs on a fresh worker: for the database, one that has
 * reopened the saved image (nothing the user had is lost), for the map one that has the
 * embeddings again.
 *
 * In Node: the real worker modules (a fresh instance per "worker", as a new Worker would load),
 * real sql.js, real Comlink over a MessageChannel with the real heartbeat, one shared image store
 * standing in for IndexedDB. The timing rule at the DB limit runs on a fake clock. The browser
 * path (a real crash and a real hang inside the real workers) is tests/e2e/worker-crash.test.ts.
 */
import { gunzipSync } from 'node:zlib';
import type { Remote } from 'comlink';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerAppErrorTransfer } from '../../src/comlink/app-error-transfer';
import { memoryImageStore, type ImageStore } from '../../src/db/browser-image-store';
import { loadSqlJs } from '../../src/db/node-files';
import { inProcessLock, type WriteLock } from '../../src/runs-in-worker/db-write-lock';
import type { DbWorkerApi } from '../../src/runs-in-worker/db-worker-api';
import type { MapWorkerApi } from '../../src/runs-in-worker/map-worker-api';
import { DB_WORKER_SILENT_MS, DbClient, MAX_IDLE_RESTARTS, type DbClientEvent } from '../../src/runs-on-page/db-client';
import { MapClient } from '../../src/runs-on-page/map-client';
import { WatchedWorker } from '../../src/runs-on-page/watched-worker';
import { LivenessWatch } from '../../src/runs-on-page/worker-liveness';
import { FakeClock } from '../helpers/fake-clock';
import { FakeWorker } from '../helpers/fake-worker';
import { build, FIXTURE_DATA, quotaStore } from './db-test-helpers';

registerAppErrorTransfer();

let image: Uint8Array;
let mediumId: string;

beforeAll(async () => {
  image = new Uint8Array(gunzipSync((await build(FIXTURE_DATA)).bytes));
  const SQL = await loadSqlJs();
  const db = new SQL.Database(image);
  mediumId = String(db.exec('SELECT id FROM media ORDER BY id LIMIT 1')[0].values[0][0]);
  db.close();
});

/** A fresh instance of the DB worker module (what a new Worker loads), on the shared store and lock. */
async function freshDbModule(store: ImageStore, lock: WriteLock): Promise<DbWorkerApi> {
  vi.resetModules();
  const mod = await import('../../src/runs-in-worker/db-worker-api');
  mod.configureDbWorker({ store, lock, sqlJs: loadSqlJs() });
  return mod.dbWorkerApi;
}

async function freshMapModule(): Promise<MapWorkerApi> {
  vi.resetModules();
  return (await import('../../src/runs-in-worker/map-worker-api')).mapWorkerApi;
}

/** `api` with some methods replaced (a worker stuck in them: they never answer). */
function stuckIn<T extends object>(api: T, ...methods: (keyof T)[]): T {
  return { ...api, ...Object.fromEntries(methods.map((m) => [m, () => new Promise(() => {})])) } as T;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

/** A DbClient whose workers are `apis` in turn (each a fresh module), beating every 50 ms. */
function dbClient(apis: object[], silentMs = 400) {
  const made: FakeWorker[] = [];
  const client = new DbClient({
    silentMs,
    snapshotUrl: () => 'http://unused.invalid/mediaforge-snapshot.sqlite.gz',
    createWorker: () => {
      const api = apis[made.length];
      if (!api) throw new Error(`no worker module prepared for worker ${made.length + 1}`);
      const w = new FakeWorker(api, 50);
      made.push(w);
      return w as unknown as Worker;
    },
  });
  closers.push(() => client.dispose());
  return { client, made };
}

describe('the database worker dies during a call', () => {
  it('a crash mid-export rejects with the worker and the export named; the next call reopens the saved database on a fresh worker', async () => {
    const { store, setFull } = quotaStore();
    await store.save(image, 'seeded');
    const lock = inProcessLock();
    const { client, made } = dbClient([stuckIn(await freshDbModule(store, lock), 'exportFile'), await freshDbModule(store, lock)]);
    const events: string[] = [];
    await client.onEvent((e) => void events.push(e.kind));
    expect((await client.open()).source).toBe('saved');
    const genomeId = (await client.api.listGenomes())[0].id;
    await client.api.recordLabOutcome({ genomeId, mediumId, grew: true, testedOn: '2026-11-30', note: 'before the crash' });

    const exporting = client.exportFile('job-1', 'workspace', true, () => {});
    await sleep(100); // the call has reached the worker
    expect(made[0].crash('Uncaught RangeError: Array buffer allocation failed')).toBe(true); // handled: not an uncaught page error
    await expect(exporting).rejects.toMatchObject({
      name: 'AppError',
      code: 'INTERNAL',
      message: 'the database worker stopped unexpectedly while exporting the workspace (Uncaught RangeError: Array buffer allocation failed)',
      hint: 'try again: a new database worker reopens your database as it was last saved in this browser',
    });
    expect(made[0].terminated).toBe(true);

    // The next call: a fresh worker (a fresh module, which held nothing) that reopened the saved image first.
    expect((await client.api.labOutcomes()).map((o) => o.note)).toEqual(['before the crash']);
    expect(made).toHaveLength(2);
    expect(client.generation).toBe(2);
    expect((await client.api.info())?.source).toBe('saved');
    // The retry: the export finishes on the new worker.
    const f = await client.exportFile('job-2', 'snapshot', false, () => {});
    expect(f.kind).toBe('snapshot');
    expect(f.bytes.length).toBe(f.sqliteBytes);
    expect(new TextDecoder().decode(f.bytes.subarray(0, 15))).toBe('SQLite format 3'); // a real image came back
    // The first worker told of its save; the client told that a fresh worker reopened the saved database.
    expect(events).toEqual(['saved', 'reopened']);
    // The page's listener was registered on the new worker: a save the storage refuses is told to it.
    setFull(true);
    await expect(client.api.recordLabOutcome({ genomeId, mediumId, grew: false, testedOn: '2026-12-01', note: 'not saved' })).rejects.toMatchObject({ code: 'STORAGE_FULL' });
    await sleep(50);
    expect(events).toEqual(['saved', 'reopened', 'save-failed']);
  });

  it('a change refused for lack of space, then the worker dies: the page keeps the database with the change, and hears that the new worker reopened the saved one without it', async () => {
    const { store, setFull } = quotaStore();
    await store.save(image, 'seeded');
    const lock = inProcessLock();
    const { client, made } = dbClient([stuckIn(await freshDbModule(store, lock), 'exportFile'), await freshDbModule(store, lock)]);
    const events: DbClientEvent[] = [];
    await client.onEvent((e) => void events.push(e));
    await client.open();
    const genomeId = (await client.api.listGenomes())[0].id;
    setFull(true);
    await expect(client.api.recordLabOutcome({ genomeId, mediumId, grew: true, testedOn: '2026-12-02', note: 'only in memory' })).rejects.toMatchObject({ code: 'STORAGE_FULL' });
    await sleep(50);
    const failed = events.find((e) => e.kind === 'save-failed') as Extract<DbClientEvent, { kind: 'save-failed' }>;
    const kept = failed.image!; // what the page offers as a download
    const exporting = client.exportFile('job-1', 'snapshot', false, () => {});
    await sleep(100);
    made[0].crash('Uncaught RangeError: Array buffer allocation failed');
    await expect(exporting).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await client.api.labOutcomes()).toEqual([]); // the fresh worker has the saved database: the change is not in it
    expect(events.map((e) => e.kind)).toEqual(['save-failed', 'reopened']);
    expect(events[1]).toMatchObject({ kind: 'reopened', info: { source: 'saved' } });
    // The page's copy still holds the change: nothing the user made is lost.
    const SQL = await loadSqlJs();
    const d = new SQL.Database(kept);
    expect(d.exec('SELECT note FROM lab_outcomes')[0].values).toEqual([['only in memory']]);
    d.close();
  });

  it('a worker that falls silent mid-merge: the merge rejects after the limit, the saved database is unchanged, and a fresh worker has it', async () => {
    const store = memoryImageStore();
    await store.save(image, 'seeded');
    const lock = inProcessLock();
    const { client, made } = dbClient([stuckIn(await freshDbModule(store, lock), 'applyImport'), await freshDbModule(store, lock)]);
    await client.open();
    const genomes = (await client.api.listGenomes()).map((g) => g.id);
    const savedBefore = await store.load();

    const file = new File([image as BlobPart], 'colleague.sqlite');
    expect((await client.inspectImport('job-1', file, () => {})).preview.name).toBe('colleague.sqlite');
    const t0 = performance.now();
    const merging = client.applyImport('job-2', 'merge', () => {});
    await sleep(100);
    made[0].dieSilently(); // no error event: only the missing heartbeat tells
    await expect(merging).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/^the database worker stopped unexpectedly while merging the imported file into the database \(it stopped responding: no sign of life for \d+ s\)$/),
    });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(400);
    expect(made[0].terminated).toBe(true);
    const savedAfter = await store.load();
    expect(savedAfter!.info).toEqual(savedBefore!.info);
    expect(Buffer.compare(Buffer.from(savedAfter!.bytes), Buffer.from(savedBefore!.bytes))).toBe(0);

    expect((await client.api.listGenomes()).map((g) => g.id)).toEqual(genomes);
    expect(made).toHaveLength(2);
    // Trying again: the same file, read again and merged on the new worker.
    await client.inspectImport('job-3', file, () => {});
    const merged = await client.applyImport('job-4', 'merge', () => {});
    expect(merged.mode).toBe('merge');
    expect(merged.merge?.genomesAlreadyPresent).toBe(genomes.length);
  });

  it('a slow call on a worker that keeps beating is not cut short', async () => {
    const store = memoryImageStore();
    await store.save(image, 'seeded');
    const real = await freshDbModule(store, inProcessLock());
    const slow = { ...real, stats: () => sleep(1500).then(() => real.stats()) };
    const { client, made } = dbClient([slow]);
    await client.open();
    expect((await client.api.stats()).schemaVersion).toBeGreaterThan(0);
    expect(made).toHaveLength(1);
  });

  it('a worker that dies while opening has nothing to reopen: the next open runs on a fresh worker', async () => {
    const store = memoryImageStore();
    await store.save(image, 'seeded');
    const lock = inProcessLock();
    const { client, made } = dbClient([stuckIn(await freshDbModule(store, lock), 'open'), await freshDbModule(store, lock)]);
    const opening = client.open();
    await sleep(100);
    made[0].crash('');
    await expect(opening).rejects.toMatchObject({ code: 'INTERNAL', message: 'the database worker stopped unexpectedly while opening the database' });
    expect((await client.open()).source).toBe('saved');
    expect(made).toHaveLength(2);
  });

  it('a crash while idle: a fresh worker starts at once and reopens the saved database, and the page hears it without making a call', async () => {
    const store = memoryImageStore();
    await store.save(image, 'seeded');
    const lock = inProcessLock();
    const { client, made } = dbClient([await freshDbModule(store, lock), await freshDbModule(store, lock)]);
    const events: string[] = [];
    await client.onEvent((e) => void events.push(e.kind));
    await client.open();
    expect(made[0].crash('Uncaught Error: lost while idle')).toBe(true);
    await vi.waitFor(() => expect(events).toEqual(['reopened']), { timeout: 5_000 });
    expect(made).toHaveLength(2);
    expect(made[0].terminated).toBe(true);
    expect((await client.api.info())?.source).toBe('saved');
    expect(made).toHaveLength(2); // that call ran on the worker already started
  });

  it('a worker that keeps crashing while idle after it opened is replaced at once only MAX_IDLE_RESTARTS times', async () => {
    const store = memoryImageStore();
    await store.save(image, 'seeded');
    const lock = inProcessLock();
    const apis = await Promise.all(Array.from({ length: MAX_IDLE_RESTARTS + 2 }, () => freshDbModule(store, lock)));
    const { client, made } = dbClient(apis);
    const events: string[] = [];
    await client.onEvent((e) => void events.push(e.kind));
    await client.open();
    for (let i = 0; i < MAX_IDLE_RESTARTS; i++) {
      made[i].crash('Uncaught Error: again');
      await vi.waitFor(() => expect(events).toHaveLength(i + 1), { timeout: 5_000 });
    }
    made[MAX_IDLE_RESTARTS].crash('Uncaught Error: again');
    await sleep(300);
    expect(made).toHaveLength(MAX_IDLE_RESTARTS + 1); // not started by itself any more
    expect(events).toEqual(Array(MAX_IDLE_RESTARTS).fill('reopened'));
    expect((await client.api.info())?.source).toBe('saved'); // the next call starts one, as always
    expect(made).toHaveLength(MAX_IDLE_RESTARTS + 2);
  });

  it('a worker that fails before answering anything is not restarted by itself (no restart loop); one that answered is', async () => {
    const made: FakeWorker[] = [];
    let idleDeaths = 0;
    const w = new WatchedWorker<{ ping(): string }>({
      create: () => {
        const f = new FakeWorker({ ping: () => 'pong' }, 50);
        made.push(f);
        return f as unknown as Worker;
      },
      name: 'the test worker',
      silentMs: 400,
      hint: 'try again',
      onIdleDeath: () => {
        idleDeaths++;
        void w.api.ping();
      },
    });
    closers.push(() => w.dispose());
    void w.api; // started, never asked anything
    made[0].crash('Uncaught SyntaxError: failed to start');
    await sleep(50);
    expect(idleDeaths).toBe(0);
    expect(made).toHaveLength(1);
    // The next call starts a fresh worker; once it has answered, an idle crash restarts it at once.
    expect(await w.api.ping()).toBe('pong');
    expect(made).toHaveLength(2);
    made[1].crash('Uncaught Error: lost while idle');
    await sleep(50);
    expect(idleDeaths).toBe(1);
    expect(made).toHaveLength(3);
  });
});

describe('per-call silence limits (fake clock)', () => {
  it('while a call with a longer limit is in flight, the longest limit applies; after it ends, the rule\'s again', () => {
    const w = new LivenessWatch({ silentMs: 10_000, checkEveryMs: 1000 }, 0);
    w.callStarted(0); // the rule's 10 s
    w.callStarted(0, 60_000); // a UMAP fit
    expect(w.silentMs).toBe(60_000);
    for (let t = 1000; t <= 60_000; t += 1000) expect(w.check(t)).toBe('alive');
    expect(w.check(61_000)).toBe('silent');
    w.callEnded(60_000);
    expect(w.silentMs).toBe(10_000);
    w.heard(61_000);
    for (let t = 62_000; t <= 71_000; t += 1000) expect(w.check(t)).toBe('alive');
    expect(w.check(72_000)).toBe('silent');
    expect(() => w.callStarted(72_000, 0)).toThrow(/silentMs must be > 0/);
  });
});

describe('the DB worker limit, on a fake clock', () => {
  /** A WatchedWorker at the DB limit over a worker that sends no heartbeat while `block` runs (its event loop blocked), then answers. */
  function blocked() {
    const clock = new FakeClock();
    let answer!: (v: string) => void;
    const worker = new FakeWorker({ exportFile: () => new Promise<string>((ok) => (answer = ok)) }, null);
    const w = new WatchedWorker<{ exportFile: () => Promise<string> }>({ create: () => worker as unknown as Worker, name: 'the database worker', silentMs: DB_WORKER_SILENT_MS, hint: 'try again', describeCall: () => 'exporting the snapshot', clock });
    closers.push(() => w.dispose());
    return { clock, worker, w, answer: (v: string) => answer(v) };
  }

  it('a step that blocks the worker for just under the limit is not reported; the answer arrives', async () => {
    const { clock, w, worker, answer } = blocked();
    const call = w.api.exportFile();
    await sleep(20);
    clock.advance(DB_WORKER_SILENT_MS - 500);
    answer('done');
    expect(await call).toBe('done');
    expect(worker.terminated).toBe(false);
  });

  it('silent past the limit: reported once, with the call named', async () => {
    const { clock, w, worker } = blocked();
    const call = w.api.exportFile();
    call.catch(() => {});
    await sleep(20);
    clock.advance(DB_WORKER_SILENT_MS - 1000);
    expect(worker.terminated).toBe(false);
    clock.advance(2000);
    // Checked every second: the first check past the limit reports it.
    await expect(call).rejects.toMatchObject({ message: `the database worker stopped unexpectedly while exporting the snapshot (it stopped responding: no sign of life for ${(DB_WORKER_SILENT_MS + 1000) / 1000} s)` });
    expect(worker.terminated).toBe(true);
  });
});

/** n × dim embeddings in `clusters` tight groups. */
function clustered(n: number, dim: number, clusters: number): Float32Array {
  const v = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) v[i * dim + j] = Math.sin((i % clusters) * 7.1 + j * 1.3) + 0.05 * Math.sin(i * 13.7 + j);
  return v;
}

describe('the map worker dies during a projection', () => {
  it('silent mid-UMAP (stuck in it): the projection rejects naming it, and the fresh worker gets the embeddings again before its first call', async () => {
    const n = 400;
    const dim = 8;
    const input = () => ({ modelId: 'm1', dim, vectors: clustered(n, dim, 5), candidateRows: Int32Array.from({ length: n }, (_, i) => i), candidates: Array.from({ length: n }, (_, i) => ({ genomeId: i + 1, name: `g${i + 1}`, species: null, organismType: 'bacteria', recordType: 'genome', gcFraction: 0.5, lengthBp: 1e6, origin: 'reference', domainCall: 'bacteria' as const })), domainCalls: Array(n).fill('bacteria') });
    const modules = [stuckIn(await freshMapModule(), 'project'), await freshMapModule()];
    const made: FakeWorker[] = [];
    let restored = 0;
    const map = new MapClient({
      silentMs: 300,
      umapSilentMs: 900, // UMAP's fit blocks the worker for seconds: its own, longer limit
      createWorker: () => {
        const w = new FakeWorker(modules[made.length], 50);
        made.push(w);
        return w as unknown as Worker;
      },
      restore: async (api: Remote<MapWorkerApi>) => {
        restored++;
        await api.setGenomes(input());
      },
    });
    closers.push(() => map.dispose());
    await map.api.setGenomes(input());
    const projecting = map.api.project('umap', {}, 1);
    await sleep(100); // the call has reached the worker, stuck in it
    made[0].dieSilently();
    const t0 = performance.now();
    await expect(projecting).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/^the map worker stopped unexpectedly while computing the UMAP projection \(it stopped responding: no sign of life for \d+ s\)$/), hint: 'try again: a new map worker starts' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(800); // the UMAP limit, not the 300 ms of other calls
    expect(made[0].terminated).toBe(true);
    expect(restored).toBe(0);
    // The next call: a fresh worker, restored first (it holds the embeddings: PCA and neighbours work).
    const pca = await map.api.project('pca', {}, 2);
    expect(restored).toBe(1);
    expect(pca.coords.length).toBe(n * 2);
    const near = await map.api.neighborsOfRow(0, 3);
    expect(near.map((x) => (x.genome_id - 1) % 5)).toEqual([0, 0, 0]); // its own cluster
    expect(made).toHaveLength(2);
    expect(map.generation).toBe(2);
  });
});
