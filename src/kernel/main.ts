#!/usr/bin/env node
/**
 * The command the kit's kernel spec runs: `node dist/kernel/main.js [kernel] --config-path FILE [--js]`
 * (the same arguments as `tslab kernel`). Starts tslab with the protocol fixes of ./conformant.ts.
 */
import { startConformantKernel } from './conformant';

const USAGE = 'usage: node dist/kernel/main.js [kernel] --config-path <connection file> [--js]';

/** The parsed command line, or an error message. */
export function parseKernelArgs(argv: readonly string[]): { configPath: string; javascript: boolean } | { error: string } {
  let configPath: string | undefined;
  let javascript = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === 'kernel' && i === 0) continue;
    if (a === '--js') javascript = true;
    else if (a === '--config-path') {
      configPath = argv[++i];
      if (configPath === undefined) return { error: `--config-path needs a value\n${USAGE}` };
    } else if (a.startsWith('--config-path=')) configPath = a.slice('--config-path='.length);
    else return { error: `unknown argument ${JSON.stringify(a)}\n${USAGE}` };
  }
  if (configPath === undefined || configPath === '') return { error: `--config-path is required\n${USAGE}` };
  return { configPath, javascript };
}

if (require.main === module) {
  const args = parseKernelArgs(process.argv.slice(2));
  if ('error' in args) {
    process.stderr.write(`genlab-ts kernel: ${args.error}\n`);
    process.exit(2);
  }
  startConformantKernel(args).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
