/**
 * Convolutional classifiers of the convolutional-networks notebook: a small LeNet-style CNN and the
 * plain/residual families of the depth experiment, sharing one softmax classifier base.
 */
export { ImageClassifier, crossEntropy } from './classifier';
export { SmallCNN, type SmallCNNConfig } from './small-cnn';
export { DeepCNN, type DeepCNNConfig } from './deep-cnn';
export { ImageDenoiser, type ImageDenoiserConfig, type ImageToImage } from './denoiser';
