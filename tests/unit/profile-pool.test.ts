/**
 * ProfilePool in Node: real Comlink over a real MessageChannel stands in for the Worker, so the
 * paths a browser test cannot provoke (a worker that ignores cancel, a worker that crashes) are
 * exercised. The worker side runs the real profileWorkerApi for normal jobs.
 */
import { readFileSync } from 'node:fs';
import { expose } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfilePool } from '../../src/runs-on-page/profile-pool';
import { profileWorkerApi } from '../../src/runs-in-worker/profile-worker-api';
import { registerAppErrorTransfer } from '../../src/comlink/app-error-transfer';
import { fixture } from '../helpers/data';

registerAppErrorTransfer();

/** A Worker look-alike: one end of a MessageChannel; the other end runs `api` via Comlink. */
class FakeWorker extends EventTarget {
  terminated = false;
  readonly #port: MessagePort;
  readonly #remote: MessagePort;
  constructor(api: object) {
    super();
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#remote = port2;
    expose(api, port2);
    port1.addEventListener('message', (ev) => this.dispatchEvent(new MessageEvent('message', { data: (ev as MessageEvent).data })));
    port1.start();
  }
  postMessage(data: unknown, transfer?: Transferable[]) {
    if (!this.terminated) this.#port.postMessage(data, transfer ?? []);
  }
  terminate() {
    this.terminated = true;
    this.#port.close();
    this.#remote.close();
  }
  crash(message: string) {
    const ev = new Event('error') as Event & { message: string };
    ev.message = message;
    this.dispatchEvent(ev);
  }
}

const lambda = () => new File([readFileSync(fixture('lambda.fa.gz'))], 'lambda.fa.gz');

/** A worker API whose profile() never settles and ignores cancel (a stuck worker). */
const stuckApi = {
  profile: () => new Promise(() => {}),
  cancel: () => false,
  activeJobs: () => 1,
};

let pool: ProfilePool | null = null;
afterEach(() => pool?.dispose());

describe('ProfilePool', () => {
  it('profiles files on real worker APIs and never runs more workers than its size', async () => {
    const made: FakeWorker[] = [];
    pool = new ProfilePool({
      size: 2,
      createWorker: () => {
        const w = new FakeWorker(profileWorkerApi);
        made.push(w);
        return w as unknown as Worker;
      },
    });
    const jobs = [1, 2, 3].map(() => pool!.submit(lambda()));
    expect(pool.stats).toMatchObject({ workers: 2, busy: 2, queued: 1 });
    const profiles = await Promise.all(jobs.map((j) => j.done));
    for (const p of profiles) expect(p.lengthBp).toBe(48502);
    expect(made).toHaveLength(2);
  });

  it('replaces a worker that does not stop within the grace period after cancel, and goes on', async () => {
    const made: FakeWorker[] = [];
    pool = new ProfilePool({
      size: 1,
      cancelGraceMs: 50,
      createWorker: () => {
        const w = new FakeWorker(made.length === 0 ? stuckApi : profileWorkerApi);
        made.push(w);
        return w as unknown as Worker;
      },
    });
    const stuck = pool.submit(lambda());
    const next = pool.submit(lambda());
    await new Promise((r) => setTimeout(r, 20));
    pool.cancel(stuck.id);
    await expect(stuck.done).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(made[0].terminated).toBe(true);
    expect((await next.done).lengthBp).toBe(48502);
    expect(made).toHaveLength(2);
    expect(pool.stats.workers).toBe(1);
  });

  it('fails only the job of a crashed worker, with a clear message, and runs the next on a new worker', async () => {
    const made: FakeWorker[] = [];
    pool = new ProfilePool({
      size: 1,
      createWorker: () => {
        const w = new FakeWorker(made.length === 0 ? stuckApi : profileWorkerApi);
        made.push(w);
        return w as unknown as Worker;
      },
    });
    const doomed = pool.submit(lambda());
    const next = pool.submit(lambda());
    await new Promise((r) => setTimeout(r, 20));
    made[0].crash('out of memory');
    await expect(doomed.done).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/lambda\.fa\.gz: the profiling worker stopped unexpectedly \(out of memory\)/) });
    expect((await next.done).lengthBp).toBe(48502);
    expect(made[0].terminated).toBe(true);
  });

  it('carries AppError code and hint across Comlink', async () => {
    pool = new ProfilePool({ size: 1, createWorker: () => new FakeWorker(profileWorkerApi) as unknown as Worker });
    const bad = pool.submit(new File([readFileSync(fixture('reads.fq'))], 'reads.fq'));
    await expect(bad.done).rejects.toMatchObject({ code: 'FASTA_IS_FASTQ', hint: expect.stringMatching(/seqtk/) });
  });
});
