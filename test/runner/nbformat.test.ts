import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readdirSync } from 'node:fs';
import { NotebookError, parseNotebook, readNotebook, serializeNotebook, splitLines } from '../../src/runner/nbformat';
import { NEWEST_MINOR, schemaProblems } from '../../src/runner/nbformat-schema';
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

/** A valid nbformat 4.5 notebook with one code cell holding `outputs`, for breaking one field at a time. */
function notebook(outputs: unknown[], minor = 5): Record<string, unknown> {
  const cells: Record<string, unknown>[] = [
    { cell_type: 'markdown', metadata: {}, source: '# t' },
    { cell_type: 'code', metadata: { tags: ['checks'] }, source: ['x\n', 'y'], outputs, execution_count: 3 },
  ];
  if (minor >= 5) cells.forEach((c, i) => (c.id = `c${i}`));
  return { nbformat: 4, nbformat_minor: minor, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript' } }, cells };
}

describe('nbformat schema', () => {
  const stream = { output_type: 'stream', name: 'stdout', text: 'hi\n' };
  const display = { output_type: 'display_data', metadata: {}, data: { 'text/plain': 'a', 'application/json': { a: 1 } } };

  it('accepts valid notebooks, and every notebook and fixture of the project', () => {
    assert.deepEqual(schemaProblems(notebook([stream, display])), []);
    assert.deepEqual(schemaProblems(notebook([stream], 4)), []);
    const dirs = ['notebooks', FIXTURES, path.join('test', 'publish', 'fixtures')];
    for (const dir of dirs) {
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.ipynb') && x !== 'malformed.ipynb' && !x.startsWith('nbformat3'))) {
        const text = readFileSync(path.join(dir, f), 'utf8');
        assert.doesNotThrow(() => parseNotebook(text, path.join(dir, f)), path.join(dir, f));
      }
    }
  });

  it("names the cell, the output and the field, with the schema's reason", () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [notebook([{ ...stream, text: 5 }]), ['cell 2, output 1: "text" must be string or array']],
      [notebook([{ output_type: 'stream', text: 'x' }]), ['cell 2, output 1 has no "name" (required)']],
      [notebook([{ ...display, data: { 'text/plain': 3 } }]), ['cell 2, output 1: "data"."text/plain" must be string or array']],
      [notebook([{ output_type: 'display', data: {} }]), ['cell 2, output 1: "output_type" must be one of "execute_result", "display_data", "stream", "error"']],
      [notebook([{ ...display, execution_count: 1 }]), ['cell 2, output 1 has "execution_count", which the schema does not allow here']],
    ];
    for (const [nb, messages] of cases) assert.deepEqual(schemaProblems(nb).map((p) => p.message), messages);
    const badTags = notebook([]);
    (badTags.cells as Record<string, unknown>[])[1]!.metadata = { tags: ['ok', 7] };
    assert.deepEqual(schemaProblems(badTags), [{ pointer: '/cells/1/metadata/tags/1', message: 'cell 2: "metadata"."tags"."1" must be string' }]);
    const noKernelName = { ...notebook([]), metadata: { kernelspec: { display_name: 'x' } } };
    assert.deepEqual(schemaProblems(noKernelName).map((p) => p.message), ['"metadata"."kernelspec" has no "name" (required)']);
  });

  it("checks a notebook against its own minor version's schema", () => {
    // Cell ids came with nbformat 4.5: required there, not allowed before.
    const withIds = notebook([stream], 5);
    assert.deepEqual(schemaProblems(withIds), []);
    assert.deepEqual(
      schemaProblems({ ...withIds, nbformat_minor: 4 }).map((p) => p.message),
      ['cell 1 has "id", which the schema does not allow here', 'cell 2 has "id", which the schema does not allow here'],
    );
    assert.deepEqual(schemaProblems({ ...notebook([stream], 4), nbformat_minor: 5 }).map((p) => p.message), ['cell 1 has no "id" (required)', 'cell 2 has no "id" (required)']);
    assert.ok(NEWEST_MINOR >= 5);
  });

  it('runs on every notebook read: a malformed one fails with the schema messages, the file and the pointer', () => {
    const nb = notebook([{ ...stream, text: 5 }, { output_type: 'error', ename: 'E' }]);
    assert.throws(
      () => parseNotebook(JSON.stringify(nb), 'bad.ipynb'),
      (e: unknown) => {
        assert.ok(e instanceof NotebookError);
        assert.equal(e.code, 'format');
        assert.equal(
          e.message.split('\n').slice(0, 4).join('\n'),
          [
            'bad.ipynb does not follow the nbformat 4.5 schema:',
            '  - cell 2, output 1: "text" must be string or array (at /cells/1/outputs/0/text)',
            '  - cell 2, output 2 has no "evalue" (required) (at /cells/1/outputs/1)',
            '  - cell 2, output 2 has no "traceback" (required) (at /cells/1/outputs/1)',
          ].join('\n'),
        );
        return true;
      },
    );
    // Ids in a notebook older than 4.5: the message says how to upgrade it.
    assert.throws(() => parseNotebook(JSON.stringify({ ...notebook([stream], 5), nbformat_minor: 4 }), 'old.ipynb'), /cell 1 has "id"[\s\S]*Cell ids came with nbformat 4\.5: set "nbformat_minor": 5 and give every cell an "id"/);
    // Missing ids in a 4.5 notebook are filled in (as nbformat's reader does), not refused.
    const noIds = notebook([stream], 4);
    const read = parseNotebook(JSON.stringify({ ...noIds, nbformat_minor: 5 }), 'x.ipynb');
    assert.ok(read.cells.every((c) => typeof c.id === 'string' && c.id.length > 0));
  });
});

