/**
 * Watching a GAN train: a Trainer `metrics` callback that draws samples from one fixed set of latent
 * vectors (so consecutive frames differ only by training), scores them, and keeps some of them as frames.
 *
 *   const mon = gan.trainingMonitor(model, { n: 1000, rng, score: (x) => ..., frameEvery: 5, surface: grid });
 *   await trainer.fit({ x }, { epochs, metrics: mon.metrics });   // history gains `step` and the scores
 *   mon.frames                                                     // [{ step, samples, surface }]
 *
 * Frames are plain arrays, not tensors, so nothing needs freeing when a cell runs again.
 */
import * as tf from '@tensorflow/tfjs';
import { requirePositiveInt } from '../../nn';
import type { Rng } from '../../runtime/rng';
import type { GAN } from './gan';

export interface MonitorOptions {
  /** Samples drawn (from the same latent vectors) at every call. */
  n: number;
  /** Draws the fixed latent vectors once. */
  rng: Rng;
  /** Scores of the samples, recorded in the Trainer's history under their names. @default none */
  score?: (samples: tf.Tensor2D) => Record<string, number>;
  /** Keep a frame every this many calls (the first call always keeps one). @default 1 */
  frameEvery?: number;
  /** Rows kept per frame (the first ones). @default n */
  frameSamples?: number;
  /** Points at which to record d(x) in each frame (e.g. a `gridPoints` grid). @default none */
  surface?: { points: Float32Array; shape: [number, number] };
}

/** One snapshot of training. */
export interface GANFrame {
  /** Generator updates taken when it was made. */
  step: number;
  /** Samples G(z) at the fixed z, [frameSamples][dataDim]. */
  samples: number[][];
  /** d(x) at the surface points, when asked for. */
  surface?: number[];
  /** The scores at this step. */
  scores: Record<string, number>;
}

export interface TrainingMonitor {
  /** Pass as `fit(..., { metrics })`. */
  metrics: () => Record<string, number>;
  frames: GANFrame[];
  /** Drop the fixed latent vectors. */
  dispose(): void;
}

export function trainingMonitor(model: GAN, options: MonitorOptions): TrainingMonitor {
  const n = requirePositiveInt(options.n, 'n', 'trainingMonitor');
  const every = requirePositiveInt(options.frameEvery ?? 1, 'frameEvery', 'trainingMonitor');
  const keepRows = Math.min(n, requirePositiveInt(options.frameSamples ?? n, 'frameSamples', 'trainingMonitor'));
  const z = model.generator.latent(n, options.rng);
  const frames: GANFrame[] = [];
  let calls = 0;
  return {
    frames,
    metrics: () => {
      if (z.isDisposed) throw new Error('trainingMonitor: this monitor was disposed; make a new one');
      const x = model.generate(z);
      try {
        const scores: Record<string, number> = { step: model.steps, ...(options.score ? options.score(x) : {}) };
        if (calls % every === 0) {
          const rows = tf.tidy(() => tf.slice(x, [0, 0], [keepRows, x.shape[1]]).arraySync() as number[][]);
          const frame: GANFrame = { step: model.steps, samples: rows, scores };
          if (options.surface) {
            const s = options.surface;
            const d = tf.tidy(() => model.discriminate(tf.tensor2d(s.points, s.shape)));
            frame.surface = Array.from(d.dataSync());
            d.dispose();
          }
          frames.push(frame);
        }
        calls++;
        return scores;
      } finally {
        x.dispose();
      }
    },
    dispose: () => z.dispose(),
  };
}
