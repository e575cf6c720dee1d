/**
 * Page side of the worker heartbeat (src/comlink/heartbeat.ts): notices a worker that went
 * silent while a call is in flight. A worker that dies without an error event (killed by the
 * browser for memory, `close()`d, stuck in an endless loop) otherwise leaves its pending Comlink
 * calls waiting for ever; the clients turn `onSilent` into the same crash path as an `error`
 * event (the row's "Try again", training's "Resume it").
 *
 * `LivenessWatch` is the timing rule alone (timestamps in, a verdict out: testable with a fake
 * clock); `watchWorker` wires it to a Worker's messages and a timer that runs only while calls
 * are in flight.
 */

export interface SilenceRule {
  /** A worker silent this long (no heartbeat, no reply) while a call is in flight is dead. */
  silentMs: number;
  /** How often the page checks. */
  checkEveryMs: number;
}

/** The rule for a silence limit: checked every second, or four times within the limit if it is shorter. */
export function silenceRule(silentMs: number): SilenceRule {
  return { silentMs, checkEveryMs: Math.min(1000, silentMs / 4) };
}

export type LivenessVerdict = 'alive' | 'silent';

/**
 * The rule: dead when calls are in flight and nothing was heard for `silentMs` (counted from the
 * later of the last message and the moment the first call of a busy spell started). A call may
 * bring its own, longer limit (one known to block its worker's event loop for long, e.g. a UMAP
 * fit): while it is in flight the longest limit of the calls in flight applies. A check that
 * runs late (over twice `checkEveryMs` after the previous one: the page itself was blocked, or its
 * timers throttled in a background tab) gives no verdict, since the worker's queued heartbeats
 * may not have been handled yet; the next on-time check decides.
 */
export class LivenessWatch {
  readonly rule: SilenceRule;
  #lastHeard: number;
  #lastCheck: number;
  /** The silence limit of each call in flight. */
  #limits: number[] = [];

  constructor(rule: SilenceRule, now: number) {
    if (!(rule.silentMs > 0) || !(rule.checkEveryMs > 0)) throw new RangeError(`silentMs and checkEveryMs must be > 0, got ${rule.silentMs} and ${rule.checkEveryMs}`);
    this.rule = rule;
    this.#lastHeard = now;
    this.#lastCheck = now;
  }

  get callsInFlight(): number {
    return this.#limits.length;
  }

  /** The limit that applies now: the longest of the calls in flight (the rule's when none brings its own). */
  get silentMs(): number {
    return Math.max(this.rule.silentMs, ...this.#limits);
  }

  /** Any message from the worker (a heartbeat or a reply). */
  heard(now: number): void {
    this.#lastHeard = Math.max(this.#lastHeard, now);
  }

  /** A call starts, with its own silence limit when it has one (@default the rule's). */
  callStarted(now: number, silentMs = this.rule.silentMs): void {
    if (!(silentMs > 0)) throw new RangeError(`silentMs must be > 0, got ${silentMs}`);
    this.#limits.push(silentMs);
    if (this.#limits.length === 1) {
      // A fresh busy spell: silence while idle does not count against it.
      this.#lastHeard = Math.max(this.#lastHeard, now);
      this.#lastCheck = now;
    }
  }

  /** A call ends (pass the limit it started with). */
  callEnded(silentMs = this.rule.silentMs): void {
    const i = this.#limits.indexOf(silentMs);
    if (i >= 0) this.#limits.splice(i, 1);
  }

  /** Milliseconds since the worker was last heard from. */
  silentFor(now: number): number {
    return now - this.#lastHeard;
  }

  check(now: number): LivenessVerdict {
    const late = now - this.#lastCheck > 2 * this.rule.checkEveryMs;
    this.#lastCheck = now;
    if (late || this.#limits.length === 0) return 'alive';
    return this.silentFor(now) > this.silentMs ? 'silent' : 'alive';
  }
}

export interface LivenessClock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const REAL_CLOCK: LivenessClock = {
  now: () => performance.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export interface WorkerWatch {
  /** Counts `call` as in flight until it settles (with its own silence limit, if given, instead of the rule's); returns it. */
  track<T>(call: Promise<T>, silentMs?: number): Promise<T>;
  /** Stops watching (when the worker is terminated). */
  stop(): void;
}

/**
 * Watches `worker`: `onSilent(ms)` is called once if it stays silent past the rule while a
 * tracked call is in flight (then the watch stops; the caller terminates the worker).
 */
export function watchWorker(worker: Pick<Worker, 'addEventListener' | 'removeEventListener'>, rule: SilenceRule, onSilent: (silentMs: number) => void, clock: LivenessClock = REAL_CLOCK): WorkerWatch {
  const watch = new LivenessWatch(rule, clock.now());
  let timer: unknown = null;
  let stopped = false;
  const onMessage = () => watch.heard(clock.now());
  worker.addEventListener('message', onMessage);
  const stopTimer = () => {
    if (timer !== null) clock.clearInterval(timer);
    timer = null;
  };
  const stop = () => {
    stopped = true;
    stopTimer();
    worker.removeEventListener('message', onMessage);
  };
  const tick = () => {
    const now = clock.now();
    if (watch.check(now) === 'silent') {
      const ms = watch.silentFor(now);
      stop();
      onSilent(ms);
    }
  };
  return {
    track<T>(call: Promise<T>, silentMs = rule.silentMs): Promise<T> {
      if (stopped) return call;
      watch.callStarted(clock.now(), silentMs);
      if (timer === null) timer = clock.setInterval(tick, rule.checkEveryMs);
      const end = () => {
        watch.callEnded(silentMs);
        if (watch.callsInFlight === 0) stopTimer();
      };
      call.then(end, end);
      return call;
    },
    stop,
  };
}

/** The message a client adds to its crash error: "it stopped responding (silent for 15 s)". */
export function silentWorkerDetail(silentMs: number): string {
  return `it stopped responding: no sign of life for ${Math.round(silentMs / 1000)} s`;
}
