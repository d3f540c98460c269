/**
 * Cross-check with real Jupyter: Debian's `jupyter nbconvert --to notebook --execute` runs a fixture
 * with the same tslab kernel (registered by our kernel:install code into a private JUPYTER_PATH), and
 * its outputs must have the same structure and text as the runner's.
 *
 * Execution counts agree too: nbclient takes them from `execute_input` messages, which plain tslab
 * never sends (nbconvert then left them null) and the kit's kernel (src/kernel) does; the runner,
 * like JupyterLab, takes them from `execute_reply`.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sanitize } from '../../src/runner/compare';
import { installKernelSpecs } from '../../src/runner/kernelspec';
import type { CodeCell, Notebook, NotebookOutput } from '../../src/runner/nbformat';
import { joinText } from '../../src/runner/nbformat';
import { runNotebook } from '../../src/runner/run-notebook';
import { ensureBuilt, FIXTURES, fixture, readJson, tempDir } from './helpers';

/**
 * Which `jupyter` to run: GENLAB_JUPYTER (as for the e2e test, e.g. /opt/genlab-venv/bin/jupyter), else
 * the one on PATH. Without one the cross-check is skipped, and says so; with
 * GENLAB_NBCONVERT_REQUIRED=1 a missing jupyter is a failure instead (for machines meant to run it).
 */
const JUPYTER = process.env.GENLAB_JUPYTER ?? 'jupyter';
const REQUIRED = process.env.GENLAB_NBCONVERT_REQUIRED === '1';
const hasJupyter = spawnSync(JUPYTER, ['nbconvert', '--version'], { encoding: 'utf8' }).status === 0;
const MISSING =
  `${JUPYTER} nbconvert is not available: install jupyter-nbconvert (Debian) or point GENLAB_JUPYTER at a jupyter that has it ` +
  '(e.g. GENLAB_JUPYTER=/opt/genlab-venv/bin/jupyter)';
const SKIP = hasJupyter || REQUIRED ? false : `${MISSING}; set GENLAB_NBCONVERT_REQUIRED=1 to make this a failure`;

/** What must agree: per code cell, each output's type, stream name or MIME keys, and sanitised text. */
function structure(nb: Notebook): string[][] {
  return nb.cells
    .filter((c): c is CodeCell => c.cell_type === 'code')
    .map((c) =>
      c.outputs.map((o: NotebookOutput) => {
        if (o.output_type === 'stream') return `stream ${o.name}: ${sanitize(joinText(o.text))}`;
        if (o.output_type === 'error') return `error ${o.ename}`;
        return `${o.output_type} [${Object.keys(o.data).sort().join(', ')}]: ${sanitize(joinText(o.data['text/plain'] as string[] | undefined))}`;
      }),
    );
}

describe('cross-check with jupyter nbconvert --execute', { skip: SKIP }, () => {
  if (!hasJupyter) {
    // Only reached with GENLAB_NBCONVERT_REQUIRED=1.
    it('needs jupyter nbconvert (GENLAB_NBCONVERT_REQUIRED=1)', () => assert.fail(`${MISSING}. GENLAB_NBCONVERT_REQUIRED=1 asks for this cross-check, so a missing jupyter fails it.`));
    return;
  }
  const tmp = tempDir();
  after(tmp.cleanup);
  let ours: Notebook;
  let theirs: Notebook;

  before(async () => {
    ensureBuilt();
    await installKernelSpecs({ prefix: tmp.dir });
    const env = { ...process.env, JUPYTER_PATH: path.join(tmp.dir, 'share', 'jupyter') };
    const [r] = await Promise.all([
      runNotebook(fixture('passing.ipynb'), { outDir: path.join(tmp.dir, 'runner') }),
      new Promise<void>((resolve, reject) => {
        execFile(
          JUPYTER,
          ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=300', '--output-dir', path.join(tmp.dir, 'nbconvert'), path.join(FIXTURES, 'passing.ipynb')],
          { env, timeout: 300_000 },
          (error, _stdout, stderr) => (error ? reject(new Error(`nbconvert failed: ${stderr}`)) : resolve()),
        );
      }),
    ]);
    assert.equal(r.status, 'passed', JSON.stringify(r.failure ?? r.error));
    ours = readJson<Notebook>(path.join(tmp.dir, 'runner', 'passing.ipynb'));
    theirs = readJson<Notebook>(path.join(tmp.dir, 'nbconvert', 'passing.ipynb'));
  });

  it('produces the same outputs, cell by cell', () => {
    const a = structure(ours);
    const b = structure(theirs);
    assert.ok(a.flat().length >= 4, 'the fixture has outputs to compare');
    assert.deepEqual(a, b);
  });

  it('records the same execution counts (the kit\'s kernel publishes execute_input)', () => {
    const counts = (nb: Notebook) => nb.cells.filter((c): c is CodeCell => c.cell_type === 'code').map((c) => c.execution_count);
    assert.ok(counts(theirs).some((n) => n !== null), 'nbconvert recorded counts');
    assert.deepEqual(counts(theirs), counts(ours));
  });

  it('keeps the same cells, sources and tags', () => {
    assert.deepEqual(
      ours.cells.map((c) => [c.cell_type, joinText(c.source), c.metadata.tags ?? []]),
      theirs.cells.map((c) => [c.cell_type, joinText(c.source), c.metadata.tags ?? []]),
    );
  });
});

if (SKIP !== false) {
  // Say so where a reader of the test log looks (stderr, as the e2e test does), not only as a skipped test.
  process.stderr.write(`nbconvert cross-check SKIPPED: ${SKIP}\n`);
}
