/**
 * The shape check of tslab's internals: it passes on the installed tslab and fails loudly, naming
 * what changed, on a tslab whose internals moved (so the protocol fixes cannot silently stop applying).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { assertTslabShape, loadTslab, TESTED_TSLAB_VERSION, TslabModules, TslabShapeError, tslabShapeProblems } from '../../src/kernel/tslab-internals';
import { tempDir } from '../runner/helpers';

const TSLAB_DIR = path.dirname(require.resolve('tslab/package.json'));

describe('tslab internals', () => {
  const tmp = tempDir({ inProject: true });
  after(tmp.cleanup);

  /**
   * A copy of the installed tslab (package.json and dist/) with `edit` applied to dist/jupyter.js. It
   * lives under the project's build/ folder, so its own dependencies (TypeScript, zeromq) resolve
   * from the project's node_modules as the original's do.
   */
  function alteredTslab(name: string, version: string, edit: (jupyterJs: string) => string): string {
    const dir = path.join(tmp.dir, name, 'tslab');
    mkdirSync(dir, { recursive: true });
    cpSync(path.join(TSLAB_DIR, 'dist'), path.join(dir, 'dist'), { recursive: true });
    const pkg = JSON.parse(readFileSync(path.join(TSLAB_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...pkg, version }));
    const file = path.join(dir, 'dist', 'jupyter.js');
    const before = readFileSync(file, 'utf8');
    const after = edit(before);
    assert.notEqual(after, before, 'the edit must change tslab (else the test would test nothing)');
    writeFileSync(file, after);
    return dir;
  }

  it(`accepts the installed tslab (${TESTED_TSLAB_VERSION})`, () => {
    const t = loadTslab();
    assert.equal(t.version, TESTED_TSLAB_VERSION, 'the tests and the fixes are written for this tslab');
    assert.deepEqual(tslabShapeProblems(t), []);
  });

  it('refuses a tslab whose server no longer dispatches execute_request to handleExecute, naming it', () => {
    const dir = alteredTslab('renamed', '1.1.0', (js) => js.replace('await this.handleExecute(sock, msg);', 'await this.handleExecuteRequest(sock, msg);'));
    assert.throws(
      () => loadTslab(dir),
      (e: unknown) =>
        e instanceof TslabShapeError &&
        e.message.includes('tslab 1.1.0') &&
        e.message.includes(`written for (tslab ${TESTED_TSLAB_VERSION})`) &&
        e.message.includes('expected: ZmqServer.handleShellMessage dispatches execute_request to this.handleExecute(sock, msg)') &&
        !e.message.includes('expected: ZmqServer.prototype.handleExecute is a method'),
    );
  });

  it('lists every missing piece at once: a removed method and a renamed export', () => {
    const dir = alteredTslab('removed', '2.0.0', (js) =>
      js
        .replace('handleCommInfoRequest(sock, msg) {', 'commInfo(sock, msg) {')
        .replace(/exports\.lastWriteDisplayData = null;/, '')
        .replace(/ = exports\.lastWriteDisplayData = void 0;/, ' = void 0;')
        .replace(/exports\.lastWriteDisplayData = writeDisplayData;/, ''),
    );
    assert.throws(
      () => loadTslab(dir),
      (e: unknown) =>
        e instanceof TslabShapeError &&
        e.message.includes('expected: ZmqServer.prototype.handleCommInfoRequest is a method') &&
        e.message.includes('expected: jupyter.lastWriteDisplayData is an export'),
    );
  });

  it('says what is missing when a module cannot be loaded at all', () => {
    const dir = path.join(tmp.dir, 'empty', 'tslab');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'tslab', version: '3.0.0' }));
    assert.throws(() => loadTslab(dir), (e: unknown) => e instanceof TslabShapeError && /cannot load tslab\/dist\/jupyter from .*empty/.test(e.message));
  });

  it('checks structure, not just presence: a createExecutor with another signature is refused', () => {
    const real = loadTslab();
    const fake: TslabModules = { ...real, executor: { ...real.executor, createExecutor: ((a: string) => a) as unknown as typeof real.executor.createExecutor } };
    assert.deepEqual(tslabShapeProblems(fake), ['executor.createExecutor(rootDir, convs, console) takes three arguments']);
    assert.throws(() => assertTslabShape(fake), TslabShapeError);
  });
});
