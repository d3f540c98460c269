/**
 * The optimisers of the lecture on plain float64 parameter vectors, written once and tested against
 * closed-form trajectories: gradient descent (and SGD through `minibatchGradient`), momentum,
 * Nesterov momentum, Adam (with or without bias correction), plus gradient flow and the modified loss
 * of gradient descent's implicit regularisation.
 */
export { optimize, type ArrayOptimizer, type GradientFn } from './optimizer';
export { GradientDescent } from './gradient-descent';
export { Momentum } from './momentum';
export { Nesterov } from './nesterov';
export { Adam, type AdamOptions } from './adam';
export { minibatchGradient } from './minibatch';
export { integrateFlow, modifiedGradient, type Gradient } from './gradient-flow';
