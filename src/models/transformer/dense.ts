/** A dense map y = x W + b on the last axis of any-rank x, the projections every transformer part uses. */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { initialWeights } from '../../nn/init';
import { ownedVariable } from '../../nn/variable';

export class Linear {
  readonly W: tf.Variable<tf.Rank.R2>;
  readonly b: tf.Variable<tf.Rank.R1> | null;

  constructor(
    readonly inDim: number,
    readonly outDim: number,
    rng: Rng,
    options: { bias?: boolean; zero?: boolean } = {},
  ) {
    this.W = ownedVariable(() => (options.zero ? tf.zeros([inDim, outDim]) : initialWeights('glorotUniform', inDim, outDim, rng, 'linear')) as tf.Tensor2D);
    this.b = options.bias === false ? null : ownedVariable(tf.zeros([outDim]) as tf.Tensor1D);
  }

  /** x [..., inDim] → [..., outDim], as one 2-D matMul over all leading axes. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      let y = tf.matMul(tf.reshape(x, [-1, this.inDim]) as tf.Tensor2D, this.W);
      if (this.b !== null) y = tf.add(y, this.b);
      return tf.reshape(y, [...lead, this.outDim]);
    });
  }

  variables(): tf.Variable[] {
    return this.b === null ? [this.W] : [this.W, this.b];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
