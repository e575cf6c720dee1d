/**
 * Random byte mutations (flip, set, insert, delete, truncate) of real gzip fixtures:
 * - the portable decoder (src/core/gzip-members.ts, the path Chromium takes for multi-member
 *   files) agrees with zlib exactly: the same bytes when zlib accepts, a GZIP_* refusal when zlib
 *   refuses (so a file with a damaged CRC-32 or length is never read);
 * - profileSource (Node: native first, portable on failure) never crashes or hangs, refuses
 *   whatever zlib refuses, and when it accepts, its counts equal the naive reference on the bytes
 *   zlib decodes.
 * Fixed seed (FUZZ_SEED to change it); a failure prints the seed and the shrunk counterexample.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portableGunzip } from '../../src/core/decompress';
import { AppError } from '../../src/core/errors';
import { bytesSource } from '../../src/core/sources';
import { fixture } from '../helpers/data';
import { FUZZ_SEED, chunkedSource, mutate, mutationArb, profileOrRefusal, withinMs } from '../helpers/fuzz';
import { zlibGunzip } from '../helpers/gzip-bytes';
import { referenceMismatches } from '../helpers/reference-compare';

const GZ_FIXTURES = ['lambda.fa.gz', 'multi-member.fa.gz', 'lowercase-n.fa.gz'].map((name) => ({ name, bytes: new Uint8Array(readFileSync(fixture(name))) }));

/** Mutations aimed where gzip keeps its structure: the header, the trailer, member boundaries. */
const placedMutationArb = fc.oneof(
  { weight: 3, arbitrary: mutationArb },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('flip' as const),
      at: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -8, max: -1 })),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
  },
);

function place(bytes: Uint8Array, m: { op: string; at: number; mask?: number }) {
  return m.at < 0 ? { ...m, at: bytes.length + 1 + m.at } : m;
}

async function portableResult(name: string, bytes: Uint8Array, chunks: number[]): Promise<Uint8Array | AppError> {
  try {
    const out = await withinMs(new Response(chunkedSource(name, bytes, chunks).open().pipeThrough(portableGunzip(name))).arrayBuffer(), 10_000, name);
    return new Uint8Array(out);
  } catch (e) {
    if (e instanceof AppError && e.code !== 'INTERNAL') return e;
    throw e;
  }
}

describe('fuzz: byte mutations of real gzip files', () => {
  it('the portable decoder gives exactly what zlib gives, or refuses what zlib refuses', async () => {
    let ok = 0;
    let bad = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GZ_FIXTURES),
        fc.array(placedMutationArb, { minLength: 1, maxLength: 2 }),
        fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 3 }),
        async (fx, mutations, chunks) => {
          const bytes = mutate(fx.bytes, mutations.map((m) => place(fx.bytes, m)) as Parameters<typeof mutate>[1]);
          const want = zlibGunzip(bytes);
          const got = await portableResult(fx.name, bytes, chunks);
          if (want === null) {
            bad++;
            expect(got).toBeInstanceOf(AppError);
            expect((got as AppError).code).toMatch(/^GZIP_(CORRUPT|TRUNCATED)$/);
            expect((got as AppError).message.startsWith(`${fx.name}: the gzip data `)).toBe(true);
          } else {
            ok++;
            if (got instanceof AppError) throw new Error(`zlib reads it, the portable decoder refuses: ${got.message}`);
            expect(got.length).toBe(want.length);
            expect(Buffer.compare(Buffer.from(got), Buffer.from(want))).toBe(0);
          }
        },
      ),
      { seed: FUZZ_SEED, numRuns: 250 },
    );
    expect(ok).toBeGreaterThan(10); // header bytes such as MTIME/OS, zero padding: harmless
    expect(bad).toBeGreaterThan(100);
  }, 60_000);

  it('profileSource never crashes or hangs, refuses what zlib refuses, and counts exactly what it accepts', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GZ_FIXTURES),
        fc.array(placedMutationArb, { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 1 << 16 }),
        async (fx, mutations, chunk) => {
          const bytes = mutate(fx.bytes, mutations.map((m) => place(fx.bytes, m)) as Parameters<typeof mutate>[1]);
          const got = await profileOrRefusal(chunkedSource(fx.name, bytes, [chunk]));
          const zlibOk = zlibGunzip(bytes) !== null;
          if (got instanceof AppError) {
            expect(got.message.startsWith(`${fx.name}: `)).toBe(true);
            return;
          }
          expect(zlibOk, 'accepted what zlib refuses').toBe(true);
          accepted++;
          expect(referenceMismatches(got, bytes)).toEqual([]);
        },
      ),
      { seed: FUZZ_SEED + 1, numRuns: 60 },
    );
    expect(accepted).toBeGreaterThan(5);
  }, 60_000);

  it('the unmutated fixtures decode to what zlib gives (the properties start from valid files)', async () => {
    for (const fx of GZ_FIXTURES) {
      expect(await portableResult(fx.name, fx.bytes, [4096])).toEqual(new Uint8Array(gunzipSync(fx.bytes)));
      const p = await profileOrRefusal(bytesSource(fx.name, fx.bytes));
      expect(p).not.toBeInstanceOf(AppError);
    }
  });
});
