/**
 * MlClient when its worker dies (issue 11, part 4), in Node: real Comlink over a MessageChannel
 * stands in for the Worker. Before, a crashed worker left every call in flight (a training run)
 * pending for ever; now the calls reject with a clear message and the next call gets a new worker.
 * The browser path (a real uncaught error in the real ML worker mid-training) is in
 * tests/e2e/worker-crash.test.ts.
 */
import { expose } from 'comlink';
import { describe, expect, it } from 'vitest';
import { registerAppErrorTransfer } from '../../src/comlink/app-error-transfer';
import { MlClient, WORKER_STOPPED_MESSAGE } from '../../src/runs-on-page/ml-client';

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
    const ev = new Event('error', { cancelable: true }) as Event & { message: string };
    ev.message = message;
    this.dispatchEvent(ev);
    return ev.defaultPrevented;
  }
}

/** A worker API whose train() never settles (a run in progress) and whose memory() answers. */
const api = {
  train: () => new Promise(() => {}),
  memory: () => ({ numTensors: 0, numBytes: 0, backend: 'fake' }),
};

function client(): { ml: MlClient; made: FakeWorker[] } {
  const made: FakeWorker[] = [];
  const ml = new MlClient(() => {
    const w = new FakeWorker(api);
    made.push(w);
    return w as unknown as Worker;
  });
  return { ml, made };
}

describe('MlClient', () => {
  it('answers calls on a healthy worker', async () => {
    const { ml, made } = client();
    expect(await ml.api.memory()).toEqual({ numTensors: 0, numBytes: 0, backend: 'fake' });
    expect(await ml.api.memory()).toMatchObject({ backend: 'fake' });
    expect(made).toHaveLength(1);
    expect(ml.generation).toBe(1);
    ml.dispose();
  });

  it('rejects a call in flight when the worker crashes, terminates it, and starts a new worker on the next call', async () => {
    const { ml, made } = client();
    const run = (ml.api as unknown as { train: () => Promise<unknown> }).train();
    await ml.api.memory(); // the train call has reached the worker
    expect(made[0].crash('out of memory')).toBe(true); // handled: not an uncaught error of the page
    await expect(run).rejects.toMatchObject({ name: 'AppError', code: 'INTERNAL', message: `${WORKER_STOPPED_MESSAGE} (out of memory)` });
    await expect(run).rejects.toMatchObject({ hint: expect.stringMatching(/try again.*resumes from its last checkpoint/) });
    expect(made[0].terminated).toBe(true);
    // Retry: a new worker, which answers.
    expect(await ml.api.memory()).toMatchObject({ backend: 'fake' });
    expect(made).toHaveLength(2);
    expect(made[1].terminated).toBe(false);
    expect(ml.generation).toBe(2);
    ml.dispose();
  });

  it('after a crash while idle, the next call runs on a new worker (none is sent to the dead one)', async () => {
    const { ml, made } = client();
    await ml.api.memory();
    made[0].crash('');
    expect(await ml.api.memory()).toMatchObject({ backend: 'fake' });
    expect(made.map((w) => w.terminated)).toEqual([true, false]);
    ml.dispose();
    expect(made[1].terminated).toBe(true);
  });
});
