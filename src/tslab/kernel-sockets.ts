/**
 * tslab 1.0.22 sends every Jupyter message with `sock.send(...)` and never awaits it. zeromq 6 allows one
 * send in flight per socket and throws "Socket is busy writing" (EBUSY) at a second one, so on a loaded
 * machine two quick IOPub messages (a progress update, then a status or stream message) can collide
 * and kill the cell or the kernel. Seen here intermittently in full-profile runs.
 *
 * The fix lives in the kernel process, where this library is loaded: each socket's sends are chained,
 * so a send starts only after the previous one finished. Order is preserved; the first send of an
 * idle socket is delayed by one microtask only.
 */

import { writeSync } from 'fs';

const PATCHED = Symbol.for('genlab-ts.send-queue.patched');

type SendFn = (this: object, ...args: unknown[]) => unknown;

// The tail of each socket's chain of sends. A WeakMap, because zeromq's socket objects are sealed.
const queues = new WeakMap<object, Promise<unknown>>();

/** Make `proto.send` wait for the socket's previous send. Idempotent. */
export function queueSends(proto: { send: SendFn }): void {
  if ((proto.send as unknown as Record<symbol, boolean>)[PATCHED]) return;
  const original = proto.send;
  const send: SendFn = function (this: object, ...args: unknown[]): Promise<unknown> {
    const previous = queues.get(this) ?? Promise.resolve();
    const next = previous.then(() => original.apply(this, args));
    // Callers (tslab) ignore the promise: mark it handled here so a failed send is reported once,
    // on the process's own stderr, instead of as an unhandled rejection that would end the kernel.
    // Not through process.stderr.write: inside a kernel tslab points it at IOPub, so a failing IOPub
    // send would report itself by another failing send, forever (seen at shutdown, when the idle
    // status queued here goes out after the socket was closed). A closed socket is not worth a line.
    queues.set(
      this,
      next.catch((e: unknown) => {
        if ((this as { closed?: unknown }).closed === true) return;
        try {
          writeSync(2, `genlab-ts: a kernel message could not be sent: ${e instanceof Error ? e.message : String(e)}\n`);
        } catch {
          // no stderr to report to
        }
      }),
    );
    return next;
  };
  (send as unknown as Record<symbol, boolean>)[PATCHED] = true;
  // zeromq's `send` is inherited from a native base class whose methods are read-only, so plain
  // assignment fails; an own property on the subclass prototype shadows it.
  Object.defineProperty(proto, 'send', { value: send, writable: true, configurable: true, enumerable: false });
}

/**
 * Resolves once every send queued on `socket` so far has been handed to ZeroMQ (or failed). A kernel
 * closing its sockets waits for this, or the replies queued last (the shutdown reply, the final idle
 * status) would be dropped by the close.
 */
export function sendsSettled(socket: object): Promise<void> {
  return (queues.get(socket) ?? Promise.resolve()).then(() => undefined);
}

let done = false;

/** Serialise the sends of the ZeroMQ sockets tslab uses (Publisher for IOPub, Router for shell/control). */
export function serializeKernelSends(): void {
  if (done) return;
  done = true;
  try {
    // The kernel and this library resolve the same zeromq module file, so patching its prototypes
    // reaches the sockets tslab already made.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const zmq = require('zeromq') as Record<string, { prototype: { send: SendFn } } | undefined>;
    for (const name of ['Publisher', 'Router']) {
      const cls = zmq[name];
      if (cls) queueSends(cls.prototype);
    }
  } catch {
    // No zeromq (not in a kernel set-up): nothing to protect.
  }
}
