/**
 * Re-running a notebook cell must not leak: `const model = new VAE(...)` run twice leaves the first
 * model's variables alive in the tfjs engine, unreachable. `keep(name, value)` remembers what a cell
 * made under a name and frees the previous value of that name first, so a re-run replaces, not adds.
 */
import * as tf from '@tensorflow/tfjs';

/** Anything `keep` can free: a tensor, an object with `dispose()`, or arrays/records of those. */
export type Disposable = tf.Tensor | { dispose(): void } | Disposable[] | { [key: string]: Disposable };

const kept = new Map<string, Disposable>();

function free(value: Disposable): void {
  // Records held whole (e.g. a loaded data set) carry strings and numbers next to their tensors.
  if (value === null || typeof value !== 'object') return;
  if (value instanceof tf.Tensor) {
    if (!value.isDisposed) value.dispose();
  } else if (Array.isArray(value)) {
    value.forEach(free);
  } else if (typeof (value as { dispose?: unknown }).dispose === 'function') {
    (value as { dispose(): void }).dispose();
  } else {
    Object.values(value as Record<string, Disposable>).forEach(free);
  }
}

/** Hold `value` under `name`, freeing whatever `name` held before (unless it is the same object). */
export function keep<T extends Disposable>(name: string, value: T): T {
  const previous = kept.get(name);
  if (previous !== undefined && previous !== value) free(previous);
  kept.set(name, value);
  return value;
}

/** Free and forget one kept value, or all of them. */
export function release(name?: string): void {
  if (name === undefined) {
    kept.forEach(free);
    kept.clear();
    return;
  }
  const v = kept.get(name);
  if (v !== undefined) free(v);
  kept.delete(name);
}

/** Names currently held (for tests and for a notebook's memory report). */
export function keptNames(): string[] {
  return [...kept.keys()];
}
