/**
 * Bias initialisation for the GAN's networks. `nn.MLP` starts every bias at 0, so every first-layer ReLU
 * kink w^T x + b = 0 passes through the origin: the discriminator's first layer can only cut the plane
 * along lines through 0, and must learn to move them before it can outline small modes away from the
 * origin. PyTorch's `nn.Linear` draws biases from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) instead, which spreads
 * the kinks from the start; 'uniform' does the same.
 */
import * as tf from '@tensorflow/tfjs';
import type { MLP } from '../../nn';
import type { Rng } from '../../runtime/rng';

/** 'zero': the MLP's own zeros; 'uniform': U(-1/sqrt(fan_in), 1/sqrt(fan_in)) per layer (PyTorch's default). */
export type BiasInit = 'zero' | 'uniform';

/** Redraw an MLP's biases as `scheme` says (no-op for 'zero'). */
export function initBiases(net: MLP, scheme: BiasInit, rng: Rng, owner: string): void {
  if (scheme === 'zero') return;
  if (scheme !== 'uniform') throw new Error(`${owner}: biasInit must be 'zero' or 'uniform', got "${String(scheme)}"`);
  net.biases.forEach((b, l) => {
    const limit = 1 / Math.sqrt(net.sizes[l]!);
    tf.tidy(() => b.assign(rng.uniform(b.shape, -limit, limit)));
  });
}
