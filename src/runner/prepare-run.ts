/**
 * Everything `runNotebook` settles before starting a kernel: the notebook read and cleaned of earlier
 * runs, the parameters planned and injected, the reference to compare with, the kernel language, the
 * code cells to run and where each `--interrupt` applies.
 */
import { existsSync, statSync } from 'fs';
import path from 'path';
import { CodeCell, Notebook, NotebookError, cellTags, readNotebook } from './nbformat';
import type { CellInterrupt, NotebookStatus, RunOptions } from './options';
import { PROVENANCE_TAG } from '../publish/provenance-tag';
import { ParameterError, type ParamValue, type ParameterPlan, injectParameters, planParameters, removeInjectedCells } from './parameters';

/** One code cell to run, and where it came from. */
export interface PlannedCell {
  cell: CodeCell;
  /** Position in the executed notebook (0-based). */
  index: number;
  /** 1-based position in the source notebook, or null for the injected parameters cell. */
  sourceNumber: number | null;
}

/** The notebook asks for a kernel this runner does not provide. */
class KernelChoiceError extends Error {}

/**
 * tslab (TypeScript) unless the notebook's kernelspec asks for jslab (JavaScript) or the options force
 * one; any other kernel (e.g. python3) is an error rather than a silent switch of language.
 */
function notebookLanguage(nb: Notebook, file: string, options: RunOptions): 'typescript' | 'javascript' {
  if (options.kernel?.javascript !== undefined) return options.kernel.javascript ? 'javascript' : 'typescript';
  const spec = nb.metadata.kernelspec as { name?: unknown; language?: unknown } | undefined;
  if (spec === undefined || spec === null || typeof spec !== 'object') return 'typescript';
  if (spec.name === 'jslab' || (spec.name !== 'tslab' && spec.language === 'javascript')) return 'javascript';
  if (spec.name === 'tslab' || spec.language === 'typescript') return 'typescript';
  throw new KernelChoiceError(
    `${file} asks for the kernel ${JSON.stringify(spec.name)} (${String(spec.language)}); this runner runs tslab (TypeScript) and jslab (JavaScript) notebooks. ` +
      'Change the notebook\'s kernel in JupyterLab (Kernel > Change Kernel).',
  );
}

/** The reference notebook for `compare`: a file, or the same-named file in a folder; null for none/stored. */
function referencePath(file: string, compare: RunOptions['compare']): string | null {
  if (compare === undefined || compare === 'stored') return null;
  return existsSync(compare) && statSync(compare).isDirectory() ? path.join(compare, path.basename(file)) : compare;
}

/** A notebook ready to run, or why it cannot run (a usage error or an invalid notebook). */
export type PreparedRun =
  | {
      kind: 'ready';
      /** The notebook to execute: injected parameters, fresh outputs. */
      nb: Notebook;
      plan: ParameterPlan;
      reference: Notebook | null;
      referenceName: string | null;
      language: 'typescript' | 'javascript';
      planned: PlannedCell[];
      /** `--interrupt`s by the index of the cell they apply to. */
      interrupts: Map<number, CellInterrupt>;
    }
  | { kind: 'refused'; status: NotebookStatus; error: string; params?: Record<string, ParamValue>; codeCells?: number };

export async function prepareRun(file: string, options: RunOptions): Promise<PreparedRun> {
  let nb: Notebook;
  let plan: ParameterPlan;
  let reference: Notebook | null = null;
  let referenceName: string | null = null;
  let language: 'typescript' | 'javascript';
  try {
    nb = await readNotebook(file);
    referenceName = referencePath(file, options.compare);
    if (options.compare === 'stored') reference = structuredClone(nb);
    else if (referenceName !== null) reference = await readNotebook(referenceName);
    language = notebookLanguage(nb, file, options);
    removeInjectedCells(nb);
    // A published notebook's provenance note describes the published run, not this one.
    nb.cells = nb.cells.filter((c) => !cellTags(c).includes(PROVENANCE_TAG));
    plan = planParameters(nb, file, { profile: options.profile, params: options.params });
  } catch (e) {
    let status: NotebookStatus;
    if (e instanceof NotebookError) {
      status = e.file === file ? 'invalid' : 'usage-error';
    } else if (e instanceof ParameterError) {
      status = e.origin === 'usage' ? 'usage-error' : 'invalid';
    } else if (e instanceof KernelChoiceError) {
      status = 'invalid';
    } else {
      throw e;
    }
    return { kind: 'refused', status, error: (e as Error).message };
  }
  const sourceCells = [...nb.cells];
  injectParameters(nb, plan);

  // Fresh state, as nbclient does: no outputs or counts from earlier runs survive.
  for (const cell of nb.cells) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
      delete cell.metadata.execution;
    }
  }
  const planned: PlannedCell[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const at = sourceCells.indexOf(cell);
    planned.push({ cell, index, sourceNumber: at < 0 ? null : at + 1 });
  });
  const interrupts = new Map<number, CellInterrupt>();
  for (const spec of options.interrupts ?? []) {
    const matches = planned.filter(
      (p) => p.cell.id === spec.cell || cellTags(p.cell).includes(spec.cell) || (p.sourceNumber !== null && String(p.sourceNumber) === spec.cell),
    );
    if (matches.length !== 1) {
      const error =
        matches.length === 0
          ? `--interrupt ${spec.cell}=${spec.afterSeconds}: no code cell of ${file} has the id, tag or number ${JSON.stringify(spec.cell)}.`
          : `--interrupt ${spec.cell}=${spec.afterSeconds}: ${matches.length} code cells of ${file} match ${JSON.stringify(spec.cell)} (cells ${matches.map((m) => m.sourceNumber).join(', ')}); name one by its id or number.`;
      return { kind: 'refused', status: 'usage-error', error, params: plan.values, codeCells: planned.length };
    }
    interrupts.set(matches[0]!.index, spec);
  }
  return { kind: 'ready', nb, plan, reference, referenceName, language, planned, interrupts };
}
