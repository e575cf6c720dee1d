/**
 * Byte-stream helpers: gzip detection by content and two gunzip paths.
 *
 * - `native`: the platform DecompressionStream('gzip') (zlib in Node, fast in browsers). Node's
 *   handles multi-member gzip (bgzip, `cat a.gz b.gz`); Chromium's stops with "Junk found after
 *   end of compressed data".
 * - `portable`: CheckedGunzip (gzip-members.ts: fflate's raw Inflate, with each member's header,
 *   CRC-32 and length checked), which reads every member. It is used when the native path fails,
 *   by re-opening the source (see profile.ts), so a bgzip file works in every browser and
 *   truncated/corrupt files get the same message everywhere. The native decoders (zlib) check
 *   every member's CRC-32 and length themselves (tests/regress/11-gzip-crc.test.ts).
 */
import { AppError } from './errors';
import { CheckedGunzip } from './gzip-members';

export type GunzipMode = 'native' | 'portable';

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Raised by the native path so the caller can retry with the portable one. */
export class NativeGunzipError extends Error {
  override name = 'NativeGunzipError';
}

/** Reads the first bytes of a stream and returns them with a stream that replays everything. */
export async function peekStream(
  stream: ReadableStream<Uint8Array>,
  onSourceError: (e: unknown) => void = () => {},
  minBytes = 4,
): Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let have = 0;
  while (have < minBytes) {
    const { value, done } = await reader.read();
    if (done) break;
    if (value.length === 0) continue;
    parts.push(value);
    have += value.length;
  }
  const head = parts.length === 1 ? parts[0] : concatBytes(parts);
  let replayed = false;
  const replay = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!replayed) {
        replayed = true;
        if (head.length > 0) {
          controller.enqueue(head);
          return;
        }
      }
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (e) {
        onSourceError(e);
        throw e;
      }
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, stream: replay };
}

export function portableGunzip(name: string): TransformStream<Uint8Array, Uint8Array> {
  let gunzip: CheckedGunzip;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      gunzip = new CheckedGunzip(name, (data) => controller.enqueue(data));
    },
    transform(chunk) {
      gunzip.push(chunk);
    },
    flush() {
      gunzip.finish();
    },
  });
}

/**
 * Gzip bomb limit: refuse once the inflated bytes pass `minBytes` while they are more than
 * `maxRatio` times the compressed bytes read. Real FASTA compresses 3 to 5 times (long N runs a
 * bit more); deflate cannot do better than about 1,032 times, so 100 times over 1 GiB is never a
 * genome. Memory stays bounded anyway (streaming); the limit bounds the work.
 */
export const INFLATE_LIMITS = { minBytes: 2 ** 30, maxRatio: 100 };

export function inflateGuard(name: string, compressedBytes: () => number, limits = INFLATE_LIMITS): TransformStream<Uint8Array, Uint8Array> {
  let inflated = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      inflated += chunk.length;
      const packed = Math.max(1, compressedBytes());
      if (inflated > limits.minBytes && inflated > limits.maxRatio * packed) {
        throw new AppError(
          'GZIP_TOO_LARGE',
          `${name}: the gzip data inflates to over ${inflated.toLocaleString('en-US')} bytes from ${packed.toLocaleString('en-US')} (more than ${limits.maxRatio}× its size): a gzip bomb, not a genome`,
          'a genome FASTA compresses 3 to 5 times; check what the file holds (`zcat FILE | head`)',
        );
      }
      controller.enqueue(chunk);
    },
  });
}

export function nativeGunzip(): TransformStream<Uint8Array, Uint8Array> {
  return new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
