/** Command-line arguments of `genlab-run`, parsed into RunOptions (kept apart from cli.ts to be testable). */
import { existsSync, readdirSync, statSync } from 'fs';
import path from 'path';
import type { Transport } from './connection';
import { CellInterrupt, RunOptions, UsageError } from './options';
import { parseParamArg, ParameterError } from './parameters';

export const USAGE = `Usage: genlab-run [options] <notebook.ipynb | folder | pattern>...

Runs notebooks headlessly through the tslab kernel and writes the executed copies.

Options:
  --profile NAME         profile from the notebook's metadata.genlab.profiles (e.g. quick, full)
  --param NAME=VALUE     override a parameter (repeatable; wins over the profile); VALUE is JSON
                         (3, true, "s", [1,2]) or else a plain string
  --out DIR              folder for executed notebooks (default build/executed); with one
                         notebook, a path ending in .ipynb names the file itself
  --in-place             write the executed notebook over its source
  --timeout SECONDS      per-notebook limit (default: profile "timeout", else 21600 = 6 h)
  --cell-timeout SECONDS per-cell limit; interrupts, then kills the kernel (default: profile
                         "cell_timeout", else 7200 = 2 h)
  --interrupt CELL=SECONDS
                         interrupt a cell (its id, a tag, or its number) after SECONDS, as
                         Kernel > Interrupt does, keep its outputs and go on with the next
                         cell (repeatable; first pass only)
  --jobs N               notebooks run at once (default 1)
  --results FILE         write every check's metric, value, threshold, profile, backend and
                         seconds as JSON
  --rerun                run the cells after the parameters a second time in the same kernel;
                         fail on errors or tensor growth
  --leak-allowance N     tensors the second pass may add (default 0)
  --compare REF          compare outputs with a reference notebook (nbval-style); REF is a
                         notebook, or a folder holding a same-named notebook for each input
  --compare-stored       compare outputs with those stored in the source notebook
  --rtol X               relative tolerance for numbers when comparing (default 1e-3)
  --transport tcp|ipc    ZeroMQ transport to the kernel (default ipc; tcp on Windows)
  --quiet                print only the summary
  -h, --help             show this help

Exit status: 0 all notebooks passed, 1 a notebook failed, 2 bad usage.`;

export type ParsedArgs = { help: true } | { help: false; files: string[]; options: RunOptions; quiet: boolean };

function positiveNumber(flag: string, text: string | undefined, integer = false): number {
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new UsageError(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got ${text === undefined ? 'nothing' : JSON.stringify(text)}.`);
  }
  return v;
}

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

/** Parse `genlab-run` arguments (without `node` and the script). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const inputs: string[] = [];
  const params: Record<string, string> = {};
  const options: RunOptions = {};
  let out: string | undefined;
  let quiet = false;
  let compareStored = false;
  let transport: Transport | undefined;
  const interrupts: CellInterrupt[] = [];
  const args = [...argv];
  while (args.length > 0) {
    let arg = args.shift() as string;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = (): string => {
      const v = inline ?? args.shift();
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${arg} needs a value.`);
      return v;
    };
    switch (arg) {
      case '-h':
      case '--help':
        return { help: true };
      case '--profile':
        options.profile = value();
        break;
      case '--param': {
        try {
          const { name, raw } = parseParamArg(value());
          params[name] = raw;
        } catch (e) {
          throw new UsageError((e as ParameterError).message);
        }
        break;
      }
      case '--out':
        out = value();
        break;
      case '--in-place':
        options.inPlace = true;
        break;
      case '--timeout':
        options.timeout = positiveNumber(arg, value());
        break;
      case '--cell-timeout':
        options.cellTimeout = positiveNumber(arg, value());
        break;
      case '--interrupt': {
        const v = value();
        const at = v.lastIndexOf('=');
        if (at <= 0) throw new UsageError(`--interrupt expects CELL=SECONDS (a cell id, tag or number), got ${JSON.stringify(v)}.`);
        interrupts.push({ cell: v.slice(0, at), afterSeconds: positiveNumber(arg, v.slice(at + 1)) });
        break;
      }
      case '--jobs':
        options.jobs = positiveNumber(arg, value(), true);
        break;
      case '--results':
        options.results = value();
        break;
      case '--rerun':
        options.rerun = true;
        break;
      case '--leak-allowance': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 0) throw new UsageError('--leak-allowance needs a whole number of tensors (0 or more).');
        options.leakAllowance = v;
        break;
      }
      case '--compare':
        options.compare = value();
        break;
      case '--compare-stored':
        compareStored = true;
        break;
      case '--rtol':
        options.compareOptions = { ...options.compareOptions, rtol: positiveNumber(arg, value()) };
        break;
      case '--transport': {
        const t = value();
        if (t !== 'tcp' && t !== 'ipc') throw new UsageError(`--transport must be tcp or ipc, got ${JSON.stringify(t)}.`);
        transport = t;
        break;
      }
      case '--quiet':
        quiet = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}. See --help.`);
        inputs.push(arg);
    }
  }
  if (inputs.length === 0) throw new UsageError('no notebooks given. Example: genlab-run notebooks/*.ipynb --profile quick');
  if (compareStored && options.compare !== undefined) throw new UsageError('use either --compare REF or --compare-stored, not both.');
  if (compareStored) options.compare = 'stored';
  if (options.inPlace === true && out !== undefined) throw new UsageError('use either --out or --in-place, not both.');
  if (Object.keys(params).length > 0) options.params = params;
  if (interrupts.length > 0) options.interrupts = interrupts;
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
  return { help: false, files, options, quiet };
}
