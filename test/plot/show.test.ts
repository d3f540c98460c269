/**
 * Showing figures: the MIME bundle, the once-per-notebook plotly.js loader, and the page-side scripts
 * (run here in a VM against a fake page: drawing is idempotent and waits for Plotly; the loader hides
 * RequireJS's `define` from the bundle). The kernel is faked through tslab's display writer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vm from 'vm';
import { inNotebook } from '../../src/tslab/display';
import { Figure } from '../../src/plot/figure';
import { figureHtml, loaderHtml } from '../../src/plot/html';
import { imageGrid } from '../../src/plot/image-grid';
import { plotlySource } from '../../src/plot/plotly-source';
import { figureBundle, liveFigure, loadPlotly, PLOTLY_MIME, show } from '../../src/plot/show';
import { fakeKernel } from './helpers';

const fig: Figure = {
  data: [{ type: 'scatter', mode: 'lines', name: 'loss', x: [1, 2, 3], y: [3, 2, 1] }],
  layout: { title: { text: 'a </script> title' }, xaxis: { title: { text: 'epoch' } }, yaxis: { title: { text: 'loss' } }, height: 300 },
};

function scriptOf(html: string): string {
  const m = /<script type="text\/javascript">\n([\s\S]*)\n<\/script>/.exec(html);
  assert.ok(m, 'html has a script');
  return m[1] as string;
}

test('outside a kernel: inNotebook() is false and show/loadPlotly do nothing', () => {
  assert.equal(inNotebook(), false);
  show(fig);
  loadPlotly();
  liveFigure().update(fig);
});

test('figureBundle: html, plotly JSON and a text summary; never plotly.js itself', () => {
  const b = figureBundle(fig);
  assert.deepEqual(Object.keys(b).sort(), [PLOTLY_MIME, 'text/html', 'text/plain'].sort());
  const html = b['text/html'] as string;
  const id = /<div id="([^"]+)"/.exec(html)?.[1];
  assert.ok(id);
  assert.ok(scriptOf(html).includes(`var id = "${id}"`), 'the script draws into its own div');
  assert.ok(!scriptOf(html).includes('</script>'), 'the title cannot close the script early');
  const json = b[PLOTLY_MIME] as { data: unknown; layout: unknown; config: Record<string, unknown> };
  assert.deepEqual(json.data, fig.data);
  assert.deepEqual(json.layout, fig.layout);
  assert.equal(json.config.responsive, true);
  assert.equal(b['text/plain'], '<Figure "a </script> title": 1 trace (scatter)>');
  assert.ok(html.length < 5000 && !html.includes('plotly.js v'), 'no bundle in a figure');
  const other = figureBundle(fig)['text/html'] as string;
  assert.notEqual(/<div id="([^"]+)"/.exec(other)?.[1], id, 'every figure gets a fresh id');
});

test('in a kernel: the first show loads plotly.js once; later shows and image grids do not', () => {
  const { sent, restore } = fakeKernel();
  try {
    assert.equal(inNotebook(), true);
    const src = plotlySource();
    const count = (html: string): number => html.split(src.code).length - 1;
    show(fig);
    assert.equal(sent.length, 2, 'the loader, then the figure');
    assert.equal(count(sent[0]!.data['text/html'] as string), 1, 'the loader holds the bundle once');
    assert.match(sent[0]!.data['text/plain'] as string, /plotly\.js \d/);
    assert.ok(sent[1]!.data[PLOTLY_MIME]);
    show(fig);
    show(imageGrid([[[0, 1], [1, 0]]]));
    assert.equal(sent.length, 4);
    for (const s of sent.slice(1)) {
      for (const v of Object.values(s.data)) assert.equal(count(typeof v === 'string' ? v : JSON.stringify(v)), 0);
    }
    assert.ok(sent[3]!.data['image/png']);
    // A re-run set-up cell emits the loader again (its old output is gone).
    loadPlotly();
    assert.equal(sent.length, 5);
    assert.equal(count(sent[4]!.data['text/html'] as string), 1);

    const live = liveFigure();
    live.update(fig);
    live.update({ ...fig, data: [] });
    const [first, second] = sent.slice(5);
    assert.equal(first?.update, false);
    assert.equal(second?.update, true);
    assert.ok(first?.displayId && first.displayId === second?.displayId);
  } finally {
    restore();
  }
});

/** A fake page: elements by id, a Plotly that counts draws, timers run by hand. */
function fakePage() {
  const draws: unknown[] = [];
  const elements = new Map<string, { id: string; attrs: Record<string, string>; textContent: string; getAttribute(k: string): string | null; setAttribute(k: string, v: string): void }>();
  const timers: Array<() => void> = [];
  const page: Record<string, unknown> = {
    document: { currentScript: null, getElementById: (id: string) => elements.get(id) ?? null },
    setTimeout: (fn: () => void) => { timers.push(fn); },
  };
  page.window = page;
  const attach = (id: string): void => {
    const el = {
      id, attrs: {} as Record<string, string>, textContent: '',
      getAttribute(k: string) { return this.attrs[k] ?? null; },
      setAttribute(k: string, v: string) { this.attrs[k] = v; },
    };
    elements.set(id, el);
  };
  const runTimers = (): void => { for (let i = 0; i < 10 && timers.length > 0; i++) timers.splice(0).forEach((f) => f()); };
  const plotly = { newPlot: (el: unknown, data: unknown, layout: unknown) => { draws.push([el, data, layout]); } };
  return { page, draws, attach, runTimers, plotly, elements };
}

test('drawing script: waits for its div and for Plotly, draws once however often it runs', () => {
  const html = figureHtml(fig, 'fig-1');
  const script = scriptOf(html);
  const p = fakePage();
  const ctx = vm.createContext(p.page);
  // Classic Notebook 6 runs the script before the output is attached, and maybe before Plotly exists.
  vm.runInContext(script, ctx);
  p.runTimers();
  assert.equal(p.draws.length, 0);
  p.attach('fig-1');
  p.runTimers();
  assert.equal(p.draws.length, 0, 'no Plotly yet');
  p.page.Plotly = p.plotly;
  p.runTimers();
  assert.equal(p.draws.length, 1);
  // Running the same output's script again (re-render) does not draw twice.
  vm.runInContext(script, ctx);
  p.runTimers();
  assert.equal(p.draws.length, 1);
  const [, data, layout] = p.draws[0] as [unknown, unknown, unknown];
  assert.deepEqual(JSON.parse(JSON.stringify(data)), fig.data);
  assert.deepEqual(JSON.parse(JSON.stringify(layout)), fig.layout);
});

test('loader script: sets window.Plotly under RequireJS, restores define, skips when Plotly exists', () => {
  // A classic UMD bundle, as older plotly.js builds were: it prefers AMD when `define.amd` exists.
  const umd = `(function (root, factory) {
  if (typeof define === "function" && define.amd) { define([], factory); }
  else if (typeof module === "object" && module.exports) { module.exports = factory(); }
  else { root.Plotly = factory(); }
})(typeof self !== "undefined" ? self : this, function () { window.loads = (window.loads || 0) + 1; return { version: "fake" }; });`;
  const script = scriptOf(loaderHtml({ code: umd, version: 'fake', file: 'fake.js' }));
  let amdCalls = 0;
  const define = Object.assign(() => { amdCalls += 1; }, { amd: {} });
  const page: Record<string, unknown> = { define };
  page.window = page;
  page.self = page;
  const ctx = vm.createContext(page);
  vm.runInContext(script, ctx);
  assert.equal(amdCalls, 0, 'the bundle did not register with RequireJS');
  assert.deepEqual(JSON.parse(JSON.stringify(page.Plotly)), { version: 'fake' });
  assert.equal(page.define, define, 'define restored');
  assert.ok(!('module' in page) && !('exports' in page), 'no stray globals left');
  vm.runInContext(script, ctx);
  assert.equal(page.loads, 1, 'a second loader output does not evaluate the bundle again');
});
