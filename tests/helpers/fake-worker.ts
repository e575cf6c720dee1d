/** A Worker look-alike for unit tests of the page's worker clients: real Comlink over a MessageChannel. */
import { expose } from 'comlink';
import { startHeartbeat } from '../../src/comlink/heartbeat';

/** A Worker look-alike over a MessageChannel; the other end runs `api` with the real heartbeat. */
export class FakeWorker extends EventTarget {
  terminated = false;
  readonly #port: MessagePort;
  readonly #remote: MessagePort;
  readonly #stopBeat: () => void;
  constructor(api: object, beatEveryMs: number | null) {
    super();
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#remote = port2;
    expose(api, port2);
    this.#stopBeat = beatEveryMs ? startHeartbeat(port2, beatEveryMs) : () => {};
    port1.addEventListener('message', (ev) => this.dispatchEvent(new MessageEvent('message', { data: (ev as MessageEvent).data })));
    port1.start();
  }
  postMessage(data: unknown, transfer?: Transferable[]) {
    if (!this.terminated) this.#port.postMessage(data, transfer ?? []);
  }
  /** Stops without an error event: no more heartbeats, no replies (as a worker killed by the browser). */
  dieSilently() {
    this.#stopBeat();
    this.#remote.close();
  }
  /** An uncaught error in the worker: the Worker's `error` event; true when the page handled it. */
  crash(message: string): boolean {
    const ev = new Event('error', { cancelable: true }) as Event & { message: string };
    ev.message = message;
    this.dispatchEvent(ev);
    this.dieSilently();
    return ev.defaultPrevented;
  }
  terminate() {
    this.terminated = true;
    this.dieSilently();
    this.#port.close();
  }
}

