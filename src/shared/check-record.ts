/**
 * What a `check(...)` leaves in a notebook (src/notebook/check.ts writes it), read by the runner and the
 * publishing tools: the record and the MIME type it travels under. A module with no imports, so the
 * runner reads the format without loading the notebook-side code.
 */

/** The MIME type of a check's record in the notebook. */
export const CHECK_MIME = 'application/vnd.genlab.check+json';

/** Comparison of `value` against the threshold; `between` is inclusive at both ends. */
export type CheckOp = '<=' | '>=' | '<' | '>' | 'between';

/** The outcome of one check, as displayed and as written to the results file. */
export interface CheckRecord {
  metric: string;
  /** The measured value (JSON has no NaN: it is written as null). */
  value: number;
  op: CheckOp;
  /** The threshold that applied under `profile`. */
  threshold: number | [number, number];
  profile: string;
  /** tfjs backend active when the check ran (`wasm`, `cpu`, `tensorflow`), or null if tfjs is not loaded. */
  backend: string | null;
  passed: boolean;
  why: string;
}
