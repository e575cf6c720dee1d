/**
 * Chunked gzip and gunzip with progress and cancel, for exporting and importing database files
 * (workspace files and full snapshots). Pure over bytes (fflate's streaming Gzip/Gunzip), so the
 * DB worker and the CLI share it. Between chunks each function reports progress, yields to the
 * event loop (so a worker can take the cancel message) and checks the AbortSignal: a cancelled call
 * throws CANCELLED and has changed nothing but its own buffers.
 */
import { Gunzip, Gzip } from 'fflate';
import { concatBytes } from '../core/decompress';
import { AppError } from '../core/errors';

/** What a transfer (export or import) is doing. */
export type TransferStage =
  | 'read' // reading the chosen file
  | 'collect' // gathering the workspace's rows
  | 'compress'
  | 'decompress'
  | 'check' // validating the file (header, schema, integrity, tables)
  | 'reference' // loading the bundled reference data (replace with a workspace file)
  | 'merge'
  | 'save';

export interface TransferProgress {
  stage: TransferStage;
  /** Bytes done and expected in this stage (0 / undefined for stages without a byte count). */
  doneBytes: number;
  totalBytes?: number;
  /** False once the change is being committed: cancel no longer applies. */
  cancellable: boolean;
}

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** Bytes per chunk. @default 1 MiB */
  chunkBytes?: number;
}

export const TRANSFER_CHUNK_BYTES = 1 << 20;

/** Throws CANCELLED when the signal is aborted. `what` names the operation ("import of x.gz"). */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AppError('CANCELLED', `${what}: cancelled`, 'nothing was changed');
}

/** Lets queued messages (a cancel) run: one macrotask. */
export const yieldToEvents = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * Gzip in chunks (level 9, modification time 0, no file name: equal input gives equal bytes).
 * Progress counts uncompressed bytes read.
 */
export async function gzipChunked(bytes: Uint8Array, what: string, options: TransferOptions = {}): Promise<Uint8Array> {
  const { signal, onProgress, chunkBytes = TRANSFER_CHUNK_BYTES } = options;
  const parts: Uint8Array[] = [];
  const gz = new Gzip({ level: 9, mtime: 0 }, (chunk) => parts.push(chunk));
  onProgress?.({ stage: 'compress', doneBytes: 0, totalBytes: bytes.length, cancellable: true });
  for (let at = 0; ; ) {
    throwIfCancelled(signal, what);
    const end = Math.min(bytes.length, at + chunkBytes);
    gz.push(bytes.subarray(at, end), end === bytes.length);
    at = end;
    onProgress?.({ stage: 'compress', doneBytes: at, totalBytes: bytes.length, cancellable: true });
    if (at === bytes.length) break;
    await yieldToEvents();
  }
  return concatBytes(parts);
}

/**
 * Gunzip in chunks (fflate streaming; progress counts compressed bytes read). Damaged or
 * truncated data throws DB_INVALID naming `name`.
 */
export async function gunzipChunked(bytes: Uint8Array, name: string, options: TransferOptions = {}): Promise<Uint8Array> {
  const { signal, onProgress, chunkBytes = TRANSFER_CHUNK_BYTES } = options;
  const parts: Uint8Array[] = [];
  let ended = false;
  const gz = new Gunzip((chunk, final) => {
    parts.push(chunk);
    if (final) ended = true;
  });
  onProgress?.({ stage: 'decompress', doneBytes: 0, totalBytes: bytes.length, cancellable: true });
  for (let at = 0; ; ) {
    throwIfCancelled(signal, `import of ${name}`);
    const end = Math.min(bytes.length, at + chunkBytes);
    try {
      gz.push(bytes.subarray(at, end), end === bytes.length);
    } catch (e) {
      throw new AppError('DB_INVALID', `${name}: gzip data is damaged or truncated (${(e as Error).message})`, 'download or export the file again');
    }
    at = end;
    onProgress?.({ stage: 'decompress', doneBytes: at, totalBytes: bytes.length, cancellable: true });
    if (at === bytes.length) break;
    await yieldToEvents();
  }
  if (!ended) throw new AppError('DB_INVALID', `${name}: gzip data is truncated (the stream ends early)`, 'download or export the file again');
  return concatBytes(parts);
}
