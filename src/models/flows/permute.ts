/**
 * A fixed permutation of the features, placed between coupling layers so that every feature is
 * transformed by some layer (Dinh et al. 2017, RealNVP, Sec. 3.5; Kingma & Dhariwal 2018 use a
 * learned 1x1 convolution instead). A permutation matrix has |det| = 1, so log |det ∂f/∂x| = 0.
 *
 * forward f: z_i = x_{perm[i]}        inverse f⁻¹: x_{perm[i]} = z_i
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { Bijector, type MappedWithLogDet } from './bijector';

export class Permute extends Bijector {
  readonly name: string;
  readonly dim: number;
  /** z[:, i] = x[:, perm[i]]. */
  readonly perm: number[];
  private readonly inv: number[];

  constructor(perm: number[], name = 'permute') {
    super();
    const d = perm.length;
    const seen = new Array<boolean>(d).fill(false);
    for (const p of perm) {
      if (!Number.isInteger(p) || p < 0 || p >= d || seen[p]) {
        throw new Error(`Permute: [${perm}] is not a permutation of 0..${d - 1} (each index exactly once)`);
      }
      seen[p] = true;
    }
    this.perm = [...perm];
    this.inv = new Array<number>(d);
    perm.forEach((p, i) => (this.inv[p] = i));
    this.dim = d;
    this.name = name;
  }

  /** Reverse the feature order (RealNVP's default between couplings). */
  static reverse(dim: number, name = 'reverse'): Permute {
    return new Permute([...Array(dim).keys()].reverse(), name);
  }

  /** A random permutation drawn from `rng`. */
  static random(dim: number, rng: Rng, name = 'shuffle'): Permute {
    return new Permute(Array.from(rng.permutation(dim)), name);
  }

  forwardAndLogDet(x: tf.Tensor2D): MappedWithLogDet {
    return { y: tf.gather(x, this.perm, 1) as tf.Tensor2D, logDet: tf.zeros([x.shape[0]]) as tf.Tensor1D };
  }

  inverseAndLogDet(z: tf.Tensor2D): MappedWithLogDet {
    return { y: tf.gather(z, this.inv, 1) as tf.Tensor2D, logDet: tf.zeros([z.shape[0]]) as tf.Tensor1D };
  }
}
