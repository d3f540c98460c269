/**
 * End-to-end test of the notebooks as students use them: in JupyterLab (and Notebook 7 when it is
 * installed), in a real headless Chromium.
 *
 *   npm run e2e [-- [notebooks/x.ipynb ...] [--profile quick] [--notebook7 fixture|all|none] [--no-fixture] [--keep] [--out DIR]]
 *
 * For each notebook: a copy with the profile's parameters injected (the runner's injection) is opened
 * in the front end, the tslab kernel is checked, Run > Run All Cells runs it, and every output is
 * checked in the page (checks.ts); then one training cell and one plot cell are re-run and checked
 * again. Screenshots and results.json go to build/e2e/. Installs nothing; skipped (exit 0, with the
 * reason) when JupyterLab or Chromium is missing, unless GENLAB_E2E_REQUIRED=1 (then exit 3).
 * Exit codes: 0 passed or skipped, 1 a notebook failed, 2 bad usage or the project is not built.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'fs';
import path from 'path';
import { chromium, type Browser } from 'playwright-core';
import type { OutputKind } from './checks';
import { CHROMIUM_ARGS, findChromium, findJupyter, type JupyterFound } from './env';
import { runNotebookInPage, type NotebookRunReport } from './page';
import { prepareNotebook } from './prepare';
import { JupyterServer, ROOT, type Front } from './server';

const FIXTURE = path.join(ROOT, 'test', 'e2e', 'fixtures', 'e2e-fixture.ipynb');
/** Artifacts (screenshots, results.json, server logs) and the served copies; `--out` changes it. */
let OUT = path.join(ROOT, 'build', 'e2e');
/** Seconds for run-all when the profile gives no `timeout`; the browser adds rendering on top of kernel time. */
const DEFAULT_TIMEOUT_SEC = 600;

const USAGE = `Usage: npm run e2e -- [NOTEBOOK.ipynb ...] [--profile NAME] [--notebook7 fixture|all|none] [--no-fixture] [--keep] [--out DIR]
  NOTEBOOK       notebooks to open (default: every notebooks/*.ipynb)
  --profile      parameter profile injected into the copies (default quick)
  --notebook7    what to open in Notebook 7 as well, if installed (default fixture)
  --no-fixture   skip test/e2e/fixtures/e2e-fixture.ipynb
  --keep         keep the served copies in build/e2e/work
  --out DIR      screenshots, results.json, server logs and the served copies (default build/e2e;
                 keep it inside the project so the kernel finds genlab-ts)
Needs JupyterLab (GENLAB_JUPYTER=/path/to/jupyter, or jupyter on PATH) and Chromium (GENLAB_CHROMIUM, or chromium on PATH).`;

interface Args {
  notebooks: string[];
  profile: string;
  notebook7: 'fixture' | 'all' | 'none';
  fixture: boolean;
  keep: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { notebooks: [], profile: 'quick', notebook7: 'fixture', fixture: true, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--profile') a.profile = argv[++i] ?? '';
    else if (arg === '--notebook7') {
      const v = argv[++i];
      if (v !== 'fixture' && v !== 'all' && v !== 'none') return `--notebook7 takes fixture, all or none, not ${v}`;
      a.notebook7 = v;
    } else if (arg === '--no-fixture') a.fixture = false;
    else if (arg === '--keep') a.keep = true;
    else if (arg === '--out') OUT = path.resolve(argv[++i] ?? OUT);
    else if (arg === '-h' || arg === '--help') return '';
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (!arg.endsWith('.ipynb') || !existsSync(arg)) return `${arg}: not an existing .ipynb file`;
    else a.notebooks.push(path.resolve(arg));
  }
  if (a.profile === '') return '--profile needs a name';
  if (a.notebooks.length === 0) {
    const dir = path.join(ROOT, 'notebooks');
    a.notebooks = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort().map((f) => path.join(dir, f)) : [];
  }
  return a;
}

function skip(reason: string): number {
  if (process.env.GENLAB_E2E_REQUIRED === '1') {
    process.stderr.write(`e2e: cannot run: ${reason}\n(GENLAB_E2E_REQUIRED=1, so this is a failure)\n`);
    return 3;
  }
  process.stdout.write(`e2e: SKIPPED: ${reason}\n`);
  return 0;
}

/** Kinds every notebook of this kit shows; the fixture must show all of them. */
function requiredKinds(file: string): OutputKind[] {
  return file === FIXTURE ? ['figure', 'image', 'table', 'progress', 'check'] : ['figure', 'progress'];
}

async function runFront(front: Front, jupyter: JupyterFound, browser: Browser, files: string[], args: Args): Promise<NotebookRunReport[]> {
  const log = (l: string): void => void process.stdout.write(l + '\n');
  const work = path.join(OUT, 'work', front);
  rmSync(work, { recursive: true, force: true });
  const t0 = Date.now();
  const server = await JupyterServer.start({ jupyter: jupyter.command, front, rootDir: work, logFile: path.join(OUT, `${front}-server.log`) });
  const reports: NotebookRunReport[] = [];
  try {
    const specs = await server.kernelSpecs();
    log(`${front === 'lab' ? `JupyterLab ${jupyter.lab}` : `Notebook ${jupyter.notebook}`} at ${server.baseUrl} (up in ${((Date.now() - t0) / 1000).toFixed(0)} s); kernels: ${Object.entries(specs).map(([k, v]) => `${k} (${v})`).join(', ')}`);
    if (!('tslab' in specs)) throw new Error(`the server does not see the tslab kernel spec that kernel:install wrote:\n${server.kernelSpecLines}`);
    for (const file of files) {
      const prepared = await prepareNotebook(file, work, args.profile);
      const shotName = front === 'lab' ? prepared.name : `${prepared.name}-nb7`;
      for (const suffix of ['top', 'figure', 'failure']) rmSync(path.join(OUT, `${shotName}-${suffix}.png`), { force: true });
      log(`${front === 'lab' ? 'JupyterLab' : 'Notebook 7'}: ${path.relative(ROOT, file)} (profile ${args.profile})`);
      const timeoutSec = Math.max(DEFAULT_TIMEOUT_SEC, 2 * (prepared.settings.timeout ?? 0));
      const r = await runNotebookInPage(browser, { server, relPath: prepared.relPath, shotName, shotDir: OUT, timeoutSec, requiredKinds: requiredKinds(file), log });
      r.notebook = path.relative(ROOT, file);
      reports.push(r);
      await server.shutdownSessions().catch(() => undefined);
      log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.notebook} in ${front}${r.problems.map((p) => `\n    - ${p}`).join('')}`);
      for (const n of [...r.notes, ...r.reruns.flatMap((x) => x.notes.map((m) => `re-run ${m}`))]) log(`    note: ${n}`);
    }
  } finally {
    await server.stop();
    if (!args.keep) rmSync(path.dirname(work), { recursive: true, force: true });
  }
  return reports;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`${args ? `e2e: ${args}\n` : ''}${USAGE}\n`);
    return args ? 2 : 0;
  }
  const jupyter = findJupyter();
  if (typeof jupyter === 'string') return skip(jupyter);
  const chrome = findChromium();
  if (typeof chrome === 'string') return skip(chrome);
  for (const f of ['dist/index.js', 'dist/runner/install-kernel.js']) {
    if (!existsSync(path.join(ROOT, f))) {
      process.stderr.write(`e2e: ${f} is missing: run \`npm run build\` first (npm run e2e does).\n`);
      return 2;
    }
  }
  const files = [...(args.fixture ? [FIXTURE] : []), ...args.notebooks];
  mkdirSync(OUT, { recursive: true });
  const t0 = Date.now();
  const browser = await chromium.launch({ executablePath: chrome.path, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
  const reports: NotebookRunReport[] = [];
  try {
    process.stdout.write(`Chromium ${browser.version()} (${chrome.path}), ${files.length} notebook(s)\n`);
    reports.push(...(await runFront('lab', jupyter, browser, files, args)));
    const nb7Files = args.notebook7 === 'none' ? [] : args.notebook7 === 'all' ? files : files.filter((f) => f === FIXTURE);
    if (jupyter.notebook === null) {
      process.stdout.write(`Notebook 7: not installed next to JupyterLab (\`${jupyter.command} notebook --version\`); skipped.\n`);
    } else if (nb7Files.length > 0) {
      reports.push(...(await runFront('notebook', jupyter, browser, nb7Files, args)));
    }
  } finally {
    await browser.close();
  }
  const seconds = (Date.now() - t0) / 1000;
  writeFileSync(path.join(OUT, 'results.json'), JSON.stringify({ seconds, jupyterlab: jupyter.lab, notebook: jupyter.notebook, reports }, null, 1) + '\n');
  const failed = reports.filter((r) => !r.ok);
  process.stdout.write('\nSummary\n');
  for (const r of reports) {
    const c = r.counts;
    const kinds = c ? `${c.figure} figures, ${c.image} images, ${c.table} tables, ${c.progress} progress, ${c.check} checks` : 'not run';
    const reruns = r.reruns.map((x) => `${x.kind} cell ${x.cell} ${x.seconds.toFixed(0)} s`).join(', ');
    process.stdout.write(
      `${r.ok ? 'ok  ' : 'FAIL'} ${r.front === 'lab' ? 'lab ' : 'nb7 '} ${r.notebook}  run-all ${r.runAllSeconds?.toFixed(0) ?? '-'} s; ${kinds}; re-run: ${reruns || 'none'}\n`,
    );
  }
  process.stdout.write(`${reports.length - failed.length}/${reports.length} passed in ${seconds.toFixed(0)} s; screenshots and results.json in ${path.relative(ROOT, OUT)}/\n`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`e2e: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
