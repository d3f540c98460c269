/**
 * Generated blocks in a markdown file: the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`
 * is owned by a generator and rewritten whole, so README numbers and maps never drift from their
 * sources. Rewriting is idempotent: the same content gives byte-identical output.
 */

/** The two marker comments of block `name`. */
export function blockMarkers(name: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

/** A block's markers are missing, duplicated or out of order. */
export class MissingMarkersError extends Error {}
MissingMarkersError.prototype.name = 'MissingMarkersError';

/**
 * Replace the content of block `name` in `text` with `content` (a trailing newline is added if
 * missing). Throws MissingMarkersError naming the markers to add when they are absent or broken.
 */
export function replaceBlock(text: string, name: string, content: string, file = 'README.md'): string {
  const { start, end } = blockMarkers(name);
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const count = (m: string): number => text.split(m).length - 1;
  if (i < 0 || j < 0) {
    const missing = [i < 0 ? start : null, j < 0 ? end : null].filter((m) => m !== null).join(' and ');
    throw new MissingMarkersError(
      `${file}: no ${missing} marker; add the two lines\n${start}\n${end}\nwhere the generated "${name}" block should go, then run the generator again.`,
    );
  }
  if (count(start) > 1 || count(end) > 1) throw new MissingMarkersError(`${file}: the "${name}" markers appear more than once; keep one ${start} and one ${end}.`);
  if (j < i) throw new MissingMarkersError(`${file}: ${end} comes before ${start}; put the start marker first.`);
  const body = content.endsWith('\n') ? content : content + '\n';
  return text.slice(0, i + start.length) + '\n' + body + text.slice(j);
}
