/**
 * An optional cache of trained weights, so a student who re-opens a notebook can skip a long training
 * cell: `trainer.fit(data, { epochs, cache: 'vae16' })` restores the result of an earlier identical run
 * instead of training, when the cache is on.
 *
 * Off unless asked for: set `GENLAB_WEIGHT_CACHE` to a folder (or `1` for `.genlab-cache/` in the
 * project) before starting JupyterLab, or call `useWeightCache()` in a cell. The value `off` wins over
 * both; the runner (CI, the quick tests, the full runs that produce the saved notebooks) always starts
 * kernels with it, so a cache can never stand in for a result those runs report.
 *
 * An entry is used only when everything that determines the run is the same, so a hit returns what
 * training would have returned (on this backend): the fit's name, the library build (a hash of
 * dist/), the backend, the model class and the values of all its variables and training state (so the
 * seed and the architecture), a probe of the model's loss on the first training examples (so
 * hyperparameters that live outside the variables, such as a KL weight or a prior), the training and
 * validation data, the trainer's seed, progress, batch size, clipping and optimiser (type, settings and
 * state), the learning rate at every step of the run, and the fit options (the source text of a
 * `metrics` callback, not the values it closes over). The history comes back as recorded, including
 * the original epoch times.
 */
import { createHash, type Hash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { WEIGHT_CACHE_ENV } from './weight-cache-env';

export { WEIGHT_CACHE_ENV };

/** Set by `useWeightCache`; undefined: follow the environment. */
let chosen: string | null | undefined;

/** `.genlab-cache/` in the project (dist/train/ -> project root). */
export function defaultWeightCacheDir(): string {
  return path.resolve(__dirname, '..', '..', '.genlab-cache');
}

function envOff(): boolean {
  const v = (process.env[WEIGHT_CACHE_ENV] ?? '').trim().toLowerCase();
  return v === 'off' || v === '0' || v === 'false';
}

/**
 * Turn the cache on for this kernel (in `dir`, default `.genlab-cache/` in the project) or off
 * (`false`). Returns the folder in use, or null when the cache is off; `GENLAB_WEIGHT_CACHE=off` (as the
 * runner sets it) keeps it off whatever this asks.
 */
export function useWeightCache(dir: string | false = defaultWeightCacheDir()): string | null {
  chosen = dir === false ? null : path.resolve(dir);
  return weightCacheDir();
}

/** The folder cached runs are read from and written to, or null when the cache is off. */
export function weightCacheDir(): string | null {
  if (envOff()) return null;
  if (chosen !== undefined) return chosen;
  const v = (process.env[WEIGHT_CACHE_ENV] ?? '').trim();
  if (v === '') return null;
  return v === '1' || v.toLowerCase() === 'on' ? defaultWeightCacheDir() : path.resolve(v);
}

/** Forget `useWeightCache` (tests). */
export function resetWeightCacheChoice(): void {
  chosen = undefined;
}

/** A hash that the cache key is built from, piece by labelled piece. */
export class Fingerprint {
  private readonly h: Hash = createHash('sha256');

  /** Add a JSON-able value under a label. */
  add(label: string, value: unknown): this {
    this.h.update(`${label}=${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`);
    return this;
  }

  /** Add a tensor's dtype, shape and exact values. */
  addTensor(label: string, t: tf.Tensor): this {
    const data = t.dataSync();
    this.add(label, { dtype: t.dtype, shape: t.shape });
    if (ArrayBuffer.isView(data)) this.h.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else this.h.update(JSON.stringify(data));
    return this;
  }

  /** The key: hex, 32 characters. */
  digest(): string {
    return this.h.digest('hex').slice(0, 32);
  }
}

let libraryHash: string | undefined;

/** A hash of the library build (every .js file under dist/), so rebuilding with changes invalidates entries. */
export function libraryFingerprint(): string {
  if (libraryHash !== undefined) return libraryHash;
  const root = path.resolve(__dirname, '..');
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js') || e.name.endsWith('.ts')) {
        h.update(`${path.relative(root, p)}\n`);
        h.update(fs.readFileSync(p));
      }
    }
  };
  walk(root);
  libraryHash = h.digest('hex').slice(0, 16);
  return libraryHash;
}

/** A tensor with a name, as optimisers list their state. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** A saved tensor: name (for optimiser state), dtype, shape and values. */
interface SavedTensor {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  /** Offset of its values in the .bin file, in elements of 4 bytes. */
  offset: number;
}

/** What a cache entry holds besides the tensor values. */
export interface CacheMeta {
  name: string;
  key: string;
  /** When the run that filled the entry finished, and how long it trained. */
  created: string;
  seconds: number;
  backend: string;
  epochs: number;
  steps: number;
  history: Record<string, number[]>;
  model: SavedTensor[];
  optimizer: SavedTensor[];
}

/** A loaded entry. */
export interface CacheEntry {
  meta: CacheMeta;
  model: tf.Tensor[];
  optimizer: NamedTensor[];
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function entryFiles(dir: string, name: string, key: string): { meta: string; bin: string } {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'fit';
  const base = path.join(dir, `${safe}-${key}`);
  return { meta: `${base}.json`, bin: `${base}.bin` };
}

function pack(tensors: { name: string; tensor: tf.Tensor }[], offset0: number, chunks: Buffer[]): { saved: SavedTensor[]; offset: number } {
  let offset = offset0;
  const saved: SavedTensor[] = [];
  for (const { name, tensor } of tensors) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new Error(`weight cache: cannot save ${name} of dtype ${tensor.dtype} (float32 and int32 only)`);
    }
    const data = tensor.dataSync() as Float32Array | Int32Array;
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    saved.push({ name, dtype: tensor.dtype, shape: [...tensor.shape], offset });
    offset += data.length;
  }
  return { saved, offset };
}

/** Write an entry (the .bin first, so a .json always has its values). */
export function saveEntry(dir: string, meta: Omit<CacheMeta, 'model' | 'optimizer'>, model: tf.Tensor[], optimizer: NamedTensor[]): string {
  fs.mkdirSync(dir, { recursive: true });
  const files = entryFiles(dir, meta.name, meta.key);
  const chunks: Buffer[] = [];
  const m = pack(model.map((tensor, i) => ({ name: `model/${i}`, tensor })), 0, chunks);
  const o = pack(optimizer, m.offset, chunks);
  fs.writeFileSync(files.bin, Buffer.concat(chunks));
  const full: CacheMeta = { ...meta, model: m.saved, optimizer: o.saved };
  fs.writeFileSync(files.meta, JSON.stringify(full), 'utf8');
  return files.meta;
}

/**
 * Read the entry for (name, key), or null when there is none. A damaged entry (unreadable, truncated,
 * or not matching its own description) is reported through `warn` and treated as missing, so the fit
 * trains and overwrites it.
 */
export function loadEntry(dir: string, name: string, key: string, warn: (m: string) => void): CacheEntry | null {
  const files = entryFiles(dir, name, key);
  if (!fs.existsSync(files.meta)) return null;
  try {
    const meta = JSON.parse(fs.readFileSync(files.meta, 'utf8')) as CacheMeta;
    if (meta.key !== key || !Array.isArray(meta.model) || !Array.isArray(meta.optimizer)) throw new Error('its description does not match the key');
    const bin = fs.readFileSync(files.bin);
    const all = [...meta.model, ...meta.optimizer];
    const total = all.reduce((s, t) => s + sizeOf(t.shape), 0);
    if (bin.byteLength !== total * 4) throw new Error(`${files.bin} holds ${bin.byteLength} bytes, expected ${total * 4}`);
    const view = (t: SavedTensor): tf.Tensor => {
      const bytes = bin.subarray(t.offset * 4, (t.offset + sizeOf(t.shape)) * 4);
      const copy = new Uint8Array(bytes).buffer;
      return tf.tensor(t.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy), t.shape, t.dtype);
    };
    return {
      meta,
      model: meta.model.map(view),
      optimizer: meta.optimizer.map((t) => ({ name: t.name, tensor: view(t) })),
    };
  } catch (e) {
    warn(`weight cache: ignoring the damaged entry ${files.meta} (${(e as Error).message}); training instead, and overwriting it.`);
    return null;
  }
}
