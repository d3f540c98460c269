import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cudaRequirements, findToolchain, NativeInstallError, tensorflowWheelSpec } from '../../src/native/install';

// The build's failure paths, in a stubbed environment: PATH holds only the stub tools each case
// gives, so the real python3, compiler and npm of this machine are invisible to the script.
const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'src/native/install-cli.ts');

interface Stubs {
  /** Tool name -> shell body (run by /bin/sh). */
  tools: Record<string, string>;
  /** Create include/node/node_api.h under the fake Node prefix. @default true */
  nodeHeaders?: boolean;
}

function stubEnv(stubs: Stubs): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-native-stub-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const [name, body] of Object.entries(stubs.tools)) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  const nodeDir = path.join(dir, 'node');
  if (stubs.nodeHeaders !== false) {
    fs.mkdirSync(path.join(nodeDir, 'include', 'node'), { recursive: true });
    fs.writeFileSync(path.join(nodeDir, 'include', 'node', 'node_api.h'), '');
  }
  const gyp = path.join(dir, 'node-gyp.js');
  fs.writeFileSync(gyp, 'process.exit(0)');
  const env: NodeJS.ProcessEnv = {
    PATH: bin,
    HOME: dir,
    GENLAB_NODEDIR: nodeDir,
    GENLAB_NODE_GYP: gyp,
  };
  return { env, dir };
}

function runCli(env: NodeJS.ProcessEnv, target: string, extra: string[] = []): { status: number | null; out: string } {
  // tsx is loaded by absolute path: the stub PATH has no npx.
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, '--root', target, ...extra], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const OK_TOOLS = {
  python3: 'if [ "$1 $2 $3" = "-m pip --version" ]; then echo "pip 24.0"; exit 0; fi; echo "ERROR: Could not find a version that satisfies the requirement tensorflow-cpu==2.21.*" >&2; exit 1',
  'c++': 'exit 0',
  make: 'exit 0',
  tar: 'exit 0',
  npm: 'exit 0',
};

test('no tools at all: one message lists every missing tool, and nothing is created', () => {
  const { env, dir } = stubEnv({ tools: {}, nodeHeaders: false });
  const target = path.join(dir, 'checkout');
  const r = runCli(env, target);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /Python 3 not found \(looked for "python3" on PATH\)/);
  assert.match(r.out, /No C\+\+ compiler found/);
  assert.match(r.out, /`make` not found/);
  assert.match(r.out, /npm not found/);
  assert.match(r.out, /Node's C headers not found/);
  assert.match(r.out, /Nothing was downloaded or changed\./);
  assert.ok(!fs.existsSync(path.join(target, '.native')), 'no .native folder on failure before the download');
});

test('python without pip: says pip is missing and how to get it', () => {
  const { env, dir } = stubEnv({ tools: { ...OK_TOOLS, python3: 'echo "/usr/bin/python3: No module named pip" >&2; exit 1' } });
  const r = runCli(env, path.join(dir, 'checkout'));
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /pip not available for .*python3 .*No module named pip/);
  assert.match(r.out, /python3-pip/);
  assert.doesNotMatch(r.out, /compiler/, 'only the missing piece is named');
});

test('no C++ compiler: names the compiler and the package that provides it', () => {
  const tools: Record<string, string> = { ...OK_TOOLS };
  delete tools['c++'];
  const { env, dir } = stubEnv({ tools });
  const r = runCli(env, path.join(dir, 'checkout'));
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /No C\+\+ compiler found \(looked for c\+\+, g\+\+, clang\+\+ on PATH\)/);
  assert.match(r.out, /apt-get install g\+\+ make/);
  assert.doesNotMatch(r.out, /pip not available|Python 3 not found/);
});

test('pip cannot fetch the wheel: the pip error and where to look are shown', () => {
  const { env, dir } = stubEnv({ tools: OK_TOOLS });
  const r = runCli(env, path.join(dir, 'checkout'));
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /downloading tensorflow-cpu==2\.21\.\* with pip failed/);
  assert.match(r.out, /Could not find a version that satisfies the requirement/);
  assert.match(r.out, /check that PyPI .* is reachable/);
});

test('GENLAB_PYTHON picks the interpreter; a wrong path is named', () => {
  const { env } = stubEnv({ tools: OK_TOOLS });
  assert.throws(
    () => findToolchain({ ...env, GENLAB_PYTHON: '/nonexistent/python3' }),
    (e: unknown) => e instanceof NativeInstallError && /looked for "\/nonexistent\/python3"/.test(e.message),
  );
  const tools = findToolchain(env);
  assert.ok(tools.python.endsWith('/bin/python3'));
  assert.ok(tools.compiler.endsWith('/bin/c++'));
});

test('an unknown argument is refused with the usage', () => {
  const { env, dir } = stubEnv({ tools: OK_TOOLS });
  const r = runCli(env, path.join(dir, 'checkout'), ['--cuda']);
  assert.equal(r.status, 2, r.out);
  assert.match(r.out, /Unknown argument "--cuda"/);
  assert.match(r.out, /--gpu/);
});

test('wheel names per variant', () => {
  assert.equal(tensorflowWheelSpec('cpu'), 'tensorflow-cpu==2.21.*');
  assert.equal(tensorflowWheelSpec('gpu'), 'tensorflow==2.21.*');
});

test('the CUDA wheels are read from the and-cuda extra of the wheel metadata, and nothing else', () => {
  // Lines in the form of tensorflow 2.21's METADATA (Requires-Dist with environment markers).
  const metadata = [
    'Metadata-Version: 2.1',
    'Name: tensorflow',
    'Requires-Dist: absl-py >=1.0.0',
    'Requires-Dist: numpy <2.2.0,>=1.26.0',
    'Requires-Dist: nvidia-cublas-cu12 <13.0,>=12.5.3.2 ; extra == "and-cuda"',
    "Requires-Dist: nvidia-cudnn-cu12<10.0,>=9.3.0.75; extra == 'and-cuda'",
    'Requires-Dist: tensorflow-io-gcs-filesystem >=0.23.1 ; python_version < "3.12"',
    'Provides-Extra: and-cuda',
  ].join('\n');
  assert.deepEqual(cudaRequirements(metadata), ['nvidia-cublas-cu12<13.0,>=12.5.3.2', 'nvidia-cudnn-cu12<10.0,>=9.3.0.75']);
  assert.deepEqual(cudaRequirements('Name: tensorflow-cpu\nRequires-Dist: numpy'), []);
});
