#!/usr/bin/env node
/**
 * `npm run kernel:install [-- --user | --prefix DIR | --sys-prefix [--python PY]] [--binary CMD]`:
 * register the kit's kernel (the project's tslab with the protocol fixes of src/kernel) as Jupyter
 * kernels `tslab` and `jslab` (see kernelspec.ts).
 */
import { installKernelSpecs, InstallKernelOptions } from './kernelspec';

const HELP = `Usage: npm run kernel:install -- [--user | --prefix DIR | --sys-prefix [--python PY]] [--binary CMD]

Registers the kit's kernel (the project's tslab, made to follow the Jupyter messaging protocol by
dist/kernel/main.js) as the Jupyter kernels "tslab" (TypeScript) and "jslab" (JavaScript), with
absolute paths, so JupyterLab, nbconvert, nbval and nbmake start the same kernel as genlab-run.
  --user         per-user kernels folder (default unless root)
  --prefix DIR   DIR/share/jupyter/kernels
  --sys-prefix   Python's sys.prefix (virtualenv / conda env)
  --python PY    Python used for --sys-prefix (default python3)
  --binary CMD   command that starts tslab instead, e.g. a global "tslab" (default: this node +
                 dist/kernel/main.js; a plain tslab lacks the protocol fixes nbval needs)`;

function parse(argv: string[]): InstallKernelOptions | null {
  const o: InstallKernelOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--user') o.user = true;
    else if (flag === '--sys-prefix') o.sysPrefix = true;
    else if (flag === '--prefix') o.prefix = value();
    else if (flag === '--python') o.python = value();
    else if (flag === '--binary') o.binary = value();
    else if (flag === '-h' || flag === '--help') return null;
    else throw new Error(`unknown option ${a}`);
  }
  if ([o.user, o.sysPrefix, o.prefix !== undefined].filter(Boolean).length > 1) {
    throw new Error('choose one of --user, --prefix, --sys-prefix');
  }
  return o;
}

async function main(): Promise<number> {
  let options: InstallKernelOptions | null;
  try {
    options = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`kernel:install: ${(e as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  for (const k of await installKernelSpecs(options)) {
    process.stdout.write(`Installed kernel spec ${k.name} in ${k.dir}\n  ${k.spec.argv.join(' ')}\n`);
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`kernel:install: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
