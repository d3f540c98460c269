/**
 * Notebook parameters, papermill-style, and the profiles that set them.
 *
 * The conventions notebooks are written against:
 *
 * 1. One code cell tagged `parameters` holds the defaults as top-level declarations, including the
 *    profile name, e.g.
 *        const profile: string = 'full';
 *        const epochs = 50;
 *        const hidden: number[] = [64, 64];
 *
 * 2. Profiles live in the notebook's metadata, and nowhere else:
 *        "metadata": {
 *          "genlab": {
 *            "profiles": {
 *              "quick": { "epochs": 2, "hidden": [8], "cell_timeout": 120, "timeout": 600 },
 *              "full": {}
 *            }
 *          }
 *        }
 *    A profile maps parameter names to JSON values. Two keys are reserved runner settings, not
 *    parameters: `cell_timeout` (seconds allowed per cell) and `timeout` (seconds per notebook); an
 *    explicit `--cell-timeout` / `--timeout` still wins over them. `full` means "the defaults" and
 *    may be left out; any other profile must be listed or `--profile NAME` is an error.
 *
 * 3. With `--profile NAME` and/or `--param name=value`, the runner inserts a code cell tagged
 *    `injected-parameters` right after the parameters cell (replacing one left by an earlier run):
 *        // Parameters injected by genlab-run (profile "quick").
 *        const profile: string = "quick";
 *        const epochs = 2;
 *    tslab accepts a later cell redeclaring a `const`. Each line reuses the type annotation of the
 *    default's declaration when it has one (so the override is type-checked against it), else
 *    `number`/`string`/`boolean` for scalars (so `profile === 'quick'` still type-checks), else none.
 *    `--param` wins over the profile. `profile` itself is set only by `--profile`, because checks
 *    take their thresholds from it.
 *
 * 4. Every override must name a declaration of the parameters cell; values are typed: a `--param`
 *    value is read as JSON (number, boolean, null, "string", [..], {..}) or else as a plain string,
 *    and when the default is a literal number, string or boolean the override must have that type
 *    (`--param epochs=abc` is an error, `--param name=123` against a string default is "123").
 *
 * This file plans and injects; reading the parameters cell is declarations.ts, validating profiles
 * profiles.ts.
 */
import type { CodeCell, Notebook } from './nbformat';
import { cellSource, cellTags, newCellId } from './nbformat';
import { type DeclaredParameter, declaredParameters, type ParamValue, parseParamValue } from './declarations';
import { ParameterError } from './parameter-error';
import { type ProfileSettings, readProfiles } from './profiles';

export { ParameterError } from './parameter-error';
export { declaredParameters, literalValue, parseParamValue, type DeclaredParameter, type ParamValue } from './declarations';
export { readProfiles, type NotebookProfile, type ProfileSettings } from './profiles';

export const PARAMETERS_TAG = 'parameters';
export const INJECTED_TAG = 'injected-parameters';

/** Split `name=value` as given to `--param`; the value stays raw text until the default's type is known. */
export function parseParamArg(arg: string): { name: string; raw: string } {
  const eq = arg.indexOf('=');
  const name = eq < 0 ? '' : arg.slice(0, eq).trim();
  if (eq < 0 || !/^[A-Za-z_$][\w$]*$/.test(name)) {
    throw new ParameterError(`--param ${arg}: expected NAME=VALUE with NAME a TypeScript identifier, e.g. --param epochs=3.`);
  }
  return { name, raw: arg.slice(eq + 1) };
}

function typeName(v: ParamValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Type a raw `--param` value against the default, or check a profile's JSON value against it. */
function typedValue(decl: DeclaredParameter, value: ParamValue | { raw: string }, origin: string, blame: 'usage' | 'notebook'): ParamValue {
  const want = decl.literalType;
  if (value !== null && typeof value === 'object' && 'raw' in value && typeof value.raw === 'string') {
    const raw = value.raw;
    if (want === 'string') return raw;
    const parsed = parseParamValue(raw);
    if (want !== undefined && typeof parsed !== want) {
      throw new ParameterError(
        `${origin}: ${decl.name} expects a ${want} like its default (${decl.initializer.replace(/;\s*$/, '')}), got ${JSON.stringify(raw)}.`,
        blame,
      );
    }
    return parsed;
  }
  const v = value as ParamValue;
  if (want !== undefined && typeof v !== want) {
    throw new ParameterError(
      `${origin}: ${decl.name} expects a ${want} like its default (${decl.initializer.replace(/;\s*$/, '')}), got ${typeName(v)} ${JSON.stringify(v)}.`,
      blame,
    );
  }
  return v;
}

/** What the runner will inject into one notebook. */
export interface ParameterPlan {
  /** Index of the parameters cell, or null when the notebook has none. */
  parametersCell: number | null;
  /** The values injected, in order (profile name first, then profile params, then --param). */
  values: Record<string, ParamValue>;
  /** Settings of the chosen profile (timeouts). */
  settings: ProfileSettings;
  /** Source of the injected cell, or null when nothing is injected. */
  source: string | null;
}

/** Options that choose parameter values. */
export interface ParameterOptions {
  /** Profile name from `metadata.genlab.profiles`; `full` is implicit when not listed. */
  profile?: string;
  /** `--param` overrides: raw text (typed against the default) or an already-typed value. */
  params?: Readonly<Record<string, string | ParamValue>> | readonly { name: string; raw: string }[];
}

function injectionLine(name: string, value: ParamValue, decl: DeclaredParameter | undefined): string {
  let type = decl?.type;
  if (type === undefined && (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')) {
    type = typeof value;
  }
  return `const ${name}${type !== undefined ? `: ${type}` : ''} = ${JSON.stringify(value)};`;
}

/** Decide what to inject; throws ParameterError for unknown profiles or names and mistyped values. */
export function planParameters(nb: Notebook, file: string, options: ParameterOptions): ParameterPlan {
  const profiles = readProfiles(nb, file);
  const paramCells = nb.cells.flatMap((c, i) => (c.cell_type === 'code' && cellTags(c).includes(PARAMETERS_TAG) ? [i] : []));
  if (paramCells.length > 1) {
    throw new ParameterError(
      `${file}: cells ${paramCells.map((i) => i + 1).join(' and ')} are both tagged "${PARAMETERS_TAG}"; tag exactly one.`,
      'notebook',
    );
  }
  const parametersCell = paramCells[0] ?? null;
  const declared = parametersCell === null ? [] : declaredParameters(cellSource(nb.cells[parametersCell] as CodeCell));
  const byName = new Map(declared.map((d) => [d.name, d]));
  const values: Record<string, ParamValue> = {};
  const lines: string[] = [];
  let settings: ProfileSettings = {};

  const known = (): string => (declared.length ? declared.map((d) => d.name).join(', ') : 'nothing');
  const check = (name: string, origin: string, blame: 'usage' | 'notebook'): DeclaredParameter => {
    if (parametersCell === null) {
      throw new ParameterError(
        `${origin} sets ${name}, but ${file} has no cell tagged "${PARAMETERS_TAG}". Tag the cell that declares the defaults.`,
        blame,
      );
    }
    const d = byName.get(name);
    if (d === undefined) {
      throw new ParameterError(
        `${origin} sets ${name}, which the parameters cell (cell ${parametersCell + 1}) of ${file} does not declare ` +
          `(it declares: ${known()}). Fix the name, or add \`const ${name} = ...;\` to that cell.`,
        blame,
      );
    }
    return d;
  };

  if (options.profile !== undefined) {
    const name = options.profile;
    const profile = profiles[name] ?? (name === 'full' ? { params: {}, settings: {} } : undefined);
    if (profile === undefined) {
      const names = [...new Set([...Object.keys(profiles), 'full'])].join(', ');
      throw new ParameterError(
        `${file} has no profile "${name}" (it has: ${names}). Add it to metadata.genlab.profiles or choose one of those.`,
      );
    }
    settings = profile.settings;
    const entries = Object.entries(profile.params);
    // A notebook without a parameters cell can still run under a profile that sets nothing.
    if (parametersCell !== null) {
      values.profile = name;
      lines.push(injectionLine('profile', name, byName.get('profile')));
    }
    for (const [key, value] of entries) {
      const d = check(key, `profile "${name}" (metadata.genlab.profiles.${name})`, 'notebook');
      values[key] = typedValue(d, value, `${file}: profile "${name}"`, 'notebook');
    }
  }
  const overrides: [string, string | ParamValue | { raw: string }][] = Array.isArray(options.params)
    ? (options.params as readonly { name: string; raw: string }[]).map((p) => [p.name, { raw: p.raw }])
    : Object.entries((options.params ?? {}) as Record<string, string | ParamValue>).map(([k, v]) => [k, typeof v === 'string' ? { raw: v } : v]);
  for (const [key, value] of overrides) {
    if (key === 'profile') {
      throw new ParameterError('--param profile=...: choose the profile with --profile NAME; checks take their thresholds from it.');
    }
    const d = check(key, `--param ${key}`, 'usage');
    values[key] = typedValue(d, value as ParamValue | { raw: string }, `--param ${key}`, 'usage');
  }
  for (const [key, value] of Object.entries(values)) {
    if (key !== 'profile') lines.push(injectionLine(key, value, byName.get(key)));
  }
  const source =
    lines.length === 0
      ? null
      : [`// Parameters injected by genlab-run${options.profile !== undefined ? ` (profile "${options.profile}")` : ''}.`, ...lines].join('\n');
  return { parametersCell, values, settings, source };
}

/** Drop cells tagged `injected-parameters` left by an earlier run (papermill does the same). */
export function removeInjectedCells(nb: Notebook): void {
  nb.cells = nb.cells.filter((c) => !cellTags(c).includes(INJECTED_TAG));
}

/**
 * Apply a plan: drop any `injected-parameters` cell from an earlier run, then insert the new one
 * right after the parameters cell. Returns the injected cell's index, or null.
 */
export function injectParameters(nb: Notebook, plan: ParameterPlan): number | null {
  const paramsCell = plan.parametersCell === null ? undefined : nb.cells[plan.parametersCell];
  removeInjectedCells(nb);
  if (plan.source === null || paramsCell === undefined) return null;
  const at = nb.cells.indexOf(paramsCell) + 1;
  const cell: CodeCell = {
    cell_type: 'code',
    execution_count: null,
    metadata: { tags: [INJECTED_TAG] },
    outputs: [],
    source: plan.source,
  };
  // nbformat 4.5 requires cell ids; older minors forbid them.
  if (nb.nbformat_minor >= 5) cell.id = newCellId();
  nb.cells.splice(at, 0, cell);
  return at;
}
