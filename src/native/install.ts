/**
 * Builds the native TensorFlow backend offline, from package registries only (issue 22, section 2).
 *
 * Why: `@tensorflow/tfjs-node(-gpu)`'s own install downloads a 2022 libtensorflow (2.9, CUDA 11.2) from
 * storage.googleapis.com, which fails on machines that reach only npm and PyPI and pins GPUs to CUDA 11.2.
 * TensorFlow's C API also ships inside the PyPI wheels (`tensorflow-cpu`, and `tensorflow` whose
 * `and-cuda` extra pulls CUDA 12 from PyPI): `tensorflow/libtensorflow_cc.so.2` exports `TF_*`/`TFE_*`,
 * with the headers under `tensorflow/include`. tfjs-node 4.22's binding (C++ in its npm tarball,
 * `binding.gyp`) compiles against those headers and Node's own (`--nodedir`, so node-gyp downloads
 * nothing).
 *
 * Everything lands inside the checkout, in `.native/<variant>/` (gitignored), never in a location shared
 * by other checkouts, so installing here cannot switch another checkout's backend:
 *
 *   .native/<variant>/site/          the wheels' files we need (libraries, C headers; CUDA libraries for gpu),
 *                                    laid out as in site-packages so the libraries' `$ORIGIN` run paths hold
 *   .native/<variant>/tfjs-node/     the unpacked tfjs-node package with `deps/lib -> ../../site/tensorflow`,
 *                                    `lib/napi-v8/tfjs_binding.node` and its runtime npm dependencies
 *                                    (minus `@tensorflow/*`, so it shares the kit's single tfjs-core)
 *   .native/<variant>/install.json   what was built, from what, when
 *
 * `initBackend()` (src/runtime/backend.ts) looks there. Every external tool is found first, and a
 * missing one stops the install with a message naming it and how to get it.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `cpu`: the `tensorflow-cpu` wheel. `gpu`: the `tensorflow` wheel plus its `and-cuda` CUDA 12 wheels. */
export type NativeVariant = 'cpu' | 'gpu';
export const NATIVE_VARIANTS: readonly NativeVariant[] = ['cpu', 'gpu'];

/** The versions built. tfjs-node must match the kit's `@tensorflow/tfjs` (package.json). */
export const TFJS_NODE_VERSION = '4.22.0';
/** TensorFlow 2.21 is the release verified with this binding (issue 22); later 2.x keep the C API. */
export const TENSORFLOW_SPEC = '2.21.*';
/** N-API version the binding is built for: tfjs-node 4.22's `binary.napi_versions` holds 8. */
export const NAPI_VERSION = 8;

export interface NativeInstallOptions {
  /** Which build. @default 'cpu' */
  variant?: NativeVariant;
  /** The checkout to install into. @default the package root (two levels above this file) */
  root?: string;
  /** Environment for the tools (PATH etc.). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Where progress lines go. @default console.log */
  log?: (line: string) => void;
  /** Rebuild even when `.native/<variant>/install.json` says it is built. @default false */
  force?: boolean;
}

/** A failed step: `message` names what is missing or failed and how to fix it. */
export class NativeInstallError extends Error {
  override name = 'NativeInstallError';
}

/** The tools the build needs, found on PATH (or given through env) before anything is downloaded. */
export interface NativeToolchain {
  python: string;
  compiler: string;
  make: string;
  tar: string;
  npm: { command: string; prefixArgs: string[] };
  nodeGyp: string;
  nodeDir: string;
}

/** Where `initBackend()` finds the build of `variant` in checkout `root`. */
export function nativePackageDir(root: string, variant: NativeVariant): string {
  return path.join(root, '.native', variant, 'tfjs-node');
}

/** The package root: `src/native` or `dist/native` are two levels below it. */
export function packageRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

function which(cmd: string, env: NodeJS.ProcessEnv): string | null {
  if (cmd.includes('/')) return fs.existsSync(cmd) ? cmd : null;
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { env, cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function tail(r: SpawnSyncReturns<string>, lines = 15): string {
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim();
  return text.split('\n').slice(-lines).join('\n');
}

/**
 * Finds every tool the build needs and reports all missing ones at once (so one round of fixing is
 * enough). Python must have pip (`python -m pip`); node-gyp is npm's bundled copy unless
 * `npm_config_node_gyp` or `GENLAB_NODE_GYP` names one; Node's headers come from the Node install
 * (`<prefix>/include/node/node_api.h`) or `GENLAB_NODEDIR`.
 */
export function findToolchain(env: NodeJS.ProcessEnv = process.env): NativeToolchain {
  const problems: string[] = [];

  const pythonName = env['GENLAB_PYTHON'] || 'python3';
  const python = which(pythonName, env);
  if (python === null) {
    problems.push(
      `Python 3 not found (looked for "${pythonName}" on PATH): pip downloads TensorFlow's wheel and node-gyp runs on Python. ` +
        'Install python3 and python3-pip (Debian/Ubuntu: `sudo apt-get install python3 python3-pip`), or set GENLAB_PYTHON=/path/to/python3.',
    );
  } else {
    const pip = run(python, ['-m', 'pip', '--version'], env);
    if (pip.status !== 0) {
      problems.push(
        `pip not available for ${python} (\`${python} -m pip --version\` failed: ${tail(pip, 2) || `exit ${pip.status}`}). ` +
          'Install it (Debian/Ubuntu: `sudo apt-get install python3-pip`; or `python3 -m ensurepip --user`), or point GENLAB_PYTHON at a Python that has pip, e.g. a venv.',
      );
    }
  }

  const compiler = ['c++', 'g++', 'clang++'].map((c) => which(env['CXX'] || c, env)).find((c) => c !== null) ?? null;
  if (compiler === null) {
    problems.push(
      `No C++ compiler found (looked for ${env['CXX'] ? `CXX=${env['CXX']}` : 'c++, g++, clang++'} on PATH): node-gyp compiles tfjs-node's binding. ` +
        'Install one (Debian/Ubuntu: `sudo apt-get install g++ make`; macOS: `xcode-select --install`).',
    );
  }
  const make = which('make', env);
  if (make === null) {
    problems.push('`make` not found on PATH: node-gyp drives the compiler through it. Install it (Debian/Ubuntu: `sudo apt-get install make`).');
  }
  const tar = which('tar', env);
  if (tar === null) problems.push('`tar` not found on PATH: it unpacks the tfjs-node package. Install it (Debian/Ubuntu: `sudo apt-get install tar`).');

  // npm: the one running this script (npm_execpath) or the one on PATH.
  let npm: NativeToolchain['npm'] | null = null;
  const execpath = env['npm_execpath'];
  if (execpath && fs.existsSync(execpath)) npm = { command: process.execPath, prefixArgs: [execpath] };
  else {
    const onPath = which('npm', env);
    if (onPath) npm = { command: onPath, prefixArgs: [] };
  }
  if (npm === null) problems.push('npm not found (neither npm_execpath nor npm on PATH): run this through `npm run native:install`.');

  let nodeGyp = env['GENLAB_NODE_GYP'] || env['npm_config_node_gyp'] || '';
  if (!nodeGyp || !fs.existsSync(nodeGyp)) {
    const candidates = [
      execpath ? path.join(path.dirname(execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : '',
      path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    ];
    nodeGyp = candidates.find((c) => c && fs.existsSync(c)) ?? '';
  }
  if (!nodeGyp) {
    problems.push('node-gyp not found (npm bundles it; set GENLAB_NODE_GYP=/path/to/node-gyp.js if yours is elsewhere, or `npm install -g node-gyp`).');
  }

  const nodeDir = env['GENLAB_NODEDIR'] || path.resolve(path.dirname(process.execPath), '..');
  if (!fs.existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) {
    problems.push(
      `Node's C headers not found at ${path.join(nodeDir, 'include', 'node')} (node_api.h): the binding compiles against them, and we do not let node-gyp download them. ` +
        'Install them with your Node (Debian: the nodejs package ships them; nvm and the official tarballs include them), or set GENLAB_NODEDIR to a folder holding include/node/.',
    );
  }

  if (problems.length > 0) {
    throw new NativeInstallError(`Cannot build the native TensorFlow backend:\n  - ${problems.join('\n  - ')}\nNothing was downloaded or changed.`);
  }
  return { python: python!, compiler: compiler!, make: make!, tar: tar!, npm: npm!, nodeGyp, nodeDir };
}

/** The pip requirement for the variant's TensorFlow wheel. */
export function tensorflowWheelSpec(variant: NativeVariant): string {
  return `${variant === 'gpu' ? 'tensorflow' : 'tensorflow-cpu'}==${TENSORFLOW_SPEC}`;
}

/**
 * The CUDA wheels the GPU build needs: the `and-cuda` extra of the `tensorflow` wheel's METADATA, e.g.
 * `Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"`. Read from the wheel itself
 * so the list always matches the TensorFlow version downloaded.
 */
export function cudaRequirements(metadata: string): string[] {
  const out: string[] = [];
  for (const line of metadata.split('\n')) {
    const m = /^Requires-Dist:\s*([^;]+);\s*(.*)$/.exec(line.trim());
    if (m && /extra\s*==\s*["']and-cuda["']/.test(m[2]!)) out.push(m[1]!.trim().replace(/\s+/g, ''));
  }
  return out;
}

// Python, because it is already required and reads wheels (zip files) everywhere: extract the members
// whose names start with any of the prefixes. argv: wheel, destination, prefixes...
const EXTRACT_PY = `
import sys, zipfile
whl, dest, prefixes = sys.argv[1], sys.argv[2], tuple(sys.argv[3:])
n = 0
with zipfile.ZipFile(whl) as z:
    for info in z.infolist():
        if info.filename.startswith(prefixes) and not info.is_dir():
            z.extract(info, dest); n += 1
print(n)
`;
const METADATA_PY = `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))
    sys.stdout.write(z.read(name).decode('utf-8'))
`;

/** The header folders the binding's includes reach (found by compiling it; see the fallback below). */
const HEADER_PREFIXES = [
  'tensorflow/include/tensorflow/c/',
  'tensorflow/include/xla/tsl/c/',
  'tensorflow/include/tensorflow/core/platform/ctstring',
  'tensorflow/include/tsl/platform/ctstring',
];
const LIBRARY_PREFIXES = ['tensorflow/libtensorflow_cc.so', 'tensorflow/libtensorflow_framework.so'];

interface InstallRecord {
  variant: NativeVariant;
  tensorflowWheel: string;
  cudaWheels: string[];
  tfjsNode: string;
  node: string;
  napi: number;
  builtAt: string;
}

/** Reads what `.native/<variant>/install.json` says was built, or null. */
export function readInstallRecord(root: string, variant: NativeVariant): InstallRecord | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, '.native', variant, 'install.json'), 'utf8')) as InstallRecord;
  } catch {
    return null;
  }
}

/** Runs one step; a failure throws with the command, its output's tail and the hint. */
function step(log: (l: string) => void, what: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string | undefined, hint: string): string {
  log(`genlab native: ${what}`);
  const r = run(cmd, args, env, cwd);
  if (r.status !== 0) {
    throw new NativeInstallError(`${what} failed (\`${[cmd, ...args].join(' ')}\`, exit ${r.status ?? r.signal}):\n${tail(r)}\n${hint}`);
  }
  return r.stdout;
}

/**
 * Downloads, builds and installs the native backend into `<root>/.native/<variant>/`; returns the
 * package folder. Idempotent: an existing build for the same Node ABI is kept unless `force`.
 */
export function installNative(options: NativeInstallOptions = {}): string {
  const variant = options.variant ?? 'cpu';
  if (!NATIVE_VARIANTS.includes(variant)) {
    throw new NativeInstallError(`Unknown variant "${String(variant)}": use one of ${NATIVE_VARIANTS.join(', ')}.`);
  }
  const root = options.root ?? packageRoot();
  const env = options.env ?? process.env;
  const log = options.log ?? ((l: string) => console.log(l));
  const base = path.join(root, '.native', variant);
  const pkg = nativePackageDir(root, variant);
  const binding = path.join(pkg, 'lib', `napi-v${NAPI_VERSION}`, 'tfjs_binding.node');

  const previous = readInstallRecord(root, variant);
  if (!options.force && previous && previous.node === process.versions.modules && fs.existsSync(binding)) {
    log(`genlab native: ${variant} build already in ${pkg} (TensorFlow ${previous.tensorflowWheel}); use --force to rebuild.`);
    return pkg;
  }

  const tools = findToolchain(env);
  log(`genlab native: building the ${variant} backend in ${base}`);
  log(`  python ${tools.python}, compiler ${tools.compiler}, node-gyp ${tools.nodeGyp}, Node headers ${tools.nodeDir}/include/node`);
  fs.rmSync(base, { recursive: true, force: true });
  const downloads = path.join(base, 'downloads');
  const site = path.join(base, 'site');
  fs.mkdirSync(downloads, { recursive: true });

  // 1. TensorFlow's wheel from PyPI (no dependencies: we need its C library, not the Python package).
  const pipHint =
    'pip could not fetch the wheel: check that PyPI (or your pip index, `pip config list`) is reachable and that a ' +
    `${tensorflowWheelSpec(variant)} wheel exists for this platform (Linux x86_64, glibc >= 2.27; see https://pypi.org/project/${variant === 'gpu' ? 'tensorflow' : 'tensorflow-cpu'}/#files).`;
  const pipArgs = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--dest', downloads];
  step(log, `downloading ${tensorflowWheelSpec(variant)} with pip`, tools.python, [...pipArgs, tensorflowWheelSpec(variant)], env, undefined, pipHint);
  const wheels = fs.readdirSync(downloads).filter((f) => f.endsWith('.whl'));
  const tfWheel = wheels.find((f) => /^tensorflow(_cpu)?-/.test(f));
  if (!tfWheel) throw new NativeInstallError(`pip reported success but no TensorFlow wheel is in ${downloads} (found: ${wheels.join(', ') || 'nothing'}).`);
  const tfWheelPath = path.join(downloads, tfWheel);

  step(log, 'extracting libtensorflow and its C headers', tools.python, ['-c', EXTRACT_PY, tfWheelPath, site, ...LIBRARY_PREFIXES, ...HEADER_PREFIXES], env, undefined, 'The wheel may be damaged: rerun with --force.');

  // 2. GPU: the CUDA 12 libraries TensorFlow names in its `and-cuda` extra, laid out as in
  //    site-packages (site/nvidia/<lib>/lib), where libtensorflow's run paths look for them.
  const cudaWheels: string[] = [];
  if (variant === 'gpu') {
    const metadata = step(log, 'reading the CUDA requirements from the wheel', tools.python, ['-c', METADATA_PY, tfWheelPath], env, undefined, 'The wheel may be damaged: rerun with --force.');
    const reqs = cudaRequirements(metadata);
    if (reqs.length === 0) throw new NativeInstallError(`${tfWheel} declares no "and-cuda" extra: this TensorFlow release does not take CUDA from PyPI.`);
    const cudaDir = path.join(downloads, 'cuda');
    step(log, `downloading ${reqs.length} CUDA wheels (several GB)`, tools.python, [...pipArgs.slice(0, -1), cudaDir, ...reqs], env, undefined, pipHint);
    for (const w of fs.readdirSync(cudaDir).filter((f) => f.endsWith('.whl'))) {
      cudaWheels.push(w);
      step(log, `extracting ${w}`, tools.python, ['-c', EXTRACT_PY, path.join(cudaDir, w), site, 'nvidia/'], env, undefined, 'Rerun with --force.');
    }
  }

  // libtensorflow_cc.so.2 is the C API; the binding links -ltensorflow -ltensorflow_framework.
  const tfLib = path.join(site, 'tensorflow');
  fs.symlinkSync('libtensorflow_cc.so.2', path.join(tfLib, 'libtensorflow.so'));
  fs.symlinkSync('libtensorflow_framework.so.2', path.join(tfLib, 'libtensorflow_framework.so'));

  // 3. tfjs-node's sources from the npm registry.
  const npm = (args: string[], cwd: string, what: string, hint: string): string =>
    step(log, what, tools.npm.command, [...tools.npm.prefixArgs, ...args], env, cwd, hint);
  const packed = npm(['pack', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`, '--pack-destination', downloads, '--silent'], base, `fetching @tensorflow/tfjs-node@${TFJS_NODE_VERSION} with npm pack`, 'Check that the npm registry is reachable (`npm ping`).').trim().split('\n').at(-1)!;
  step(log, 'unpacking it', tools.tar, ['-xzf', path.join(downloads, packed), '-C', base], env, undefined, '');
  fs.renameSync(path.join(base, 'package'), pkg);

  // Its runtime dependencies (node-pre-gyp finds the binding, progress, protobuf), without its install
  // script (the download we replace) and without its own copy of @tensorflow/tfjs: it must register
  // its backend on the kit's tfjs-core, found by Node's resolution further up from `.native/`.
  npm(['install', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error'], pkg, "installing tfjs-node's runtime npm dependencies", 'Check that the npm registry is reachable (`npm ping`).');
  fs.rmSync(path.join(pkg, 'node_modules', '@tensorflow'), { recursive: true, force: true });

  // 4. The binding: deps/lib points at the wheel's libraries (its rpath is $ORIGIN/../../deps/lib).
  const deps = path.join(pkg, 'deps');
  fs.mkdirSync(deps, { recursive: true });
  fs.symlinkSync(path.relative(deps, tfLib), path.join(deps, 'lib'));
  fs.symlinkSync(path.relative(deps, path.join(tfLib, 'include')), path.join(deps, 'include'));
  const gyp = (): SpawnSyncReturns<string> => {
    log('genlab native: compiling the binding with node-gyp (a minute or two)');
    return run(process.execPath, [
      tools.nodeGyp, 'rebuild', `--nodedir=${tools.nodeDir}`, `--python=${tools.python}`, '--',
      '-Dmodule_name=tfjs_binding', `-Dmodule_path=lib/napi-v${NAPI_VERSION}`, `-Dnapi_build_version=${NAPI_VERSION}`,
    ], { ...env, CXX: tools.compiler }, pkg);
  };
  let built = gyp();
  if (built.status !== 0 && /No such file or directory/.test(tail(built, 40)) && /fatal error: .*\.h/.test(tail(built, 40))) {
    // A later TensorFlow may include headers outside the folders above: take the whole include tree.
    log('genlab native: a header was missing; extracting all of the wheel\'s headers and retrying');
    step(log, 'extracting all headers', tools.python, ['-c', EXTRACT_PY, tfWheelPath, site, 'tensorflow/include/'], env, undefined, '');
    built = gyp();
  }
  if (built.status !== 0) {
    throw new NativeInstallError(`Compiling tfjs-node's binding failed (node-gyp exit ${built.status}):\n${tail(built, 25)}\nThe compiler must support C++17; see the lines above for the first error.`);
  }
  if (!fs.existsSync(binding)) throw new NativeInstallError(`node-gyp succeeded but ${binding} is missing.`);

  // 5. Free the disk the downloads take (pip keeps its own cache), then prove it loads and computes.
  fs.rmSync(downloads, { recursive: true, force: true });
  const record: InstallRecord = {
    variant,
    tensorflowWheel: tfWheel,
    cudaWheels,
    tfjsNode: TFJS_NODE_VERSION,
    node: process.versions.modules,
    napi: NAPI_VERSION,
    builtAt: new Date().toISOString(),
  };
  const check = run(process.execPath, ['-e', `
const tf = require(${JSON.stringify(pkg)});
const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync();
console.log(tf.getBackend(), tf.version['tfjs-node'], Array.from(y).join(','));`], { ...env, TF_CPP_MIN_LOG_LEVEL: '2' }, root);
  const got = check.stdout.trim().split('\n').at(-1) ?? '';
  if (check.status !== 0 || got !== `tensorflow ${TFJS_NODE_VERSION} 17,39`) {
    throw new NativeInstallError(`The build does not load or computes wrongly (expected "tensorflow ${TFJS_NODE_VERSION} 17,39", got "${got}"):\n${tail(check)}`);
  }
  fs.writeFileSync(path.join(base, 'install.json'), `${JSON.stringify(record, null, 2)}\n`);
  log(`genlab native: done. ${variant} backend from ${tfWheel} in ${pkg}; a 2x2 product on it gives [17, 39] as it should.`);
  log(
    variant === 'gpu'
      ? '  initBackend() now prefers it; GENLAB_BACKEND=wasm still forces wasm. Remove it with `rm -rf .native/gpu`.'
      : '  initBackend() uses it where a notebook\'s metadata.genlab.backend prefers tensorflow, or with GENLAB_BACKEND=tensorflow ' +
          '(CPU native is opt-in: slower than wasm on most of the kit\'s workloads, docs/native-backend.md). Remove it with `rm -rf .native/cpu`.',
  );
  return pkg;
}
