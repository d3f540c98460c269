import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { expandInput, parseArgs } from '../../src/runner/args';
import { UsageError } from '../../src/runner/options';
import { outputPaths, runNotebooks } from '../../src/runner/run-notebooks';
import { fixture, FIXTURES } from './helpers';

describe('command line', () => {
  it('parses the options of the issue example', () => {
    const p = parseArgs([fixture('passing.ipynb'), '--profile', 'quick', '--param', 'epochs=3', '--param=name=toy', '--out', 'build/x', '--timeout', '3600', '--cell-timeout', '900', '--jobs', '2', '--results', 'r.json']);
    assert.ok(!p.help);
    if (p.help) return;
    assert.deepEqual(p.files, [fixture('passing.ipynb')]);
    assert.deepEqual(p.options, {
      profile: 'quick',
      params: { epochs: '3', name: 'toy' },
      outDir: 'build/x',
      timeout: 3600,
      cellTimeout: 900,
      jobs: 2,
      results: 'r.json',
    });
  });

  it('expands folders and * patterns to sorted notebooks', () => {
    const all = expandInput(path.relative(process.cwd(), FIXTURES));
    assert.ok(all.length > 5 && all.every((f) => f.endsWith('.ipynb')));
    assert.deepEqual(all, [...all].sort());
    assert.deepEqual(expandInput(path.join(path.relative(process.cwd(), FIXTURES), 'kernel-*.ipynb')).map((f) => path.basename(f)), ['kernel-crash.ipynb', 'kernel-exit.ipynb']);
  });

  it('reports bad usage as UsageError with a fix', () => {
    const bad: [string[], RegExp][] = [
      [[], /no notebooks given/],
      [['missing.ipynb'], /notebook not found: missing\.ipynb/],
      [[fixture('passing.ipynb'), '--jobs', '0'], /--jobs needs a positive integer/],
      [[fixture('passing.ipynb'), '--cell-timeout', 'soon'], /--cell-timeout needs a positive number/],
      [[fixture('passing.ipynb'), '--param', 'epochs'], /expected NAME=VALUE/],
      [[fixture('passing.ipynb'), '--profile'], /--profile needs a value/],
      [[fixture('passing.ipynb'), '--frobnicate'], /unknown option --frobnicate/],
      [[fixture('passing.ipynb'), fixture('params.ipynb'), '--out', 'x.ipynb'], /names one file, but 2 notebooks/],
      [[fixture('passing.ipynb'), '--out', 'x', '--in-place'], /either --out or --in-place/],
    ];
    for (const [argv, re] of bad) assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
    assert.deepEqual(parseArgs(['--help']), { help: true });
  });

  it('keeps paths relative to the common folder so equal names do not collide', () => {
    assert.deepEqual(outputPaths(['a/x.ipynb', 'b/x.ipynb'], { outDir: 'out' }), ['out/a/x.ipynb', 'out/b/x.ipynb']);
    assert.deepEqual(outputPaths(['n/x.ipynb'], {}), ['build/executed/x.ipynb']);
    assert.deepEqual(outputPaths(['n/x.ipynb'], { inPlace: true }), ['n/x.ipynb']);
  });

  it('refuses one reference notebook for several notebooks, and an output over its source', async () => {
    await assert.rejects(runNotebooks([fixture('passing.ipynb'), fixture('params.ipynb')], { compare: fixture('passing.ipynb') }), (e: unknown) => e instanceof UsageError && /pass a folder of reference notebooks/.test(e.message));
    await assert.rejects(runNotebooks([fixture('passing.ipynb')], { outDir: path.relative(process.cwd(), FIXTURES) }), /would overwrite it/);
  });
});
