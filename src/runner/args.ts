/**
 * Command-line arguments of `genlab-run`, parsed into RunOptions (kept apart from cli.ts to be
 * testable). The option table is declarative (src/cli/command.ts): one entry per option, with its
 * help text and what it sets.
 */
import { existsSync, readdirSync, statSync } from 'fs';
import path from 'path';
import { Command, flag, helpText, oneOf, parseCommand, positiveNumber, value } from '../cli/command';
import type { Transport } from './connection';
import { RunOptions, UsageError } from './options';
import { parseParamArg, ParameterError } from './parameters';

/** What the options set, before the notebooks are found (see `finish`). */
export interface RunSettings {
  inputs: string[];
  params: Record<string, string>;
  options: RunOptions;
  out?: string;
  quiet: boolean;
  compareStored: boolean;
  transport?: Transport;
}

/** `genlab-run`'s options, one entry each. */
export const RUN_COMMAND: Command<RunSettings> = {
  name: 'genlab-run',
  synopsis: '[options] <notebook.ipynb | folder | pattern>...',
  description: 'Runs notebooks headlessly through the tslab kernel and writes the executed copies.',
  failed: 'a notebook failed',
  init: () => ({ inputs: [], params: {}, options: {}, quiet: false, compareStored: false }),
  options: {
    profile: value('NAME', "profile from the notebook's metadata.genlab.profiles (e.g. quick, full)", (s, v) => {
      s.options.profile = v;
    }),
    param: value(
      'NAME=VALUE',
      'override a parameter (repeatable; wins over the profile); VALUE is JSON\n(3, true, "s", [1,2]) or else a plain string',
      (s, v) => {
        try {
          const { name, raw } = parseParamArg(v);
          s.params[name] = raw;
        } catch (e) {
          throw new UsageError((e as ParameterError).message);
        }
      },
      { multiple: true },
    ),
    out: value('DIR', 'folder for executed notebooks (default build/executed); with one\nnotebook, a path ending in .ipynb names the file itself', (s, v) => {
      s.out = v;
    }),
    'in-place': flag('write the executed notebook over its source', (s) => {
      s.options.inPlace = true;
    }),
    timeout: value('SECONDS', 'per-notebook limit (default: profile "timeout", else 21600 = 6 h)', (s, v, f) => {
      s.options.timeout = positiveNumber(f, v);
    }),
    'cell-timeout': value('SECONDS', 'per-cell limit; interrupts, then kills the kernel (default: profile\n"cell_timeout", else 7200 = 2 h)', (s, v, f) => {
      s.options.cellTimeout = positiveNumber(f, v);
    }),
    interrupt: value(
      'CELL=SECONDS',
      'interrupt a cell (its id, a tag, or its number) after SECONDS, as\nKernel > Interrupt does, keep its outputs and go on with the next\ncell (repeatable; first pass only)',
      (s, v, f) => {
        const at = v.lastIndexOf('=');
        if (at <= 0) throw new UsageError(`${f} expects CELL=SECONDS (a cell id, tag or number), got ${JSON.stringify(v)}.`);
        s.options.interrupts = [...(s.options.interrupts ?? []), { cell: v.slice(0, at), afterSeconds: positiveNumber(f, v.slice(at + 1)) }];
      },
      { multiple: true },
    ),
    jobs: value('N', 'notebooks run at once (default 1)', (s, v, f) => {
      s.options.jobs = positiveNumber(f, v, true);
    }),
    results: value('FILE', "write every check's metric, value, threshold, profile, backend and\nseconds as JSON", (s, v) => {
      s.options.results = v;
    }),
    rerun: flag('run the cells after the parameters a second time in the same kernel;\nfail on errors or tensor growth', (s) => {
      s.options.rerun = true;
    }),
    'leak-allowance': value('N', 'tensors the second pass may add (default 0)', (s, v) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError('--leak-allowance needs a whole number of tensors (0 or more).');
      s.options.leakAllowance = n;
    }),
    compare: value('REF', 'compare outputs with a reference notebook (nbval-style); REF is a\nnotebook, or a folder holding a same-named notebook for each input', (s, v) => {
      s.options.compare = v;
    }),
    'compare-stored': flag('compare outputs with those stored in the source notebook', (s) => {
      s.compareStored = true;
    }),
    rtol: value('X', 'relative tolerance for numbers when comparing (default 1e-3)', (s, v, f) => {
      s.options.compareOptions = { ...s.options.compareOptions, rtol: positiveNumber(f, v) };
    }),
    transport: value('tcp|ipc', 'ZeroMQ transport to the kernel (default ipc; tcp on Windows)', (s, v, f) => {
      s.transport = oneOf(f, v, ['tcp', 'ipc'] as const);
    }),
    quiet: flag('print only the summary', (s) => {
      s.quiet = true;
    }),
  },
  positionals: (s, values) => {
    s.inputs.push(...values);
  },
  finish: (s) => {
    if (s.inputs.length === 0) throw new UsageError('no notebooks given. Example: genlab-run notebooks/*.ipynb --profile quick');
    if (s.compareStored && s.options.compare !== undefined) throw new UsageError('use either --compare REF or --compare-stored, not both.');
    if (s.options.inPlace === true && s.out !== undefined) throw new UsageError('use either --out or --in-place, not both.');
  },
};

/** The help of `genlab-run`. */
export const USAGE = helpText(RUN_COMMAND);

export type ParsedArgs = { help: true } | { help: false; files: string[]; options: RunOptions; quiet: boolean };

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

/** Expand one input: a notebook, a folder (its *.ipynb), or a `*` pattern in the file name. */
export function expandInput(input: string): string[] {
  if (existsSync(input) && statSync(input).isDirectory()) {
    return readdirSync(input)
      .filter((f) => f.endsWith('.ipynb'))
      .sort()
      .map((f) => path.join(input, f));
  }
  if (existsSync(input)) return [input];
  const base = path.basename(input);
  if (/[*?]/.test(base)) {
    // The shell did not expand it (npm scripts on Windows, or quoted): do it for the file-name part.
    const dir = path.dirname(input);
    const re = globToRegExp(base);
    const found = existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)).sort() : [];
    if (found.length === 0) throw new UsageError(`no notebook matches ${input}.`);
    return found.map((f) => path.join(dir, f));
  }
  throw new UsageError(`notebook not found: ${input} (resolved to ${path.resolve(input)}).`);
}

/** The notebooks and run options the parsed settings name (folders and patterns expanded). */
export function resolveRun(settings: RunSettings): { files: string[]; options: RunOptions; quiet: boolean } {
  const { inputs, params, out, quiet, compareStored, transport } = settings;
  const options: RunOptions = { ...settings.options };
  if (compareStored) options.compare = 'stored';
  if (Object.keys(params).length > 0) options.params = params;
  if (transport !== undefined) options.kernel = { transport };
  const files = [...new Set(inputs.flatMap(expandInput))];
  if (files.length === 0) throw new UsageError(`no .ipynb files in ${inputs.join(', ')}.`);
  if (out !== undefined) {
    if (out.endsWith('.ipynb')) {
      if (files.length !== 1) throw new UsageError(`--out ${out} names one file, but ${files.length} notebooks were given; pass a folder.`);
      options.outFile = out;
    } else {
      options.outDir = out;
    }
  }
  return { files, options, quiet };
}

/** Parse `genlab-run` arguments (without `node` and the script). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed = parseCommand(RUN_COMMAND, argv);
  return parsed.help ? { help: true } : { help: false, ...resolveRun(parsed.settings) };
}
