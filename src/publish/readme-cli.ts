#!/usr/bin/env node
/**
 * `npm run readme [-- --only results|lecture-map] [--check] [--readme README.md] [--results FILE] [--notebooks DIR]`:
 * rewrite the README's generated blocks (readme.ts). `--check` exits 1 when the README is out of date.
 */
import { updateReadme } from './readme';

async function main(argv: string[]): Promise<number> {
  const opts: Parameters<typeof updateReadme>[0] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--readme') opts.readme = v();
    else if (a === '--results') opts.results = v();
    else if (a === '--notebooks') opts.notebooks = v();
    else if (a === '--check') opts.check = true;
    else if (a === '--only') {
      const b = v();
      if (b !== 'results' && b !== 'lecture-map') throw new Error(`--only takes results or lecture-map, not ${b}`);
      opts.blocks = [b];
    } else throw new Error(`unknown argument ${a}`);
  }
  const { changed } = await updateReadme(opts);
  const readme = opts.readme ?? 'README.md';
  if (opts.check === true) {
    process.stdout.write(changed ? `${readme} is out of date: run npm run readme\n` : `${readme} is up to date\n`);
    return changed ? 1 : 0;
  }
  process.stdout.write(changed ? `${readme} updated\n` : `${readme} already up to date\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (c) => process.exit(c),
  (e: unknown) => {
    process.stderr.write(`readme: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
