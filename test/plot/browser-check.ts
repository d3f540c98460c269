/**
 * Manual check, not part of the unit tests: draws figures in a real headless Chromium the ways the
 * front ends do, and exits non-zero if any figure stays empty.
 *   node --import tsx test/plot/browser-check.ts [path/to/chromium]
 * Pages: a standalone export; JupyterLab's way (attach the output, set innerHTML, re-create each
 * script); classic Notebook 6's way (RequireJS `define` present, scripts run by global eval while the
 * output is still detached). The loader output comes first and again last (a re-run set-up cell).
 * Needs Chromium (Debian: apt-get install chromium); skipped when there is none.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bandPlot, densityPlot, figureBundle, quiver, saveFigure, smallMultiples, trainingCurves } from '../../src/plot';
import { plotlyLoaderBundle } from '../../src/plot/show';

const chromium = process.argv[2] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((f) => fs.existsSync(f));
if (!chromium) {
  console.log('browser-check: no Chromium found; skipped');
  process.exit(0);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-browser-'));
const figs = [
  trainingCurves({ epoch: [1, 2, 3], loss: [3, 2, 1], val_loss: [3.5, NaN, 1.5] }, { logY: true }),
  densityPlot((x, y) => Math.exp(-(x * x + y * y)), { xRange: [-2, 2], yRange: [-2, 2], kind: 'both', resolution: 30 }),
  bandPlot([0, 1, 2], [0, 1, 0], { std: [0.1, 0.2, 0.1] }),
  quiver([[0, 0], [1, 0]], [[1, 0], [0, 1]]),
  smallMultiples([0, 1].map((t) => densityPlot((x, y) => x * t + y, { xRange: [0, 1], yRange: [0, 1], resolution: 5 }))),
];
const loader = plotlyLoaderBundle()['text/html'] as string;
const outputs = [loader, ...figs.map((f) => figureBundle(f)['text/html'] as string), loader];

// After the figures had time to draw, write a verdict into the page for --dump-dom.
const REPORT_JS = `setTimeout(function () {
  var bad = Array.prototype.filter.call(document.querySelectorAll('.genlab-plot'), function (d) { return !d.querySelector('.main-svg'); });
  var r = document.createElement('pre'); r.id = 'verdict';
  r.textContent = 'VERDICT figures=' + document.querySelectorAll('.genlab-plot').length + ' empty=' + bad.length +
    ' amdCalls=' + (window.amdCalls || 0) + ' plotly=' + (window.Plotly && window.Plotly.version);
  document.body.appendChild(r);
}, 4000);`;

function page(mode: 'lab' | 'classic'): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><script>
window.define = function () { window.amdCalls = (window.amdCalls || 0) + 1; }; window.define.amd = {};
</script></head><body><div id="nb"></div><script>
var outputs = ${JSON.stringify(outputs).replace(/</g, '\\u003c')};
var nb = document.getElementById('nb');
outputs.forEach(function (html) {
  var host = document.createElement('div');
  if (${JSON.stringify(mode)} === 'lab') {
    nb.appendChild(host);
    host.innerHTML = html;
    Array.prototype.slice.call(host.getElementsByTagName('script')).forEach(function (s) {
      var c = document.createElement('script'); c.textContent = s.textContent; s.parentNode.replaceChild(c, s);
    });
  } else {
    var tmp = document.createElement('div'); tmp.innerHTML = html;
    var scripts = Array.prototype.slice.call(tmp.getElementsByTagName('script'));
    scripts.forEach(function (s) { s.parentNode.removeChild(s); });
    while (tmp.firstChild) host.appendChild(tmp.firstChild);
    scripts.forEach(function (s) { (0, eval)(s.textContent); });
    nb.appendChild(host);
  }
});
${REPORT_JS}
</script></body></html>`;
}



function verdict(file: string): string {
  const dom = execFileSync(chromium as string, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=15000', '--dump-dom', `file://${file}`],
    { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return /<pre id="verdict">([^<]*)<\/pre>/.exec(dom)?.[1] ?? `no verdict (${dom.includes('main-svg') ? 'drawn' : 'not drawn'})`;
}

let failed = false;
for (const mode of ['lab', 'classic'] as const) {
  const file = path.join(dir, `${mode}.html`);
  fs.writeFileSync(file, page(mode));
  const v = verdict(file);
  const ok = v.includes(`figures=${figs.length} empty=0 amdCalls=0`) && !v.includes('plotly=undefined');
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${mode}: ${v}`);
}
const standalone = path.join(dir, 'standalone.html');
saveFigure(figs[0]!, standalone);
const dom = execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=8000', '--dump-dom', `file://${standalone}`],
  { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
const drawn = dom.includes('main-svg');
failed ||= !drawn;
console.log(`${drawn ? 'ok  ' : 'FAIL'} standalone export`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
