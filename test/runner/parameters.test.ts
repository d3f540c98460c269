import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Notebook } from '../../src/runner/nbformat';
import {
  declaredParameters,
  injectParameters,
  INJECTED_TAG,
  literalValue,
  ParameterError,
  parseParamArg,
  parseParamValue,
  planParameters,
  removeInjectedCells,
} from '../../src/runner/parameters';

const PARAMS = `const profile: string = 'full';
const epochs = 50;
let lr: number = 0.001;
var name = "wine"; // a comment
const verbose = false;
const hidden: number[] = [64, 64];
const act: (x: number) => number = (x) => x;
  const nested = 1;
/*
const commented = 2;
*/
export const exported = 3;`;

function notebook(profiles?: unknown): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: profiles === undefined ? {} : ({ genlab: { profiles } } as Notebook['metadata']),
    cells: [
      { cell_type: 'markdown', metadata: {}, source: '# t', id: 'a' },
      { cell_type: 'code', metadata: { tags: ['parameters'] }, source: PARAMS, outputs: [], execution_count: null, id: 'b' },
      { cell_type: 'code', metadata: {}, source: 'console.log(epochs)', outputs: [], execution_count: null, id: 'c' },
    ],
  };
}

describe('parameters', () => {
  it('finds top-level declarations with their types and literal kinds', () => {
    const d = declaredParameters(PARAMS);
    assert.deepEqual(
      d.map((p) => p.name),
      ['profile', 'epochs', 'lr', 'name', 'verbose', 'hidden', 'act', 'exported'],
    );
    const by = new Map(d.map((p) => [p.name, p]));
    assert.equal(by.get('profile')?.type, 'string');
    assert.equal(by.get('profile')?.literalType, 'string');
    assert.equal(by.get('epochs')?.literalType, 'number');
    assert.equal(by.get('name')?.literalType, 'string');
    assert.equal(by.get('verbose')?.literalType, 'boolean');
    assert.equal(by.get('hidden')?.type, 'number[]');
    assert.equal(by.get('hidden')?.literalType, undefined);
    assert.equal(by.get('act')?.type, '(x: number) => number');
  });

  it('evaluates literal defaults and nothing else', () => {
    const value = (init: string): unknown => literalValue({ name: 'x', initializer: init, line: 1 });
    assert.equal(value("'full';"), 'full');
    assert.equal(value('"a_b"; // a comment'), 'a_b');
    assert.equal(value("'it\\'s'"), "it's");
    assert.equal(value('1_000;'), 1000);
    assert.equal(value('5e-3;   // peak learning rate'), 0.005);
    assert.deepEqual(value('[2, 8, 16];'), [2, 8, 16]);
    assert.equal(value('false'), false);
    assert.equal(value("'http://example.org'; // a URL, not a comment"), 'http://example.org');
    assert.equal(value('`multi`'), 'multi');
    assert.equal(value('Math.PI;'), undefined);
    assert.equal(value('[HIDDEN, HIDDEN];'), undefined);
  });

  it('reads --param values as JSON, else as strings', () => {
    assert.equal(parseParamValue('3'), 3);
    assert.equal(parseParamValue('true'), true);
    assert.equal(parseParamValue('null'), null);
    assert.deepEqual(parseParamValue('[1, 2]'), [1, 2]);
    assert.equal(parseParamValue('"x"'), 'x');
    assert.equal(parseParamValue('wasm'), 'wasm');
    assert.deepEqual(parseParamArg('epochs=3'), { name: 'epochs', raw: '3' });
    assert.deepEqual(parseParamArg('eq=a=b'), { name: 'eq', raw: 'a=b' });
    assert.throws(() => parseParamArg('epochs'), /expected NAME=VALUE/);
    assert.throws(() => parseParamArg('1x=2'), ParameterError);
  });

  it('injects the profile, its values and --param (which wins), typed like the defaults', () => {
    const nb = notebook({ quick: { epochs: 2, hidden: [8], cell_timeout: 60 }, full: {} });
    const plan = planParameters(nb, 'n.ipynb', { profile: 'quick', params: { epochs: '3', name: '123', lr: '0.1' } });
    assert.deepEqual(plan.values, { profile: 'quick', epochs: 3, hidden: [8], name: '123', lr: 0.1 });
    assert.deepEqual(plan.settings, { cellTimeout: 60 });
    assert.equal(
      plan.source,
      [
        '// Parameters injected by genlab-run (profile "quick").',
        'const profile: string = "quick";',
        'const epochs: number = 3;',
        'const hidden: number[] = [8];',
        'const name: string = "123";',
        'const lr: number = 0.1;',
      ].join('\n'),
    );
    const at = injectParameters(nb, plan);
    assert.equal(at, 2);
    assert.deepEqual(nb.cells[2]?.metadata.tags, [INJECTED_TAG]);
    assert.equal(nb.cells[2]?.source, plan.source);
    assert.ok(typeof nb.cells[2]?.id === 'string');
  });

  it('replaces an injected cell left by an earlier run', () => {
    const nb = notebook({ quick: { epochs: 2 } });
    injectParameters(nb, planParameters(nb, 'n.ipynb', { profile: 'quick' }));
    removeInjectedCells(nb);
    injectParameters(nb, planParameters(nb, 'n.ipynb', { params: { epochs: '7' } }));
    const injected = nb.cells.filter((c) => c.metadata.tags?.includes(INJECTED_TAG));
    assert.equal(injected.length, 1);
    assert.match(String(injected[0]?.source), /const epochs: number = 7;/);
  });

  it('rejects a --param name the parameters cell does not declare, listing what it does declare', () => {
    assert.throws(
      () => planParameters(notebook(), 'n.ipynb', { params: { epoch: '3' } }),
      (e: unknown) =>
        e instanceof ParameterError &&
        e.origin === 'usage' &&
        /--param epoch sets epoch, which the parameters cell \(cell 2\) of n\.ipynb does not declare \(it declares: profile, epochs,/.test(e.message),
    );
  });

  it('rejects a value of the wrong type', () => {
    assert.throws(() => planParameters(notebook(), 'n.ipynb', { params: { epochs: 'many' } }), /epochs expects a number like its default \(50\), got "many"/);
    assert.throws(() => planParameters(notebook(), 'n.ipynb', { params: { verbose: '1' } }), /verbose expects a boolean/);
    assert.throws(() => planParameters(notebook({ quick: { epochs: 'two' } }), 'n.ipynb', { profile: 'quick' }), (e: unknown) => e instanceof ParameterError && e.origin === 'notebook');
  });

  it('rejects an unknown profile, and a profile setting an undeclared name', () => {
    assert.throws(() => planParameters(notebook({ quick: {} }), 'n.ipynb', { profile: 'fast' }), /has no profile "fast" \(it has: quick, full\)/);
    assert.throws(
      () => planParameters(notebook({ quick: { batch: 8 } }), 'n.ipynb', { profile: 'quick' }),
      (e: unknown) => e instanceof ParameterError && e.origin === 'notebook' && /profile "quick" .* sets batch/.test(e.message),
    );
  });

  it('treats full as the defaults even when not listed, and refuses --param profile', () => {
    const plan = planParameters(notebook({ quick: { epochs: 2 } }), 'n.ipynb', { profile: 'full' });
    assert.deepEqual(plan.values, { profile: 'full' });
    assert.throws(() => planParameters(notebook(), 'n.ipynb', { params: { profile: 'quick' } }), /choose the profile with --profile/);
  });

  it('validates profile settings and metadata shape', () => {
    assert.throws(() => planParameters(notebook({ quick: { cell_timeout: -1 } }), 'n.ipynb', { profile: 'quick' }), /cell_timeout must be a positive number of seconds/);
    assert.throws(() => planParameters(notebook([1]), 'n.ipynb', {}), /metadata\.genlab\.profiles must be an object/);
  });

  it('needs a parameters cell for overrides but not for a profile that sets nothing', () => {
    const nb = notebook({ quick: {} });
    nb.cells[1]!.metadata = {};
    assert.equal(planParameters(nb, 'n.ipynb', { profile: 'quick' }).source, null);
    assert.throws(() => planParameters(nb, 'n.ipynb', { params: { epochs: '1' } }), /has no cell tagged "parameters"/);
  });
});
