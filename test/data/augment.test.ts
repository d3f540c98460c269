import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { shiftEach, randomShifts } from '../../src/data/augment';
import { shiftImages } from '../../src/analysis/shift';
import { Trainer } from '../../src/train/trainer';
import type { Augmentation, Batch, LossTerms, StepContext, Trainable } from '../../src/train/types';

before(async () => {
  await tf.setBackend('cpu');
});

/** t(x)[b, i, j, c] = x[b, i - dy_b, j - dx_b, c], zero outside: the definition, as plain loops. */
function naiveShift(x: number[][][][], dy: number[], dx: number[]): number[][][][] {
  return x.map((img, b) => img.map((row, i) => row.map((px, j) => px.map((_v, c) => {
    const si = i - dy[b]!;
    const sj = j - dx[b]!;
    return si >= 0 && si < img.length && sj >= 0 && sj < row.length ? img[si]![sj]![c]! : 0;
  }))));
}

test('shiftEach equals the per-image definition (loops) and shiftImages, for several channels and signs', () => {
  const x = seed('aug/x').randn([5, 7, 6, 3]) as tf.Tensor4D;
  const dy = [0, 2, -1, 3, -3];
  const dx = [1, -2, 0, 3, 0];
  const out = shiftEach(x, dy, dx);
  assert.deepEqual(out.shape, x.shape);
  const want = naiveShift(x.arraySync(), dy, dx);
  const got = out.arraySync();
  // Exact: one-hot kernels multiply by 1 and add zeros.
  assert.deepEqual(got, want);
  for (let b = 0; b < 5; b++) {
    const one = tf.slice(x, [b, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
    const ref = shiftImages(one, dy[b]!, dx[b]!);
    assert.deepEqual(ref.arraySync()[0], got[b]);
    tf.dispose([one, ref]);
  }
  tf.dispose([x, out]);
});

test('shiftEach: no shift returns an equal copy; bad shifts are clear errors', () => {
  const x = tf.ones([2, 4, 4, 1]) as tf.Tensor4D;
  const same = shiftEach(x, [0, 0], [0, 0]);
  assert.deepEqual(same.arraySync(), x.arraySync());
  assert.throws(() => shiftEach(x, [1], [1, 1]), /one shift per image: 2 images, 1 dy/);
  assert.throws(() => shiftEach(x, [0.5, 0], [0, 0]), /integers smaller than the image \(4 x 4\).*image 0 has dy 0.5/);
  assert.throws(() => shiftEach(x, [0, 0], [0, 4]), /image 1 has dy 0, dx 4/);
  assert.throws(() => shiftEach(tf.ones([4, 4]) as unknown as tf.Tensor4D, [0], [0]), /expected NHWC images/);
  tf.dispose([x, same]);
});

test('randomShifts: each image is one of its (2s+1)^2 shifts, shifts vary, same seed gives the same batch, other entries pass', () => {
  const s = 2;
  const aug = randomShifts({ maxShift: s });
  const x = tf.tidy(() => tf.add(seed('aug/r').uniform([64, 9, 9, 1]), 0.1)) as tf.Tensor4D; // no zero pixels: shifts are identifiable
  const y = tf.range(0, 64, 1, 'int32');
  const before = tf.memory().numTensors;
  const a = tf.tidy(() => aug.apply({ x, y }, seed('aug/step')));
  const b = tf.tidy(() => aug.apply({ x, y }, seed('aug/step')));
  assert.equal(tf.memory().numTensors, before + 2, 'each call leaves only its shifted images (labels are passed, not copied)');
  assert.equal(a['y'], y, 'labels pass through untouched');
  assert.deepEqual(a['x']!.arraySync(), b['x']!.arraySync(), 'same seed, same shifts');
  const xs = x.arraySync();
  const got = a['x']!.arraySync() as number[][][][];
  const seen = new Set<string>();
  got.forEach((img, i) => {
    const match: string[] = [];
    for (let dy = -s; dy <= s; dy++) for (let dx = -s; dx <= s; dx++) {
      if (JSON.stringify(naiveShift([xs[i]!], [dy], [dx])[0]) === JSON.stringify(img)) match.push(`${dy},${dx}`);
    }
    assert.equal(match.length, 1, `image ${i} is exactly one shift within +-${s}`);
    seen.add(match[0]!);
  });
  assert.ok(seen.size >= 15, `64 images should draw many of the 25 shifts, drew ${seen.size}`);
  const c = tf.tidy(() => aug.apply({ x, y }, seed('aug/other-step')));
  assert.notDeepEqual(c['x']!.arraySync(), got, 'another step draws other shifts');
  tf.dispose([x, y, a['x']!, b['x']!, c['x']!]);
  assert.throws(() => randomShifts({ maxShift: 1.5 }), /maxShift must be a non-negative integer/);
  assert.throws(() => randomShifts({ maxShift: 1, imageShape: [28, 28] as unknown as [number, number, number] }), /imageShape must be \[height, width, channels\]/);
  assert.throws(() => randomShifts({ maxShift: 1 }).apply({ x: tf.zeros([2, 16]) }, seed('k')), /for flat rows give imageShape/);
  assert.throws(() => randomShifts({ maxShift: 1, imageShape: [4, 4, 1] }).apply({ x: tf.zeros([2, 15]) }, seed('k')), /must be flat rows \[n, 16\], got shape \[2, 15\]/);
  assert.throws(() => randomShifts({ maxShift: 1 }).apply({ images: tf.zeros([1, 4, 4, 1]) }, seed('k')), /no "x" entry \(has: images\); set key/);
});

test('randomShifts with imageShape: flat rows are shifted as the images they hold, with the same draws', () => {
  const x = tf.tidy(() => seed('aug/flat').uniform([10, 5, 4, 2])) as tf.Tensor4D;
  const flat = tf.reshape(x, [10, 40]);
  const asImages = tf.tidy(() => randomShifts({ maxShift: 1 }).apply({ x }, seed('aug/same'))['x']!);
  const asRows = tf.tidy(() => randomShifts({ maxShift: 1, imageShape: [5, 4, 2] }).apply({ x: flat }, seed('aug/same'))['x']!);
  assert.deepEqual(asRows.shape, [10, 40]);
  assert.deepEqual(asRows.arraySync(), tf.tidy(() => tf.reshape(asImages, [10, 40]).arraySync()));
  assert.notDeepEqual(asRows.arraySync(), flat.arraySync());
  tf.dispose([x, flat, asImages, asRows]);
});

/** Records the mean of x it sees in training steps and in validation. */
class Probe implements Trainable {
  readonly w = tf.variable(tf.zeros([1]));
  trainMeans: number[] = [];
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const m = tf.mean(batch['x']!);
    if (ctx.training) this.trainMeans.push(m.dataSync()[0]!);
    return { l: tf.add(tf.sum(tf.square(this.w)), tf.mul(m, 0)) as tf.Scalar };
  }
  evalTerms(batch: Batch): LossTerms {
    return { xmean: tf.mean(batch['x']!) as tf.Scalar };
  }
  variables(): tf.Variable[] {
    return [this.w];
  }
  dispose(): void {
    this.w.dispose();
  }
}

test('Trainer: augment transforms training batches only, not validation, without leaking tensors', async () => {
  const plus10: Augmentation = { name: 'plus10', apply: (b) => ({ ...b, x: tf.add(b['x']!, 10) }) };
  const x = tf.ones([8, 2]);
  const model = new Probe();
  const trainer = new Trainer(model, { rng: seed('aug/t'), batchSize: 4 });
  await trainer.fit({ x }, { epochs: 1, progress: false, augment: plus10 });
  const before = tf.memory().numTensors;
  await trainer.fit({ x }, { epochs: 2, progress: false, augment: plus10, validation: { x } });
  assert.equal(tf.memory().numTensors, before, 'tensor count flat across a fit with augmentation');
  assert.deepEqual(model.trainMeans, [11, 11, 11, 11, 11, 11], 'every training step saw the transformed batch');
  assert.equal(trainer.history['val_xmean']!.slice(-1)[0], 1, 'validation saw the data as given');
  tf.dispose([x]);
  trainer.dispose();
  model.dispose();
});

test('Trainer: randomShifts draws from the trainer seed (same seed, same batches), leaving the model seeds alone', async () => {
  const x = tf.tidy(() => seed('aug/data').uniform([16, 6, 6, 1])) as tf.Tensor4D;
  const run = async (trainerSeed: string, augment = true) => {
    const model = new Probe();
    const t = new Trainer(model, { rng: seed(trainerSeed), batchSize: 8 });
    await t.fit({ x }, { epochs: 2, progress: false, augment: augment ? randomShifts({ maxShift: 1 }) : undefined });
    const means = model.trainMeans;
    t.dispose();
    model.dispose();
    return means;
  };
  const a = await run('aug/s');
  assert.deepEqual(await run('aug/s'), a);
  const plain = await run('aug/s', false);
  assert.equal(plain.length, a.length);
  assert.ok(a.some((m, i) => Math.abs(m - plain[i]!) > 1e-6), 'shifting moves pixels out of the image: batch means change');
  x.dispose();
});
