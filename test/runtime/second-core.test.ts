/**
 * The second core (src/runtime/second-core.ts) and the convolution passes it takes half of
 * (src/runtime/simd-conv.ts): large passes split by images must equal the cpu backend, reach the worker
 * where there are two cores, give bitwise the same bytes with the worker switched off (GENLAB_SECOND_CORE=0,
 * in a fresh process), leak nothing, and an error inside the worker must come back as an error.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { convWithGrads, maxRelErr, onBackend as on } from './values';
import { installWasmTrainingKernels } from '../../src/runtime/wasm-kernels';
import { SecondCore, secondCoreWanted } from '../../src/runtime/second-core';
import { splitAt, SPLIT_MACS } from '../../src/runtime/simd-conv';

const root = path.resolve(__dirname, '../..');

before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmTrainingKernels();
});

test('the second core is used with two or more cores, unless GENLAB_SECOND_CORE=0', () => {
  assert.equal(secondCoreWanted({}, 2), true);
  assert.equal(secondCoreWanted({}, 64), true);
  assert.equal(secondCoreWanted({}, 1), false);
  assert.equal(secondCoreWanted({ GENLAB_SECOND_CORE: '0' }, 8), false);
  assert.equal(secondCoreWanted({ GENLAB_SECOND_CORE: '1' }, 2), true);
});

test('a pass splits its images in two only when it is large, whatever the machine', () => {
  const g = { N: 128, OH: 14, OW: 14, CO: 16, CI: 16, KH: 3, KW: 3 };
  assert.equal(splitAt(g), 64);
  assert.equal(splitAt({ ...g, N: 127 }), 64, 'an odd batch: the first half is the larger');
  assert.equal(splitAt({ ...g, N: 1, OH: 1000 }), 0, 'one image cannot be split');
  const just = { N: 2, OH: 1, OW: 1, CO: 1, CI: 1, KH: 1, KW: SPLIT_MACS / 2 };
  assert.equal(splitAt(just), 1);
  assert.equal(splitAt({ ...just, KW: SPLIT_MACS / 2 - 1 }), 0);
});

type Pad = 'same' | 'valid' | number;
const cases: { x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: Pad }[] = [
  { x: [5, 16, 16, 24], f: [3, 3, 24, 24], s: 1, pad: 'same' },
  { x: [4, 30, 31, 16], f: [5, 5, 16, 20], s: 2, pad: 1 },
  { x: [6, 14, 14, 8], f: [7, 7, 8, 16], s: 1, pad: 'same' },
  { x: [3, 27, 28, 9], f: [3, 3, 9, 33], s: 1, pad: 'valid' },
];




for (const c of cases) {
  test(`split passes equal cpu and reach the worker: x ${c.x}, filter ${c.f}, stride ${c.s}, pad ${c.pad}`, async () => {
    const run = convWithGrads(c.x, c.f, c.s, c.pad, 71);
    const expected = await on('cpu', run);
    await tf.setBackend('wasm');
    const core = SecondCore.get();
    if (secondCoreWanted()) assert.ok(core !== null, `two cores here, but the worker did not start: ${SecondCore.unavailable()}`);
    const jobs = core?.jobs ?? 0;
    const ids = tf.engine().backend.numDataIds();
    const got = await on('wasm', run);
    assert.equal(tf.engine().backend.numDataIds(), ids, 'no wasm buffer leaks');
    if (core !== null) assert.ok(core.jobs - jobs >= 3, `forward, input and filter passes each sent half to the worker (${core.jobs - jobs} jobs)`);
    for (const [i, name] of ['y', 'dx', 'dW'].entries()) {
      const err = maxRelErr(got[i]!, expected[i]!);
      assert.ok(err < 2e-5, `${name}: relative error ${err}`);
    }
  });
}

test('the same bytes with and without the second core (fresh processes)', () => {
  const code = `
    const tf = require('@tensorflow/tfjs');
    const { createHash } = require('node:crypto');
    const { initBackend } = require('./src/runtime/backend');
    const { SecondCore } = require('./src/runtime/second-core');
    initBackend({ backend: 'wasm', announce: false }).then(() => {
      const h = createHash('sha256');
      for (const [xs, fs, s] of ${JSON.stringify(cases.map((c) => [c.x, c.f, c.s, c.pad]))}.map((c) => [c[0], c[1], [c[2], c[3]]])) {
        const x = tf.randomUniform(xs, -1, 1, 'float32', 5);
        const w = tf.randomUniform(fs, -1, 1, 'float32', 6);
        const outs = [tf.conv2d(x, w, s[0], s[1]), ...tf.grads((a, b) => tf.conv2d(a, b, s[0], s[1]).square().sum())([x, w])];
        for (const t of outs) h.update(Buffer.from(t.dataSync().buffer));
      }
      console.log(JSON.stringify({ hash: h.digest('hex'), worker: SecondCore.get() !== null && SecondCore.get().jobs > 0 }));
    });`;
  const hashOf = (env: Record<string, string>): { hash: string; worker: boolean } => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    assert.ok(line.startsWith('{'), `no result:\n${r.stdout}${r.stderr}`);
    return JSON.parse(line);
  };
  const two = hashOf({});
  const one = hashOf({ GENLAB_SECOND_CORE: '0' });
  assert.equal(one.worker, false, 'GENLAB_SECOND_CORE=0 keeps everything on the main thread');
  assert.equal(two.worker, secondCoreWanted(), 'the worker ran where there are two cores');
  assert.equal(two.hash, one.hash, 'forward, input and filter gradients are bitwise the same');
});

test('an error inside the worker is thrown by wait(), with the worker\'s message, and the worker goes on', (t) => {
  const core = SecondCore.get();
  if (core === null) return t.skip(`no second core here (${SecondCore.unavailable() ?? 'one core or GENLAB_SECOND_CORE=0'})`);
  core.begin();
  const out = core.zeroed(64);
  // An input pointer far beyond the shared memory: the kernel traps.
  core.call('conv_forward_tap', [0x7ff00000, 0, out, 1, 1, 1, 4, 1, 1, 4, 1, 1, 0, 0, 0, 1]);
  core.start();
  assert.throws(() => core.wait(), /second-core worker failed: .*out of bounds/i);
  assert.throws(() => core.call('conv_forward_tap', new Array(17).fill(0)), /at most 16/);
  // The next job runs: a 1x1 "convolution" of one pixel with 4 channels, by hand.
  core.begin();
  const x = core.alloc(16);
  const w = core.alloc(64);
  const y = core.zeroed(16);
  const f = new Float32Array(core.bytes().buffer);
  f.set([1, 2, 3, 4], x >> 2);
  f.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2], w >> 2); // diag(1, 1, 1, 2)
  f.fill(7, y >> 2, (y >> 2) + 4); // the worker must zero it first
  core.call('conv_forward_tap', [x, w, y, 1, 1, 1, 4, 1, 1, 4, 1, 1, 0, 0, 0, 1]);
  core.start();
  core.wait();
  assert.deepEqual([...new Float32Array(core.bytes().buffer, y, 4)], [1, 2, 3, 8]);
});
