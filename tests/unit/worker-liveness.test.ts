/**
 * Silent worker death (issue 11 follow-up): a worker that stops without an error event (killed by
 * the browser for memory, `close()`d, stuck in a loop) used to leave its caller waiting for ever.
 * The timing rule runs here on a fake clock; the pool and the ML client run over real Comlink on a
 * MessageChannel, with the real heartbeat on the worker side, against a worker that goes silent
 * and one that is slow but alive. The browser path is tests/e2e/worker-crash.test.ts.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { registerAppErrorTransfer } from '../../src/comlink/app-error-transfer';
import { isHeartbeat } from '../../src/comlink/heartbeat';
import { MlClient, WORKER_STOPPED_MESSAGE } from '../../src/runs-on-page/ml-client';
import { ProfilePool } from '../../src/runs-on-page/profile-pool';
import { LivenessWatch, silenceRule, watchWorker } from '../../src/runs-on-page/worker-liveness';
import { profileWorkerApi } from '../../src/runs-in-worker/profile-worker-api';
import { fixture } from '../helpers/data';
import { FakeClock } from '../helpers/fake-clock';
import { FakeWorker } from '../helpers/fake-worker';

registerAppErrorTransfer();

describe('LivenessWatch (fake clock)', () => {
  const rule = { silentMs: 10_000, checkEveryMs: 1000 };

  it('is never silent while no call is in flight, however long nothing is heard', () => {
    const w = new LivenessWatch(rule, 0);
    for (let t = 1000; t <= 60_000; t += 1000) expect(w.check(t)).toBe('alive');
  });

  it('a call in flight with heartbeats every second stays alive; when they stop, it turns silent after silentMs', () => {
    const w = new LivenessWatch(rule, 0);
    w.callStarted(0);
    for (let t = 1000; t <= 30_000; t += 1000) {
      w.heard(t - 500);
      expect(w.check(t)).toBe('alive');
    }
    // Last heard at 29,500; checks go on every second.
    const verdicts: [number, string][] = [];
    for (let t = 31_000; t <= 41_000; t += 1000) verdicts.push([t, w.check(t)]);
    expect(verdicts.filter(([, v]) => v === 'silent').map(([t]) => t)[0]).toBe(40_000); // 10.5 s > 10 s
    expect(verdicts.filter(([t]) => t < 40_000).every(([, v]) => v === 'alive')).toBe(true);
  });

  it('idle silence does not count against a new call: the limit runs from its start', () => {
    const w = new LivenessWatch(rule, 0);
    w.callStarted(50_000); // nothing heard since 0
    expect(w.check(51_000)).toBe('alive');
    expect(w.check(60_000 - 1000 + 1000)).toBe('alive'); // late check (9 s after the last): no verdict
    for (let t = 61_000; t <= 62_000; t += 1000) w.check(t);
    expect(w.silentFor(62_000)).toBe(12_000);
    expect(w.check(63_000)).toBe('silent');
  });

  it('a late check (the page was blocked or throttled) gives no verdict; the next on-time one does', () => {
    const w = new LivenessWatch(rule, 0);
    w.callStarted(0);
    w.check(1000);
    // The page is blocked for 30 s; the worker's heartbeats are queued behind it.
    expect(w.check(31_000)).toBe('alive');
    w.heard(31_010); // the queued heartbeats are handled
    expect(w.check(32_000)).toBe('alive');
    // Without them, the next on-time check decides.
    const w2 = new LivenessWatch(rule, 0);
    w2.callStarted(0);
    w2.check(1000);
    expect(w2.check(31_000)).toBe('alive');
    expect(w2.check(32_000)).toBe('silent');
  });

  it('counts overlapping calls: silent only matters while at least one is in flight', () => {
    const w = new LivenessWatch(rule, 0);
    w.callStarted(0);
    w.callStarted(100);
    w.callEnded();
    expect(w.callsInFlight).toBe(1);
    for (let t = 1000; t <= 11_000; t += 1000) w.check(t);
    expect(w.check(12_000)).toBe('silent');
    w.callEnded();
    expect(w.check(13_000)).toBe('alive');
    w.callEnded(); // extra ends are ignored
    expect(w.callsInFlight).toBe(0);
  });

  it('refuses a rule without positive times', () => {
    expect(() => new LivenessWatch({ silentMs: 0, checkEveryMs: 1000 }, 0)).toThrow(/silentMs and checkEveryMs must be > 0/);
    expect(silenceRule(200)).toEqual({ silentMs: 200, checkEveryMs: 50 });
    expect(silenceRule(30_000)).toEqual({ silentMs: 30_000, checkEveryMs: 1000 });
  });
});

describe('watchWorker (fake clock)', () => {
  it('reports silence once, only while a tracked call is in flight, and runs no timer when idle', async () => {
    const clock = new FakeClock();
    const worker = new EventTarget();
    const silences: number[] = [];
    const watch = watchWorker(worker as unknown as Worker, { silentMs: 5000, checkEveryMs: 1000 }, (ms) => silences.push(ms), clock);
    clock.advance(20_000);
    expect(silences).toEqual([]);
    expect(clock.timers.size).toBe(0);

    let finish!: () => void;
    const call = watch.track(new Promise<void>((ok) => (finish = ok)));
    expect(clock.timers.size).toBe(1);
    // Heartbeats every second for 10 s: alive.
    clock.advance(10_000, (t) => t % 1000 === 0 && worker.dispatchEvent(new MessageEvent('message', { data: { mediaforgeHeartbeat: t } })));
    expect(silences).toEqual([]);
    finish();
    await call;
    expect(clock.timers.size).toBe(0); // idle again: no timer

    void watch.track(new Promise(() => {})); // a call that never settles, from a worker that says nothing
    clock.advance(10_000);
    expect(silences).toHaveLength(1);
    expect(silences[0]).toBeGreaterThan(5000);
    expect(silences[0]).toBeLessThanOrEqual(6000);
    expect(clock.timers.size).toBe(0); // stopped after reporting
  });
});

const lambda = () => new File([readFileSync(fixture('lambda.fa.gz'))], 'lambda.fa.gz');
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

let pool: ProfilePool | null = null;
let ml: MlClient | null = null;
afterEach(() => {
  pool?.dispose();
  ml?.dispose();
  pool = ml = null;
});

describe('a worker that dies without an error event', () => {
  it('the heartbeat is a message Comlink ignores', async () => {
    const w = new FakeWorker({ answer: () => 42 }, 20);
    const beats: unknown[] = [];
    w.addEventListener('message', (ev) => isHeartbeat((ev as MessageEvent).data) && beats.push((ev as MessageEvent).data));
    await sleep(120);
    expect(beats.length).toBeGreaterThanOrEqual(3);
    w.terminate();
  });

  it('profiling: the job fails with "the profiling worker stopped unexpectedly", and the next file runs on a new worker', async () => {
    const made: FakeWorker[] = [];
    const neverAnswers = { profile: () => new Promise(() => {}), cancel: () => false, activeJobs: () => 1 };
    pool = new ProfilePool({
      size: 1,
      silentWorkerMs: 300,
      createWorker: () => {
        const w = new FakeWorker(made.length === 0 ? neverAnswers : profileWorkerApi, 50);
        made.push(w);
        return w as unknown as Worker;
      },
    });
    const first = pool.submit(lambda());
    const second = pool.submit(lambda());
    await sleep(200);
    made[0].dieSilently(); // mid-job, no error event
    await expect(first.done).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/^lambda\.fa\.gz: the profiling worker stopped unexpectedly \(it stopped responding: no sign of life for \d+ s\)$/) });
    await expect(first.done).rejects.toMatchObject({ hint: 'try the file again; if it keeps failing, reload the page' });
    expect(made[0].terminated).toBe(true);
    expect((await second.done).lengthBp).toBe(48502);
    expect(made).toHaveLength(2);
  });

  it('profiling: a slow job on a worker that keeps beating is not cut short', async () => {
    const slow = { profile: () => sleep(1200).then(() => profileWorkerApi.profile(1, lambda(), 'lambda.fa.gz')), cancel: () => false, activeJobs: () => 1 };
    pool = new ProfilePool({ size: 1, silentWorkerMs: 300, createWorker: () => new FakeWorker(slow, 50) as unknown as Worker });
    expect((await pool.submit(lambda()).done).lengthBp).toBe(48502);
  });

  it('ML: a call in flight rejects with WORKER_STOPPED_MESSAGE, and the next call starts a new worker', async () => {
    const made: FakeWorker[] = [];
    const api = { train: () => new Promise(() => {}), memory: () => ({ backend: 'fake' }) };
    ml = new MlClient(() => {
      const w = new FakeWorker(api, 50);
      made.push(w);
      return w as unknown as Worker;
    }, { silentMs: 300 });
    const run = (ml.api as unknown as { train: () => Promise<unknown> }).train();
    await ml.api.memory();
    await sleep(500); // a long run on a live worker: still running
    let settled = false;
    run.then(() => (settled = true), () => (settled = true));
    await sleep(0);
    expect(settled).toBe(false);
    made[0].dieSilently();
    await expect(run).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(new RegExp(`^${WORKER_STOPPED_MESSAGE} \\(it stopped responding: no sign of life for \\d+ s\\)$`)), hint: expect.stringMatching(/Resume it/) });
    expect(made[0].terminated).toBe(true);
    expect(await ml.api.memory()).toEqual({ backend: 'fake' });
    expect(made).toHaveLength(2);
    expect(ml.generation).toBe(2);
  });
});
