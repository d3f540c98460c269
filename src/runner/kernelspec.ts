/**
 * Register the project's own tslab with Jupyter (kernel specs `tslab` and `jslab`).
 *
 * `npx tslab install` writes a bare `tslab` command into kernel.json, which fails when tslab is only
 * installed in the project (not on PATH). We write absolute paths instead: this Node binary and the
 * kit's kernel entry point `dist/kernel/main.js` (the project's tslab with the protocol fixes of
 * src/kernel/conformant.ts), so JupyterLab, nbconvert, papermill, nbval and nbmake start the same
 * kernel the runner uses. No Python is needed except to find `sys.prefix` for `sysPrefix`.
 */
import { spawnSync } from 'child_process';
import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import { defaultKernelArgv } from './kernel';

/** Where and how to register. Exactly like `tslab install`: user, prefix or sys-prefix. */
export interface InstallKernelOptions {
  /**
   * Install into the per-user kernels folder.
   * @default true unless running as root (then the system folder, as jupyter_client does)
   */
  user?: boolean;
  /** Install into `{prefix}/share/jupyter/kernels`. */
  prefix?: string;
  /**
   * Install into Python's `sys.prefix` (a virtualenv or conda env), found by running `python`.
   * @default false
   */
  sysPrefix?: boolean;
  /**
   * Python used to find sys.prefix.
   * @default 'python3' ('python' on Windows)
   */
  python?: string;
  /**
   * The command that starts tslab, instead of `<node> <project>/dist/kernel/main.js` (e.g. a global
   * `tslab`, which then runs without the kit's protocol fixes).
   * @default undefined
   */
  binary?: string;
}

/** One kernel.json written. */
export interface InstalledKernelSpec {
  name: 'tslab' | 'jslab';
  dir: string;
  spec: { argv: string[]; display_name: string; language: string };
}

/** The per-user Jupyter data folder, as jupyter_core computes it. */
export function userJupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Jupyter');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'jupyter');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'jupyter');
}

function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/** The kernels folder the options select. */
export function kernelsDir(options: InstallKernelOptions): string {
  let prefix = options.prefix;
  if (options.sysPrefix === true) {
    const python = options.python ?? (process.platform === 'win32' ? 'python' : 'python3');
    const r = spawnSync(python, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' });
    if (r.status !== 0 || !r.stdout.trim()) {
      throw new Error(`--sys-prefix: could not ask ${python} for sys.prefix (${r.error?.message ?? r.stderr.trim()}); pass --python PATH or use --prefix.`);
    }
    prefix = r.stdout.trim();
  }
  if (prefix !== undefined) return path.join(prefix, 'share', 'jupyter', 'kernels');
  const user = options.user ?? !isRoot();
  if (user) return path.join(userJupyterDataDir(), 'kernels');
  return process.platform === 'win32'
    ? path.join(process.env.PROGRAMDATA ?? 'C:\\ProgramData', 'jupyter', 'kernels')
    : '/usr/local/share/jupyter/kernels';
}

/** The kernel.json contents for the TypeScript (`tslab`) or JavaScript (`jslab`) kernel. */
export function kernelSpec(javascript: boolean, binary?: string): InstalledKernelSpec['spec'] {
  const argv = binary !== undefined ? [binary, 'kernel', '--config-path', '{connection_file}', ...(javascript ? ['--js'] : [])] : defaultKernelArgv(javascript);
  return {
    argv,
    // The same names tslab uses, so notebooks' metadata.kernelspec keeps matching.
    display_name: javascript ? 'JavaScript' : 'TypeScript',
    language: javascript ? 'javascript' : 'typescript',
  };
}

/** Write kernel.json for `tslab` and `jslab`. */
export async function installKernelSpecs(options: InstallKernelOptions = {}): Promise<InstalledKernelSpec[]> {
  const root = kernelsDir(options);
  const installed: InstalledKernelSpec[] = [];
  for (const [name, javascript] of [['tslab', false], ['jslab', true]] as const) {
    const dir = path.join(root, name);
    const spec = kernelSpec(javascript, options.binary);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'kernel.json'), JSON.stringify(spec, null, 1) + '\n', 'utf8');
    installed.push({ name, dir, spec });
  }
  return installed;
}
