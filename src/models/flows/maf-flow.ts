/**
 * A masked autoregressive flow (Papamakarios et al. 2017): K MADE-conditioned affine autoregressive
 * layers whose orderings alternate (natural, reversed, natural, ...), so each feature is conditioned
 * on every other one somewhere in the stack. Exact density in one pass per layer; sampling needs D
 * passes per layer.
 */
import type { Rng } from '../../runtime/rng';
import { Flow } from './flow';
import { MAFLayer } from './maf';
import type { Activation } from '../../nn';

export interface MAFConfig {
  /** Number of features D (at least 2). */
  dim: number;
  /** Seeds every layer's initial weights. */
  rng: Rng;
  /** Number of autoregressive layers K. @default 5 */
  numLayers?: number;
  /** Hidden widths of each MADE network. @default [64, 64] */
  hidden?: number[];
  /** Hidden nonlinearity. @default 'relu' */
  activation?: Activation;
  /** Bound on each layer's |alpha|. @default 2 */
  scaleBound?: number;
  /** Start every layer as the identity. @default true */
  zeroInit?: boolean;
}

export class MAF extends Flow {
  constructor(config: MAFConfig) {
    const k = config.numLayers ?? 5;
    if (!Number.isInteger(k) || k < 1) throw new Error(`MAF: numLayers must be a positive integer, got ${config.numLayers}`);
    const natural = [...Array(config.dim).keys()];
    const layers: MAFLayer[] = [];
    for (let i = 0; i < k; i++) {
      layers.push(
        new MAFLayer({
          dim: config.dim,
          rng: config.rng.fork(`maf${i}`),
          hidden: config.hidden ?? [64, 64],
          activation: config.activation ?? 'relu',
          scaleBound: config.scaleBound ?? 2,
          zeroInit: config.zeroInit ?? true,
          order: i % 2 === 0 ? natural : [...natural].reverse(),
          name: `maf ${i + 1}`,
        }),
      );
    }
    super(layers, 'MAF');
  }
}
