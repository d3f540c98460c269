/**
 * Issue 26: a student may interrupt any training cell and carry on. tslab binds a cell's declarations
 * only when the cell completes, so a model or trainer declared in the cell that trains would be lost
 * on an interrupt. Every `fit` call therefore sits in a cell that makes nothing and declares
 * nothing: no `new`, no `keep(`, no top-level `const`/`let`/`function`; the model and trainer come from
 * the cell before it, and what later cells need is read from `trainer.history` or computed after it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

interface RawCell {
  cell_type: string;
  source: string | string[];
}

/** Comments and string contents removed, so prose about `new` or `fit(` does not count. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
}

/** Names declared at the top level of a cell (depth 0 of braces, brackets and parentheses). */
function topLevelDeclarations(code: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const line of code.split('\n')) {
    if (depth === 0) {
      const m = /^\s*(?:export\s+)?(?:const|let|var|(?:async\s+)?function\*?|class)\s+([A-Za-z_$][\w$]*|[{[])/.exec(line);
      if (m) names.push(m[1] === '{' || m[1] === '[' ? 'a destructured binding' : m[1]!);
    }
    for (const ch of line) {
      if (ch === '{' || ch === '(' || ch === '[') depth++;
      else if (ch === '}' || ch === ')' || ch === ']') depth = Math.max(0, depth - 1);
    }
  }
  return names;
}

/** Where a cell's `source` breaks the rule: one message per problem, none if it keeps it. */
export function trainingCellProblems(source: string): string[] {
  const code = codeOnly(source);
  // Trainer.fit is async; PCA.fit and StandardScaler.fit are not, and are no training runs.
  if (!/\bawait\s[^;]*?\.fit(Greedy)?\(/.test(code)) return [];
  const problems: string[] = [];
  const made = code.match(/\bnew\s+[A-Za-z_$][\w$.]*/g);
  if (made) problems.push(`it also constructs ${[...new Set(made)].join(', ')}`);
  if (/\bkeep\(/.test(code)) problems.push('it also holds values with keep(...)');
  const declared = topLevelDeclarations(code);
  if (declared.length > 0) problems.push(`it also declares ${declared.join(', ')}, which an interrupt would leave undefined`);
  return problems;
}

describe('notebooks: training cells only train', () => {
  it('the rule itself tells a training cell from one that also makes its model', () => {
    assert.deepEqual(trainingCellProblems('await trainer.fit(data, { epochs: 5 });\nshow(trainingCurves(trainer.history));'), []);
    assert.deepEqual(trainingCellProblems('for (const t of trainers) await t.fit(data, { epochs: 5 });'), []);
    assert.equal(trainingCellProblems("const dbn = keep('dbn', new rbm.DBN({ sizes }));\nawait dbn.fitGreedy(x, {});").length, 3, 'greedy DBN training counts');
    assert.equal(trainingCellProblems("const t = keep('t', new Trainer(m, { rng }));\nawait t.fit(d, { epochs: 1 });").length, 3);
    assert.deepEqual(trainingCellProblems('const history = await t.fit(d, { epochs: 1 });'), ['it also declares history, which an interrupt would leave undefined']);
    assert.deepEqual(trainingCellProblems('for (const t of trainers) {\n  const h = await t.fit(d, { epochs: 1 });\n}'), [], 'declarations inside a block are not the cell\'s');
    assert.deepEqual(trainingCellProblems("// new Trainer(...) was made above\nconsole.log('keep(going)'); await t.fit(d, { epochs: 1 });"), []);
    assert.deepEqual(trainingCellProblems("const m = keep('m', new vae.VAE({}));"), [], 'a cell that does not train may make anything');
    assert.deepEqual(trainingCellProblems("const s = new StandardScaler().fit(x);\nconst p = keep('p', vae.PCA.fit(x, {}));"), [], 'fitting a scaler or PCA is no training run');
  });

  const files = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort();
  for (const file of files) {
    it(`${file}: every fit call is in a cell that makes no model or trainer`, () => {
      const nb = JSON.parse(readFileSync(path.join(NOTEBOOKS, file), 'utf8')) as { cells: RawCell[] };
      const problems: string[] = [];
      nb.cells.forEach((cell, i) => {
        if (cell.cell_type !== 'code') return;
        const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
        for (const p of trainingCellProblems(source)) {
          problems.push(`cell ${i + 1} calls fit and ${p}: ${source.split('\n')[0]}`);
        }
      });
      assert.deepEqual(
        problems,
        [],
        `${file}: an interrupted training cell loses everything it declares. Make the model and trainer in the cell before, ` +
          'and keep only the fit call (and what reads trainer.history) in the training cell.',
      );
    });
  }
});
