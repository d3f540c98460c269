/** The kernel client against a real tslab kernel: channels, execution, interrupt, shutdown, start failures. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kernel, KernelStartError } from '../../src/runner/kernel';
import { runNotebook, WEIGHT_CACHE_ENV as RUNNER_CACHE_ENV } from '../../src/runner/run-notebook';
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

  const run = async (code: string) => {
    const streams: string[] = [];
    const outcome = await kernel.execute(code, { onOutput: (m) => streams.push(`${String(m.content.name)}: ${String(m.content.text)}`) });
    return { outcome, streams };
  };

  it('answers kernel_info and the heartbeat', async () => {
    assert.equal((kernel.kernelInfo.language_info as { name: string }).name, 'typescript');
    assert.equal(await kernel.heartbeat(), true);
  });

  it('executes in order, with counts from the reply and output on IOPub', async () => {
    const a = await run('const a: number = 20;\nconsole.log(a + 1);');
    const b = await run('a * 2');
    assert.equal(a.outcome.status, 'ok');
    assert.deepEqual(a.streams, ['stdout: 21\n']);
    assert.ok(a.outcome.status === 'ok' && b.outcome.status === 'ok');
    assert.equal(b.outcome.executionCount, (a.outcome.executionCount ?? 0) + 1);
    assert.deepEqual(b.streams, ['stdout: 40\n'], "tslab prints the last expression's value");
  });

  it('reports errors only through the reply status and stderr (tslab has no error message)', async () => {
    const r = await run('const z: number = "s";');
    assert.equal(r.outcome.status, 'error');
    assert.deepEqual(r.streams, ["stderr: 1:7 - Type 'string' is not assignable to type 'number'.\n"]);
    await new Promise((res) => setTimeout(res, 250)); // tslab aborts requests within 200 ms of an error
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
