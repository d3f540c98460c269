#!/usr/bin/env node
/** `genlab-run`: the command-line face of runNotebooks (see args.ts for the options). */
import { parseArgs, USAGE } from './args';
import { UsageError } from './options';
import { runNotebooks } from './run-notebooks';
import { formatSummary } from './summary';

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`genlab-run: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (parsed.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { files, options, quiet } = parsed;
  try {
    const summary = await runNotebooks(files, {
      ...options,
      log: quiet ? undefined : (message) => process.stderr.write(message + '\n'),
    });
    process.stdout.write(formatSummary(summary) + '\n');
    if (options.results !== undefined) process.stdout.write(`results: ${options.results}\n`);
    return summary.exitCode;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`genlab-run: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

// Ctrl-C or a CI cancel: exit, and the exit hook kills every kernel this process started.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`genlab-run: ${signal}, stopping kernels\n`);
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`genlab-run: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
