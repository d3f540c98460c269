import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// Backend choice is process-wide state, so each case runs in a fresh Node process.
const root = path.resolve(__dirname, '../..');
function run(env: Record<string, string>, code: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
const script = `
const { initBackend } = require('./src/runtime/backend');
const tf = require('@tensorflow/tfjs');
initBackend().then(async (info) => {
  const again = await initBackend();
  console.log(JSON.stringify({ name: info.name, active: tf.getBackend(), same: again === info, skipped: info.skipped.map(s => s.provider) }));
}).catch((e) => { console.log('ERROR ' + e.message); process.exit(3); });`;

function lastJson(out: string): { name: string; active: string; same: boolean; skipped: string[] } {
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  assert.ok(line, `no JSON line in output:\n${out}`);
  return JSON.parse(line);
}

test('automatic choice: the best available backend, announced once with the reason', () => {
  const r = run({ GENLAB_BACKEND: '' }, script);
  assert.equal(r.status, 0, r.out);
  const j = lastJson(r.out);
  assert.equal(j.name, j.active);
  assert.ok(j.same, 'a second call returns the same choice');
  assert.equal(r.out.split('\n').filter((l) => l.startsWith('genlab-ts: tensor backend')).length, 1, r.out);
  if (j.name !== 'tensorflow') {
    // Native builds were tried first and the announcement says why they were skipped.
    assert.deepEqual(j.skipped.slice(0, 2), ['@tensorflow/tfjs-node-gpu', 'tfjs-node-cpu']);
    assert.match(r.out, /skipped @tensorflow\/tfjs-node-gpu \(/);
  }
});

test('GENLAB_BACKEND=cpu forces the cpu backend', () => {
  const r = run({ GENLAB_BACKEND: 'cpu' }, script);
  assert.equal(r.status, 0, r.out);
  assert.equal(lastJson(r.out).active, 'cpu');
});

test('GENLAB_BACKEND=wasm forces wasm and installs the fast matmul', () => {
  const code = `
const { initBackend } = require('./src/runtime/backend');
const tf = require('@tensorflow/tfjs');
initBackend().then(() => {
  const a = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const b = tf.tensor2d([[1, 0, 2], [0, 1, 3]]);
  const viaT = tf.matMul(a, b, true, true).arraySync();
  const plain = tf.matMul(tf.transpose(a), tf.transpose(b)).arraySync();
  console.log(JSON.stringify({ name: tf.getBackend(), viaT, plain }));
});`;
  const r = run({ GENLAB_BACKEND: 'wasm' }, code);
  assert.equal(r.status, 0, r.out);
  const j = JSON.parse(r.out.trim().split('\n').at(-1)!);
  assert.equal(j.name, 'wasm');
  // aᵀ = [[1,3,5],[2,4,6]], bᵀ = [[1,0],[0,1],[2,3]]: worked by hand.
  assert.deepEqual(j.viaT, [[11, 18], [14, 22]]);
  assert.deepEqual(j.plain, j.viaT);
});

test('an unknown backend name is an error that lists the choices', () => {
  const r = run({ GENLAB_BACKEND: 'gpu' }, script);
  assert.equal(r.status, 3, r.out);
  assert.match(r.out, /Unknown backend "gpu" \(from GENLAB_BACKEND\)\. Use one of: tensorflow, wasm, cpu/);
});

test('an unavailable backend is an error that says why and what is available', (t) => {
  const probe = spawnSync(process.execPath, ['-e', "require.resolve('tfjs-node-cpu')"], { cwd: root });
  if (probe.status === 0) {
    t.skip('a native build is installed here, so "tensorflow" is available');
    return;
  }
  const r = run({ GENLAB_BACKEND: 'tensorflow' }, script);
  assert.equal(r.status, 3, r.out);
  assert.match(r.out, /Backend "tensorflow" is not available: .*not installed.*Available here: wasm, cpu/);
});
