/** Node-only: a ByteSource over a file on disk, streamed in 1 MiB chunks. */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../core/errors';
import type { ByteSource } from '../core/profile-types';

export function nodeFileSource(path: string, name = basename(path)): ByteSource {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new AppError('FILE_NOT_FOUND', `${path}: is a directory, not a file`, 'give the path of a FASTA file');
    size = st.size;
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new AppError('FILE_NOT_FOUND', `${path}: no such file`, 'check the path');
    throw new AppError('FILE_NOT_FOUND', `${path}: cannot be read (${(e as Error).message})`);
  }
  return {
    name,
    size,
    open: () => Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>,
  };
}
