/**
 * Reading a notebook's parameters cell: its top-level declarations and the values of their literal
 * initializers, and `--param` values as JSON. (The conventions are described in parameters.ts.)
 *
 * Limitation: declarations are found with a regular expression over unindented lines of the form
 * `[export] const|let|var NAME [: TYPE] = ...`, outside block comments. Destructuring, several
 * declarators in one statement (`const a = 1, b = 2` finds only `a`) and declarations nested in
 * blocks are not seen. Keep the parameters cell to one simple declaration per line.
 */

/** A JSON value, as parameters are stored and injected. */
export type ParamValue = number | string | boolean | null | ParamValue[] | { [key: string]: ParamValue };

/** A declaration found in the parameters cell. */
export interface DeclaredParameter {
  name: string;
  /** The annotation as written (`number[]`), if any. */
  type?: string;
  /** The default's initializer as written. */
  initializer: string;
  /** The default's type when the initializer is a plain literal. */
  literalType?: 'number' | 'string' | 'boolean';
  /** 1-based line in the cell. */
  line: number;
}

const DECLARATION = /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*((?:[^=]|=>)+?))?\s*=(?![=>])\s*(.*)$/;

/** The initializer without a trailing `// comment` (one outside string quotes) and `;`. */
function initializerText(initializer: string): string {
  let quote: string | null = null;
  let end = initializer.length;
  for (let i = 0; i < initializer.length; i++) {
    const ch = initializer[i];
    if (quote !== null) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '/' && initializer[i + 1] === '/') {
      end = i;
      break;
    }
  }
  return initializer.slice(0, end).trim().replace(/;$/, '').trim();
}

/** The value of a JSON-like literal initializer (`0`, `1_000`, `'full'`, `[2, 8]`, `true`), else undefined. */
function parseLiteral(initializer: string): ParamValue | undefined {
  const text = initializerText(initializer);
  if (/^-?(?:\d[\d_]*\.?[\d_]*|\.\d+)(?:e[+-]?\d+)?$/i.test(text)) return Number(text.replace(/_/g, ''));
  // Escapes are read as `\x` -> `x`: enough to compare plain defaults, not a JavaScript string parser.
  const quoted = /^'((?:[^'\\]|\\.)*)'$|^"((?:[^"\\]|\\.)*)"$|^`([^`$]*)`$/.exec(text);
  if (quoted !== null) return (quoted[1] ?? quoted[2] ?? quoted[3]!).replace(/\\(.)/g, '$1');
  try {
    const v: unknown = JSON.parse(text);
    return isParamValue(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function literalTypeOf(initializer: string): DeclaredParameter['literalType'] {
  const v = parseLiteral(initializer);
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  return undefined;
}

/** The top-level declarations of a parameters cell (see the limitation above). */
export function declaredParameters(source: string): DeclaredParameter[] {
  const found: DeclaredParameter[] = [];
  let inComment = false;
  source.split('\n').forEach((line, i) => {
    if (inComment) {
      if (line.includes('*/')) inComment = false;
      return;
    }
    if (/^\s*\/\*/.test(line) && !line.includes('*/')) {
      inComment = true;
      return;
    }
    const m = DECLARATION.exec(line);
    if (m === null) return;
    const [, name, type, initializer] = m as unknown as [string, string, string | undefined, string];
    const p: DeclaredParameter = { name, initializer: initializer.trim(), line: i + 1 };
    if (type !== undefined) p.type = type.trim();
    const lt = literalTypeOf(initializer);
    if (lt !== undefined) p.literalType = lt;
    found.push(p);
  });
  return found;
}

/**
 * The value a declaration's initializer denotes when it is a JSON-like literal (`0`, `'full'`,
 * `[2, 8]`, `true`), else undefined (an expression the runner cannot evaluate).
 */
export function literalValue(decl: DeclaredParameter): ParamValue | undefined {
  return parseLiteral(decl.initializer);
}

/** Whether `v` is a JSON value the runner can inject (finite numbers only). */
export function isParamValue(v: unknown): v is ParamValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isParamValue);
  if (typeof v === 'object') return Object.values(v as object).every(isParamValue);
  return false;
}

/** Read a `--param` value: JSON when it parses as JSON, else the text as a string. */
export function parseParamValue(text: string): ParamValue {
  try {
    const v: unknown = JSON.parse(text);
    if (isParamValue(v)) return v;
  } catch {
    // not JSON: a bare word such as wasm
  }
  return text;
}

