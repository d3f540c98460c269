/**
 * Explicit, reproducible randomness.
 *
 * TensorFlow.js has no global seed: every random op takes its own `seed`. So the kit never draws
 * unseeded numbers; a caller passes an `Rng`, and every random op or initializer gets its seed from it.
 * One `Rng` made from one seed therefore fixes a whole run, and `fork(label)` hands independent,
 * reproducible streams to sub-tasks (a data split, an initializer, a training loop) so that adding a
 * draw in one place does not shift the numbers everywhere else.
 *
 * Generator: xoshiro128** (Blackman & Vigna, 2018), seeded through splitmix32; 32-bit state words so it
 * runs on plain JS numbers.
 */
import * as tf from '@tensorflow/tfjs';

/** A seed: a number (integers are used as-is, other numbers by their bits) or any string. */
export type Seed = number | string;

function hashString(s: string): number {
  // FNV-1a, 32-bit: stable across platforms, good enough to spread labels.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function seedToUint32(seed: Seed): number {
  if (typeof seed === 'string') return hashString(seed);
  if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number or a string, got ${seed}`);
  if (Number.isInteger(seed) && Math.abs(seed) <= 0xffffffff) return seed >>> 0;
  return hashString(String(seed));
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export class Rng {
  /** The seed this generator (or its root) was made from, for records and messages. */
  readonly seedValue: Seed;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: Seed) {
    this.seedValue = seed;
    const sm = splitmix32(seedToUint32(seed));
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1) with 32 bits of resolution. */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.random() * n);
  }

  /** Standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A fresh seed for one TensorFlow.js random op or initializer (tfjs wants a positive int). */
  seed(): number {
    return (this.nextUint32() % 2147483646) + 1;
  }

  /**
   * An independent child stream. The same parent state and label give the same child; the parent
   * advances by one draw, so successive forks differ even with the same label.
   */
  fork(label: string = ''): Rng {
    const child = new Rng(`${this.nextUint32()}:${label}`);
    (child as { seedValue: Seed }).seedValue = `${String(this.seedValue)}/${label}`;
    return child;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const tmp = p[i]!;
      p[i] = p[j]!;
      p[j] = tmp;
    }
    return p;
  }

  /** Standard normal tensor. */
  randn(shape: number[], dtype: 'float32' = 'float32'): tf.Tensor {
    return tf.randomNormal(shape, 0, 1, dtype, this.seed());
  }

  /** Uniform tensor on [lo, hi). */
  uniform(shape: number[], lo = 0, hi = 1): tf.Tensor {
    return tf.randomUniform(shape, lo, hi, 'float32', this.seed());
  }

  /** Bernoulli draws (as float 0/1) with success probabilities `p`. */
  bernoulli(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.cast(tf.less(tf.randomUniform(p.shape, 0, 1, 'float32', this.seed()), p), 'float32'));
  }
}

/** One call seeds everything downstream: make the root generator of a run. */
export function seed(value: Seed): Rng {
  return new Rng(value);
}
