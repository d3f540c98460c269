#!/usr/bin/env node
/** `genlab-run`: the command-line face of runNotebooks (see args.ts for the options). */
import { commandMain } from '../cli/command';
import { resolveRun, RUN_COMMAND } from './args';
import { runNotebooks } from './run-notebooks';
import { formatSummary } from './summary';

// Ctrl-C or a CI cancel: exit, and the exit hook kills every kernel this process started.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`genlab-run: ${signal}, stopping kernels\n`);
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

commandMain(RUN_COMMAND, async (settings, io) => {
  const { files, options, quiet } = resolveRun(settings);
  const summary = await runNotebooks(files, {
    ...options,
    log: quiet ? undefined : (message) => io.err(message + '\n'),
  });
  io.out(formatSummary(summary) + '\n');
  if (options.results !== undefined) io.out(`results: ${options.results}\n`);
  return summary.exitCode;
});
