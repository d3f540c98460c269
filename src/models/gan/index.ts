/**
 * Generative adversarial networks (the `gan` namespace).
 *
 * - `GAN`: generator and discriminator from `nn.MLP`, trained by alternating updates through the shared
 *   Trainer (`trainStep`); minimax, non-saturating and Wasserstein losses; R1 and WGAN-GP penalties.
 * - `Generator`, `Discriminator`, the losses, the penalties and the model's own `Adam`.
 * - theory: the optimal discriminator, the game's value and the Jensen-Shannon divergence for known 1-D
 *   densities, by numerical integration.
 * - `trainingMonitor`: a Trainer metrics callback that scores fixed-z samples and keeps frames.
 */
export { GAN, type GANConfig } from './gan';
export { Generator, type GeneratorConfig } from './generator';
export { Discriminator, type DiscriminatorConfig } from './discriminator';
export { discriminatorLoss, criticLoss, generatorLoss, GENERATOR_LOSSES, type GeneratorLossKind } from './losses';
export { inputGradient, inputGradientNorm, r1Penalty, gradientPenalty, penaltyTerm, type PenaltyConfig } from './penalty';
export { Adam, type AdamConfig } from './adam';
export {
  gaussian1d,
  optimalDiscriminator,
  gameValue,
  optimalGameValue,
  jsDivergence,
  simpson,
  type Density1d,
  type IntegrationOptions,
} from './theory';
export { trainingMonitor, type MonitorOptions, type GANFrame, type TrainingMonitor } from './monitor';
export { initBiases, type BiasInit } from './init';
