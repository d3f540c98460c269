/**
 * The kit's kernel under Python's Jupyter tools, from `npm test`:
 * 1. Jupyter's kernel conformance suite (jupyter_kernel_test), test_kernel_conformance.py;
 * 2. `pytest --nbval-lax` on a fixture notebook and on a lecture notebook's quick profile
 *    (notebooks/flows.ipynb with its quick parameters injected by ./prepare.ts);
 * 3. `pytest --nbmake` on the fixture, where nbmake is installed.
 *
 * Python is optional, like the browser test: without a Python that has pytest, jupyter_kernel_test and
 * nbval, this prints `conformance: SKIPPED: <reason>` and skips; GENLAB_CONFORMANCE_REQUIRED=1 makes
 * that a failure. The Python is $GENLAB_PYTHON, else the one beside $GENLAB_JUPYTER (the e2e test's
 * variable), else the project's .venv, else python3 on PATH. The kernel is registered with the kit's
 * own installer into a temporary prefix (JUPYTER_PATH), so the user's Jupyter set-up is not touched.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installKernelSpecs } from '../../src/runner/kernelspec';
import { ensureBuilt, ROOT, tempDir } from '../runner/helpers';
import { prepareNotebook } from './prepare';

const REQUIRED = process.env.GENLAB_CONFORMANCE_REQUIRED === '1';
const HERE = path.join(ROOT, 'test', 'conformance');
const FIXTURE = path.join(HERE, 'fixtures', 'nbval-fixture.ipynb');
const LECTURE = path.join(ROOT, 'notebooks', 'flows.ipynb');

/** The Python to use, and why that one. */
function findPython(): { python: string; from: string } {
  if (process.env.GENLAB_PYTHON) return { python: process.env.GENLAB_PYTHON, from: '$GENLAB_PYTHON' };
  const jupyter = process.env.GENLAB_JUPYTER;
  if (jupyter && existsSync(path.join(path.dirname(jupyter), 'python'))) return { python: path.join(path.dirname(jupyter), 'python'), from: '$GENLAB_JUPYTER' };
  const venv = path.join(ROOT, '.venv', process.platform === 'win32' ? 'Scripts' : 'bin', 'python');
  if (existsSync(venv)) return { python: venv, from: '.venv' };
  return { python: process.platform === 'win32' ? 'python' : 'python3', from: 'PATH' };
}

/** Which of the modules `python` cannot import (all of them when it does not run). */
function missingModules(python: string, modules: readonly string[]): string[] {
  const probe = `import importlib.util, sys\nprint(",".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))`;
  const r = spawnSync(python, ['-c', probe, ...modules], { encoding: 'utf8' });
  if (r.status !== 0) return [...modules];
  return r.stdout.trim() === '' ? [] : r.stdout.trim().split(',');
}

const { python, from } = findPython();
const needed = ['pytest', 'jupyter_client', 'jupyter_kernel_test', 'nbval'];
const missing = missingModules(python, needed);
const hasNbmake = missing.length === 0 && missingModules(python, ['nbmake']).length === 0;
const REASON =
  missing.length === 0
    ? null
    : `${python} (from ${from}) lacks ${missing.join(', ')}; install them (e.g. python3 -m venv .venv && .venv/bin/pip install pytest jupyter_kernel_test nbval nbmake) or point GENLAB_PYTHON at a Python that has them`;
if (REASON !== null) process.stdout.write(`# conformance: SKIPPED: ${REASON}${REQUIRED ? ' (GENLAB_CONFORMANCE_REQUIRED=1: failing)' : ''}\n`);

/** Run pytest with `args` from the project root; resolves with its exit code and output. */
function pytest(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-rs', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';

describe('Python notebook tools against the kit\'s kernel', { skip: REASON !== null && !REQUIRED ? REASON : false }, () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  let env: NodeJS.ProcessEnv;

  before(async () => {
    if (REASON !== null) throw new Error(`conformance: required (GENLAB_CONFORMANCE_REQUIRED=1) but ${REASON}`);
    ensureBuilt();
    await installKernelSpecs({ prefix: tmp.dir });
    const data = path.join(tmp.dir, 'share', 'jupyter');
    // No __pycache__ or .pytest_cache left in the project (-p no:cacheprovider below).
    env = { ...process.env, JUPYTER_PATH: [data, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter), GENLAB_CONFORMANCE_REQUIRED: '1', PYTHONDONTWRITEBYTECODE: '1' };
  });

  it('passes Jupyter\'s kernel conformance suite (jupyter_kernel_test)', { timeout: 10 * 60_000 }, async () => {
    const r = await pytest([path.join(HERE, 'test_kernel_conformance.py')], env);
    process.stdout.write(`# jupyter_kernel_test: ${lastLine(r.output)}\n`);
    assert.equal(r.code, 0, r.output);
    assert.match(lastLine(r.output), /\b(1[5-9]|[2-9]\d) passed\b/, 'the suite and the kit\'s own protocol tests ran');
  });

  it('passes pytest --nbval-lax on a fixture and on the quick profile of notebooks/flows.ipynb', { timeout: 20 * 60_000 }, async () => {
    const lecture = await prepareNotebook(LECTURE, { profile: 'quick', outDir: path.join(ROOT, 'build', 'conformance') });
    const r = await pytest(['--nbval-lax', FIXTURE, lecture], env);
    process.stdout.write(`# nbval --nbval-lax: ${lastLine(r.output)}\n`);
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /\bskipped\b/, 'no notebook was skipped');
  });

  it('passes pytest --nbmake on the fixture', { skip: hasNbmake ? false : 'nbmake is not installed', timeout: 5 * 60_000 }, async () => {
    const r = await pytest(['--nbmake', FIXTURE], env);
    process.stdout.write(`# nbmake: ${lastLine(r.output)}\n`);
    assert.equal(r.code, 0, r.output);
  });
});
