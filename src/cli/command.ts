/**
 * The one command-line parser of the kit's commands (`genlab-run`, `npm run html`, `npm run readme`,
 * `npm run notebooks:publish`), over Node's own `util.parseArgs`, so they share their help layout,
 * error messages and exit codes:
 *
 * - 0 passed, 1 failed (a notebook, a check, a step), 2 bad usage (the message says what to fix);
 * - `-h`/`--help` prints the help generated from the option table and exits 0;
 * - an unknown option, a flag without its value or a value for a flag without one is bad usage,
 *   reported as `NAME: <message> See INVOCATION --help.`
 *
 * A command is a declarative table: each option is one entry (`flag(...)` or `value(...)`) with its
 * help text and what it does to the command's settings, so adding an option is adding one entry.
 */
import { parseArgs } from 'util';
import { UsageError } from '../runner/options';

export { UsageError };

/** Exit codes shared by every command. */
export const EXIT = { passed: 0, failed: 1, usage: 2 } as const;

/** One option of a command, applied to the command's settings `T` as it is parsed. */
export interface OptionSpec<T> {
  /** The value's placeholder in the help (`NAME`, `DIR`); undefined for a flag without a value. */
  metavar?: string;
  /** One-letter alias (`-q`). */
  short?: string;
  /** Help text; `\n` starts a continuation line. */
  help: string;
  /** Whether the option may be given more than once (its values are applied in order). @default false */
  multiple?: boolean;
  /** Apply one occurrence; `value` is '' for a flag. Throws UsageError for a bad value. */
  apply(settings: T, value: string, flag: string): void;
}

/** A flag without a value (`--rerun`). */
export function flag<T>(help: string, apply: (settings: T) => void, short?: string): OptionSpec<T> {
  return { help, short, apply: (s) => apply(s) };
}

/** An option with a value (`--out DIR`, or `--out=DIR`); `multiple` for a repeatable one. */
export function value<T>(
  metavar: string,
  help: string,
  apply: (settings: T, value: string, flag: string) => void,
  options: { multiple?: boolean; short?: string } = {},
): OptionSpec<T> {
  return { metavar, help, apply, multiple: options.multiple, short: options.short };
}

/** A command: its name, help text, option table and what to do with positional arguments. */
export interface Command<T> {
  /** Short name; starts every message (`html: ...`). */
  name: string;
  /** How it is typed, for the usage line and the `--help` hint. @default name */
  invocation?: string;
  /** The usage line after `Usage: NAME`, e.g. `[options] <notebook.ipynb | folder>...`. */
  synopsis: string;
  /** What the command does, a paragraph of the help. */
  description: string;
  /** Long option name (without `--`) -> its entry. `help` is added to every command. */
  options: Record<string, OptionSpec<T>>;
  /** What exit code 1 means for this command, for the help. */
  failed: string;
  /** Fresh settings before parsing. */
  init(): T;
  /** Positional arguments, in order; undefined when the command takes none. Throws UsageError. */
  positionals?(settings: T, values: string[]): void;
  /** Checks across options once all are applied (e.g. two that exclude each other). Throws UsageError. */
  finish?(settings: T): void;
}

/** Column where option help starts. */
const HELP_COLUMN = 25;

/** The help text, generated from the option table. */
export function helpText<T>(command: Command<T>): string {
  const rows: string[] = [];
  const entries: [string, OptionSpec<T>][] = [...Object.entries(command.options), ['help', { short: 'h', help: 'show this help', apply: () => undefined }]];
  for (const [name, spec] of entries) {
    const left = `  ${spec.short !== undefined ? `-${spec.short}, ` : ''}--${name}${spec.metavar !== undefined ? ` ${spec.metavar}` : ''}`;
    const [first, ...more] = spec.help.split('\n');
    rows.push(left.length < HELP_COLUMN ? left.padEnd(HELP_COLUMN) + first : `${left}\n${' '.repeat(HELP_COLUMN)}${first}`);
    for (const line of more) rows.push(' '.repeat(HELP_COLUMN) + line);
  }
  return [
    `Usage: ${command.invocation ?? command.name} ${command.synopsis}`,
    '',
    command.description,
    '',
    'Options:',
    ...rows,
    '',
    `Exit status: ${EXIT.passed} passed, ${EXIT.failed} ${command.failed}, ${EXIT.usage} bad usage.`,
  ].join('\n');
}

/** Parsed arguments: help asked for, or the settings. */
export type Parsed<T> = { help: true } | { help: false; settings: T };

/**
 * Parse `argv` (without `node` and the script) with `util.parseArgs`. Tokens are read in non-strict
 * mode so that every mistake gets the same message here, whatever parseArgs would have said.
 */
export function parseCommand<T>(command: Command<T>, argv: readonly string[]): Parsed<T> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = {
      type: spec.metavar !== undefined ? 'string' : 'boolean',
      ...(spec.short !== undefined ? { short: spec.short } : {}),
      ...(spec.multiple === true ? { multiple: true } : {}),
    };
  }
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const settings = command.init();
  const positionals: string[] = [];
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.name === 'help') return { help: true };
    const spec = command.options[token.name];
    if (spec === undefined || (token.rawName.length === 2 && spec.short !== token.rawName[1])) {
      throw new UsageError(`unknown option ${token.rawName}.`);
    }
    const flagName = `--${token.name}`;
    if (spec.metavar === undefined) {
      if (token.value !== undefined) throw new UsageError(`${flagName} takes no value (got ${JSON.stringify(token.value)}).`);
      spec.apply(settings, '', flagName);
    } else {
      // `--out --rerun`: parseArgs would take `--rerun` as the folder; a value that looks like an
      // option must be attached (`--out=--rerun`) to count.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
        throw new UsageError(`${flagName} needs a value (${flagName} ${spec.metavar}).`);
      }
      if (spec.multiple !== true && seen.has(token.name)) throw new UsageError(`${flagName} given twice; give it once.`);
      spec.apply(settings, token.value, flagName);
    }
    seen.add(token.name);
  }
  if (command.positionals !== undefined) command.positionals(settings, positionals);
  else if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}; this command takes only options.`);
  command.finish?.(settings);
  return { help: false, settings };
}

/** Where a command writes (process streams by default; tests pass their own). */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: CommandIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/**
 * Parse, then run `main` with the settings, and return the exit code: help 0; bad usage (a
 * UsageError from parsing or from `main`) 2 with `NAME: message`; any other error 1 with
 * `NAME: message`; else what `main` returns.
 */
export async function runCommand<T>(command: Command<T>, argv: readonly string[], main: (settings: T, io: CommandIO) => Promise<number>, io: CommandIO = processIO): Promise<number> {
  const usage = (e: UsageError): number => {
    io.err(`${command.name}: ${e.message} See ${command.invocation ?? command.name} --help.\n`);
    return EXIT.usage;
  };
  let parsed: Parsed<T>;
  try {
    parsed = parseCommand(command, argv);
  } catch (e) {
    if (e instanceof UsageError) return usage(e);
    throw e;
  }
  if (parsed.help) {
    io.out(helpText(command) + '\n');
    return EXIT.passed;
  }
  try {
    return await main(parsed.settings, io);
  } catch (e) {
    if (e instanceof UsageError) return usage(e);
    io.err(`${command.name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failed;
  }
}

/** Run a command as the process's entry point: arguments from `process.argv`, result as the exit code. */
export function commandMain<T>(command: Command<T>, main: (settings: T, io: CommandIO) => Promise<number>): void {
  runCommand(command, process.argv.slice(2), main).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${command.name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}

/** A positive number (`integer` for a count); bad usage otherwise. */
export function positiveNumber(flagName: string, text: string, integer = false): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new UsageError(`${flagName} needs a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}.`);
  }
  return v;
}

/** One of a fixed set of words; bad usage otherwise. */
export function oneOf<W extends string>(flagName: string, text: string, words: readonly W[]): W {
  if (!(words as readonly string[]).includes(text)) {
    throw new UsageError(`${flagName} must be ${words.length === 2 ? `${words[0]} or ${words[1]}` : `one of ${words.join(', ')}`}, got ${JSON.stringify(text)}.`);
  }
  return text as W;
}
