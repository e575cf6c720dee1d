/**
 * `mediaforge <command>`: the Node CLI over the same src/core (and src/db, src/ml) as the app.
 * Each command module exports `run(argv): Promise<number>` and its own `HELP`.
 */
import { reportError, stderrLine } from './cli-error';

interface CommandModule {
  run(argv: string[]): Promise<number>;
  SUMMARY: string;
}

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  profile: () => import('./commands/profile'),
  db: () => import('./commands/db'),
  train: () => import('./commands/train'),
  neighbors: () => import('./commands/neighbors'),
  vae: () => import('./commands/vae'),
  phenotype: () => import('./commands/phenotype'),
  eval: () => import('./commands/eval'),
  generate: () => import('./commands/generate'),
  recommend: () => import('./commands/recommend'),
  outcome: () => import('./commands/outcome'),
};

const VERSION = '0.1.0';

async function usage(): Promise<string> {
  const lines = ['Usage: mediaforge <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const mod = await load();
    lines.push(`  ${name.padEnd(10)} ${mod.SUMMARY}`);
  }
  lines.push('', 'Run `mediaforge <command> --help` for the options of one command.');
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(await usage());
      return command ? 0 : 2;
    }
    if (command === '--version') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const load = COMMANDS[command];
    if (!load) {
      process.stderr.write(stderrLine(`mediaforge: unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')})`));
      return 2;
    }
    const mod = await load();
    return await mod.run(rest);
  } catch (e) {
    return reportError(e, command ?? '');
  }
}
