import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorOutputFor, formatFailure, parseCellError, sourceLineOf } from '../../src/runner/failure';
import { mapCompiledLine } from '../../src/runner/source-line';

// stderr texts as tslab 1.0.22 on Node 20 prints them (captured from real kernels).
const TSLAB = `    at sigintHandlersWrap (node:vm:280:12)
    at Script.runInThisContext (node:vm:135:14)
    at Object.runInThisContext (node:vm:317:38)
    at Object.execute (/p/node_modules/tslab/dist/executor.js:160:38)
    at JupyterHandlerImpl.handleExecuteImpl (/p/node_modules/tslab/dist/jupyter.js:250:38)`;

describe('failure reports', () => {
  it('reads TypeScript diagnostics as a CompileError on the cell line', () => {
    const source = "// a cell with a type error on line 3\nconst n: number = 1;\nconst s: string = n;";
    const p = parseCellError("3:7 - Type 'number' is not assignable to type 'string'.\n", source);
    assert.equal(p.ename, 'CompileError');
    assert.equal(p.evalue, "Type 'number' is not assignable to type 'string'.");
    assert.equal(p.line, 3);
    assert.deepEqual(sourceLineOf(source, p.line), { line: 3, text: 'const s: string = n;' });
  });

  it('counts further diagnostics', () => {
    const p = parseCellError("1:1 - Cannot find name 'a'.\n2:1 - Cannot find name 'b'.\n", 'a;\nb;');
    assert.equal(p.evalue, "Cannot find name 'a'. (and 1 more)");
  });

  it('reads a runtime error with Node\'s arrow block and maps the frame to the source line', () => {
    const source = 'const q = 1;\n\n\nconst w = q + 1;\nif (w > 0) {\n  // explain\n  throw new RangeError("w");\n}';
    const stderr = `evalmachine.<anonymous>:9\n    throw new RangeError("w");\n    ^\n\nRangeError: w\n    at evalmachine.<anonymous>:9:11\n    at evalmachine.<anonymous>:12:3\n${TSLAB}\n`;
    const p = parseCellError(stderr, source);
    assert.equal(p.ename, 'RangeError');
    assert.equal(p.evalue, 'w');
    assert.equal(p.line, 7);
    assert.equal(p.traceback[0], 'evalmachine.<anonymous>:9');
    assert.ok(!p.traceback.some((l) => l.includes('tslab/dist')), 'tslab frames are dropped from the report');
  });

  it('picks the error, not console.error output printed before it', () => {
    const stderr = `Warning: low memory\nsomething else\nTypeError: x is not a function\n    at evalmachine.<anonymous>:3:1\n${TSLAB}\n`;
    const p = parseCellError(stderr, 'let x: any = 1;\n\nx();');
    assert.equal(p.ename, 'TypeError');
    assert.equal(p.evalue, 'x is not a function');
  });

  it('keeps multi-line messages (AssertionError) and strips the code suffix from the name', () => {
    const stderr = `AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n1 !== 2\n\n    at evalmachine.<anonymous>:5:8\n${TSLAB} {\n  generatedMessage: true,\n  code: 'ERR_ASSERTION'\n}\n`;
    const p = parseCellError(stderr, 'x');
    assert.equal(p.ename, 'AssertionError');
    assert.match(p.evalue, /^Expected values to be strictly equal:\n\n1 !== 2$/);
  });

  it('maps frames of asynchronous cells (top-level await)', () => {
    const source = 'const arr = [1,2,3];\nfor (const a of arr) {\n  console.log(a);\n}\nawait new Promise(r => setTimeout(r, 10));\n\n(null as any).foo;';
    const compiled = Array.from({ length: 12 }, (_, i) => i + 1).find((l) => mapCompiledLine(source, l) === 7);
    assert.ok(compiled !== undefined, 'line 7 has a compiled line');
    const p = parseCellError(`TypeError: Cannot read properties of null (reading 'foo')\n    at evalmachine.<anonymous>:${compiled}:15\n    at async Object.execute (/p/node_modules/tslab/dist/executor.js:173:17)\n`, source);
    assert.equal(p.line, 7);
  });

  it('maps through import helpers that shift compiled lines by dozens', () => {
    // Real kernel: the throw on line 8 was reported at evalmachine line 31, the call on line 10 at 34.
    const source = 'import * as fs from "fs";\n\n// comment\ninterface X { a: number }\nconst y: X = { a: 2 };\n\nfunction f() {\n  throw new Error("boom");\n}\nf();';
    assert.equal(mapCompiledLine(source, 31), 8);
    assert.equal(mapCompiledLine(source, 34), 10);
    assert.equal(mapCompiledLine(source, 36), undefined, "tslab's wrapper line maps nowhere");
  });

  it('falls back sensibly for thrown non-errors and empty stderr', () => {
    assert.deepEqual(parseCellError("{ reason: 'x' }\n", 'throw {reason: "x"}'), { ename: 'Error', evalue: "{ reason: 'x' }", traceback: ["{ reason: 'x' }"] });
    assert.equal(parseCellError('', 'x').ename, 'KernelError');
  });

  it('formats a report naming notebook, cell, line, error and traceback, and an error output', () => {
    const f = {
      notebook: 'notebooks/a.ipynb',
      kind: 'error' as const,
      cell: 7,
      executionCount: 5,
      ename: 'CheckFailedError',
      evalue: 'check failed: rmse = 0.9',
      traceback: ['CheckFailedError: check failed: rmse = 0.9', '    at check (dist/notebook/check.js:1:1)'],
      sourceLine: { line: 2, text: 'check({ metric: "rmse" })' },
    };
    assert.equal(
      formatFailure(f),
      [
        'FAILED notebooks/a.ipynb, cell 7 (In [5]): CheckFailedError: check failed: rmse = 0.9',
        '  at line 2: check({ metric: "rmse" })',
        '  traceback:',
        '    CheckFailedError: check failed: rmse = 0.9',
        '        at check (dist/notebook/check.js:1:1)',
      ].join('\n'),
    );
    assert.deepEqual(errorOutputFor(f), {
      output_type: 'error',
      ename: 'CheckFailedError',
      evalue: 'check failed: rmse = 0.9',
      traceback: ['CheckFailedError: check failed: rmse = 0.9', '  at cell line 2: check({ metric: "rmse" })'],
    });
  });
});
