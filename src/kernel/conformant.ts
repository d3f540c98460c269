/**
 * The kit's kernel: tslab 1.0.22, started so that it speaks the Jupyter messaging protocol 5.3.
 *
 * Why an entry point of our own rather than a patch of node_modules (patch-package) or a fork: tslab's
 * compiler, executor and ZeroMQ server are reused unchanged; only the message handling that breaks
 * the protocol is replaced, by composition and one subclass, in this file. Nothing under
 * node_modules is edited, so `npx tslab` keeps behaving as upstream, the fixes are plain TypeScript
 * with unit tests, and ./tslab-internals.ts refuses to start (naming what changed) if a future tslab
 * no longer has the shape these fixes rely on, instead of letting them silently stop applying.
 * The kernel spec (`npm run kernel:install`) and the headless runner both start this file (built to
 * dist/kernel/main.js), so JupyterLab, nbclient, nbval and `genlab-run` see the same kernel.
 *
 * What tslab 1.0.22 gets wrong, and what we send instead (spec:
 * https://jupyter-client.readthedocs.io/en/stable/messaging.html):
 * - kernel_info_reply has no `status` (nbval fails with KeyError: 'status'): add `status: 'ok'`, and
 *   the real tslab and TypeScript versions instead of the hard-coded "1.0.0" / "3.7.2".
 * - no `execute_input` on IOPub: published with the code and execution count before running.
 * - the last expression's value is `console.log`ged (a stdout stream): sent as `execute_result`
 *   with `text/plain` (the same text tslab printed), except for `silent` requests.
 * - a failing cell prints its error or compile diagnostics on stderr and replies `{status: 'error'}`
 *   only: now one `error` message (ename, evalue, traceback = the text tslab printed) and an
 *   execute_reply carrying ename, evalue and traceback.
 * - `execution_count` is missing from aborted replies and counts `silent`/`store_history: false`
 *   requests: the counter now moves only for requests that store history (nbval sends
 *   store_history: false), and every reply carries it.
 * - `stop_on_error: false` is ignored (every error aborts whatever arrives in the next 200 ms, so
 *   nbval's next cell after an expected error was aborted): honoured; with `stop_on_error: true`
 *   tslab's 200 ms window is kept (requests still queued in ZeroMQ when a cell fails, e.g. JupyterLab's
 *   Run All, must not run). Aborted requests get the `error` reply protocol 5.1 asks for instead of
 *   the deprecated `abort` status, with ename `ExecutionAborted`.
 * - comm_info_request is answered with msg_type `complete_reply` and no status: `comm_info_reply`.
 * - shutdown_reply has no status and always says restart: false: status 'ok', restart echoed.
 * - inspect/complete requests that throw inside TypeScript get no reply at all (the client waits
 *   forever): an `error` reply.
 * - any other request (history_request from consoles, interrupt_request) is logged as "unknown
 *   msg_type" into the *running cell's* stderr output and never answered: history_request gets an
 *   empty history; interrupt_request raises SIGINT in the kernel (the same as Kernel > Interrupt)
 *   and is answered; other unknown types are logged on the kernel's own stderr, as ipykernel does,
 *   and not answered.
 * - the shutdown reply is lost when sends are serialised (the kit's fix for tslab's concurrent sends,
 *   src/tslab/kernel-sockets.ts, which this kernel applies from the start): sockets close after it.
 * - the server's start-up promise is not awaited, so a port that cannot be bound leaves a process
 *   that never answers: the kernel exits with the reason instead.
 *
 * Known deviations left as they are (documented, not fixable from here without rewriting tslab):
 * - `user_expressions` are not evaluated (the reply carries `{}`); evaluating them would need
 *   tslab's compiler outside a cell. No Jupyter front end we target sends any.
 * - is_complete never answers `invalid`: tslab only tells complete from incomplete; syntax errors
 *   are reported when the cell runs, which front ends handle the same way.
 * - stdin (`input_request`) and comms are not supported (tslab has neither), so `allow_stdin` is
 *   ignored and comm_info_reply lists no comms.
 * - a busy synchronous cell blocks tslab's event loop, so neither the heartbeat nor an
 *   interrupt_request is read until it yields; interrupting such a cell needs SIGINT, which is the
 *   kernel spec's default `interrupt_mode: "signal"`.
 */
import { randomUUID } from 'crypto';
import util from 'util';
import type * as TslabConverter from 'tslab/dist/converter';
import type * as TslabExecutor from 'tslab/dist/executor';
import type * as TslabJupyter from 'tslab/dist/jupyter';
import { sendsSettled, serializeKernelSends } from '../tslab/kernel-sockets';
import { decodeMessage, encodeMessage, JupyterMessage } from '../runner/wire';
import { loadTslab, TslabModules } from './tslab-internals';

/** The `ename` of the error reply sent for a request aborted because an earlier cell failed. */
export const ABORTED_ENAME = 'ExecutionAborted';

/** tslab's own window (ms) after a failed cell in which arriving requests are aborted (its issue #19). */
export const ABORT_WINDOW_MS = 200;

/** The format tslab's executor passes to `console.error` for each TypeScript diagnostic. */
export const DIAGNOSTIC_FORMAT = '%s%d:%d - %s';

type ZmqServer = TslabJupyter.ZmqServer;
type ZmqMessage = Parameters<ZmqServer['handleExecute']>[1];
type Handler = ConstructorParameters<typeof TslabJupyter.ZmqServer>[0];
type DisplayData = Parameters<Parameters<Handler['handleExecute']>[2]>[0];
type WriteStream = (name: string, text: string) => void;
type WriteDisplayData = (data: DisplayData, update: boolean) => void;
/** Publish one IOPub message whose parent is the request being handled. */
export type Publish = (msgType: string, content: Record<string, unknown>) => void;

/** What tslab's handler needs from our side, typed for the parts of it we call. */
type BaseHandler = TslabJupyter.JupyterHandlerImpl;

/** The content of an `execute_request`, as the protocol defines it (all but `code` optional here). */
export interface ExecuteRequestContent {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: object;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

/** The ename / evalue / traceback of a failed cell (the `error` message's content). */
export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Where one execution sends its output. */
export interface ExecuteIO {
  writeStream: WriteStream;
  writeDisplayData: WriteDisplayData;
  publish: Publish;
}

function isErrorLike(v: unknown): v is { name: string; message: string } {
  return v !== null && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { message?: unknown }).message === 'string';
}

/**
 * Turn what tslab's executor passed to `console.error` during a failed cell into an `error` message.
 * tslab calls it once with the thrown value for a runtime error, or once per TypeScript diagnostic
 * with DIAGNOSTIC_FORMAT; the traceback is the text tslab would have printed, line by line, so tools
 * that read it (the runner's failure report) see what they saw on stderr before.
 */
export function describeFailure(calls: readonly (readonly unknown[])[]): CellError {
  const traceback = calls.flatMap((args) => util.format(...args).split('\n'));
  const thrown = calls.filter((args) => args.length === 1 && args[0] !== DIAGNOSTIC_FORMAT);
  const last = thrown[thrown.length - 1];
  if (last !== undefined) {
    const value = last[0];
    if (isErrorLike(value)) return { ename: value.name, evalue: value.message, traceback };
    return { ename: 'Error', evalue: util.format(value), traceback };
  }
  const diagnostics = calls.filter((args) => args[0] === DIAGNOSTIC_FORMAT);
  const first = diagnostics.find((args) => args[1] === '') ?? diagnostics[0];
  if (first !== undefined) {
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    return { ename: 'CompileError', evalue: `${String(first[4])}${more}`, traceback };
  }
  return { ename: 'Error', evalue: 'tslab reported a failure without a message', traceback };
}

/** One execution in progress: where the executor's `console` calls go. */
interface Running {
  count: number;
  silent: boolean;
  publish: Publish;
  errors: unknown[][];
}

/**
 * The protocol-conformant handler: tslab's JupyterHandlerImpl does completion, inspection and
 * is-complete; execution, kernel info and shutdown replies are ours. It also serves as the
 * `console` of tslab's executor (`log` = the last expression's value, `error` = a failure).
 */
export class ConformantHandler implements Handler {
  private count = 0;
  private received = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private abort: { afterSeq: number; until: number } | null = null;
  private running: Running | null = null;
  private base: BaseHandler | null = null;
  private executor: TslabExecutor.Executor | null = null;

  constructor(
    private readonly tslab: TslabModules,
    private readonly javascript: boolean,
    /** The TypeScript version tslab compiles with, for language_info. */
    private readonly typescriptVersion: string | null,
  ) {}

  /** Connect tslab's executor (created with this handler's `console`). */
  attach(executor: TslabExecutor.Executor): void {
    this.executor = executor;
    this.base = new this.tslab.jupyter.JupyterHandlerImpl(executor, this.javascript);
  }

  /** The `console` tslab's executor writes to. */
  readonly console: TslabExecutor.ConsoleInterface = {
    // tslab calls log only with the value of a cell's last expression.
    log: (...args: unknown[]): void => {
      const r = this.running;
      if (r === null) {
        console.log(...args);
        return;
      }
      if (r.silent) return;
      r.publish('execute_result', { execution_count: r.count, data: { 'text/plain': util.format(...args) }, metadata: {} });
    },
    error: (...args: unknown[]): void => {
      if (this.running === null) console.error(...args);
      else this.running.errors.push(args);
    },
  };

  private get tslabHandler(): BaseHandler {
    if (this.base === null) throw new Error('ConformantHandler: attach(executor) was not called');
    return this.base;
  }

  handleKernel(): ReturnType<Handler['handleKernel']> & { status: 'ok' } {
    const info = this.tslabHandler.handleKernel();
    return {
      ...info,
      status: 'ok',
      implementation_version: this.tslab.version,
      language_info: {
        ...info.language_info,
        version: this.javascript ? info.language_info.version : (this.typescriptVersion ?? info.language_info.version),
      },
    };
  }

  /** Queue one execute_request; resolves to the execute_reply content. */
  handleExecute(req: ExecuteRequestContent, writeStream: WriteStream, writeDisplayData: WriteDisplayData, publish?: Publish): Promise<ReturnType<Handler['handleExecute']> extends Promise<infer R> ? R : never> {
    const seq = ++this.received;
    const arrived = Date.now();
    const io: ExecuteIO = { writeStream, writeDisplayData, publish: publish ?? fallbackPublish(writeStream) };
    const run = (): Promise<Record<string, unknown>> => this.run(req, io, seq, arrived);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result as Promise<never>;
  }

  private async run(req: ExecuteRequestContent, io: ExecuteIO, seq: number, arrived: number): Promise<Record<string, unknown>> {
    const silent = req.silent === true;
    if (this.abort !== null && seq > this.abort.afterSeq && arrived <= this.abort.until) {
      return {
        status: 'error',
        execution_count: null,
        ename: ABORTED_ENAME,
        evalue: 'not run: an earlier cell failed and asked to stop on error (stop_on_error)',
        traceback: [],
      };
    }
    if (!silent && req.store_history !== false) this.count++;
    const count = this.count;
    if (!silent) io.publish('execute_input', { code: req.code, execution_count: count });
    // As tslab does: the cell's (and later callbacks') stdout/stderr go to this request's IOPub.
    process.stdout.write = this.tslabHandler.createWriteToIopub('stdout', io.writeStream) as typeof process.stdout.write;
    process.stderr.write = this.tslabHandler.createWriteToIopub('stderr', io.writeStream) as typeof process.stderr.write;
    (this.tslab.jupyter as { lastWriteDisplayData: WriteDisplayData | null }).lastWriteDisplayData = io.writeDisplayData;
    const running: Running = { count, silent, publish: io.publish, errors: [] };
    this.running = running;
    let ok: boolean;
    try {
      ok = await (this.executor as TslabExecutor.Executor).execute(req.code);
    } catch (e) {
      ok = false;
      running.errors.push([e]);
    } finally {
      this.running = null;
    }
    if (ok) {
      // Diagnostics of a `//@module` cell do not fail it: printed on stderr, as tslab does.
      for (const args of running.errors) process.stderr.write(util.format(...args) + '\n');
      return { status: 'ok', execution_count: count, user_expressions: {}, payload: [] };
    }
    const error = describeFailure(running.errors);
    io.publish('error', { ...error });
    if (!silent && req.stop_on_error !== false) this.abort = { afterSeq: seq, until: Date.now() + ABORT_WINDOW_MS };
    return { status: 'error', execution_count: count, ...error };
  }

  handleIsComplete(req: Parameters<Handler['handleIsComplete']>[0]): ReturnType<Handler['handleIsComplete']> {
    return this.tslabHandler.handleIsComplete(req);
  }

  handleInspect(req: Parameters<Handler['handleInspect']>[0]): ReturnType<Handler['handleInspect']> {
    return guarded(() => this.tslabHandler.handleInspect(req));
  }

  handleComplete(req: Parameters<Handler['handleComplete']>[0]): ReturnType<Handler['handleComplete']> {
    return guarded(() => this.tslabHandler.handleComplete(req));
  }

  handleShutdown(req: Parameters<Handler['handleShutdown']>[0]): ReturnType<Handler['handleShutdown']> & { status: 'ok' } {
    return { status: 'ok', restart: req.restart === true };
  }

  /**
   * interrupt_request: raise SIGINT in this process, so that it is exactly JupyterLab's Kernel >
   * Interrupt (interrupt_mode "signal"): tslab's handler interrupts an awaiting cell, and the kit's
   * own listener (src/runtime/interrupt.ts) tells a running `Trainer.fit` to stop at its next step.
   */
  interrupt(): void {
    process.kill(process.pid, 'SIGINT');
  }

  close(): void {
    this.tslabHandler.close();
  }
}

/** A reply that threw inside tslab becomes the protocol's error reply instead of no reply. */
function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    const error = describeFailure([[e]]);
    return { status: 'error', ...error } as unknown as T;
  }
}

/** Without an IOPub publisher (a caller other than our server): degrade to what tslab printed. */
function fallbackPublish(writeStream: WriteStream): Publish {
  return (type, content) => {
    if (type === 'execute_result') writeStream('stdout', String((content.data as Record<string, unknown>)['text/plain']) + '\n');
    else if (type === 'error') writeStream('stderr', (content.traceback as string[]).join('\n') + '\n');
  };
}

/** The message types tslab 1.0.22's server handles itself; anything else comes to `handleOther`. */
const TSLAB_HANDLES = new Set(['kernel_info_request', 'execute_request', 'is_complete_request', 'inspect_request', 'complete_request', 'comm_info_request', 'shutdown_request']);

const DELIMITER = Buffer.from('<IDS|MSG>');

/** The msg_type of a raw message without verifying it (tslab verifies what it handles). */
export function peekMsgType(frames: readonly Buffer[]): string | undefined {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  const header = at < 0 ? undefined : frames[at + 2];
  if (header === undefined) return undefined;
  try {
    const type = (JSON.parse(header.toString('utf8')) as { msg_type?: unknown }).msg_type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/** The server as the start-up code uses it. */
export interface ConformantServer {
  readonly conformant: ConformantHandler;
  /** Bind the sockets and start serving (tslab's `init`). */
  init(): Promise<void>;
  /** Close the handler and the sockets (tslab's `close`). */
  close(): void;
}

/** tslab's ZmqServer with the execution, comm-info and unknown-message handling replaced. */
export function conformantServerClass(tslab: TslabModules, writeKernelLog: (text: string) => void): new (handler: ConformantHandler, configPath: string) => ConformantServer {
  return class ConformantServer extends tslab.jupyter.ZmqServer {
    constructor(
      readonly conformant: ConformantHandler,
      configPath: string,
    ) {
      super(conformant, configPath);
    }

    override handleShellMessage(sock: Parameters<ZmqServer['handleShellMessage']>[0], ...frames: Buffer[]): Promise<void> {
      const type = peekMsgType(frames);
      if (type === undefined || TSLAB_HANDLES.has(type)) return super.handleShellMessage(sock, ...frames);
      return this.handleOther(sock, frames);
    }

    override async handleExecute(sock: Parameters<ZmqServer['handleExecute']>[0], msg: ZmqMessage): Promise<void> {
      const publish: Publish = (msgType, content) => {
        const m = msg.createReply();
        m.header.msg_type = msgType;
        m.content = content;
        m.signAndSend(this.connInfo.key, this.iopub);
      };
      const writeStream: WriteStream = (name, text) => publish('stream', { name, text });
      const writeDisplayData: WriteDisplayData = (data, update) => publish(update ? 'update_display_data' : 'display_data', data as unknown as Record<string, unknown>);
      const content = await this.conformant.handleExecute(msg.content as ExecuteRequestContent, writeStream, writeDisplayData, publish);
      const reply = msg.createReply();
      reply.header.msg_type = 'execute_reply';
      reply.content = content;
      reply.signAndSend(this.connInfo.key, sock);
    }

    override handleCommInfoRequest(sock: Parameters<ZmqServer['handleCommInfoRequest']>[0], msg: ZmqMessage): void {
      const reply = msg.createReply();
      reply.header.msg_type = 'comm_info_reply';
      reply.content = { status: 'ok', comms: {} };
      reply.signAndSend(this.connInfo.key, sock);
    }

    /**
     * tslab closes the sockets right after queueing the shutdown reply and the idle status; with the
     * kit's serialised sends (src/tslab/kernel-sockets.ts) those go out a few microtasks later, so
     * close once they are out instead of dropping them.
     */
    override close(): void {
      void Promise.all([this.shell, this.control, this.iopub].map((s) => sendsSettled(s))).then(() => super.close());
    }

    /** Requests tslab does not know: answered here with the kit's wire code (src/runner/wire.ts). */
    async handleOther(sock: Parameters<ZmqServer['handleShellMessage']>[0], frames: Buffer[]): Promise<void> {
      const key = this.connInfo.key;
      let req: JupyterMessage;
      try {
        req = decodeMessage(frames, key);
      } catch (e) {
        writeKernelLog(`genlab-ts kernel: ignored a message that is not valid: ${e instanceof Error ? e.message : String(e)}\n`);
        return;
      }
      const identities = frames.slice(0, frames.findIndex((f) => f.equals(DELIMITER)));
      const message = (msgType: string, content: Record<string, unknown>): JupyterMessage => ({
        header: { msg_id: randomUUID(), session: req.header.session, username: req.header.username, date: new Date().toISOString(), msg_type: msgType, version: '5.3' },
        parent_header: req.header,
        metadata: {},
        content,
        buffers: [],
      });
      const status = (state: 'busy' | 'idle'): void => {
        void this.iopub.send(encodeMessage(message('status', { execution_state: state }), key));
      };
      const reply = (msgType: string, content: Record<string, unknown>): void => {
        void sock.send([...identities, ...encodeMessage(message(msgType, content), key)]);
      };
      status('busy');
      try {
        switch (req.header.msg_type) {
          case 'history_request':
            // tslab keeps no history; an empty one is a valid answer.
            reply('history_reply', { status: 'ok', history: [] });
            break;
          case 'interrupt_request':
            this.conformant.interrupt();
            reply('interrupt_reply', { status: 'ok' });
            break;
          default:
            // As ipykernel: log it where the kernel's own messages go, not into a cell, and do not answer.
            writeKernelLog(`genlab-ts kernel: unknown message type ${JSON.stringify(req.header.msg_type)}; not answered\n`);
        }
      } finally {
        status('idle');
      }
    }
  };
}

/** tslab's converter pair (main.js's ConverterSetImpl, which it does not export): made on first use. */
function converterSet(tslab: TslabModules, javascript: boolean): TslabExecutor.ConverterSet {
  let node: TslabConverter.Converter | undefined;
  let browser: TslabConverter.Converter | undefined;
  return {
    get node() {
      node ??= tslab.converter.createConverter({ isJS: javascript, isBrowser: false });
      return node;
    },
    get browser() {
      browser ??= tslab.converter.createConverter({ isJS: javascript, isBrowser: true });
      return browser;
    },
    close() {
      node?.close();
      browser?.close();
    },
  };
}

function typescriptVersionOf(tslab: TslabModules): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslab.dir] })) as { version?: unknown };
    return typeof ts.version === 'string' ? ts.version : null;
  } catch {
    return null;
  }
}

/** Options of `startConformantKernel`. */
export interface StartKernelOptions {
  /** The connection file Jupyter wrote (`{connection_file}`). */
  configPath: string;
  /**
   * Start the JavaScript kernel (jslab) instead of TypeScript.
   * @default false
   */
  javascript?: boolean;
  /** tslab's modules. @default loadTslab() (the project's tslab, shape-checked) */
  tslab?: TslabModules;
}

/**
 * Start the kernel: what tslab's `startKernel` does (main.js), with our handler and server. The
 * kernel's working directory is where modules are resolved from, as in tslab.
 */
export async function startConformantKernel(options: StartKernelOptions): Promise<void> {
  const tslab = options.tslab ?? loadTslab();
  const javascript = options.javascript ?? false;
  // Before any cell runs: tslab redirects process.stderr into the running cell's output.
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const writeKernelLog = (text: string): void => void stderrWrite(text);
  // The kit's fix for tslab's unawaited ZeroMQ sends (src/tslab/kernel-sockets.ts), from the start.
  serializeKernelSends();
  const handler = new ConformantHandler(tslab, javascript, javascript ? null : typescriptVersionOf(tslab));
  const convs = converterSet(tslab, javascript);
  void convs.node; // warm the compiler, as tslab does
  const executor = tslab.executor.createExecutor(process.cwd(), convs, handler.console);
  handler.attach(executor);
  const Server = conformantServerClass(tslab, writeKernelLog);
  const server = new Server(handler, options.configPath);
  process.on('SIGINT', () => executor.interrupt());
  // As tslab: errors outside a cell's flow are printed (into the last cell's stderr), not fatal.
  process.on('uncaughtException', (err) => console.error('UncaughtException:', err));
  process.on('unhandledRejection', (reason) => console.error('UnhandledPromiseRejection:', reason));
  try {
    await server.init();
  } catch (e) {
    writeKernelLog(`genlab-ts kernel: could not bind the sockets of ${options.configPath}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
