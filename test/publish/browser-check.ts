/**
 * By-hand check of the HTML edition in a real browser (not part of `npm test`: it needs Chromium).
 *   node --import tsx test/publish/browser-check.ts [build/html] [page.html]
 * Opens the index and one notebook page offline (every non-file request is blocked and reported),
 * and confirms that plotly drew an SVG for the page's figures and that the page's equations are
 * typeset: KaTeX's stylesheet applied (the MathML copy hidden), its fonts loaded from `katex/fonts`,
 * and a `.katex` element with a non-zero size. Exit 0 when all is well.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../e2e/env';

/** Equations typeset by KaTeX: stylesheet applied, fonts loaded, boxes with a size. */
async function checkMath(page: Page, name: string, problems: string[]): Promise<void> {
  const n = await page.locator('.katex').count();
  if (n === 0) {
    problems.push(`${name} has no KaTeX equation to check; pass a page with equations`);
    return;
  }
  const box = await page.locator('.katex').first().boundingBox();
  // Without katex.min.css the MathML copy of each equation would show beside the HTML one; with it,
  // that copy is clipped to a 1x1 px box.
  const mathml = await page.locator('.katex .katex-mathml').first().boundingBox();
  const mathmlHidden = mathml !== null && mathml.width <= 1 && mathml.height <= 1;
  const fonts = await page.evaluate(async () => {
    // The test tsconfig has no DOM lib: the one member used, typed by hand.
    const set = (globalThis as unknown as { document: { fonts: Iterable<{ family: string; status: string }> & { ready: Promise<unknown> } } })
      .document.fonts;
    await set.ready;
    return [...set].filter((f) => f.family.includes('KaTeX') && f.status === 'loaded').length;
  });
  console.log(`${name}: ${n} equations, first ${box === null ? 'not laid out' : `${Math.round(box.width)}x${Math.round(box.height)} px`}, ${fonts} KaTeX fonts loaded`);
  if (box === null || box.width === 0 || box.height === 0) problems.push(`${name}: the first .katex element has no size`);
  if (!mathmlHidden) problems.push(`${name}: KaTeX stylesheet not applied (katex/katex.min.css missing beside the page?)`);
  if (fonts === 0) problems.push(`${name}: no KaTeX font loaded (katex/fonts/*.woff2 missing?)`);
}

async function main(): Promise<number> {
  const site = path.resolve(process.argv[2] ?? 'build/html');
  const index = path.join(site, 'index.html');
  if (!existsSync(index)) throw new Error(`${index} not found: run npm run html first`);
  const chrome = findChromium();
  if (typeof chrome === 'string') throw new Error(chrome);
  const page1 = process.argv[3] ?? readdirSync(site).find((f) => f.endsWith('.html') && f !== 'index.html');
  if (page1 === undefined) throw new Error(`no notebook page in ${site}`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'genlab-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chrome.path,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const problems: string[] = [];
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      problems.push(`network request blocked: ${url}`);
      return route.abort();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto('file://' + index);
    const links = await page.locator('nav.toc a').count();
    console.log(`index: ${links} table-of-contents links`);
    if (links === 0) problems.push('index has no table-of-contents links');
    await page.goto('file://' + path.join(site, page1));
    const divs = await page.locator('div.genlab-plot').count();
    if (divs > 0) await page.waitForSelector('div.genlab-plot svg.main-svg', { timeout: 30_000 });
    await page.waitForTimeout(1000);
    const drawn = await page.locator('div.genlab-plot:has(svg.main-svg)').count();
    console.log(`${page1}: ${drawn}/${divs} plotly figures drawn as SVG`);
    if (divs === 0) problems.push(`${page1} has no plotly figure to check; pass a page with figures`);
    else if (drawn < divs) problems.push(`${page1}: only ${drawn} of ${divs} figures drawn`);
    await checkMath(page, page1, problems);
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: false });
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  for (const p of problems) console.error(`PROBLEM ${p}`);
  console.log(problems.length === 0 ? 'ok: offline, figures drawn, equations typeset' : `${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (c) => process.exit(c),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
