/**
 * Restricted Boltzmann machines and deep belief nets (the `rbm` namespace).
 *
 * - `BernoulliRBM`, `GaussianBernoulliRBM`: energy, free energy, conditionals, block Gibbs sampling,
 *   CD-k / PCD training through the shared Trainer (`trainStep`), reconstruction error, pseudo-likelihood.
 * - `exactLogZ`, `exactVisibleDistribution`, `exactGradient`: enumeration oracles for small models.
 * - `ais`: annealed importance sampling for log Z (Salakhutdinov & Murray 2008) with error bars.
 * - `BoltzmannMachine`: the general (fully connected) machine, exact and Gibbs-sampled learning rule;
 *   with `layeredMask`, a deep Boltzmann machine small enough to enumerate.
 * - `DBN`: greedy layer-wise stacking, up-pass features, top-down sampling; `MLPClassifier.fromDBN`
 *   for supervised fine-tuning.
 */
export { RBM, type RBMConfig, type RBMGradient, type RBMParams } from './rbm';
export { BernoulliRBM, baseRateBiases, type BernoulliRBMConfig } from './bernoulli';
export { GaussianBernoulliRBM, type GaussianBernoulliRBMConfig } from './gaussian';
export {
  binaryStates,
  stateIndex,
  empiricalDistribution,
  totalVariation,
  exactLogZ,
  exactLogProb,
  exactVisibleDistribution,
  exactGradient,
  MAX_ENUMERATED_UNITS,
} from './enumerate';
export { ais, aisBetas, averageLogLikelihood, type AISOptions, type AISResult } from './ais';
export { DBN, type DBNConfig, type DBNLayerConfig, type GreedyOptions } from './dbn';
export { MLPClassifier, type MLPClassifierConfig } from './classifier';
export { BoltzmannMachine, layeredMask, MAX_BM_UNITS, type BoltzmannMachineConfig, type PairStatistics } from './boltzmann';
