/**
 * Tables: danfo DataFrames (with their index, as from describe()), Series and records, as HTML and
 * aligned text, cut to maxRows with a note.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dfd from 'danfojs-node';
import { formatCell, tableBundle } from '../../src/plot/table';

test('a describe() DataFrame renders with its index', () => {
  const df = new dfd.DataFrame({ alcohol: [13.2, 12.1, 14.3, 13.0], hue: [1.04, 0.98, 1.1, 0.9] });
  const b = tableBundle(df.describe());
  const html = b['text/html'] as string;
  assert.ok(html.includes('<table'));
  for (const stat of ['count', 'mean', 'std', 'min', 'max']) assert.ok(html.includes(`<th>${stat}</th>`), stat);
  assert.ok(html.includes('<th>alcohol</th>') && html.includes('<th>hue</th>'));
  const text = (b['text/plain'] as string).split('\n');
  assert.match(text[0] as string, /^\s+alcohol\s+hue$/);
  assert.match(text[1] as string, /^count\s+4\s+4$/);
});

test('records, escaping, precision, and the row limit note', () => {
  const rows = Array.from({ length: 30 }, (_, i) => ({ model: i === 0 ? '<b>MLP</b>' : `m${i}`, acc: i / 7 }));
  const b = tableBundle(rows, { maxRows: 5, precision: 3, caption: 'accuracy' });
  const html = b['text/html'] as string;
  assert.equal((html.match(/<tr>/g) ?? []).length, 5);
  assert.ok(html.includes('&lt;b&gt;MLP&lt;/b&gt;'));
  assert.ok(html.includes('<td>0.143</td>'));
  assert.ok(html.includes('showing the first 5 of 30 rows'));
  assert.ok(!html.includes('<th>0</th>'), 'records have no index column by default');
  const text = b['text/plain'] as string;
  assert.equal(text.split('\n').length, 1 + 1 + 5 + 1, 'caption, header, 5 rows, note');
  assert.equal(formatCell(3), '3');
  assert.equal(formatCell(0.123456), '0.1235');
  assert.equal(formatCell(null), '');
});

test('a Series renders as one named column', () => {
  const s = new dfd.Series([1, 2.5], { index: ['a', 'b'], columns: ['w'] } as never);
  const b = tableBundle(s);
  assert.ok((b['text/html'] as string).includes('<th>w</th>'));
  assert.ok((b['text/html'] as string).includes('<th>b</th><td>2.5</td>'));
});
