#!/usr/bin/env node
/**
 * `npm run notebooks:publish [-- --only flows] [--trust] [--dir notebooks] [--results FILE]`: run every
 * notebook with the full profile and publish the passing ones with their saved outputs (regenerate.ts).
 * Long: wrap it in `genlab-heavy` on shared machines.
 */
import { Command, commandMain, flag, value } from '../cli/command';
import { regenerate } from './regenerate';

interface PublishSettings {
  only: string[];
  dir?: string;
  profile?: string;
  results?: string;
  trust: boolean;
}

export const PUBLISH_COMMAND: Command<PublishSettings> = {
  name: 'notebooks:publish',
  invocation: 'npm run notebooks:publish --',
  synopsis: '[options]',
  description:
    'Runs each notebook through genlab-run and writes it back with its outputs and a provenance note,\nonly if the run passed; merges its checks into <dir>/results/<profile>.json.',
  failed: 'a notebook failed (it is left as it was)',
  init: () => ({ only: [], trust: false }),
  options: {
    only: value('NAME', 'publish only this notebook (repeatable, or comma-separated)', (s, v) => void s.only.push(...v.split(',')), { multiple: true }),
    dir: value('DIR', 'folder of the notebooks (default notebooks)', (s, v) => {
      s.dir = v;
    }),
    profile: value('NAME', 'profile to run (default full)', (s, v) => {
      s.profile = v;
    }),
    results: value('FILE', 'results file to merge the checks into (default <dir>/results/<profile>.json)', (s, v) => {
      s.results = v;
    }),
    trust: flag('sign the published notebooks with jupyter trust', (s) => {
      s.trust = true;
    }),
  },
};

if (require.main === module) {
  commandMain(PUBLISH_COMMAND, async (s, io) => {
    const log = (m: string): void => io.err(m + '\n');
    const { outcomes, resultsFile, exitCode } = await regenerate({ ...s, log });
    for (const o of outcomes) io.out(`${o.status.padEnd(9)} ${o.notebook}${o.reason !== null ? `  ${o.reason}` : ''}\n`);
    io.out(`results: ${resultsFile}\n`);
    return exitCode;
  });
}
