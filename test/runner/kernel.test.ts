/** The kernel client against the kit's real kernel (tslab with src/kernel's protocol fixes): channels, execution, interrupt, shutdown, start failures. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kernel, KernelStartError } from '../../src/runner/kernel';
import { runNotebook, WEIGHT_CACHE_ENV as RUNNER_CACHE_ENV } from '../../src/runner/run-notebook';
import type { JupyterMessage } from '../../src/runner/wire';
import { WEIGHT_CACHE_ENV } from '../../src/train/weight-cache';
import { eventually, fixture, FIXTURES, marker, processesWithMarker } from './helpers';

describe('Kernel', () => {
  let kernel: Kernel;
  before(async () => {
    kernel = await Kernel.start({ cwd: FIXTURES });
  });
  after(async () => {
    await kernel.shutdown();
  });

  /** Each output message as one line: `stdout: text`, `execute_result: text/plain`, `error: ename: evalue`. */
  const describe1 = (m: JupyterMessage): string => {
    const c = m.content;
    if (m.header.msg_type === 'stream') return `${String(c.name)}: ${String(c.text)}`;
    if (m.header.msg_type === 'execute_result') return `execute_result: ${String((c.data as Record<string, unknown>)['text/plain'])}`;
    if (m.header.msg_type === 'error') return `error: ${String(c.ename)}: ${String(c.evalue)}`;
    return m.header.msg_type;
  };
  const run = async (code: string) => {
    const streams: string[] = [];
    const messages: JupyterMessage[] = [];
    const outcome = await kernel.execute(code, {
      onOutput: (m) => {
        messages.push(m);
        streams.push(describe1(m));
      },
    });
    return { outcome, streams, messages };
  };

  it('answers kernel_info (with the status tslab omits) and the heartbeat', async () => {
    assert.equal((kernel.kernelInfo.language_info as { name: string }).name, 'typescript');
    assert.equal(kernel.kernelInfo.status, 'ok');
    assert.equal(kernel.kernelInfo.protocol_version, '5.3');
    assert.equal(await kernel.heartbeat(), true);
  });

  it('executes in order, with counts from the reply, execute_input, and the last value as execute_result', async () => {
    const a = await run('const a: number = 20;\nconsole.log(a + 1);');
    const b = await run('a * 2');
    assert.equal(a.outcome.status, 'ok');
    assert.deepEqual(a.streams, ['stdout: 21\n']);
    assert.ok(a.outcome.status === 'ok' && b.outcome.status === 'ok');
    assert.equal(b.outcome.executionCount, (a.outcome.executionCount ?? 0) + 1);
    assert.ok(b.outcome.timing['iopub.execute_input'] !== undefined, 'execute_input was published');
    assert.deepEqual(b.streams, ['execute_result: 40']);
    assert.equal(b.messages[0]?.content.execution_count, b.outcome.executionCount);
  });

  it('reports a failure with one error message and an error reply carrying ename, evalue and traceback', async () => {
    const r = await run('const z: number = "s";');
    assert.equal(r.outcome.status, 'error');
    assert.deepEqual(r.streams, ["error: CompileError: Type 'string' is not assignable to type 'number'."]);
    assert.ok(r.outcome.status === 'error');
    assert.equal(r.outcome.content.ename, 'CompileError');
    assert.deepEqual(r.outcome.content.traceback, ["1:7 - Type 'string' is not assignable to type 'number'."]);
    const t = await run('throw new RangeError("too far")');
    assert.equal(t.outcome.status, 'abort', 'a request right after an error (stop_on_error) is aborted');
    await new Promise((res) => setTimeout(res, 250)); // the abort window after an error is 200 ms
    const u = await run('throw new RangeError("too far")');
    assert.equal(u.outcome.status, 'error');
    assert.deepEqual(u.streams, ['error: RangeError: too far']);
    assert.match((u.messages[0]?.content.traceback as string[]).join('\n'), /\nRangeError: too far\n\s+at /);
    await new Promise((res) => setTimeout(res, 250));
  });

  it('interrupts a busy cell with SIGINT and stays usable', async () => {
    const busy = kernel.execute('while (true) {}');
    await new Promise((res) => setTimeout(res, 1000));
    assert.equal(await kernel.heartbeat(500), false, 'a busy tslab does not echo heartbeats');
    kernel.interrupt();
    const outcome = await busy;
    assert.equal(outcome.status, 'error');
    await new Promise((res) => setTimeout(res, 250));
    assert.equal((await run('console.log("alive")')).streams[0], 'stdout: alive\n');
  });

  it('shuts down gracefully over the control channel', async () => {
    const k = await Kernel.start({ cwd: FIXTURES, transport: 'tcp' });
    assert.equal((await k.execute('1')).status, 'ok');
    const exit = await k.shutdown(10_000);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal((await k.execute('1')).status, 'dead');
  });
});

describe('Kernel start failures', () => {
  it('names the command, the exit and the kernel output when the process dies at start', async () => {
    await assert.rejects(
      Kernel.start({ cwd: FIXTURES, argv: [process.execPath, '-e', 'console.error("no such module"); process.exit(4)', '{connection_file}'] }),
      (e: unknown) =>
        e instanceof KernelStartError && /kernel exited during start-up \(exit code 4\)/.test(e.message) && /no such module/.test(e.message) && e.message.includes(process.execPath),
    );
  });

  it('gives up on a kernel that never answers, and kills it', async () => {
    const mark = marker();
    await assert.rejects(
      Kernel.start({ cwd: FIXTURES, argv: [process.execPath, '-e', 'setTimeout(() => {}, 600000)'], startTimeoutMs: 1500, env: mark.env }),
      /kernel did not answer within 2 s|did not answer/,
    );
    assert.ok(await eventually(() => processesWithMarker(mark.value).length === 0), 'the silent kernel was killed');
  });

  it('passes the caller\'s environment to the kernel', async () => {
    // The dying kernel's error report carries what it printed: the variable as the kernel saw it.
    await assert.rejects(
      Kernel.start({
        cwd: FIXTURES,
        argv: [process.execPath, '-e', 'console.error("cache=" + process.env.GENLAB_WEIGHT_CACHE); process.exit(3)', '{connection_file}'],
        env: { GENLAB_WEIGHT_CACHE: '/tmp/some-cache' },
      }),
      (e: unknown) => e instanceof KernelStartError && /cache=\/tmp\/some-cache/.test(e.message),
    );
  });

  it('the runner starts every kernel with the weight cache off, whatever the environment asks', async () => {
    assert.equal(RUNNER_CACHE_ENV, WEIGHT_CACHE_ENV, 'the runner names the variable weight-cache.ts reads');
    const saved = process.env.GENLAB_WEIGHT_CACHE;
    process.env.GENLAB_WEIGHT_CACHE = '/tmp/some-cache';
    try {
      const r = await runNotebook(fixture('passing.ipynb'), {
        write: false,
        kernel: { argv: [process.execPath, '-e', 'console.error("cache=" + process.env.GENLAB_WEIGHT_CACHE); process.exit(3)', '{connection_file}'] },
      });
      assert.equal(r.status, 'dead-kernel');
      assert.match(String(r.error), /cache=off/);
    } finally {
      if (saved === undefined) delete process.env.GENLAB_WEIGHT_CACHE;
      else process.env.GENLAB_WEIGHT_CACHE = saved;
    }
  });

  it('reports a command that cannot be spawned', async () => {
    await assert.rejects(Kernel.start({ cwd: FIXTURES, argv: ['/no/such/tslab', 'kernel'] }), /could not start \/no\/such\/tslab: .*ENOENT/);
  });
});
