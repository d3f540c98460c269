#!/usr/bin/env node
/**
 * `npm run notebooks:publish [-- --only flows] [--trust] [--dir notebooks] [--results FILE]`: run every
 * notebook with the full profile and publish the passing ones with their saved outputs (regenerate.ts).
 * Long: wrap it in `genlab-heavy` on shared machines.
 */
import { regenerate } from './regenerate';

const USAGE = `usage: notebooks:publish [--only NAME]... [--dir notebooks] [--profile full] [--results FILE] [--trust]
  Runs each notebook through genlab-run and writes it back with its outputs and a provenance note,
  only if the run passed; merges its checks into <dir>/results/<profile>.json.`;

async function main(argv: string[]): Promise<number> {
  const only: string[] = [];
  let dir: string | undefined;
  let profile: string | undefined;
  let results: string | undefined;
  let trust = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--only') only.push(...value().split(','));
    else if (a === '--dir') dir = value();
    else if (a === '--profile') profile = value();
    else if (a === '--results') results = value();
    else if (a === '--trust') trust = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else {
      process.stderr.write(`notebooks:publish: unknown argument ${a}\n${USAGE}\n`);
      return 2;
    }
  }
  const log = (m: string): void => void process.stderr.write(m + '\n');
  const { outcomes, resultsFile, exitCode } = await regenerate({ dir, only, profile, results, trust, log });
  for (const o of outcomes) process.stdout.write(`${o.status.padEnd(9)} ${o.notebook}${o.reason !== null ? `  ${o.reason}` : ''}\n`);
  process.stdout.write(`results: ${resultsFile}\n`);
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`notebooks:publish: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
