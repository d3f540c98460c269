/**
 * The runner's own cost: kernel start-up, and per cell the time beyond the kernel's execution.
 *
 *   node --import tsx test/bench/runner-overhead.ts [--cells 60] [--runs 3]
 *
 * Runs a generated notebook of trivial cells (so kernel time is mostly tslab's compile) and reports,
 * per cell, the runner's wall time (request sent -> all output in) minus the kernel's busy -> idle
 * time by its own clock (millisecond stamps, so averaged over many cells). Target: under 50 ms.
 * Run it under `genlab-heavy` on the shared machine.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import path from 'path';
import { performance } from 'perf_hooks';
import type { Notebook } from '../../src/runner/nbformat';
import { writeNotebook } from '../../src/runner/nbformat';
import { runNotebook } from '../../src/runner/run-notebook';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

const ms = (s: number): string => `${(s * 1000).toFixed(1)} ms`;

async function main(): Promise<void> {
  const cells = arg('cells', 60);
  const runs = arg('runs', 3);
  const base = path.resolve(__dirname, '..', '..', 'build', 'bench');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'runner-'));
  const file = path.join(dir, 'trivial.ipynb');
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: Array.from({ length: cells }, (_, i) => ({
      cell_type: 'code' as const,
      metadata: {},
      source: i % 3 === 0 ? `const v${i} = ${i};\nconsole.log(v${i});` : `const v${i} = ${i} * 2;`,
      outputs: [],
      execution_count: null,
    })),
  };
  await writeNotebook(file, nb);
  const starts: number[] = [];
  const overheads: number[] = [];
  const kernels: number[] = [];
  const totals: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const result = await runNotebook(file, { outDir: path.join(dir, 'out') });
      totals.push((performance.now() - t0) / 1000);
      if (result.status !== 'passed') throw new Error(`benchmark notebook did not pass: ${JSON.stringify(result.failure ?? result.error)}`);
      starts.push(result.kernelStartSeconds ?? NaN);
      for (const t of result.cellTimings) {
        overheads.push(t.wallSeconds - t.kernelSeconds);
        kernels.push(t.kernelSeconds);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const mean = overheads.reduce((a, b) => a + b, 0) / overheads.length;
  const lines = [
    `runner overhead benchmark: ${runs} runs x ${cells} trivial cells`,
    `kernel start-up        median ${quantile(starts, 0.5).toFixed(2)} s  [${Math.min(...starts).toFixed(2)}-${Math.max(...starts).toFixed(2)}]`,
    `kernel time per cell   median ${ms(quantile(kernels, 0.5))}  (tslab compile + run)`,
    `runner overhead/cell   mean ${ms(mean)}  median ${ms(quantile(overheads, 0.5))}  p90 ${ms(quantile(overheads, 0.9))}  (target < 50 ms)`,
    `whole notebook         median ${quantile(totals, 0.5).toFixed(2)} s`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  process.exitCode = mean < 0.05 ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
