/**
 * A notebook as Python's notebook testers should see it: the runner's parameter injection (a named
 * profile's values in a tagged cell after the `parameters` cell, as `genlab-run --profile` does),
 * without the published run's provenance note, and with no saved outputs or counts. nbval and nbmake
 * then run the quick profile of a lecture notebook in about a minute instead of the full one.
 *
 *   node --import tsx test/conformance/prepare.ts notebooks/flows.ipynb [--profile quick] [--out build/conformance]
 *
 * The copy goes into `--out` (default build/conformance/). It need not sit in notebooks/: the library
 * finds its data from its own location, and `genlab-ts` resolves through the project's node_modules
 * from any folder inside the project.
 */
import path from 'path';
import { cellTags, readNotebook, writeNotebook } from '../../src/runner/nbformat';
import { PROVENANCE_TAG } from '../../src/publish/provenance-tag';
import { injectParameters, planParameters, removeInjectedCells } from '../../src/runner/parameters';

/** Write `file` with `profile`'s parameters injected and outputs cleared into `outDir`; returns its path. */
export async function prepareNotebook(file: string, options: { profile?: string; outDir: string }): Promise<string> {
  const nb = await readNotebook(file);
  removeInjectedCells(nb);
  nb.cells = nb.cells.filter((c) => !cellTags(c).includes(PROVENANCE_TAG));
  injectParameters(nb, planParameters(nb, file, { profile: options.profile }));
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.outputs = [];
    cell.execution_count = null;
    delete cell.metadata.execution;
  }
  // The previous run's record describes that run, not this copy.
  if (typeof nb.metadata.genlab === 'object' && nb.metadata.genlab !== null) delete (nb.metadata.genlab as Record<string, unknown>).run;
  const out = path.join(options.outDir, path.basename(file));
  await writeNotebook(out, nb);
  return out;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const files = args.filter((a, i) => !a.startsWith('--') && !['--profile', '--out'].includes(args[i - 1] ?? ''));
  if (files.length === 0) {
    process.stderr.write('usage: node --import tsx test/conformance/prepare.ts NOTEBOOK... [--profile quick] [--out build/conformance]\n');
    process.exit(2);
  }
  const outDir = value('--out') ?? path.join('build', 'conformance');
  Promise.all(files.map((f) => prepareNotebook(f, { profile: value('--profile') ?? 'quick', outDir }))).then(
    (outs) => outs.forEach((o) => process.stdout.write(`${o}\n`)),
    (e: unknown) => {
      process.stderr.write(`prepare: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
