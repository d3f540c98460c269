/**
 * The kernel-side bridge to tslab: showing MIME bundles in the running cell (display.ts) and the fix
 * that keeps tslab's ZeroMQ sockets from colliding (kernel-sockets.ts, installed by `setupNotebook()`).
 */
export type { MimeBundle, LiveDisplay } from './display';
export { inNotebook, displayBundle, liveDisplay } from './display';
export { serializeKernelSends } from './kernel-sockets';
