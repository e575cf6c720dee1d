/**
 * Byte-stream helpers: gzip detection by content and two gunzip paths.
 *
 * - `native`: the platform DecompressionStream('gzip') (zlib in Node, fast in browsers). Node's
 *   handles multi-member gzip (bgzip, `cat a.gz b.gz`); Chromium's stops with "Junk found after
 *   end of compressed data".
 * - `portable`: fflate's streaming Gunzip, which reads every member. It is used when the native
 *   path fails, by re-opening the source (see profile.ts), so a bgzip file works in every browser
 *   and truncated/corrupt files get the same message everywhere.
 */
import { Gunzip } from 'fflate';
import { AppError } from './errors';

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
  let gunzip: Gunzip;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      gunzip = new Gunzip((data) => {
        if (data.length > 0) controller.enqueue(data);
      });
    },
    transform(chunk) {
      try {
        gunzip.push(chunk, false);
      } catch (e) {
        throw gzipError(name, e);
      }
    },
    flush() {
      try {
        gunzip.push(new Uint8Array(0), true);
      } catch (e) {
        throw gzipError(name, e);
      }
    },
  });
}

function gzipError(name: string, e: unknown): AppError {
  const code = (e as { code?: number }).code;
  if (code === 0) {
    return new AppError('GZIP_TRUNCATED', `${name}: the gzip data ends too early (truncated file or incomplete download)`, 'download or copy the file again');
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new AppError('GZIP_CORRUPT', `${name}: the gzip data is corrupt (${msg})`, 'check the file with `gzip -t` and download it again');
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
