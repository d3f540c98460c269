/**
 * Figure builders: valid specs (trace types, lengths matching the inputs, axis titles), the same
 * figure from tensors, arrays, typed arrays and danfo objects, values against hand-computed ones, and
 * no tensor left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as dfd from 'danfojs-node';
import { Figure, overlay } from '../../src/plot/figure';
import { trainingCurves } from '../../src/plot/training';
import { scatter2d, scatterSets } from '../../src/plot/scatter';
import { densityPlot } from '../../src/plot/density';
import { gridPoints } from '../../src/plot/grid';
import { binCounts, histogram } from '../../src/plot/histogram';
import { bandPlot } from '../../src/plot/bands';
import { barChart } from '../../src/plot/bar';
import { calibrationPlot } from '../../src/plot/calibration';
import { quiver } from '../../src/plot/quiver';
import { smallMultiples } from '../../src/plot/subplots';
import { linePlot } from '../../src/plot/line';

/** Checks every builder's output must pass: plain JSON (no typed arrays), axis titles, x/y lengths equal. */
function assertValid(fig: Figure): void {
  assert.deepEqual(JSON.parse(JSON.stringify(fig)), JSON.parse(JSON.stringify(fig, (_k, v: unknown) => {
    assert.ok(!ArrayBuffer.isView(v), 'no typed arrays in a figure (JSON would make them objects)');
    return v;
  })));
  assert.ok(fig.data.length > 0);
  for (const t of fig.data) {
    assert.equal(typeof t.type, 'string');
    if (t.x !== undefined && t.y !== undefined && t.type !== 'heatmap' && t.type !== 'contour') {
      assert.equal(t.x.length, t.y.length, `x and y of ${t.name} have equal lengths`);
    }
  }
  for (const key of Object.keys(fig.layout).filter((k) => /^[xy]axis\d*$/.test(k))) {
    const axis = fig.layout[key] as { title?: { text?: unknown } };
    assert.equal(typeof axis.title?.text, 'string', `${key} has a title`);
  }
  assert.ok(fig.layout.xaxis?.title?.text !== undefined);
}

const round = (fig: Figure): unknown => JSON.parse(JSON.stringify(fig));

test('trainingCurves: train solid, val dashed in the same colour; bookkeeping left out', () => {
  const h = { epoch: [1, 2, 3], loss: [3, 2, 1.5], val_loss: [3.5, 2.5, NaN], kl: [0.5, 0.25, 0.125], lr: [1e-3, 1e-3, 1e-4] };
  const fig = trainingCurves(h);
  assertValid(fig);
  assert.deepEqual(fig.data.map((t) => t.name), ['loss', 'val_loss', 'kl']);
  const [loss, val] = fig.data as [Record<string, any>, Record<string, any>];
  assert.deepEqual(loss.x, [1, 2, 3]);
  assert.equal(loss.line.dash, 'solid');
  assert.equal(val.line.dash, 'dash');
  assert.equal(val.line.color, loss.line.color);
  assert.equal(val.connectgaps, true);
  assert.equal(fig.layout.xaxis?.title?.text, 'epoch');
  assert.equal(trainingCurves(h, { logY: true }).layout.yaxis?.type, 'log');
  assert.deepEqual(trainingCurves(h, { metrics: ['kl'] }).data.map((t) => t.name), ['kl']);
  // Without an epoch series, x counts from 1.
  assert.deepEqual(trainingCurves({ loss: [1, 0.5] }).data[0]?.x, [1, 2]);
  assert.throws(() => trainingCurves({ epoch: [1, 2], loss: [1] }), /loss has 1 values, epoch has 2/);
});

test('trainingCurves: per-metric panels', () => {
  const fig = trainingCurves({ epoch: [1, 2], loss: [2, 1], val_loss: [2, 1.5], acc: [0.5, 0.7] }, { perMetric: true });
  assertValid(fig);
  assert.equal(fig.data.length, 3);
  assert.deepEqual(fig.data.map((t) => t.xaxis), ['x', 'x', 'x2']);
  assert.equal((fig.layout.yaxis2 as { title: { text: string } }).title.text, 'acc');
});

test('trainingCurves: tensors, typed arrays and a danfo DataFrame give the same figure', () => {
  const plain = { epoch: [1, 2, 3], loss: [0.5, 0.25, 0.125], val_loss: [0.75, 0.5, 0.375] };
  const ref = round(trainingCurves(plain));
  const tensors = { epoch: tf.tensor1d([1, 2, 3]), loss: tf.tensor1d(plain.loss), val_loss: tf.tensor1d(plain.val_loss) };
  assert.deepEqual(round(trainingCurves(tensors)), ref);
  tf.dispose(Object.values(tensors));
  assert.deepEqual(round(trainingCurves({ epoch: Int32Array.from([1, 2, 3]), loss: Float32Array.from(plain.loss), val_loss: Float64Array.from(plain.val_loss) })), ref);
  assert.deepEqual(round(trainingCurves(new dfd.DataFrame(plain))), ref);
});

test('scatter2d: one trace per class with a legend; continuous values get a colour bar', () => {
  const pts = [[0, 0], [1, 1], [2, 0], [3, 1], [4, 4]];
  const fig = scatter2d(pts, { labels: [1, 0, 1, 2, 0], classNames: ['zero', 'one', 'two'], title: 'moons' });
  assertValid(fig);
  assert.deepEqual(fig.data.map((t) => t.name), ['zero', 'one', 'two']);
  assert.deepEqual(fig.data.map((t) => t.x), [[1, 4], [0, 2], [3]]);
  assert.equal(fig.data.reduce((n, t) => n + (t.x?.length ?? 0), 0), pts.length);
  assert.equal(fig.layout.showlegend, true);
  assert.deepEqual([fig.layout.xaxis?.title?.text, fig.layout.yaxis?.title?.text], ['x1', 'x2']);
  assert.equal(scatter2d(pts, { labels: ['b', 'a', 'b', 'a', 'c'] }).data.length, 3);

  const cont = scatter2d(pts, { labels: [0.1, 0.5, 0.2, 0.9, 0.3], colorTitle: 'p' });
  assertValid(cont);
  assert.equal(cont.data.length, 1);
  const marker = cont.data[0]?.marker as { color: number[]; showscale: boolean };
  assert.equal(marker.color.length, pts.length);
  assert.equal(marker.showscale, true);
  assert.throws(() => scatter2d(pts, { labels: [1, 2] }), /2 labels for 5 points/);
});

test('scatter2d: tensor, rows, {x, y}, danfo DataFrame and Series agree', () => {
  const rows = [[0.5, 1], [1.5, -2], [2.25, 3]];
  const labels = [0, 1, 1];
  const ref = round(scatter2d(rows, { labels }));
  const t = tf.tensor2d(rows);
  const l = tf.tensor1d(labels, 'int32');
  assert.deepEqual(round(scatter2d(t, { labels: l })), ref);
  tf.dispose([t, l]);
  assert.deepEqual(round(scatter2d({ x: [0.5, 1.5, 2.25], y: Float32Array.from([1, -2, 3]) }, { labels })), ref);
  const df = new dfd.DataFrame({ x1: [0.5, 1.5, 2.25], x2: [1, -2, 3], label: labels });
  assert.deepEqual(round(scatter2d(df, { labels: df.label as dfd.Series, columns: ['x1', 'x2'] })), ref);
  const sets = scatterSets({ data: rows, samples: { x: [0], y: [1] } });
  assertValid(sets);
  assert.deepEqual(sets.data.map((s) => [s.name, s.x?.length]), [['data', 3], ['samples', 1]]);
});

test('densityPlot: a function, flat grid values and a [ny, nx] tensor give the same field', () => {
  const f = (x: number, y: number): number => Math.exp(-(x * x + 2 * y * y));
  const opts = { xRange: [-2, 2] as [number, number], yRange: [-1, 1] as [number, number] };
  const fig = densityPlot(f, { ...opts, resolution: 5 });
  assertValid(fig);
  const hm = fig.data[0] as { type: string; x: number[]; y: number[]; z: number[][] };
  assert.equal(hm.type, 'heatmap');
  assert.deepEqual(hm.x, [-2, -1, 0, 1, 2]);
  assert.deepEqual(hm.y, [-1, -0.5, 0, 0.5, 1]);
  assert.equal(hm.z.length, 5);
  assert.equal(hm.z[1]?.[3], Number(f(1, -0.5).toPrecision(6)), 'row i is y[i], column j is x[j]');

  const g = gridPoints(opts.xRange, opts.yRange, 5);
  assert.deepEqual(g.shape, [25, 2]);
  assert.deepEqual([g.points[2 * 7], g.points[2 * 7 + 1]], [0, -0.5], 'point k = (x[k % nx], y[k / nx])');
  const values = g.y.flatMap((y) => g.x.map((x) => f(x, y)));
  assert.deepEqual(round(densityPlot(values, opts)), round(fig));
  const t = tf.tensor2d(values, [5, 5]);
  const fromTensor = densityPlot(t, opts).data[0] as { z: number[][] };
  t.dispose();
  fromTensor.z.flat().forEach((v, i) => assert.ok(Math.abs(v - (values[i] as number)) < 1e-6));
  assert.ok(Math.abs(fromTensor.z[2]![0]! - Math.exp(-4)) < 1e-6);

  const both = densityPlot(f, { ...opts, resolution: 4, kind: 'both', points: [[0, 0], [1, 1]], logScale: true });
  assertValid(both);
  assert.deepEqual(both.data.map((d) => d.type), ['contour', 'scatter']);
  assert.deepEqual(both.data[0]?.contours, { coloring: 'heatmap' });
  assert.ok(Math.abs((both.data[0]?.z?.[0]?.[0] as number) - Math.log(f(-2, -1))) < 1e-5);
  assert.throws(() => densityPlot([1, 2, 3], opts), /do not fill/);
});

test('histogram: numpy-style bins, density integrates to 1, curves and overlays', () => {
  assert.deepEqual(binCounts([0, 0.5, 1, 1.5, 2, 3, NaN], 2, [0, 2]).counts, [2, 3]);
  const samples = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
  const pdf = (x: number): number => 1 / (Math.PI * Math.sqrt(9 - x * x));
  const fig = histogram(samples, { bins: 30, curves: [{ name: 'arcsine pdf', fn: pdf, points: 50 }] });
  assertValid(fig);
  const bar = fig.data[0] as { type: string; y: number[]; width: number; x: number[] };
  assert.equal(bar.type, 'bar');
  assert.equal(bar.x.length, 30);
  const area = bar.y.reduce((a, b) => a + b * bar.width, 0);
  assert.ok(Math.abs(area - 1) < 1e-9, `area ${area}`);
  assert.equal(fig.data[1]?.x?.length, 50);
  assert.equal(fig.layout.yaxis?.title?.text, 'density');
  assert.equal(histogram(samples, { density: false }).layout.yaxis?.title?.text, 'count');

  const two = histogram({ prior: [0, 1, 2], posterior: tf.tensor1d([1, 1, 2]) }, { bins: 2 });
  assert.deepEqual(two.data.map((t) => t.name), ['prior', 'posterior']);
  assert.equal(two.layout.barmode, 'overlay');
  assert.deepEqual(round(histogram(tf.tensor1d([1, 2, 2, 3]), { bins: 3 })), round(histogram([1, 2, 2, 3], { bins: 3 })));
  assert.deepEqual(round(histogram(new dfd.Series([1, 2, 2, 3]), { bins: 3 })), round(histogram([1, 2, 2, 3], { bins: 3 })));
});

test('bandPlot: polygons mean ± k·std, widest band first, x sorted', () => {
  const x = [2, 0, 1];
  const mean = [4, 0, 2];
  const fig = bandPlot(x, mean, {
    bands: [{ std: [0.1, 0.1, 0.1], name: 'aleatoric' }, { std: [0.5, 0.5, 1], name: 'total' }],
    points: { x: [0.5], y: [1] }, lines: [{ y: [4, 0, 2], name: 'truth' }],
  });
  assertValid(fig);
  assert.deepEqual(fig.data.map((t) => t.name), ['total', 'aleatoric', 'mean', 'truth', 'data']);
  const total = fig.data[0] as { x: number[]; y: number[]; fill: string };
  assert.equal(total.fill, 'toself');
  assert.deepEqual(total.x, [0, 1, 2, 2, 1, 0]);
  // Sorted by x: mean [0, 2, 4], total std [0.5, 1, 0.5]; upper edge, then lower edge reversed (k = 2).
  assert.deepEqual(total.y, [1, 4, 5, 3, 0, -1]);
  assert.deepEqual(fig.data[2]?.x, [0, 1, 2]);
  assert.deepEqual(fig.data[2]?.y, [0, 2, 4]);
  const one = bandPlot(tf.tensor1d(x), tf.tensor1d(mean), { std: tf.tensor1d([0.1, 0.1, 0.1]), k: 1 });
  assert.deepEqual((one.data[0]?.y as number[]).map((v) => Math.round(v * 10) / 10), [0.1, 2.1, 4.1, 3.9, 1.9, -0.1]);
  assert.throws(() => bandPlot([1, 2], [1]), /mean has 1 values/);
});

test('barChart: a record, grouped series and a DataFrame', () => {
  const fig = barChart({ MLP: 0.91, BNN: 0.935 }, { yTitle: 'accuracy', valueRange: [0, 1] });
  assertValid(fig);
  assert.deepEqual(fig.data[0]?.x, ['MLP', 'BNN']);
  assert.deepEqual(fig.data[0]?.text, ['0.91', '0.935']);
  assert.deepEqual(fig.layout.yaxis?.range, [0, 1]);
  assert.equal(fig.layout.yaxis?.title?.text, 'accuracy');
  const grouped = barChart({ categories: ['MLP', 'BNN'], series: { train: [0.99, 0.95], test: tf.tensor1d([0.9, 0.93]) } }, { errors: { test: [0.01, 0.02] } });
  assertValid(grouped);
  assert.equal(grouped.data.length, 2);
  assert.deepEqual((grouped.data[1]?.error_y as { array: number[] }).array, [0.01, 0.02]);
  const df = new dfd.DataFrame({ model: ['MLP', 'BNN'], train: [0.99, 0.95], test: [0.9, 0.93] });
  const fromDf = barChart(df, { categoryColumn: 'model' });
  assert.deepEqual(fromDf.data.map((t) => [t.name, t.x, t.y]), [['train', ['MLP', 'BNN'], [0.99, 0.95]], ['test', ['MLP', 'BNN'], [0.9, 0.93]]]);
});

test('calibrationPlot: the diagonal plus one line per model, unit axes', () => {
  const nominal = [0.1, 0.5, 0.9];
  const fig = calibrationPlot(nominal, { 'MC dropout': [0.05, 0.4, 0.8], ensemble: tf.tensor1d([0.1, 0.5, 0.88]) });
  assertValid(fig);
  assert.deepEqual(fig.data.map((t) => t.name), ['ideal', 'MC dropout', 'ensemble']);
  assert.deepEqual([fig.data[0]?.x, fig.data[0]?.y], [[0, 1], [0, 1]]);
  assert.equal(fig.data[1]?.x?.length, 3);
  assert.equal(fig.layout.xaxis?.title?.text, 'nominal coverage');
  assert.equal(fig.layout.yaxis?.title?.text, 'observed coverage');
});

test('quiver: shaft and two barbs per arrow, zero vectors skipped', () => {
  const fig = quiver([[0, 0], [1, 0], [2, 0]], [[1, 0], [0, 1], [0, 0]], { scale: 0.5, headSize: 0.3, headAngle: 25 });
  assertValid(fig);
  const t = fig.data[0] as { x: Array<number | null>; y: Array<number | null>; mode: string };
  assert.equal(t.mode, 'lines');
  assert.equal(t.x.length, 2 * 7);
  const a = (25 * Math.PI) / 180;
  const expectX = [0, 0.5, null, 0.5 - 0.15 * Math.cos(a), 0.5, 0.5 - 0.15 * Math.cos(a), null];
  const expectY = [0, 0, null, -0.15 * Math.sin(a), 0, 0.15 * Math.sin(a), null];
  t.x.slice(0, 7).forEach((v, i) => (expectX[i] === null ? assert.equal(v, null) : assert.ok(Math.abs((v as number) - (expectX[i] as number)) < 1e-12)));
  t.y.slice(0, 7).forEach((v, i) => (expectY[i] === null ? assert.equal(v, null) : assert.ok(Math.abs((v as number) - (expectY[i] as number)) < 1e-12)));
  // Second arrow points up from (1, 0).
  assert.deepEqual([t.x[7], t.y[7], t.x[8], t.y[8]], [1, 0, 1, 0.5]);
  // Auto scale: the longest arrow is 0.9 grid spacings long.
  const g = gridPoints([-1, 1], [-1, 1], 5);
  const pts = tf.tensor2d(g.points, g.shape);
  const vec = pts.neg();
  const auto = quiver(pts, vec).data[0] as { x: number[]; y: number[] };
  tf.dispose([pts, vec]);
  const spacing = Math.sqrt(4 / 25);
  const longest = Math.max(...Array.from({ length: auto.x.length / 7 }, (_, k) => Math.hypot(auto.x[7 * k + 1]! - auto.x[7 * k]!, auto.y[7 * k + 1]! - auto.y[7 * k]!)));
  assert.ok(Math.abs(longest - 0.9 * spacing) < 1e-6);
});

test('smallMultiples: one axis pair per panel within the page, titles, one legend entry per name', () => {
  const panel = (t: number): Figure => scatterSets({ data: [[0, t]], samples: [[t, 0]] }, { title: `t = ${t}` });
  const fig = smallMultiples([panel(0), panel(1), panel(2), panel(3)], { cols: 2, sharedX: true });
  assertValid(fig);
  assert.deepEqual(fig.data.map((t) => t.xaxis), ['x', 'x', 'x2', 'x2', 'x3', 'x3', 'x4', 'x4']);
  for (const s of ['', '2', '3', '4']) {
    const xa = fig.layout[`xaxis${s}`] as { domain: [number, number]; anchor: string };
    const ya = fig.layout[`yaxis${s}`] as { domain: [number, number] };
    for (const [a, b] of [xa.domain, ya.domain]) assert.ok(a >= 0 && b <= 1 + 1e-12 && a < b);
    assert.equal(xa.anchor, `y${s}`);
  }
  assert.equal((fig.layout.xaxis2 as { matches: string }).matches, 'x');
  assert.deepEqual(fig.layout.annotations?.map((a) => a.text), ['t = 0', 't = 1', 't = 2', 't = 3']);
  assert.equal(fig.data.filter((t) => t.showlegend !== false).length, 2, 'data and samples once each');
});

test('linePlot and overlay', () => {
  const fig = linePlot({ beta: [0.1, 0.2], alpha_bar: tf.tensor1d([0.9, 0.72]) }, { x: [1, 2], xTitle: 't' });
  assertValid(fig);
  assert.deepEqual(fig.data.map((t) => t.name), ['beta', 'alpha_bar']);
  assert.equal(fig.layout.xaxis?.title?.text, 't');
  const both = overlay(densityPlot((x, y) => x + y, { xRange: [0, 1], yRange: [0, 1], resolution: 3 }), quiver([[0, 0]], [[1, 1]]));
  assert.deepEqual(both.data.map((t) => t.type), ['heatmap', 'scatter']);
});

test('no builder leaves a tensor behind', () => {
  const x = tf.tensor1d([0, 1, 2]);
  const y = tf.tensor1d([1, 0, 2]);
  const pts = tf.tensor2d([[0, 0], [1, 1], [2, 0]]);
  const labels = tf.tensor1d([0, 1, 0], 'int32');
  const field = tf.tensor1d([1, 2, 3, 4]);
  const before = tf.memory().numTensors;
  trainingCurves({ epoch: x, loss: y, val_loss: y });
  scatter2d(pts, { labels });
  histogram(y, { curves: [{ name: 'c', x, y }] });
  bandPlot(x, y, { std: y, points: { x, y } });
  calibrationPlot(x, y);
  quiver(pts, pts);
  densityPlot(field, { xRange: [0, 1], yRange: [0, 1] });
  linePlot(y, { x });
  barChart({ categories: ['a', 'b', 'c'], series: { s: y } });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(x.isDisposed || y.isDisposed || pts.isDisposed || labels.isDisposed, false, 'inputs are not disposed');
  tf.dispose([x, y, pts, labels, field]);
});
