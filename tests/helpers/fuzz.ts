/** Shared pieces of the fuzz tests: chunked sources, byte mutations, a hang guard, the outcome. */
import fc from 'fast-check';
import { AppError } from '../../src/core/errors';
import { profileSource } from '../../src/core/profile';
import type { ByteSource, GenomeProfile } from '../../src/core/profile-types';

/** A source that hands out the bytes in chunks of the given sizes (cycled), like a slow disk or network. */
export function chunkedSource(name: string, bytes: Uint8Array, sizes: number[]): ByteSource {
  return {
    name,
    size: bytes.length,
    open() {
      let offset = 0;
      let k = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.length) {
            controller.close();
            return;
          }
          const end = Math.min(bytes.length, offset + Math.max(1, sizes[k++ % sizes.length]));
          controller.enqueue(bytes.slice(offset, end));
          offset = end;
        },
      });
    },
  };
}

export type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'insert'; at: number; byte: number }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'set'; at: number; byte: number };

/** Positions are taken modulo the length + 1, so one mutation arbitrary fits every input. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat({ max: 1 << 20 }), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat({ max: 1 << 20 }), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat({ max: 1 << 20 }), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat({ max: 1 << 20 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat({ max: 1 << 20 }), byte: fc.constantFrom(0, 10, 13, 62, 0x1f, 0x8b, 0xff, 65, 78) }),
) as fc.Arbitrary<Mutation>;

export function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = new Uint8Array(bytes); // a copy: the input is never changed
  for (const m of mutations) {
    const at = m.at % (b.length + 1);
    switch (m.op) {
      case 'flip':
        if (at < b.length) b[at] ^= m.mask;
        break;
      case 'set':
        if (at < b.length) b[at] = m.byte;
        break;
      case 'insert':
        b = new Uint8Array([...b.subarray(0, at), m.byte, ...b.subarray(at)]);
        break;
      case 'delete':
        b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + m.length)]);
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
    }
  }
  return b;
}

/** Rejects if the promise takes longer than `ms` (a hang is a failure, not a slow test). */
export function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hang: ${what} took over ${ms} ms`)), ms);
    }),
  ]);
}

/** Profiles the bytes; returns the profile or the AppError; anything else (a crash) is thrown. */
export async function profileOrRefusal(source: ByteSource): Promise<GenomeProfile | AppError> {
  try {
    return await withinMs(profileSource(source, { perRecord: true }), 10_000, source.name);
  } catch (e) {
    if (e instanceof AppError && e.code !== 'INTERNAL') return e;
    throw e;
  }
}

/** Fixed seeds so that a failure reproduces; fast-check prints the seed and the counterexample. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261201);
