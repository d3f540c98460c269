import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { NotebookError, parseNotebook, readNotebook, serializeNotebook, splitLines } from '../../src/runner/nbformat';
import { FIXTURES, fixture } from './helpers';

describe('nbformat', () => {
  it('splits lines like nbformat (keeping newlines, no empty tail)', () => {
    assert.deepEqual(splitLines('a\nb'), ['a\n', 'b']);
    assert.deepEqual(splitLines('a\nb\n'), ['a\n', 'b\n']);
    assert.deepEqual(splitLines(''), []);
  });

  it('writes a notebook byte for byte as Jupyter does (sorted keys, indent 1, line lists)', () => {
    // The fixtures were written with Python's json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False).
    const file = path.join(FIXTURES, 'passing.ipynb');
    const text = readFileSync(file, 'utf8');
    assert.equal(serializeNotebook(parseNotebook(text, file)), text);
  });

  it('keeps JSON MIME data as objects and splits text MIME data', () => {
    const nb = parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }), 'x');
    nb.cells.push({
      cell_type: 'code',
      metadata: {},
      source: 'x',
      execution_count: 1,
      outputs: [{ output_type: 'display_data', metadata: {}, data: { 'text/plain': 'a\nb', 'application/vnd.genlab.check+json': { value: 1 } } }],
    });
    const out = JSON.parse(serializeNotebook(nb));
    assert.deepEqual(out.cells[0].outputs[0].data, { 'application/vnd.genlab.check+json': { value: 1 }, 'text/plain': ['a\n', 'b'] });
  });

  it('reports malformed JSON with the file and the position', async () => {
    await assert.rejects(readNotebook(fixture('malformed.ipynb')), (e: unknown) => {
      assert.ok(e instanceof NotebookError);
      assert.equal(e.code, 'json');
      assert.match(e.message, /malformed\.ipynb is not valid JSON at line 4, column \d+/);
      return true;
    });
  });

  it('refuses nbformat 3 and says how to upgrade', async () => {
    await assert.rejects(readNotebook(fixture('nbformat3.ipynb')), /uses nbformat 3; the runner reads nbformat 4\. Upgrade it with `jupyter nbconvert/);
  });

  it('reports a missing file with its resolved path', async () => {
    await assert.rejects(readNotebook('no/such.ipynb'), (e: unknown) => e instanceof NotebookError && e.code === 'missing' && e.message.includes(path.resolve('no/such.ipynb')));
  });

  it('rejects JSON that is not a notebook and unknown cell types', () => {
    assert.throws(() => parseNotebook('{"a": 1}', 'f.ipynb'), /not a Jupyter notebook/);
    assert.throws(() => parseNotebook('{"nbformat": 4, "cells": [{"cell_type": "heading", "source": ""}]}', 'f.ipynb'), /cell 1 has cell_type "heading"/);
  });
});
