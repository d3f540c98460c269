import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  loadWine, wineTensors, WINE_FEATURES, WINE_FILES, MissingDataError, danfo, frameToTensor, parseNumericCsv,
} from '../../src/data';
import { ROOT, columnStats, tempDir } from './helpers';

const white = loadWine({ colour: 'white' });
const red = loadWine({ colour: 'red' });

test('row counts: 1,599 red, 4,898 white, 6,497 both (red first)', () => {
  assert.equal(red.X.length, 1599);
  assert.equal(white.X.length, 4898);
  const both = loadWine({ colour: 'both' });
  assert.equal(both.X.length, 6497);
  assert.equal(both.y.length, 6497);
  assert.equal(both.colour.filter((c) => c === 'red').length, 1599);
  assert.equal(both.colour[0], 'red');
  assert.equal(both.colour[6496], 'white');
  assert.deepEqual(both.X[0], red.X[0]);
  assert.deepEqual(both.X[1599], white.X[0]);
  assert.equal(loadWine().X.length, 4898, "default colour is 'white'");
});

test('features, first row and value ranges match the UCI file', () => {
  assert.deepEqual(red.featureNames, [...WINE_FEATURES]);
  assert.equal(red.featureNames.length, 11);
  // First data line of winequality-red.csv: 7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5
  assert.deepEqual(red.X[0], [7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4]);
  assert.equal(red.y[0], 5);
  for (const w of [red, white]) {
    assert.ok(w.X.every((r) => r.length === 11 && r.every((v) => Number.isFinite(v) && v >= 0)));
    assert.ok(w.y.every((q) => Number.isInteger(q) && q >= 3 && q <= 9));
    const alcohol = w.X.map((r) => r[10]!);
    assert.ok(Math.min(...alcohol) >= 8 && Math.max(...alcohol) <= 15, 'alcohol in % vol');
  }
});

test('the parser agrees with danfo readCSV on the real file (oracle)', async () => {
  const file = path.join(ROOT, 'data', 'wine-quality', WINE_FILES.red);
  // danfo passes papaparse options through; its typings omit them (no @types/papaparse here).
  type CsvOptions = Parameters<ReturnType<typeof danfo>['readCSV']>[1];
  const df = await danfo().readCSV(file, { delimiter: ';' } as CsvOptions);
  assert.deepEqual(df.columns, [...WINE_FEATURES, 'quality']);
  const values = df.values as number[][];
  assert.equal(values.length, 1599);
  values.forEach((row, i) => {
    assert.deepEqual(row.slice(0, 11), red.X[i]);
    assert.equal(row[11], red.y[i]);
  });
});

test('frame: a danfo DataFrame with the features, quality and colour', () => {
  const both = loadWine({ colour: 'both' });
  const f = both.frame;
  assert.deepEqual(f.shape, [6497, 13]);
  assert.deepEqual(f.columns, [...WINE_FEATURES, 'quality', 'colour']);
  assert.equal(both.frame, f, 'built once');
  const before = tf.memory().numTensors;
  const t = frameToTensor(f, { columns: ['alcohol', 'quality'] });
  assert.deepEqual(t.shape, [6497, 2]);
  const q = frameToTensor(f['quality'], { dtype: 'int32' });
  assert.equal(q.dtype, 'int32');
  assert.equal(q.dataSync()[0], 5);
  tf.dispose([t, q]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => frameToTensor(f, { columns: ['alcohol', 'colour'] }), /column "colour", row 0 holds "red", not a number/);
  assert.throws(() => frameToTensor(f, { columns: ['sugar'] }), /no column "sugar"/);
});

test('colourFeature appends is_red', () => {
  const both = loadWine({ colour: 'both', colourFeature: true });
  assert.equal(both.featureNames.at(-1), 'is_red');
  assert.equal(both.X[0]!.length, 12);
  assert.equal(both.X[0]![11], 1);
  assert.equal(both.X[6000]![11], 0);
});

test('wineTensors: shapes, split sizes, and y is the raw quality of the split rows', () => {
  const before = tf.memory().numTensors;
  const t = wineTensors(white, { seed: 0 });
  const n = (p: { x: tf.Tensor2D }) => p.x.shape[0];
  assert.equal(n(t.test), 980); // round(4898 * 0.2)
  assert.equal(n(t.val), 392); // round(3918 * 0.1)
  assert.equal(n(t.train) + n(t.val) + n(t.test), 4898);
  for (const p of [t.train, t.val, t.test]) {
    assert.equal(p.x.shape[1], 11);
    assert.deepEqual(p.y.shape, [p.x.shape[0], 1]);
    assert.equal(p.x.dtype, 'float32');
  }
  assert.deepEqual(Array.from(t.test.y.dataSync()), Array.from(t.indices.test, (i) => white.y[i]!));
  t.dispose();
  assert.equal(tf.memory().numTensors, before, 'dispose frees all six tensors');
});

test('scaler fitted on the training part only: train mean 0 / std 1, val and test not exactly', () => {
  const t = wineTensors(white, { seed: 0 });
  const train = columnStats(t.train.x);
  train.mean.forEach((m) => assert.ok(Math.abs(m) < 1e-4, `train mean ${m}`));
  train.std.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-3, `train std ${s}`));
  // Oracle: the scaler's mean is the plain mean of the training rows.
  const rows = Array.from(t.indices.train, (i) => white.X[i]!);
  const alcoholMean = rows.reduce((a, r) => a + r[10]!, 0) / rows.length;
  assert.ok(Math.abs(t.scaler.mean[10]! - alcoholMean) < 1e-9);
  for (const part of [t.val.x, t.test.x]) {
    const s = columnStats(part);
    // Close to 0/1 (same distribution) but not fitted to them: some column is visibly off.
    assert.ok(s.mean.every((m) => Math.abs(m) < 0.5));
    assert.ok(s.mean.some((m) => Math.abs(m) > 1e-3), 'val/test means are not exactly 0');
    assert.ok(s.std.some((v) => Math.abs(v - 1) > 1e-3), 'val/test stds are not exactly 1');
  }
  t.dispose();
});

test('split determinism: same seed same tensors, different seed different split', () => {
  const a = wineTensors(red, { seed: 5 });
  const b = wineTensors(red, { seed: 5 });
  const c = wineTensors(red, { seed: 6 });
  assert.deepEqual(Array.from(a.train.x.dataSync()), Array.from(b.train.x.dataSync()));
  assert.deepEqual(a.indices, b.indices);
  assert.notDeepEqual(a.indices.test, c.indices.test);
  const all = [...a.indices.train, ...a.indices.val, ...a.indices.test].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 1599 }, (_, i) => i));
  [a, b, c].forEach((t) => t.dispose());
});

test('red wines go through the white-wine scaler; inverseTransform round-trips', () => {
  const t = wineTensors(white, { seed: 1, scaleTarget: true });
  const before = tf.memory().numTensors;
  const zRed = tf.tensor2d(t.scaler.transform(red.X)); // arrays in, arrays out
  assert.deepEqual(zRed.shape, [1599, 11]);
  const redX = tf.tensor2d(red.X);
  const fromTensor = t.scaler.transform(redX); // tensors in, tensors out
  const maxDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(zRed, fromTensor))).dataSync()[0]!);
  assert.ok(maxDiff < 1e-4, `array and tensor paths differ by ${maxDiff}`);
  const back = t.scaler.inverseTransform(fromTensor);
  const maxErr = tf.tidy(() => tf.max(tf.abs(tf.sub(back, redX))).dataSync()[0]!);
  assert.ok(maxErr < 1e-3, `round trip error ${maxErr}`);
  // Red wines differ from white ones: far more volatile acidity, so its mean z is far from 0.
  assert.ok(columnStats(zRed).mean[1]! > 1);
  tf.dispose([zRed, redX, fromTensor, back]);
  assert.equal(tf.memory().numTensors, before, 'transform and inverseTransform leak nothing');
  // Target scaler: y is standardised on train, and maps back to quality points.
  assert.ok(t.targetScaler);
  const ys = columnStats(t.train.y);
  assert.ok(Math.abs(ys.mean[0]!) < 1e-4 && Math.abs(ys.std[0]! - 1) < 1e-3);
  const q = t.targetScaler.inverseTransform(t.test.y);
  assert.deepEqual(Array.from(q.dataSync(), Math.round), Array.from(t.indices.test, (i) => white.y[i]!));
  q.dispose();
  t.dispose();
});

test('a missing folder or file names the path and the files expected there', () => {
  const missing = path.join(tempDir('wine-missing'), 'nowhere');
  assert.throws(() => loadWine({ dir: missing }), (e: Error) => {
    assert.ok(e instanceof MissingDataError);
    assert.match(e.message, /loadWine: data folder not found: .*nowhere/);
    assert.match(e.message, /winequality-red\.csv, winequality-white\.csv/);
    assert.match(e.message, /GENLAB_DATA_DIR/);
    return true;
  });
  const dir = tempDir('wine-half');
  fs.copyFileSync(path.join(ROOT, 'data', 'wine-quality', WINE_FILES.white), path.join(dir, WINE_FILES.white));
  assert.equal(loadWine({ dir }).X.length, 4898);
  assert.throws(() => loadWine({ dir, colour: 'both' }), /file not found: .*winequality-red\.csv/);
});

test('a CSV lacking a column names it', () => {
  const dir = tempDir('wine-noalcohol');
  const src = fs.readFileSync(path.join(ROOT, 'data', 'wine-quality', WINE_FILES.red), 'utf8').split('\n');
  const drop = (line: string) => line.split(';').filter((_, j) => j !== 10).join(';'); // column 10 = alcohol
  fs.writeFileSync(path.join(dir, WINE_FILES.red), src.slice(0, 20).map(drop).join('\n'));
  assert.throws(() => loadWine({ dir, colour: 'red' }), (e: Error) => {
    assert.match(e.message, /winequality-red\.csv lacks column\(s\) "alcohol"/);
    assert.match(e.message, /found: "fixed acidity"/);
    return true;
  });
});

test('malformed CSV cells and rows are errors with line and column, never NaN', () => {
  assert.throws(() => parseNumericCsv('"a";"b"\n1;2\n3;x\n', { source: 'f.csv' }), /f\.csv, line 3, column "b": not a number: 'x'/);
  assert.throws(() => parseNumericCsv('"a";"b"\n1;2\n3\n', { source: 'f.csv' }), /line 3: 1 fields, but the header has 2/);
  assert.throws(() => parseNumericCsv('"a";"b"\n1;\n', { source: 'f.csv' }), /column "b": not a number: ''/);
  assert.throws(() => parseNumericCsv('', { source: 'f.csv' }), /the file is empty/);
  // A comma-separated copy (e.g. re-saved by a spreadsheet) still parses, CRLF too.
  assert.deepEqual(parseNumericCsv('"a","b"\r\n1,2\r\n'), { columns: ['a', 'b'], rows: [[1, 2]] });
});
