/**
 * A stack of K planar layers (Rezende & Mohamed 2015, Sec. 4.1): the flow that "bends a Gaussian".
 * Samples are made as z_0 ~ N(0, I), x = z_K = f_K(... f_1(z_0)) with each f_k the closed-form planar
 * map; log q(x) = log N(z_0) − Σ_k log |1 + û_kᵀψ_k(z_{k−1})| (Eq. 13). Fit it to an unnormalised target
 * with `ReverseKL` (reverse-kl.ts). Its density at arbitrary points (`logProb`) uses each layer's
 * root-finding inverse, fine for plots and checks.
 *
 * In this folder's convention (`Flow.layers` in data -> latent order), the generative layer applied
 * first to z_0 is the last entry of `layers`.
 */
import type { Rng } from '../../runtime/rng';
import { Flow } from './flow';
import { Planar } from './planar';

export interface PlanarFlowConfig {
  /** Number of features D. */
  dim: number;
  /** Seeds each layer's initial u and w. */
  rng: Rng;
  /** Number of planar layers K. @default 8 */
  numLayers?: number;
  /** Standard deviation of the initial u and w. @default 0.5 */
  initStd?: number;
}

export class PlanarFlow extends Flow {
  constructor(config: PlanarFlowConfig) {
    const k = config.numLayers ?? 8;
    if (!Number.isInteger(k) || k < 1) throw new Error(`PlanarFlow: numLayers must be a positive integer, got ${config.numLayers}`);
    const layers: Planar[] = [];
    for (let i = 0; i < k; i++) {
      layers.push(new Planar({ dim: config.dim, rng: config.rng.fork(`planar${i}`), initStd: config.initStd ?? 0.5, name: `planar ${k - i}` }));
    }
    super(layers, 'PlanarFlow');
  }
}
