import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queueSends } from '../../src/tslab/kernel-sockets';

/** A socket like zeromq 6's: one send in flight, a second one throws EBUSY synchronously. */
class FakeSocket {
  busy = false;
  sent: string[] = [];
  send(msg: unknown): Promise<void> {
    if (this.busy) throw new Error('Socket is busy writing; only one send operation may be in progress at any time');
    this.busy = true;
    return new Promise((resolve) =>
      setTimeout(() => {
        this.busy = false;
        this.sent.push(String(msg));
        resolve();
      }, 5),
    );
  }
}

test('unpatched: a second send while one is in flight throws, as tslab meets it under load', () => {
  const s = new FakeSocket();
  void s.send('a');
  assert.throws(() => s.send('b'), /busy writing/);
});

test('patched: back-to-back sends (not awaited, as tslab does) all go out, in order', async () => {
  class Patched extends FakeSocket {}
  queueSends(Patched.prototype as unknown as { send: (this: object, ...a: unknown[]) => unknown });
  queueSends(Patched.prototype as unknown as { send: (this: object, ...a: unknown[]) => unknown }); // idempotent
  const s = Object.seal(new Patched()); // zeromq's sockets are sealed too
  const last = [1, 2, 3, 4, 5].map((i) => s.send(`m${i}`)).at(-1);
  await last;
  assert.deepEqual(s.sent, ['m1', 'm2', 'm3', 'm4', 'm5']);
  // A failing send is reported, does not become an unhandled rejection, and does not block the next.
  const failing = Object.create(s) as Patched;
  const p = (s as unknown as { send: (m: unknown) => Promise<void> }).send.call(
    Object.assign(failing, { busy: true }),
    'x',
  );
  await assert.rejects(p, /busy writing/);
});

test('a failed send is not reported through process.stderr.write (tslab points it at IOPub: that would loop)', async () => {
  class Closed {
    closed = true;
    send(): Promise<void> {
      return Promise.reject(new Error('Socket is closed'));
    }
  }
  queueSends(Closed.prototype as unknown as { send: (this: object, ...a: unknown[]) => unknown });
  const original = process.stderr.write;
  let calls = 0;
  process.stderr.write = ((..._args: unknown[]) => {
    calls++;
    return true;
  }) as typeof process.stderr.write;
  try {
    const s = new Closed();
    await assert.rejects((s as unknown as { send: (m: unknown) => Promise<void> }).send('idle'), /closed/);
    await new Promise((r) => setTimeout(r, 10));
  } finally {
    process.stderr.write = original;
  }
  assert.equal(calls, 0);
});
