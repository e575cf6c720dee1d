/**
 * A bounded top-k buffer: a binary min-heap of the k best (score, row) pairs seen so far, so a
 * scan over N rows costs O(N) comparisons against `threshold` plus O(log k) per row that gets in,
 * never a sort of N. Order is total and deterministic: a higher score ranks first, and between
 * equal scores the lower row index ranks first, whatever order the rows arrive in.
 */
export class TopK {
  /** How many results this buffer keeps. */
  readonly k: number;
  private readonly heapScores: Float64Array;
  private readonly heapRows: Int32Array;
  private size = 0;

  /**
   * The score a new row must reach to be offered: -Infinity until the buffer is full, then the
   * worst kept score. A row whose score equals it can still win on a lower index, so callers test
   * `score >= threshold` and let {@link offer} decide.
   */
  threshold = -Infinity;

  constructor(k: number) {
    this.k = k;
    this.heapScores = new Float64Array(Math.max(1, k));
    this.heapRows = new Int32Array(Math.max(1, k));
    if (k === 0) this.threshold = Infinity;
  }

  /** Empties the buffer for reuse with the same k. */
  reset(): void {
    this.size = 0;
    this.threshold = this.k === 0 ? Infinity : -Infinity;
  }

  /** Number of results kept so far (at most k). */
  get count(): number {
    return this.size;
  }

  /** Keeps (score, row) if it ranks among the k best so far. NaN scores are never kept. */
  offer(score: number, row: number): void {
    const k = this.k;
    if (k === 0 || !(score >= this.threshold)) return;
    const hs = this.heapScores;
    const hr = this.heapRows;
    if (this.size < k) {
      // Sift up: the root is the worst entry (lowest score, then highest row).
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!isWorse(score, row, hs[p], hr[p])) break;
        hs[i] = hs[p];
        hr[i] = hr[p];
        i = p;
      }
      hs[i] = score;
      hr[i] = row;
      if (this.size === k) this.threshold = hs[0];
      return;
    }
    if (!isWorse(hs[0], hr[0], score, row)) return; // equal score, higher row: the kept one ranks first
    // Replace the root and sift down.
    const n = k;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && isWorse(hs[r], hr[r], hs[l], hr[l]) ? r : l;
      if (!isWorse(hs[c], hr[c], score, row)) break;
      hs[i] = hs[c];
      hr[i] = hr[c];
      i = c;
    }
    hs[i] = score;
    hr[i] = row;
    this.threshold = hs[0];
  }

  /**
   * Writes the kept results best first into `rows`/`scores` from `offset` and returns how many
   * were written. The buffer is left unchanged.
   */
  writeSorted(rows: Int32Array, scores: Float32Array, offset = 0): number {
    const n = this.size;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const hs = this.heapScores;
    const hr = this.heapRows;
    order.sort((a, b) => (hs[a] !== hs[b] ? (hs[b] > hs[a] ? 1 : -1) : hr[a] - hr[b]));
    for (let i = 0; i < n; i++) {
      rows[offset + i] = hr[order[i]];
      scores[offset + i] = hs[order[i]];
    }
    return n;
  }
}

/** True when (sa, ra) ranks below (sb, rb). */
function isWorse(sa: number, ra: number, sb: number, rb: number): boolean {
  return sa < sb || (sa === sb && ra > rb);
}
