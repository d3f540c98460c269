/**
 * End-to-end test of the notebooks as students use them: in JupyterLab (and Notebook 7 when it is
 * installed), in a real headless Chromium.
 *
 *   npm run e2e [-- [notebooks/x.ipynb ...] [--profile quick] [--notebook7 fixture|all|none] [--no-fixture] [--keep] [--out DIR]]
 *   npm run e2e -- --saved [notebooks/x.ipynb ...]
 *
 * For each notebook: a copy with the profile's parameters injected (the runner's injection) is opened
 * in the front end, the tslab kernel is checked, Run > Run All Cells runs it, and every output is
 * checked in the page (checks.ts); then one training cell and one plot cell are re-run and checked
 * again. With --saved, each notebook committed with outputs is copied unchanged, signed with
 * `jupyter trust` and opened without running anything: every saved figure must draw, every image load,
 * every text show (and one unsigned copy shows what a reader sees before `jupyter trust`).
 * Screenshots and results.json go to build/e2e/. Installs nothing; skipped (exit 0, with the
 * reason) when JupyterLab or Chromium is missing, unless GENLAB_E2E_REQUIRED=1 (then exit 3).
 * Exit codes: 0 passed or skipped, 1 a notebook failed, 2 bad usage or the project is not built.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import path from 'path';
import { chromium, type Browser } from 'playwright-core';
import type { OutputKind } from './checks';
import { CHROMIUM_ARGS, findChromium, findJupyter, type JupyterFound } from './env';
import { interruptInPage, openSavedInPage, runNotebookInPage, type NotebookRunReport } from './page';
import { copySaved, hasSavedRun, prepareNotebook } from './prepare';
import { JupyterServer, ROOT, type Front } from './server';

const FIXTURE = path.join(ROOT, 'test', 'e2e', 'fixtures', 'e2e-fixture.ipynb');
/** Interrupted from the Kernel menu in JupyterLab after the fixture (issue 26). */
const INTERRUPT_FIXTURE = path.join(ROOT, 'test', 'e2e', 'fixtures', 'e2e-interrupt.ipynb');
/** Artifacts (screenshots, results.json, server logs) and the served copies; `--out` changes it. */
let OUT = path.join(ROOT, 'build', 'e2e');
/** Seconds for run-all when the profile gives no `timeout`; the browser adds rendering on top of kernel time. */
const DEFAULT_TIMEOUT_SEC = 600;

const USAGE = `Usage: npm run e2e -- [NOTEBOOK.ipynb ...] [--saved] [--profile NAME] [--notebook7 fixture|all|none] [--no-fixture] [--keep] [--out DIR]
  NOTEBOOK       notebooks to open (default: every notebooks/*.ipynb; with --saved, those with saved outputs)
  --saved        run nothing: open the notebooks as committed, signed with jupyter trust, and check that
                 their saved outputs render (figures drawn, images loaded, text shown); no fixture
  --profile      parameter profile injected into the copies (default quick; not used with --saved)
  --notebook7    what to open in Notebook 7 as well, if installed (default fixture)
  --no-fixture   skip test/e2e/fixtures/e2e-fixture.ipynb
  --keep         keep the served copies in build/e2e/work
  --out DIR      screenshots, results.json, server logs and the served copies (default build/e2e;
                 keep it inside the project so the kernel finds genlab-ts)
Needs JupyterLab (GENLAB_JUPYTER=/path/to/jupyter, or jupyter on PATH) and Chromium (GENLAB_CHROMIUM, or chromium on PATH).`;

interface Args {
  notebooks: string[];
  /** The notebooks were named on the command line (not the default set). */
  named: boolean;
  saved: boolean;
  profile: string;
  notebook7: 'fixture' | 'all' | 'none';
  fixture: boolean;
  keep: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { notebooks: [], named: false, saved: false, profile: 'quick', notebook7: 'fixture', fixture: true, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--profile') a.profile = argv[++i] ?? '';
    else if (arg === '--notebook7') {
      const v = argv[++i];
      if (v !== 'fixture' && v !== 'all' && v !== 'none') return `--notebook7 takes fixture, all or none, not ${v}`;
      a.notebook7 = v;
    } else if (arg === '--no-fixture') a.fixture = false;
    else if (arg === '--saved') a.saved = true;
    else if (arg === '--keep') a.keep = true;
    else if (arg === '--out') OUT = path.resolve(argv[++i] ?? OUT);
    else if (arg === '-h' || arg === '--help') return '';
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (!arg.endsWith('.ipynb') || !existsSync(arg)) return `${arg}: not an existing .ipynb file`;
    else a.notebooks.push(path.resolve(arg));
  }
  if (a.profile === '') return '--profile needs a name';
  a.named = a.notebooks.length > 0;
  if (!a.named) {
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

const log = (l: string): void => void process.stdout.write(l + '\n');

/** Start a server of `front` on a fresh served folder, hand it to `body`, stop it and clean up. */
async function withServer<T>(front: Front, jupyter: JupyterFound, args: Args, body: (server: JupyterServer, work: string) => Promise<T>): Promise<T> {
  const work = path.join(OUT, 'work', front);
  rmSync(work, { recursive: true, force: true });
  const t0 = Date.now();
  const server = await JupyterServer.start({ jupyter: jupyter.command, front, rootDir: work, logFile: path.join(OUT, `${front}-server.log`) });
  try {
    const specs = await server.kernelSpecs();
    log(`${front === 'lab' ? `JupyterLab ${jupyter.lab}` : `Notebook ${jupyter.notebook}`} at ${server.baseUrl} (up in ${((Date.now() - t0) / 1000).toFixed(0)} s); kernels: ${Object.entries(specs).map(([k, v]) => `${k} (${v})`).join(', ')}`);
    if (!('tslab' in specs)) throw new Error(`the server does not see the tslab kernel spec that kernel:install wrote:\n${server.kernelSpecLines}`);
    return await body(server, work);
  } finally {
    await server.stop();
    if (!args.keep) rmSync(path.dirname(work), { recursive: true, force: true });
  }
}

function frontName(front: Front): string {
  return front === 'lab' ? 'JupyterLab' : 'Notebook 7';
}

function logReport(r: NotebookRunReport, front: Front): void {
  log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.notebook} in ${front}${r.problems.map((p) => `\n    - ${p}`).join('')}`);
  for (const n of [...r.notes, ...r.reruns.flatMap((x) => x.notes.map((m) => `re-run ${m}`))]) log(`    note: ${n}`);
}

function clearShots(shotName: string): void {
  for (const suffix of ['top', 'figure', 'failure']) rmSync(path.join(OUT, `${shotName}-${suffix}.png`), { force: true });
}

async function runFront(front: Front, jupyter: JupyterFound, browser: Browser, files: string[], args: Args): Promise<NotebookRunReport[]> {
  return withServer(front, jupyter, args, async (server, work) => {
    const reports: NotebookRunReport[] = [];
    for (const file of files) {
      const prepared = await prepareNotebook(file, work, args.profile);
      const shotName = front === 'lab' ? prepared.name : `${prepared.name}-nb7`;
      clearShots(shotName);
      log(`${frontName(front)}: ${path.relative(ROOT, file)} (profile ${args.profile})`);
      const timeoutSec = Math.max(DEFAULT_TIMEOUT_SEC, 2 * (prepared.settings.timeout ?? 0));
      const r = await runNotebookInPage(browser, { server, relPath: prepared.relPath, shotName, shotDir: OUT, timeoutSec, requiredKinds: requiredKinds(file), log });
      r.notebook = path.relative(ROOT, file);
      reports.push(r);
      await server.shutdownSessions().catch(() => undefined);
      logReport(r, front);
    }
    if (front === 'lab' && args.fixture) reports.push(await interruptFixture(browser, server, work, args));
    return reports;
  });
}

/** The interrupt fixture: its training cell (tag e2e-interrupt) is stopped from the Kernel menu. */
async function interruptFixture(browser: Browser, server: JupyterServer, work: string, args: Args): Promise<NotebookRunReport> {
  const prepared = await prepareNotebook(INTERRUPT_FIXTURE, work, args.profile);
  const nb = JSON.parse(readFileSync(prepared.copy, 'utf8')) as { cells: { cell_type: string; metadata?: { tags?: string[] } }[] };
  const trainIndex = nb.cells.findIndex((c) => c.metadata?.tags?.includes('e2e-interrupt'));
  const lastIndex = nb.cells.map((c) => c.cell_type).lastIndexOf('code');
  if (trainIndex < 0) throw new Error(`${INTERRUPT_FIXTURE}: no cell tagged e2e-interrupt`);
  clearShots(prepared.name);
  log(`JupyterLab: ${path.relative(ROOT, INTERRUPT_FIXTURE)}: interrupt cell ${trainIndex + 1} from the Kernel menu, then run cells ${trainIndex + 2}-${lastIndex + 1}`);
  const r = await interruptInPage(browser, { server, relPath: prepared.relPath, shotName: prepared.name, shotDir: OUT, trainIndex, lastIndex, log });
  r.notebook = path.relative(ROOT, INTERRUPT_FIXTURE);
  await server.shutdownSessions().catch(() => undefined);
  logReport(r, 'lab');
  return r;
}

/**
 * --saved: open each notebook as committed, nothing run. In JupyterLab the first one is opened once
 * unsigned as well, before any copy is signed: a signature is keyed by the notebook's content, so once
 * the signed copy exists an identical unsigned one would be trusted too.
 */
async function savedFront(front: Front, jupyter: JupyterFound, browser: Browser, files: string[], args: Args): Promise<NotebookRunReport[]> {
  return withServer(front, jupyter, args, async (server, work) => {
    const reports: NotebookRunReport[] = [];
    const open = async (file: string, trusted: boolean): Promise<void> => {
      const base = path.basename(file, '.ipynb');
      const copy = await copySaved(file, work, trusted ? base : `${base}-untrusted`);
      const shotName = `${copy.name}${trusted ? '-saved' : ''}${front === 'lab' ? '' : '-nb7'}`;
      clearShots(shotName);
      log(`${frontName(front)}: ${path.relative(ROOT, file)} as saved, ${trusted ? 'signed' : 'NOT signed'}; ${copy.figures} figures in the file`);
      if (trusted) log(`    ${server.trust(copy.copy).replace(/\s+/g, ' ')}`);
      const r = await openSavedInPage(browser, { server, relPath: copy.relPath, shotName, shotDir: OUT, expectedFigures: copy.figures, trusted, log });
      r.notebook = path.relative(ROOT, file);
      reports.push(r);
      await server.shutdownSessions().catch(() => undefined);
      logReport(r, front);
    };
    const first = files[0];
    if (front === 'lab' && first !== undefined) await open(first, false);
    for (const file of files) await open(file, true);
    return reports;
  });
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
  if (args.saved) {
    // The fixture is committed without outputs; saved mode needs files that carry a run.
    const saved: string[] = [];
    for (const f of args.notebooks) if (await hasSavedRun(f)) saved.push(f);
    const without = args.notebooks.filter((f) => !saved.includes(f));
    if (args.named && without.length > 0) {
      process.stderr.write(`e2e: --saved: no saved outputs (metadata.genlab.run) in ${without.map((f) => path.relative(ROOT, f)).join(', ')}\n`);
      return 2;
    }
    if (saved.length === 0) return skip('--saved: no notebook carries saved outputs (metadata.genlab.run)');
    args.notebooks = saved;
  }
  const files = args.saved ? args.notebooks : [...(args.fixture ? [FIXTURE] : []), ...args.notebooks];
  mkdirSync(OUT, { recursive: true });
  const t0 = Date.now();
  const browser = await chromium.launch({ executablePath: chrome.path, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
  const reports: NotebookRunReport[] = [];
  try {
    process.stdout.write(`Chromium ${browser.version()} (${chrome.path}), ${files.length} notebook(s)\n`);
    const front = args.saved ? savedFront : runFront;
    reports.push(...(await front('lab', jupyter, browser, files, args)));
    const nb7Files = args.notebook7 === 'none' ? [] : args.notebook7 === 'all' ? files : files.filter((f) => f === FIXTURE);
    if (jupyter.notebook === null) {
      process.stdout.write(`Notebook 7: not installed next to JupyterLab (\`${jupyter.command} notebook --version\`); skipped.\n`);
    } else if (nb7Files.length > 0) {
      reports.push(...(await front('notebook', jupyter, browser, nb7Files, args)));
    }
  } finally {
    await browser.close();
  }
  const seconds = (Date.now() - t0) / 1000;
  writeFileSync(path.join(OUT, 'results.json'), JSON.stringify({ mode: args.saved ? 'saved' : 'run', seconds, jupyterlab: jupyter.lab, notebook: jupyter.notebook, reports }, null, 1) + '\n');
  const failed = reports.filter((r) => !r.ok);
  process.stdout.write('\nSummary\n');
  for (const r of reports) {
    const c = r.counts;
    if (r.mode === 'interrupt') {
      process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} lab  ${r.notebook}  training cell interrupted from the Kernel menu; ${r.notes.join('; ')}\n`);
      continue;
    }
    if (r.mode !== 'run') {
      const f = r.figures;
      const t = r.texts;
      process.stdout.write(
        `${r.ok ? 'ok  ' : 'FAIL'} ${r.front === 'lab' ? 'lab ' : 'nb7 '} ${r.notebook}  ${r.mode === 'saved' ? 'saved, signed' : 'saved, NOT signed'}: ` +
          `figures ${f?.drawn ?? '-'}/${f?.expected ?? '-'} drawn, ${c?.image ?? '-'} images, ${c?.table ?? '-'} tables, text outputs ${t?.shown ?? '-'}/${t?.expected ?? '-'} shown\n`,
      );
      continue;
    }
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
