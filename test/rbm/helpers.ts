/**
 * Shared set-up for the RBM tests: tiny models with weights large enough that the distributions are far
 * from uniform (so a wrong sign or a missing term changes the numbers by much more than the tolerances).
 */
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { BernoulliRBM } from '../../src/models/rbm/bernoulli';
import { GaussianBernoulliRBM } from '../../src/models/rbm/gaussian';
import type { RBMConfig } from '../../src/models/rbm/rbm';

/** Overwrite W, b, c with N(0, scale^2) draws. */
export function randomise(rbm: BernoulliRBM | GaussianBernoulliRBM, label: string, scale = 1): void {
  const rng = seed(`params/${label}`);
  const W = tf.mul(rng.randn([rbm.nVisible, rbm.nHidden]), scale) as tf.Tensor2D;
  const b = tf.mul(rng.randn([rbm.nVisible]), scale) as tf.Tensor1D;
  const c = tf.mul(rng.randn([rbm.nHidden]), scale) as tf.Tensor1D;
  rbm.setParams({ W, b, c });
  tf.dispose([W, b, c]);
}

export function tinyBernoulli(nVisible: number, nHidden: number, label: string, scale = 1, extra: Partial<RBMConfig> = {}): BernoulliRBM {
  const rbm = new BernoulliRBM({ nVisible, nHidden, ...extra, rng: seed(`init/${label}`) });
  randomise(rbm, label, scale);
  return rbm;
}

export function tinyGaussian(nVisible: number, nHidden: number, label: string, scale = 0.7, sigma: number | number[] = 1): GaussianBernoulliRBM {
  const rbm = new GaussianBernoulliRBM({ nVisible, nHidden, sigma, rng: seed(`init/${label}`) });
  randomise(rbm, label, scale);
  return rbm;
}

/** float64 log-sum-exp. */
export function logSumExp(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, xs[i]!);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp(xs[i]! - m);
  return m + Math.log(s);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
