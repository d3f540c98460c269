#!/usr/bin/env node
/**
 * `npm run native:check [-- --gpu] [--root CHECKOUT]`: proves a `.native/` build works on this machine: it loads, agrees
 * with tfjs's reference `cpu` backend on random inputs (a product, a convolution and a gradient), and,
 * for `--gpu`, that TensorFlow created a GPU device and ran the product there. It reads TensorFlow's
 * own log for the device, so it also says why a GPU was not used (no driver, a CUDA library missing).
 *
 * The GPU check is written for a machine with an NVIDIA GPU and driver; the machine this kit is
 * developed on has none, so there it reports "no GPU device" and exits 1 (see docs/native-backend.md).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { nativePackageDir, packageRoot, readInstallRecord, type NativeVariant } from './install';

// Runs in a child process: TensorFlow's log level is read once, when the library loads.
const CHILD = `
const pkg = process.argv[1];
const gpu = process.argv[2] === 'gpu';
const tf = require(pkg);
const ref = require('@tensorflow/tfjs');
function rand(shape, seed) { return tf.randomUniform(shape, -1, 1, 'float32', seed); }
async function main() {
  const a = rand([37, 53], 1), b = rand([53, 29], 2);
  const x = rand([2, 9, 11, 3], 3), w = rand([3, 3, 3, 5], 4);
  const f = (a) => tf.sum(tf.square(tf.matMul(a, b)));
  const results = {};
  results.matMul = tf.matMul(a, b).arraySync();
  results.conv = tf.conv2d(x, w, 1, 'same').arraySync();
  results.grad = tf.grad(f)(a).arraySync();
  const inputs = [a, b, x, w].map((t) => t.arraySync());
  let t0 = performance.now();
  const big = rand([1024, 1024], 5);
  for (let i = 0; i < 10; i++) tf.matMul(big, big).dataSync();
  const gflops = (10 * 2 * 1024 ** 3) / ((performance.now() - t0) / 1000) / 1e9;
  await tf.setBackend('cpu');
  const [ra, rb, rx, rw] = inputs.map((v) => tf.tensor(v));
  const want = {
    matMul: tf.matMul(ra, rb).arraySync(),
    conv: tf.conv2d(rx, rw, 1, 'same').arraySync(),
    grad: tf.grad((a) => tf.sum(tf.square(tf.matMul(a, rb))))(ra).arraySync(),
  };
  const err = {};
  for (const k of Object.keys(want)) {
    const p = results[k].flat(Infinity), q = want[k].flat(Infinity);
    err[k] = Math.max(...p.map((v, i) => Math.abs(v - q[i]) / (1 + Math.abs(q[i]))));
  }
  console.log('RESULT ' + JSON.stringify({ version: tf.version['tfjs-node'], err, gflops }));
}
main().catch((e) => { console.log('RESULT ' + JSON.stringify({ error: String(e && e.message || e) })); process.exit(1); });
`;

function main(argv: string[]): number {
  const variant: NativeVariant = argv.includes('--gpu') ? 'gpu' : 'cpu';
  const rootAt = argv.indexOf('--root');
  const root = rootAt >= 0 && argv[rootAt + 1] ? path.resolve(argv[rootAt + 1]!) : packageRoot();
  const record = readInstallRecord(root, variant);
  const pkg = nativePackageDir(root, variant);
  if (record === null) {
    console.error(`genlab native check: no ${variant} build in ${path.dirname(pkg)}; build it with \`npm run native:install${variant === 'gpu' ? ' -- --gpu' : ''}\`.`);
    return 1;
  }
  const r = spawnSync(process.execPath, ['-e', CHILD, pkg, variant], {
    cwd: root,
    encoding: 'utf8',
    // Level 0 keeps TensorFlow's INFO lines, where it names the devices it created and the CUDA
    // libraries it could not open.
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '0' },
    timeout: 300_000,
  });
  const log = `${r.stdout}${r.stderr}`;
  const line = log.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) {
    console.error(`genlab native check: the ${variant} build did not run (exit ${r.status}):\n${log.split('\n').slice(-20).join('\n')}`);
    return 1;
  }
  const res = JSON.parse(line.slice(7)) as { error?: string; version?: string; err?: Record<string, number>; gflops?: number };
  if (res.error) {
    console.error(`genlab native check: the ${variant} build failed: ${res.error}`);
    return 1;
  }
  let ok = true;
  console.log(`genlab native check: ${variant} build from ${record.tensorflowWheel}, tfjs-node ${res.version}`);
  for (const [k, e] of Object.entries(res.err ?? {})) {
    // float32 with different summation orders: relative errors of 1e-6..1e-5; 1e-4 is a real mismatch.
    const pass = e < 1e-4;
    ok &&= pass;
    console.log(`  ${k.padEnd(7)} vs the cpu backend: max relative error ${e.toExponential(1)} ${pass ? 'ok' : 'WRONG (> 1e-4)'}`);
  }
  console.log(`  1024x1024 products: ${res.gflops?.toFixed(1)} GFLOP/s`);
  if (variant === 'gpu') {
    const device = /Created device .*device:GPU:(\d+).*?(name: [^,]*)?/.exec(log);
    if (device) {
      console.log(`  GPU: TensorFlow created /device:GPU:${device[1]}${device[2] ? ` (${device[2]})` : ''}`);
    } else {
      ok = false;
      const why = log.split('\n').filter((l) => /Cannot dlopen|Could not load dynamic library|cuInit|CUDA_ERROR|no CUDA-capable|failed call to cuInit|Skipping registering GPU/.test(l));
      console.log('  GPU: no GPU device was created; TensorFlow ran on the CPU.');
      for (const l of why.slice(0, 8)) console.log(`    ${l.trim()}`);
      if (why.length === 0) console.log('    (TensorFlow logged no reason; run `nvidia-smi` to see whether a driver and GPU are present)');
    }
  }
  return ok ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
