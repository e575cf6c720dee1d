/**
 * Property-based tests (fast-check) of the FASTA reader and k-mer counter against the naive
 * reference (tests/helpers/reference-kmers.ts): random FASTA texts with random chunking, and
 * random byte mutations of real FASTA fixtures. Never a crash, never a hang, never a wrong
 * count: either the counts equal the reference, or the file is refused with an AppError.
 * Fixed seed (FUZZ_SEED to change it); a failure prints the seed and the shrunk counterexample.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors';
import { fixture } from '../helpers/data';
import { FUZZ_SEED, chunkedSource, mutate, mutationArb, profileOrRefusal } from '../helpers/fuzz';
import { referenceMismatches } from '../helpers/reference-compare';
import { naiveStats, parseFastaNaive } from '../helpers/reference-kmers';

const SEQ_CHARS = [...'ACGTACGTACGTacgtUuNnNRYKMSWBDHVryk-.', ' ', '\t'];
const HEADER_CHARS = [...'abcXYZ09_.|:=-> ', '\t', 'é', 'µ', '\u00a0', '😀'];

const recordArb = fc.record({
  header: fc.array(fc.constantFrom(...HEADER_CHARS), { maxLength: 30 }).map((a) => a.join('')),
  lines: fc.array(fc.array(fc.constantFrom(...SEQ_CHARS), { maxLength: 90 }).map((a) => a.join('')), { maxLength: 6 }),
});

const fastaArb = fc.record({
  bom: fc.boolean(),
  lead: fc.array(fc.constantFrom('', ';a comment', '  '), { maxLength: 3 }),
  records: fc.array(recordArb, { minLength: 1, maxLength: 6 }),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  chunks: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }),
  gzipMembers: fc.constantFrom(0, 0, 1, 2),
});

function render(f: fc.Arbitrary<unknown> extends never ? never : typeof fastaArb extends fc.Arbitrary<infer T> ? T : never): Uint8Array {
  const nl = f.crlf ? '\r\n' : '\n';
  const lines = [...f.lead, ...f.records.flatMap((r) => [`>${r.header}`, ...r.lines])];
  let text = lines.join(nl) + (f.finalNewline ? nl : '');
  if (f.bom) text = `\ufeff${text}`;
  const bytes = new TextEncoder().encode(text);
  if (f.gzipMembers === 0) return bytes;
  if (f.gzipMembers === 1) return new Uint8Array(gzipSync(bytes));
  const half = bytes.length >> 1;
  return new Uint8Array([...gzipSync(bytes.subarray(0, half)), ...gzipSync(bytes.subarray(half))]);
}

describe('fuzz: random FASTA texts, randomly chunked, equal the naive reference', () => {
  it('counts and figures equal the reference, or the same refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fastaArb, async (f) => {
        const bytes = render(f);
        const got = await profileOrRefusal(chunkedSource('random.fa', bytes, f.chunks));
        const records = parseFastaNaive(bytes);
        const s = naiveStats(records);
        if (s.acgt === 0) {
          // nothing to count: refused, never a profile of zeros
          expect(got).toBeInstanceOf(AppError);
          expect((got as AppError).code).toBe('FASTA_NO_SEQUENCE');
          return;
        }
        if (got instanceof AppError) throw new Error(`refused: ${got.message}`);
        expect(referenceMismatches(got, bytes)).toEqual([]);
        expect(got.recordProfiles!.map((r) => r.lengthBp)).toEqual(records.map((r) => r.sequence.length));
        // warnings: records without sequence, and repeated ids (empty ids are named record_N)
        const hasEmpty = records.some((r) => r.sequence.length === 0);
        expect(got.warnings?.some((w) => / without sequence, first /.test(w)) ?? false).toBe(hasEmpty);
        const ids = records.map((r) => r.id).filter((id) => id !== '');
        expect(got.warnings?.some((w) => / used again, first /.test(w)) ?? false).toBe(new Set(ids).size < ids.length);
      }),
      { seed: FUZZ_SEED, numRuns: 150 },
    );
  }, 60_000);
});

const FASTA_FIXTURES = ['short-records.fa', 'iupac-u-gaps.fa', 'crlf.fa', 'bom-blank-lines.fa', 'empty-record.fa'].map((n) => ({
  name: n,
  bytes: new Uint8Array(readFileSync(fixture(n))),
}));
FASTA_FIXTURES.push({ name: 'lambda-head.fa', bytes: new Uint8Array(gunzipSync(readFileSync(fixture('lambda.fa.gz')))).subarray(0, 2500) });

describe('fuzz: byte mutations of real FASTA files', () => {
  it('never crash or hang; if accepted, the counts equal the reference on the mutated bytes', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FASTA_FIXTURES),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 3 }),
        async (fx, mutations, chunks) => {
          const bytes = mutate(fx.bytes, mutations);
          const got = await profileOrRefusal(chunkedSource(fx.name, bytes, chunks));
          if (got instanceof AppError) {
            refused++;
            expect(got.message.startsWith(`${fx.name}: `)).toBe(true);
            expect(got.message).not.toMatch(/\n/);
            return;
          }
          accepted++;
          expect(referenceMismatches(got, bytes)).toEqual([]);
        },
      ),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
    // both outcomes were exercised (the mutations are not all fatal, nor all harmless)
    expect(accepted).toBeGreaterThan(30);
    expect(refused).toBeGreaterThan(30);
  }, 60_000);
});
