/**
 * A generative adversarial network (Goodfellow et al. 2014): a generator G and a discriminator D playing
 *
 *   min_G max_D v(G, D) = E_data[log d(x)] + E_z[log(1 - d(G(z)))],    d = sigma(D),
 *
 * trained by alternating gradient steps: `dSteps` discriminator updates on fresh generated batches, then
 * one generator update (Goodfellow et al. 2014, Algorithm 1).
 *
 * Why the GAN owns its training step (`trainStep`, as the RBM does) instead of returning a loss: the shared
 * Trainer differentiates one sum of loss terms with respect to one set of variables and applies one
 * optimiser. A GAN has two players with opposite objectives: D descends -v while G descends its own loss,
 * each on its own variables, with its own optimiser state and learning rate, and in a fixed order (D first,
 * then G against the updated D). One summed loss cannot express "maximise over D, minimise over G", so the
 * model applies both updates itself and returns the terms to log. The Trainer still does everything else:
 * seeded batches of real data, per-step seeds for z, logging, metrics callbacks, progress, resumption.
 *
 * Logged terms (per step, averaged by the Trainer over the epoch):
 *   loss  the discriminator's loss (cross-entropy, -v on the batch; for 'wasserstein' the critic loss),
 *         without the penalty. For the cross-entropy game its value at the optimal D is log 4 - 2 JSD, so
 *         log 4 = 1.386 means the discriminator cannot tell the two apart.
 *   g     the generator's loss; penalty  the input-gradient penalty (if any);
 *   d_real, d_fake  mean d(x) on real and on generated rows (mean critic scores for 'wasserstein').
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { LrSchedule } from '../../train/schedules';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import { requireMatrix, requirePositiveInt } from '../../nn';
import { Adam } from './adam';
import { Discriminator, type DiscriminatorConfig } from './discriminator';
import { Generator, type GeneratorConfig } from './generator';
import { criticLoss, discriminatorLoss, GENERATOR_LOSSES, type GeneratorLossKind, generatorLoss } from './losses';
import { type PenaltyConfig, penaltyTerm } from './penalty';

export interface GANConfig {
  /** The generator's network; `sizes[0]` is the latent size, the last entry the data width. */
  generator: Omit<GeneratorConfig, 'rng'>;
  /** The discriminator's network; `sizes` runs from the data width to 1. */
  discriminator: Omit<DiscriminatorConfig, 'rng'>;
  /** Seeds both networks' initial weights. */
  rng: Rng;
  /** The generator's loss. @default 'nonSaturating' */
  loss?: GeneratorLossKind;
  /** An input-gradient penalty on the discriminator (required with 'wasserstein'). @default none */
  penalty?: PenaltyConfig | null;
  /** Discriminator updates per generator update; the Trainer's batch is split into this many parts. @default 1 */
  dSteps?: number;
  /** Generator learning rate: a number, or a schedule of the global step. @default 2e-4 */
  generatorLr?: number | LrSchedule;
  /** Discriminator learning rate. @default 2e-4 */
  discriminatorLr?: number | LrSchedule;
  /** Adam's first-moment decay for both players. @default 0.5 (Radford et al. 2016) */
  beta1?: number;
  /** Adam's second-moment decay for both players. @default 0.999 */
  beta2?: number;
  /** Name of the batch entry holding the data. @default 'x' */
  inputKey?: string;
}

const lrAt = (lr: number | LrSchedule, step: number): number => (typeof lr === 'function' ? lr(step) : lr);

export class GAN implements Trainable {
  readonly generator: Generator;
  readonly discriminator: Discriminator;
  readonly lossKind: GeneratorLossKind;
  readonly penalty: PenaltyConfig | null;
  readonly dSteps: number;
  readonly inputKey: string;
  private readonly generatorLr: number | LrSchedule;
  private readonly discriminatorLr: number | LrSchedule;
  private readonly optG: Adam;
  private readonly optD: Adam;
  private disposed = false;

  constructor(config: GANConfig) {
    const loss = config.loss ?? 'nonSaturating';
    if (!GENERATOR_LOSSES.includes(loss)) throw new Error(`GAN: loss must be one of ${GENERATOR_LOSSES.join(', ')}, got "${String(loss)}"`);
    const penalty = config.penalty ?? null;
    if (penalty !== null) {
      if (penalty.kind !== 'r1' && penalty.kind !== 'gp') throw new Error(`GAN: penalty.kind must be 'r1' or 'gp', got "${String((penalty as { kind: unknown }).kind)}"`);
      if (!(penalty.weight >= 0)) throw new Error(`GAN: penalty.weight must be >= 0, got ${penalty.weight}`);
    }
    if (loss === 'wasserstein' && penalty?.kind !== 'gp') {
      throw new Error("GAN: loss 'wasserstein' needs penalty { kind: 'gp', weight } (the critic must be kept near 1-Lipschitz)");
    }
    this.dSteps = requirePositiveInt(config.dSteps ?? 1, 'dSteps', 'GAN');
    const gSizes = config.generator?.sizes;
    const dSizes = config.discriminator?.sizes;
    if (!Array.isArray(gSizes)) throw new Error('GAN: generator.sizes is required, e.g. { sizes: [2, 128, 128, 2] } (latent size first)');
    if (!Array.isArray(dSizes)) throw new Error('GAN: discriminator.sizes is required, e.g. { sizes: [2, 128, 128, 1] } (data width first, 1 last)');
    if (gSizes.length > 0 && gSizes[0] !== undefined && !(Number.isInteger(gSizes[0]) && gSizes[0] > 0)) {
      throw new Error(`GAN: generator.sizes[0] (the latent size) must be a positive integer, got ${String(gSizes[0])}`);
    }
    if (dSizes.length > 0 && dSizes[dSizes.length - 1] !== 1) {
      throw new Error(
        `GAN: discriminator.sizes[${dSizes.length - 1}] (the discriminator's output width) must be 1, got ${String(dSizes[dSizes.length - 1])}: ` +
          'the discriminator returns one logit per example',
      );
    }
    if (gSizes[gSizes.length - 1] !== dSizes[0]) {
      throw new Error(
        `GAN: the generator's output width (generator.sizes[${gSizes.length - 1}] = ${String(gSizes[gSizes.length - 1])}) must equal ` +
          `the discriminator's input width (discriminator.sizes[0] = ${String(dSizes[0])})`,
      );
    }
    this.lossKind = loss;
    this.penalty = penalty;
    this.inputKey = config.inputKey ?? 'x';
    this.generatorLr = config.generatorLr ?? 2e-4;
    this.discriminatorLr = config.discriminatorLr ?? 2e-4;
    this.generator = new Generator({ ...config.generator, rng: config.rng.fork('generator') });
    this.discriminator = new Discriminator({ ...config.discriminator, rng: config.rng.fork('discriminator') });
    const adam = { beta1: config.beta1 ?? 0.5, beta2: config.beta2 ?? 0.999 };
    this.optG = new Adam(this.generator.variables(), adam);
    this.optD = new Adam(this.discriminator.variables(), adam);
  }

  get latentDim(): number {
    return this.generator.latentDim;
  }

  get dataDim(): number {
    return this.generator.outputDim;
  }

  /** Generator updates taken so far (read from its optimiser, so a restored training state counts too). */
  get steps(): number {
    return this.optG.steps;
  }

  /** G(z). */
  generate(z: tf.Tensor): tf.Tensor2D {
    return this.generator.generate(z);
  }

  /** n samples G(z), z ~ N(0, I). */
  sample(n: number, rng: Rng): tf.Tensor2D {
    return this.generator.sample(n, rng);
  }

  /** d(x) = sigma(D(x)) per row, [n]. */
  discriminate(x: tf.Tensor): tf.Tensor1D {
    return this.discriminator.prob(x);
  }

  /** The discriminator's loss on a real batch and generated rows (no penalty): -v for the game, or the critic loss. */
  discriminatorLoss(xReal: tf.Tensor2D, xFake: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const lr = this.discriminator.logits(xReal);
      const lf = this.discriminator.logits(xFake);
      return this.lossKind === 'wasserstein' ? criticLoss(lr, lf) : discriminatorLoss(lr, lf);
    });
  }

  /** One round of the game: `dSteps` discriminator updates, then one generator update. */
  trainStep(batch: Batch, ctx: StepContext): LossTerms {
    if (this.disposed) throw new Error('GAN.trainStep: this model was disposed; make a new one');
    const x = batch[this.inputKey];
    if (x === undefined) {
      throw new Error(`GAN.trainStep: the batch has no "${this.inputKey}" (has: ${Object.keys(batch).join(', ')}); train on { ${this.inputKey}: data } or set inputKey`);
    }
    const xr = requireMatrix(x, this.dataDim, 'GAN.trainStep (real data)');
    const n = xr.shape[0];
    const parts = Math.min(this.dSteps, n);
    const size = Math.floor(n / parts);
    const dVars = this.discriminator.variables();
    const gVars = this.generator.variables();
    let dLoss: tf.Scalar | null = null;
    let pen: tf.Scalar | null = null;
    let dReal: tf.Scalar | null = null;
    let dFake: tf.Scalar | null = null;
    for (let k = 0; k < parts; k++) {
      const real = tf.slice(xr, [k * size, 0], [size, this.dataDim]) as tf.Tensor2D;
      const fake = tf.tidy(() => this.generator.generate(this.generator.latent(size, ctx.rng)));
      const { grads } = tf.variableGrads(() => {
        const lr = this.discriminator.logits(real);
        const lf = this.discriminator.logits(fake);
        const base = this.lossKind === 'wasserstein' ? criticLoss(lr, lf) : discriminatorLoss(lr, lf);
        const p = this.penalty === null ? null : penaltyTerm(this.penalty, this.discriminator, real, fake, ctx.rng);
        if (k === parts - 1) {
          // Kept past variableGrads' own scope; moved into the caller's scope below.
          dLoss = tf.keep(base.clone());
          pen = p === null ? null : tf.keep(p.clone());
          const score = (l: tf.Tensor) => (this.lossKind === 'wasserstein' ? tf.mean(l) : tf.mean(tf.sigmoid(l)));
          dReal = tf.keep(score(lr) as tf.Scalar);
          dFake = tf.keep(score(lf) as tf.Scalar);
        }
        return p === null ? base : (tf.add(base, p) as tf.Scalar);
      }, dVars);
      this.optD.apply(dVars.map((v) => grads[v.name]!), lrAt(this.discriminatorLr, ctx.globalStep));
      tf.dispose([real, fake, ...Object.values(grads)]);
    }
    const { value: gLoss, grads: gGrads } = tf.variableGrads(
      () => generatorLoss(this.discriminator.logits(this.generator.generate(this.generator.latent(size, ctx.rng))), this.lossKind),
      gVars,
    );
    this.optG.apply(gVars.map((v) => gGrads[v.name]!), lrAt(this.generatorLr, ctx.globalStep));
    tf.dispose(Object.values(gGrads));
    // Clones belong to the caller's tidy scope (the Trainer's step); the kept originals are freed here.
    const kept = [dLoss!, dReal!, dFake!, pen].filter((t): t is tf.Scalar => t !== null);
    const terms: LossTerms = { loss: dLoss!.clone(), g: gLoss, d_real: dReal!.clone(), d_fake: dFake!.clone() };
    if (pen !== null) terms['penalty'] = (pen as tf.Scalar).clone();
    tf.dispose(kept);
    return terms;
  }

  /** Both networks' weights: the generator's, then the discriminator's. */
  variables(): tf.Variable[] {
    return [...this.generator.variables(), ...this.discriminator.variables()];
  }

  trainableVariables(): tf.Variable[] {
    return this.variables();
  }

  /** Both players' Adam moments and step counts (for the weight cache). */
  trainingState(): tf.Variable[] {
    return [...this.optG.state(), ...this.optD.state()];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generator.dispose();
    this.discriminator.dispose();
    this.optG.dispose();
    this.optD.dispose();
  }
}
