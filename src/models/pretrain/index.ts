/**
 * Greedy layer-wise pre-training and the networks it initialises (the `pretrain` namespace), for the
 * representation-learning notebook:
 *
 * - `StackedAutoencoder`: denoising autoencoders trained one layer at a time through the shared Trainer.
 * - `DeepClassifier`: a trunk with one softmax head per task, dropout, a frozen-trunk switch, and exact
 *   copies of pre-trained layers (`fromStackedAutoencoder`, `fromDBN`, `loadTrunk`, `copyTrunkFrom`).
 */
export { StackedAutoencoder, type StackedAutoencoderConfig, type StackedFitOptions } from './stacked-autoencoder';
export { DeepClassifier, type DeepClassifierConfig } from './deep-classifier';
export type { DenseLayer } from './dense-layer';
