/**
 * Threaded wasm in Node (src/runtime/wasm-threads.ts). The wasm module is process-wide, so each case
 * runs in a fresh Node process. No timing here: the benchmark measures whether threads pay off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { wasmThreadsFromEnv } from '../../src/runtime/wasm-threads';

const root = path.resolve(__dirname, '../..');
const script = (threads: number | null): string => `
const tf = require('@tensorflow/tfjs');
const { useThreadedWasm, wasmThreadsCount } = require('./src/runtime/wasm-threads');
${threads === null ? "require('@tensorflow/tfjs-backend-wasm');" : `useThreadedWasm(${threads});`}
(async () => {
  await tf.setBackend('wasm');
  let s = 1;
  const v = (n) => Float32Array.from({ length: n }, () => ((s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296 - 0.5));
  const a = tf.tensor2d(v(96 * 200), [96, 200]);
  const b = tf.tensor2d(v(200 * 130), [200, 130]);
  const c = tf.matMul(a, b);
  const g = tf.grad((x) => tf.conv2d(x, tf.ones([3, 3, 2, 4]), 1, 'same').square().sum())(tf.tensor4d(v(2 * 9 * 9 * 2), [2, 9, 9, 2]));
  console.log(JSON.stringify({ threads: wasmThreadsCount(), c: Array.from(c.dataSync().slice(0, 50)), g: Array.from(g.dataSync().slice(0, 50)) }));
})();`;

function run(threads: number | null): { threads: number; c: number[]; g: number[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script(threads)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  // A timeout here would mean the pool's workers kept Node alive after the script finished.
  assert.equal(r.status, 0, `exit status ${r.status} (signal ${r.signal}):\n${r.stdout}${r.stderr}`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  assert.ok(line, r.stdout + r.stderr);
  return JSON.parse(line);
}

test('the threaded build starts a pool of 2 in Node, computes what the single-threaded build does, and exits', () => {
  const single = run(null);
  const two = run(2);
  assert.equal(single.threads, 1);
  assert.equal(two.threads, 2, 'getThreadsCount() reports the pool size asked for (not cores / 2)');
  for (let i = 0; i < single.c.length; i++) assert.ok(Math.abs(single.c[i]! - two.c[i]!) < 1e-4, `matMul element ${i}`);
  for (let i = 0; i < single.g.length; i++) assert.ok(Math.abs(single.g[i]! - two.g[i]!) < 1e-3 * (1 + Math.abs(single.g[i]!)), `conv grad element ${i}`);
});

test('GENLAB_WASM_THREADS parsing', () => {
  assert.equal(wasmThreadsFromEnv({}), undefined);
  assert.equal(wasmThreadsFromEnv({ GENLAB_WASM_THREADS: '1' }), undefined);
  assert.equal(wasmThreadsFromEnv({ GENLAB_WASM_THREADS: '3' }), 3);
  assert.ok((wasmThreadsFromEnv({ GENLAB_WASM_THREADS: 'auto' }) ?? 1) >= 1);
  assert.throws(() => wasmThreadsFromEnv({ GENLAB_WASM_THREADS: 'many' }), /GENLAB_WASM_THREADS/);
  assert.throws(() => wasmThreadsFromEnv({ GENLAB_WASM_THREADS: '99' }), /1 to 8/);
});
