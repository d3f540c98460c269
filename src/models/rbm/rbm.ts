/**
 * The restricted Boltzmann machine, shared by its Bernoulli-Bernoulli and Gaussian-Bernoulli variants.
 *
 * An RBM is an energy-based model p(v, h) = exp(-E(v, h)) / Z with no connections inside a layer, so both
 * conditionals factorise (Smolensky 1986; Hinton 2002):
 *
 *   p(h_j = 1 | v) = sigma(c_j + sum_i vhat_i W_ij)          (vhat = v, or v / sigma_v for Gaussian visibles)
 *
 * and p(v | h) is a product over visibles whose form the subclass fixes. Z is intractable; the
 * log-likelihood gradient is <vhat h>_data - <vhat h>_model ("Hebbian learning and forgetting"). The
 * model term is estimated from Gibbs chains: contrastive divergence CD-k starts k block-Gibbs steps at
 * the data (Hinton 2002); persistent CD (PCD, Tieleman 2008) keeps the chains between updates. The update
 * follows Hinton's practical guide (UTML TR 2010-003): weights ~ N(0, 0.01^2), momentum 0.5 for the first
 * epochs then 0.9, L2 weight decay on W only, hidden probabilities (not samples) in the statistics.
 *
 * CD follows no loss gradient, so the model plugs into the shared Trainer through `trainStep`: it applies
 * its own update and returns the terms to log (`recon`, the squared reconstruction error per example).
 * The learning rate, momentum and weight decay live in the model's config, not in the Trainer's.
 */
import * as tf from '@tensorflow/tfjs';
import { ownedVariable } from '../../nn';
import type { Rng } from '../../runtime/rng';
import type { LrSchedule } from '../../train/schedules';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';

/** Training and size settings shared by every RBM. */
export interface RBMConfig {
  /** Number of visible units. */
  nVisible: number;
  /** Number of hidden units. */
  nHidden: number;
  /** Seeds the initial weights and (PCD) the initial persistent chains. */
  rng: Rng;
  /** Gibbs steps per update (the k of CD-k / PCD-k). @default 1 */
  k?: number;
  /** Persistent contrastive divergence: keep the negative chains between updates (Tieleman 2008). @default false */
  persistent?: boolean;
  /** Number of persistent chains (PCD only; the negative statistics average over them). @default 100 */
  nChains?: number;
  /** Step size on the averaged statistics: a number, or a schedule of the global step. @default 0.1 (Bernoulli), 0.005 (Gaussian) */
  learningRate?: number | LrSchedule;
  /** Momentum after `momentumSwitchEpoch` epochs. @default 0.9 */
  momentum?: number;
  /** Momentum for the first `momentumSwitchEpoch` epochs, while the weights move a lot. @default 0.5 */
  initialMomentum?: number;
  /** Epoch (0-based) from which `momentum` replaces `initialMomentum`. @default 5 */
  momentumSwitchEpoch?: number;
  /** L2 weight decay on W (not on biases), as in Hinton's guide. @default 2e-4 */
  weightDecay?: number;
  /** Standard deviation of the initial weights. @default 0.01 */
  initStd?: number;
  /** Name of the batch entry holding the visible data. @default 'x' */
  inputKey?: string;
}

/** CD/PCD estimate of the log-likelihood gradient (positive minus negative statistics, batch-averaged). */
export interface RBMGradient {
  /** d log p / dW estimate, [nVisible, nHidden]. */
  dW: tf.Tensor2D;
  /** d log p / db estimate (visible biases), [nVisible]. */
  db: tf.Tensor1D;
  /** d log p / dc estimate (hidden biases), [nHidden]. */
  dc: tf.Tensor1D;
}

/** Everything needed to rebuild or copy an RBM's parameters. */
export interface RBMParams {
  W: tf.Tensor2D;
  b: tf.Tensor1D;
  c: tf.Tensor1D;
}

/** The settings with their defaults filled in (the seed is used once, not kept). */
type Resolved = Required<Omit<RBMConfig, 'learningRate' | 'rng'>> & { learningRate: number | LrSchedule };

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`RBM config: ${name} must be a positive integer, got ${v}`);
}

export abstract class RBM implements Trainable {
  readonly config: Resolved;
  /** Weights W [nVisible, nHidden]. */
  W!: tf.Variable<tf.Rank.R2>;
  /** Visible biases b [nVisible]. */
  b!: tf.Variable<tf.Rank.R1>;
  /** Hidden biases c [nHidden]. */
  c!: tf.Variable<tf.Rank.R1>;
  /** Momentum buffers ("velocities") of W, b, c. */
  private vel: tf.Variable[] = [];
  /** PCD's persistent negative chains (visible states) [nChains, nVisible]; null for CD. */
  protected chains: tf.Variable<tf.Rank.R2> | null = null;
  private disposed = false;

  /** Validates the config; the subclass then calls `reset(config.rng)` once its own fields (e.g. sigma) exist. */
  protected constructor(config: RBMConfig, defaultLearningRate: number) {
    const { rng: _rng, ...settings } = config;
    this.config = {
      k: 1,
      persistent: false,
      nChains: 100,
      momentum: 0.9,
      initialMomentum: 0.5,
      momentumSwitchEpoch: 5,
      weightDecay: 2e-4,
      initStd: 0.01,
      inputKey: 'x',
      ...settings,
      learningRate: config.learningRate ?? defaultLearningRate,
    };
    const c = this.config;
    positiveInt('nVisible', c.nVisible);
    positiveInt('nHidden', c.nHidden);
    positiveInt('k', c.k);
    positiveInt('nChains', c.nChains);
    if (!(c.weightDecay >= 0)) throw new Error(`RBM config: weightDecay must be >= 0, got ${c.weightDecay}`);
    for (const m of ['momentum', 'initialMomentum'] as const) {
      if (!(c[m] >= 0 && c[m] < 1)) throw new Error(`RBM config: ${m} must be in [0, 1), got ${c[m]}`);
    }
  }

  get nVisible(): number {
    return this.config.nVisible;
  }
  get nHidden(): number {
    return this.config.nHidden;
  }

  /**
   * (Re-)initialise weights (N(0, initStd^2)), biases (zero), momentum buffers and, for PCD, the
   * persistent chains. Frees whatever the model held before.
   */
  reset(rng: Rng): void {
    this.freeState();
    const { nVisible: nv, nHidden: nh } = this.config;
    this.W = ownedVariable(() => tf.mul(rng.randn([nv, nh]), this.config.initStd) as tf.Tensor2D);
    this.b = ownedVariable(() => tf.zeros([nv]) as tf.Tensor1D);
    this.c = ownedVariable(() => tf.zeros([nh]) as tf.Tensor1D);
    this.vel = [ownedVariable(() => tf.zeros([nv, nh]), false), ownedVariable(() => tf.zeros([nv]), false), ownedVariable(() => tf.zeros([nh]), false)];
    if (this.config.persistent) {
      this.chains = ownedVariable(() => this.initialChains(this.config.nChains, rng), false);
    }
    this.disposed = false;
  }

  /** Start states for new chains (PCD, samplers): a draw from p(v | h = 0). */
  initialChains(n: number, rng: Rng): tf.Tensor2D {
    return tf.tidy(() => this.sampleVisible(tf.zeros([n, this.nHidden]) as tf.Tensor2D, rng));
  }

  /** Restart PCD's persistent chains from p(v | h = 0) (no-op for CD). */
  resetChains(rng: Rng): void {
    if (this.chains) this.chains.assign(this.initialChains(this.config.nChains, rng));
  }

  // ---- the energy and its conditionals (subclasses fix the visible side) ----

  /** Visible input to the hidden units: v for binary visibles, v / sigma for Gaussian ones. */
  protected abstract scaledVisible(v: tf.Tensor2D): tf.Tensor2D;
  /** d(-E)/db per example: v for binary visibles, (v - b) / sigma^2 for Gaussian ones. */
  protected abstract visibleBiasStat(v: tf.Tensor2D): tf.Tensor2D;
  /** E[v | h], [B, nVisible]. */
  abstract visibleMean(h: tf.Tensor2D): tf.Tensor2D;
  /** A draw from p(v | h), [B, nVisible]. */
  abstract sampleVisible(h: tf.Tensor2D, rng: Rng): tf.Tensor2D;
  /** E(v, h) per example, [B]. */
  abstract energy(v: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor1D;
  /** F(v) = -log sum_h exp(-E(v, h)) per example, [B]. */
  abstract freeEnergy(v: tf.Tensor2D): tf.Tensor1D;

  /** Hidden pre-activations c + vhat W, [B, nHidden]. */
  hiddenInput(v: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(this.scaledVisible(v), this.W), this.c));
  }

  /** p(h_j = 1 | v) = sigma(c_j + vhat^T W_:j), [B, nHidden]. */
  hiddenProbs(v: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.hiddenInput(v)));
  }

  /** A draw from p(h | v), [B, nHidden]. */
  sampleHidden(v: tf.Tensor2D, rng: Rng): tf.Tensor2D {
    return tf.tidy(() => rng.bernoulli(this.hiddenProbs(v)) as tf.Tensor2D);
  }

  /** `steps` block-Gibbs steps v -> h -> v from v0 (each row an independent chain). */
  gibbs(v0: tf.Tensor2D, steps: number, rng: Rng): tf.Tensor2D {
    this.checkVisible(v0, 'gibbs');
    let v = tf.clone(v0);
    for (let t = 0; t < steps; t++) {
      const next = tf.tidy(() => this.sampleVisible(this.sampleHidden(v, rng), rng));
      v.dispose();
      v = next;
    }
    return v;
  }

  /**
   * Run chains from v0 and record frames: `frames` snapshots, `every` Gibbs steps apart, each the
   * visible mean E[v | h] of the current hidden state (smoother to look at than binary samples).
   * Returns [frames, B, nVisible].
   */
  chainFrames(v0: tf.Tensor2D, opts: { frames: number; every: number; rng: Rng }): tf.Tensor3D {
    this.checkVisible(v0, 'chainFrames');
    const out: tf.Tensor2D[] = [];
    let v = tf.clone(v0);
    try {
      for (let f = 0; f < opts.frames; f++) {
        for (let t = 0; t < opts.every; t++) {
          const last = t === opts.every - 1;
          const h = this.sampleHidden(v, opts.rng);
          const next = this.sampleVisible(h, opts.rng);
          if (last) out.push(this.visibleMean(h));
          h.dispose();
          v.dispose();
          v = next;
        }
      }
      return tf.stack(out) as tf.Tensor3D;
    } finally {
      v.dispose();
      out.forEach((t) => t.dispose());
    }
  }

  /** Squared error sum_i (v_i - E[v_i | h])^2 per example, h ~ p(h | v): the usual "reconstruction error". */
  reconstructionError(v: tf.Tensor2D, rng: Rng): tf.Tensor1D {
    this.checkVisible(v, 'reconstructionError');
    return tf.tidy(() => tf.sum(tf.squaredDifference(v, this.visibleMean(this.sampleHidden(v, rng))), 1) as tf.Tensor1D);
  }

  // ---- learning ----

  /**
   * The CD-k (or PCD-k) estimate of the log-likelihood gradient on a batch, without updating anything:
   * <vhat h>_data - <vhat h>_k, with hidden probabilities in both terms (Rao-Blackwellised over h).
   * The negative chain samples the visibles, so as k grows the estimate tends to the exact gradient.
   * With PCD the chains start from (and are advanced in) the persistent state, not from the batch.
   */
  gradient(v0: tf.Tensor2D, rng: Rng): RBMGradient & { recon: tf.Tensor1D } {
    this.checkVisible(v0, 'gradient');
    return tf.tidy(() => {
      const ph0 = this.hiddenProbs(v0);
      const h0 = rng.bernoulli(ph0) as tf.Tensor2D;
      const recon = tf.sum(tf.squaredDifference(v0, this.visibleMean(h0)), 1) as tf.Tensor1D;
      let h = this.chains ? (rng.bernoulli(this.hiddenProbs(this.chains)) as tf.Tensor2D) : h0;
      let vk: tf.Tensor2D = v0;
      let phk: tf.Tensor2D = ph0;
      for (let t = 0; t < this.config.k; t++) {
        vk = this.sampleVisible(h, rng);
        phk = this.hiddenProbs(vk);
        if (t < this.config.k - 1) h = rng.bernoulli(phk) as tf.Tensor2D;
      }
      if (this.chains) this.chains.assign(vk);
      const n0 = v0.shape[0];
      const nk = vk.shape[0];
      const dW = tf.sub(
        tf.div(tf.matMul(this.scaledVisible(v0), ph0, true, false), n0),
        tf.div(tf.matMul(this.scaledVisible(vk), phk, true, false), nk),
      ) as tf.Tensor2D;
      const db = tf.sub(tf.mean(this.visibleBiasStat(v0), 0), tf.mean(this.visibleBiasStat(vk), 0)) as tf.Tensor1D;
      const dc = tf.sub(tf.mean(ph0, 0), tf.mean(phk, 0)) as tf.Tensor1D;
      return { dW, db, dc, recon };
    });
  }

  /** Learning rate at a global step. */
  learningRateAt(globalStep: number): number {
    const lr = this.config.learningRate;
    return typeof lr === 'function' ? lr(globalStep) : lr;
  }

  /**
   * One CD/PCD update with momentum and weight decay (Hinton's guide, sections 9-10):
   *   velocity <- m * velocity + lr * (gradient - lambda * W);   theta <- theta + velocity.
   */
  trainStep(batch: Batch, ctx: StepContext): LossTerms {
    if (this.disposed) throw new Error('RBM.trainStep: this model was disposed; call reset(rng) or make a new one');
    const v0 = this.input(batch, 'trainStep');
    const { dW, db, dc, recon } = this.gradient(v0, ctx.rng);
    const lr = this.learningRateAt(ctx.globalStep);
    const m = ctx.epoch < this.config.momentumSwitchEpoch ? this.config.initialMomentum : this.config.momentum;
    const [vW, vb, vc] = this.vel as [tf.Variable, tf.Variable, tf.Variable];
    vW.assign(tf.add(tf.mul(vW, m), tf.mul(tf.sub(dW, tf.mul(this.W, this.config.weightDecay)), lr)));
    vb.assign(tf.add(tf.mul(vb, m), tf.mul(db, lr)));
    vc.assign(tf.add(tf.mul(vc, m), tf.mul(dc, lr)));
    this.W.assign(tf.add(this.W, vW));
    this.b.assign(tf.add(this.b, vb));
    this.c.assign(tf.add(this.c, vc));
    return { recon: tf.mean(recon) as tf.Scalar };
  }

  /** Validation terms: mean reconstruction error (subclasses add more). */
  evalTerms(batch: Batch, ctx: StepContext): LossTerms {
    return { recon: tf.mean(this.reconstructionError(this.input(batch, 'evalTerms'), ctx.rng)) as tf.Scalar };
  }

  /**
   * Set the visible biases from data. Bernoulli: b_i = log(p_i / (1 - p_i)) of the pixel marginals
   * (Hinton's guide, section 8); Gaussian: b_i = mean of v_i.
   */
  abstract initVisibleBiases(x: tf.Tensor2D): void;

  /** Copies of W, b, c (the caller disposes them). */
  params(): RBMParams {
    return { W: tf.clone(this.W), b: tf.clone(this.b), c: tf.clone(this.c) };
  }

  /** Overwrite W, b, c (shapes must match). */
  setParams(p: Partial<RBMParams>): void {
    const check = (name: string, t: tf.Tensor | undefined, want: number[]): void => {
      if (t && (t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i]))) {
        throw new Error(`RBM.setParams: ${name} has shape [${t.shape}], expected [${want}]`);
      }
    };
    check('W', p.W, [this.nVisible, this.nHidden]);
    check('b', p.b, [this.nVisible]);
    check('c', p.c, [this.nHidden]);
    if (p.W) this.W.assign(p.W);
    if (p.b) this.b.assign(p.b);
    if (p.c) this.c.assign(p.c);
  }

  variables(): tf.Variable[] {
    return [this.W, this.b, this.c];
  }

  trainableVariables(): tf.Variable[] {
    return this.variables();
  }

  /** Momentum buffers and PCD's chains: training state beyond the weights (for the weight cache). */
  trainingState(): tf.Variable[] {
    return this.chains ? [...this.vel, this.chains] : [...this.vel];
  }

  dispose(): void {
    this.freeState();
    this.disposed = true;
  }

  private freeState(): void {
    const all: (tf.Variable | null | undefined)[] = [this.W, this.b, this.c, ...this.vel, this.chains];
    for (const v of all) if (v && !v.isDisposed) v.dispose();
    this.vel = [];
    this.chains = null;
  }

  /** The visible batch from a Trainer batch, with a clear error when the key or the width is wrong. */
  protected input(batch: Batch, where: string): tf.Tensor2D {
    const key = this.config.inputKey;
    const x = batch[key];
    if (x === undefined) {
      throw new Error(`RBM.${where}: the batch has no "${key}" (has: ${Object.keys(batch).join(', ')}); train on { ${key}: data } or set config.inputKey`);
    }
    this.checkVisible(x, where);
    return x as tf.Tensor2D;
  }

  protected checkVisible(v: tf.Tensor, where: string): void {
    if (v.rank !== 2 || v.shape[1] !== this.nVisible) {
      throw new Error(`RBM.${where}: expected visible data of shape [batch, ${this.nVisible}], got [${v.shape}] (flatten images to rows first)`);
    }
  }

  protected checkHidden(h: tf.Tensor, where: string): void {
    if (h.rank !== 2 || h.shape[1] !== this.nHidden) {
      throw new Error(`RBM.${where}: expected hidden states of shape [batch, ${this.nHidden}], got [${h.shape}]`);
    }
  }
}
