/**
 * The argument preamble every `mediaforge` command shares: node:util parseArgs with `-h/--help`,
 * its errors as one-line UsageErrors, subcommand dispatch (no subcommand: help and exit 2), one
 * positional FILE, required options, and options that must be a number, one of a few words or an
 * ISO date, each refused with one message format: `--top must be an integer from 1 to 5000, got '0'`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** `-h, --help`: added to every command's options by parseCommandArgs. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const;

type CommandConfig<O extends OptionsConfig, P extends boolean> = { args: string[]; options: O & typeof HELP_OPTION; allowPositionals: P; strict: true };

/** What parseArgs returns for these options: typed values (string, boolean, with defaults) and positionals. */
export type CommandArgs<O extends OptionsConfig, P extends boolean = false> = ReturnType<typeof parseArgs<CommandConfig<O, P>>>;

export interface CommandArgsOptions<P extends boolean> {
  /** Accept positional arguments (FILE...); without, one is refused as parseArgs refuses it. */
  positionals?: P;
}

/**
 * Parses `argv` with `options` plus -h/--help. A parse error (unknown option, missing value, a
 * value given to a flag, an unexpected positional) becomes a UsageError of one line. With --help
 * (or -h) it writes `help` to stdout and returns null: the command then returns 0.
 */
export function parseCommandArgs<const O extends OptionsConfig, P extends boolean = false>(argv: string[], options: O, help: string, opts: CommandArgsOptions<P> = {}): CommandArgs<O, P> | null {
  let parsed: CommandArgs<O, P>;
  try {
    parsed = parseArgs<CommandConfig<O, P>>({ args: argv, options: { ...options, ...HELP_OPTION }, allowPositionals: (opts.positionals ?? false) as P, strict: true });
  } catch (e) {
    throw new UsageError(oneLine(e instanceof Error ? e.message : String(e)));
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    return null;
  }
  const short = Object.keys(options).filter((name) => name.length === 1 && options[name].short === name);
  if (short.length) SHORT_NAMED.set(parsed.values, new Set(short));
  return parsed;
}

/** Per parsed values: the one-letter options that are their own short form (`-n`), as help writes them. */
const SHORT_NAMED = new WeakMap<object, Set<string>>();

/** parseArgs's message on one line (its "ambiguous value" message spans three, with the fix last). */
function oneLine(message: string): string {
  return message
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
}

const HELP_WORDS = new Set(['-h', '--help', 'help']);

export interface SubcommandSpec {
  /** Printed for `--help`, `-h` or `help` (exit 0) and when no subcommand is given (exit 2). */
  help: string;
  /** Each subcommand with what runs it on the arguments after its name, in the order errors list them. */
  commands: Record<string, (argv: string[]) => Promise<number>>;
  /** What a subcommand is called in the unknown-subcommand message (default 'command'). */
  noun?: string;
  /** Runs on the whole argv when the first word is no subcommand (`mediaforge phenotype FILE`). */
  fallback?: (argv: string[]) => Promise<number>;
}

/** `mediaforge db build ...`: runs the subcommand argv[0] names, or prints help, or refuses an unknown one. */
export async function runSubcommand(argv: string[], spec: SubcommandSpec): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || HELP_WORDS.has(sub)) {
    process.stdout.write(spec.help);
    return sub === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(spec.commands, sub) ? spec.commands[sub] : undefined;
  if (command) return command(rest);
  if (spec.fallback) return spec.fallback(argv);
  const noun = spec.noun ?? 'command';
  throw new UsageError(`unknown ${noun} '${sub}' (${noun}s: ${Object.keys(spec.commands).join(', ')})`);
}

/** The one positional argument (`what` names it: FILE); none or several is a UsageError. */
export function onePositional(positionals: string[], what = 'FILE'): string {
  if (positionals.length === 1) return positionals[0];
  if (positionals.length === 0) throw new UsageError(`no input ${what} given`);
  throw new UsageError(`give one ${what}, got ${positionals.length}: ${positionals.map((p) => `'${p}'`).join(' ')}`);
}

/** How messages write an option of these values: `--top`, `--k`; `-n` for an option that is its own short form. */
export function flag(values: object, name: string): string {
  return SHORT_NAMED.get(values)?.has(name) ? `-${name}` : `--${name}`;
}

type Values = Readonly<Record<string, unknown>>;

/** T for an option that always has a value (a parseArgs default), T | undefined for one that may be absent. */
type OrUndefined<Value, T> = undefined extends Value ? T | undefined : T;

/** The value of a required string option; absent (or empty) is a UsageError `--into DB is required`. */
export function requiredOption<V extends Values>(values: V, name: keyof V & string, metavar: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`${flag(values, name)} ${metavar} is required`);
  return v;
}

export interface NumberOptionRules {
  /** Whole numbers only (and safe integers). */
  integer?: boolean;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Allowed values are below this one (exclusive upper bound). */
  below?: number;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** What a value must be, for the message: `an integer from 1 to 5000`, `a number ≥ 0`. */
export function describeNumberRules(rules: NumberOptionRules): string {
  const kind = rules.integer ? 'an integer' : 'a number';
  const { min, max, below } = rules;
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined && below !== undefined) return `${kind} from ${min} to below ${below}`;
  if (min !== undefined) return `${kind} ≥ ${min}`;
  if (max !== undefined) return `${kind} ≤ ${max}`;
  if (below !== undefined) return `${kind} below ${below}`;
  return kind;
}

/**
 * The number an option gives, checked against `rules`; undefined when the option is absent. Only
 * decimal text counts (`12`, `-3.5`, `1e-3`; not '', ' 5', '0x10', 'Infinity'); anything else,
 * or a value out of range, is a UsageError: `--top must be an integer from 1 to 5000, got '0'`.
 */
export function numberOption<V extends Values, K extends keyof V & string>(values: V, name: K, rules: NumberOptionRules = {}): OrUndefined<V[K], number> {
  const text = values[name];
  if (text === undefined) return undefined as OrUndefined<V[K], number>;
  if (typeof text !== 'string') throw new TypeError(`${flag(values, name)} is not a string option`);
  const x = Number(text);
  const ok =
    (rules.integer ? INTEGER_TEXT.test(text) && Number.isSafeInteger(x) : NUMBER_TEXT.test(text) && Number.isFinite(x)) &&
    (rules.min === undefined || x >= rules.min) &&
    (rules.max === undefined || x <= rules.max) &&
    (rules.below === undefined || x < rules.below);
  if (!ok) throw new UsageError(`${flag(values, name)} must be ${describeNumberRules(rules)}, got '${text}'`);
  return x as OrUndefined<V[K], number>;
}

export interface IntegerListRules {
  /** Smallest allowed value of each item (inclusive). */
  min?: number;
  /** How many items are allowed (default: any number). */
  counts?: number[];
}

/** `--hidden 256,128`: comma-separated integers; undefined when absent. `--epochs must be 1 or 4 comma-separated integers ≥ 0, got '3,x'`. */
export function integerListOption<V extends Values>(values: V, name: keyof V & string, rules: IntegerListRules = {}): number[] | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (typeof text !== 'string') throw new TypeError(`${flag(values, name)} is not a string option`);
  const parts = text.split(',').map((s) => s.trim());
  const ok =
    (rules.counts === undefined || rules.counts.includes(parts.length)) &&
    parts.every((p) => INTEGER_TEXT.test(p) && Number.isSafeInteger(Number(p)) && (rules.min === undefined || Number(p) >= rules.min));
  if (!ok) {
    const count = rules.counts ? `${rules.counts.join(' or ')} ` : '';
    throw new UsageError(`${flag(values, name)} must be ${count}comma-separated integers${rules.min !== undefined ? ` ≥ ${rules.min}` : ''}, got '${text}'`);
  }
  return parts.map(Number);
}

/** The value of an option that must be one of `choices`; undefined when absent. `--format must be tsv or json, got 'xml'`. */
export function choiceOption<V extends Values, K extends keyof V & string, const C extends string>(values: V, name: K, choices: readonly C[]): OrUndefined<V[K], C> {
  const v = values[name];
  if (v === undefined) return undefined as OrUndefined<V[K], C>;
  if ((choices as readonly unknown[]).includes(v)) return v as OrUndefined<V[K], C>;
  const list = choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `one of ${choices.join(', ')}`;
  throw new UsageError(`${flag(values, name)} must be ${list}, got '${String(v)}'`);
}

/** The value of an option that must be a date Date.parse reads (ISO 8601); undefined when absent. */
export function isoDateOption<V extends Values>(values: V, name: keyof V & string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new UsageError(`${flag(values, name)} must be an ISO date, got '${String(v)}'`);
  return v;
}
