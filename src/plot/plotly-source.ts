/**
 * Where the plotly.js code comes from, for the notebook loader, standalone HTML files and the HTML
 * edition.
 *
 * Order: the file named by the `GENLAB_PLOTLY_JS` environment variable; else the `plotly.js-dist`
 * package (the one bundle the kit depends on), minified once with esbuild (about 2 s, 11.2 MB -> 4.9
 * MB) and cached under the OS temp folder, since every saved notebook carries the bundle once; if
 * esbuild cannot run, the unminified bundle. Why not also `plotly.js-dist-min`: it is the same code
 * minified by plotly's build (4.85 MB, 1% smaller), so depending on both installed the library twice
 * to save a one-off two seconds; esbuild is a dependency anyway (tsx runs on it).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The plotly.js code and where it came from. */
export interface PlotlySource {
  /** The bundle's JavaScript (a UMD bundle that sets `window.Plotly`). */
  code: string;
  /** plotly.js version, from the bundle's package.json or its banner. */
  version: string;
  /** The file the code was read from. */
  file: string;
}

let cached: PlotlySource | undefined;

function versionOf(pkgDir: string | undefined, code: string): string {
  if (pkgDir !== undefined) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version?: string };
      if (typeof pkg.version === 'string') return pkg.version;
    } catch {
      // fall through to the banner
    }
  }
  return /plotly\.js v(\d+\.\d+\.\d+)/.exec(code.slice(0, 500))?.[1] ?? 'unknown';
}

function resolvePackageFile(spec: string): string | undefined {
  try {
    return require.resolve(spec);
  } catch {
    return undefined;
  }
}

/**
 * `code` minified with esbuild, cached by source size and version; undefined when esbuild is missing
 * or fails (the caller then uses the code as it is).
 */
function minified(code: string, version: string, file: string): string | undefined {
  const dir = path.join(os.tmpdir(), 'genlab-ts');
  const cacheFile = path.join(dir, `plotly-${version}-${fs.statSync(file).size}.min.js`);
  try {
    return fs.readFileSync(cacheFile, 'utf8');
  } catch {
    // not cached yet
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const esbuild = require('esbuild') as {
      transformSync(c: string, o: Record<string, unknown>): { code: string };
    };
    // Keep the copyright banner and licence comments: the bundle is redistributed inside notebooks.
    const banner = /^\s*\/\*[\s\S]*?\*\//.exec(code)?.[0] ?? '';
    const out = `${banner.trim()}\n${esbuild.transformSync(code, { minify: true, legalComments: 'inline', charset: 'utf8' }).code}`;
    fs.mkdirSync(dir, { recursive: true });
    // Write then rename, so that a concurrent process never reads half a file.
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, cacheFile);
    return out;
  } catch {
    return undefined;
  }
}

/** Make the code safe to place inside an HTML <script> element (no early close, no comment states). */
function scriptSafe(code: string): string {
  // Neither occurs in plotly.js 3; kept in case a future bundle has them inside a string literal.
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** The plotly.js bundle (read once per process). */
export function plotlySource(): PlotlySource {
  if (cached) return cached;
  const envFile = process.env.GENLAB_PLOTLY_JS;
  if (envFile) {
    const code = fs.readFileSync(envFile, 'utf8');
    cached = { code: scriptSafe(code), version: versionOf(undefined, code), file: envFile };
    return cached;
  }
  const file = resolvePackageFile('plotly.js-dist');
  if (file === undefined) {
    throw new Error('plotly.js not found: run npm install (it installs plotly.js-dist), or set GENLAB_PLOTLY_JS to a plotly.js file');
  }
  const raw = fs.readFileSync(file, 'utf8');
  const version = versionOf(path.dirname(file), raw);
  const code = minified(raw, version, file) ?? raw;
  cached = { code: scriptSafe(code), version, file };
  return cached;
}
