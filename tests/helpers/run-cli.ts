/** Runs one CLI command module in-process, the way src/cli/main.ts does: exit code, stdout, stderr. */
import { vi } from 'vitest';
import { reportError } from '../../src/cli/cli-error';

export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

export async function runCommand(cmd: CommandModule, name: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  let code: number;
  try {
    code = await cmd.run(argv);
  } catch (err) {
    code = reportError(err, name);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, stdout, stderr };
}
