/**
 * Typed, user-readable errors shared by the CLI, the workers and the UI.
 * Messages name the input (file, record) and say what is wrong; `hint` says what to do next.
 */
export type ErrorCode =
  | 'FILE_EMPTY'
  | 'FILE_NOT_FOUND'
  | 'FASTA_NO_HEADER'
  | 'FASTA_IS_FASTQ'
  | 'FASTA_IS_PROTEIN'
  | 'FASTA_BINARY'
  | 'FASTA_NO_SEQUENCE'
  | 'FASTA_BAD_CHARACTER'
  | 'GZIP_TRUNCATED'
  | 'GZIP_CORRUPT'
  | 'GZIP_TOO_LARGE'
  | 'FASTA_IS_UTF16'
  | 'CANCELLED'
  | 'BAD_OPTION'
  | 'DB_INVALID'
  | 'DB_TOO_NEW'
  | 'STORAGE_FULL'
  | 'DATA_INVALID'
  | 'INTERNAL';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.hint = hint;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof Error && typeof (e as AppError).code === 'string' && e.name === 'AppError';
}

/** Plain-object form that survives structured clone (Comlink, postMessage). */
export interface SerializedAppError {
  name: 'AppError';
  code: ErrorCode;
  message: string;
  hint?: string;
}

export function serializeError(e: unknown): SerializedAppError {
  if (isAppError(e)) return { name: 'AppError', code: e.code, message: e.message, hint: e.hint };
  if (e instanceof Error && e.name === 'AbortError') return { name: 'AppError', code: 'CANCELLED', message: 'Cancelled' };
  const message = e instanceof Error ? e.message : String(e);
  return { name: 'AppError', code: 'INTERNAL', message };
}

export function deserializeError(s: SerializedAppError): AppError {
  return new AppError(s.code, s.message, s.hint);
}

/** One line for a terminal or a status bar: "message (hint)". */
export function formatError(e: unknown): string {
  const s = serializeError(e);
  return s.hint ? `${s.message} (${s.hint})` : s.message;
}
