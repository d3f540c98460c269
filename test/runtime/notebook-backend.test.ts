import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { notebookBackendPreference } from '../../src/runtime/notebook-backend';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-nb-backend-'));
function notebook(name: string, genlab: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ cells: [], metadata: genlab === undefined ? {} : { genlab }, nbformat: 4, nbformat_minor: 5 }));
  return file;
}

test('the preference is read from metadata.genlab.backend of the notebook JPY_SESSION_NAME names', () => {
  const file = notebook('flows.ipynb', { backend: { prefer: 'wasm', why: 'RealNVP 0.7x' } });
  assert.deepEqual(notebookBackendPreference({ JPY_SESSION_NAME: file }), { prefer: 'wasm', why: 'RealNVP 0.7x', notebook: file });
  // Relative paths resolve against the kernel's folder, as Jupyter Server's are.
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    assert.equal(notebookBackendPreference({ JPY_SESSION_NAME: 'flows.ipynb' })?.prefer, 'wasm');
  } finally {
    process.chdir(cwd);
  }
});

test('no notebook, no preference, or an unreadable file: no preference', () => {
  assert.equal(notebookBackendPreference({}), null);
  assert.equal(notebookBackendPreference({ JPY_SESSION_NAME: path.join(dir, 'missing.ipynb') }), null);
  assert.equal(notebookBackendPreference({ JPY_SESSION_NAME: notebook('plain.ipynb', undefined) }), null);
  assert.equal(notebookBackendPreference({ JPY_SESSION_NAME: notebook('profiles.ipynb', { profiles: {} }) }), null);
  assert.equal(notebookBackendPreference({ JPY_SESSION_NAME: 'console-1' }), null, 'a console session is not a notebook');
});

test('a malformed preference is an error naming the notebook and the expected form', () => {
  for (const bad of [{ prefer: 'gpu', why: 'x' }, { prefer: 'wasm' }, 'wasm', null]) {
    const file = notebook('bad.ipynb', { backend: bad });
    assert.throws(
      () => notebookBackendPreference({ JPY_SESSION_NAME: file }),
      (e: unknown) => e instanceof Error && e.message.includes(file) && /must look like \{"prefer": "wasm", "why": "the measurement"\}/.test(e.message),
    );
  }
});

test('the notebooks whose main workload measured slower on native declare wasm', () => {
  const root = path.resolve(__dirname, '../..');
  for (const nb of ['flows.ipynb', 'bayesian_neural_networks_wine.ipynb', 'convolutional_networks.ipynb']) {
    const pref = notebookBackendPreference({}, path.join(root, 'notebooks', nb));
    assert.equal(pref?.prefer, 'wasm', nb);
    assert.match(pref!.why, /native\/wasm 0\.\d+x/, `${nb}: the why quotes the measured ratio`);
  }
});

test('gan opts in to CPU native in its metadata (without it the automatic choice would be wasm)', () => {
  const root = path.resolve(__dirname, '../..');
  const pref = notebookBackendPreference({}, path.join(root, 'notebooks', 'gan.ipynb'));
  assert.equal(pref?.prefer, 'tensorflow');
  assert.match(pref!.why, /1\.\d+x of wasm/, 'the why quotes the measured ratio');
});
