/**
 * Normalizing flows (lecture: flows). An invertible f maps data x to a latent z of the same shape;
 * with a prior p_z, log p_x(x) = log p_z(f(x)) + log |det ∂f(x)/∂x|.
 *
 * Direction convention everywhere: `forward` is data -> latent (the normalising direction, used for
 * density evaluation), `inverse` is latent -> data (sampling), and `logDetJacobian(x)` is
 * log |det ∂f(x)/∂x|. See bijector.ts.
 */
export { Bijector, checkRows, type MappedWithLogDet } from './bijector';
export { standardNormalSample } from './base';
export { ElementwiseAffine, type ElementwiseAffineConfig } from './affine';
export { Planar, type PlanarConfig } from './planar';
export { Permute } from './permute';
export { AffineCoupling, type AffineCouplingConfig } from './coupling';
export { MAFLayer, madeMasks, type MAFLayerConfig } from './maf';
export { conditionerNet, type ConditionerConfig } from './conditioner';
export type { Activation } from '../../nn';
export { Flow, type FlowStep } from './flow';
export { RealNVP, halfMask, type RealNVPConfig } from './realnvp';
export { PlanarFlow, type PlanarFlowConfig } from './planar-flow';
export { MAF, type MAFConfig } from './maf-flow';
export { ReverseKL } from './reverse-kl';
export { targetLogDensity, TARGET_NAMES, type TargetName, type LogDensity } from './targets';
export { densityGrid, densityLine, type DensityGrid, type DensityLine, type GridOptions } from './grid';
export { gaussianBaselineNll } from './baselines';
