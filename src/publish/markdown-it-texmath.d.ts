/** Types of markdown-it-texmath (the package ships none): the plugin and the options the kit passes. */
declare module 'markdown-it-texmath' {
  import type MarkdownIt from 'markdown-it';

  interface TexmathOptions {
    /** Delimiter families, e.g. `['dollars', 'brackets']`. @default 'dollars' */
    delimiters?: string | string[];
    /** An object with KaTeX's `renderToString`; texmath calls it only from its own renderer rules. */
    engine?: { renderToString(tex: string, options: Record<string, unknown>): string };
    /** Inline `$` only between spaces. @default false */
    outerSpace?: boolean;
  }

  interface TexmathRule {
    name: string;
    rex: RegExp;
    tag: string;
  }

  const texmath: MarkdownIt.PluginWithOptions<TexmathOptions> & {
    /** The delimiter families' rules, shared by every instance (a module-level object). */
    rules: Record<string, { inline: TexmathRule[]; block: TexmathRule[] } | undefined>;
  };
  export = texmath;
}
