/**
 * A client for one kernel process, speaking Jupyter messaging v5 over ZeroMQ.
 *
 * By default it starts the kit's kernel (src/kernel/main.ts, built to dist/kernel/main.js): tslab
 * 1.0.22 with its protocol deviations fixed, the same command `npm run kernel:install` registers for
 * JupyterLab. What that kernel does, and shaped this client:
 * - shell and control are both served by the same handler; interrupting a busy synchronous cell
 *   needs SIGINT (tslab's `breakOnSigint`; `interrupt_request` is only read once the loop yields).
 * - `execute_input` is published before a cell runs; the last expression's value is an
 *   `execute_result`; a failing cell sends one `error` message (its traceback is the text tslab
 *   prints) and an `execute_reply {status: 'error', ename, evalue, traceback}`.
 * - every request is framed by IOPub `status: busy` ... `status: idle` with the request as parent,
 *   and the reply is sent before `idle`, so "reply and idle both seen" means all output has arrived.
 * - after an error with `stop_on_error`, requests arriving within 200 ms are answered with an error
 *   reply whose ename is `ExecutionAborted` (tslab's queue reset delay; plain tslab says `abort`).
 * - `shutdown_request` closes the sockets; the process then exits once nothing else keeps it alive.
 * A plain `tslab kernel` (pass `argv`) still works: it sends no `error` message but prints the error
 * on stderr, which the runner parses the same way.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import type * as Zmq from 'zeromq';
import { existsSync } from 'fs';
import { ABORTED_ENAME } from '../kernel/conformant';
import { ConnectionInfo, endpoint, Transport, writeConnectionFile } from './connection';
import { createMessage, decodeMessage, encodeMessage, JupyterMessage } from './wire';

/** Options for starting a kernel. */
export interface KernelOptions {
  /** Working directory of the kernel. The runner passes the notebook's folder, as JupyterLab does. */
  cwd: string;
  /**
   * Start the JavaScript kernel (`tslab kernel --js`) instead of the TypeScript one.
   * @default false
   */
  javascript?: boolean;
  /**
   * Command that starts the kernel; `{connection_file}` is replaced by the connection file's path.
   * @default [node, <this package>/dist/kernel/main.js, 'kernel', '--config-path', '{connection_file}'] (see defaultKernelArgv)
   */
  argv?: readonly string[];
  /**
   * ZeroMQ transport. ipc (Unix sockets in a private temp folder) cannot collide with other runs.
   * @default 'ipc' ('tcp' on Windows)
   */
  transport?: Transport;
  /**
   * Milliseconds to wait for the kernel to answer `kernel_info_request` with IOPub connected.
   * @default 60000
   */
  startTimeoutMs?: number;
  /** Extra environment variables for the kernel process. */
  env?: Readonly<Record<string, string>>;
}

/** How a kernel process ended. */
export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Timestamps of one execution (ISO strings), as nbclient records them in `cell.metadata.execution`. */
export interface ExecutionTiming {
  'iopub.status.busy'?: string;
  'iopub.execute_input'?: string;
  'shell.execute_reply': string;
  'iopub.status.idle': string;
}

/** The kernel answered the request. */
export interface ExecuteReply {
  status: 'ok' | 'error' | 'abort';
  executionCount: number | null;
  /** The `execute_reply` content as sent. */
  content: Record<string, unknown>;
  timing: ExecutionTiming;
}

/** The kernel process ended before answering. */
export interface KernelDied {
  status: 'dead';
  exit: KernelExit;
}

export type ExecuteOutcome = ExecuteReply | KernelDied;

/** Options of one `execute_request`. */
export interface ExecuteOptions {
  /**
   * Jupyter's `silent` flag (no history, no execution count). tslab ignores it, so hidden snippets
   * still reach stdout: the caller reads them through `onOutput`.
   * @default false
   */
  silent?: boolean;
  /**
   * Called with each IOPub message of this request other than `status` and `execute_input`, also
   * with those that arrive after its reply (work the cell left running in the background).
   */
  onOutput?: (msg: JupyterMessage) => void;
}

/** Thrown when the kernel does not come up; the message carries the kernel's own stderr. */
export class KernelStartError extends Error {}
KernelStartError.prototype.name = 'KernelStartError';

type ZmqModule = typeof Zmq;
let zmqModule: ZmqModule | undefined;

function loadZmq(): ZmqModule {
  if (zmqModule === undefined) {
    // zeromq comes with tslab (hoisted to the top-level node_modules); resolve it through tslab so a
    // nested install works too. Loaded lazily: importing the runner should not load a native addon.
    const tslabDir = path.dirname(require.resolve('tslab/package.json'));
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    zmqModule = require(require.resolve('zeromq', { paths: [tslabDir] })) as ZmqModule;
  }
  return zmqModule;
}

/** The kit's kernel entry point (src/kernel/main.ts), built: from src/runner or dist/runner alike. */
export const KERNEL_MAIN = path.resolve(__dirname, '..', '..', 'dist', 'kernel', 'main.js');

/**
 * The default kernel command: this Node binary running the kit's kernel, i.e. the project's own tslab
 * with the protocol fixes of src/kernel/conformant.ts. JupyterLab gets the same command from
 * `npm run kernel:install`.
 */
export function defaultKernelArgv(javascript = false): string[] {
  if (!existsSync(KERNEL_MAIN)) {
    throw new KernelStartError(`the kit's kernel ${KERNEL_MAIN} is not built; run npm run build (npm install does it too).`);
  }
  const argv = [process.execPath, KERNEL_MAIN, 'kernel', '--config-path', '{connection_file}'];
  if (javascript) argv.push('--js');
  return argv;
}

/**
 * plain tslab's bin (no protocol fixes), for comparisons and for users who ask for it with `argv`.
 */
export function plainTslabArgv(javascript = false): string[] {
  const tslabBin = path.join(path.dirname(require.resolve('tslab/package.json')), 'bin', 'tslab');
  const argv = [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}'];
  if (javascript) argv.push('--js');
  return argv;
}

/** Kernels started by this process, killed on exit so none outlives the runner. */
const liveKernels = new Set<Kernel>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const k of liveKernels) k.kill();
  });
}

const TAIL_BYTES = 16 * 1024;

/** One running kernel. Create with `Kernel.start`. */
export class Kernel {
  /** Resolves when the kernel process has exited (never rejects). */
  readonly exited: Promise<KernelExit>;
  /** Reply of the start-up `kernel_info_request` (language_info etc.). */
  kernelInfo: Record<string, unknown> = {};

  private readonly session = `genlab-${process.pid}-${Date.now().toString(36)}`;
  private exit: KernelExit | null = null;
  private output = '';
  private readonly iopubListeners = new Map<string, (m: JupyterMessage) => void>();
  private readonly replyListeners = new Map<string, (m: JupyterMessage) => void>();
  private readonly deathListeners = new Set<(e: KernelExit) => void>();
  private sendQueue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly info: ConnectionInfo,
    private readonly dir: string,
    private readonly sockets: { shell: Zmq.Dealer; control: Zmq.Dealer; iopub: Zmq.Subscriber },
  ) {
    this.exited = new Promise((resolve) => {
      const ended = (exit: KernelExit): void => {
        if (this.exit !== null) return;
        this.exit = exit;
        liveKernels.delete(this);
        for (const l of this.deathListeners) l(exit);
        this.deathListeners.clear();
        this.closeSockets();
        resolve(exit);
      };
      child.once('exit', (code, signal) => ended({ code, signal }));
      // A command that cannot be spawned emits 'error' and may never emit 'exit'.
      child.once('error', () => {
        if (child.pid === undefined) ended({ code: null, signal: null });
      });
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Start a kernel and wait until it answers on shell and publishes on IOPub. */
  static async start(options: KernelOptions): Promise<Kernel> {
    const zmq = loadZmq();
    const transport = options.transport ?? (process.platform === 'win32' ? 'tcp' : 'ipc');
    // A short private folder: holds the connection file (with the key) and, for ipc, the sockets.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'genlab-k-'));
    const { file, info } = await writeConnectionFile(dir, transport);
    const argv = (options.argv ?? defaultKernelArgv(options.javascript)).map((a) => a.replace('{connection_file}', file));
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new KernelStartError('kernel argv is empty');
    // detached: the kernel leads its own process group, so killing the group also ends anything a
    // cell spawned, and a Ctrl-C in the terminal reaches the runner only (which then cleans up).
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const sockets = {
      shell: new zmq.Dealer({ linger: 0 }),
      control: new zmq.Dealer({ linger: 0 }),
      // Unlimited receive queue: a chatty cell must not lose output while we are busy.
      iopub: new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 }),
    };
    const kernel = new Kernel(child, info, dir, sockets);
    liveKernels.add(kernel);
    installExitHook();
    let spawnError: Error | undefined;
    child.once('error', (e) => (spawnError = e));
    try {
      sockets.iopub.subscribe();
      sockets.shell.connect(endpoint(info, 'shell'));
      sockets.control.connect(endpoint(info, 'control'));
      sockets.iopub.connect(endpoint(info, 'iopub'));
      kernel.readLoop(sockets.shell, kernel.replyListeners);
      kernel.readLoop(sockets.control, kernel.replyListeners);
      kernel.readLoop(sockets.iopub, kernel.iopubListeners);
      const timeoutMs = options.startTimeoutMs ?? 60_000;
      const ready = kernel.handshake(timeoutMs);
      // Exit listeners run after both 'error' listeners, so a spawn failure is known by then.
      const failed = kernel.exited.then((e) =>
        spawnError !== undefined ? `could not start ${cmd}: ${spawnError.message}` : `kernel exited during start-up (${describeExit(e)})`,
      );
      const outcome = await Promise.race([ready.then(() => null), failed]);
      if (outcome !== null) throw new KernelStartError(kernel.startFailure(outcome, argv));
      // The fourth channel: a kernel whose heartbeat does not echo would look dead to JupyterLab.
      if (!(await kernel.heartbeat(Math.min(timeoutMs, 10_000)))) {
        throw new KernelStartError(kernel.startFailure('the kernel answers on shell but not on the heartbeat channel', argv));
      }
      return kernel;
    } catch (e) {
      kernel.kill();
      await kernel.exited;
      if (e instanceof KernelStartError) throw e;
      throw new KernelStartError(kernel.startFailure(e instanceof Error ? e.message : String(e), argv));
    }
  }

  private startFailure(reason: string, argv: readonly string[]): string {
    const tail = this.output.trim();
    return `${reason}\n  command: ${argv.join(' ')}` + (tail ? `\n  kernel output:\n${indent(tail, '    ')}` : '');
  }

  /**
   * kernel_info_request until both the reply and an IOPub message arrive: a SUB socket misses what is
   * published before its subscription reaches the kernel, so a reply alone does not mean IOPub works.
   */
  private async handshake(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let gotReply = false;
    let gotIopub = false;
    while (Date.now() < deadline && this.exit === null) {
      const msg = createMessage('kernel_info_request', {}, this.session);
      const id = msg.header.msg_id;
      const done = new Promise<void>((resolve) => {
        this.replyListeners.set(id, (m) => {
          gotReply = true;
          this.kernelInfo = m.content;
          if (gotIopub) resolve();
        });
        this.iopubListeners.set(id, () => {
          gotIopub = true;
          if (gotReply) resolve();
        });
      });
      await this.send('shell', msg);
      // The first request waits for the kernel to bind (ZeroMQ queues it); later ones only need IOPub.
      const wait = gotReply ? 250 : Math.min(2000, Math.max(0, deadline - Date.now()));
      const ok = await Promise.race([done.then(() => true), delay(wait).then(() => false)]);
      this.replyListeners.delete(id);
      this.iopubListeners.delete(id);
      if (ok) return;
    }
    if (this.exit === null) throw new KernelStartError(`kernel did not answer within ${Math.round(timeoutMs / 1000)} s`);
  }

  private async readLoop(socket: Zmq.Dealer | Zmq.Subscriber, listeners: Map<string, (m: JupyterMessage) => void>): Promise<void> {
    try {
      for await (const frames of socket) {
        let msg: JupyterMessage;
        try {
          msg = decodeMessage(frames, this.info.key);
        } catch {
          continue; // not ours or tampered with: ignore, as jupyter_client does
        }
        const parent = msg.parent_header.msg_id;
        if (parent !== undefined) listeners.get(parent)?.(msg);
      }
    } catch {
      // The socket was closed under the iterator (kernel gone or shut down): nothing more to read.
    }
  }

  private send(channel: 'shell' | 'control', msg: JupyterMessage): Promise<void> {
    const frames = encodeMessage(msg, this.info.key);
    // One send in flight per socket (zeromq v6 rejects concurrent sends with EBUSY).
    const next = this.sendQueue.then(() => this.sockets[channel].send(frames));
    this.sendQueue = next.catch(() => undefined);
    return next;
  }

  /** True until the kernel process has exited. */
  get alive(): boolean {
    return this.exit === null;
  }

  /** Process id of the kernel. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last 16 KB the kernel process wrote to its own stdout/stderr (outside cell executions). */
  get processOutput(): string {
    return this.output;
  }

  /** Run code; resolves once the reply and all its output have arrived, or the kernel has died. */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteOutcome> {
    if (this.exit !== null) return Promise.resolve({ status: 'dead', exit: this.exit });
    const silent = options.silent ?? false;
    const msg = createMessage(
      'execute_request',
      { code, silent, store_history: !silent, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      this.session,
    );
    const id = msg.header.msg_id;
    return new Promise<ExecuteOutcome>((resolve) => {
      const timing: Partial<ExecutionTiming> = {};
      let reply: JupyterMessage | undefined;
      let idle = false;
      const cleanup = (): void => {
        // Outputs can still come after the reply: code the cell started goes on in the background
        // (a training loop stopping after an interrupt updates its progress line). Like JupyterLab,
        // route them to the request's cell by their parent, for as long as the kernel lives.
        this.iopubListeners.set(id, (m) => {
          const type = m.header.msg_type;
          if (type !== 'status' && type !== 'execute_input') options.onOutput?.(m);
        });
        this.replyListeners.delete(id);
        this.deathListeners.delete(onDeath);
      };
      const finish = (): void => {
        if (reply === undefined || !idle) return;
        cleanup();
        const status = reply.content.status;
        const count = reply.content.execution_count;
        // Aborted: the kit's kernel says so with an error reply (protocol 5.1), tslab with `abort`.
        const aborted = status === 'abort' || status === 'aborted' || (status === 'error' && reply.content.ename === ABORTED_ENAME);
        resolve({
          status: status === 'ok' ? 'ok' : aborted ? 'abort' : 'error',
          executionCount: typeof count === 'number' ? count : null,
          content: reply.content,
          timing: timing as ExecutionTiming,
        });
      };
      const onDeath = (exit: KernelExit): void => {
        cleanup();
        resolve({ status: 'dead', exit });
      };
      this.deathListeners.add(onDeath);
      this.iopubListeners.set(id, (m) => {
        const type = m.header.msg_type;
        if (type === 'status') {
          const state = m.content.execution_state;
          if (state === 'busy') timing['iopub.status.busy'] = m.header.date;
          if (state === 'idle') {
            timing['iopub.status.idle'] = m.header.date;
            idle = true;
            finish();
          }
        } else if (type === 'execute_input') {
          timing['iopub.execute_input'] = m.header.date;
        } else {
          options.onOutput?.(m);
        }
      });
      this.replyListeners.set(id, (m) => {
        if (m.header.msg_type !== 'execute_reply') return;
        timing['shell.execute_reply'] = m.header.date;
        reply = m;
        finish();
      });
      this.send('shell', msg).catch(() => {
        // Sending fails only when the socket is closed, i.e. the kernel is gone: onDeath resolves.
      });
    });
  }

  /**
   * Ping the heartbeat channel: true if the kernel echoes within `timeoutMs`. tslab echoes from its
   * event loop, so a kernel busy in synchronous code does not answer; this is a start-up check, not a
   * liveness probe during a cell (the process exit event covers deaths).
   */
  async heartbeat(timeoutMs = 5000): Promise<boolean> {
    if (this.exit !== null) return false;
    const zmq = loadZmq();
    // A fresh REQ socket per ping: one that saw no reply stays stuck in its send/receive state machine.
    const sock = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
    try {
      sock.connect(endpoint(this.info, 'hb'));
      const ping = Buffer.from(randomUUID());
      await sock.send(ping);
      const [echo] = await sock.receive();
      return echo !== undefined && echo.equals(ping);
    } catch {
      return false;
    } finally {
      sock.close();
    }
  }

  /** Interrupt the running cell with SIGINT (tslab's only interrupt mechanism). */
  interrupt(): void {
    if (this.exit === null && this.child.pid !== undefined) {
      try {
        process.kill(this.child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  }

  /** Kill the kernel and its process group at once (SIGKILL). Safe to call repeatedly. */
  kill(): void {
    const pid = this.child.pid;
    if (pid !== undefined) {
      for (const target of process.platform === 'win32' ? [pid] : [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // no such process (group): already gone
        }
      }
    }
    this.cleanupFiles();
  }

  /**
   * Ask the kernel to shut down (control channel), wait up to `graceMs` for it to exit, then kill it.
   * Resolves once the process is gone.
   */
  async shutdown(graceMs = 2000): Promise<KernelExit> {
    if (this.exit === null) {
      const msg = createMessage('shutdown_request', { restart: false }, this.session);
      await this.send('control', msg).catch(() => undefined);
      const exited = await Promise.race([this.exited.then(() => true), delay(graceMs).then(() => false)]);
      if (!exited) this.kill();
    }
    // The group may still hold processes a cell started; end them too.
    this.kill();
    return this.exited;
  }

  private closeSockets(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of Object.values(this.sockets)) s.close();
    this.cleanupFiles();
  }

  private cleanupFiles(): void {
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // best effort: a temp folder
    }
  }
}

/** "exit code 3" / "signal SIGSEGV". */
export function describeExit(e: KernelExit): string {
  if (e.signal !== null) return `signal ${e.signal}`;
  return `exit code ${e.code ?? 'unknown'}`;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });
}
