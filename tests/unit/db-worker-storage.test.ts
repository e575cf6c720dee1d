/**
 * The database worker's save path in Node (src/runs-in-worker/db-worker-api.ts with an injected
 * image store and real sql.js): a save the storage refuses (QuotaExceededError) throws STORAGE_FULL,
 * tells the page, keeps the previous saved image and leaves the in-memory database usable; two
 * "tabs" (two fresh instances of the worker module sharing one store, one lock and Node's
 * BroadcastChannel) never lose each other's writes. The browser versions are in
 * tests/e2e/storage-faults.test.ts and tests/e2e/two-tabs.test.ts.
 */
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryImageStore, STORAGE_FULL, type ImageStore } from '../../src/db/browser-image-store';
import { loadSqlJs } from '../../src/db/node-files';
import { inProcessLock, type WriteLock } from '../../src/runs-in-worker/db-write-lock';
import type { DbEvent } from '../../src/runs-in-worker/db-worker-api';
import { build, FIXTURE_DATA, quotaStore } from './db-test-helpers';

let image: Uint8Array;
let mediumId: string;

beforeAll(async () => {
  image = new Uint8Array(gunzipSync((await build(FIXTURE_DATA)).bytes));
  const SQL = await loadSqlJs();
  const db = new SQL.Database(image);
  mediumId = String(db.exec('SELECT id FROM media ORDER BY id LIMIT 1')[0].values[0][0]);
  db.close();
});

/** A fresh instance of the worker module (a "tab") on a shared store and lock. */
async function tab(store: ImageStore, lock: WriteLock) {
  vi.resetModules();
  const mod = await import('../../src/runs-in-worker/db-worker-api');
  mod.configureDbWorker({ store, lock, sqlJs: loadSqlJs() });
  const events: DbEvent[] = [];
  mod.dbWorkerApi.onEvent((e) => void events.push(e));
  await mod.dbWorkerApi.open({ snapshotUrl: 'http://unused.invalid/' });
  return { api: mod.dbWorkerApi, events };
}

const outcomes = (api: Awaited<ReturnType<typeof tab>>['api']) => api.labOutcomes().map((o) => `${o.genomeId}/${o.mediumId}/${o.grew}/${o.note}`).sort();

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

describe('storage full while saving', () => {
  it('throws STORAGE_FULL with a clear message, keeps the previous image, the database stays usable', async () => {
    const { store, setFull } = quotaStore();
    await store.save(image, 'seeded');
    const a = await tab(store, inProcessLock());
    const genomeId = a.api.listGenomes()[0].id;
    await a.api.recordLabOutcome({ genomeId, mediumId, grew: true, testedOn: '2026-01-02', note: 'saved' });
    const saved = await store.load();

    setFull(true);
    const err = await a.api.recordLabOutcome({ genomeId, mediumId, grew: false, testedOn: '2026-01-03', note: 'not saved' }).catch((e) => e);
    expect(err.code).toBe(STORAGE_FULL);
    expect(err.message).toMatch(/^browser storage is full: "lab outcome: genome \d+, medium \S+ no growth" was not saved \(the database needs [\d.]+ MB\); the last saved database is intact/);
    expect(err.hint).toMatch(/^download the database with the change \(or Export snapshot\) to keep it/);
    expect(a.events).toEqual([
      { kind: 'saved', label: expect.stringMatching(/^lab outcome/) },
      { kind: 'save-failed', label: expect.stringMatching(/^lab outcome/), error: expect.objectContaining({ code: STORAGE_FULL }), image: expect.any(Uint8Array) },
    ]);
    // The page gets the database with the change, to offer as a download: a real image holding it.
    const SQL = await loadSqlJs();
    const unsaved = new SQL.Database((a.events[1] as Extract<DbEvent, { kind: 'save-failed' }>).image!);
    expect(unsaved.exec('SELECT note FROM lab_outcomes ORDER BY note')[0].values.map((r) => r[0])).toEqual(['not saved', 'saved']);
    unsaved.close();
    // The saved image is the previous one, byte for byte.
    const after = await store.load();
    expect(after!.info).toEqual(saved!.info);
    expect(Buffer.compare(Buffer.from(after!.bytes), Buffer.from(saved!.bytes))).toBe(0);
    // In memory, the change is there and the database answers queries.
    expect(outcomes(a.api)).toEqual([`${genomeId}/${mediumId}/false/not saved`, `${genomeId}/${mediumId}/true/saved`]);
    expect(a.api.searchMedia('').total).toBeGreaterThan(0);

    // Space again: the next change saves both.
    setFull(false);
    await a.api.recordLabOutcome({ genomeId, mediumId, grew: true, testedOn: '2026-01-04', note: 'later' });
    expect(a.events.map((e) => e.kind)).toEqual(['saved', 'save-failed', 'saved']); // the page can drop its copy
    const b = await tab(store, inProcessLock());
    expect(outcomes(b.api)).toHaveLength(3);
  });
});

describe('two tabs', () => {
  it('a write in a tab that has not heard of the other tab\'s save applies to the latest image: nothing is lost', async () => {
    const store = memoryImageStore();
    await store.save(image, 'seeded');
    const lock = inProcessLock();
    const a = await tab(store, lock);
    const b = await tab(store, lock);
    const genomeId = a.api.listGenomes()[0].id;
    // Both write at once, each from the image it opened.
    await Promise.all([
      a.api.recordLabOutcome({ genomeId, mediumId, grew: true, testedOn: '2026-02-01', note: 'from A' }),
      b.api.recordLabOutcome({ genomeId, mediumId, grew: false, testedOn: '2026-02-02', note: 'from B' }),
    ]);
    const want = [`${genomeId}/${mediumId}/false/from B`, `${genomeId}/${mediumId}/true/from A`];
    const c = await tab(store, lock);
    expect(outcomes(c.api)).toEqual(want);
    // The tab that wrote first hears of the other's save (BroadcastChannel) and reloads.
    await vi.waitFor(() => expect(outcomes(a.api)).toEqual(want), { timeout: 5000 });
    expect(outcomes(b.api)).toEqual(want);
    expect(a.events.some((e) => e.kind === 'changed-elsewhere')).toBe(true);
    expect((await store.info())!.generation).toBe(3);
  });
});
