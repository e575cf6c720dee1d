/** A fake clock for the page's liveness checks (src/runs-on-page/worker-liveness.ts) in unit tests. */
import type { LivenessClock } from '../../src/runs-on-page/worker-liveness';

/** A clock whose time and interval timers move only when told. */
export class FakeClock implements LivenessClock {
  t = 0;
  timers = new Map<number, { fn: () => void; ms: number; next: number }>();
  #id = 0;
  now = () => this.t;
  setInterval = (fn: () => void, ms: number) => {
    this.timers.set(++this.#id, { fn, ms, next: this.t + ms });
    return this.#id;
  };
  clearInterval = (h: unknown) => void this.timers.delete(h as number);
  advance(ms: number, onStep?: (t: number) => void): void {
    const end = this.t + ms;
    while (this.t < end) {
      this.t += 100;
      onStep?.(this.t);
      for (const timer of [...this.timers.values()]) {
        if (timer.next <= this.t) {
          timer.next += timer.ms;
          timer.fn();
        }
      }
    }
  }
}

