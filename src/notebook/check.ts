/**
 * `check()`: the assertion notebooks make in cells tagged `checks`.
 *
 * A check compares one metric with a threshold chosen by the profile name only (quick runs get a
 * looser bound than full runs), so no parameter a user can set switches it off. Inside a kernel it
 * shows one output carrying a JSON record (MIME `application/vnd.genlab.check+json`) and a text line;
 * the runner collects those records into `--results FILE`, so a full run's numbers become a record,
 * not a claim. A failing check throws after displaying, which fails the cell like any error.
 *
 *   check({ metric: 'test_rmse', value: rmse, op: '<=', threshold: { quick: 1.2, full: 0.70 },
 *           profile: profile, why: 'Keras reference BNN: 0.761' });
 *
 * Write `profile: profile`, not the shorthand `{ profile }`: tslab rewrites names from earlier cells
 * to `exports.profile` but misses shorthand properties, so `{ profile }` is a ReferenceError at run
 * time in a later cell (tslab 1.0.22, in JupyterLab as in the runner).
 */
import { displayBundle } from '../tslab/display';
import { CHECK_MIME, type CheckOp, type CheckRecord } from '../shared/check-record';

export { CHECK_MIME, type CheckOp, type CheckRecord };

interface CheckBase {
  /** Name of the metric, e.g. `test_rmse` (appears in messages and in the results file). */
  metric: string;
  /** The measured value. NaN never passes. */
  value: number;
  /** The profile name the notebook runs under (the parameters cell's `profile`). */
  profile: string;
  /** Why this threshold: the reference it comes from, e.g. `Keras reference BNN: 0.761`. */
  why: string;
}

/** A one-sided check: `value op threshold[profile]`. */
export interface BoundCheck extends CheckBase {
  op: '<=' | '>=' | '<' | '>';
  /** Threshold per profile name, e.g. `{ quick: 1.2, full: 0.70 }`. */
  threshold: Readonly<Record<string, number>>;
}

/** A two-sided check: `lo <= value <= hi` with `[lo, hi] = threshold[profile]`. */
export interface BetweenCheck extends CheckBase {
  op: 'between';
  /** Interval per profile name, e.g. `{ quick: [0, 1], full: [0.4, 0.6] }`. */
  threshold: Readonly<Record<string, readonly [number, number]>>;
}

export type CheckSpec = BoundCheck | BetweenCheck;

/** A check that did not pass; `record` holds the numbers. */
export class CheckFailedError extends Error {
  declare readonly record: CheckRecord;
  constructor(record: CheckRecord) {
    super(
      `check failed: ${record.metric} = ${formatValue(record.value, record.threshold)}, required ${describeBound(record)} ` +
        `for profile "${record.profile}" (${record.why})`,
    );
    // Non-enumerable: Node prints enumerable error properties under the stack, which is noise here.
    Object.defineProperty(this, 'record', { value: record, enumerable: false });
  }
}
// On the prototype, so the stack header (captured in the constructor) reads "CheckFailedError: ...".
CheckFailedError.prototype.name = 'CheckFailedError';

/** The check itself is malformed (unknown profile, bad threshold, value not a number). */
export class CheckSpecError extends Error {}
CheckSpecError.prototype.name = 'CheckSpecError';

function describeBound(r: Pick<CheckRecord, 'op' | 'threshold'>): string {
  return Array.isArray(r.threshold) ? `in [${r.threshold[0]}, ${r.threshold[1]}]` : `${r.op} ${r.threshold}`;
}

/** Four significant digits, or more when fewer would print the same as the threshold. */
function formatValue(value: number, threshold: number | [number, number]): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const bounds = Array.isArray(threshold) ? threshold : [threshold];
  for (let digits = 4; digits < 17; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (!bounds.some((b) => String(b) === text)) return text;
  }
  return String(value);
}

/** The one-line text shown under a check, e.g. `✓ test_rmse = 0.6812 <= 0.7 (full)`. */
export function formatCheck(r: CheckRecord): string {
  return `${r.passed ? '✓' : '✗'} ${r.metric} = ${formatValue(r.value, r.threshold)} ${describeBound(r)} (${r.profile})`;
}

/** The tfjs backend if tfjs is already loaded in this process; checks never load tfjs themselves. */
function currentBackend(): string | null {
  try {
    const mod = require.cache[require.resolve('@tensorflow/tfjs-core')];
    if (mod === undefined) return null;
    const tf = mod.exports as { getBackend?: () => string | undefined };
    return tf.getBackend?.() ?? null;
  } catch {
    return null;
  }
}

/** Evaluate a check without displaying or throwing on failure (throws CheckSpecError if malformed). */
export function evaluateCheck(spec: CheckSpec): CheckRecord {
  const where = `check ${JSON.stringify(spec.metric)}`;
  if (typeof spec.value !== 'number') {
    throw new CheckSpecError(
      `${where}: value must be a number, got ${typeof spec.value}; for a tensor pass (await t.data())[0] or t.dataSync()[0].`,
    );
  }
  const thresholds = spec.threshold as Readonly<Record<string, number | readonly [number, number]>>;
  if (!Object.prototype.hasOwnProperty.call(thresholds, spec.profile)) {
    const known = Object.keys(thresholds);
    throw new CheckSpecError(
      `${where}: no threshold for profile "${spec.profile}" (known: ${known.join(', ') || 'none'}). ` +
        `Add one to the check's threshold, e.g. { ${[...known, spec.profile].map((k) => `${k}: ...`).join(', ')} }.`,
    );
  }
  if (!['<=', '>=', '<', '>', 'between'].includes(spec.op)) {
    throw new CheckSpecError(`${where}: unknown op ${JSON.stringify(spec.op)}; use '<=', '>=', '<', '>' or 'between'.`);
  }
  const t = thresholds[spec.profile] as number | readonly [number, number];
  const v = spec.value;
  let passed: boolean;
  let threshold: number | [number, number];
  if (spec.op === 'between') {
    if (!Array.isArray(t) || t.length !== 2 || !(t[0] <= t[1])) {
      throw new CheckSpecError(`${where}: 'between' needs a [lo, hi] interval with lo <= hi for profile "${spec.profile}", got ${JSON.stringify(t)}.`);
    }
    threshold = [t[0], t[1]];
    passed = t[0] <= v && v <= t[1];
  } else {
    if (typeof t !== 'number' || Number.isNaN(t)) {
      throw new CheckSpecError(`${where}: op '${spec.op}' needs a number threshold for profile "${spec.profile}", got ${JSON.stringify(t)}.`);
    }
    threshold = t;
    // Written so that NaN fails every comparison.
    passed = spec.op === '<=' ? v <= t : spec.op === '>=' ? v >= t : spec.op === '<' ? v < t : v > t;
  }
  return { metric: spec.metric, value: v, op: spec.op, threshold, profile: spec.profile, backend: currentBackend(), passed, why: spec.why };
}

/**
 * Assert a metric against the profile's threshold. Displays the record (in a kernel); throws
 * CheckFailedError after displaying when it does not pass.
 *
 * Returns nothing on purpose: tslab prints the value of a cell's last expression, and a checks cell
 * usually ends with a check, so a returned record would be dumped under every check. Use
 * `evaluateCheck` to get the record without displaying.
 */
export function check(spec: CheckSpec): void {
  const record = evaluateCheck(spec);
  displayBundle({ [CHECK_MIME]: record, 'text/plain': formatCheck(record) });
  if (!record.passed) throw new CheckFailedError(record);
}
