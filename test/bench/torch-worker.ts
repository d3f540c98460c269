/**
 * A persistent PyTorch process for the benchmark (torch_workloads.py --serve), so PyTorch's steps can be
 * timed in short bursts interleaved with the kit's, run by run: each "kit time / PyTorch time" ratio then
 * compares the two under the same load, which on a shared machine changes from minute to minute. The
 * worker times its own bursts (no IPC in the figure); requests are JSON lines, one answer line each.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as path from 'path';
import type { Workload } from './workloads';
import type { ExternalVariant } from './measure';

interface Reply {
  error?: string;
  seconds?: number;
  version?: string;
  blas?: string;
  origin?: string;
}

export class TorchWorker {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = '';
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = '';
  private exited: string | null = null;
  private nextId = 0;

  constructor(readonly python: string) {
    this.proc = spawn(python, [path.join(__dirname, 'torch_workloads.py'), '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        this.waiting.shift()?.(line);
      }
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (c: string) => (this.stderr = (this.stderr + c).slice(-2000)));
    this.proc.on('exit', (code, signal) => {
      this.exited = `torch worker exited (${code ?? signal}): ${this.stderr.slice(-300)}`;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: this.exited }));
    });
  }

  private request(msg: Record<string, unknown>): Promise<Reply> {
    if (this.exited !== null) return Promise.resolve({ error: this.exited });
    return new Promise((resolve) => {
      this.waiting.push((line) => {
        try {
          resolve(JSON.parse(line) as Reply);
        } catch {
          resolve({ error: `unreadable reply: ${line.slice(0, 200)}` });
        }
      });
      this.proc.stdin.write(`${JSON.stringify(msg)}\n`);
    });
  }

  /** Version, BLAS and origin of the worker's torch (throws if it cannot start). */
  async info(): Promise<{ version: string; blas: string; origin: string }> {
    const r = await this.request({ cmd: 'info' });
    if (r.error !== undefined || r.version === undefined) throw new Error(r.error ?? 'no torch version');
    return { version: r.version, blas: r.blas ?? '?', origin: r.origin ?? '?' };
  }

  /** A benchmark variant that runs `workload`'s PyTorch twin in this worker at `threads` threads. */
  variant(name: string, threads: number): ExternalVariant {
    return {
      name,
      open: async (w: Workload) => {
        const id = `${w.name}/${threads}/${this.nextId++}`;
        const built = await this.request({ cmd: 'build', id, name: w.name, threads });
        if (built.error !== undefined) throw new Error(built.error);
        return {
          run: async (units: number) => {
            const r = await this.request({ cmd: 'run', id, units });
            if (r.error !== undefined || r.seconds === undefined) throw new Error(r.error ?? 'no time');
            return r.seconds;
          },
          close: async () => void (await this.request({ cmd: 'drop', id })),
        };
      },
    };
  }

  close(): void {
    this.proc.stdin.end();
  }
}
