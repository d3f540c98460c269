/**
 * `npm run bench`: training speed of the kit on every backend available here, before and after the
 * offline-path work, against the native TensorFlow backend where it loads, and against PyTorch at 1 thread and
 * at all cores (GENLAB_TORCH_PYTHON, else /opt/torch-venv, else Debian's python3-torch, labelled as such).
 *
 *   npm run bench                      full run (about 8-10 minutes on 2 shared cores)
 *   npm run bench -- --quick           fewer and shorter runs (about 2-3 minutes)
 *   npm run bench -- --only vae,matmul sections or workloads by name (matmul, threads, torch, and
 *                                      rescnn, unet, gan, transformer,
 *                                      mlp, bnn, vae, vae2d, flows, rbm, diffusion, cnn)
 *   npm run bench -- --out FILE        JSON path (default build/bench/results.json)
 *
 * Variants timed interleaved run by run, so each ratio comes from the same minutes:
 *   wasm-stock  tfjs-backend-wasm as shipped (stock BatchMatMul transposes, no Conv2DBackpropFilter) and
 *               tf.train.adam's op chain
 *   wasm        with src/runtime/wasm-matmul.ts, wasm-kernels.ts, wasm-heap-kernels.ts and the fused Adam
 *               kernel (adam-kernel.ts): what initBackend and the Trainer set up
 *   cpu         @tensorflow/tfjs-backend-cpu
 *   torch, torch-all  each workload's PyTorch twin (torch_workloads.py) at 1 thread and at all cores, in a
 *               persistent worker process (torch-worker.ts) that times its own bursts between the kit's
 *   tensorflow  the native backend, when a build loads
 * and, in child processes (a process cannot swap its wasm module), the threaded wasm build with 1 and
 * with N threads (src/runtime/wasm-threads.ts).
 *
 * Numbers are medians over runs with [min-max]. Run it under `genlab-heavy` on the shared machine.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as tf from '@tensorflow/tfjs';
import { automaticRule, initBackend, loadNativeBackend } from '../../src/runtime/backend';
import { notebookBackendPreference } from '../../src/runtime/notebook-backend';
import { installFastWasmMatMul, uninstallFastWasmMatMul } from '../../src/runtime/wasm-matmul';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/runtime/wasm-kernels';
import { setFusedAdamEnabled } from '../../src/runtime/adam-kernel';
import { availableCores, useThreadedWasm, wasmThreadsCount } from '../../src/runtime/wasm-threads';
import { WORKLOADS, workloadRng, type Workload } from './workloads';
import { NEXT_WORKLOADS } from './workloads-next';
import { stat, timeInterleaved, timeWorkload, type ExternalVariant, type Settings, type Stat, type Variant, type WorkloadRun } from './measure';
import { TorchWorker } from './torch-worker';

const root = path.resolve(__dirname, '../..');

interface Args {
  quick: boolean;
  only: string[] | null;
  out: string;
  childThreads: number | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: null, out: path.join(root, 'build/bench/results.json'), childThreads: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--only') args.only = next().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--out') args.out = path.resolve(next());
    else if (a === '--child-threads') args.childThreads = Number(next());
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`Unknown argument ${a}; see --help`);
  }
  const known = new Set(['matmul', 'threads', 'torch', ...WORKLOADS.map((w) => w.name)]);
  for (const o of args.only ?? []) {
    if (!known.has(o)) throw new Error(`--only ${o}: unknown; use some of ${[...known].join(', ')}`);
  }
  return args;
}

const settingsFor = (quick: boolean): Settings => (quick ? { runs: 3, runSeconds: 0.4 } : { runs: 5, runSeconds: 1.0 });

// ---------------------------------------------------------------------------------------------------
// Variants

async function useWasm(fast: boolean): Promise<void> {
  if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
  // wasm-stock is tfjs as shipped: stock kernels and tf.train.adam's op chain (the GAN's too).
  setFusedAdamEnabled(fast);
  if (fast) {
    installFastWasmMatMul();
    installWasmTrainingKernels();
  } else {
    uninstallFastWasmMatMul();
    uninstallWasmTrainingKernels();
  }
}

const WASM_STOCK: Variant = { name: 'wasm-stock', apply: () => useWasm(false) };
const WASM_FAST: Variant = { name: 'wasm', apply: () => useWasm(true) };
const CPU: Variant = {
  name: 'cpu',
  apply: async () => {
    if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  },
};

// ---------------------------------------------------------------------------------------------------
// Matrix products: the shapes the workloads use, forward (x·W) and both backward products.

interface MatMulShape {
  /** Which model uses it. */
  use: string;
  batch: number;
  m: number;
  k: number;
  n: number;
}

const MATMUL_SHAPES: MatMulShape[] = [
  { use: 'mlp/vae encoder', batch: 1, m: 128, k: 784, n: 512 },
  { use: 'vae decoder', batch: 1, m: 128, k: 512, n: 784 },
  { use: 'rbm', batch: 1, m: 100, k: 784, n: 64 },
  { use: 'diffusion', batch: 1, m: 512, k: 128, n: 128 },
  { use: 'flows', batch: 1, m: 256, k: 64, n: 64 },
  { use: 'bnn (K=8 samples)', batch: 8, m: 256, k: 32, n: 32 },
];

/**
 * For y = x·W with x [m, k], W [k, n]: forward `NN` = x·W; backward `TN` = dW = xᵀ·dy ([k, m]·[m, n]);
 * `NT` = dx = dy·Wᵀ ([m, n]·[n, k]). All three cost 2·m·k·n flops.
 */
const PRODUCTS = [
  { name: 'fwd x·W', tA: false, tB: false, a: (s: MatMulShape) => [s.m, s.k], b: (s: MatMulShape) => [s.k, s.n] },
  { name: 'dW xᵀ·dy', tA: true, tB: false, a: (s: MatMulShape) => [s.m, s.k], b: (s: MatMulShape) => [s.m, s.n] },
  { name: 'dx dy·Wᵀ', tA: false, tB: true, a: (s: MatMulShape) => [s.m, s.n], b: (s: MatMulShape) => [s.k, s.n] },
] as const;

interface MatMulResult {
  shape: MatMulShape;
  product: string;
  gflops: Record<string, Stat>;
}

async function benchMatMul(settings: Settings, variants: Variant[], shapes = MATMUL_SHAPES): Promise<MatMulResult[]> {
  const out: MatMulResult[] = [];
  for (const s of shapes) {
    for (const p of PRODUCTS) {
      const flops = 2 * s.batch * s.m * s.k * s.n;
      const tensors: tf.Tensor[] = [];
      const stats = await timeInterleaved(
        variants,
        async () => {
          const lead = s.batch > 1 ? [s.batch] : [];
          const a = tf.randomNormal([...lead, ...p.a(s)], 0, 1, 'float32', 1);
          const b = tf.randomNormal([...lead, ...p.b(s)], 0, 1, 'float32', 2);
          tensors.push(a, b);
          return async (units: number) => {
            for (let i = 0; i < units; i++) tf.matMul(a, b, p.tA, p.tB).dispose();
          };
        },
        { ...settings, runSeconds: settings.runSeconds / 3 },
      );
      tf.dispose(tensors);
      const gflops: Record<string, Stat> = {};
      for (const [k, v] of stats) gflops[k] = stat(v.runs.map((r) => (r * flops) / 1e9));
      out.push({ shape: s, product: p.name, gflops });
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The native TensorFlow backend (h2/native's build), as a column of its own when it loads here.

const results0: { native: string } = { native: 'not checked' };

function nativeVariant(): Variant | null {
  // The same search as initBackend: the checkout's offline build (.native/, `npm run native:install`)
  // first, then the npm packages.
  const loaded = loadNativeBackend();
  if (loaded.provider === null || tf.findBackendFactory('tensorflow') === null) {
    results0.native = `not installed or does not load (${loaded.skipped.map((s) => `${s.provider}: ${s.reason.slice(0, 80)}`).join('; ')})`;
    return null;
  }
  results0.native = `tensorflow (${loaded.provider})`;
  return {
    name: 'tensorflow',
    apply: async () => {
      if (tf.getBackend() !== 'tensorflow') await tf.setBackend('tensorflow');
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Threads: child processes, each with its own wasm module.

interface ThreadsChildResult {
  requested: number;
  threads: number;
  matmulGflops: Stat;
  workloads: Record<string, Stat>;
}

async function threadsChild(n: number, quick: boolean): Promise<void> {
  if (n > 1) useThreadedWasm(n);
  else require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  installFastWasmMatMul();
  installWasmTrainingKernels();
  const settings = settingsFor(quick);
  const mm = await benchMatMul(settings, [WASM_FAST], [MATMUL_SHAPES[0]!]);
  const fwd = mm.find((r) => r.product === PRODUCTS[0].name)!.gflops['wasm']!;
  const workloads: Record<string, Stat> = {};
  for (const name of ['mlp', 'vae', 'diffusion']) {
    const w = WORKLOADS.find((x) => x.name === name)!;
    const r = (await timeWorkload(w, [WASM_FAST], settings, () => workloadRng(w.name))).get('wasm')!;
    if ('stepsPerSec' in r) workloads[name] = r.stepsPerSec;
  }
  const result: ThreadsChildResult = { requested: n, threads: wasmThreadsCount(), matmulGflops: fwd, workloads };
  console.log(`THREADS_RESULT ${JSON.stringify(result)}`);
}

function runThreadsChild(n: number, quick: boolean): ThreadsChildResult | { error: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child-threads', String(n), ...(quick ? ['--quick'] : [])], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, GENLAB_WASM_THREADS: '' },
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('THREADS_RESULT '));
  if (r.status !== 0 || line === undefined) return { error: `child exited ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${r.stderr.slice(-300)}` };
  return JSON.parse(line.slice('THREADS_RESULT '.length)) as ThreadsChildResult;
}

// ---------------------------------------------------------------------------------------------------
// PyTorch (optional)

interface TorchResult {
  available: boolean;
  note: string;
  version?: string;
  threads?: number;
  blas?: string;
  workloads?: Record<string, Stat>;
  matmul?: { use: string; product: string; gflops: Stat }[];
}

/**
 * The Python with PyTorch to compare against: `GENLAB_TORCH_PYTHON`, else the venv the README makes
 * (/opt/torch-venv, or .venv-torch in the repository), else Debian's /usr/bin/python3 (python3-torch,
 * an old release on the reference BLAS: labelled as such, because it flatters the kit).
 */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env): { python: string; source: string } | { error: string } {
  const forced = env['GENLAB_TORCH_PYTHON'];
  if (forced) {
    if (!fs.existsSync(forced)) return { error: `GENLAB_TORCH_PYTHON=${forced} does not exist; point it at a venv's bin/python with torch installed` };
    return { python: forced, source: 'GENLAB_TORCH_PYTHON' };
  }
  for (const p of ['/opt/torch-venv/bin/python', path.join(root, '.venv-torch/bin/python')]) {
    if (fs.existsSync(p)) return { python: p, source: 'venv' };
  }
  if (fs.existsSync('/usr/bin/python3')) return { python: '/usr/bin/python3', source: 'system' };
  return { error: 'no Python with torch found: make one (README, "Performance") or set GENLAB_TORCH_PYTHON' };
}

/** The persistent PyTorch worker for the interleaved workload runs, or why there is none. */
async function startTorchWorker(): Promise<{ worker: TorchWorker; note: string } | { note: string }> {
  const found = findTorchPython();
  if ('error' in found) return { note: `${found.error}: PyTorch comparison skipped` };
  const worker = new TorchWorker(found.python);
  try {
    const i = await worker.info();
    return { worker, note: `torch ${i.version} (${i.origin}; ${found.python}), 1 thread and ${availableCores()} threads, BLAS ${i.blas}` };
  } catch (e) {
    worker.close();
    const hint = found.source === 'system' ? 'python3 -m venv /opt/torch-venv && /opt/torch-venv/bin/pip install torch numpy' : 'pip install torch numpy into it';
    return { note: `${found.python} cannot run the torch worker (${e instanceof Error ? e.message.slice(-200) : String(e)}); ${hint}: PyTorch comparison skipped` };
  }
}

function runTorch(quick: boolean, only: string[], threads: number): TorchResult {
  const found = findTorchPython();
  if ('error' in found) return { available: false, note: `${found.error}: PyTorch comparison skipped` };
  const python = found.python;
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const hint = found.source === 'system' ? 'python3 -m venv /opt/torch-venv && /opt/torch-venv/bin/pip install torch numpy' : 'pip install torch numpy into it';
    return { available: false, note: `${python} cannot import torch (${probe.stderr.trim().split('\n').at(-1) ?? ''}); ${hint}: PyTorch comparison skipped` };
  }
  const script = path.join(__dirname, 'torch_workloads.py');
  const r = spawnSync(python, [script, '--json', '--threads', String(threads), ...(quick ? ['--quick'] : []), ...(only.length ? ['--only', only.join(',')] : [])], {
    encoding: 'utf8',
    timeout: 900_000,
    maxBuffer: 1 << 24,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('TORCH_RESULT '));
  if (r.status !== 0 || line === undefined) {
    return { available: false, note: `torch_workloads.py failed (exit ${r.status}): ${r.stderr.slice(-400)}` };
  }
  const parsed = JSON.parse(line.slice('TORCH_RESULT '.length)) as Omit<TorchResult, 'available' | 'note'> & { origin: string };
  return {
    available: true,
    note: `torch ${parsed.version} (${parsed.origin}; ${python}), ${parsed.threads} thread(s), BLAS ${parsed.blas}`,
    ...parsed,
  };
}

// ---------------------------------------------------------------------------------------------------
// Report

const f = (x: number, digits = 3): string => {
  if (!Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(digits - 1);
};
const fs3 = (s: Stat | undefined): string => (s ? `${f(s.median)} [${f(s.min)}-${f(s.max)}]` : '-');
const ratio = (a: Stat | undefined, b: Stat | undefined): string => (a && b ? `${f(a.median / b.median)}x` : '-');

/** Ratio of medians with the spread of run-by-run ratios (runs were interleaved, so pairs are comparable). */
function pairedRatio(a: Stat | undefined, b: Stat | undefined): Stat | undefined {
  if (!a || !b || a.runs.length !== b.runs.length) return undefined;
  return stat(a.runs.map((x, i) => x / b.runs[i]!));
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * Where a workload runs once the native CPU build is installed: its notebook's preference (metadata.genlab.backend),
 * else the automatic rule (wasm); and its speed there against wasm (1 when that is wasm). Issue 22: no workload slower.
 */
function installedPick(w: Workload, nat: Stat | undefined, wasm: Stat | undefined, picks: { name: string; ratio: number | null }[]): string {
  const file = w.notebookFile === null ? undefined : path.join(root, 'notebooks', `${w.notebookFile}.ipynb`);
  const pref = file === undefined ? null : notebookBackendPreference({}, file);
  const onNative = automaticRule(pref).prefer;
  const why = pref === null ? 'rule' : 'notebook';
  if (!onNative) {
    picks.push({ name: w.name, ratio: null });
    return `wasm (${why}), 1`;
  }
  const r = pairedRatio(nat, wasm);
  if (r === undefined) return `native (${why}), -`;
  picks.push({ name: w.name, ratio: r.median });
  return `native (${why}), ${f(r.median)}x`;
}

function machine(): Record<string, unknown> {
  const pkg = (name: string): string => {
    try {
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  };
  return {
    cores: availableCores(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    tfjs: pkg('@tensorflow/tfjs'),
    tfjsBackendWasm: pkg('@tensorflow/tfjs-backend-wasm'),
    tfjsNode: pkg('tfjs-node-cpu'),
    loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.childThreads !== null) return threadsChild(args.childThreads, args.quick);

  const t0 = Date.now();
  const settings = settingsFor(args.quick);
  const wants = (name: string): boolean => args.only === null || args.only.includes(name);
  const workloads = WORKLOADS.filter((w) => wants(w.name));
  const info = await initBackend({ backend: 'wasm', announce: false });
  if (info.name !== 'wasm') throw new Error('the benchmark needs the wasm backend');
  const native = nativeVariant();
  const m = machine();
  console.log(`genlab-ts bench ${args.quick ? '(quick)' : '(full)'}: ${m['cores']} cores (${m['cpu']}), Node ${m['node']}, ` +
    `tfjs ${m['tfjs']}, tfjs-backend-wasm ${m['tfjsBackendWasm']}, tfjs-node ${m['tfjsNode']}, load average ${(m['loadAverageAtStart'] as number[]).join(' ')}`);
  console.log(`each figure: median [min-max] over ${settings.runs} runs of ~${settings.runSeconds} s; variants interleaved run by run\n`);

  const results: Record<string, unknown> = { machine: m, settings, quick: args.quick, date: new Date().toISOString(), native: results0.native };

  // 1. matrix products
  let matmul: MatMulResult[] = [];
  if (wants('matmul')) {
    process.stderr.write('matrix products ');
    matmul = await benchMatMul(settings, [WASM_STOCK, WASM_FAST, CPU]);
    results['matmul'] = matmul;
  }

  // 2. workloads, with PyTorch's twins interleaved (a persistent worker: same minutes, same load)
  const wantsTorch = args.only === null || args.only.includes('torch') || workloads.length > 0;
  const torchSide: { worker?: TorchWorker; note: string } = wantsTorch ? await startTorchWorker() : { note: 'not asked for' };
  const worker = torchSide.worker;
  const external: ExternalVariant[] = worker
    ? [worker.variant('torch', 1), ...(availableCores() > 1 ? [worker.variant('torch-all', availableCores())] : [])]
    : [];
  results['torchWorkloads'] = torchSide.note;
  const workloadResults: Record<string, Record<string, WorkloadRun | { error: string }>> = {};
  for (const w of workloads) {
    process.stderr.write(`workload ${w.name}...\n`);
    const wasmRuns = await timeWorkload(w, [WASM_STOCK, WASM_FAST, ...(native ? [native] : [])], settings, () => workloadRng(w.name), external);
    // cpu is 10-50x slower: fewer, shorter runs keep the bench within its budget; the convolutional and
    // attention workloads would take minutes per run there, so they skip it.
    const cpuRuns = NEXT_WORKLOADS.includes(w)
      ? new Map<string, WorkloadRun | { error: string }>()
      : await timeWorkload(w, [CPU], { runs: Math.min(settings.runs, 3), runSeconds: settings.runSeconds }, () => workloadRng(w.name));
    workloadResults[w.name] = Object.fromEntries([...wasmRuns, ...cpuRuns]);
  }
  await WASM_FAST.apply();
  worker?.close();
  results['workloads'] = workloadResults;

  // 3. threads
  let threads: (ThreadsChildResult | { error: string })[] = [];
  const nThreads = Math.min(availableCores(), 8);
  if (wants('threads') && nThreads > 1) {
    process.stderr.write(`threaded wasm: child processes with 1 and ${nThreads} threads...\n`);
    const order = args.quick ? [1, nThreads] : [1, nThreads, 1, nThreads];
    threads = order.map((n) => runThreadsChild(n, args.quick));
    results['threads'] = threads;
  }

  // 4. torch, at 1 thread (the kit's wasm runs on one core) and at all cores
  let torch: TorchResult | null = null;
  // (the matrix-product figures only: the workloads ran interleaved above)
  if (matmul.length) {
    process.stderr.write('PyTorch matrix products, 1 thread...\n');
    torch = runTorch(args.quick, ['matmul'], 1);
    results['torch'] = torch;
  }

  // ---- report
  if (matmul.length) {
    console.log('## Matrix products (GFLOP/s; fwd = x·W, dW = xᵀ·dy, dx = dy·Wᵀ)\n');
    const rows = matmul.map((r) => {
      const tm = torch?.matmul?.find((t) => t.use === r.shape.use && t.product === r.product)?.gflops;
      return [
        `${r.shape.batch > 1 ? `${r.shape.batch}x ` : ''}${r.shape.m}x${r.shape.k}x${r.shape.n} (${r.shape.use})`,
        r.product,
        fs3(r.gflops['wasm-stock']),
        fs3(r.gflops['wasm']),
        `${f(pairedRatio(r.gflops['wasm'], r.gflops['wasm-stock'])?.median ?? NaN)}x`,
        fs3(r.gflops['cpu']),
        tm ? f(tm.median) : '-',
      ];
    });
    console.log(table(['m x k x n (use)', 'product', 'wasm stock', 'wasm (kit)', 'kit/stock', 'cpu', 'torch'], rows));
    console.log();
  }
  if (workloads.length) {
    console.log('## Training workloads (shared Trainer, full-profile model and batch size)\n');
    const rows: string[][] = [];
    const picks: { name: string; ratio: number | null }[] = [];
    for (const w of workloads) {
      const r = workloadResults[w.name]!;
      const ok = (k: string): WorkloadRun | undefined => {
        const x = r[k];
        return x && 'stepsPerSec' in x ? x : undefined;
      };
      const stock = ok('wasm-stock');
      const fast = ok('wasm');
      const cpu = ok('cpu');
      const ts = ok('torch')?.stepsPerSec;
      const tsAll = ok('torch-all')?.stepsPerSec;
      const behind = pairedRatio(ts, fast?.stepsPerSec); // kit time / torch time, run by run
      const nat = ok('tensorflow');
      const speedup = pairedRatio(fast?.stepsPerSec, stock?.stepsPerSec);
      const err = (k: string): string => {
        const x = r[k];
        if (!x || !('error' in x)) return '-';
        const missing = /Kernel '(\w+)' not registered/.exec(x.error);
        return missing ? `fails: no ${missing[1]} kernel` : `fails: ${x.error.slice(0, 60)}`;
      };
      rows.push([
        w.name,
        String(w.batchSize),
        stock ? fs3(stock.stepsPerSec) : err('wasm-stock'),
        fast ? fs3(fast.stepsPerSec) : err('wasm'),
        speedup ? `${f(speedup.median)}x [${f(speedup.min)}-${f(speedup.max)}]` : '-',
        fast ? f(fast.samplesPerSec.median) : '-',
        fast ? f(fast.secondsPerEpoch.median) : '-',
        cpu ? fs3(cpu.stepsPerSec) : NEXT_WORKLOADS.includes(w) ? 'skipped' : err('cpu'),
        ...(native ? [nat ? fs3(nat.stepsPerSec) : err('tensorflow')] : []),
        ts ? fs3(ts) : err('torch'),
        tsAll ? f(tsAll.median) : err('torch-all'),
        behind ? `${f(behind.median)} [${f(behind.min)}-${f(behind.max)}]` : '-',
        ...(native ? [installedPick(w, nat?.stepsPerSec, fast?.stepsPerSec, picks)] : []),
        fast ? (fast.peakBytes / 2 ** 20).toFixed(1) : '-',
      ]);
    }
    console.log(
      table(
        ['workload', 'batch', 'wasm stock steps/s', 'wasm (kit) steps/s', 'kit/stock', 'samples/s', 's/epoch', 'cpu steps/s',
          ...(native ? ['native TF steps/s'] : []), 'torch 1 thread', `torch ${availableCores()} threads`, 'kit time / torch 1 thread',
          ...(native ? ['native installed: backend, speed / wasm'] : []), 'peak MiB'],
        rows,
      ),
    );
    console.log();
    if (picks.length) {
      const onNative = picks.filter((p) => p.ratio !== null) as { name: string; ratio: number }[];
      const worst = onNative.length ? onNative.reduce((a, b) => (b.ratio < a.ratio ? b : a)) : null;
      console.log(`With the native CPU build installed each workload runs where its notebook's rule puts it (metadata.genlab.backend, else wasm: ` +
        `CPU native is opt-in): ${picks.length - onNative.length} on wasm, ${onNative.length} on native` +
        `${worst ? `, the slowest of those ${worst.name} at ${f(worst.ratio)}x of wasm` : ''}.\n`);
    }
    for (const w of workloads) console.log(`- ${w.name}: ${w.description} [${w.notebook}], N=${w.datasetSize}`);
    console.log();
  }
  if (threads.length) {
    console.log(`## Threaded wasm (child processes; load average now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})\n`);
    const rows = threads.map((t) =>
      'error' in t
        ? ['?', '?', t.error.slice(0, 80), '', '', '']
        : [t.requested === 1 ? '1 (standard SIMD build)' : `${t.requested} (threaded SIMD build)`, String(t.threads), fs3(t.matmulGflops), fs3(t.workloads['mlp']), fs3(t.workloads['vae']), fs3(t.workloads['diffusion'])],
    );
    console.log(table(['threads asked', 'getThreadsCount()', 'fwd 128x784x512 GFLOP/s', 'mlp steps/s', 'vae steps/s', 'diffusion steps/s'], rows));
    const ok = threads.filter((t): t is ThreadsChildResult => !('error' in t));
    const one = ok.filter((t) => t.requested === 1);
    const many = ok.filter((t) => t.requested > 1);
    if (one.length && many.length) {
      const med = (xs: ThreadsChildResult[], g: (t: ThreadsChildResult) => number | undefined): number =>
        stat(xs.map(g).filter((x): x is number => x !== undefined)).median;
      console.log(
        `\n${many[0]!.requested} threads / 1 thread: matmul ${f(med(many, (t) => t.matmulGflops.median) / med(one, (t) => t.matmulGflops.median))}x, ` +
          ['mlp', 'vae', 'diffusion']
            .map((k) => `${k} ${f(med(many, (t) => t.workloads[k]?.median) / med(one, (t) => t.workloads[k]?.median))}x`)
            .join(', ') +
          '. Two threads gain only where two cores are idle: on a shared machine the second worker waits for a core.',
      );
    }
    console.log();
  }
  console.log(`PyTorch (workloads): ${torchSide.note}; its bursts alternate with the kit's, run by run, and each ratio is the median of run-by-run ratios [min-max].\n`);
  if (torch) console.log(`PyTorch (matrix products, after the kit's runs): ${torch.note}\n`);
  console.log(`Native TensorFlow backend: ${results0.native}.\n`);

  results['seconds'] = (Date.now() - t0) / 1000;
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify(results, null, 2));
  console.log(`wrote ${path.relative(process.cwd(), args.out)} (${results['seconds']} s)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

export type { Workload };
