/**
 * Saved outputs are trustworthy: every notebook in notebooks/ that carries a saved run must be
 * complete, from a passing run, and its check records must satisfy their thresholds when evaluated
 * again (the stored `passed` flag is not trusted). Notebooks without saved outputs are skipped, by
 * name. The verifier itself is tested on hand-made broken fixtures and on the quick-profile executed
 * notebooks in build/executed/quick/ (when a quick run has produced them).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CHECK_MIME } from '../../src/notebook/check';
import { parseNotebook } from '../../src/runner/nbformat';
import type { Notebook } from '../../src/runner/nbformat';
import { verifySavedOutputs } from '../../src/publish/saved-outputs';
import type { ResultsFile } from '../../src/runner/summary';
import { fixture, ROOT } from './helpers';

const NOTEBOOKS = path.join(ROOT, 'notebooks');
const QUICK = path.join(ROOT, 'build', 'executed', 'quick');

function read(file: string): Notebook {
  return parseNotebook(readFileSync(file, 'utf8'), file);
}

/** What the committed results file says about a notebook without saved outputs. */
function whyUnpublished(file: string): string {
  const resultsFile = path.join(NOTEBOOKS, 'results', 'full.json');
  const doc = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as ResultsFile) : null;
  const failed = (doc?.checks ?? []).filter((c) => path.basename(c.notebook) === file && !c.passed);
  if (failed.length === 0) return 'publish it with npm run notebooks:publish';
  return `its last full run failed ${failed.map((c) => `${c.metric} = ${c.value} (${c.op} ${JSON.stringify(c.threshold)})`).join(', ')}, and failed runs are not published`;
}

describe('saved outputs in notebooks/', () => {
  const files = readdirSync(NOTEBOOKS)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  for (const f of files) {
    const nb = read(path.join(NOTEBOOKS, f));
    const report = verifySavedOutputs(nb, 'full');
    const skip = report.verdict === 'skipped' ? `SKIPPED: ${f} has no saved outputs (no metadata.genlab.run); ${whyUnpublished(f)}` : false;
    it(`${f}: complete, passed, checks hold under profile full`, { skip }, () => {
      assert.deepEqual(report.problems, [], `${f}:\n  ${report.problems.join('\n  ')}`);
      assert.ok(report.checks.length > 0, `${f}: a published notebook must carry its check records`);
    });
  }
});

describe('verifySavedOutputs on fixtures', () => {
  it('accepts a complete passing notebook and re-evaluates its checks', () => {
    const r = verifySavedOutputs(fixture('saved-ok.ipynb'), 'full');
    assert.equal(r.verdict, 'ok', r.problems.join('\n'));
    assert.deepEqual(
      r.checks.map((c) => c.record.metric),
      ['test_loss', 'coverage'],
    );
  });
  it('skips a notebook without a saved run', () => {
    const r = verifySavedOutputs(fixture('unexecuted.ipynb'), 'full');
    assert.equal(r.verdict, 'skipped');
  });
  it('catches a check whose stored flag says passed but whose value misses the threshold', () => {
    const r = verifySavedOutputs(fixture('false-pass.ipynb'), 'full');
    assert.equal(r.verdict, 'problems');
    assert.match(r.problems.join('\n'), /cell 9: check failed on re-evaluation: ✗ test_loss = 1\.7 <= 1 \(full\).*claims it passed/);
  });
  it('catches an error output', () => {
    const r = verifySavedOutputs(fixture('error-output.ipynb'), 'full');
    assert.match(r.problems.join('\n'), /cell 5 has an error output: Error: boom$/m);
  });
  it('catches a code cell that did not run', () => {
    const r = verifySavedOutputs(fixture('not-run.ipynb'), 'full');
    assert.match(r.problems.join('\n'), /cell 7 has not run/);
  });
  it('catches a failed run status', () => {
    const r = verifySavedOutputs(fixture('failed-status.ipynb'), 'full');
    assert.match(r.problems.join('\n'), /status is "failed"/);
  });
  it('catches a run under another profile than expected', () => {
    const r = verifySavedOutputs(fixture('saved-ok.ipynb'), 'quick');
    assert.match(r.problems.join('\n'), /profile "full", expected "quick"/);
  });
  it('treats a NaN value (saved as null) as failing, and a checks cell without records as incomplete', () => {
    const nb = fixture('saved-ok.ipynb');
    const cell = nb.cells[8];
    assert.ok(cell !== undefined && cell.cell_type === 'code');
    const out = cell.outputs[0];
    assert.ok(out !== undefined && out.output_type === 'display_data');
    (out.data[CHECK_MIME] as Record<string, unknown>).value = null;
    assert.match(verifySavedOutputs(nb).problems.join('\n'), /test_loss = NaN/);
    cell.outputs = [];
    assert.match(verifySavedOutputs(nb).problems.join('\n'), /tagged "checks" but holds no check record/);
  });
});

describe('verifySavedOutputs on quick-profile executed notebooks (build/executed/quick)', () => {
  const files = existsSync(QUICK) ? readdirSync(QUICK).filter((f) => f.endsWith('.ipynb')).sort() : [];
  const skip = files.length === 0 ? 'SKIPPED: no build/executed/quick/*.ipynb (run the notebooks test or genlab-run --profile quick first)' : false;
  it(`accepts all ${files.length} of them, and catches a tampered check value`, { skip }, () => {
    for (const f of files) {
      const nb = read(path.join(QUICK, f));
      const r = verifySavedOutputs(nb, 'quick');
      assert.deepEqual(r.problems, [], `${f}:\n  ${r.problems.join('\n  ')}`);
      assert.ok(r.checks.length > 0, `${f} has no check records`);
      // Tamper: push the first check's value past its threshold, leaving `passed: true` in place.
      const first = r.checks[0];
      assert.ok(first !== undefined);
      const rec = first.record as unknown as Record<string, unknown>;
      const t = rec.threshold as number | [number, number];
      const op = rec.op as string;
      rec.value = Array.isArray(t) ? t[1] + 1 + Math.abs(t[1]) : op.startsWith('<') ? t + 1 + Math.abs(t) : t - 1 - Math.abs(t);
      const again = verifySavedOutputs(nb, 'quick');
      assert.equal(again.verdict, 'problems', `${f}: a tampered ${String(rec.metric)} was not caught`);
    }
  });
});
