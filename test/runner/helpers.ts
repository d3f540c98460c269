/** Shared helpers of the runner tests: fixture paths, temp folders, a fresh dist/, process checks. */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import os from 'os';
import path from 'path';
import { randomUUID } from 'crypto';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'runner');

/** A fixture notebook's path, relative to the project root (as a user would pass it). */
export function fixture(name: string): string {
  return path.relative(process.cwd(), path.join(FIXTURES, name));
}

/**
 * A temp folder removed by `cleanup`. `inProject` puts it under build/ (ignored by git), for notebooks
 * that must resolve `genlab-ts` through the project's node_modules as the real ones do.
 */
export function tempDir(options: { inProject?: boolean } = {}): { dir: string; cleanup: () => void } {
  const base = options.inProject === true ? path.join(ROOT, 'build', 'test-tmp') : os.tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'genlab-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Fixtures import the library as notebooks do (`genlab-ts/dist/...`), the CLI tests run
 * dist/runner/cli.js and every kernel is dist/kernel/main.js, so dist/ must be current for those
 * modules. Builds if it is missing or older than src/notebook, plot, tslab, shared, runner, kernel or runtime.
 */
export function ensureBuilt(): void {
  const outputs = ['dist/notebook/check.js', 'dist/tslab/display.js', 'dist/runner/cli.js', 'dist/kernel/main.js'].map((p) => path.join(ROOT, p));
  const sources = ['notebook', 'plot', 'tslab', 'shared', 'runner', 'kernel', 'runtime'].map((d) => newest(path.join(ROOT, 'src', d)));
  const stale = outputs.some((p) => !existsSync(p)) || Math.min(...outputs.map((p) => statSync(p).mtimeMs)) < Math.max(...sources);
  if (stale) {
    // Emits even if someone else's file has a type error (noEmitOnError is off), so ignore the status.
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
    } catch {
      // type errors elsewhere: the files we need were still written
    }
  }
}

/** An environment marker: kernels started with it can be found in /proc afterwards. */
export function marker(): { env: Record<string, string>; value: string } {
  const value = randomUUID();
  return { env: { GENLAB_TEST_MARKER: value }, value };
}

/**
 * Pids of live processes whose environment carries the marker (Linux /proc), i.e. kernels a test
 * started and anything they spawned. Zombies are not counted (they are dead, awaiting their parent).
 */
export function processesWithMarker(value: string): number[] {
  if (!existsSync('/proc')) return [];
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      if (/^State:\s+Z/m.test(status)) continue;
      const env = readFileSync(`/proc/${name}/environ`, 'utf8');
      if (env.includes(`GENLAB_TEST_MARKER=${value}`)) found.push(Number(name));
    } catch {
      // gone or not ours to read
    }
  }
  return found;
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Wait until `predicate` holds or `ms` pass (for process exit after kill, which is asynchronous). */
export async function eventually(predicate: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return predicate();
}
