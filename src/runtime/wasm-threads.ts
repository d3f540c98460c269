/**
 * Multithreaded `wasm` in Node.
 *
 * `@tensorflow/tfjs-backend-wasm` ships a threaded SIMD build (XNNPACK over a pthreadpool of Web
 * Workers) but never uses it in Node, for three separate reasons, each fixed here:
 *
 * 1. Its feature flag `WASM_HAS_MULTITHREAD_SUPPORT` returns false whenever `IS_NODE` (tfjs issue 3830),
 *    so `init()` always picks the single-threaded build. We register our own `wasm` backend factory
 *    that loads the threaded build directly (the same `BackendWasm` class, the same registered kernels).
 * 2. When forced, the bundle hands Emscripten its worker script and main script as `Blob` URLs, which
 *    `worker_threads` cannot open; and `wasm-out/*.worker.js` on disk is a CommonJS module that only
 *    *exports* the worker source as a string. We write that source (with `\n` escaped, as the bundle
 *    does) to a file in the temp directory and give Emscripten real file paths for both scripts.
 * 3. Even then `getThreadsCount()` reports 1: the C++ side caps the pool at
 *    `emscripten_num_logical_cores() / 2` ("x86 has 2 hyperthreads per core"), which is 1 on a 2-core
 *    machine whatever `setThreadsCount` asks for. We answer that import with `2 * threads`, so the cap
 *    equals the count requested.
 *
 * Node's event loop: Emscripten `unref()`s its idle pool workers, so while they load nothing keeps the
 * loop alive (a script awaiting `tf.setBackend('wasm')` would just exit); we hold a timer until the
 * module is ready. Conversely a worker running a pool thread is ref'd and would keep Node from ever
 * exiting; we unref those once the pool exists.
 *
 * Whether threads pay off depends on the machine: two threads need two idle cores. `npm run bench`
 * measures 1 vs N threads in separate processes and prints the ratio; the kit keeps the single-threaded
 * build unless `GENLAB_WASM_THREADS` asks for threads.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHash } from 'crypto';
import * as tf from '@tensorflow/tfjs';

/** What a threaded wasm backend was set up with. */
export interface WasmThreadsSetup {
  /** Threads asked for (the pool size XNNPACK is created with). */
  requested: number;
  /** Where the worker script was written. */
  workerScript: string;
}

/** The minimal shape of the Emscripten module the backend needs (see backend_wasm.js `init`). */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, (...a: number[]) => number>;
  PThread?: { runningWorkers?: { unref?: () => void }[]; unusedWorkers?: { unref?: () => void }[] };
}

/** The two WebAssembly calls we need (the project's `lib` has no WebAssembly types). */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type ModuleFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

interface WasmPackage {
  BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

const BACKEND_NAME = 'wasm';
/** tfjs-backend-wasm registers `wasm` with priority 2; keep it. */
const WASM_PRIORITY = 2;
/** The C++ side pre-creates 8 workers and caps the pool there (backend.cc `max_num_threads`). */
export const MAX_WASM_THREADS = 8;

function wasmPackage(): WasmPackage {
  return require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
}

function wasmOutDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/**
 * Write the pthread worker's source to a file Node's `Worker` can open. The name carries a hash of the
 * content, so concurrent processes write identical files and never read a half-written one (we write to
 * a unique name and rename).
 */
function writeWorkerScript(dir: string): string {
  const exported = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The bundle escapes newlines the same way before making its Blob: the source holds "\n" inside
  // string literals that the template literal turned into real line breaks.
  const source = exported.wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `genlab-ts-wasm-pthread-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.${Date.now()}`;
    fs.writeFileSync(tmp, source);
    fs.renameSync(tmp, file);
  }
  return file;
}

/** Load the threaded SIMD build with a pool of `threads` and wrap it the way backend_wasm.js does. */
async function loadThreadedModule(threads: number, workerScript: string): Promise<EmscriptenModule> {
  const dir = wasmOutDir();
  const mainScript = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const binary = path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm');
  const factory = require(mainScript) as ModuleFactory;
  let failInstantiate: (e: unknown) => void = () => undefined;
  const instantiateFailed = new Promise<never>((_, reject) => {
    failInstantiate = reject;
  });
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const module = await Promise.race([
      factory({
        mainScriptUrlOrBlob: mainScript,
        locateFile: (file: string) => (file.endsWith('.worker.js') ? workerScript : path.join(dir, file)),
        instantiateWasm: (
          imports: { env: Record<string, unknown> },
          receive: (instance: object, module: object) => void,
        ) => {
          // backend.cc: pool size = min(requested, emscripten_num_logical_cores() / 2).
          imports.env['emscripten_num_logical_cores'] = () => 2 * threads;
          WebAssemblyApi.instantiate(fs.readFileSync(binary), imports)
            .then((r) => receive(r.instance, r.module))
            .catch(failInstantiate);
          return {};
        },
      }),
      instantiateFailed,
    ]);
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    return module;
  } finally {
    clearInterval(keepAlive);
  }
}

/** The number of cores Node sees. */
export function availableCores(): number {
  const osWithParallelism = os as typeof os & { availableParallelism?: () => number };
  return osWithParallelism.availableParallelism?.() ?? os.cpus().length;
}

/**
 * Make the `wasm` backend use the threaded SIMD build with `threads` workers. Call before the `wasm`
 * backend is first initialised (before `tf.setBackend('wasm')` / `initBackend`); it throws if `wasm` is
 * already running, because a process cannot swap its wasm module.
 * @param threads pool size, 1..8. @default the number of cores
 */
export function useThreadedWasm(threads: number = availableCores()): WasmThreadsSetup {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`useThreadedWasm: threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}.`);
  }
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  if (engine.registry[BACKEND_NAME] !== undefined) {
    throw new Error(
      'useThreadedWasm: the wasm backend is already initialised in this process; call it before ' +
        'tf.setBackend("wasm") / initBackend() (e.g. set GENLAB_WASM_THREADS before starting Node).',
    );
  }
  const pkg = wasmPackage(); // registers the wasm kernels
  const workerScript = writeWorkerScript(wasmOutDir());
  pkg.setThreadsCount(threads);
  if (tf.findBackendFactory(BACKEND_NAME) !== null) tf.removeBackend(BACKEND_NAME);
  tf.registerBackend(
    BACKEND_NAME,
    async () => {
      const module = await loadThreadedModule(threads, workerScript);
      const backend = new pkg.BackendWasm(module); // creates the pthreadpool: its workers start running
      // A running pthread's worker is ref'd, so Node would never exit on its own; the pool threads only
      // wait for work from the main thread, so they must not keep the process alive.
      for (const w of [...(module.PThread?.runningWorkers ?? []), ...(module.PThread?.unusedWorkers ?? [])]) w.unref?.();
      return backend;
    },
    WASM_PRIORITY,
  );
  return { requested: threads, workerScript };
}

/**
 * Threads requested through `GENLAB_WASM_THREADS`: a count, `auto` (= cores), or unset / `0` / `1`
 * for the single-threaded build (undefined).
 */
export function wasmThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = (env['GENLAB_WASM_THREADS'] ?? '').trim();
  if (raw === '' || raw === '0' || raw === '1') return undefined;
  if (raw === 'auto') return Math.min(availableCores(), MAX_WASM_THREADS);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new Error(`GENLAB_WASM_THREADS must be "auto" or an integer from 1 to ${MAX_WASM_THREADS}, got "${raw}".`);
  }
  return n;
}

/** The XNNPACK pool size of the running wasm backend (1 for the single-threaded build). */
export function wasmThreadsCount(): number {
  return wasmPackage().getThreadsCount();
}
