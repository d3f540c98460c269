/**
 * One call picks the tensor backend.
 *
 * Candidates, best first: `tensorflow` (libtensorflow: the checkout's own offline builds in `.native/gpu`,
 * then `.native/cpu`, made by `npm run native:install` (src/native/install.ts), or the npm packages
 * tfjs-node-gpu / tfjs-node), `wasm`, `cpu`. The npm packages' install downloads libtensorflow; on offline
 * machines npm skips them, and on Node 23+ or without the CUDA 11.2 libraries they are installed but fail
 * to load, so we fall back and say why.
 * `GENLAB_BACKEND` (or the `backend` option) forces a choice; an unknown or unavailable value is an error
 * that lists what is available.
 *
 * The automatic choice (`automaticRule`; issue 22: no workload may get slower because native was
 * installed, measured on every benchmark workload in docs/native-backend.md): a notebook's
 * `metadata.genlab.backend` preference (./notebook-backend.ts) decides where it states one; otherwise a
 * GPU build that loads is used, and a CPU build only if wasm fails, because on CPU the kit's wasm
 * kernels are faster on most workloads. CPU native is therefore opt-in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { installFastWasmMatMul } from './wasm-matmul';
import { installWasmTrainingKernels } from './wasm-kernels';
import { useThreadedWasm, wasmThreadsFromEnv } from './wasm-threads';
import { notebookBackendPreference, type NotebookBackendPreference } from './notebook-backend';

/** The backends the kit can run on, in order of preference. */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo {
  /** The tfjs backend now active. */
  name: BackendName;
  /** Which package provides it, e.g. `@tensorflow/tfjs-node-gpu`, `tfjs-node-cpu`, `@tensorflow/tfjs-backend-wasm`. */
  provider: string;
  /** Why this backend was chosen (and why better ones were not). */
  reason: string;
  /** Packages tried before this one, with the reason each was skipped. */
  skipped: { provider: string; reason: string }[];
}

export interface InitBackendOptions {
  /**
   * Force a backend. Overrides automatic choice; `GENLAB_BACKEND` is used when this is absent.
   * @default undefined (automatic)
   */
  backend?: BackendName;
  /**
   * Print the one-line announcement (only the first call in a process prints).
   * @default true
   */
  announce?: boolean;
}

/** A native build to try: a label for messages and what `require` loads. */
export interface NativeProvider {
  /** e.g. `.native/cpu` or `@tensorflow/tfjs-node-gpu`. */
  provider: string;
  /** A package name or an absolute folder. */
  specifier: string;
}

/**
 * The native builds, best first: GPU before CPU, and the checkout's own offline build before the npm
 * package of the same kind (its libtensorflow is 2.21, theirs 2.9). `tfjs-node-cpu` is an npm alias of
 * `@tensorflow/tfjs-node`. `GENLAB_NATIVE_DIR` replaces the checkout's `.native` folder.
 */
export function nativeProviders(env: NodeJS.ProcessEnv = process.env): NativeProvider[] {
  const dir = env['GENLAB_NATIVE_DIR'] || path.resolve(__dirname, '..', '..', '.native');
  return [
    { provider: '.native/gpu', specifier: path.join(dir, 'gpu', 'tfjs-node') },
    { provider: '@tensorflow/tfjs-node-gpu', specifier: '@tensorflow/tfjs-node-gpu' },
    { provider: '.native/cpu', specifier: path.join(dir, 'cpu', 'tfjs-node') },
    { provider: 'tfjs-node-cpu', specifier: 'tfjs-node-cpu' },
  ];
}

/**
 * Environment set for libtensorflow before it loads, where the user has not set it. Only the log
 * level: TensorFlow's INFO lines (CPU features) would fill every notebook's first output.
 *
 * The thread pools are deliberately left at TensorFlow's defaults (intra-op and inter-op pools sized
 * to the cores): measured on this kit's workloads (docs/native-backend.md), one intra-op thread made
 * native slower than wasm on RealNVP, and TensorFlow's default pools made it faster on every workload.
 * `TF_NUM_INTRAOP_THREADS` / `TF_NUM_INTEROP_THREADS` set by the user are respected.
 */
export function nativeEnvDefaults(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const set: Record<string, string> = {};
  const defaults: Record<string, string> = { TF_CPP_MIN_LOG_LEVEL: '1' };
  for (const [k, v] of Object.entries(defaults)) {
    if (env[k] === undefined || env[k] === '') {
      env[k] = v;
      set[k] = v;
    }
  }
  return set;
}

/** Whether a native provider (a `nativeProviders()` label) is a GPU build. */
export function isGpuProvider(provider: string): boolean {
  return provider.endsWith('/gpu') || provider.endsWith('-gpu');
}

/**
 * Why a CPU native build that is installed is not used automatically. The ratios are native/wasm from the
 * day's full `npm run bench` (docs/native-backend.md); they are why CPU native is opt-in.
 */
export const CPU_NATIVE_OPT_IN =
  'CPU native is opt-in: slower than wasm on 7 of the 12 bench workloads (MLP 0.65x, Bayesian MLP 0.37x, ' +
  'RealNVP 0.13x, small CNN 0.51x; docs/native-backend.md); a notebook\'s metadata.genlab.backend ' +
  '{"prefer": "tensorflow"}, or GENLAB_BACKEND=tensorflow, uses it';

/**
 * The automatic rule (issue 22: no workload may get slower because a native build was installed): whether
 * the automatic choice tries native build `provider` (a `nativeProviders()` label) before wasm, and why.
 *
 * - A notebook's stated preference (metadata.genlab.backend, ./notebook-backend.ts) decides for every build,
 *   GPU ones included: it is the notebook author's measurement, and the notebooks that prefer wasm were
 *   measured against CPU native only, so a GPU user forces native with GENLAB_BACKEND=tensorflow.
 * - Otherwise a GPU build is preferred: nobody installs one except to use the GPU.
 * - Otherwise a CPU build is not: on CPU the kit's WebAssembly SIMD kernels beat libtensorflow on most of
 *   the kit's workloads (`CPU_NATIVE_OPT_IN`), so CPU native is used before wasm only where a notebook
 *   asks for it, and after wasm only if wasm fails to load.
 *
 * Without `provider` the answer is for a CPU build: `npm run bench` asks this where each workload would run
 * with `npm run native:install`'s (CPU) build present.
 */
export function automaticRule(notebook: NotebookBackendPreference | null, provider = '.native/cpu'): { prefer: boolean; reason: string } {
  if (notebook !== null) {
    return {
      prefer: notebook.prefer === 'tensorflow',
      reason: `${path.basename(notebook.notebook)} prefers ${notebook.prefer} (metadata.genlab.backend): ${notebook.why}`,
    };
  }
  return isGpuProvider(provider)
    ? { prefer: true, reason: 'a GPU build is preferred whenever one loads' }
    : { prefer: false, reason: CPU_NATIVE_OPT_IN };
}

let current: BackendInfo | null = null;
let announced = false;

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200);
}

function nodeMajor(): number {
  return Number(process.versions.node.split('.')[0]);
}

/** Whether a native build is present (without loading it). */
function tryNativeInstalled({ specifier }: NativeProvider): boolean {
  if (path.isAbsolute(specifier)) return fs.existsSync(path.join(specifier, 'package.json'));
  try {
    require.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

/** Try to load one native build; returns null on success or the reason it cannot be used. */
function tryNative({ provider, specifier }: NativeProvider): string | null {
  const local = path.isAbsolute(specifier);
  if (local) {
    if (!fs.existsSync(path.join(specifier, 'package.json'))) {
      return provider.endsWith('gpu')
        ? 'not built (`npm run native:install -- --gpu` builds it, on a machine with an NVIDIA GPU)'
        : 'not built (`npm run native:install` builds it offline from PyPI)';
    }
  } else {
    try {
      require.resolve(specifier);
    } catch {
      return 'not installed (optional dependency; npm skips it where libtensorflow cannot be downloaded)';
    }
  }
  if (nodeMajor() >= 23 && !local) return `installed, but tfjs-node 4.22 does not load on Node ${process.versions.node} (needs Node <= 22)`;
  nativeEnvDefaults();
  try {
    require(specifier);
  } catch (e) {
    const hint = provider.includes('gpu') ? (local ? ' (its CUDA 12 libraries from PyPI need an NVIDIA driver)' : ' (the GPU build needs CUDA 11.2 and cuDNN 8.1 libraries)') : '';
    const rebuild = local ? '; rebuild it with `npm run native:install -- --force' + (provider.endsWith('gpu') ? ' --gpu`' : '`') : '';
    return `installed, but failed to load${hint}: ${errorText(e)}${rebuild}`;
  }
  if (!tf.engine().registryFactory['tensorflow']) {
    return 'loaded, but registered its backend on another copy of @tensorflow/tfjs-core (run `npm ls @tensorflow/tfjs-core`: one version expected)';
  }
  return null;
}

/**
 * Loads the best native build without activating it (tfjs-node registers the "tensorflow" backend as
 * it loads). Returns which one loaded, or null with the reasons each was skipped. `initBackend` is the
 * normal entry; this is for test preloads that must load the library before any test runs.
 */
export function loadNativeBackend(): { provider: string | null; skipped: { provider: string; reason: string }[] } {
  const skipped: { provider: string; reason: string }[] = [];
  for (const candidate of nativeProviders()) {
    const why = tryNative(candidate);
    if (why === null) return { provider: candidate.provider, skipped };
    skipped.push({ provider: candidate.provider, reason: why });
  }
  return { provider: null, skipped };
}

function requestedBackend(opt: BackendName | undefined): BackendName | undefined {
  const raw = opt ?? process.env['GENLAB_BACKEND'];
  if (raw === undefined || raw === '' || raw === 'auto') return undefined;
  if (!(BACKENDS as readonly string[]).includes(raw)) {
    throw new Error(
      `Unknown backend "${raw}" (from ${opt ? 'the backend option' : 'GENLAB_BACKEND'}). ` +
        `Use one of: ${BACKENDS.join(', ')}, or unset it for automatic choice.`,
    );
  }
  return raw as BackendName;
}

async function activate(name: BackendName): Promise<boolean> {
  if (name === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm');
    // GENLAB_WASM_THREADS=N|auto: the threaded build (src/runtime/wasm-threads.ts), before wasm first starts.
    const threads = wasmThreadsFromEnv();
    const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
    if (threads !== undefined && engine.registry['wasm'] === undefined) useThreadedWasm(threads);
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (ok && name === 'wasm') {
    installFastWasmMatMul();
    installWasmTrainingKernels();
  }
  return ok;
}

/**
 * Choose, load and activate the tensor backend. Idempotent: a second call with the same request
 * returns the active backend without reloading anything (safe in re-run notebook cells).
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const requested = requestedBackend(options.backend);
  if (current !== null && (requested === undefined || requested === current.name) && tf.getBackend() === current.name) {
    return current;
  }
  const skipped: { provider: string; reason: string }[] = [];
  let info: BackendInfo | null = null;

  // Automatic choice: the native builds the rule prefers (GPU ones, or all where the notebook asks for
  // native) before wasm, the rest only if wasm fails to load.
  const notebook = requested === undefined ? notebookBackendPreference() : null;
  const providers = nativeProviders();
  const first = providers.filter((c) => requested === 'tensorflow' || (requested === undefined && automaticRule(notebook, c.provider).prefer));
  const later = requested === undefined ? providers.filter((c) => !first.includes(c)) : [];
  const tryNativeBackends = async (candidates: NativeProvider[], reason: (c: NativeProvider) => string): Promise<void> => {
    for (const candidate of candidates) {
      const why = tryNative(candidate);
      if (why === null && (await activate('tensorflow'))) {
        info = { name: 'tensorflow', provider: candidate.provider, reason: reason(candidate), skipped };
        return;
      }
      skipped.push({ provider: candidate.provider, reason: why ?? 'tf.setBackend("tensorflow") failed' });
    }
  };
  await tryNativeBackends(first, (c) => (requested ? 'requested' : `best available (${automaticRule(notebook, c.provider).reason})`));
  if (info === null && requested === 'tensorflow') {
    throw new Error(
      `Backend "tensorflow" is not available: ${skipped.map((s) => `${s.provider}: ${s.reason}`).join('; ')}. ` +
        `Available here: wasm, cpu.`,
    );
  }
  // The later builds are not loaded now (loading one registers its backend): a built one is listed with
  // the rule's reason, and replaced by what really happened if wasm fails and it is tried after all.
  const provisional = skipped.length;
  let laterBuilt = false;
  if (info === null) {
    for (const candidate of later) {
      const built = tryNativeInstalled(candidate);
      laterBuilt ||= built;
      skipped.push({ provider: candidate.provider, reason: built ? automaticRule(notebook, candidate.provider).reason : tryNative(candidate)! });
    }
  }
  if (info === null && (requested === undefined || requested === 'wasm')) {
    try {
      if (await activate('wasm')) {
        const why = requested ? 'requested' : !laterBuilt ? 'no native build loads' : notebook ? 'preferred by the notebook' : 'preferred by the backend rule';
        info = { name: 'wasm', provider: '@tensorflow/tfjs-backend-wasm', reason: why, skipped };
      } else {
        skipped.push({ provider: '@tensorflow/tfjs-backend-wasm', reason: 'tf.setBackend("wasm") failed' });
      }
    } catch (e) {
      skipped.push({ provider: '@tensorflow/tfjs-backend-wasm', reason: errorText(e) });
    }
    if (info === null && requested === 'wasm') {
      throw new Error(`Backend "wasm" is not available: ${skipped.at(-1)?.reason}. Available here: cpu.`);
    }
  }
  if (info === null && later.length > 0) {
    skipped.splice(provisional, later.length);
    await tryNativeBackends(later, () => 'wasm does not load');
  }
  if (info === null) {
    await activate('cpu');
    info = { name: 'cpu', provider: '@tensorflow/tfjs-backend-cpu', reason: requested ? 'requested' : 'neither native nor wasm loads', skipped };
  }
  current = info;
  if (options.announce !== false && !announced) {
    announced = true;
    console.log(describeBackend(info));
  }
  return info;
}

/** One line: which backend and why, e.g. for a notebook's first output. */
export function describeBackend(info: BackendInfo): string {
  const why = info.skipped.length
    ? `${info.reason}; skipped ${info.skipped.map((s) => `${s.provider} (${s.reason})`).join(', ')}`
    : info.reason;
  return `genlab-ts: tensor backend "${info.name}" from ${info.provider}: ${why}`;
}

/** The backend chosen by the last `initBackend`, or null before it ran. */
export function currentBackend(): BackendInfo | null {
  return current;
}
