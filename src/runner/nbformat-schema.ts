/**
 * Validation of a notebook against the nbformat 4 JSON schema, the Jupyter project's own definition
 * of the format (copies in ./schema/, with their licence), so a malformed notebook is reported with the
 * schema's own reason and where: `cell 4, output 1: "name" must be one of "stdout", "stderr"`.
 *
 * As `nbformat.validate` does, a notebook is checked against the schema of its own minor version
 * (4.5 requires cell ids, 4.4 forbids them), the newest for a later minor. The schemas are draft-04
 * JSON Schema, which Ajv 8 reads through `ajv-draft-04` (the Ajv project's draft-04 build).
 */
import Ajv from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';
import v40 from './schema/nbformat.v4.0.schema.json';
import v41 from './schema/nbformat.v4.1.schema.json';
import v42 from './schema/nbformat.v4.2.schema.json';
import v43 from './schema/nbformat.v4.3.schema.json';
import v44 from './schema/nbformat.v4.4.schema.json';
import v45 from './schema/nbformat.v4.5.schema.json';

const SCHEMAS: readonly object[] = [v40, v41, v42, v43, v44, v45];

/** The newest nbformat 4 minor version with a schema here. */
export const NEWEST_MINOR = SCHEMAS.length - 1;

/** One Ajv per minor version, holding that version's schema under the key `v4.<minor>`. */
const ajvs = new Map<number, Ajv>();

/** The validator of one definition (`''` for the whole notebook) of one minor version, compiled once. */
function validator(minor: number, definition = ''): ValidateFunction {
  const m = Math.max(0, Math.min(NEWEST_MINOR, Math.floor(minor)));
  let ajv = ajvs.get(m);
  if (ajv === undefined) {
    // allErrors: report every problem of a cell, not only the first.
    ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema(SCHEMAS[m] as object, `v4.${m}`);
    ajvs.set(m, ajv);
  }
  const v = ajv.getSchema(`v4.${m}${definition === '' ? '' : `#/definitions/${definition}`}`);
  if (v === undefined) throw new Error(`nbformat schema v4.${m} has no definition ${definition}`);
  return v;
}

/** One schema violation: where (as a JSON pointer and in words) and why. */
export interface SchemaProblem {
  /** JSON pointer into the notebook, e.g. `/cells/3/outputs/0/name`. */
  pointer: string;
  /** `cell 4, output 1: "name" must be one of stdout, stderr`. */
  message: string;
}

/** Where, in words: `cell 4, output 1` and the field under it (`"metadata"."tags"`), if any. */
function where(pointer: string): { place: string; field: string } {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const place: string[] = [];
  let fields: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    const next = parts[i + 1];
    if ((p === 'cells' || p === 'outputs') && next !== undefined && /^\d+$/.test(next)) {
      place.push(`${p === 'cells' ? 'cell' : 'output'} ${Number(next) + 1}`);
      fields = [];
      i++;
    } else {
      fields.push(p);
    }
  }
  return { place: place.join(', '), field: fields.map((f) => JSON.stringify(f)).join('.') };
}

/** `cell 4, output 1: "name" must be ...`, `cell 2 has no "source"`, `"metadata" must be object`. */
function sentence(pointer: string, why: string): string {
  const { place, field } = where(pointer);
  if (place === '') return `${field === '' ? 'the notebook' : field} ${why}`;
  return field === '' ? `${place} ${why}` : `${place}: ${field} ${why}`;
}

/** The reason in words, with the values the schema allows or names. */
function reason(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `has no ${JSON.stringify(p.missingProperty)} (required)`;
    case 'additionalProperties':
      return `has ${JSON.stringify(p.additionalProperty)}, which the schema does not allow here`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf':
      return 'matches none of the forms the schema allows';
    default:
      return e.message ?? e.keyword;
  }
}

const CELL_TYPES = ['code', 'markdown', 'raw'];
const OUTPUT_TYPES = ['execute_result', 'display_data', 'stream', 'error'];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Ajv's errors with `prefix` added to their paths. */
function at(prefix: string, errors: readonly ErrorObject[] | null | undefined): ErrorObject[] {
  return (errors ?? []).map((e) => ({ ...e, instancePath: prefix + e.instancePath }));
}

/**
 * Ajv's errors for one notebook. The schema's cells and outputs are a `oneOf` over their kinds, and
 * a failing `oneOf` reports every branch ("cell_type must be raw", "must have outputs", ...); so each
 * cell is validated against the definition its own `cell_type` names, and each output of a code cell
 * against its `output_type`'s, which keeps only the errors that apply.
 */
function errorsOf(doc: unknown, minor: number): ErrorObject[] {
  const whole = validator(minor);
  // (A validator is a type guard; read its verdict as a plain boolean, or `doc` narrows to `never`.)
  if (whole(doc) as boolean) return [];
  const cells = isObject(doc) && Array.isArray(doc.cells) ? (doc.cells as unknown[]) : null;
  const out = at('', whole.errors).filter((e) => cells === null || !/^\/cells\/\d+(\/|$)/.test(e.instancePath));
  cells?.forEach((cell, i) => {
    const type = isObject(cell) ? cell.cell_type : undefined;
    const here = `/cells/${i}`;
    if (!CELL_TYPES.includes(type as string)) {
      out.push({ instancePath: `${here}/cell_type`, schemaPath: '#/definitions/cell', keyword: 'enum', params: { allowedValues: CELL_TYPES }, message: '' });
      return;
    }
    const v = validator(minor, `${type as string}_cell`);
    if (v(cell) as boolean) return;
    const outputs = isObject(cell) && Array.isArray(cell.outputs) ? (cell.outputs as unknown[]) : null;
    out.push(...at(here, (v.errors ?? []).filter((e) => outputs === null || !/^\/outputs\/\d+(\/|$)/.test(e.instancePath))));
    outputs?.forEach((o, j) => {
      const otype = isObject(o) ? o.output_type : undefined;
      const there = `${here}/outputs/${j}`;
      if (!OUTPUT_TYPES.includes(otype as string)) {
        out.push({ instancePath: `${there}/output_type`, schemaPath: '#/definitions/output', keyword: 'enum', params: { allowedValues: OUTPUT_TYPES }, message: '' });
        return;
      }
      const ov = validator(minor, otype as string);
      if (!(ov(o) as boolean)) out.push(...at(there, ov.errors));
    });
  });
  return out;
}

/**
 * Merge what a failing `oneOf` of types says at one place (`must be string`, `must be array`, `must
 * match exactly one schema`) into one `must be string or array`; drop a `oneOf` summary when the place
 * has more precise errors.
 */
function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  const out: ErrorObject[] = [];
  for (const [path, list] of byPath) {
    const types = list.filter((e) => e.keyword === 'type');
    const others = list.filter((e) => e.keyword !== 'type' && e.keyword !== 'oneOf');
    const hasOneOf = list.some((e) => e.keyword === 'oneOf');
    const deeper = errors.some((e) => e.instancePath.startsWith(`${path}/`));
    if (types.length > 0) {
      const names = [...new Set(types.map((e) => String((e.params as { type: unknown }).type)))];
      out.push({ ...(types[0] as ErrorObject), message: `must be ${names.join(' or ')}` });
    }
    out.push(...others);
    if (hasOneOf && types.length === 0 && others.length === 0 && !deeper) out.push(list.find((e) => e.keyword === 'oneOf') as ErrorObject);
  }
  return out;
}

/**
 * The schema problems of a parsed notebook (empty when it is valid), against the schema of its
 * `nbformat_minor` (or `minor`), one per place and reason.
 */
export function schemaProblems(doc: unknown, minor?: number): SchemaProblem[] {
  const own = isObject(doc) && typeof doc.nbformat_minor === 'number' ? doc.nbformat_minor : NEWEST_MINOR;
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of simplify(errorsOf(doc, minor ?? own))) {
    const message = sentence(e.instancePath, reason(e));
    if (seen.has(message)) continue;
    seen.add(message);
    out.push({ pointer: e.instancePath, message });
  }
  return out;
}
