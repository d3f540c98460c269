/**
 * The HTML edition of a small fixture: table-of-contents anchors that resolve, one plotly div per
 * figure drawn from its JSON, one `<script src>` (plotly.js, copied once into the site), the
 * notebook's own inlined plotly loader dropped, checks as pass/fail lines, and no external URL.
 * The in-browser check (plotly draws SVG) is by hand: test/publish/browser-check.ts.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildHtmlEdition, PLOTLY_FILE } from '../../src/publish/html-edition';
import { basicMarkdown } from '../../src/publish/markdown';
import { FIXTURES, tmpDir } from './helpers';

async function site() {
  const inDir = tmpDir('html-in');
  copyFileSync(path.join(FIXTURES, 'saved-ok.ipynb'), path.join(inDir, 'tiny.ipynb'));
  copyFileSync(path.join(FIXTURES, 'false-pass.ipynb'), path.join(inDir, 'wrong.ipynb'));
  const outDir = tmpDir('html-out');
  // A stand-in for plotly.js keeps the test fast; the real bundle is copied the same way.
  const plotlyFile = path.join(inDir, 'fake-plotly.js');
  writeFileSync(plotlyFile, 'window.Plotly = { newPlot: function () {} };\n');
  const built = await buildHtmlEdition({ inDir, outDir, plotlyFile });
  const read = (f: string): string => readFileSync(path.join(outDir, f), 'utf8');
  return { ...built, outDir, read };
}

describe('HTML edition', () => {
  it('writes an index with a table of contents whose anchors exist on the pages', async () => {
    const { read, pages } = await site();
    assert.deepEqual(pages.map((p) => p.file), ['tiny.html', 'wrong.html']);
    const index = read('index.html');
    const links = [...index.matchAll(/href="(tiny\.html)#([^"]+)"/g)].map((m) => m[2]);
    assert.deepEqual(links, ['1-the-model', '2-two-figures', 'a-subsection', '3-checks', 'exercises']);
    const page = read('tiny.html');
    for (const id of links) assert.match(page, new RegExp(`<h[23] id="${id}">`));
    assert.match(index, /<strong>Tiny lecture<\/strong>/);
  });

  it('draws one plotly div per figure from its JSON, with plotly.js copied once and loaded by one script src', async () => {
    const { read, outDir, pages } = await site();
    const page = read('tiny.html');
    assert.equal(pages[0]!.figures, 3);
    assert.equal((page.match(/<div id="[^"]+" class="genlab-plot"/g) ?? []).length, 3);
    assert.equal((page.match(/<script type="application\/json" class="genlab-figure"/g) ?? []).length, 3);
    assert.deepEqual(page.match(/<script[^>]*\bsrc=/g), ['<script src=']);
    assert.match(page, new RegExp(`<script src="${PLOTLY_FILE}"></script>`));
    assert.equal(readdirSync(outDir).filter((f) => f.endsWith('.js')).length, 1);
    assert.ok(statSync(path.join(outDir, PLOTLY_FILE)).size > 0);
    // The fallback HTML of a figure and the notebook's loader are not used.
    assert.doesNotMatch(page, /figure html fallback|genlab-plotly-loader/);
  });

  it('has no external URL and renders images, streams, markdown and math', async () => {
    const { read } = await site();
    for (const f of ['index.html', 'tiny.html', 'wrong.html']) assert.doesNotMatch(read(f), /(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i, f);
    const page = read('tiny.html');
    assert.match(page, /<img alt="figure" src="data:image\/png;base64,iVBORw0KGgo=">/);
    assert.match(page, /<pre class="stdout">backend wasm\n<\/pre>/);
    assert.match(page, /<em>emphasis<\/em>, <code>code<\/code>/);
    assert.match(page, /<span class="math inline">\\alpha_t = \\prod_s \(1-\\beta_s\)<\/span>/);
    assert.match(page, /<div class="math display">L = \\mathbb E\\,\\\|x - \\hat x\\\|\^2<\/div>/);
  });

  it('shows checks as pass/fail lines, re-evaluated rather than trusted', async () => {
    const { read } = await site();
    assert.match(read('tiny.html'), /<div class="check pass">✓ test_loss = 0\.5 &lt;= 1 \(full\)/);
    assert.match(read('wrong.html'), /<div class="check fail">✗ test_loss = 1\.7 &lt;= 1 \(full\)/);
  });
});

describe('basicMarkdown', () => {
  const md = basicMarkdown();
  it('keeps TeX intact (no emphasis inside math)', () => {
    assert.equal(md.render('a $x_i * y_j$ and *b*'), '<p>a <span class="math inline">x_i * y_j</span> and <em>b</em></p>');
  });
  it('renders tables, lists, code fences and escapes HTML', () => {
    const html = md.render('| a | b |\n| --- | --- |\n| 1 | <2> |\n\n- x\n- y\n\n```ts\nconst a = 1 < 2;\n```');
    assert.match(html, /<table><thead><tr><th>a<\/th><th>b<\/th><\/tr><\/thead><tbody><tr><td>1<\/td><td>&lt;2&gt;<\/td><\/tr><\/tbody><\/table>/);
    assert.match(html, /<ul><li>x<\/li><li>y<\/li><\/ul>/);
    assert.match(html, /<pre><code class="language-ts">const a = 1 &lt; 2;<\/code><\/pre>/);
  });
});
