import type { ByteSource } from './profile-types';

/** A source over bytes in memory (tests, small uploads). */
export function bytesSource(name: string, bytes: Uint8Array, chunkBytes = 1 << 16): ByteSource {
  return {
    name,
    size: bytes.length,
    open() {
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.length) {
            controller.close();
            return;
          }
          const end = Math.min(bytes.length, offset + chunkBytes);
          controller.enqueue(bytes.slice(offset, end));
          offset = end;
        },
      });
    },
  };
}

/** A source over a browser File or Blob (File.stream() reads lazily from disk). */
export function blobSource(blob: Blob, name = (blob as File).name ?? 'blob'): ByteSource {
  return { name, size: blob.size, open: () => blob.stream() as ReadableStream<Uint8Array> };
}
