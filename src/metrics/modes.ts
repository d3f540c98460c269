/**
 * Mode metrics for 2-D mixtures with known centres (the ring of Gaussians benchmark of Metz et al. 2017,
 * "Unrolled GANs", and Srivastava et al. 2017, "VEEGAN"): each sample is assigned to its nearest centre;
 * it is *high quality* when it lies within `radius` standard deviations of that centre.
 *
 * - highQualityFraction: high-quality samples / all samples;
 * - counts: high-quality samples per mode; a mode is *covered* when it has at least `minCount` of them;
 * - kl: KL(histogram of the high-quality samples' modes || uniform), 0 when every mode gets the same share,
 *   log K when all sit on one mode (NaN when there is no high-quality sample).
 */
import * as tf from '@tensorflow/tfjs';
import { klToUniform } from './classes';

export interface ModeMetricOptions {
  /** Standard deviations from the nearest centre within which a sample counts as high quality. @default 3 */
  radius?: number;
  /** High-quality samples a mode needs to count as covered. @default 20 */
  minCount?: number;
}

export interface ModeMetrics {
  /** Samples scored. */
  n: number;
  /** Modes with at least `minCount` high-quality samples. */
  covered: number;
  /** Fraction of samples within `radius` std of their nearest centre. */
  highQualityFraction: number;
  /** High-quality samples per mode. */
  counts: number[];
  /** KL(mode histogram of the high-quality samples || uniform), nats. */
  kl: number;
}

/** The K centres r (cos 2 pi k / K, sin 2 pi k / K), k = 0..K-1 (as `makeGaussianRing` places them). */
export function ringCentres(K = 8, radius = 2): number[][] {
  return Array.from({ length: K }, (_, k) => [radius * Math.cos((2 * Math.PI * k) / K), radius * Math.sin((2 * Math.PI * k) / K)]);
}

/** Mode metrics of 2-D (or any-D) samples against known centres with a common isotropic std. */
export function modeMetrics(samples: tf.Tensor | readonly (readonly number[])[], centres: readonly (readonly number[])[], std: number, options: ModeMetricOptions = {}): ModeMetrics {
  const radius = options.radius ?? 3;
  const minCount = options.minCount ?? 20;
  if (!(std > 0)) throw new Error(`modeMetrics: std must be > 0, got ${std}`);
  if (centres.length === 0) throw new Error('modeMetrics: need at least one centre');
  const d = centres[0]!.length;
  const rows = samples instanceof tf.Tensor ? (samples.arraySync() as number[][]) : samples;
  const counts = new Array<number>(centres.length).fill(0);
  let hq = 0;
  const limit2 = (radius * std) ** 2;
  for (const row of rows) {
    if (row.length !== d) throw new Error(`modeMetrics: samples have ${row.length} columns but centres have ${d}`);
    let best = Infinity;
    let bestK = 0;
    centres.forEach((c, k) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += (row[j]! - c[j]!) ** 2;
      if (s < best) {
        best = s;
        bestK = k;
      }
    });
    if (best <= limit2) {
      hq++;
      counts[bestK]!++;
    }
  }
  const n = rows.length;
  return {
    n,
    covered: counts.filter((c) => c >= minCount).length,
    highQualityFraction: n > 0 ? hq / n : NaN,
    counts,
    kl: hq > 0 ? klToUniform(counts) : NaN,
  };
}
