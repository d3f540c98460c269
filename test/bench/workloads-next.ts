/**
 * The newer notebooks' main training steps for the benchmark (issue 22 §1), built from the library's own
 * classes so the bench measures what the notebooks run:
 * - `rescnn`: cnn.DeepCNN, residual, 2 blocks (depth 7), batch norm, as in convolutional_networks' depth sweep;
 * - `unet`: diffusion.DDPM with a diffusion.NoiseUNet (channels [16, 32, 32], one ResBlock per level, group
 *   norm, time embedding 32) on 28x28 images, the diffusion notebook's U-Net section;
 * - `gan`: gan.GAN on MNIST-sized rows with the R1 penalty;
 * - `transformer`: transformer.CausalLanguageModel over a TransformerModel with the transformers notebook's
 *   first decoder size (vocabulary 768, context 32, width 64, 4 heads, 2 layers, ReLU MLP 256; the notebook now
 *   trains width 96, about twice the step time). Tokens are embedded by lookup (`gather`), as the notebook and
 *   PyTorch's nn.Embedding do; until 2026-12-05 the bench used the one-hot product, 4-5 ms of a 45 ms step.
 * test/bench/torch_workloads.py has the same models in PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import { GAN } from '../../src/models/gan';
import { DeepCNN } from '../../src/models/cnn';
import { DDPM, NoiseUNet } from '../../src/models/diffusion';
import { CausalLanguageModel, TransformerModel } from '../../src/models/transformer';
import type { Workload } from './workloads';

function binaryImages(rng: Rng, n: number, d: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.less(tf.randomUniform([n, d], 0, 1, 'float32', rng.seed()), 0.13), 'float32')) as tf.Tensor2D;
}

function labels(rng: Rng, n: number, k: number): tf.Tensor1D {
  return tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([n], 0, k, 'float32', rng.seed())), 'int32')) as tf.Tensor1D;
}

/** The transformers notebook's decoder at its first width (64; the notebook now uses 96). */
export const DECODER = { vocabSize: 768, contextLength: 32, dModel: 64, heads: 4, layers: 2 } as const;

export const NEXT_WORKLOADS: Workload[] = [
  {
    name: 'rescnn',
    description: 'cnn.DeepCNN residual, 2 blocks (depth 7), batch norm: conv16/2, 2 pre-act blocks, conv32/2, flatten, dense 10',
    notebook: 'convolutional_networks (depth sweep)',
    notebookFile: 'convolutional_networks',
    batchSize: 128,
    datasetSize: 8000,
    build(rng) {
      const model = new DeepCNN({ blocks: 2, residual: true, rng: rng.fork('model') });
      const x = tf.tidy(() => tf.reshape(binaryImages(rng.fork('x'), 8000, 784), [8000, 28, 28, 1]));
      const data = { x, y: labels(rng.fork('y'), 8000, 10) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 128 }) };
    },
  },
  {
    name: 'unet',
    description: 'diffusion.DDPM with NoiseUNet 28x28: channels [16, 32, 32], ResBlocks with group norm and time embedding, skips',
    notebook: 'diffusion (U-Net section)',
    notebookFile: 'diffusion',
    batchSize: 32,
    datasetSize: 8000,
    build(rng) {
      const net = new NoiseUNet({ height: 28, width: 28, rng: rng.fork('net') });
      const model = new DDPM({ dim: 784, net, rng: rng.fork('model') });
      const data = { x: binaryImages(rng.fork('x'), 8000, 784) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 32 }) };
    },
  },
  {
    name: 'gan',
    description: 'GAN MNIST step: G 64-256-512-784, D 784-512-256-1 (leaky ReLU), R1 penalty, two Adams',
    notebook: 'gan (MNIST section)',
    notebookFile: 'gan',
    batchSize: 64,
    datasetSize: 8000,
    build(rng) {
      const model = new GAN({
        generator: { sizes: [64, 256, 512, 784], activation: 'leakyRelu', outputActivation: 'tanh' },
        discriminator: { sizes: [784, 512, 256, 1], activation: 'leakyRelu' },
        rng: rng.fork('model'),
        loss: 'nonSaturating',
        penalty: { kind: 'r1', weight: 1 },
      });
      const data = { x: tf.tidy(() => tf.sub(tf.mul(binaryImages(rng.fork('x'), 8000, 784), 2), 1)) as tf.Tensor2D };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 64 }) };
    },
  },
  {
    name: 'transformer',
    description: 'transformer.CausalLanguageModel: vocab 768 (embedding lookup, as the notebook), context 32, d 64, 4 heads, 2 blocks, ReLU MLP 256',
    notebook: 'transformers (decoder)',
    notebookFile: 'transformers',
    batchSize: 32,
    datasetSize: 4096,
    build(rng) {
      const model = new CausalLanguageModel(new TransformerModel({ ...DECODER, causal: true, embedding: 'gather', rng: rng.fork('model') }));
      const tokens = tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([4096, DECODER.contextLength + 1], 0, DECODER.vocabSize, 'float32', rng.fork('x').seed())), 'int32'));
      return { model, data: { tokens }, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 32 }) };
    },
  },
];
