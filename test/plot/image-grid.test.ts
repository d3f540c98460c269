/**
 * Image grids: layout arithmetic, a known pixel, normalisation modes, input forms agreeing, no tensor
 * leak, and the MIME bundle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { imageGrid, imageGridBundle } from '../../src/plot/image-grid';
import { decodePng } from './helpers';

// 5 images of 3x2; pixel (i, j) of image k holds (k*6 + i*2 + j) / 29, so every value is distinct in [0, 1].
const N = 5;
const H = 3;
const W = 2;
const value = (k: number, i: number, j: number): number => (k * 6 + i * 2 + j) / 29;
const nested = Array.from({ length: N }, (_, k) => Array.from({ length: H }, (_, i) => Array.from({ length: W }, (_, j) => value(k, i, j))));
const flat = nested.map((img) => img.flat());

test('layout: size = cols*w*scale + (cols+1)*padding, and a known pixel lands where expected', () => {
  const g = imageGrid(nested, { rows: 2, cols: 3, scale: 2, padding: 0, normalize: 'none' });
  assert.equal(g.width, 3 * W * 2);
  assert.equal(g.height, 2 * H * 2);
  assert.equal(g.channels, 1);
  assert.equal(g.count, N);
  // Image 4 sits at row 1, column 1; its source pixel (2, 1) covers output pixels x in [6, 8), y in [10, 12).
  const expected = Math.round(value(4, 2, 1) * 255);
  for (const [x, y] of [[6, 10], [7, 11]] as const) assert.equal(g.pixels[y * g.width + x], expected);
  // The PNG decodes to the same pixels.
  const d = decodePng(g.png);
  assert.equal(d.width, g.width);
  assert.equal(d.height, g.height);
  assert.deepEqual([...d.pixels], [...g.pixels]);

  const padded = imageGrid(nested, { rows: 2, cols: 3, scale: 3, padding: 2, padValue: 200 });
  assert.equal(padded.width, 3 * W * 3 + 4 * 2);
  assert.equal(padded.height, 2 * H * 3 + 3 * 2);
  assert.equal(padded.pixels[0], 200, 'the border is padding');
  // The sixth tile (row 1, col 2) is empty: padding grey.
  const x = 2 + 2 * (W * 3 + 2) + 1;
  const y = 2 + 1 * (H * 3 + 2) + 1;
  assert.equal(padded.pixels[y * padded.width + x], 200);
});

test('default grid shape and scale', () => {
  const g = imageGrid(nested);
  assert.equal(g.cols, 3); // ceil(sqrt(5))
  assert.equal(g.rows, 2);
  assert.equal(g.scale, Math.ceil(56 / 3));
  const mnistLike = imageGrid(tf.zeros([4, 784]) as tf.Tensor2D);
  assert.equal(mnistLike.imageHeight, 28);
  assert.equal(mnistLike.scale, 2);
});

test('tensor [n,h,w], [n,h,w,1], [n,h*w] and plain arrays give the same grid; no tensor leak', () => {
  const opts = { rows: 2, cols: 3, scale: 2 } as const;
  const ref = imageGrid(nested, opts);
  const before = tf.memory().numTensors;
  const t3 = tf.tensor3d(nested);
  const t4 = t3.reshape([N, H, W, 1]);
  const t2 = tf.tensor2d(flat);
  const after = tf.memory().numTensors;
  for (const [name, input, extra] of [
    ['[n,h,w]', t3, {}], ['[n,h,w,1]', t4, {}], ['[n,h*w]', t2, { height: H, width: W }], ['flat arrays', flat, { height: H }],
  ] as const) {
    const g = imageGrid(input, { ...opts, ...extra });
    assert.deepEqual([...g.pixels], [...ref.pixels], name);
  }
  assert.equal(tf.memory().numTensors, after, 'imageGrid allocates no tensors');
  tf.dispose([t3, t4, t2]);
  assert.equal(tf.memory().numTensors, before);
});

test('normalisation: global stretches min..max, per-image each image, symmetric puts 0 at mid-grey', () => {
  const imgs = [[[0, 2], [4, 6]], [[10, 10], [10, 20]]];
  const g = imageGrid(imgs, { cols: 2, scale: 1, padding: 0, normalize: 'global' });
  // Row 0: image 0 then image 1. Global range 0..20.
  assert.deepEqual([...g.pixels.subarray(0, 4)], [0, Math.round((2 / 20) * 255), 128, 128]);
  const p = imageGrid(imgs, { cols: 2, scale: 1, padding: 0, normalize: 'per-image' });
  assert.deepEqual([...p.pixels.subarray(0, 4)], [0, Math.round((2 / 6) * 255), 0, 0]);
  assert.deepEqual([...p.pixels.subarray(4, 8)], [Math.round((4 / 6) * 255), 255, 0, 255]);
  const filters = [[[-1, 0], [0.5, 1]], [[-0.2, 0], [0.1, 0.1]]];
  const s = imageGrid(filters, { cols: 2, scale: 1, padding: 0, normalize: 'per-image', symmetric: true });
  assert.equal(s.pixels[1], 128, '0 maps to mid-grey');
  assert.equal(s.pixels[0], 0, '-max maps to black');
  assert.equal(s.pixels[2], 0, '-0.2 is the second filter\'s -max');
  assert.equal(s.pixels[3], 128, '0 of the second filter');
  assert.equal(s.pixels[6], Math.round(0.75 * 255), '0.1 = max/2 of the second filter');
});

test('colour maps give RGB; RGB input stays RGB', () => {
  const g = imageGrid([[[0, 1]]], { colormap: 'viridis', scale: 1, padding: 0, normalize: 'none' });
  assert.equal(g.channels, 3);
  assert.deepEqual([...g.pixels], [68, 1, 84, 253, 231, 37]);
  const rgb = tf.tensor4d([[[[1, 0, 0], [0, 0, 1]]]]);
  const r = imageGrid(rgb, { scale: 1, padding: 0, normalize: 'none' });
  rgb.dispose();
  assert.equal(r.channels, 3);
  assert.deepEqual([...r.pixels], [255, 0, 0, 0, 0, 255]);
  assert.equal(decodePng(r.png).channels, 3);
});

test('bundle: image/png (base64 of the PNG) and text/plain; labels add an HTML rendering', () => {
  const g = imageGrid(nested, { rows: 2, cols: 3, title: 'digits' });
  const b = imageGridBundle(g);
  assert.deepEqual(Object.keys(b).sort(), ['image/png', 'text/plain']);
  assert.ok(Buffer.from(b['image/png'] as string, 'base64').equals(g.png));
  assert.match(b['text/plain'] as string, /digits.*5 images 3x2 in 2x3/);
  const labelled = imageGridBundle(imageGrid(nested, { labels: [7, 2, 1, 0, 4] }));
  const html = labelled['text/html'] as string;
  assert.equal((html.match(/<span /g) ?? []).length, 5);
  assert.ok(html.includes(`data:image/png;base64,${labelled['image/png'] as string}`));
});

test('bad shapes are reported', () => {
  assert.throws(() => imageGrid([[1, 2, 3]]), /not square/);
  assert.throws(() => imageGrid([[1, 2, 3, 4, 5, 6]], { height: 4 }), /does not match/);
});
