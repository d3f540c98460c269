/**
 * A notebook's profiles (`metadata.genlab.profiles`), read and validated: each maps parameter names
 * to JSON values, plus two reserved runner settings, `cell_timeout` and `timeout` (seconds). See
 * parameters.ts for how they are applied.
 */
import type { Notebook } from './nbformat';
import { isParamValue, type ParamValue } from './declarations';
import { ParameterError } from './parameter-error';

/** The runner settings a profile may carry next to its parameters. */
export interface ProfileSettings {
  /** Seconds allowed per cell (metadata key `cell_timeout`). */
  cellTimeout?: number;
  /** Seconds allowed per notebook (metadata key `timeout`). */
  timeout?: number;
}

/** One entry of `metadata.genlab.profiles`. */
export interface NotebookProfile {
  params: Record<string, ParamValue>;
  settings: ProfileSettings;
}

const RESERVED_SETTINGS = { cell_timeout: 'cellTimeout', timeout: 'timeout' } as const;

/** `metadata.genlab.profiles`, validated. */
export function readProfiles(nb: Notebook, file: string): Record<string, NotebookProfile> {
  const genlab = nb.metadata.genlab;
  const where = `${file}: metadata.genlab.profiles`;
  const profiles: Record<string, NotebookProfile> = {};
  if (genlab === undefined) return profiles;
  if (genlab === null || typeof genlab !== 'object' || Array.isArray(genlab)) {
    throw new ParameterError(`${file}: metadata.genlab must be an object like {"profiles": {"quick": {...}}}.`, 'notebook');
  }
  const raw = (genlab as Record<string, unknown>).profiles;
  if (raw === undefined) return profiles;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ParameterError(`${where} must be an object mapping profile names to {parameter: value} objects.`, 'notebook');
  }
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new ParameterError(`${where}.${name} must be an object of parameter values, e.g. {"epochs": 2}.`, 'notebook');
    }
    const profile: NotebookProfile = { params: {}, settings: {} };
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      if (key in RESERVED_SETTINGS) {
        if (typeof value !== 'number' || !(value > 0)) {
          throw new ParameterError(`${where}.${name}.${key} must be a positive number of seconds, not ${JSON.stringify(value)}.`, 'notebook');
        }
        profile.settings[RESERVED_SETTINGS[key as keyof typeof RESERVED_SETTINGS]] = value;
      } else if (key === 'profile') {
        throw new ParameterError(`${where}.${name} sets "profile"; remove it: the runner sets profile from the profile's name.`, 'notebook');
      } else if (!isParamValue(value)) {
        throw new ParameterError(`${where}.${name}.${key} is not a JSON value the runner can inject.`, 'notebook');
      } else {
        profile.params[key] = value;
      }
    }
    profiles[name] = profile;
  }
  return profiles;
}
