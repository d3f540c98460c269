/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with its moments held as `tf.Variable`s the model owns.
 *
 * A GAN updates two players with two optimisers inside its own `trainStep`, so their state is the
 * model's training state: it must be visible to the Trainer's weight cache (`trainingState()`), which
 * needs variables it can read and assign synchronously; tfjs's built-in optimisers hide theirs. The update is
 * the paper's, with the bias corrections folded into the step size:
 *   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
 *   theta <- theta - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps_hat)
 * and eps_hat = eps sqrt(1 - b2^t), which makes it exactly theta - lr m_hat / (sqrt(v_hat) + eps).
 */
import * as tf from '@tensorflow/tfjs';
import { ownedVariable } from '../../nn';
import { adamKernelAvailable, adamUpdate } from '../../runtime/adam-kernel';

export interface AdamConfig {
  /** First-moment decay. @default 0.5 (the GAN default since DCGAN; Adam's paper: 0.9) */
  beta1?: number;
  /** Second-moment decay. @default 0.999 */
  beta2?: number;
  /** @default 1e-8 */
  epsilon?: number;
}

export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  /** Steps taken, as a variable so that a restored state continues the bias correction. */
  private readonly t: tf.Variable<tf.Rank.R0>;

  constructor(
    private readonly params: tf.Variable[],
    config: AdamConfig = {},
  ) {
    this.beta1 = config.beta1 ?? 0.5;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-8;
    for (const [name, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`Adam: ${name} must be in [0, 1), got ${b}`);
    }
    if (!(this.epsilon > 0)) throw new Error(`Adam: epsilon must be > 0, got ${this.epsilon}`);
    this.m = params.map((p) => ownedVariable(() => tf.zerosLike(p), false));
    this.v = params.map((p) => ownedVariable(() => tf.zerosLike(p), false));
    this.t = ownedVariable(tf.scalar(0), false);
  }

  /** One update of every parameter from its gradient (same order as the parameters). */
  apply(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.params.length) throw new Error(`Adam.apply: ${grads.length} gradients for ${this.params.length} parameters`);
    tf.tidy(() => {
      const t = this.steps + 1;
      const c1 = 1 - Math.pow(this.beta1, t);
      const c2 = 1 - Math.pow(this.beta2, t);
      const step = (lr * Math.sqrt(c2)) / c1;
      const epsHat = this.epsilon * Math.sqrt(c2);
      // One kernel per parameter on wasm and cpu, bit for bit the op chain below (src/runtime/adam-kernel.ts).
      const fused = adamKernelAvailable();
      this.params.forEach((p, i) => {
        const g = grads[i]!;
        if (fused) {
          const [p1, m1, v1] = adamUpdate(p, this.m[i]!, this.v[i]!, g, { mode: 'folded', beta1: this.beta1, beta2: this.beta2, epsilon: epsHat, rate: step });
          this.m[i]!.assign(m1);
          this.v[i]!.assign(v1);
          p.assign(p1);
          return;
        }
        const m = tf.add(tf.mul(this.m[i]!, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i]!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        p.assign(tf.sub(p, tf.mul(step, tf.div(m, tf.add(tf.sqrt(v), epsHat)))));
      });
      this.t.assign(tf.scalar(t));
    });
  }

  /** Updates applied so far. */
  get steps(): number {
    return this.t.dataSync()[0]!;
  }

  /** Moments and step count, for the weight cache. */
  state(): tf.Variable[] {
    return [...this.m, ...this.v, this.t];
  }

  dispose(): void {
    for (const v of this.state()) if (!v.isDisposed) v.dispose();
  }
}
