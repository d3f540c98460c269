/**
 * The environment variable that turns the weight cache (weight-cache.ts) on (a folder, or `1`) or off
 * (`off`). A module of its own, with no imports, so the runner can set it in the kernels it starts
 * without loading tfjs.
 */
export const WEIGHT_CACHE_ENV = 'GENLAB_WEIGHT_CACHE';
