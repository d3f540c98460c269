/**
 * Encoder and decoder builders for the models in this folder, over the shared dense network
 * (src/nn/mlp.ts). Init 'auto': He-normal (He et al., 2015) under ReLU-like activations, Glorot-normal
 * (Glorot & Bengio, 2010) otherwise; biases start at zero.
 */
import { type Activation, MLP } from '../../nn';
import type { Rng } from '../../runtime/rng';

/** Encoder builder: `inputDim -> hidden... -> outputDim` with a linear output. */
export function denseEncoder(inputDim: number, hiddenDims: number[], outputDim: number, rng: Rng, activation: Activation = 'relu'): MLP {
  return new MLP({ sizes: [inputDim, ...hiddenDims, outputDim], rng, activation, outputActivation: 'linear', init: 'auto' });
}

/**
 * Decoder builder: `latentDim -> hidden... -> outputDim`, linear output (logits or means): the
 * likelihood, not the network, decides how outputs are read.
 */
export function denseDecoder(latentDim: number, hiddenDims: number[], outputDim: number, rng: Rng, activation: Activation = 'relu'): MLP {
  return new MLP({ sizes: [latentDim, ...hiddenDims, outputDim], rng, activation, outputActivation: 'linear', init: 'auto' });
}
