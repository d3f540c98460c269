/**
 * Which source line of a cell failed, from a stack frame `evalmachine.<anonymous>:LINE:COL`.
 *
 * tslab runs the JavaScript it compiled from the cell, so stack lines count lines of that output
 * (helpers such as `__importStar` shift them by dozens). We cannot see that output, so we rebuild it
 * the way tslab's converter does — TypeScript to an ES module with the cell's top-level names
 * exported, then `transpileModule` to CommonJS — with source maps, using tslab's own TypeScript, and
 * map the line back through both maps.
 *
 * Limitation: this is a reconstruction without tslab's type checker, so a cell whose emit depends on
 * type information (e.g. import elision of names used only as types) may map a line or two off.
 * Callers show the mapped line as a hint next to the kernel's own traceback, never instead of it.
 */
import path from 'path';
import type * as TS from 'typescript';

type TsModule = typeof TS;
let tsModule: TsModule | null | undefined;

function loadTypeScript(): TsModule | null {
  if (tsModule === undefined) {
    try {
      const tslabDir = path.dirname(require.resolve('tslab/package.json'));
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      tsModule = require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslabDir] })) as TsModule;
    } catch {
      tsModule = null;
    }
  }
  return tsModule;
}

const VLQ_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** For each generated line (0-based), the original line (0-based) of its first mapped segment. */
export function decodeLineMap(mappings: string): (number | undefined)[] {
  const result: (number | undefined)[] = [];
  let originalLine = 0;
  const lines = mappings.split(';');
  for (const line of lines) {
    let first: number | undefined;
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = VLQ_CHARS.indexOf(ch);
        if (digit < 0) break;
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      // fields: [genColumn, sourceIndex, origLine, origColumn, name?]; origLine is a running delta.
      const delta = fields[2];
      if (delta !== undefined) {
        originalLine += delta;
        if (first === undefined) first = originalLine;
      }
    }
    result.push(first);
  }
  return result;
}

/** Top-level names tslab exports from a cell (its `srcFile.locals`), approximated from syntax. */
function topLevelNames(ts: TsModule, file: TS.SourceFile): string[] {
  const names: string[] = [];
  const bind = (n: TS.BindingName): void => {
    if (ts.isIdentifier(n)) names.push(n.text);
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st) && st.importClause !== undefined && !st.importClause.isTypeOnly) {
      const clause = st.importClause;
      if (clause.name) names.push(clause.name.text);
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) names.push(nb.name.text);
      else if (nb) for (const el of nb.elements) if (!el.isTypeOnly) names.push(el.name.text);
    } else if (ts.isImportEqualsDeclaration(st)) names.push(st.name.text);
    else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) names.push(st.name.text);
  }
  const last = file.statements[file.statements.length - 1];
  if (last !== undefined && ts.isExpressionStatement(last)) names.push('tsLastExpr');
  return names;
}

/**
 * Map a 1-based line of tslab's compiled cell to a 1-based line of `source`; undefined when it cannot
 * be mapped (e.g. the line belongs to a helper or to tslab's wrapper).
 */
export function mapCompiledLine(source: string, compiledLine: number, javascript = false): number | undefined {
  const ts = loadTypeScript();
  if (ts === null) return undefined;
  try {
    const fileName = javascript ? '__tslab__.js' : '__tslab__.ts';
    const target = ts.ScriptTarget.ES2022;
    const parsed = ts.createSourceFile(fileName, source, target, false);
    const names = topLevelNames(ts, parsed);
    const input = names.length > 0 ? `${source}\nexport {${names.join(', ')}}` : source;
    const stage1 = ts.transpileModule(input, {
      fileName,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target,
        esModuleInterop: true,
        experimentalDecorators: true,
        jsx: ts.JsxEmit.React,
        allowJs: true,
        sourceMap: true,
        newLine: ts.NewLineKind.LineFeed,
        noImplicitUseStrict: true,
      },
    });
    const stage1Js = stage1.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, '');
    const stage2 = ts.transpileModule(stage1Js, {
      fileName: 'custom.js',
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target,
        esModuleInterop: true,
        sourceMap: true,
        newLine: ts.NewLineKind.LineFeed,
        noImplicitUseStrict: true,
      },
    });
    if (stage1.sourceMapText === undefined || stage2.sourceMapText === undefined) return undefined;
    const map2 = decodeLineMap((JSON.parse(stage2.sourceMapText) as { mappings: string }).mappings);
    const map1 = decodeLineMap((JSON.parse(stage1.sourceMapText) as { mappings: string }).mappings);
    const mid = map2[compiledLine - 1];
    if (mid === undefined) return undefined;
    const original = map1[mid];
    const sourceLines = source.split('\n').length;
    if (original === undefined || original >= sourceLines) return undefined;
    return original + 1;
  } catch {
    return undefined;
  }
}
