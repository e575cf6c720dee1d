/**
 * pack-for-transfer.ts: a value through the page between two workers as JSON bytes + transferred
 * typed arrays. Round trips (hand-made edge cases; the recipe CVAE's real training input from the
 * bundled snapshot, through a real MessageChannel with its buffers transferred), and what the page
 * receives: only buffers, not thousands of objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MIN_TRANSFER_LENGTH, packedBuffers, packForTransfer, unpackFromTransfer } from '../../src/comlink/pack-for-transfer';
import { openSnapshot } from '../../src/db/snapshot-file';
import { loadCvaeInput, packCvaeInput, unpackCvaeInput } from '../../src/ml/recipe-cvae-pipeline';
import { REPO_ROOT } from '../helpers/data';
import { sql } from './db-test-helpers';

/** Posts `value` over a real MessageChannel, transferring `buffers`, and returns what arrives. */
function throughChannel<T>(value: T, buffers: ArrayBuffer[]): Promise<T> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port2.once('message', (m: T) => {
      port1.close();
      port2.close();
      resolve(m);
    });
    port1.postMessage(value, buffers);
  });
}

describe('packForTransfer', () => {
  it('round-trips plain data, small and large typed arrays, non-finite numbers and shared references', () => {
    const big = new Float32Array(MIN_TRANSFER_LENGTH + 5).map((_, i) => (i === 3 ? NaN : i / 7));
    const value = { a: [1, -0.5, 'x', null, true], nested: { big, again: big, small: Int32Array.of(1, -2, 3), inf: -Infinity, nan: NaN }, u8: new Uint8Array(2000).fill(7) };
    const packed = packForTransfer(value);
    expect(packed.arrays).toHaveLength(2); // big once (shared), u8; the small array is in the JSON
    const back = unpackFromTransfer<typeof value>(packed);
    expect(back.a).toEqual(value.a);
    expect(back.nested.big).toBeInstanceOf(Float32Array);
    expect(Array.from(back.nested.big)).toEqual(Array.from(big));
    expect(back.nested.again).toBe(back.nested.big);
    expect(back.nested.small).toBeInstanceOf(Int32Array);
    expect(Array.from(back.nested.small)).toEqual([1, -2, 3]);
    expect(back.nested.inf).toBe(-Infinity);
    expect(back.nested.nan).toBeNaN();
    expect(Array.from(back.u8)).toEqual(Array.from(value.u8));
  });

  it('copies a view into a larger buffer instead of detaching the rest, and refuses what it cannot pack', () => {
    const whole = new Float64Array(4 * MIN_TRANSFER_LENGTH).map((_, i) => i);
    const view = whole.subarray(MIN_TRANSFER_LENGTH, 3 * MIN_TRANSFER_LENGTH);
    const packed = packForTransfer({ view });
    expect(packed.arrays[0].buffer).not.toBe(whole.buffer);
    expect(packed.arrays[0].byteLength).toBe(view.byteLength);
    expect(Array.from(unpackFromTransfer<{ view: Float64Array }>(packed).view)).toEqual(Array.from(view));
    expect(() => packForTransfer({ x: new BigInt64Array(2) })).toThrow(/cannot pack a BigInt64Array/);
  });
});

describe('the recipe CVAE training input, packed', () => {
  it('arrives through a MessageChannel as a few buffers and unpacks to the same input', async () => {
    const db = openSnapshot(await sql(), new Uint8Array(readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz'))), 'bundled').db;
    try {
      const input = loadCvaeInput(db, { valFraction: 0.1, seed: 3 });
      const expected = loadCvaeInput(db, { valFraction: 0.1, seed: 3 });
      const p = packCvaeInput(input);
      expect(p.summary).toEqual({ vocabSize: expected.matrix.vocab.length, genomeDim: expected.data.genomeDim, train: expected.data.pairs.filter((x) => !x.heldOut).length, heldOut: expected.data.pairs.filter((x) => x.heldOut).length });
      // What the page holds: one byte buffer of JSON and the large arrays, no pair objects.
      expect(Object.keys(p.packed)).toEqual(['json', 'arrays']);
      expect(p.packed.arrays.length).toBeLessThanOrEqual(12);
      const arrived = await throughChannel(p, packedBuffers(p.packed));
      expect(p.packed.json.byteLength, 'the sender’s buffers were transferred (detached)').toBe(0);
      const back = unpackCvaeInput(arrived);
      expect(back.data.pairs.length).toBe(expected.data.pairs.length);
      expect(back.data.pairs.length).toBeGreaterThan(10_000);
      // Pair by pair, with the genome embeddings as Float32Array.
      for (let i = 0; i < expected.data.pairs.length; i += 97) expect(back.data.pairs[i]).toEqual(expected.data.pairs[i]);
      const withGenome = expected.data.pairs.findIndex((x) => x.condition.genome);
      expect(withGenome).toBeGreaterThanOrEqual(0);
      expect(back.data.pairs[withGenome].condition.genome).toBeInstanceOf(Float32Array);
      expect(back.data.pairs[withGenome]).toEqual(expected.data.pairs[withGenome]);
      // The matrix (NaN pH of media without one included) and the condition rows, exactly.
      expect(back.matrix).toEqual(expected.matrix);
      expect(back.data.conditions).toEqual(expected.data.conditions);
      expect(back.data.mediumIndex).toEqual(expected.data.mediumIndex);
      expect(back.formulas).toEqual(expected.formulas);
      expect({ ...back.data, pairs: [] }).toEqual({ ...expected.data, pairs: [] });
    } finally {
      db.close();
    }
  }, 60_000);
});
