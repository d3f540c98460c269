/**
 * Where the shipped data sets live, and the one error every loader raises for a missing file.
 *
 * Notebooks run with cwd = notebooks/, tests and scripts with cwd = the project root, and the built
 * library runs from dist/. So the default is found from this file's own location, not from the cwd:
 * src/data/paths.ts and dist/data/paths.js both sit two levels below the package root.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Environment variable that overrides the default data directory. */
export const DATA_DIR_ENV = 'GENLAB_DATA_DIR';

/**
 * The root data directory: `override` if given, else `$GENLAB_DATA_DIR`, else `<package root>/data`.
 * Relative paths are resolved against the current working directory.
 */
export function dataDir(override?: string): string {
  if (override !== undefined && override !== '') return path.resolve(override);
  const fromEnv = process.env[DATA_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return path.resolve(__dirname, '..', '..', 'data');
}

/**
 * The folder of one data set: `dir` as given (the caller names the folder itself, e.g. a Fashion-MNIST
 * folder), else `<dataDir()>/<subfolder>`.
 */
export function datasetDir(subfolder: string, dir?: string): string {
  return dir !== undefined && dir !== '' ? path.resolve(dir) : path.join(dataDir(), subfolder);
}

/** What a loader expects in a folder, for error messages. */
export interface ExpectedFiles {
  /** Which loader is asking, e.g. `loadWine`. */
  loader: string;
  /** The file names the folder should hold. */
  files: readonly string[];
  /** One line on where the files come from. */
  hint: string;
}

/** Thrown when a data file or folder is missing: the message names the path and what belongs there. */
export class MissingDataError extends Error {
  override readonly name = 'MissingDataError';
  constructor(
    readonly missingPath: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The full path of `file` in `dir`, or a `MissingDataError` naming the path, the files expected there
 * and how to point the loader elsewhere.
 */
export function requireFile(dir: string, file: string, expected: ExpectedFiles): string {
  const full = path.join(dir, file);
  if (fs.existsSync(full) && fs.statSync(full).isFile()) return full;
  const dirMissing = !fs.existsSync(dir);
  const what = dirMissing ? `data folder not found: ${dir}` : `file not found: ${full}`;
  throw new MissingDataError(
    dirMissing ? dir : full,
    `${expected.loader}: ${what}. Expected in that folder: ${expected.files.join(', ')} (${expected.hint}). ` +
      `Pass { dir: '<folder>' } or set ${DATA_DIR_ENV} to the data root.`,
  );
}

/** The first of `candidates` that exists in `dir`, or undefined. Lets loaders accept `.gz` or raw files. */
export function findFile(dir: string, candidates: readonly string[]): string | undefined {
  for (const name of candidates) {
    const full = path.join(dir, name);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return full;
  }
  return undefined;
}
