import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { automaticRule, CPU_NATIVE_OPT_IN, nativeProviders, nativeEnvDefaults } from '../../src/runtime/backend';

// Backend choice is process-wide state, so each case runs in a fresh Node process.
const root = path.resolve(__dirname, '../..');
// Cases that must not see this checkout's own native build point GENLAB_NATIVE_DIR at an empty folder.
const noNative = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-no-native-'));
const npmNativeInstalled = ['tfjs-node-cpu', '@tensorflow/tfjs-node-gpu'].some(
  (p) => spawnSync(process.execPath, ['-e', `require.resolve('${p}')`], { cwd: root }).status === 0,
);
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
  const r = run({ GENLAB_BACKEND: '', GENLAB_NATIVE_DIR: noNative }, script);
  assert.equal(r.status, 0, r.out);
  const j = lastJson(r.out);
  assert.equal(j.name, j.active);
  assert.ok(j.same, 'a second call returns the same choice');
  assert.equal(r.out.split('\n').filter((l) => l.startsWith('genlab-ts: tensor backend')).length, 1, r.out);
  if (j.name !== 'tensorflow') {
    // Native builds were tried first, GPU before CPU, and the announcement says why they were skipped.
    assert.deepEqual(j.skipped.slice(0, 4), ['.native/gpu', '@tensorflow/tfjs-node-gpu', '.native/cpu', 'tfjs-node-cpu']);
    assert.match(r.out, /skipped \.native\/gpu \(not built \(`npm run native:install -- --gpu`/);
    assert.match(r.out, /\.native\/cpu \(not built \(`npm run native:install` builds it offline from PyPI\)\)/);
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
  if (npmNativeInstalled) {
    t.skip('a native npm package is installed here, so "tensorflow" is available');
    return;
  }
  const r = run({ GENLAB_BACKEND: 'tensorflow', GENLAB_NATIVE_DIR: noNative }, script);
  assert.equal(r.status, 3, r.out);
  assert.match(r.out, /Backend "tensorflow" is not available: .*not installed.*Available here: wasm, cpu/);
});

test('native builds are tried GPU first, the checkout\'s own build before the npm package; GENLAB_NATIVE_DIR moves .native', () => {
  const p = nativeProviders({ GENLAB_NATIVE_DIR: '/x/native' });
  assert.deepEqual(p.map((q) => q.provider), ['.native/gpu', '@tensorflow/tfjs-node-gpu', '.native/cpu', 'tfjs-node-cpu']);
  assert.equal(p[0]!.specifier, '/x/native/gpu/tfjs-node');
  assert.equal(p[2]!.specifier, '/x/native/cpu/tfjs-node');
  assert.equal(nativeProviders({})[2]!.specifier, path.join(root, '.native', 'cpu', 'tfjs-node'));
});

test('native environment defaults fill only what the user left unset, and leave the thread pools to TensorFlow', () => {
  const env: NodeJS.ProcessEnv = { TF_NUM_INTRAOP_THREADS: '2', TF_CPP_MIN_LOG_LEVEL: '' };
  const set = nativeEnvDefaults(env);
  assert.equal(env['TF_NUM_INTRAOP_THREADS'], '2', 'a user setting is kept');
  assert.equal(env['TF_NUM_INTEROP_THREADS'], undefined, 'pools are not narrowed (one thread measured slower)');
  assert.equal(env['TF_CPP_MIN_LOG_LEVEL'], '1', 'empty counts as unset');
  assert.deepEqual(Object.keys(set), ['TF_CPP_MIN_LOG_LEVEL']);
  const user: NodeJS.ProcessEnv = { TF_CPP_MIN_LOG_LEVEL: '0' };
  assert.deepEqual(nativeEnvDefaults(user), {});
  assert.equal(user['TF_CPP_MIN_LOG_LEVEL'], '0');
});

test('without any native build, a notebook preferring wasm still reads "no native build loads"', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-nb-pref-'));
  const file = path.join(dir, 'flows.ipynb');
  fs.writeFileSync(file, JSON.stringify({ cells: [], metadata: { genlab: { backend: { prefer: 'wasm', why: 'measured' } } }, nbformat: 4, nbformat_minor: 5 }));
  const r = run({ GENLAB_BACKEND: '', GENLAB_NATIVE_DIR: noNative, JPY_SESSION_NAME: file }, script);
  assert.equal(r.status, 0, r.out);
  if (npmNativeInstalled) return;
  assert.equal(lastJson(r.out).name, 'wasm');
  assert.match(r.out, /"wasm" from @tensorflow\/tfjs-backend-wasm: no native build loads; skipped \.native\/gpu \(not built/);
});

function notebookFile(name: string, backend: { prefer: string; why: string } | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-nb-pref-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ cells: [], metadata: backend ? { genlab: { backend } } : {}, nbformat: 4, nbformat_minor: 5 }));
  return file;
}

function brokenBuild(variant: 'cpu' | 'gpu', dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-broken-native-'))): string {
  const pkg = path.join(dir, variant, 'tfjs-node');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), "throw new Error('libtensorflow_cc.so.2: cannot open shared object file');");
  return dir;
}

test('a native build that fails to load is skipped with the error and a rebuild hint, and wasm is used', () => {
  const dir = brokenBuild('cpu');
  // A CPU build is loaded automatically only where a notebook asks for native.
  const file = notebookFile('gan.ipynb', { prefer: 'tensorflow', why: 'measured' });
  const r = run({ GENLAB_BACKEND: '', GENLAB_NATIVE_DIR: dir, JPY_SESSION_NAME: file }, script);
  assert.equal(r.status, 0, r.out);
  const j = lastJson(r.out);
  if (npmNativeInstalled) return; // an npm build may then be chosen; the skip reason below still applies
  assert.equal(j.name, 'wasm');
  assert.match(r.out, /"wasm" from @tensorflow\/tfjs-backend-wasm: no native build loads; .*\.native\/cpu \(installed, but failed to load: libtensorflow_cc\.so\.2: cannot open shared object file; rebuild it with `npm run native:install -- --force`\)/);
});

test('without a notebook a GPU build is tried before wasm and a CPU build is not loaded: it is opt-in', () => {
  const dir = brokenBuild('cpu', brokenBuild('gpu'));
  const r = run({ GENLAB_BACKEND: '', GENLAB_NATIVE_DIR: dir, JPY_SESSION_NAME: '' }, script);
  assert.equal(r.status, 0, r.out);
  if (npmNativeInstalled) return;
  assert.equal(lastJson(r.out).name, 'wasm');
  assert.match(r.out, /"wasm" from @tensorflow\/tfjs-backend-wasm: preferred by the backend rule; skipped \.native\/gpu \(installed, but failed to load \(its CUDA 12 libraries from PyPI need an NVIDIA driver\): libtensorflow_cc/);
  assert.ok(r.out.includes(`.native/cpu (${CPU_NATIVE_OPT_IN})`), r.out);
  assert.ok(!r.out.includes('.native/cpu (installed, but failed'), 'the CPU build was not loaded');
});

const builtHere = fs.existsSync(path.join(root, '.native', 'cpu', 'tfjs-node', 'package.json'));
test('with this checkout\'s CPU build and no notebook, the automatic choice is wasm and says how to opt in; forcing still works', { skip: builtHere ? false : 'no .native/cpu build here (npm run native:install)' }, () => {
  // Two intra-op threads: the old thread rule chose native here.
  const env = { GENLAB_BACKEND: '', GENLAB_NATIVE_DIR: '', JPY_SESSION_NAME: '', TF_NUM_INTRAOP_THREADS: '2' };
  const auto = run(env, script);
  assert.equal(auto.status, 0, auto.out);
  assert.equal(lastJson(auto.out).name, 'wasm');
  assert.match(auto.out, /"wasm" from @tensorflow\/tfjs-backend-wasm: preferred by the backend rule; skipped /);
  assert.ok(auto.out.includes(`.native/cpu (${CPU_NATIVE_OPT_IN})`), auto.out);
  assert.match(CPU_NATIVE_OPT_IN, /opt-in.*MLP 0\.65x.*metadata\.genlab\.backend.*"prefer": "tensorflow".*GENLAB_BACKEND=tensorflow/);
  const forced = run({ ...env, GENLAB_BACKEND: 'tensorflow' }, script);
  assert.equal(forced.status, 0, forced.out);
  assert.equal(lastJson(forced.out).name, 'tensorflow');
  assert.match(forced.out, /"tensorflow" from \.native\/cpu: requested/);
  // A notebook without a stated preference follows the same rule.
  const plain = notebookFile('vae.ipynb', undefined);
  assert.equal(lastJson(run({ ...env, JPY_SESSION_NAME: plain }, script).out).name, 'wasm');
});

test('with this checkout\'s CPU build and no notebook, CPU native is the fallback when wasm does not load', { skip: builtHere ? false : 'no .native/cpu build here (npm run native:install)' }, () => {
  const code = `require('@tensorflow/tfjs-backend-wasm').setWasmPaths('/nonexistent/');\n${script}`;
  const r = run({ GENLAB_BACKEND: '', GENLAB_NATIVE_DIR: '', JPY_SESSION_NAME: '' }, code);
  assert.equal(r.status, 0, r.out);
  assert.equal(lastJson(r.out).name, 'tensorflow');
  assert.match(r.out, /"tensorflow" from \.native\/cpu: wasm does not load; skipped .*@tensorflow\/tfjs-backend-wasm \(tf\.setBackend\("wasm"\) failed\)/);
  assert.ok(!r.out.includes(CPU_NATIVE_OPT_IN), 'the provisional opt-in reason is replaced by what happened');
});

test('with this checkout\'s CPU build, a notebook preferring tensorflow gets it: agrees with cpu, thread pools left alone, no leaks', { skip: builtHere ? false : 'no .native/cpu build here (npm run native:install)' }, () => {
  const code = `
const { initBackend } = require('./src/runtime/backend');
const tf = require('@tensorflow/tfjs');
initBackend().then(async (info) => {
  const a = [[0.5, -1, 2], [3, 0.25, -4]], b = [[1, 2], [-3, 0.5], [0.75, -2]];
  const before = tf.memory().numTensors;
  const f = (x) => tf.tidy(() => tf.sum(tf.square(tf.matMul(x, tf.tensor2d(b)))));
  const xa = tf.tensor2d(a);
  const native = { y: tf.tidy(() => tf.matMul(xa, tf.tensor2d(b)).arraySync()), g: tf.tidy(() => tf.grad(f)(xa).arraySync()) };
  xa.dispose();
  const leaked = tf.memory().numTensors - before;
  await tf.setBackend('cpu');
  const xc = tf.tensor2d(a);
  const ref = { y: tf.matMul(xc, tf.tensor2d(b)).arraySync(), g: tf.grad(f)(xc).arraySync() };
  console.log(JSON.stringify({ name: info.name, provider: info.provider, native, ref, leaked,
    inter: process.env.TF_NUM_INTEROP_THREADS, intra: process.env.TF_NUM_INTRAOP_THREADS }));
});`;
  const file = notebookFile('gan.ipynb', { prefer: 'tensorflow', why: 'GAN step 1.26x of wasm' });
  // One intra-op thread: the old thread rule chose wasm here; the notebook's preference now decides.
  const r = run({ GENLAB_BACKEND: '', GENLAB_NATIVE_DIR: '', JPY_SESSION_NAME: file, TF_NUM_INTEROP_THREADS: '', TF_NUM_INTRAOP_THREADS: '1' }, code);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /"tensorflow" from \.native\/cpu: best available \(gan\.ipynb prefers tensorflow \(metadata\.genlab\.backend\): GAN step 1\.26x of wasm\)/);
  const j = JSON.parse(r.out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1)!);
  assert.equal(j.name, 'tensorflow');
  assert.equal(j.provider, '.native/cpu');
  assert.equal(j.leaked, 0);
  assert.equal(j.inter, '', 'the inter-op pool is left to TensorFlow');
  assert.equal(j.intra, '1', "the user's intra-op setting is kept");
  const close = (p: number[][], q: number[][]): void =>
    p.flat().forEach((v, i) => assert.ok(Math.abs(v - q.flat()[i]!) <= 1e-5 * (1 + Math.abs(q.flat()[i]!)), `${v} vs ${q.flat()[i]}`));
  close(j.native.y, j.ref.y);
  close(j.native.g, j.ref.g);
});

test('the automatic rule: a notebook\'s stated preference wins; else a GPU build is preferred and a CPU build is opt-in', () => {
  for (const gpu of ['.native/gpu', '@tensorflow/tfjs-node-gpu']) {
    assert.deepEqual(automaticRule(null, gpu), { prefer: true, reason: 'a GPU build is preferred whenever one loads' }, gpu);
  }
  for (const cpu of ['.native/cpu', 'tfjs-node-cpu']) {
    assert.deepEqual(automaticRule(null, cpu), { prefer: false, reason: CPU_NATIVE_OPT_IN }, cpu);
  }
  assert.equal(automaticRule(null).prefer, false, 'without a provider the answer is for a CPU build (the bench asks so)');
  const wasm = { prefer: 'wasm' as const, why: 'RealNVP 0.1x', notebook: '/x/flows.ipynb' };
  for (const p of nativeProviders()) {
    assert.deepEqual(automaticRule(wasm, p.provider), { prefer: false, reason: 'flows.ipynb prefers wasm (metadata.genlab.backend): RealNVP 0.1x' }, p.provider);
    assert.equal(automaticRule({ prefer: 'tensorflow', why: 'GAN 1.26x', notebook: '/x/gan.ipynb' }, p.provider).prefer, true, p.provider);
  }
});

test('with this checkout\'s CPU build, a notebook whose metadata prefers wasm gets wasm and the reason; forcing still works', { skip: builtHere ? false : 'no .native/cpu build here (npm run native:install)' }, () => {
  const file = notebookFile('flows.ipynb', { prefer: 'wasm', why: 'RealNVP measured 0.7x' });
  const env = { GENLAB_BACKEND: '', GENLAB_NATIVE_DIR: '', TF_NUM_INTRAOP_THREADS: '', JPY_SESSION_NAME: file };
  const auto = run(env, script);
  assert.equal(auto.status, 0, auto.out);
  assert.equal(lastJson(auto.out).name, 'wasm');
  assert.match(auto.out, /preferred by the notebook; skipped .*\.native\/cpu \(flows\.ipynb prefers wasm \(metadata\.genlab\.backend\): RealNVP measured 0\.7x\)/);
  const forced = run({ ...env, GENLAB_BACKEND: 'tensorflow' }, script);
  assert.equal(lastJson(forced.out).name, 'tensorflow');
});
