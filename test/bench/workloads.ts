/**
 * The training workloads the benchmark times: each notebook's main training run (the kit's own model
 * class and the shared Trainer, with the model size and batch size of the notebook's full profile),
 * plus a plain MLP (the "MLP training step" target) and a small CNN (trains on `wasm` only
 * with the kernels of src/runtime/wasm-kernels.ts).
 *
 * Data: random tensors of the real data's shape and type (binary MNIST-sized images, standardised
 * wine-sized tables, 2-D point clouds). Speed depends on shapes, not values, and the benchmark should
 * not depend on data files.
 */
import * as tf from '@tensorflow/tfjs';
import { seed, type Rng } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import type { Batch, Dataset, LossTerms, StepContext, Trainable } from '../../src/train/types';
import { BayesianMLP } from '../../src/models/bayesian';
import { VAE } from '../../src/models/vae';
import { RealNVP } from '../../src/models/flows';
import { BernoulliRBM } from '../../src/models/rbm';
import { DDPM } from '../../src/models/diffusion';
import { NEXT_WORKLOADS } from './workloads-next';

export interface Workload {
  /** Short name used by `--only` and in the JSON. */
  name: string;
  /** What it is, for the table. */
  description: string;
  /** Which notebook's main training run this stands for. */
  notebook: string;
  /**
   * The notebook (name without .ipynb) whose backend preference decides where this workload runs once the native
   * backend is installed (the bench's "native installed" column); null: none, the automatic rule decides.
   */
  notebookFile: string | null;
  batchSize: number;
  /** Training-set size N (steps per epoch = ceil(N / batch)). */
  datasetSize: number;
  /** Make the model, its data and its trainer on the active backend. */
  build(rng: Rng): { model: Trainable; data: Dataset; trainer: Trainer };
}

/** Binary images, like binarised MNIST. */
function binaryImages(rng: Rng, n: number, d: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.less(tf.randomUniform([n, d], 0, 1, 'float32', rng.seed()), 0.13), 'float32')) as tf.Tensor2D;
}

function normal(rng: Rng, shape: number[]): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', rng.seed());
}

/** A plain dense classifier from raw tfjs ops (the "MLP training step"). */
export class PlainMLP implements Trainable {
  private readonly weights: tf.Variable[] = [];
  constructor(
    private readonly widths: number[],
    rng: Rng,
  ) {
    for (let i = 0; i + 1 < widths.length; i++) {
      const [a, b] = [widths[i]!, widths[i + 1]!];
      this.weights.push(tf.variable(tf.mul(normal(rng.fork(`W${i}`), [a, b]), Math.sqrt(2 / a))));
      this.weights.push(tf.variable(tf.zeros([b])));
    }
  }
  variables(): tf.Variable[] {
    return this.weights;
  }
  loss(batch: Batch): LossTerms {
    let h = batch['x']!;
    const layers = this.weights.length / 2;
    for (let i = 0; i < layers; i++) {
      h = tf.add(tf.matMul(h, this.weights[2 * i]!), this.weights[2 * i + 1]!);
      if (i + 1 < layers) h = tf.relu(h);
    }
    return { xent: tf.losses.softmaxCrossEntropy(batch['y']!, h) as tf.Scalar };
  }
  dispose(): void {
    tf.dispose(this.weights);
  }
}

/** conv 3x3x16 /2 -> conv 3x3x32 /2 -> dense 10 on 28x28x1 images. */
export class SmallCNN implements Trainable {
  private readonly w: tf.Variable[];
  constructor(rng: Rng) {
    this.w = [
      tf.variable(tf.mul(normal(rng.fork('c1'), [3, 3, 1, 16]), Math.sqrt(2 / 9))),
      tf.variable(tf.zeros([16])),
      tf.variable(tf.mul(normal(rng.fork('c2'), [3, 3, 16, 32]), Math.sqrt(2 / 144))),
      tf.variable(tf.zeros([32])),
      tf.variable(tf.mul(normal(rng.fork('d'), [7 * 7 * 32, 10]), Math.sqrt(1 / (7 * 7 * 32)))),
      tf.variable(tf.zeros([10])),
    ];
  }
  variables(): tf.Variable[] {
    return this.w;
  }
  loss(batch: Batch): LossTerms {
    const [c1, b1, c2, b2, d, bd] = this.w as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const x = tf.reshape(batch['x']!, [-1, 28, 28, 1]) as tf.Tensor4D;
    const h1 = tf.relu(tf.add(tf.conv2d(x, c1 as tf.Tensor4D, 2, 'same'), b1)) as tf.Tensor4D;
    const h2 = tf.relu(tf.add(tf.conv2d(h1, c2 as tf.Tensor4D, 2, 'same'), b2));
    const logits = tf.add(tf.matMul(tf.reshape(h2, [-1, 7 * 7 * 32]), d), bd);
    return { xent: tf.losses.softmaxCrossEntropy(batch['y']!, logits) as tf.Scalar };
  }
  dispose(): void {
    tf.dispose(this.w);
  }
}

function oneHotLabels(rng: Rng, n: number, k: number): tf.Tensor2D {
  return tf.tidy(() => {
    const labels = tf.cast(tf.floor(tf.randomUniform([n], 0, k, 'float32', rng.seed())), 'int32') as tf.Tensor1D;
    return tf.cast(tf.oneHot(labels, k), 'float32') as tf.Tensor2D;
  });
}

/** Only the needed fields of StepContext are read by the models; the Trainer supplies the rest. */
export type { StepContext };

export const WORKLOADS: Workload[] = [
  {
    name: 'mlp',
    description: 'MLP 784-512-256-10, softmax, Adam',
    notebook: '(issue target: MLP training step)',
    notebookFile: null,
    batchSize: 128,
    datasetSize: 8000,
    build(rng) {
      const model = new PlainMLP([784, 512, 256, 10], rng.fork('model'));
      const data = { x: binaryImages(rng.fork('x'), 8000, 784), y: oneHotLabels(rng.fork('y'), 8000, 10) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 128 }) };
    },
  },
  {
    name: 'bnn',
    description: 'BayesianMLP 11-32-32-2 (gaussian head), K=8 weight samples, ELBO',
    notebook: 'bayesian',
    notebookFile: 'bayesian_neural_networks_wine',
    batchSize: 256,
    datasetSize: 4898,
    build(rng) {
      const model = new BayesianMLP({ inputDim: 11, hidden: [32, 32], head: 'gaussian', trainSamples: 8, rng: rng.fork('model') });
      const data = { x: normal(rng.fork('x'), [4898, 11]), y: normal(rng.fork('y'), [4898, 1]) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 256, learningRate: 1e-2 }) };
    },
  },
  {
    name: 'vae',
    description: 'VAE 784-512-16 (bernoulli), ELBO',
    notebook: 'vae',
    notebookFile: 'var_mod',
    batchSize: 128,
    datasetSize: 8000,
    build(rng) {
      const model = new VAE({ inputDim: 784, latentDim: 16, hiddenDims: [512], rng: rng.fork('model') });
      const data = { x: binaryImages(rng.fork('x'), 8000, 784) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 128 }) };
    },
  },
  {
    name: 'vae2d',
    description: 'VAE 784-256-2 (bernoulli), ELBO',
    notebook: 'vae',
    notebookFile: 'var_mod',
    batchSize: 128,
    datasetSize: 8000,
    build(rng) {
      const model = new VAE({ inputDim: 784, latentDim: 2, hiddenDims: [256], rng: rng.fork('model') });
      const data = { x: binaryImages(rng.fork('x'), 8000, 784) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 128 }) };
    },
  },
  {
    name: 'flows',
    description: 'RealNVP 2-D, 8 affine couplings with 2-64-64-4 s/t MLPs, NLL',
    notebook: 'flows',
    notebookFile: 'flows',
    batchSize: 256,
    datasetSize: 8192,
    build(rng) {
      const model = new RealNVP({ dim: 2, numCouplings: 8, hidden: [64, 64], rng: rng.fork('model') });
      const data = { x: normal(rng.fork('x'), [8192, 2]) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 256 }) };
    },
  },
  {
    name: 'rbm',
    description: 'BernoulliRBM 784x64, CD-1',
    notebook: 'RBM',
    notebookFile: 'RBM',
    batchSize: 100,
    datasetSize: 8000,
    build(rng) {
      const model = new BernoulliRBM({ nVisible: 784, nHidden: 64, k: 1, rng: rng.fork('model') });
      const data = { x: binaryImages(rng.fork('x'), 8000, 784) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 100 }) };
    },
  },
  {
    name: 'diffusion',
    description: 'DDPM eps-MLP 3x128 (SiLU, time embedding 32), 2-D data, T=1000',
    notebook: 'diffusion',
    notebookFile: 'diffusion',
    batchSize: 512,
    datasetSize: 8192,
    build(rng) {
      const model = new DDPM({ dim: 2, hidden: [128, 128, 128], rng: rng.fork('model') });
      const data = { x: normal(rng.fork('x'), [8192, 2]) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 512 }) };
    },
  },
  {
    name: 'cnn',
    description: 'CNN conv3x3x16/2-conv3x3x32/2-dense10 on 28x28',
    notebook: '(wasm training kernels)',
    notebookFile: 'convolutional_networks',
    batchSize: 64,
    datasetSize: 8000,
    build(rng) {
      const model = new SmallCNN(rng.fork('model'));
      const data = { x: binaryImages(rng.fork('x'), 8000, 784), y: oneHotLabels(rng.fork('y'), 8000, 10) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 64 }) };
    },
  },
];

// The next notebooks' workloads (residual CNN, U-Net, GAN, transformer): see workloads-next.ts.
WORKLOADS.push(...NEXT_WORKLOADS);

export function workloadRng(name: string): Rng {
  return seed(`bench/${name}`);
}
