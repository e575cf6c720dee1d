/** Deterministic pseudo-random DNA (a linear congruential generator) for hand-made test sequences. */
export function randomDna(length: number, seed: number): string {
  let x = seed >>> 0;
  let s = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += 'ACGT'[(x >>> 16) & 3];
  }
  return s;
}
