/**
 * The kit's kernel (src/kernel): the reply and message fixes on tslab's handler, checked against a
 * scripted executor, and the message types tslab does not handle, checked on the real kernel process
 * over ZeroMQ. The Jupyter conformance suite itself is test/conformance (Python, optional).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as Zmq from 'zeromq';
import { ABORTED_ENAME, ConformantHandler, describeFailure, DIAGNOSTIC_FORMAT, ExecuteRequestContent, peekMsgType, Publish } from '../../src/kernel/conformant';
import { parseKernelArgs } from '../../src/kernel/main';
import { loadTslab } from '../../src/kernel/tslab-internals';
import { endpoint, writeConnectionFile } from '../../src/runner/connection';
import { KERNEL_MAIN } from '../../src/runner/kernel';
import { createMessage, decodeMessage, encodeMessage, JupyterMessage } from '../../src/runner/wire';
import { ensureBuilt, eventually } from '../runner/helpers';

describe('describeFailure', () => {
  it('names a runtime error by its class and message; the traceback is what tslab printed', () => {
    const e = new RangeError('index 7 is out of range');
    const d = describeFailure([[e]]);
    assert.equal(d.ename, 'RangeError');
    assert.equal(d.evalue, 'index 7 is out of range');
    assert.equal(d.traceback[0], 'RangeError: index 7 is out of range');
    assert.ok(d.traceback.length > 1 && (d.traceback[1] as string).trimStart().startsWith('at '), 'the stack follows');
  });

  it('reports compile diagnostics as CompileError with the first message and how many more', () => {
    const d = describeFailure([
      [DIAGNOSTIC_FORMAT, '', 3, 7, "Type 'number' is not assignable to type 'string'."],
      [DIAGNOSTIC_FORMAT, '', 4, 1, "Cannot find name 'q'."],
    ]);
    assert.deepEqual(d, {
      ename: 'CompileError',
      evalue: "Type 'number' is not assignable to type 'string'. (and 1 more)",
      traceback: ["3:7 - Type 'number' is not assignable to type 'string'.", "4:1 - Cannot find name 'q'."],
    });
  });

  it('prefers a diagnostic in the cell over one in an imported module', () => {
    const d = describeFailure([
      [DIAGNOSTIC_FORMAT, 'lib.ts ', 1, 1, 'in the module'],
      [DIAGNOSTIC_FORMAT, '', 2, 2, 'in the cell'],
    ]);
    assert.equal(d.evalue, 'in the cell (and 1 more)');
  });

  it('handles a thrown value that is not an Error, and a failure with no message', () => {
    assert.deepEqual(describeFailure([['just a string']]), { ename: 'Error', evalue: 'just a string', traceback: ['just a string'] });
    assert.deepEqual(describeFailure([]), { ename: 'Error', evalue: 'tslab reported a failure without a message', traceback: [] });
  });
});

describe('parseKernelArgs and peekMsgType', () => {
  it("accepts tslab's own command line", () => {
    assert.deepEqual(parseKernelArgs(['kernel', '--config-path', '/tmp/c.json']), { configPath: '/tmp/c.json', javascript: false });
    assert.deepEqual(parseKernelArgs(['--config-path=/tmp/c.json', '--js']), { configPath: '/tmp/c.json', javascript: true });
  });

  it('rejects a missing connection file and unknown arguments with the usage', () => {
    assert.match((parseKernelArgs(['kernel']) as { error: string }).error, /--config-path is required\nusage:/);
    assert.match((parseKernelArgs(['--config-path']) as { error: string }).error, /needs a value/);
    assert.match((parseKernelArgs(['--config-path', 'c', '--ts']) as { error: string }).error, /unknown argument "--ts"/);
  });

  it('reads the msg_type of raw frames after any routing ids', () => {
    const frames = [Buffer.from('routing-id'), ...encodeMessage(createMessage('history_request', {}, 's'), 'key')];
    assert.equal(peekMsgType(frames), 'history_request');
    assert.equal(peekMsgType([Buffer.from('no delimiter')]), undefined);
  });
});

/** A scripted stand-in for tslab's executor: each code string maps to what the real one would do. */
function scriptedExecutor(handler: ConformantHandler) {
  const scripts: Record<string, () => Promise<boolean>> = {
    '6 * 7': async () => {
      handler.console.log(42);
      return true;
    },
    'print': async () => {
      process.stdout.write('printed\n');
      return true;
    },
    'throw': async () => {
      handler.console.error(new TypeError('x is not a function'));
      return false;
    },
    'bad types': async () => {
      handler.console.error(DIAGNOSTIC_FORMAT, '', 1, 7, "Type 'string' is not assignable to type 'number'.");
      return false;
    },
    '//@module warning': async () => {
      handler.console.error(DIAGNOSTIC_FORMAT, '', 1, 1, 'unused import');
      return true;
    },
  };
  return {
    execute: (code: string) => (scripts[code] ?? (async () => true))(),
    inspect: () => {
      throw new Error('TypeScript crashed');
    },
    complete: () => ({ start: 0, end: 0, candidates: [], original: null }),
    reset: () => undefined,
    interrupt: () => undefined,
    locals: {},
    close: () => undefined,
  };
}

describe('ConformantHandler (tslab handler, scripted executor)', () => {
  const tslab = loadTslab();
  let handler: ConformantHandler;
  const published: [string, Record<string, unknown>][] = [];
  const streams: string[] = [];
  const publish: Publish = (type, content) => published.push([type, content]);
  const saved = { out: process.stdout.write, err: process.stderr.write };

  before(() => {
    handler = new ConformantHandler(tslab, false, '5.6.3');
    handler.attach(scriptedExecutor(handler) as unknown as Parameters<ConformantHandler['attach']>[0]);
  });

  /** Execute, then restore the test process's stdout/stderr, which the handler points at IOPub as tslab does. */
  async function exec(req: ExecuteRequestContent) {
    published.length = 0;
    streams.length = 0;
    try {
      const reply = await handler.handleExecute(req, (name, text) => streams.push(`${name}: ${text}`), () => undefined, publish);
      return reply as unknown as Record<string, unknown>;
    } finally {
      process.stdout.write = saved.out;
      process.stderr.write = saved.err;
    }
  }

  it('kernel_info_reply has status ok, the real tslab and TypeScript versions', () => {
    const info = handler.handleKernel();
    assert.equal(info.status, 'ok');
    assert.equal(info.implementation, 'tslab');
    assert.equal(info.implementation_version, tslab.version);
    assert.equal(info.language_info.name, 'typescript');
    assert.equal(info.language_info.version, '5.6.3');
    assert.equal(info.protocol_version, '5.3');
  });

  it('publishes execute_input, then the last value as execute_result; the reply is complete', async () => {
    const reply = await exec({ code: '6 * 7' });
    assert.deepEqual(published, [
      ['execute_input', { code: '6 * 7', execution_count: 1 }],
      ['execute_result', { execution_count: 1, data: { 'text/plain': '42' }, metadata: {} }],
    ]);
    assert.deepEqual(reply, { status: 'ok', execution_count: 1, user_expressions: {}, payload: [] });
  });

  it("routes the cell's stdout to its stream, as tslab does", async () => {
    await exec({ code: 'print' });
    assert.deepEqual(streams, ['stdout: printed\n']);
  });

  it('counts only requests that store history; silent ones publish no input and no result', async () => {
    const n = (await exec({ code: '6 * 7' })).execution_count as number;
    const quiet = await exec({ code: '6 * 7', silent: true });
    assert.equal(quiet.execution_count, n, 'silent: the counter does not move');
    assert.equal(published.length, 0, 'nothing published');
    const unstored = await exec({ code: '6 * 7', store_history: false });
    assert.equal(unstored.execution_count, n, 'store_history: false (as nbval sends): neither');
    assert.deepEqual(published.map(([t]) => t), ['execute_input', 'execute_result']);
    const stored = await exec({ code: '6 * 7' });
    assert.equal(stored.execution_count, n + 1);
  });

  it('a runtime error becomes one error message and an error reply with ename, evalue, traceback', async () => {
    const reply = await exec({ code: 'throw', stop_on_error: false });
    assert.deepEqual(published.map(([t]) => t), ['execute_input', 'error']);
    const error = published[1]?.[1] as Record<string, unknown>;
    assert.equal(error.ename, 'TypeError');
    assert.equal(error.evalue, 'x is not a function');
    assert.equal(reply.status, 'error');
    assert.equal(reply.ename, 'TypeError');
    assert.deepEqual(reply.traceback, error.traceback);
    assert.deepEqual(streams, [], 'the error is not printed on stderr as well');
  });

  it('stop_on_error: false lets the next request run; true aborts what arrives within 200 ms', async () => {
    const next = await exec({ code: '6 * 7' });
    assert.equal(next.status, 'ok', 'after a stop_on_error: false failure');
    const failed = await exec({ code: 'bad types' });
    assert.equal(failed.ename, 'CompileError');
    const aborted = await exec({ code: '6 * 7' });
    assert.equal(aborted.status, 'error');
    assert.equal(aborted.ename, ABORTED_ENAME);
    assert.deepEqual(published, [], 'an aborted request publishes nothing');
    await new Promise((r) => setTimeout(r, 250));
    assert.equal((await exec({ code: '6 * 7' })).status, 'ok', 'after the window');
  });

  it('requests queued behind a failing one with stop_on_error are aborted, in order', async () => {
    const results = await Promise.all(['throw', '6 * 7', '6 * 7'].map((code) => exec({ code })));
    assert.deepEqual(
      results.map((r) => [r.status, r.ename]),
      [
        ['error', 'TypeError'],
        ['error', ABORTED_ENAME],
        ['error', ABORTED_ENAME],
      ],
    );
    await new Promise((r) => setTimeout(r, 250));
  });

  it('diagnostics of a cell that still succeeds (a //@module cell) go to stderr', async () => {
    const reply = await exec({ code: '//@module warning' });
    assert.equal(reply.status, 'ok');
    assert.deepEqual(streams, ['stderr: 1:1 - unused import\n']);
  });

  it('an inspect that throws inside TypeScript gets an error reply instead of none', () => {
    const reply = handler.handleInspect({ code: 'Math.max', cursor_pos: 4, detail_level: 0 }) as unknown as Record<string, unknown>;
    assert.equal(reply.status, 'error');
    assert.equal(reply.evalue, 'TypeScript crashed');
  });

  it('shutdown_reply has a status and echoes restart', () => {
    assert.deepEqual(handler.handleShutdown({ restart: true }), { status: 'ok', restart: true });
    assert.deepEqual(handler.handleShutdown({ restart: false }), { status: 'ok', restart: false });
  });
});

describe('the kernel process: requests tslab does not handle', () => {
  let zmq: typeof Zmq;
  let dir: string;
  let key: string;
  let child: ReturnType<typeof spawn>;
  let shell: Zmq.Dealer;
  let control: Zmq.Dealer;
  let iopub: Zmq.Subscriber;
  let stderr = '';
  let iopubError = '';
  const iopubSeen: JupyterMessage[] = [];

  before(async () => {
    ensureBuilt();
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    zmq = require(require.resolve('zeromq', { paths: [path.dirname(require.resolve('tslab/package.json'))] })) as typeof Zmq;
    dir = mkdtempSync(path.join(os.tmpdir(), 'genlab-kernel-'));
    const { file, info } = await writeConnectionFile(dir, 'ipc');
    key = info.key;
    child = spawn(process.execPath, [KERNEL_MAIN, 'kernel', '--config-path', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    shell = new zmq.Dealer({ linger: 0 });
    control = new zmq.Dealer({ linger: 0 });
    iopub = new zmq.Subscriber({ linger: 0 });
    iopub.subscribe();
    shell.connect(endpoint(info, 'shell'));
    control.connect(endpoint(info, 'control'));
    iopub.connect(endpoint(info, 'iopub'));
    void (async () => {
      try {
        for await (const frames of iopub) iopubSeen.push(decodeMessage(frames, key));
      } catch (e) {
        iopubError = String(e);
      }
    })();
    // Wait until the kernel answers (the first request waits for it to bind) and IOPub delivers: a
    // subscriber misses what is published before its subscription reaches the kernel.
    await request(shell, 'kernel_info_request', {}, 60_000);
    while (iopubSeen.length === 0) {
      await request(shell, 'kernel_info_request', {});
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(() => {
    for (const s of [shell, control, iopub]) s.close();
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function request(sock: Zmq.Dealer, type: string, content: Record<string, unknown>, timeoutMs = 10_000): Promise<JupyterMessage> {
    const msg = createMessage(type, content, 'test-session');
    await sock.send(encodeMessage(msg, key));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const frames = await Promise.race([sock.receive(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (frames === null) break;
      const reply = decodeMessage(frames, key);
      if (reply.parent_header.msg_id === msg.header.msg_id) return reply;
    }
    throw new Error(`no reply to ${type} within ${timeoutMs} ms`);
  }

  it('comm_info_request gets a comm_info_reply (tslab answers complete_reply, without status)', async () => {
    const r = await request(shell, 'comm_info_request', { target_name: 'jupyter.widget' });
    assert.equal(r.header.msg_type, 'comm_info_reply');
    assert.deepEqual(r.content, { status: 'ok', comms: {} });
  });

  it('history_request gets an empty history, framed by busy and idle', async () => {
    const r = await request(shell, 'history_request', { output: false, raw: true, hist_access_type: 'tail', n: 10 });
    assert.equal(r.header.msg_type, 'history_reply');
    assert.deepEqual(r.content, { status: 'ok', history: [] });
    const parent = r.parent_header.msg_id;
    assert.ok(await eventually(() => iopubSeen.filter((m) => m.parent_header.msg_id === parent).length === 2, 2000), JSON.stringify(iopubSeen.map((m) => [m.header.msg_type, m.parent_header.msg_type, m.content.execution_state])) + iopubError);
    assert.deepEqual(
      iopubSeen.filter((m) => m.parent_header.msg_id === parent).map((m) => m.content.execution_state),
      ['busy', 'idle'],
    );
  });

  it('interrupt_request on control is answered', async () => {
    const r = await request(control, 'interrupt_request', {});
    assert.equal(r.header.msg_type, 'interrupt_reply');
    assert.deepEqual(r.content, { status: 'ok' });
  });

  it('an unknown request is logged on the kernel stderr, not in a cell, and the kernel goes on', async () => {
    const ran = await request(shell, 'execute_request', { code: 'console.log("before")', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    assert.equal(ran.content.status, 'ok');
    const msg = createMessage('no_such_request', {}, 'test-session');
    await shell.send(encodeMessage(msg, key));
    assert.ok(await eventually(() => stderr.includes('unknown message type "no_such_request"'), 5000), stderr);
    const cellOutput = iopubSeen.filter((m) => m.header.msg_type === 'stream').map((m) => String(m.content.text));
    assert.deepEqual(cellOutput, ['before\n'], 'nothing about it in the last cell');
    const info = await request(shell, 'kernel_info_request', {});
    assert.equal(info.content.status, 'ok');
  });

  it('shutdown_request is answered with status and restart, and the process exits by itself', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const r = await request(control, 'shutdown_request', { restart: false });
    assert.deepEqual(r.content, { status: 'ok', restart: false });
    const code = await Promise.race([exited, new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 5000))]);
    assert.equal(code, 0);
  });
});
