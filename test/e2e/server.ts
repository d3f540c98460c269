/**
 * A JupyterLab (or Notebook 7) server for the end-to-end test, isolated from the user's Jupyter set-up:
 * every Jupyter directory (config, data, runtime, lab settings and workspaces) is a fresh temporary one,
 * the server listens on loopback with a random token, and the kit's kernel is registered with the
 * project's own installer (`npm run kernel:install -- --prefix DIR`, i.e. dist/runner/install-kernel.js)
 * into a temporary prefix that only this server sees (JUPYTER_PATH).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

export type Front = 'lab' | 'notebook';

export interface ServerOptions {
  /** The `jupyter` command. */
  jupyter: string;
  front: Front;
  /** The folder the server serves (the notebooks opened must be inside it). */
  rootDir: string;
  /** Where the server's log goes. */
  logFile: string;
  /** Seconds to wait for the server to answer. @default 120 */
  startTimeoutSec?: number;
}

/** Per-front-end trait names (the server part is shared, the app class differs). */
const APP_CLASS: Record<Front, string> = { lab: 'LabApp', notebook: 'JupyterNotebookApp' };

/** Lab settings the test sets: record per-cell timing (to pick cells to re-run), and no news pop-ups. */
const USER_SETTINGS: Record<string, object> = {
  '@jupyterlab/notebook-extension/tracker.jupyterlab-settings': { recordTiming: true },
  '@jupyterlab/apputils-extension/notification.jupyterlab-settings': { fetchNews: 'false', checkForUpdates: false },
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class JupyterServer {
  private constructor(
    readonly front: Front,
    readonly baseUrl: string,
    readonly token: string,
    readonly tmp: string,
    private readonly child: ChildProcess,
    readonly kernelSpecLines: string,
    private readonly jupyter: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private opened = 0;

  /**
   * The page that opens `relPath` (relative to the root dir) in this front end. In JupyterLab each
   * page gets a workspace of its own: the default one would restore the notebooks opened before (and
   * start their kernels again).
   */
  urlFor(relPath: string): string {
    const p = relPath.split(path.sep).map(encodeURIComponent).join('/');
    const route = this.front === 'lab' ? `lab/workspaces/e2e-${++this.opened}/tree` : 'notebooks';
    return `${this.baseUrl}/${route}/${p}?token=${this.token}`;
  }

  async api(method: string, route: string): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${route}`, { method, headers: { Authorization: `token ${this.token}` } });
    if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status}`);
    return res.status === 204 ? null : res.json();
  }

  /** The kernel specs this server sees (name -> display name). */
  async kernelSpecs(): Promise<Record<string, string>> {
    const r = (await this.api('GET', '/api/kernelspecs')) as { kernelspecs: Record<string, { spec: { display_name: string } }> };
    return Object.fromEntries(Object.entries(r.kernelspecs).map(([k, v]) => [k, v.spec.display_name]));
  }

  /**
   * Sign a notebook with `jupyter trust`, as the README tells readers to, but in this server's Jupyter
   * directories: the signature goes to the data dir's nbsignatures.db under its notebook_secret, which
   * is where this server looks when it opens the file. Signatures are keyed by content, not by path.
   */
  trust(file: string): string {
    return execFileSync(this.jupyter, ['trust', file], { env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }).trim();
  }

  /** Shut down every kernel session (between notebooks). */
  async shutdownSessions(): Promise<void> {
    const sessions = (await this.api('GET', '/api/sessions')) as { id: string }[];
    for (const s of sessions) await this.api('DELETE', `/api/sessions/${s.id}`).catch(() => undefined);
  }

  static async start(o: ServerOptions): Promise<JupyterServer> {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'genlab-e2e-'));
    const dirs = Object.fromEntries(
      ['config', 'data', 'runtime', 'prefix', 'settings', 'workspaces'].map((d) => {
        const p = path.join(tmp, d);
        mkdirSync(p, { recursive: true });
        return [d, p];
      }),
    ) as Record<'config' | 'data' | 'runtime' | 'prefix' | 'settings' | 'workspaces', string>;
    for (const [file, value] of Object.entries(USER_SETTINGS)) {
      mkdirSync(path.dirname(path.join(dirs.settings, file)), { recursive: true });
      writeFileSync(path.join(dirs.settings, file), JSON.stringify(value));
    }
    // The user's way (see the README): the project's installer, here into a private prefix.
    const kernelSpecLines = execFileSync(process.execPath, [path.join(ROOT, 'dist', 'runner', 'install-kernel.js'), '--prefix', dirs.prefix], {
      encoding: 'utf8',
    }).trim();

    const token = randomBytes(24).toString('hex');
    const port = await freePort();
    const config = {
      ServerApp: {
        ip: '127.0.0.1',
        port,
        port_retries: 0,
        open_browser: false,
        root_dir: o.rootDir,
        // A terminal or the file browser's "hidden files" do not matter here; keep the server quiet.
        terminals_enabled: false,
        // CI containers run as root; Jupyter refuses that unless told.
        allow_root: typeof process.getuid === 'function' && process.getuid() === 0,
      },
      IdentityProvider: { token },
      [APP_CLASS[o.front]]: { expose_app_in_browser: true },
    };
    writeFileSync(path.join(dirs.config, 'jupyter_server_config.json'), JSON.stringify(config, null, 1));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      JUPYTER_CONFIG_DIR: dirs.config,
      JUPYTER_DATA_DIR: dirs.data,
      JUPYTER_RUNTIME_DIR: dirs.runtime,
      JUPYTER_PATH: path.join(dirs.prefix, 'share', 'jupyter'),
      JUPYTERLAB_SETTINGS_DIR: dirs.settings,
      JUPYTERLAB_WORKSPACES_DIR: dirs.workspaces,
      JUPYTER_PLATFORM_DIRS: '1',
    };
    mkdirSync(path.dirname(o.logFile), { recursive: true });
    mkdirSync(o.rootDir, { recursive: true });
    const log = createWriteStream(o.logFile);
    // detached: the server leads its own process group, which stop() ends (and nothing else).
    const child = spawn(o.jupyter, [o.front === 'lab' ? 'lab' : 'notebook', '--no-browser'], {
      env,
      cwd: o.rootDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const server = new JupyterServer(o.front, `http://127.0.0.1:${port}`, token, tmp, child, kernelSpecLines, o.jupyter, env);

    const deadline = Date.now() + (o.startTimeoutSec ?? 120) * 1000;
    let exited: string | null = null;
    child.once('exit', (code, signal) => (exited = `code ${code ?? signal}`));
    child.once('error', (e) => (exited = e.message));
    for (;;) {
      if (exited !== null) {
        rmSync(tmp, { recursive: true, force: true });
        throw new Error(`jupyter ${o.front} stopped (${exited}) before answering; see ${o.logFile}`);
      }
      try {
        await server.api('GET', '/api/status');
        return server;
      } catch {
        if (Date.now() > deadline) {
          await server.stop();
          throw new Error(`jupyter ${o.front} did not answer within ${o.startTimeoutSec ?? 120} s; see ${o.logFile}`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Shut kernels down, stop the server (SIGTERM, then SIGKILL after 15 s), remove the temporary dirs. */
  async stop(): Promise<void> {
    await this.shutdownSessions().catch(() => undefined);
    const pid = this.child.pid;
    if (pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
      if ((await Promise.race([gone, timer])) === 'timeout') {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
