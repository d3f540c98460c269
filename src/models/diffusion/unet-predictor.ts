/**
 * A U-Net noise predictor g_t(z) for images (DDPM's own choice of network, Ho et al. 2020, appendix B):
 * the diffusion code works on flat rows z ∈ R^D (D = H·W·C), so this reshapes each row to an H × W × C
 * image, runs the time-conditioned U-Net (models/unet) and flattens its answer back. The U-Net's head
 * starts at zero, so the untrained predictor answers ε̂ = 0 and scores exactly E‖ε‖² = D, as the MLP does.
 */
import * as tf from '@tensorflow/tfjs';
import { requirePositiveInt } from '../../nn/validate';
import type { Rng } from '../../runtime/rng';
import { UNet, type UNetConfig } from '../unet/unet';
import type { NoisePredictor } from './network';
import type { Step } from './steps';

export interface NoiseUNetConfig {
  /** Image height H. */
  height: number;
  /** Image width W. */
  width: number;
  /** Image channels C. @default 1 */
  imageChannels?: number;
  /** The U-Net's channels per level. @default [16, 32, 32] (28 → 14 → 7 for MNIST) */
  channels?: number[];
  /** Residual blocks per level. @default 1 */
  blocksPerLevel?: number;
  /** Width of the sinusoidal time embedding. @default 32 */
  timeEmbedDim?: number;
  /** Skip connections. @default true */
  skips?: boolean;
  /** How the encoder halves the resolution. @default 'conv' */
  downsample?: UNetConfig['downsample'];
  /** Seeds the initial weights. */
  rng: Rng;
}

export class NoiseUNet implements NoisePredictor {
  readonly height: number;
  readonly width: number;
  readonly imageChannels: number;
  /** D = H·W·C, the length of a data row. */
  readonly dim: number;
  readonly unet: UNet;

  constructor(config: NoiseUNetConfig) {
    this.height = requirePositiveInt(config.height, 'height', 'NoiseUNet');
    this.width = requirePositiveInt(config.width, 'width', 'NoiseUNet');
    this.imageChannels = requirePositiveInt(config.imageChannels ?? 1, 'imageChannels', 'NoiseUNet');
    this.dim = this.height * this.width * this.imageChannels;
    this.unet = new UNet({
      inChannels: this.imageChannels,
      channels: config.channels ?? [16, 32, 32],
      blocksPerLevel: config.blocksPerLevel,
      timeEmbedDim: config.timeEmbedDim ?? 32,
      skips: config.skips,
      downsample: config.downsample,
      rng: config.rng,
    });
    this.unet.levelSizes(this.height, this.width);
  }

  /** ε̂ for flat images z [n, H·W·C] at step t (one number or an int32 tensor [n]). */
  predict(z: tf.Tensor, t: Step): tf.Tensor {
    if (z.rank !== 2 || z.shape[1] !== this.dim) {
      throw new Error(`NoiseUNet.predict: expected flat images z of shape [n, ${this.dim}] (${this.height}x${this.width}x${this.imageChannels}), got [${z.shape.join(', ')}]`);
    }
    const n = z.shape[0]!;
    return tf.tidy(() => {
      const img = tf.reshape(z, [n, this.height, this.width, this.imageChannels]) as tf.Tensor4D;
      return tf.reshape(this.unet.apply(img, t), [n, this.dim]);
    });
  }

  variables(): tf.Variable[] {
    return this.unet.variables();
  }

  get parameterCount(): number {
    return this.unet.parameterCount;
  }

  dispose(): void {
    this.unet.dispose();
  }
}
