/**
 * The machine's second core for the largest SIMD kernels (the convolution passes of simd-conv.ts).
 *
 * The kit's wasm backend runs on one thread: its memory is a plain ArrayBuffer, which no other thread can
 * see, and tfjs's threaded build (wasm-threads.ts) made the small models slower. The residual CNN and the
 * U-Net spend 60-75% of a step in convolutions already at ~85% of one core's 4-lane SIMD peak, so the
 * only way left to speed them up is a second core. One worker thread instantiates the same kernels
 * (simd/kernels.wat, assembled with a `shared` memory import) on a shared `WebAssembly.Memory` of its own.
 * For one pass the main thread copies the worker's share of the inputs into that memory, posts the list
 * of kernel calls, computes its own share in place on the backend's memory, waits, and copies the worker's
 * output back. Hand-over is by `Atomics.wait`/`notify` on a shared control block, so a kernel stays
 * synchronous, as tfjs requires.
 *
 * Off where there is one core, or with `GENLAB_SECOND_CORE=0` (for A/B measurements); callers then run
 * the same calls on the main thread, so results do not depend on the core count (simd-conv.ts).
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { KERNELS_SHARED_WASM_BASE64 } from './simd-kernels-module';
import type { WasmMemory } from './simd-kernels';

/** The kernel functions the worker can call, by index. All take only i32 arguments (at most 16). */
export const WORKER_FUNCTIONS = ['conv_filter_tap', 'conv_input_tap', 'conv_forward_tap'] as const;
export type WorkerFunction = (typeof WORKER_FUNCTIONS)[number];

// Control block (Int32Array over a SharedArrayBuffer): [0] state, [1] call count, [2] zero start (bytes),
// [3] zero length (bytes), [4] ready flag; calls from CALLS_AT, each a function index and 16 arguments.
const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const FAILED = 3;
/** Set by begin(): a job is coming; the worker wakes while the main thread copies its inputs. */
const WAKE = 4;
const SPIN_AFTER_JOB_MS = 2;
const SPIN_AFTER_WAKE_MS = 50;
/** The main thread spins this long for the worker's answer before it sleeps. */
const MAIN_SPIN_MS = 50;
const CALLS_AT = 8;
const CALL_INTS = 17;
/** Calls per job: a 7x7 filter has 49 taps. */
export const MAX_CALLS = 64;
const MESSAGE_CHARS = 1024;
const PAGE = 65536;
/** Shared memory limit: 1 GiB (the module declares up to 4 GiB). */
const MAX_PAGES = 16384;

// The worker, as source text (it must not depend on how the kit was loaded: dist/ or tsx).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, bytes, control, message, names } = workerData;
const ctl = new Int32Array(control);
const msg = new Uint16Array(message);
function fail(e) {
  const text = String(e && e.stack || e).slice(0, msg.length - 1);
  for (let i = 0; i < text.length; i++) msg[i] = text.charCodeAt(i);
  msg[text.length] = 0;
}
let fns = null;
try {
  const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  fns = names.map((n) => ex[n]);
  Atomics.store(ctl, 4, 1);
} catch (e) {
  fail(e);
  Atomics.store(ctl, 4, 2);
}
Atomics.notify(ctl, 4);
// Sleeping and waking a core costs ~0.3 ms on a virtual machine (measured: a training step's jobs waited
// 5 ms for it), so the worker spins a little after each job and after the main thread's early wake-up.
let spinUntil = 0;
while (fns !== null) {
  const state = Atomics.load(ctl, 0);
  if (state === ${POSTED}) {
    try {
      // Whole words: a byte fill of shared memory measured 8x slower than a float64 one (on the main thread;
      // in this worker it made the forward and input passes 30-100% slower than the main thread's half).
      if (ctl[3] > 0) new Float64Array(memory.buffer, ctl[2], ctl[3] >> 3).fill(0);
      for (let i = 0, n = ctl[1]; i < n; i++) {
        const o = ${CALLS_AT} + i * ${CALL_INTS};
        fns[ctl[o]](ctl[o + 1], ctl[o + 2], ctl[o + 3], ctl[o + 4], ctl[o + 5], ctl[o + 6], ctl[o + 7], ctl[o + 8],
          ctl[o + 9], ctl[o + 10], ctl[o + 11], ctl[o + 12], ctl[o + 13], ctl[o + 14], ctl[o + 15], ctl[o + 16]);
      }
      Atomics.store(ctl, 0, ${DONE});
    } catch (e) {
      fail(e);
      Atomics.store(ctl, 0, ${FAILED});
    }
    Atomics.notify(ctl, 0);
    spinUntil = performance.now() + ${SPIN_AFTER_JOB_MS};
    continue;
  }
  if (performance.now() < spinUntil) continue;
  Atomics.wait(ctl, 0, state);
  if (Atomics.load(ctl, 0) === ${WAKE}) spinUntil = performance.now() + ${SPIN_AFTER_WAKE_MS};
}
`;

interface SharedMemoryCtor {
  new (desc: { initial: number; maximum: number; shared: true }): WasmMemory & { grow(pages: number): number };
}

/** One worker with its shared memory; jobs are built with begin/copyIn/zeroed/call, then start and wait. */
export class SecondCore {
  private readonly worker: Worker;
  private readonly memory: WasmMemory & { grow(pages: number): number };
  private readonly ctl: Int32Array;
  private readonly msg: Uint16Array;
  private top = 0;
  private calls = 0;
  private running = false;
  /** Jobs the worker has finished (tests check that a pass reached it). */
  jobs = 0;

  private constructor() {
    const WA = (globalThis as unknown as { WebAssembly: { Memory: SharedMemoryCtor } }).WebAssembly;
    this.memory = new WA.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    const control = new SharedArrayBuffer(4 * (CALLS_AT + MAX_CALLS * CALL_INTS));
    const message = new SharedArrayBuffer(2 * MESSAGE_CHARS);
    this.ctl = new Int32Array(control);
    this.msg = new Uint16Array(message);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { memory: this.memory, bytes: Buffer.from(KERNELS_SHARED_WASM_BASE64, 'base64'), control, message, names: [...WORKER_FUNCTIONS] },
    });
    // Never keep a notebook kernel or a script alive for the worker's sake.
    this.worker.unref();
    // The worker starts on its own thread, so a synchronous wait for it is safe.
    if (Atomics.wait(this.ctl, 4, 0, 10000) === 'timed-out' || Atomics.load(this.ctl, 4) !== 1) {
      const why = Atomics.load(this.ctl, 4) === 0 ? 'did not start within 10 s' : this.message();
      void this.worker.terminate();
      throw new Error(`second-core worker: ${why}`);
    }
  }

  /** Start a job: forget the previous job's memory layout and calls. */
  begin(): void {
    if (this.running) throw new Error('second-core worker: begin() while a job is running; wait() first');
    this.top = 0;
    this.calls = 0;
    this.ctl[2] = 0;
    this.ctl[3] = 0;
    Atomics.store(this.ctl, 0, WAKE);
    Atomics.notify(this.ctl, 0);
  }

  /** Reserve bytes (16-byte aligned) in the shared memory, growing it; returns the offset. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = at + ((bytes + 15) & ~15);
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      const pages = Math.ceil((this.top - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new Error(`second-core worker: a job needs ${this.top} bytes, over the 1 GiB limit`);
      this.memory.grow(pages);
    }
    return at;
  }

  /** Copy bytes from `src` (e.g. the backend's heap) at `offset` into new shared memory; returns its offset. */
  copyIn(src: Uint8Array, offset: number, bytes: number): number {
    const at = this.alloc(bytes);
    this.bytes().set(src.subarray(offset, offset + bytes), at);
    return at;
  }

  /** New shared memory that the worker zeroes before its calls (one such region per job). */
  zeroed(bytes: number): number {
    if (this.ctl[3] !== 0) throw new Error('second-core worker: one zeroed region per job');
    const at = this.alloc(bytes);
    this.ctl[2] = at;
    this.ctl[3] = (bytes + 15) & ~15; // alloc keeps 16-byte steps, so whole float64 words
    return at;
  }

  /** Queue one kernel call (i32 arguments, pointers into the shared memory). */
  call(fn: WorkerFunction, args: readonly number[]): void {
    if (this.calls >= MAX_CALLS) throw new Error(`second-core worker: more than ${MAX_CALLS} calls in one job`);
    if (args.length > CALL_INTS - 1) throw new Error(`second-core worker: ${fn} given ${args.length} arguments (at most 16)`);
    const o = CALLS_AT + this.calls * CALL_INTS;
    this.ctl[o] = WORKER_FUNCTIONS.indexOf(fn);
    for (let i = 0; i < CALL_INTS - 1; i++) this.ctl[o + 1 + i] = args[i] ?? 0;
    this.calls++;
  }

  /** Hand the queued calls to the worker; it runs them while this thread goes on. */
  start(): void {
    this.ctl[1] = this.calls;
    this.running = true;
    Atomics.store(this.ctl, 0, POSTED);
    Atomics.notify(this.ctl, 0);
  }

  /** Block until the worker has finished; an error in the worker is thrown here, with its message. */
  wait(): void {
    const t0 = Date.now();
    const spin = performance.now() + MAIN_SPIN_MS;
    while (Atomics.load(this.ctl, 0) === POSTED && performance.now() < spin);
    while (Atomics.load(this.ctl, 0) === POSTED) {
      Atomics.wait(this.ctl, 0, POSTED, 1000);
      if (Date.now() - t0 > 600_000) throw new Error('second-core worker: no answer for 10 minutes');
    }
    this.running = false;
    const state = Atomics.load(this.ctl, 0);
    Atomics.store(this.ctl, 0, IDLE);
    this.jobs++;
    if (state === FAILED) throw new Error(`second-core worker failed: ${this.message()}`);
  }

  /** The shared memory as bytes (a fresh view: the memory may have grown). */
  bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  private message(): string {
    let s = '';
    for (let i = 0; i < this.msg.length && this.msg[i] !== 0; i++) s += String.fromCharCode(this.msg[i]!);
    return s;
  }

  private static instance: SecondCore | null | undefined;
  private static failure: string | null = null;

  /**
   * The worker, started on first use; null with one core, with GENLAB_SECOND_CORE=0, or when it cannot
   * start (then `SecondCore.unavailable()` says why, and callers run everything on the main thread).
   */
  static get(): SecondCore | null {
    if (SecondCore.instance !== undefined) return SecondCore.instance;
    SecondCore.instance = null;
    if (!secondCoreWanted()) return null;
    try {
      SecondCore.instance = new SecondCore();
    } catch (e) {
      SecondCore.failure = e instanceof Error ? e.message : String(e);
    }
    return SecondCore.instance;
  }

  /** Why the worker could not start, or null. */
  static unavailable(): string | null {
    return SecondCore.failure;
  }
}

/** Whether to use a second core: at least two available and not switched off by GENLAB_SECOND_CORE=0. */
export function secondCoreWanted(env: NodeJS.ProcessEnv = process.env, cores: number = availableCores()): boolean {
  return env['GENLAB_SECOND_CORE'] !== '0' && cores >= 2;
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
