/**
 * Every notebook in notebooks/ runs headlessly with the `quick` profile and must pass: all code paths,
 * checks with quick thresholds, about a minute of kernel time each on 2 cores. It runs in `rerun` mode,
 * as a student would: after the first pass every cell after the parameters is executed again in the
 * same kernel, and that second pass must succeed and leave tfjs's tensor count where the first left
 * it (allowance 0: whatever a cell makes is held by `keep` or disposed). Executed copies and
 * the check results go to build/executed/quick/ for inspection (CI can keep them as artifacts).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { formatFailure } from '../src/runner/failure';
import { runNotebooks } from '../src/runner/run-notebooks';
import { formatSummary } from '../src/runner/summary';
import { ensureBuilt } from './runner/helpers';

const ROOT = path.resolve(__dirname, '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
const notebooks = readdirSync(NOTEBOOKS)
  .filter((f) => f.endsWith('.ipynb'))
  .sort()
  .map((f) => path.relative(process.cwd(), path.join(NOTEBOOKS, f)));

describe('notebooks/ in quick mode', () => {
  it(
    `runs all ${notebooks.length} notebooks with --profile quick --rerun`,
    { skip: notebooks.length === 0 ? 'no notebooks in notebooks/ yet' : false, timeout: 60 * 60 * 1000 },
    async () => {
      ensureBuilt();
      const out = path.join(ROOT, 'build', 'executed', 'quick');
      const summary = await runNotebooks(notebooks, {
        profile: 'quick',
        rerun: true,
        leakAllowance: 0,
        jobs: 2,
        outDir: out,
        results: path.join(out, 'results.json'),
        // Quick runs take about a minute each; these only stop a hang long before CI's 90 minutes.
        cellTimeout: 15 * 60,
        timeout: 30 * 60,
      });
      const report = [
        formatSummary(summary),
        ...summary.results.flatMap((r) => (r.failure ? [formatFailure(r.failure)] : r.error ? [`${r.notebook}: ${r.error}`] : [])),
      ].join('\n');
      process.stdout.write(report + '\n');
      assert.equal(summary.exitCode, 0, report);
    },
  );
});
