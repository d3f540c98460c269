/**
 * tf.train.adam with one kernel per variable per step (src/runtime/adam-kernel.ts) on the wasm and cpu
 * backends: the same class (`getClassName()` is 'Adam'), the same state (`getWeights`/`setWeights`,
 * accumulated β powers) and bit for bit the same updates; other backends run the stock op chain.
 * The Trainer's `optimizer: 'adam'` makes one of these.
 */
import * as tf from '@tensorflow/tfjs';
import { adamKernelAvailable, adamUpdate } from '../runtime/adam-kernel';

/** The fields of tf.AdamOptimizer that the update reads and writes (TypeScript-private there). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * @param learningRate α. @default 0.001
   * @param beta1 @default 0.9
   * @param beta2 @default 0.999
   * @param epsilon @default the backend's epsilon (1e-7), as tf.train.adam
   */
  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super(learningRate, beta1, beta2, epsilon as number);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!adamKernelAvailable()) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      const c1 = tf.sub(1, self.accBeta1) as tf.Scalar;
      const c2 = tf.sub(1, self.accBeta2) as tf.Scalar;
      const attrs = { mode: 'tfjs' as const, beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, rate: self.learningRate };
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient: tf.Tensor | undefined = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i]!.variable;
        const v = self.accumulatedSecondMoment[i]!.variable;
        const [x1, m1, v1] = adamUpdate(value, m, v, gradient, attrs, c1, c2);
        m.assign(m1);
        v.assign(v1);
        value.assign(x1);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }
}
