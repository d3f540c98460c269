/**
 * Issue 26: an interrupted `fit` stops at a step boundary and keeps a consistent trainer; continuing
 * it gives the numbers of a run that never stopped; the weight cache never stores an interrupted run;
 * a SIGINT reaches the loop through the event loop (as tslab delivers it); and in a plain Node
 * process Ctrl-C still ends the process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { Trainer, TrainingInterrupted } from '../../src/train/trainer';
import { cosineDecay } from '../../src/train/schedules';
import type { ProgressSink, ProgressState } from '../../src/train/progress';
import { resetWeightCacheChoice, useWeightCache } from '../../src/train/weight-cache';
import { isolateWeightCache } from './cache-env';
import { BayesianMLP } from '../../src/models/bayesian/mlp';

isolateWeightCache();

const N = 100;
const BATCH = 16; // 7 steps per epoch, the last one short
const EPOCHS = 4;

function data(): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const r = seed('interrupt-data');
  const x = r.randn([N, 3]) as tf.Tensor2D;
  const y = tf.tidy(() => tf.add(tf.matMul(x, tf.tensor2d([[1], [-2], [0.5]])).squeeze([1]), tf.mul(0.3, r.randn([N])))) as tf.Tensor1D;
  return { x, y };
}

/** A stochastic model (weight sampling draws from each step's seed) on a schedule: resuming must get both right. */
function make(): { model: BayesianMLP; trainer: Trainer } {
  const model = new BayesianMLP({ inputDim: 3, hidden: [8], rng: seed('interrupt/init') });
  const trainer = new Trainer(model, {
    rng: seed('interrupt/train'),
    batchSize: BATCH,
    learningRate: cosineDecay({ lr: 1e-2, totalSteps: EPOCHS * 7, minLr: 1e-4 }),
  });
  return { model, trainer };
}

/** A progress sink that aborts `controller` when training reaches (epoch, step), and remembers the final state. */
function abortAt(controller: AbortController, epoch: number, step: number): ProgressSink & { final: ProgressState | null } {
  const sink = {
    final: null as ProgressState | null,
    update(s: ProgressState): void {
      if (s.epoch === epoch && s.step === step) controller.abort();
    },
    done(s: ProgressState): void {
      sink.final = s;
    },
  };
  return sink;
}

const values = (model: BayesianMLP): number[][] => model.variables().map((v) => Array.from(v.dataSync()));
const withoutSeconds = (h: Record<string, number[]>): Record<string, number[]> =>
  Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'seconds'));

test('an interrupted fit keeps a consistent trainer, and continuing it equals a run that never stopped', async () => {
  const train = data();
  const reference = make();
  const refBefore = tf.memory().numTensors;
  await reference.trainer.fit(train, { epochs: EPOCHS, progress: false, validation: train });
  const optimizerState = tf.memory().numTensors - refBefore; // Adam's moments, made on the first step

  const run = make();
  const controller = new AbortController();
  // syncEvery 3: progress is reported after steps 3 and 6 of each epoch; abort after step 3 of epoch 2.
  const sink = abortAt(controller, 2, 3);
  const before = tf.memory().numTensors;
  await assert.rejects(
    run.trainer.fit(train, { epochs: EPOCHS, progress: sink, syncEvery: 3, signal: controller.signal, validation: train }),
    (e: unknown) => e instanceof TrainingInterrupted && e.epoch === 2 && e.step === 3 && e.epochsLeft === EPOCHS - 1 && /call fit again/.test(e.message),
  );
  assert.equal(tf.memory().numTensors - before, optimizerState, 'an interrupted fit leaves nothing behind but the optimiser state');
  assert.equal(run.trainer.epochs, 1, 'one complete epoch');
  assert.equal(run.trainer.steps, 7 + 3, 'steps taken: one epoch of 7, then 3');
  assert.deepEqual(run.trainer.interruptedAt, { epoch: 2, step: 3 });
  for (const [k, series] of Object.entries(run.trainer.history)) assert.equal(series.length, 1, `history "${k}" has one entry per complete epoch`);
  assert.match(sink.final?.status ?? '', /interrupted at epoch 2, step 3\/7/, 'the progress display ends saying where it stopped');

  // Continue: the interrupted epoch finishes from step 3, then the rest, as if nothing had happened.
  await run.trainer.fit(train, { epochs: EPOCHS - 1, progress: false, validation: train });
  assert.equal(tf.memory().numTensors - before, optimizerState, 'continuing adds no tensors');
  assert.equal(run.trainer.interruptedAt, null);
  assert.equal(run.trainer.epochs, EPOCHS);
  assert.equal(run.trainer.steps, reference.trainer.steps);
  assert.deepEqual(values(run.model), values(reference.model), 'weights bit-identical to the uninterrupted run');
  assert.deepEqual(withoutSeconds(run.trainer.history), withoutSeconds(reference.trainer.history), 'history identical too');
  tf.dispose([train.x, train.y]);
  reference.model.dispose?.();
  run.model.dispose?.();
});

test('a continuation must use the data the interrupted epoch was shuffled for', async () => {
  const train = data();
  const run = make();
  const controller = new AbortController();
  await assert.rejects(run.trainer.fit(train, { epochs: 2, progress: abortAt(controller, 1, 3), syncEvery: 3, signal: controller.signal }), TrainingInterrupted);
  const half = { x: train.x.slice(0, 50), y: train.y.slice(0, 50) };
  await assert.rejects(run.trainer.fit(half, { epochs: 1, progress: false }), /interrupted after step 3 of 7 on 100 examples; this call has 50 examples/);
  tf.dispose([train.x, train.y, half.x, half.y]);
  run.model.dispose?.();
});

test('the weight cache never stores an interrupted run, nor the run that continues it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'genlab-interrupt-cache-'));
  useWeightCache(dir);
  try {
    const train = data();
    const run = make();
    const controller = new AbortController();
    await assert.rejects(
      run.trainer.fit(train, { epochs: EPOCHS, progress: abortAt(controller, 2, 3), syncEvery: 3, signal: controller.signal, cache: 'interrupted' }),
      TrainingInterrupted,
    );
    assert.deepEqual(readdirSync(dir), [], 'nothing saved for the interrupted call');
    const logged: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void logged.push(a.join(' '));
    try {
      await run.trainer.fit(train, { epochs: EPOCHS - 1, progress: false, cache: 'interrupted' });
    } finally {
      console.log = log;
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing saved for the continuation either');
    assert.ok(logged.some((l) => /not used: this call continues an epoch that was interrupted/.test(l)), logged.join('\n'));
    // A complete run after that is cached as usual.
    await run.trainer.fit(train, { epochs: 1, progress: false, cache: 'after' });
    assert.ok(readdirSync(dir).length > 0, 'a complete later call is cached');
    tf.dispose([train.x, train.y]);
    run.model.dispose?.();
  } finally {
    resetWeightCacheChoice();
  }
});

test("a SIGINT (as the kernel receives it) stops fit at a step boundary within a fraction of a second", async () => {
  // tslab listens for SIGINT itself; stand in for it so the kit's listener cooperates rather than exiting.
  const kernelListener = (): void => undefined;
  process.on('SIGINT', kernelListener);
  try {
    const train = data();
    const run = make();
    let stepsAtSignal = -1;
    const timer = setTimeout(() => {
      stepsAtSignal = run.trainer.steps;
      process.emit('SIGINT', 'SIGINT');
    }, 300);
    const t0 = Date.now();
    await assert.rejects(run.trainer.fit(train, { epochs: 100_000, progress: false, syncEvery: 1_000_000 }), TrainingInterrupted);
    clearTimeout(timer);
    assert.ok(stepsAtSignal > 0, 'training was under way when the signal came');
    assert.ok(Date.now() - t0 < 5000, 'stopped soon after the signal');
    const at = run.trainer.interruptedAt!;
    assert.equal(run.trainer.steps, run.trainer.epochs * 7 + at.step, 'counters agree with where it stopped');
    assert.equal(run.trainer.history.epoch.length, run.trainer.epochs);
    tf.dispose([train.x, train.y]);
    run.model.dispose?.();
  } finally {
    process.off('SIGINT', kernelListener);
  }
});

test('in a plain Node process (no kernel listening), Ctrl-C still ends the process', () => {
  const script = [
    "const { interruptMark } = require('./src/runtime/interrupt');",
    'interruptMark();',
    "process.kill(process.pid, 'SIGINT');",
    "setTimeout(() => { console.log('still alive'); process.exit(0); }, 2000);",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, 'SIGINT', `the process should end by SIGINT; status ${r.status}, stdout ${r.stdout}, stderr ${r.stderr}`);
});

test('a watch started inside a breakOnSigint script (how tslab runs a cell) still catches SIGINT', () => {
  // Node quirk: a SIGINT listener added while vm runs a script with breakOnSigint leaves the process
  // with the default disposition afterwards; the kernel died on the first interrupt until the watch
  // was deferred to a microtask.
  const script = [
    "const vm = require('vm');",
    "const { interruptMark, interruptedSince } = require('./src/runtime/interrupt');",
    "process.on('SIGINT', () => undefined); // the kernel's own listener",
    'globalThis.mark = () => interruptMark();',
    "const m = vm.runInThisContext('mark()', { breakOnSigint: true });",
    "setTimeout(() => process.kill(process.pid, 'SIGINT'), 50);",
    "setTimeout(() => { console.log(interruptedSince(m) ? 'seen' : 'missed'); process.exit(0); }, 500);",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, `the process must survive the interrupt; stderr ${r.stderr}`);
  assert.equal(r.stdout.trim(), 'seen');
});
