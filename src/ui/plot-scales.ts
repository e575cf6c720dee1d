/** Small scale helpers for the hand-drawn SVG plots (no chart library). */

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^n). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Rounds `max` up to the next nice tick. */
export function niceMax(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const ticks = niceTicks(0, max, count);
  const last = ticks[ticks.length - 1];
  return last >= max ? last : last + (ticks[1] - ticks[0]);
}

export function linear(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Whole decades around [min, max] (both > 0), at least one decade wide. */
export function logDomain(min: number, max: number): [number, number] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  return [10 ** lo, 10 ** hi];
}

/** Tick values for a log axis: decades, plus 2× and 5× when the domain spans few decades. */
export function logTicks(domain: [number, number]): { value: number; major: boolean }[] {
  const lo = Math.round(Math.log10(domain[0]));
  const hi = Math.round(Math.log10(domain[1]));
  const out: { value: number; major: boolean }[] = [];
  for (let e = lo; e <= hi; e++) {
    out.push({ value: 10 ** e, major: true });
    if (e < hi && hi - lo <= 3) for (const m of [2, 5]) out.push({ value: m * 10 ** e, major: false });
  }
  return out;
}

/** "0.01", "0.5", "2", "100" without float noise. */
export function formatTick(v: number): string {
  return Number(v.toPrecision(6)).toString();
}
