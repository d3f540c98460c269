/**
 * The floor for sample-quality metrics: samples from one Gaussian fitted to the data (maximum-likelihood
 * mean, sample covariance). A generative model that does not beat it has learned no more than the first
 * two moments.
 */
import * as tf from '@tensorflow/tfjs';
import { cholesky } from '../../math';
import type { Rng } from '../../runtime/rng';
import { meanAndCovariance } from '../../math/covariance';

export interface GaussianFit {
  mean: number[];
  cov: number[][];
}

/** Mean and covariance of data [n, d]. */
export function fitGaussian(x: tf.Tensor): GaussianFit {
  if (x.rank !== 2) throw new Error(`fitGaussian: expected data of shape [n, d], got [${x.shape.join(', ')}]`);
  return meanAndCovariance(x.dataSync(), x.shape[0]!, x.shape[1]!);
}

/** n draws from N(mean, cov): x = mean + L eps with L L^T = cov. */
export function sampleGaussian(fit: GaussianFit, n: number, rng: Rng): tf.Tensor2D {
  const d = fit.mean.length;
  const L = cholesky(fit.cov);
  return tf.tidy(() => {
    const eps = rng.randn([n, d]) as tf.Tensor2D;
    return tf.add(tf.matMul(eps, tf.tensor2d(L.flat(), [d, d]), false, true), tf.tensor2d(fit.mean, [1, d])) as tf.Tensor2D;
  });
}
