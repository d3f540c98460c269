/**
 * Finding the headless Chromium that publishing (figure snapshots) and the browser tests drive through
 * playwright-core. Nothing is downloaded: playwright-core drives the browser installed on the machine.
 */
import { existsSync } from 'fs';
import path from 'path';

/** Env var naming the Chromium (or Chrome) binary. */
export const CHROMIUM_ENV = 'GENLAB_CHROMIUM';

const CHROMIUM_CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const f = path.join(dir, name);
    if (dir && existsSync(f)) return f;
  }
  return null;
}

/** Headless Chromium on a closed network: no background connections, no sandbox (root in CI containers). */
export const CHROMIUM_ARGS: string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium from `$GENLAB_CHROMIUM`, else the usual names on PATH; a reason string when there is none. */
export function findChromium(): { path: string } | string {
  const fromEnv = process.env[CHROMIUM_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return existsSync(fromEnv) ? { path: fromEnv } : `${CHROMIUM_ENV}=${fromEnv}: no such file.`;
  }
  for (const name of CHROMIUM_CANDIDATES) {
    const f = onPath(name);
    if (f !== null) return { path: f };
  }
  return `no Chromium on PATH (${CHROMIUM_CANDIDATES.join(', ')}). Debian/Ubuntu: apt-get install chromium; or set ${CHROMIUM_ENV}=/path/to/chrome. ` +
    'Playwright downloads no browser here (playwright-core drives the one installed).';
}
