/**
 * Export: plotly JSON and standalone HTML (plotly.js inlined, or referenced) in a temp folder; image
 * grids as PNG.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { saveFigure, toJSON } from '../../src/plot/export';
import { imageGrid } from '../../src/plot/image-grid';
import { plotlySource } from '../../src/plot/plotly-source';
import { histogram } from '../../src/plot/histogram';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-plot-export-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const fig = histogram([1, 2, 2, 3, 3, 3], { bins: 3, title: 'counts' });

test('toJSON / .json: the figure with its config, parseable', () => {
  const file = path.join(dir, 'sub', 'fig.json');
  saveFigure(fig, file);
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { data: unknown; layout: unknown; config: unknown };
  assert.deepEqual(parsed, JSON.parse(toJSON(fig)));
  assert.deepEqual(parsed.data, JSON.parse(JSON.stringify(fig.data)));
  assert.deepEqual(parsed.layout, fig.layout);
});

test('.html: a standalone page with plotly.js inlined and a Plotly.newPlot call', () => {
  const file = path.join(dir, 'fig.html');
  saveFigure(fig, file);
  const html = fs.readFileSync(file, 'utf8');
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(html.includes('Plotly.newPlot'));
  assert.equal(html.split(plotlySource().code).length - 1, 1, 'the bundle is inlined once');
  assert.ok(html.includes('<title>counts</title>'));
});

test('.html with a referenced plotly.js stays small', () => {
  const file = path.join(dir, 'ref.html');
  saveFigure(fig, file, { plotly: { src: 'plotly.min.js' } });
  const html = fs.readFileSync(file, 'utf8');
  assert.ok(html.includes('<script type="text/javascript" src="plotly.min.js"></script>'));
  assert.ok(html.length < 10_000);
});

test('image grids save as PNG; unknown extensions are refused', () => {
  const grid = imageGrid([[[0, 1], [1, 0]]]);
  const file = path.join(dir, 'grid.png');
  saveFigure(grid, file);
  assert.ok(fs.readFileSync(file).equals(grid.png));
  assert.throws(() => saveFigure(grid, path.join(dir, 'grid.html')), /saved as \.png/);
  assert.throws(() => saveFigure(fig, path.join(dir, 'fig.svg')), /unknown extension/);
});
