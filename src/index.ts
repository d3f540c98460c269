/**
 * genlab-ts: a study kit for Bayesian and generative deep learning.
 *
 * The public API by topic. Foundation pieces are exported flat (seeding, backend, data, training,
 * plotting, notebook helpers); layers and tools in `nn`, `math`, `optim`, `analysis`, `metrics`; each
 * lecture's models in their own namespace: `bnn`, `vae`, `flows`, `rbm`, `diffusion`, `gan`, `cnn`,
 * `unet`, `transformer`, `pretrain`.
 */
export * from './runtime';
export * from './train';
export * from './data';
export * from './plot';
export * from './notebook';
export * from './tslab';

export * as nn from './nn';
export * as math from './math';

export * as bnn from './models/bayesian';
export * as vae from './models/vae';
export * as flows from './models/flows';
export * as rbm from './models/rbm';
export * as diffusion from './models/diffusion';
export * as unet from './models/unet';

export * as analysis from './analysis';
export * as optim from './optim';
export * as gan from './models/gan';
export * as metrics from './metrics';
export * as transformer from './models/transformer';
export * as pretrain from './models/pretrain';
export * as cnn from './models/cnn';
