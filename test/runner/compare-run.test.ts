/**
 * Issue 9, output comparison (nbval-style) through real runs: an unchanged run passes, a number
 * changed beyond the tolerance fails with a diff naming the cell, sanitised timings pass.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compareNotebooks, formatDifferences } from '../../src/runner/compare';
import { readNotebook, serializeNotebook } from '../../src/runner/nbformat';
import type { NotebookResult, RunSummary } from '../../src/runner/options';
import { runNotebook } from '../../src/runner/run-notebook';
import { runNotebooks } from '../../src/runner/run-notebooks';
import { fixture, tempDir } from './helpers';

describe('--compare', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  const reference = path.join(tmp.dir, 'ref', 'compare.ipynb');
  const changed = path.join(tmp.dir, 'changed.ipynb');
  let unchanged: NotebookResult;
  let differs: RunSummary;
  const log: string[] = [];

  before(async () => {
    const first = await runNotebook(fixture('compare.ipynb'), { outDir: path.join(tmp.dir, 'ref') });
    assert.equal(first.status, 'passed', JSON.stringify(first.failure ?? first.error));
    const nb = await readNotebook(reference);
    const text = JSON.stringify(nb).replace('test rmse 0.6812', 'test rmse 0.7000');
    assert.notEqual(text, JSON.stringify(nb), 'the reference holds the number to change');
    writeFileSync(changed, serializeNotebook(JSON.parse(text)));
    [unchanged, differs] = await Promise.all([
      // The executed copy against its own stored outputs: timings, addresses and the ignored cell change.
      runNotebook(reference, { compare: 'stored', outDir: path.join(tmp.dir, 'again') }),
      runNotebooks([fixture('compare.ipynb')], { compare: changed, outDir: path.join(tmp.dir, 'changed-run'), log: (m) => log.push(m) }),
    ]);
  });

  it('passes an unchanged run although timings and addresses differ', async () => {
    assert.equal(unchanged.status, 'passed', formatDifferences(unchanged.notebook, unchanged.differences, 'stored'));
    // ... which is the sanitisers' doing: without them the same two notebooks differ.
    const again = await readNotebook(path.join(tmp.dir, 'again', 'compare.ipynb'));
    const raw = compareNotebooks(again, await readNotebook(reference), { defaultSanitizers: false });
    assert.ok(raw.some((d) => d.diff.some((l) => /took .* ms/.test(l))), 'the timing line differs before sanitising');
  });

  it('fails a number changed beyond the tolerance, with a diff naming the cell (exit 1)', () => {
    assert.equal(differs.exitCode, 1);
    const r = differs.results[0] as NotebookResult;
    assert.equal(r.status, 'differs');
    assert.equal(r.differences.length, 1);
    assert.equal(r.differences[0]?.cell, 1);
    assert.ok(r.differences[0]?.diff.includes('- test rmse 0.7000'));
    assert.ok(r.differences[0]?.diff.includes('+ test rmse 0.6812'));
    const report = log.find((l) => l.startsWith('DIFFERS'));
    assert.ok(report);
    assert.match(report, /cell 1 \(In \[1\]\), output 1 \(stream stdout\):\n {4}- test rmse 0\.7000\n {4}\+ test rmse 0\.6812/);
  });
});
