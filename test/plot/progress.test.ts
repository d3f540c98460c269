/**
 * Progress display: sparse log lines outside a notebook; throttled in-place updates inside one, with
 * the final state always shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatNumber, progressFraction, ProgressDisplay, ProgressUpdate } from '../../src/plot/progress';
import { fakeKernel } from './helpers';

function run(display: ProgressDisplay, epochs: number, steps: number, start = 1): ProgressUpdate {
  let last: ProgressUpdate | undefined;
  for (let e = start; e <= epochs; e++) {
    for (let s = 1; s <= steps; s++) {
      last = { epoch: e, epochs, step: s, steps, terms: { loss: 1 / (e * s), kl: 1e-4 * s }, elapsedSec: e * 2, etaSec: (epochs - e) * 2 };
      display.update(last);
    }
  }
  return last as ProgressUpdate;
}

test('outside a notebook: 100 updates log at most 12 lines, first and final included', () => {
  const lines: string[] = [];
  const p = new ProgressDisplay({ log: (l) => lines.push(l) });
  run(p, 20, 5);
  p.done();
  assert.ok(lines.length <= 12 && lines.length >= 3, `${lines.length} lines`);
  assert.match(lines[0] as string, /epoch 1\/20\s+step 1\/5\s+loss 1\s+kl 1\.00e-4/);
  assert.match(lines.at(-1) as string, /^\[#{20}\] epoch 20\/20\s+step 5\/5/);
  assert.equal(new Set(lines).size, lines.length, 'no line twice');
});

test('console.log is the default sink and stays sparse over 1000 updates', () => {
  const captured: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => { captured.push(args.join(' ')); };
  try {
    const p = new ProgressDisplay();
    run(p, 100, 10);
    p.done();
  } finally {
    console.log = original;
  }
  assert.ok(captured.length <= 12, `${captured.length} lines`);
});

test('a resumed run counts its progress from its first epoch; reuse after done starts afresh', () => {
  assert.equal(progressFraction({ epoch: 11, epochs: 20, step: 5, steps: 10, terms: {}, elapsedSec: 0 }, 11), 0.05);
  assert.equal(progressFraction({ epoch: 3, epochs: 4, terms: {}, elapsedSec: 0 }), 0.75, 'no step: epoch complete');
  const lines: string[] = [];
  const p = new ProgressDisplay({ log: (l) => lines.push(l) });
  run(p, 20, 2, 11);
  p.done();
  const n = lines.length;
  assert.match(lines[0] as string, /^\[#?-+\] epoch 11\/20/);
  run(p, 2, 1);
  p.done();
  assert.match(lines[n] as string, /epoch 1\/2/, 'a new run logs its first update again');
});

test('in a notebook: one output updated in place, throttled, final state always rendered', () => {
  const { sent, restore } = fakeKernel();
  try {
    let now = 0;
    const p = new ProgressDisplay({ now: () => now, minIntervalMs: 250, title: 'vae' });
    let last: ProgressUpdate | undefined;
    for (let i = 1; i <= 100; i++) {
      now += 10; // 100 updates over one second
      last = { epoch: 1, epochs: 1, step: i, steps: 100, terms: { loss: 1 / i }, elapsedSec: now / 1000, etaSec: 0 };
      p.update(last);
    }
    assert.ok(sent.length >= 4 && sent.length <= 5, `${sent.length} renders for 1 s of updates`);
    p.done();
    const final = sent.at(-1);
    assert.match(final?.data['text/plain'] as string, /step 100\/100/);
    assert.match(final?.data['text/html'] as string, /width:100\.0%/);
    assert.ok(sent.every((s) => s.displayId === sent[0]?.displayId), 'one output');
    assert.equal(sent[0]?.update, false);
    assert.ok(sent.slice(1).every((s) => s.update));
    assert.ok((final?.data['text/html'] as string).startsWith('<div'));
    assert.equal(last?.step, 100);
  } finally {
    restore();
  }
});

test('number and duration formats', () => {
  assert.equal(formatNumber(0.123456), '0.1235');
  assert.equal(formatNumber(12345678), '1.23e+7');
  assert.equal(formatNumber(3), '3');
  assert.equal(formatDuration(4.24), '4.2s');
  assert.equal(formatDuration(185), '3m05s');
  assert.equal(formatDuration(3720), '1h02m');
});
