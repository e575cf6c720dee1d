import { AppError, formatError } from '../core/errors';
import { showControls } from '../core/untrusted-text';

/** Thrown for bad command-line usage; printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * One line for stderr: control characters in it (a newline or carriage return in a file name,
 * a right-to-left override, a terminal escape) are written as `<U+XXXX>`, so untrusted text in a
 * message can neither split the line nor reorder or recolour it.
 */
export function stderrLine(text: string): string {
  return `${showControls(text)}\n`;
}

/** Prints one clear line on stderr for any error and returns the exit code. */
export function reportError(e: unknown, command: string): number {
  if (e instanceof UsageError) {
    process.stderr.write(stderrLine(`mediaforge ${command}: ${e.message} (see \`mediaforge ${command} --help\`)`));
    return 2;
  }
  if (e instanceof AppError) {
    process.stderr.write(stderrLine(`mediaforge ${command}: ${formatError(e)}`));
    return e.code === 'CANCELLED' ? 130 : 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(stderrLine(`mediaforge ${command}: ${msg.split('\n')[0]}`));
  if (process.env.MEDIAFORGE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return 1;
}
