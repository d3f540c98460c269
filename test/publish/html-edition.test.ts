/**
 * The HTML edition of a small fixture: table-of-contents anchors that resolve, one plotly div per
 * figure drawn from its JSON, one `<script src>` (plotly.js, copied once into the site), the
 * notebook's own inlined plotly loader dropped, checks as pass/fail lines, equations typeset by
 * KaTeX with its stylesheet and fonts copied beside the pages, and no external URL.
 * The in-browser check (plotly draws SVG, KaTeX's fonts load) is by hand: test/publish/browser-check.ts.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildHtmlEdition, PLOTLY_FILE, renderNotebookPage } from '../../src/publish/html-edition';
import { displayEquations, markdownHeadings, markdownRenderer, plainMath } from '../../src/publish/markdown';
import { katexMath } from '../../src/publish/math';
import { encodePng } from '../../src/plot/png';
import { figureOutputs, setFigureHtml } from '../../src/publish/snapshots';
import { fixture, FIXTURES, tmpDir } from './helpers';

/** The TeX that KaTeX keeps in the MathML annotation of each equation, in order (HTML-escaped). */
function annotations(html: string): string[] {
  return [...html.matchAll(/<annotation encoding="application\/x-tex">([^<]*)<\/annotation>/g)].map((m) => m[1] as string);
}

/** MathML's namespace name is an identifier in the markup, never fetched. */
const MATHML_NS = 'xmlns="http://www.w3.org/1998/Math/MathML"';

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
    for (const f of ['index.html', 'tiny.html', 'wrong.html', 'katex/katex.min.css']) {
      assert.doesNotMatch(read(f).replaceAll(MATHML_NS, ''), /(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i, f);
    }
    const page = read('tiny.html');
    assert.match(page, /<img alt="figure" src="data:image\/png;base64,iVBORw0KGgo=">/);
    assert.match(page, /<pre class="stdout">backend wasm\n<\/pre>/);
    assert.match(page, /<em>emphasis<\/em>, <code>code<\/code>/);
    // Typeset by KaTeX (the default), one inline and one display equation, the TeX kept in MathML.
    assert.equal((page.match(/<span class="katex">/g) ?? []).length, 2);
    assert.equal((page.match(/<span class="katex-display">/g) ?? []).length, 1);
    assert.deepEqual(annotations(page), ['\\alpha_t = \\prod_s (1-\\beta_s)', 'L = \\mathbb E\\,\\|x - \\hat x\\|^2']);
    assert.doesNotMatch(page, /class="math (inline|display)"|katex-error/);
  });

  it("copies KaTeX's stylesheet and woff2 fonts beside the pages, and every page links the stylesheet", async () => {
    const { read, outDir, pages } = await site();
    const css = read('katex/katex.min.css');
    assert.match(css, /\.katex\{/);
    const fonts = readdirSync(path.join(outDir, 'katex', 'fonts'));
    assert.ok(fonts.length > 0 && fonts.every((f) => f.endsWith('.woff2')), fonts.join(' '));
    // Each font the stylesheet names first (woff2) is there; the woff/ttf fallbacks are not needed.
    const wanted = [...css.matchAll(/src:url\(fonts\/([^)]+\.woff2)\) format\("woff2"\)/g)].map((m) => m[1] as string);
    assert.ok(wanted.length >= 10, `${wanted.length} woff2 fonts named in katex.min.css`);
    assert.deepEqual([...new Set(wanted)].sort(), [...fonts].sort());
    for (const f of fonts) assert.ok(statSync(path.join(outDir, 'katex', 'fonts', f)).size > 0, f);
    for (const p of pages) assert.match(read(p.file), /<head>[\s\S]*<link rel="stylesheet" href="katex\/katex\.min\.css">[\s\S]*<\/head>/, p.file);
    assert.match(read('index.html'), /plotly\.js and KaTeX .* are in this folder/);
  });

  it('shows the TeX source instead when asked for plainMath', () => {
    const page = renderNotebookPage(fixture('saved-ok.ipynb'), 'tiny', { math: plainMath }).html;
    assert.match(page, /<span class="math inline">\\alpha_t = \\prod_s \(1-\\beta_s\)<\/span>/);
    assert.match(page, /<span class="math display">L = \\mathbb E\\,\\\|x - \\hat x\\\|\^2<\/span>/);
    assert.doesNotMatch(page, /class="katex/);
  });

  it('counts equations KaTeX could not parse', () => {
    const nb = fixture('saved-ok.ipynb');
    nb.cells.push({ cell_type: 'markdown', metadata: {}, source: 'Broken: $\\frac{1$ and $$\\left( x$$' });
    const page = renderNotebookPage(nb, 'tiny');
    assert.equal(page.mathErrors, 2);
    assert.equal(renderNotebookPage(fixture('saved-ok.ipynb'), 'tiny').mathErrors, 0);
  });

  it('shows checks as pass/fail lines, re-evaluated rather than trusted', async () => {
    const { read } = await site();
    assert.match(read('tiny.html'), /<div class="check pass">✓ test_loss = 0\.5 &lt;= 1 \(full\)/);
    assert.match(read('wrong.html'), /<div class="check fail">✗ test_loss = 1\.7 &lt;= 1 \(full\)/);
  });
});

describe('markdownRenderer', () => {
  const md = markdownRenderer();
  it('keeps TeX intact (no emphasis inside math)', () => {
    assert.equal(md.render('a $x_i * y_j$ and *b*'), '<p>a <span class="math inline">x_i * y_j</span> and <em>b</em></p>\n');
  });
  it('renders tables, lists, code fences and escapes HTML', () => {
    const html = md.render('| a | b |\n| --- | --- |\n| 1 | <2> |\n\n- x\n- y\n\n```ts\nconst a = 1 < 2;\n```').replace(/\n/g, '');
    assert.match(html, /<table><thead><tr><th>a<\/th><th>b<\/th><\/tr><\/thead><tbody><tr><td>1<\/td><td>&lt;2&gt;<\/td><\/tr><\/tbody><\/table>/);
    assert.match(html, /<ul><li>x<\/li><li>y<\/li><\/ul>/);
    assert.match(html, /<pre><code class="language-ts">const a = 1 &lt; 2;<\/code><\/pre>/);
  });

  // Tricky cells, shaped like the notebooks' own; each failed in the hand-rolled renderer or would fail
  // in a markdown renderer that does not take the math out first.
  it('keeps `|` and `\\|` inside math in a table cell (flows.ipynb, section 5)', () => {
    const src = '| | VAE | flow |\n|---|---|---|\n| likelihood | $\\mathrm{KL}(q(z\\mid x)\\,\\|\\,p(z))$ | **exact**: $\\log|\\det \\partial f/\\partial x|$ |';
    const html = md.render(src).replace(/\n/g, '');
    assert.match(html, /<tr><td>likelihood<\/td><td><span class="math inline">\\mathrm\{KL\}\(q\(z\\mid x\)\\,\\\|\\,p\(z\)\)<\/span><\/td><td><strong>exact<\/strong>: <span class="math inline">\\log\|\\det \\partial f\/\\partial x\|<\/span><\/td><\/tr>/);
    assert.equal((html.match(/<td>/g) ?? []).length, 3);
  });
  it('nests lists, with math and emphasis in the items', () => {
    const html = md.render('1. first\n   - nested *a*\n   - nested $b_1$\n2. second').replace(/\n/g, '');
    assert.equal(html, '<ol><li>first<ul><li>nested <em>a</em></li><li>nested <span class="math inline">b_1</span></li></ul></li><li>second</li></ol>');
  });
  it('ends an inline equation at the next `$` (var_mod.ipynb, section 5), and leaves `$` in code and escaped `\\$` alone', () => {
    assert.equal(
      md.render('with $\\mathcal L_1 =$ ELBO $\\le \\mathcal L_K$, `code $x$`, \\$5 and $3'),
      '<p>with <span class="math inline">\\mathcal L_1 =</span> ELBO <span class="math inline">\\le \\mathcal L_K</span>, <code>code $x$</code>, $5 and $3</p>\n',
    );
  });
  it('renders links, keeps external images as links (the edition never loads from the network), escapes raw HTML and drops comments', () => {
    assert.equal(md.render('[paper](https://arxiv.org/abs/1312.6114)'), '<p><a href="https://arxiv.org/abs/1312.6114">paper</a></p>\n');
    assert.equal(md.render('![plot](https://example.com/x.png) ![local](img.png)'), '<p><a href="https://example.com/x.png">plot</a> <img src="img.png" alt="local"></p>\n');
    assert.equal(md.render('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
    assert.equal(md.render('a <b>b</b> <img src="https://example.com/x.png">'), '<p>a &lt;b&gt;b&lt;/b&gt; &lt;img src=&quot;https://example.com/x.png&quot;&gt;</p>\n');
    // Comments show nothing, as in Jupyter and on GitHub.
    assert.equal(md.render('<!-- a note\nfor editors -->\n\ntext <!-- inline -->'), '<p>text </p>\n');
  });
  it('gives headings unique ids and reports them; display math on its own lines or inside a paragraph', () => {
    const seen: string[] = [];
    const r = markdownRenderer({ onHeading: (level, text, id) => seen.push(`${level} ${text} ${id}`) });
    const html = r.render('## A $k$ heading\n\ntext\n$$\na_1\n$$\n\n## A $k$ heading\n\n$$\n\\sum_i x_i\n$$');
    assert.deepEqual(seen, ['2 A $k$ heading a-k-heading', '2 A $k$ heading a-k-heading-1']);
    assert.match(html, /<h2 id="a-k-heading">A <span class="math inline">k<\/span> heading<\/h2>/);
    assert.match(html, /<p>text\n<span class="math display">a_1<\/span><\/p>/);
    assert.match(html, /<span class="math display">\\sum_i x_i<\/span>/);
  });
  it('finds headings and display equations outside code', () => {
    assert.deepEqual(markdownHeadings('# T\n\n```\n# not a heading\n```\n## 1. $x$'), [
      { level: 1, text: 'T' },
      { level: 2, text: '1. $x$' },
    ]);
    assert.deepEqual(displayEquations('a $b$\n$$c\\|d$$\n\n| x |\n|---|\n| $$e|f$$ |\n\n\\[g\\]'), ['c\\|d', 'e|f', 'g']);
  });
});

describe('katexMath', () => {
  const md = markdownRenderer({ math: katexMath });
  it('typesets inline math, keeping the TeX in the MathML annotation and emphasis rules out of it', () => {
    // Unprotected, `^*(x) ... g^*` and `|_2^2 ... |_` would each read as emphasis.
    const tex = ['a_1 * b_2', 'f^*(x)', 'g^*', '\\|x\\|_2^2', '\\|y\\|_{\\infty}'];
    const html = md.render(`a $${tex[0]}$, *b*, $${tex[1]}$ and $${tex[2]}$, $${tex[3]}$ and $${tex[4]}$`);
    assert.equal((html.match(/<span class="katex">/g) ?? []).length, 5);
    assert.doesNotMatch(html, /katex-display/);
    assert.deepEqual(annotations(html), tex);
    assert.deepEqual(html.match(/<\/?(em|strong)>/g), ['<em>', '</em>']);
    assert.match(html, /^<p>a <span class="katex">[\s\S]*, <em>b<\/em>, <span class="katex">/);
  });
  it('typesets display math, on its own lines or inside a paragraph', () => {
    for (const src of ['$$\n\\sum_i x_i\n$$', 'so $$\\sum_i x_i$$ holds', '\\[\\sum_i x_i\\]']) {
      const html = md.render(src);
      assert.equal((html.match(/<span class="katex-display"><span class="katex">/g) ?? []).length, 1, src);
      assert.match(html, /<math [^>]*display="block"/, src);
      assert.deepEqual(annotations(html), ['\\sum_i x_i'], src);
    }
  });
  it('escapes the TeX it keeps', () => {
    assert.deepEqual(annotations(md.render('$a < b \\& c$')), ['a &lt; b \\&amp; c']);
  });
  it('shows bad TeX as its source, in red, with the parse error as title', () => {
    const html = md.render('before $\\frac{1$ after');
    assert.match(html, /^<p>before <span class="katex-error" title="ParseError: KaTeX parse error: [^"]+" style="color:#cc0000">\\frac\{1<\/span> after<\/p>\n$/);
    assert.equal(katexMath('\\frac{a<b', true).match(/<span class="katex-error"[^>]*>([^<]*)<\/span>/)?.[1], '\\frac{a&lt;b');
  });

  it('puts a notebook figure\'s static snapshot inside its div, for readers without scripts', async () => {
    const nb = fixture('saved-ok.ipynb');
    const figs = figureOutputs(nb);
    assert.ok(figs.length >= 2);
    const png = encodePng(2, 1, new Uint8Array([0, 255]), 1).toString('base64');
    setFigureHtml(figs[0]!, { pngBase64: png, width: 640, height: 320 });
    const page = renderNotebookPage(nb, 'tiny', { math: plainMath }).html;
    const divs = [...page.matchAll(/<div id="[^"]+" class="genlab-plot" data-height="\d+"( style="[^"]*")?>(.*?)<\/div>/g)];
    assert.equal(divs.length, figs.length);
    // With a snapshot: the picture, and no fixed height (the picture sets it); without: empty, fixed height.
    assert.match(divs[0]![2]!, new RegExp(`^<img class="genlab-plot-fallback"[^>]* width="640" height="320" [^>]*src="data:image/png;base64,${png.replace(/[+/=]/g, '\\$&')}">$`));
    assert.equal(divs[0]![1], undefined);
    assert.equal(divs[1]![2], '');
    assert.match(divs[1]![1]!, /height:\d+px/);
  });
});
