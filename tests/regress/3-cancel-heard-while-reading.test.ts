/**
 * Issue 3 regression: a cancel sent while a fast stream was being read was not handled until the
 * whole file had been read. `await reader.read()` on buffered data only yields to microtasks, so
 * a worker's cancel() message (a macrotask) waited: about 1 s for a 200 MB File in Chromium.
 * profileSource now yields to the event loop every ~16 ms. Here a timer (also a macrotask) plays
 * the cancel message; before the fix it only fired after the profile had finished.
 */
import { describe, expect, it } from 'vitest';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';

describe('cancel while reading buffered data', () => {
  it('is heard long before the whole input has been read', async () => {
    const big = new TextEncoder().encode('>big\n' + 'ACGTTGCA'.repeat(16_000_000) + '\n'); // 128 Mbp in memory
    const controller = new AbortController();
    let basesAtCancel = -1;
    let lastBases = 0;
    setTimeout(() => {
      basesAtCancel = lastBases;
      controller.abort();
    }, 30);
    const run = profileSource(bytesSource('big.fa', big, 1 << 16), { progressIntervalMs: 0 }, {
      signal: controller.signal,
      onProgress: (p) => (lastBases = p.basesDone),
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(basesAtCancel).toBeGreaterThanOrEqual(0);
    expect(basesAtCancel).toBeLessThan(100_000_000);
  });
});
