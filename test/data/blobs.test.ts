/** Blob images with known factors: the pixels follow the formula, factors stay in range, seeds repeat. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeBlobImages } from '../../src/data/toy/blobs';

before(async () => {
  await tf.setBackend('cpu');
});

test('each image is exp(-((c - u)² + (r - w)²) / (2 s²)) of its factors', () => {
  const b = makeBlobImages(50, { seed: 4, size: 12, margin: 2, widthRange: [1, 2] });
  assert.deepEqual(b.x.shape, [50, 144]);
  const img = b.x.arraySync();
  const fac = b.factors.arraySync();
  fac.forEach(([u, w, s], i) => {
    assert.ok(u! >= 2 && u! <= 9 && w! >= 2 && w! <= 9 && s! >= 1 && s! <= 2, `factors in range: ${fac[i]}`);
    for (const [r, c] of [[0, 0], [5, 7], [11, 3]]) {
      const want = Math.exp(-((c! - u!) ** 2 + (r! - w!) ** 2) / (2 * s! * s!));
      assert.ok(Math.abs(img[i]![r! * 12 + c!]! - want) < 1e-6);
    }
    // The brightest pixel is the one nearest the centre.
    const row = img[i]!;
    const best = row.indexOf(Math.max(...row));
    assert.equal(best, Math.round(w!) * 12 + Math.round(u!));
  });
  const again = makeBlobImages(50, { seed: 4, size: 12, margin: 2, widthRange: [1, 2] });
  assert.deepEqual(again.factors.arraySync(), fac);
  b.dispose();
  again.dispose();
  assert.throws(() => makeBlobImages(10, { seed: 1, size: 8, margin: 4 }), /margin/);
  assert.throws(() => makeBlobImages(10, {}), /needs randomness/);
});
