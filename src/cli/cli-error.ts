import { AppError, formatError } from '../core/errors';

/** Thrown for bad command-line usage; printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Prints one clear line on stderr for any error and returns the exit code. */
export function reportError(e: unknown, command: string): number {
  if (e instanceof UsageError) {
    process.stderr.write(`mediaforge ${command}: ${e.message} (see \`mediaforge ${command} --help\`)\n`);
    return 2;
  }
  if (e instanceof AppError) {
    process.stderr.write(`mediaforge ${command}: ${formatError(e)}\n`);
    return e.code === 'CANCELLED' ? 130 : 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`mediaforge ${command}: ${msg.split('\n')[0]}\n`);
  if (process.env.MEDIAFORGE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return 1;
}
