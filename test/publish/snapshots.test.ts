/**
 * Figure snapshots (src/publish/snapshots.ts): a saved figure carries a PNG inside its HTML, so that
 * viewers that run no script show it.
 *
 * The pure parts run everywhere, with a fake renderer. The browser parts need Chromium (and, for the
 * script-free rendering, nbconvert): they are skipped with the reason when it is missing, unless
 * GENLAB_SNAPSHOTS_REQUIRED=1 (then a missing tool is a failure, as GENLAB_E2E_REQUIRED is for the e2e).
 * GENLAB_SNAPSHOT_NOTEBOOK=path/to/executed.ipynb runs the script-free rendering check on that
 * executed notebook as well (a copy is snapshotted; the file is not changed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vm from 'node:vm';
import { chromium, type Browser } from 'playwright-core';
import { barChart, densityPlot, linePlot } from '../../src/plot';
import type { Figure } from '../../src/plot/figure';
import { FIGURE_FALLBACK_CLASS } from '../../src/plot/html';
import { imageGrid, imageGridBundle } from '../../src/plot/image-grid';
import { compactPng, decodePng, encodePng } from '../../src/plot/png';
import { figureBundle, PLOTLY_MIME } from '../../src/plot/show';
import { CHROMIUM_ARGS, findChromium } from '../../src/publish/chromium';
import { addFigureSnapshots, chromiumRenderer, figureOutputs, noSnapshotMessage, setFigureHtml, snapshotSize } from '../../src/publish/snapshots';
import type { SnapshotRenderer } from '../../src/publish/snapshots';
import { joinText, parseNotebook, serializeNotebook } from '../../src/runner/nbformat';
import type { CodeCell, MimeData, Notebook, NotebookOutput } from '../../src/runner/nbformat';
import { tmpDir } from './helpers';

const REQUIRED = process.env.GENLAB_SNAPSHOTS_REQUIRED === '1';
const chrome = findChromium();

/** `false` (run the test), or why it is skipped; with GENLAB_SNAPSHOTS_REQUIRED=1 the test runs and fails instead. */
function skipUnless(reason: string | null): string | false {
  if (reason === null || REQUIRED) return false;
  return `${reason}; GENLAB_SNAPSHOTS_REQUIRED=1 makes this a failure`;
}

function requireTool(reason: string | null): void {
  if (reason !== null) assert.fail(`GENLAB_SNAPSHOTS_REQUIRED=1 but ${reason}`);
}

const chromeMissing = typeof chrome === 'string' ? `no Chromium: ${chrome}` : null;

/** The `jupyter` with nbconvert: $GENLAB_JUPYTER, else on PATH; null when there is none. */
function findNbconvert(): { command: string } | string {
  const command = process.env.GENLAB_JUPYTER || 'jupyter';
  const r = spawnSync(command, ['nbconvert', '--version'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? { command } : `no nbconvert: \`${command} nbconvert --version\` failed (set GENLAB_JUPYTER=/path/to/jupyter)`;
}

function display(data: Record<string, unknown>): NotebookOutput {
  return { output_type: 'display_data', data: data as MimeData, metadata: {} };
}

function code(id: string, outputs: NotebookOutput[], n: number): CodeCell {
  return { cell_type: 'code', id, metadata: {}, source: `// cell ${id}`, outputs, execution_count: n };
}

/** One colour per region, so a snapshot's pixels can be checked: red plot area, blue paper. */
const SOLID: Figure = {
  data: [{ type: 'scatter', mode: 'markers', x: [0], y: [0], marker: { color: 'rgb(255,0,0)' } }],
  layout: {
    width: 400,
    height: 300,
    margin: { l: 60, r: 40, t: 40, b: 60 },
    plot_bgcolor: 'rgb(255,0,0)',
    paper_bgcolor: 'rgb(0,0,255)',
    xaxis: { showgrid: false, zeroline: false, range: [1, 2] },
    yaxis: { showgrid: false, zeroline: false, range: [1, 2] },
  },
};

/** A small executed-looking notebook: four figures in three cells, a stream, an image grid, markdown. */
function fixtureNotebook(): Notebook {
  const line = linePlot({ loss: [3, 2, 1.5, 1.2], val_loss: [3.2, 2.4, 2, 1.9] }, { title: 'training loss', xTitle: 'epoch', yTitle: 'loss' });
  const bars = barChart({ a: 1, b: 3, c: 2 }, { title: 'bars' });
  const density = densityPlot((x, y) => Math.exp(-(x * x + y * y)), { xRange: [-2, 2], yRange: [-2, 2], resolution: 20, kind: 'both', title: 'a density' });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' }, language_info: { name: 'typescript' } },
    cells: [
      { cell_type: 'markdown', id: 'md', metadata: {}, source: '# Figures' },
      code('c1', [{ output_type: 'stream', name: 'stdout', text: 'trained\n' }, display(figureBundle(line))], 1),
      code('c2', [display(figureBundle(bars)), display(imageGridBundle(imageGrid([[[0, 1], [1, 0]]]))), display(figureBundle(density))], 2),
      code('c3', [display(figureBundle(SOLID))], 3),
    ],
  };
}

const FIXTURE_FIGURES = 4;

/** A fake renderer: a grey PNG of the asked size; throws for figures titled 'broken'. */
function fakeRenderer(): SnapshotRenderer & { calls: Array<[number, number, number]> } {
  const calls: Array<[number, number, number]> = [];
  return {
    name: 'fake',
    calls,
    async render(fig, width, height, scale) {
      calls.push([width, height, scale]);
      if ((fig.layout.title as { text?: string } | undefined)?.text === 'broken') throw new Error('cannot draw this one');
      const w = Math.round(width * scale);
      const h = Math.round(height * scale);
      return encodePng(w, h, new Uint8Array(w * h).fill(200), 1);
    },
    async close() {},
  };
}

function html(o: NotebookOutput): string {
  assert.ok(o.output_type === 'display_data');
  return joinText(o.data['text/html'] as string);
}

test('figureOutputs: finds the plotly outputs and their div ids, not image grids or streams', () => {
  const nb = fixtureNotebook();
  const found = figureOutputs(nb);
  assert.deepEqual(found.map((f) => [f.cell, f.output]), [[1, 1], [2, 0], [2, 2], [3, 0]]);
  for (const f of found) {
    assert.match(f.id ?? '', /^genlab-plot-/);
    assert.ok(html((nb.cells[f.cell] as CodeCell).outputs[f.output] as NotebookOutput).includes(`id="${f.id}"`));
  }
});

test('a figure without a snapshot says how to see it, inside the div its script clears', () => {
  const b = figureBundle(linePlot([1, 2, 3], { title: 'curve' }));
  const h = b['text/html'] as string;
  assert.match(h, new RegExp(`<div id="[^"]+" class="genlab-plot" style="[^"]*"><div class="${FIGURE_FALLBACK_CLASS}"[^>]*>Interactive figure "curve": drawn by plotly\\.js when the notebook is trusted`));
  assert.doesNotMatch(h, /<img/);
});

test('addFigureSnapshots: each figure gets an <img> of its PNG inside its div, id, JSON and text kept', async () => {
  const nb = fixtureNotebook();
  const before = figureOutputs(nb).map((f) => ({ id: f.id, json: JSON.stringify(f.data[PLOTLY_MIME]), plain: f.data['text/plain'] }));
  const renderer = fakeRenderer();
  const report = await addFigureSnapshots(nb, renderer, { scale: 2 });
  assert.equal(report.figures, FIXTURE_FIGURES);
  assert.equal(report.snapshotted, FIXTURE_FIGURES);
  assert.deepEqual(report.failures, []);
  // Sizes: the layout's (SOLID is 400x300), else 800 wide and the builders' height; scale passed through.
  assert.deepEqual(renderer.calls[3], [400, 300, 2]);
  assert.deepEqual(renderer.calls[0], [800, snapshotSize(figureOutputs(nb)[0]!.figure).height, 2]);
  const after = figureOutputs(nb);
  after.forEach((f, i) => {
    const h = joinText(f.data['text/html'] as string);
    const img = new RegExp(`^<div id="${f.id}" class="genlab-plot" style="[^"]*"><img class="${FIGURE_FALLBACK_CLASS}" alt="[^"]*" width="(\\d+)" height="(\\d+)" [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"></div>\\n<script`).exec(h);
    assert.ok(img, `figure ${i}: an <img> inside the div, before the script:\n${h.slice(0, 300)}`);
    const png = Buffer.from(img[3] as string, 'base64');
    assert.equal(png.length, report.pngBytes[i]);
    // The <img> shows the PNG at CSS size: its pixel size divided by the scale.
    assert.equal(png.readUInt32BE(16), 2 * Number(img[1]));
    assert.equal(png.readUInt32BE(20), 2 * Number(img[2]));
    assert.equal(f.id, before[i]!.id);
    assert.equal(JSON.stringify(f.data[PLOTLY_MIME]), before[i]!.json);
    assert.equal(f.data['text/plain'], before[i]!.plain);
    assert.equal(f.data['image/png'], undefined, 'no image/png entry: the viewers would not pick it');
  });
  // Twice gives the same notebook (one picture per figure, not two).
  const once = serializeNotebook(nb);
  await addFigureSnapshots(nb, fakeRenderer(), { scale: 2 });
  assert.equal(serializeNotebook(nb), once);
  // Image grids and streams untouched.
  const grid = (nb.cells[2] as CodeCell).outputs[1] as NotebookOutput;
  assert.ok(grid.output_type === 'display_data' && typeof grid.data['image/png'] === 'string');
});

test('addFigureSnapshots: a figure that cannot be drawn keeps the note and is reported; bad options are named', async () => {
  const nb = fixtureNotebook();
  const broken = figureOutputs(nb)[1]!;
  (broken.figure.layout as Record<string, unknown>).title = { text: 'broken' };
  const lines: string[] = [];
  const report = await addFigureSnapshots(nb, fakeRenderer(), { log: (m) => lines.push(m) });
  assert.equal(report.snapshotted, FIXTURE_FIGURES - 1);
  assert.deepEqual(report.failures, ['cell 3, output 1: cannot draw this one']);
  assert.match(lines.join('\n'), /snapshot failed: cell 3, output 1: cannot draw this one/);
  const h = joinText(figureOutputs(nb)[1]!.data['text/html'] as string);
  assert.match(h, /Interactive figure "broken"/);
  assert.doesNotMatch(h, /<img/);
  await assert.rejects(addFigureSnapshots(nb, fakeRenderer(), { scale: 0 }), /scale must be in \(0, 4\], got 0/);
  await assert.rejects(addFigureSnapshots(nb, fakeRenderer(), { width: 50 }), /width must be an integer of at least 100 px, got 50/);
  // A renderer that returns something other than a PNG is a failure, not a broken picture.
  const liar: SnapshotRenderer = { name: 'liar', render: async () => Buffer.from('<svg/>'), close: async () => undefined };
  const r2 = await addFigureSnapshots(fixtureNotebook(), liar);
  assert.equal(r2.snapshotted, 0);
  assert.match(r2.failures[0] ?? '', /returned no PNG/);
});

test('the drawing script replaces the snapshot by the interactive figure', () => {
  const f = figureOutputs(fixtureNotebook())[0]!;
  setFigureHtml(f, { pngBase64: encodePng(1, 1, new Uint8Array([0]), 1).toString('base64'), width: 800, height: 400 });
  const h = joinText(f.data['text/html'] as string);
  const script = /<script type="text\/javascript">\n([\s\S]*)\n<\/script>/.exec(h)?.[1] ?? '';
  const children = ['img'];
  const draws: unknown[] = [];
  const el = {
    id: f.id,
    attrs: {} as Record<string, string>,
    style: {} as Record<string, string>,
    get firstChild() { return children[0] ?? null; },
    removeChild() { children.shift(); },
    getAttribute(k: string) { return this.attrs[k] ?? null; },
    setAttribute(k: string, v: string) { this.attrs[k] = v; },
  };
  const page: Record<string, unknown> = {
    document: { currentScript: null, getElementById: (id: string) => (id === f.id ? el : null) },
    setTimeout: () => undefined,
    Plotly: { newPlot: (target: unknown) => { assert.equal(children.length, 0, 'the snapshot is gone before plotly draws'); draws.push(target); } },
  };
  page.window = page;
  vm.runInContext(script, vm.createContext(page));
  assert.equal(draws.length, 1);
  assert.equal(el.style.height, `${snapshotSize(f.figure).height}px`, 'the div takes the figure height back');
});

test('chromiumRenderer without a Chromium: the reason, not an error (publishing then goes on script-only)', async () => {
  const saved = process.env.GENLAB_CHROMIUM;
  process.env.GENLAB_CHROMIUM = path.join(tmpDir('no-chromium'), 'chromium');
  try {
    const r = await chromiumRenderer();
    assert.equal(typeof r, 'string');
    assert.match(r as string, /^GENLAB_CHROMIUM=.*chromium: no such file\.$/);
    assert.match(noSnapshotMessage(r as string), /none taken \(GENLAB_CHROMIUM=.*\) Figures stay script-only: .*jupyter trust.*Install Chromium or set GENLAB_CHROMIUM/);
  } finally {
    if (saved === undefined) delete process.env.GENLAB_CHROMIUM;
    else process.env.GENLAB_CHROMIUM = saved;
  }
});

// ---- In Chromium ----------------------------------------------------------------------------------

async function withBrowser<T>(body: (b: Browser) => Promise<T>): Promise<T> {
  if (typeof chrome === 'string') throw new Error(chrome);
  const browser = await chromium.launch({ executablePath: chrome.path, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
  try {
    return await body(browser);
  } finally {
    await browser.close();
  }
}

test('chromiumRenderer: plotly.js draws the figure at its size and scale (pixels checked)', { skip: skipUnless(chromeMissing), timeout: 120_000 }, async () => {
  requireTool(chromeMissing);
  const renderer = await chromiumRenderer();
  if (typeof renderer === 'string') assert.fail(renderer);
  let png1: Buffer;
  let png2: Buffer;
  try {
    assert.match(renderer.name, /^Chromium \S+ \+ plotly\.js \d/);
    png1 = await renderer.render(SOLID, 400, 300, 1);
    png2 = await renderer.render(SOLID, 400, 300, 2);
  } finally {
    await renderer.close();
  }
  assert.deepEqual([png1.readUInt32BE(16), png1.readUInt32BE(20)], [400, 300]);
  assert.deepEqual([png2.readUInt32BE(16), png2.readUInt32BE(20)], [800, 600]);
  // Read the pixels back in a page: the plot area (inside the margins) red, the margins blue.
  const px = await withBrowser(async (b) => {
    const page = await b.newPage();
    return page.evaluate(async (src) => {
      // The test tsconfig has no DOM lib: the few members used, typed by hand.
      type Ctx = { drawImage(i: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      const d = (globalThis as unknown as { document: { createElement(t: string): Record<string, unknown> } }).document;
      const img = d.createElement('img') as { src: string; decode(): Promise<void> };
      img.src = src;
      await img.decode();
      const canvas = d.createElement('canvas') as { width: number; height: number; getContext(k: string): Ctx };
      canvas.width = 400;
      canvas.height = 300;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      // Plot area: x in [60, 360], y in [40, 240]. (No named helper here: tsx would wrap it in a
      // `__name` call that the page does not define.)
      const points: Array<[number, number]> = [[210, 140], [70, 50], [10, 10], [200, 290]];
      return points.map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data].slice(0, 3));
    }, `data:image/png;base64,${png1.toString('base64')}`);
  });
  assert.deepEqual(px, [[255, 0, 0], [255, 0, 0], [0, 0, 255], [0, 0, 255]], 'centre and corner of the plot area red, margins blue');
  // What is saved is the same picture in fewer bytes: Chromium's RGBA, opaque, as RGB.
  const drawn = decodePng(png2);
  const saved = compactPng(png2);
  const kept = decodePng(saved);
  assert.ok(saved.length < png2.length, `${saved.length} < ${png2.length} bytes`);
  assert.deepEqual([drawn.channels, kept.channels], [4, 3]);
  const rgb = new Uint8Array(800 * 600 * 3);
  for (let i = 0, j = 0; i < drawn.pixels.length; i += 4, j += 3) rgb.set(drawn.pixels.subarray(i, i + 3), j);
  assert.ok(Buffer.from(kept.pixels).equals(Buffer.from(rgb)), 'compactPng is lossless on a browser PNG');
});

/**
 * Render `nb` to HTML with nbconvert, strip every script, open it in Chromium and count the figures
 * that show a loaded picture. Returns what it found.
 */
async function scriptFreeFigures(nbFile: string, jupyter: string, dir: string): Promise<{ divs: number; shown: number; scripts: number; sizes: string[] }> {
  const r = spawnSync(jupyter, ['nbconvert', '--to', 'html', '--output-dir', dir, nbFile], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `nbconvert failed: ${r.stderr}`);
  const out = path.join(dir, `${path.basename(nbFile, '.ipynb')}.html`);
  const full = readFileSync(out, 'utf8');
  const stripped = full.replace(/<script\b[\s\S]*?<\/script>/gi, '');
  const scripts = (stripped.match(/<script\b/gi) ?? []).length;
  const file = path.join(dir, 'stripped.html');
  writeFileSync(file, stripped);
  return withBrowser(async (b) => {
    const context = await b.newContext({ viewport: { width: 1280, height: 1000 } });
    // Offline, as a preview server is to this page: only the file itself loads.
    await context.route('**/*', (route) => (route.request().url().startsWith('file:') || route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    const page = await context.newPage();
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    const divs = await page.locator('div.genlab-plot').count();
    const imgs = page.locator('div.genlab-plot > img');
    const states = await imgs.evaluateAll((els) =>
      els.map((e) => {
        const im = e as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number; getBoundingClientRect(): { width: number; height: number } };
        const box = im.getBoundingClientRect();
        return { ok: im.complete && im.naturalWidth > 0, size: `${im.naturalWidth}x${im.naturalHeight} shown ${Math.round(box.width)}x${Math.round(box.height)}`, visible: box.width > 100 && box.height > 100 };
      }),
    );
    await context.close();
    return { divs, shown: states.filter((s) => s.ok && s.visible).length, scripts, sizes: states.map((s) => s.size) };
  });
}

const nbconvert = findNbconvert();
const scriptFreeMissing = chromeMissing ?? (typeof nbconvert === 'string' ? nbconvert : null);

test('a script-free HTML rendering (nbconvert, scripts stripped) shows a picture per figure', { skip: skipUnless(scriptFreeMissing), timeout: 600_000 }, async () => {
  requireTool(scriptFreeMissing);
  const jupyter = (nbconvert as { command: string }).command;
  const dir = tmpDir('snapshots');
  const renderer = await chromiumRenderer();
  if (typeof renderer === 'string') assert.fail(renderer);
  const files: Array<{ file: string; figures: number }> = [];
  try {
    const nb = fixtureNotebook();
    // Before snapshots: the script-free page shows no picture (so the check below can fail).
    const plain = path.join(dir, 'fixture-plain.ipynb');
    writeFileSync(plain, serializeNotebook(nb));
    const none = await scriptFreeFigures(plain, jupyter, dir);
    assert.equal(none.divs, FIXTURE_FIGURES);
    assert.equal(none.shown, 0);
    const report = await addFigureSnapshots(nb, renderer);
    assert.equal(report.snapshotted, FIXTURE_FIGURES);
    const snap = path.join(dir, 'fixture.ipynb');
    writeFileSync(snap, serializeNotebook(nb));
    files.push({ file: snap, figures: FIXTURE_FIGURES });
    const extra = process.env.GENLAB_SNAPSHOT_NOTEBOOK;
    if (extra) {
      assert.ok(existsSync(extra), `GENLAB_SNAPSHOT_NOTEBOOK=${extra}: no such file`);
      const real = parseNotebook(readFileSync(extra, 'utf8'), extra);
      const before = serializeNotebook(real).length;
      const r = await addFigureSnapshots(real, renderer);
      const copy = path.join(dir, path.basename(extra));
      const text = serializeNotebook(real);
      writeFileSync(copy, text);
      const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
      const added = text.length - before;
      console.log(`# ${extra}: ${r.snapshotted}/${r.figures} figures snapshotted; file ${kb(before)} -> ${kb(text.length)} (+${kb(added)}, ` +
        `${kb(added / Math.max(1, r.snapshotted))} per figure; PNGs ${r.pngBytes.map(kb).join(', ')})`);
      assert.ok(r.figures > 0, `${extra} has no figure outputs`);
      assert.deepEqual(r.failures, []);
      files.push({ file: copy, figures: r.figures });
    }
  } finally {
    await renderer.close();
  }
  for (const { file, figures } of files) {
    const seen = await scriptFreeFigures(file, jupyter, dir);
    console.log(`# ${path.basename(file)}: script-free: ${seen.shown}/${seen.divs} figures show a picture (${seen.sizes.join('; ')})`);
    assert.equal(seen.scripts, 0);
    assert.equal(seen.divs, figures, 'every figure is in the page');
    assert.equal(seen.shown, figures, 'every figure shows its picture');
  }
});

test('npm run notebooks:snapshots adds snapshots to executed notebooks without running them', { skip: skipUnless(chromeMissing), timeout: 180_000 }, () => {
  requireTool(chromeMissing);
  const dir = tmpDir('snapshots-cli');
  const file = path.join(dir, 'executed.ipynb');
  writeFileSync(file, serializeNotebook(fixtureNotebook()));
  const cli = path.resolve(__dirname, '../../dist/publish/snapshots-cli.js');
  const r = spawnSync(process.execPath, [cli, file], { encoding: 'utf8', timeout: 170_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`executed\\.ipynb: ${FIXTURE_FIGURES}/${FIXTURE_FIGURES} figures, \\d+ KB of PNG`));
  const after = parseNotebook(readFileSync(file, 'utf8'), file);
  const figs = figureOutputs(after);
  assert.equal(figs.filter((f) => /<img [^>]*src="data:image\/png;base64,/.test(joinText(f.data['text/html'] as string))).length, FIXTURE_FIGURES);
  // Everything but the figures' HTML is as it was.
  const strip = (nb: Notebook): unknown => JSON.parse(JSON.stringify(nb, (k, v) => (k === 'text/html' ? undefined : v)));
  assert.deepEqual(strip(after), strip(parseNotebook(serializeNotebook(fixtureNotebook()), file)));
  const bad = spawnSync(process.execPath, [cli, path.join(dir, 'missing.ipynb')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /missing\.ipynb: not an existing \.ipynb file/);
});
