/**
 * The provenance note of a published notebook: a first markdown cell saying when, on which backend,
 * with which seed and in how long the saved outputs were produced. It is tagged `genlab-provenance`
 * so that regenerating replaces it instead of adding a second one. The numbers come from the runner's
 * own record, `metadata.genlab.run`, never from the publisher's clock.
 */
import { cellSource, cellTags, newCellId } from '../runner/nbformat';
import type { MarkdownCell, Notebook } from '../runner/nbformat';
import { declaredParameters, INJECTED_TAG, literalValue, PARAMETERS_TAG, type ParamValue } from '../runner/parameters';
import { PROVENANCE_TAG } from './provenance-tag';

export { PROVENANCE_TAG };

/** What the runner records in `metadata.genlab.run`. */
export interface RunRecord {
  profile: string | null;
  params: Record<string, unknown>;
  started: string;
  seconds: number;
  backend: string | null;
  status: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `metadata.genlab.run`, or null when the notebook carries no saved run. */
export function runRecord(nb: Notebook): RunRecord | null {
  const genlab = nb.metadata.genlab;
  if (!isObject(genlab) || !isObject(genlab.run)) return null;
  const r = genlab.run;
  return {
    profile: typeof r.profile === 'string' ? r.profile : null,
    params: isObject(r.params) ? r.params : {},
    started: typeof r.started === 'string' ? r.started : '',
    seconds: typeof r.seconds === 'number' ? r.seconds : NaN,
    backend: typeof r.backend === 'string' ? r.backend : null,
    status: typeof r.status === 'string' ? r.status : 'unknown',
  };
}

/**
 * The seed the run used: an injected `SEED` if any, else the initializer written in the parameters
 * cell (`const SEED = 0;`), else null.
 */
export function runSeed(nb: Notebook, run: RunRecord | null = runRecord(nb)): string | null {
  const injected = run?.params.SEED;
  if (injected !== undefined) return typeof injected === 'string' ? injected : JSON.stringify(injected);
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code' || !cellTags(cell).includes(PARAMETERS_TAG)) continue;
    const seed = declaredParameters(cellSource(cell)).find((d) => d.name === 'SEED');
    if (seed !== undefined) return seed.initializer.trim().replace(/;$/, '').trim();
  }
  return null;
}

/** `2026-11-21 23:40 UTC` from an ISO time. */
function utc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || 'an unknown date';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The note's markdown. */
export function provenanceText(nb: Notebook): string {
  const run = runRecord(nb);
  if (run === null) throw new Error('provenanceText: the notebook has no metadata.genlab.run (it was not executed by genlab-run).');
  const seed = runSeed(nb, run) ?? 'unknown';
  const seconds = Number.isFinite(run.seconds) ? `${Math.round(run.seconds)} s` : 'unknown time';
  return [
    `> **Saved outputs.** Executed by genlab-run on ${utc(run.started)}, backend ${run.backend ?? 'unknown'}, ` +
      `seed ${seed}, ${seconds}, profile ${run.profile ?? 'default'}.`,
    '> The outputs below are that run\'s, unedited; re-running a cell replaces them. Regenerate all with',
    '> `npm run notebooks:publish`. Plotly figures need a trusted notebook: `jupyter trust notebooks/*.ipynb`.',
  ].join('\n');
}

/**
 * Put the provenance note first, replacing any earlier note (cells tagged `genlab-provenance`).
 * Mutates and returns `nb`.
 */
export function setProvenance(nb: Notebook): Notebook {
  const text = provenanceText(nb);
  const cells = nb.cells.filter((c) => !cellTags(c).includes(PROVENANCE_TAG));
  const cell: MarkdownCell = { cell_type: 'markdown', id: newCellId(), metadata: { tags: [PROVENANCE_TAG] }, source: text };
  if (nb.nbformat_minor < 5) delete cell.id;
  nb.cells = [cell, ...cells];
  return nb;
}

/** Remove the provenance note (e.g. before clearing outputs). Mutates and returns `nb`. */
export function removeProvenance(nb: Notebook): Notebook {
  nb.cells = nb.cells.filter((c) => !cellTags(c).includes(PROVENANCE_TAG));
  return nb;
}

function sameValue(a: ParamValue | undefined, b: unknown): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Remove the runner's `injected-parameters` cell when it changed nothing: every value it set (from
 * `metadata.genlab.run.params`) equals the literal default of the parameters cell, as for the full
 * profile, which injects only `profile = "full"`. A reader of the published notebook then sees the
 * notebook as written. An injection that did change a value stays, since the outputs depend on it.
 * Mutates `nb`; returns whether a cell was removed.
 */
export function dropNoOpInjection(nb: Notebook): boolean {
  const run = runRecord(nb);
  const injected = nb.cells.filter((c) => cellTags(c).includes(INJECTED_TAG));
  if (run === null || injected.length === 0) return false;
  const params = nb.cells.find((c) => c.cell_type === 'code' && cellTags(c).includes(PARAMETERS_TAG));
  if (params === undefined) return false;
  const defaults = new Map(declaredParameters(cellSource(params)).map((d) => [d.name, literalValue(d)]));
  const noOp = Object.entries(run.params).every(([name, value]) => sameValue(defaults.get(name), value));
  if (!noOp) return false;
  nb.cells = nb.cells.filter((c) => !injected.includes(c));
  return true;
}
