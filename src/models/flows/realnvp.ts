/**
 * RealNVP (Dinh, Sohl-Dickstein & Bengio 2017): a stack of affine coupling layers whose masks alternate,
 * so that every feature is transformed by every other layer, optionally with fixed permutations between
 * the couplings (Sec. 3.5). The model behind the notebook's two-moons density.
 *
 *   x -> coupling_1 -> [permute] -> coupling_2 -> ... -> coupling_K -> z ~ N(0, I)
 *
 * `permutation: 'alternate'` keeps the features in place and alternates the masks (b, 1−b, b, ...): in
 * 2-D this is the same model as a fixed mask with a swap between layers, but every intermediate output
 * stays in the data's own coordinates, which is what the layer-by-layer plots need. `'reverse'` and
 * `'random'` keep one mask and insert `Permute` layers instead (the general "stack with permutations").
 */
import type { Rng } from '../../runtime/rng';
import type { Bijector } from './bijector';
import { AffineCoupling } from './coupling';
import { Flow } from './flow';
import type { Activation } from '../../nn';
import { Permute } from './permute';

export interface RealNVPConfig {
  /** Number of features D (at least 2). */
  dim: number;
  /** Seeds every layer's initial weights (each layer forks its own stream). */
  rng: Rng;
  /** Number of coupling layers K. @default 8 */
  numCouplings?: number;
  /** Hidden widths of each coupling's s/t network. @default [64, 64] */
  hidden?: number[];
  /** Hidden nonlinearity. @default 'relu' */
  activation?: Activation;
  /** Bound on each coupling's |s| (log-scale per layer). @default 2 */
  scaleBound?: number;
  /** How features are mixed between couplings. @default 'alternate' */
  permutation?: 'alternate' | 'reverse' | 'random';
  /** Start every coupling as the identity. @default true */
  zeroInit?: boolean;
}

/** The first-half mask [1, ..., 1, 0, ..., 0] (ceil(D/2) ones), or its complement. */
export function halfMask(dim: number, flip = false): number[] {
  const k = Math.ceil(dim / 2);
  return Array.from({ length: dim }, (_, i) => ((i < k) !== flip ? 1 : 0));
}

export class RealNVP extends Flow {
  readonly config: Readonly<Required<Omit<RealNVPConfig, 'rng'>>>;

  constructor(config: RealNVPConfig) {
    const dim = config.dim;
    if (!Number.isInteger(dim) || dim < 2) throw new Error(`RealNVP: dim must be an integer >= 2 (a coupling needs two groups of features), got ${dim}`);
    const k = config.numCouplings ?? 8;
    if (!Number.isInteger(k) || k < 1) throw new Error(`RealNVP: numCouplings must be a positive integer, got ${config.numCouplings}`);
    const full = {
      dim,
      numCouplings: k,
      hidden: config.hidden ?? [64, 64],
      activation: config.activation ?? ('relu' as Activation),
      scaleBound: config.scaleBound ?? 2,
      permutation: config.permutation ?? ('alternate' as const),
      zeroInit: config.zeroInit ?? true,
    };
    const layers: Bijector[] = [];
    for (let i = 0; i < k; i++) {
      const flip = full.permutation === 'alternate' && i % 2 === 1;
      layers.push(
        new AffineCoupling({
          mask: halfMask(dim, flip),
          rng: config.rng.fork(`coupling${i}`),
          hidden: full.hidden,
          activation: full.activation,
          scaleBound: full.scaleBound,
          zeroInit: full.zeroInit,
          name: `coupling ${i + 1}`,
        }),
      );
      if (i + 1 < k && full.permutation === 'reverse') layers.push(Permute.reverse(dim, `reverse ${i + 1}`));
      if (i + 1 < k && full.permutation === 'random') layers.push(Permute.random(dim, config.rng.fork(`perm${i}`), `shuffle ${i + 1}`));
    }
    super(layers, 'RealNVP');
    this.config = full;
  }
}
