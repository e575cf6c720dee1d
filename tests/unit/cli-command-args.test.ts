/**
 * The argument preamble shared by every CLI command (src/cli/command-args.ts), on node:util's real
 * parseArgs: unknown options, missing values, bad numbers, -h/--help, subcommand dispatch; then
 * every command module of src/cli/commands run through it, in-process, as main.ts runs them.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { UsageError } from '../../src/cli/cli-error';
import {
  choiceOption,
  describeNumberRules,
  integerListOption,
  isoDateOption,
  numberOption,
  onePositional,
  parseCommandArgs,
  requiredOption,
  runSubcommand,
} from '../../src/cli/command-args';
import { runCommand, type CommandModule } from '../helpers/run-cli';

const OPTIONS = { top: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, db: { type: 'string' }, n: { type: 'string', short: 'n' } } as const;
const HELP = 'Usage: mediaforge demo FILE [--top N]\n';

/** The UsageError message `f` throws (fails the test when it throws none, or another error). */
function usageMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).message;
  }
  throw new Error('expected a UsageError');
}

/** What `f` writes to stdout, and what it returns. */
async function capture<T>(f: () => T | Promise<T>): Promise<{ result: T; stdout: string }> {
  let captured: T | undefined;
  const r = await runCommand({ run: async () => ((captured = await f()), 0) }, 'demo');
  expect(r.code, r.stderr).toBe(0);
  return { result: captured as T, stdout: r.stdout };
}

describe('parseCommandArgs', () => {
  it('returns typed values with defaults, and positionals when allowed', () => {
    const args = parseCommandArgs(['x.fa', '--top', '3', '--json', '-n', '7'], OPTIONS, HELP, { positionals: true });
    expect(args).not.toBeNull();
    expect(args!.positionals).toEqual(['x.fa']);
    expect(args!.values).toMatchObject({ top: '3', json: true, n: '7', help: false });
    expect(args!.values.db).toBeUndefined();
    expect(parseCommandArgs([], OPTIONS, HELP)!.values).toMatchObject({ top: '10', json: false });
    expectTypeOf(args!.values.top).toEqualTypeOf<string>();
    expectTypeOf(args!.values.db).toEqualTypeOf<string | undefined>();
    expectTypeOf(args!.values.json).toEqualTypeOf<boolean>();
  });

  it('turns parseArgs errors into one-line UsageErrors', () => {
    expect(usageMessage(() => parseCommandArgs(['--bogus'], OPTIONS, HELP))).toMatch(/^Unknown option '--bogus'/);
    expect(usageMessage(() => parseCommandArgs(['-x'], OPTIONS, HELP))).toBe("Unknown option '-x'");
    expect(usageMessage(() => parseCommandArgs(['--top'], OPTIONS, HELP))).toBe("Option '--top <value>' argument missing");
    expect(usageMessage(() => parseCommandArgs(['--json=yes'], OPTIONS, HELP))).toBe("Option '--json' does not take an argument");
    expect(usageMessage(() => parseCommandArgs(['x.fa'], OPTIONS, HELP))).toMatch(/^Unexpected argument 'x\.fa'/);
    // parseArgs says this on three lines; the fix (the last one) is kept, on the same line.
    const ambiguous = usageMessage(() => parseCommandArgs(['--top', '-5'], OPTIONS, HELP));
    expect(ambiguous).not.toMatch(/\n/);
    expect(ambiguous).toMatch(/^Option '--top' argument is ambiguous\. .*use '--top=-XYZ'\.$/);
    expect(parseCommandArgs(['--top=-5'], OPTIONS, HELP)!.values.top).toBe('-5');
  });

  it('prints the help for --help and -h and returns null', async () => {
    for (const argv of [['--help'], ['-h'], ['x.fa', '--top', '3', '-h']]) {
      const { result, stdout } = await capture(() => parseCommandArgs(argv, OPTIONS, HELP, { positionals: true }));
      expect(result, argv.join(' ')).toBeNull();
      expect(stdout, argv.join(' ')).toBe(HELP);
    }
    // A parse error wins over --help, as in parseArgs (strict): the user sees what is wrong.
    expect(usageMessage(() => parseCommandArgs(['--bogus', '--help'], OPTIONS, HELP))).toMatch(/Unknown option '--bogus'/);
  });
});

describe('numberOption', () => {
  const v = (x: string | undefined) => ({ top: x });

  it('reads decimal numbers within the rules', () => {
    expect(numberOption(v('5'), 'top', { integer: true, min: 1, max: 10 })).toBe(5);
    expect(numberOption(v('-3.5'), 'top', { min: -20, max: 130 })).toBe(-3.5);
    expect(numberOption(v('1e-3'), 'top', { min: 0 })).toBe(0.001);
    expect(numberOption(v('0'), 'top', { min: 0, below: 1 })).toBe(0);
    expect(numberOption(v(undefined), 'top', { integer: true })).toBeUndefined();
    expectTypeOf(numberOption({ top: '10' }, 'top')).toEqualTypeOf<number>();
    expectTypeOf(numberOption({} as { top?: string }, 'top')).toEqualTypeOf<number | undefined>();
  });

  it('refuses anything else with one message format', () => {
    expect(usageMessage(() => numberOption(v('0'), 'top', { integer: true, min: 1, max: 5000 }))).toBe("--top must be an integer from 1 to 5000, got '0'");
    expect(usageMessage(() => numberOption(v('ten'), 'top', { integer: true, min: 1, max: 5000 }))).toBe("--top must be an integer from 1 to 5000, got 'ten'");
    // A one-letter option that is its own short form is written as help writes it (-n); others with -- (--k).
    const parsed = parseCommandArgs(['-n', '2.5', '--k', '0'], { ...OPTIONS, k: { type: 'string' } }, HELP)!.values;
    expect(usageMessage(() => numberOption(parsed, 'n', { integer: true, min: 1, max: 1000 }))).toBe("-n must be an integer from 1 to 1000, got '2.5'");
    expect(usageMessage(() => numberOption(parsed, 'k', { integer: true, min: 1, max: 10000 }))).toBe("--k must be an integer from 1 to 10000, got '0'");
    expect(usageMessage(() => numberOption({ lambda: '-1' }, 'lambda', { min: 0 }))).toBe("--lambda must be a number ≥ 0, got '-1'");
    expect(usageMessage(() => numberOption({ 'val-fraction': '1' }, 'val-fraction', { min: 0, below: 1 }))).toBe("--val-fraction must be a number from 0 to below 1, got '1'");
    expect(usageMessage(() => numberOption({ latent: 'x' }, 'latent'))).toBe("--latent must be a number, got 'x'");
    // Text Number() would read but a user did not mean as a number.
    for (const text of ['', ' ', ' 5', '0x10', 'Infinity', '1,5', '5 ']) {
      expect(usageMessage(() => numberOption(v(text), 'top', { integer: true, min: 0 })), JSON.stringify(text)).toBe(`--top must be an integer ≥ 0, got '${text}'`);
    }
    expect(usageMessage(() => numberOption(v('1e3'), 'top', { integer: true }))).toBe("--top must be an integer, got '1e3'");
    expect(usageMessage(() => numberOption(v('9007199254740993'), 'top', { integer: true }))).toMatch(/must be an integer/);
  });

  it('describes every combination of rules', () => {
    expect(describeNumberRules({ integer: true, min: 0, max: 2147483647 })).toBe('an integer from 0 to 2147483647');
    expect(describeNumberRules({ integer: true, min: 1 })).toBe('an integer ≥ 1');
    expect(describeNumberRules({ max: 14 })).toBe('a number ≤ 14');
    expect(describeNumberRules({ below: 1 })).toBe('a number below 1');
    expect(describeNumberRules({})).toBe('a number');
  });
});

describe('the other option readers', () => {
  it('choiceOption takes one of the words', () => {
    expect(choiceOption({ format: 'json' }, 'format', ['tsv', 'json'])).toBe('json');
    expect(choiceOption({} as { format?: string }, 'format', ['tsv', 'json'])).toBeUndefined();
    expectTypeOf(choiceOption({ format: 'tsv' }, 'format', ['tsv', 'json'])).toEqualTypeOf<'tsv' | 'json'>();
    expect(usageMessage(() => choiceOption({ format: 'xml' }, 'format', ['tsv', 'json']))).toBe("--format must be tsv or json, got 'xml'");
    expect(usageMessage(() => choiceOption({ preset: 'huge' }, 'preset', ['default', 'design-doc', 'tiny']))).toBe("--preset must be one of default, design-doc, tiny, got 'huge'");
    expect(usageMessage(() => choiceOption({ format: 'TSV' }, 'format', ['tsv', 'json']))).toMatch(/got 'TSV'/);
  });

  it('isoDateOption, requiredOption and integerListOption', () => {
    expect(isoDateOption({ 'created-at': '2026-12-01T00:00:00.000Z' }, 'created-at')).toBe('2026-12-01T00:00:00.000Z');
    expect(isoDateOption({} as { 'created-at'?: string }, 'created-at')).toBeUndefined();
    expect(usageMessage(() => isoDateOption({ 'created-at': 'yesterday' }, 'created-at'))).toBe("--created-at must be an ISO date, got 'yesterday'");
    expect(requiredOption({ into: 'db.sqlite' }, 'into', 'DB')).toBe('db.sqlite');
    expect(usageMessage(() => requiredOption({} as { into?: string }, 'into', 'DB'))).toBe('--into DB is required');
    expect(usageMessage(() => requiredOption({ into: '' }, 'into', 'DB'))).toBe('--into DB is required');
    expect(integerListOption({ hidden: '256, 128' }, 'hidden')).toEqual([256, 128]);
    expect(integerListOption({ epochs: '3' }, 'epochs', { min: 0, counts: [1, 4] })).toEqual([3]);
    expect(usageMessage(() => integerListOption({ epochs: '3,2' }, 'epochs', { min: 0, counts: [1, 4] }))).toBe("--epochs must be 1 or 4 comma-separated integers ≥ 0, got '3,2'");
    expect(usageMessage(() => integerListOption({ hidden: '256,' }, 'hidden'))).toBe("--hidden must be comma-separated integers, got '256,'");
  });

  it('onePositional wants exactly one', () => {
    expect(onePositional(['a.fa'])).toBe('a.fa');
    expect(usageMessage(() => onePositional([]))).toBe('no input FILE given');
    expect(usageMessage(() => onePositional(['a.fa', 'b.fa']))).toBe("give one FILE, got 2: 'a.fa' 'b.fa'");
  });
});

describe('runSubcommand', () => {
  const calls: string[][] = [];
  const spec = {
    help: 'Usage: mediaforge demo <command>\n',
    noun: 'model',
    commands: { vae: async (argv: string[]) => (calls.push(['vae', ...argv]), 0), cvae: async (argv: string[]) => (calls.push(['cvae', ...argv]), 1) },
  };

  it('runs the named subcommand on the rest of argv', async () => {
    expect(await runSubcommand(['cvae', '--seed', '3'], spec)).toBe(1);
    expect(calls.at(-1)).toEqual(['cvae', '--seed', '3']);
  });

  it('prints help: exit 0 when asked, 2 when no subcommand is given', async () => {
    const demo: CommandModule = { run: (argv) => runSubcommand(argv, spec) };
    for (const [argv, code] of [[['--help'], 0], [['-h'], 0], [['help'], 0], [[], 2]] as [string[], number][]) {
      const r = await runCommand(demo, 'demo', ...argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.stdout).toBe(spec.help);
      expect(r.stderr).toBe('');
    }
  });

  it('refuses an unknown subcommand, naming the known ones, unless there is a fallback', async () => {
    const r = await runCommand({ run: (argv) => runSubcommand(argv, spec) }, 'demo', 'gan');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mediaforge demo: unknown model 'gan' (models: vae, cvae) (see `mediaforge demo --help`)\n");
    // Not an own key of commands: an inherited name is unknown too.
    expect((await runCommand({ run: (argv) => runSubcommand(argv, spec) }, 'demo', 'toString')).code).toBe(2);
    expect(await runSubcommand(['x.fa', '--json'], { ...spec, fallback: async (argv) => (calls.push(['fallback', ...argv]), 0) })).toBe(0);
    expect(calls.at(-1)).toEqual(['fallback', 'x.fa', '--json']);
  });
});

describe('every command goes through the same preamble', () => {
  const load = {
    profile: () => import('../../src/cli/commands/profile'),
    db: () => import('../../src/cli/commands/db'),
    train: () => import('../../src/cli/commands/train'),
    neighbors: () => import('../../src/cli/commands/neighbors'),
    vae: () => import('../../src/cli/commands/vae'),
    phenotype: () => import('../../src/cli/commands/phenotype'),
    eval: () => import('../../src/cli/commands/eval'),
    generate: () => import('../../src/cli/commands/generate'),
    recommend: () => import('../../src/cli/commands/recommend'),
    outcome: () => import('../../src/cli/commands/outcome'),
  } as const;
  const COMMANDS: [keyof typeof load, string[]][] = [
    ['profile', []],
    ['neighbors', []],
    ['generate', []],
    ['recommend', []],
    ['phenotype', []],
    ...(['build', 'stats', 'check', 'import', 'export-workspace', 'preview'] as const).map((s): [keyof typeof load, string[]] => ['db', [s]]),
    ['train', ['vae']],
    ['train', ['cvae']],
    ['vae', ['report']],
    ['phenotype', ['eval']],
    ['phenotype', ['train']],
    ['phenotype', ['labels']],
    ['eval', ['media']],
    ['eval', ['phenotype']],
    ...(['add', 'list', 'remove'] as const).map((s): [keyof typeof load, string[]] => ['outcome', [s]]),
  ];

  it.each(COMMANDS.map(([name, sub]) => [[name, ...sub].join(' '), name, sub] as const))('%s: --help and -h exit 0; an unknown option is one line, exit 2', async (_label, name, sub) => {
    const cmd = await load[name]();
    const help = await runCommand(cmd, name, ...sub, '--help');
    expect(help.code, help.stderr).toBe(0);
    // `eval phenotype` is `phenotype eval`, with its help.
    const usage = name === 'eval' && sub[0] === 'phenotype' ? 'phenotype eval' : [name, ...sub].join(' ');
    expect(help.stdout).toMatch(new RegExp(`^Usage: mediaforge ${usage}( |\n)`));
    expect(help.stderr).toBe('');
    expect((await runCommand(cmd, name, ...sub, '-h')).stdout).toBe(help.stdout);
    const bad = await runCommand(cmd, name, ...sub, '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(new RegExp(`^mediaforge ${name}: Unknown option '--bogus'.* \\(see \`mediaforge ${name} --help\`\\)\\n$`));
  });

  it.each([
    ['generate', ['x.fa', '-n', '0'], "-n must be an integer from 1 to 1000, got '0'"],
    ['generate', ['x.fa', '--seed=-1'], "--seed must be an integer from 0 to 2147483647, got '-1'"],
    ['neighbors', ['x.fa', '--k', '1e3'], "--k must be an integer from 1 to 10000, got '1e3'"],
    ['recommend', ['x.fa', '--ph', '15'], "--ph must be a number from 0 to 14, got '15'"],
    ['recommend', ['a.fa', 'b.fa'], "give one FILE, got 2: 'a.fa' 'b.fa'"],
    ['outcome', ['list', '--genome', '0'], "--genome must be an integer ≥ 1, got '0'"],
    ['train', ['vae', '--val-fraction', '1'], "--val-fraction must be a number from 0 to below 1, got '1'"],
    ['train', ['cvae', '--epochs', '1,2'], "--epochs must be 1 or 4 comma-separated integers ≥ 0, got '1,2'"],
    ['eval', ['media', '--objective', 'listwise'], "--objective must be pointwise or pairwise, got 'listwise'"],
    ['db', ['import', 'a.sqlite'], '--into DB is required'],
  ] as const)('%s %j: %s, before any file is read', async (name, argv, message) => {
    const r = await runCommand(await load[name](), name, ...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mediaforge ${name}: ${message} (see \`mediaforge ${name} --help\`)\n`);
  });

  it.each(['db', 'train', 'vae', 'phenotype', 'eval', 'outcome'] as const)('%s without a subcommand prints its help and exits 2', async (name) => {
    const cmd = await load[name]();
    const none = await runCommand(cmd, name);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe((await runCommand(cmd, name, '--help')).stdout);
    expect(none.stdout).toMatch(new RegExp(`^Usage: mediaforge ${name} `));
  });
});
