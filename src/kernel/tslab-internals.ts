/**
 * The parts of tslab's internals the kit's kernel (./conformant.ts) builds on, loaded and checked.
 *
 * We reuse tslab's compiler, executor and ZeroMQ server and replace only the message handling that
 * breaks the Jupyter protocol. That reaches into `tslab/dist/*`, which is not tslab's public API, so
 * a future tslab may move or rename what we rely on. Rather than let such a version silently lose a
 * fix (for example an overridden method the server no longer calls), `loadTslab` checks every export,
 * method and call site we depend on and throws `TslabShapeError` naming each one that is missing,
 * the tslab version found and the version the checks were written for.
 */
import path from 'path';
import type * as TslabConverter from 'tslab/dist/converter';
import type * as TslabExecutor from 'tslab/dist/executor';
import type * as TslabJupyter from 'tslab/dist/jupyter';

/** The tslab release whose internals ./conformant.ts was written against and tested with. */
export const TESTED_TSLAB_VERSION = '1.0.22';

/** tslab's modules as the kernel uses them. */
export interface TslabModules {
  /** tslab's version (its package.json). */
  version: string;
  /** The folder tslab is installed in. */
  dir: string;
  jupyter: typeof TslabJupyter;
  executor: typeof TslabExecutor;
  converter: typeof TslabConverter;
}

/** tslab's internals do not have the shape the kit's kernel needs. */
export class TslabShapeError extends Error {}
TslabShapeError.prototype.name = 'TslabShapeError';

/**
 * What must hold of tslab's modules, each as [description, test]. The source-text checks pin the
 * dispatch our overrides depend on: a method we override is only useful while tslab still calls it.
 */
const REQUIREMENTS: readonly [string, (t: TslabModules) => boolean][] = [
  ['converter.createConverter(options) is a function', (t) => typeof t.converter.createConverter === 'function'],
  ['executor.createExecutor(rootDir, convs, console) takes three arguments', (t) => typeof t.executor.createExecutor === 'function' && t.executor.createExecutor.length === 3],
  ['jupyter.lastWriteDisplayData is an export (the display API reads it)', (t) => 'lastWriteDisplayData' in t.jupyter],
  ['jupyter.JupyterHandlerImpl is a class', (t) => typeof t.jupyter.JupyterHandlerImpl === 'function'],
  ['jupyter.ZmqServer is a class', (t) => typeof t.jupyter.ZmqServer === 'function'],
  ...(['handleKernel', 'handleIsComplete', 'handleInspect', 'handleComplete', 'createWriteToIopub', 'close'] as const).map(
    (m): [string, (t: TslabModules) => boolean] => [`JupyterHandlerImpl.prototype.${m} is a method`, (t) => hasMethod(t.jupyter.JupyterHandlerImpl, m)],
  ),
  ...(['handleShellMessage', 'handleExecute', 'handleCommInfoRequest', 'handleKernelInfo', 'handleShutdown', 'publishStatus', 'init', 'close'] as const).map(
    (m): [string, (t: TslabModules) => boolean] => [`ZmqServer.prototype.${m} is a method`, (t) => hasMethod(t.jupyter.ZmqServer, m)],
  ),
  ['ZmqServer.handleShellMessage dispatches execute_request to this.handleExecute(sock, msg)', (t) => source(t, 'handleShellMessage').includes('this.handleExecute(sock, msg)')],
  ['ZmqServer.handleShellMessage dispatches comm_info_request to this.handleCommInfoRequest(sock, msg)', (t) => source(t, 'handleShellMessage').includes('this.handleCommInfoRequest(sock, msg)')],
  ['ZmqServer.handleShellMessage publishes busy/idle through this.publishStatus', (t) => source(t, 'handleShellMessage').includes('this.publishStatus("idle", msg)')],
  ['ZmqServer.handleShellMessage parses frames with ZmqMessage.fromRaw(this.connInfo.key, args)', (t) => source(t, 'handleShellMessage').includes('ZmqMessage.fromRaw(this.connInfo.key, args)')],
  ['ZmqServer.handleKernelInfo replies with this.handler.handleKernel()', (t) => source(t, 'handleKernelInfo').includes('this.handler.handleKernel()')],
  ['ZmqServer.handleShutdown replies with this.handler.handleShutdown(', (t) => source(t, 'handleShutdown').includes('this.handler.handleShutdown(')],
  ['ZmqServer.handleExecute builds replies with msg.createReply() and signAndSend', (t) => /msg\.createReply\(\)[\s\S]*signAndSend\(this\.connInfo\.key, this\.iopub\)/.test(source(t, 'handleExecute'))],
];

function hasMethod(cls: unknown, name: string): boolean {
  if (typeof cls !== 'function') return false;
  const proto = (cls as { prototype?: Record<string, unknown> }).prototype;
  return proto !== undefined && typeof proto[name] === 'function';
}

function source(t: TslabModules, method: string): string {
  const proto = (t.jupyter.ZmqServer as unknown as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  const fn = proto?.[method];
  return typeof fn === 'function' ? Function.prototype.toString.call(fn) : '';
}

/** Every requirement `t` fails, by description (empty when the shape is as expected). */
export function tslabShapeProblems(t: TslabModules): string[] {
  return REQUIREMENTS.filter(([, test]) => {
    try {
      return !test(t);
    } catch {
      return true;
    }
  }).map(([what]) => what);
}

/** Throw `TslabShapeError` listing every requirement `t` fails. */
export function assertTslabShape(t: TslabModules): void {
  const problems = tslabShapeProblems(t);
  if (problems.length === 0) return;
  throw new TslabShapeError(
    `genlab-ts kernel: tslab ${t.version} (in ${t.dir}) no longer has the internals the kit's protocol fixes ` +
      `were written for (tslab ${TESTED_TSLAB_VERSION}); refusing to start a kernel that would silently lose them.\n` +
      problems.map((p) => `  - expected: ${p}`).join('\n') +
      `\nInstall tslab ${TESTED_TSLAB_VERSION} (npm install tslab@${TESTED_TSLAB_VERSION}) or update src/kernel/conformant.ts for this version.`,
  );
}

/**
 * Load tslab's modules from the project's tslab (resolved from this file, i.e. the kit's own
 * node_modules) and check their shape. `dir` overrides where tslab is (for tests).
 */
export function loadTslab(dir?: string): TslabModules {
  const root = dir ?? path.dirname(require.resolve('tslab/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const pkg = require(path.join(root, 'package.json')) as { version?: unknown };
  const load = <T>(name: string): T => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      return require(path.join(root, 'dist', name)) as T;
    } catch (e) {
      throw new TslabShapeError(
        `genlab-ts kernel: cannot load tslab/dist/${name} from ${root} (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); ` +
          `the kit's kernel needs tslab ${TESTED_TSLAB_VERSION}'s internals. Run npm install.`,
      );
    }
  };
  const t: TslabModules = {
    version: typeof pkg.version === 'string' ? pkg.version : 'unknown',
    dir: root,
    jupyter: load('jupyter'),
    executor: load('executor'),
    converter: load('converter'),
  };
  assertTslabShape(t);
  return t;
}
