/**
 * The one training loop every model in the kit uses (d2l's `trainer.fit(model, data)` idea).
 *
 * - Minibatches from a seeded shuffle; step seeds derive from (trainer seed, epoch, step), so training
 *   10 epochs at once or 5 + 5 in two cells gives the same numbers.
 * - The model returns named loss terms; the loop minimises their sum and logs each part.
 * - Term values are read back every `syncEvery` steps in one transfer, not once per step; a
 *   non-finite term stops training with an error naming epoch, step and term.
 * - Objectives that draw their own samples (a flow fitted by reverse KL) need no data:
 *   `fit(null, { epochs, stepsPerEpoch })` runs `stepsPerEpoch` steps per epoch, each with an empty
 *   batch and `ctx.batchSize` = the trainer's batch size (the samples to draw).
 * - Calling `fit` again resumes: epochs, optimiser state, schedule and history carry on.
 * - An interrupt (the kernel's SIGINT, or `options.signal`) stops `fit` at the next step boundary with
 *   a `TrainingInterrupted` error; weights, optimiser state, history and counters stay consistent, and
 *   the next `fit` finishes the interrupted epoch from the step where it stopped, so an interrupted run
 *   that is continued gives the same numbers as one that never stopped.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from '../optim/fused-adam';
import { interruptMark, interruptedSince } from '../runtime/interrupt';
import { Rng } from '../runtime/rng';
import { printAsSummary } from './history-summary';
import { constantLr, type LrSchedule } from './schedules';
import type { Augmentation, Batch, Dataset, History, LossTerms, StepContext, Trainable } from './types';
import { type ProgressSink, type ProgressState, defaultProgress } from './progress';
import { type NamedTensor, weightCacheDir } from './weight-cache';
import { fitThroughCache } from './cached-fit';
import { EarlyStopper, type EarlyStopping } from './early-stopping';
import { ownedVariable } from '../nn/variable';

export type { EarlyStopping } from './early-stopping';

/** Optimisers the trainer can build by name. */
export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop';

export interface TrainerConfig {
  /** Seeds shuffling and every step's random ops. */
  rng: Rng;
  /** An optimiser by name, or a ready tfjs optimiser (the trainer then owns and disposes it). @default 'adam' */
  optimizer?: OptimizerName | tf.Optimizer;
  /** A fixed rate or a schedule of the global step. @default 1e-3 */
  learningRate?: number | LrSchedule;
  /** Examples per step. @default 128 */
  batchSize?: number;
  /** Clip the global gradient norm to this value (none when undefined). @default undefined */
  clipNorm?: number;
  /** Momentum for `optimizer: 'momentum'`. @default 0.9 */
  momentum?: number;
  /**
   * Also keep an exponential moving average of the trainable weights (Polyak averaging, as DDPM samples
   * with): after every step θ̄ ← d θ̄ + (1 − d) θ with d = min(ema, (1 + t) / (10 + t)) at global step t,
   * so the average forgets its starting point within the first few dozen steps instead of the 1 / (1 − ema)
   * steps a constant d would take. `withAveragedWeights` runs code with θ̄ in place of θ. A number in
   * (0, 1), e.g. 0.999. @default undefined (no average)
   */
  ema?: number;
}

export interface FitOptions {
  /** Epochs to train in this call (more epochs on top of any earlier calls). */
  epochs: number;
  /** Data to report `val_*` terms on after each epoch. */
  validation?: Dataset;
  /** Extra per-epoch metrics, e.g. test RMSE; recorded in the history under their names. */
  metrics?: () => Record<string, number> | Promise<Record<string, number>>;
  /** Compute validation terms and metrics every this many epochs (and always after the last). @default 1 */
  evalEvery?: number;
  /** Stop when the monitored series stops improving. */
  earlyStopping?: EarlyStopping;
  /** Read term values back every this many steps. @default 50 */
  syncEvery?: number;
  /** Progress: `true` for the default display (notebook: one updating line; else sparse logs). @default true */
  progress?: boolean | ProgressSink;
  /**
   * Transform each training batch before the step (data augmentation, e.g. `randomShifts`); validation
   * data is never transformed. @default undefined (batches as drawn)
   */
  augment?: Augmentation;
  /** Stop each epoch after this many steps (for quick runs on large data). @default all */
  maxStepsPerEpoch?: number;
  /**
   * Steps per epoch of a fit without data (`fit(null, ...)`, for objectives that draw their own
   * samples): required there, and an error with data (the data set the steps; cap them with
   * `maxStepsPerEpoch`). Each such epoch counts `stepsPerEpoch × batchSize` examples
   * (`ctx.datasetSize`). @default undefined
   */
  stepsPerEpoch?: number;
  /**
   * Name this run for the weight cache (weight-cache.ts): when the cache is on and an identical run
   * was cached, restore it instead of training. Ignored while the cache is off (the default, and always
   * under the runner). @default undefined (never cached)
   */
  cache?: string;
  /**
   * Stop at the next step boundary when this signal aborts, as on a kernel interrupt (which `fit`
   * always watches). @default undefined
   */
  signal?: AbortSignal;
}

/**
 * Thrown by `fit` when an interrupt stopped it. The trainer keeps everything up to the last complete
 * step; `fit` called again continues from there.
 */
export class TrainingInterrupted extends Error {
  constructor(
    /** 1-based epoch that was running. */
    readonly epoch: number,
    /** Steps of that epoch already taken. */
    readonly step: number,
    readonly stepsPerEpoch: number,
    /** Epochs this `fit` call still had to train, counting the interrupted one. */
    readonly epochsLeft: number,
  ) {
    super(
      `Training interrupted at epoch ${epoch}, step ${step} of ${stepsPerEpoch}. The trainer keeps what it trained ` +
        `(${epoch - 1} complete epochs in its history); call fit again to continue from this step ` +
        `(epochs: ${epochsLeft} finishes what this call planned).`,
    );
    this.name = 'TrainingInterrupted';
  }
}

/**
 * The settings that, with the model and the state, determine what training does: what the weight
 * cache (cached-fit.ts) hashes besides the data.
 */
export interface TrainerSetup {
  /** The seed drawn from `config.rng`, from which every shuffle and step seed derives. */
  seed: number;
  batchSize: number;
  clipNorm: number | undefined;
  optimizer: { type: string; config: tf.serialization.ConfigDict };
  learningRate: LrSchedule;
  /** The weight average's decay, or null without one. */
  ema: number | null;
}

/**
 * What a run changes in a trainer and its model, as `snapshot()` reads it and `restore()` puts it back
 * (the weight cache's seam).
 */
export interface TrainerSnapshot {
  /**
   * The model's variables, its training state, then Adam's running powers beta^t (from `snapshot`: the
   * live variables, to read and not to dispose).
   */
  variables: tf.Tensor[];
  /** The optimiser's state as `getWeights()` names it. */
  optimizer: NamedTensor[];
  /** Epochs and steps trained. */
  epochs: number;
  steps: number;
  history: History;
}

/** Where an interrupted epoch stopped: enough to finish it exactly as if it had not stopped. */
interface PartialEpoch {
  /** 0-based epoch. */
  epoch: number;
  /** The next step to take in it. */
  step: number;
  /** Loss-term sums and examples counted so far in it, for its history record. */
  sums: Map<string, number>;
  counted: number;
  /** Seconds spent in it so far. */
  seconds: number;
  /** The shape of the data it was shuffled for: a continuation must use the same. */
  n: number;
  stepsPerEpoch: number;
}

/** Thrown when a loss term becomes NaN or infinite. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly term: string,
    readonly value: number,
    readonly epoch: number,
    readonly step: number,
    readonly globalStep: number,
  ) {
    super(
      `Training stopped: loss term "${term}" is ${value} at epoch ${epoch + 1}, step ${step + 1} ` +
        `(global step ${globalStep + 1}). The model's weights are no longer usable; lower the learning ` +
        `rate, clip gradients (clipNorm), or check the inputs for NaN/Inf before training again.`,
    );
    this.name = 'NonFiniteLossError';
  }
}

function makeOptimizer(name: OptimizerName, lr: number, momentum: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      // tf.train.adam's update, one kernel per variable on wasm and cpu (src/optim/fused-adam.ts).
      return new FusedAdamOptimizer(lr);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, momentum);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    default:
      throw new Error(`Unknown optimizer "${String(name)}"; use one of adam, sgd, momentum, rmsprop.`);
  }
}

function setLearningRate(opt: tf.Optimizer, lr: number): void {
  // SGD and momentum cache -lr in a tensor behind setLearningRate; Adam and RMSProp read the field.
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

function datasetSize(data: Dataset, what: string): number {
  const names = Object.keys(data);
  if (names.length === 0) throw new Error(`${what}: the dataset has no tensors`);
  const n = data[names[0]!]!.shape[0]!;
  for (const name of names) {
    const t = data[name]!;
    if (t.shape[0] !== n) {
      throw new Error(`${what}: "${name}" has ${t.shape[0]} rows but "${names[0]}" has ${n}; every tensor needs one row per example`);
    }
    if (t.isDisposed) throw new Error(`${what}: "${name}" was disposed; rebuild the dataset (was it made in an earlier run of a cell?)`);
  }
  return n;
}

export class Trainer {
  /** All epochs so far; prints as a one-line summary (see history-summary.ts). */
  readonly history: History = printAsSummary({ epoch: [] });
  private readonly optimizer: tf.Optimizer;
  private readonly schedule: LrSchedule;
  private readonly batchSize: number;
  private readonly clipNorm: number | undefined;
  private readonly baseSeed: number;
  private epochsDone = 0;
  private globalStep = 0;
  private disposed = false;
  private partial: PartialEpoch | null = null;
  /** The weight average: its decay and θ̄, one variable per trainable variable (in `trainedVariables()` order); null without `ema`. */
  private readonly ema: { decay: number; averages: tf.Variable[] } | null;
  /** Give the event loop a turn at least this often, so an interrupt is noticed within a fraction of a second. */
  private static readonly YIELD_MS = 200;

  constructor(
    readonly model: Trainable,
    config: TrainerConfig,
  ) {
    this.schedule = typeof config.learningRate === 'function' ? config.learningRate : constantLr(config.learningRate ?? 1e-3);
    const opt = config.optimizer ?? 'adam';
    this.optimizer = typeof opt === 'string' ? makeOptimizer(opt, this.schedule(0), config.momentum ?? 0.9) : opt;
    this.batchSize = config.batchSize ?? 128;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) {
      throw new Error(`Trainer: batchSize must be a positive integer, got ${config.batchSize}`);
    }
    this.clipNorm = config.clipNorm;
    this.baseSeed = config.rng.nextUint32();
    if (!model.loss && !model.trainStep) {
      throw new Error('Trainer: the model must implement loss() or trainStep()');
    }
    const ema = config.ema;
    if (ema !== undefined && !(typeof ema === 'number' && ema > 0 && ema < 1)) {
      throw new Error(`Trainer: ema is the weight average's decay, a number strictly between 0 and 1 (e.g. 0.999), got ${String(ema)}`);
    }
    this.ema = ema === undefined ? null : { decay: ema, averages: this.trainedVariables().map((v) => ownedVariable(v.clone(), false)) };
  }

  /** The variables the optimiser updates. */
  private trainedVariables(): tf.Variable[] {
    return this.model.trainableVariables ? this.model.trainableVariables() : this.model.variables().filter((v) => v.trainable);
  }

  /** Whether this trainer keeps a weight average (`ema`). */
  get averaged(): boolean {
    return this.ema !== null;
  }

  /**
   * Run `fn` with the averaged weights θ̄ in the model's variables, then put the trained weights back (also
   * when `fn` throws). Training resumes from the trained weights, not the average.
   */
  async withAveragedWeights<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.disposed) throw new Error('Trainer.withAveragedWeights: this trainer was disposed; make a new one');
    const averages = this.ema?.averages;
    if (averages === undefined) throw new Error('Trainer.withAveragedWeights: this trainer keeps no weight average; make it with `ema: 0.999` (or another decay) in its config');
    const vars = this.trainedVariables();
    if (vars.length !== averages.length) throw new Error(`Trainer.withAveragedWeights: the model now has ${vars.length} trainable variables, the average was made for ${averages.length}`);
    const trained = vars.map((v) => v.clone());
    try {
      vars.forEach((v, i) => v.assign(averages[i]!));
      return await fn();
    } finally {
      vars.forEach((v, i) => v.assign(trained[i]!));
      tf.dispose(trained);
    }
  }

  /** Epochs trained so far, across all `fit` calls. */
  get epochs(): number {
    return this.epochsDone;
  }

  /** Steps taken so far, across all `fit` calls. */
  get steps(): number {
    return this.globalStep;
  }

  /** Where an interrupted epoch stopped (1-based epoch, steps taken in it), or null if none is pending. */
  get interruptedAt(): { epoch: number; step: number } | null {
    return this.partial === null ? null : { epoch: this.partial.epoch + 1, step: this.partial.step };
  }

  /**
   * Train for `options.epochs` more epochs. Returns the history (all epochs so far). `train` null: an
   * objective that needs no data, run for `options.stepsPerEpoch` steps per epoch.
   */
  async fit(train: Dataset | null, options: FitOptions): Promise<History> {
    if (this.disposed) throw new Error('Trainer.fit: this trainer was disposed; make a new one');
    if (!Number.isInteger(options.epochs) || options.epochs < 0) {
      throw new Error(`Trainer.fit: epochs must be a non-negative integer, got ${options.epochs}`);
    }
    const { n, stepsPerEpoch } = this.epochShape(train, options);
    if (options.validation) datasetSize(options.validation, 'Trainer.fit (validation data)');
    const p = this.partial;
    if (p !== null && (p.n !== n || p.stepsPerEpoch !== stepsPerEpoch)) {
      throw new Error(
        `Trainer.fit: epoch ${p.epoch + 1} was interrupted after step ${p.step} of ${p.stepsPerEpoch} on ${p.n} examples; ` +
          `this call has ${n} examples and ${stepsPerEpoch} steps per epoch. Continue with the same data and maxStepsPerEpoch (or stepsPerEpoch), or make a new Trainer.`,
      );
    }
    const name = options.cache;
    const dir = name === undefined ? null : weightCacheDir();
    if (name === undefined || dir === null) return this.train(train, options, n, stepsPerEpoch);
    if (p !== null) {
      // The cache stores complete runs only; a continuation of an interrupted one is not one.
      console.log(`weight cache: "${name}" not used: this call continues an epoch that was interrupted`);
      return this.train(train, options, n, stepsPerEpoch);
    }
    return fitThroughCache(this, { name, dir, train, options, n, stepsPerEpoch }, () => this.train(train, options, n, stepsPerEpoch));
  }

  /** Examples (`ctx.datasetSize`) and steps per epoch of a `fit` call. */
  private epochShape(train: Dataset | null, options: FitOptions): { n: number; stepsPerEpoch: number } {
    const given = options.stepsPerEpoch;
    if (train === null) {
      if (given === undefined || !Number.isInteger(given) || given <= 0) {
        throw new Error(
          `Trainer.fit: without data (train null), give the steps per epoch as a positive integer: fit(null, { epochs, stepsPerEpoch: 100 }); got stepsPerEpoch ${given}`,
        );
      }
      if (options.maxStepsPerEpoch !== undefined) {
        throw new Error('Trainer.fit: without data, stepsPerEpoch sets the steps; drop maxStepsPerEpoch');
      }
      return { n: given * this.batchSize, stepsPerEpoch: given };
    }
    if (given !== undefined) {
      throw new Error(
        'Trainer.fit: stepsPerEpoch is for fits without data (train null); with data the data set the steps per epoch (cap them with maxStepsPerEpoch)',
      );
    }
    const n = datasetSize(train, 'Trainer.fit (training data)');
    return { n, stepsPerEpoch: Math.min(Math.ceil(n / this.batchSize), options.maxStepsPerEpoch ?? Infinity) };
  }

  /** The trainer's settings (the weight cache's key reads them). */
  describe(): TrainerSetup {
    return {
      seed: this.baseSeed,
      batchSize: this.batchSize,
      clipNorm: this.clipNorm,
      optimizer: { type: this.optimizer.getClassName(), config: this.optimizer.getConfig() },
      learningRate: this.schedule,
      ema: this.ema?.decay ?? null,
    };
  }

  /** The state training has changed so far: live variables, optimiser state, counters and the history. */
  async snapshot(): Promise<TrainerSnapshot> {
    return {
      variables: this.cachedVariables(),
      optimizer: await this.optimizer.getWeights(),
      epochs: this.epochsDone,
      steps: this.globalStep,
      history: this.history,
    };
  }

  /**
   * Put a snapshot's state in place (values are copied: the caller keeps and frees its tensors), so the
   * trainer continues as the one it was taken from would.
   */
  async restore(s: TrainerSnapshot): Promise<void> {
    if (this.disposed) throw new Error('Trainer.restore: this trainer was disposed; make a new one');
    await this.optimizer.setWeights(s.optimizer);
    const vars = this.cachedVariables();
    if (s.variables.length !== vars.length) {
      throw new Error(`Trainer.restore: the snapshot holds ${s.variables.length} tensors, the model and optimiser have ${vars.length}`);
    }
    vars.forEach((v, i) => v.assign(s.variables[i]!));
    for (const k of Object.keys(this.history)) if (k !== 'epoch') delete this.history[k];
    for (const [k, v] of Object.entries(s.history)) this.history[k] = [...v];
    this.epochsDone = s.epochs;
    this.globalStep = s.steps;
    this.partial = null;
    setLearningRate(this.optimizer, this.schedule(Math.max(this.globalStep - 1, 0)));
  }

  /** Everything training changes: the model's variables, any extra training state, then the weight average. */
  private stateVariables(): tf.Variable[] {
    return [...this.model.variables(), ...(this.model.trainingState?.() ?? []), ...(this.ema?.averages ?? [])];
  }

  /**
   * What a snapshot holds as variables: the model's state, then Adam's running powers beta^t. tfjs's
   * `setWeights` recomputes those as pow(beta, t), which differs in the last bits from the product a
   * running optimiser keeps; carrying them makes training after a restore bit-identical.
   */
  private cachedVariables(): tf.Variable[] {
    const o = this.optimizer as unknown as { accBeta1?: unknown; accBeta2?: unknown };
    const powers = [o.accBeta1, o.accBeta2].filter((v): v is tf.Variable => v instanceof tf.Variable);
    return [...this.stateVariables(), ...powers];
  }

  /** The training loop proper. */
  private async train(train: Dataset | null, options: FitOptions, n: number, stepsPerEpoch: number): Promise<History> {
    const syncEvery = options.syncEvery ?? 50;
    const evalEvery = options.evalEvery ?? 1;
    const sink: ProgressSink | null =
      options.progress === false ? null : options.progress === undefined || options.progress === true ? defaultProgress() : options.progress;

    const stopper = options.earlyStopping === undefined ? null : new EarlyStopper(options.earlyStopping, () => this.model.variables());

    const firstEpoch = this.epochsDone;
    const lastEpoch = firstEpoch + options.epochs;
    const t0 = Date.now();
    const mark = interruptMark();
    const stopRequested = (): boolean => options.signal?.aborted === true || interruptedSince(mark);
    let lastYield = Date.now();
    let interrupted: TrainingInterrupted | null = null;
    let state: ProgressState | null = null;
    try {
      epochs: for (let epoch = firstEpoch; epoch < lastEpoch; epoch++) {
        const resume = this.partial?.epoch === epoch ? this.partial : null;
        this.partial = null;
        const epochStart = Date.now() - (resume?.seconds ?? 0) * 1000;
        const epochRng = new Rng(`${this.baseSeed}/epoch${epoch}`);
        // Without data there is nothing to shuffle (the step seeds do not depend on the shuffle).
        const order = train === null ? null : epochRng.permutation(n);
        const sums = new Map<string, number>(resume?.sums ?? []);
        let counted = resume?.counted ?? 0;
        let pending: { stacked: tf.Tensor1D; names: string[]; step: number; globalStep: number; size: number }[] = [];

        const drain = (): void => {
          if (pending.length === 0) return;
          const all = tf.concat(pending.map((p) => p.stacked));
          const values = all.dataSync();
          all.dispose();
          let offset = 0;
          for (const p of pending) {
            for (let i = 0; i < p.names.length; i++) {
              const v = values[offset + i]!;
              if (!Number.isFinite(v)) throw new NonFiniteLossError(p.names[i]!, v, epoch, p.step, p.globalStep);
              sums.set(p.names[i]!, (sums.get(p.names[i]!) ?? 0) + v * p.size);
            }
            offset += p.names.length;
            counted += p.size;
            p.stacked.dispose();
          }
          pending = [];
        };

        try {
          for (let step = resume?.step ?? 0; step < stepsPerEpoch; step++) {
            if (stopRequested()) {
              drain();
              this.partial = { epoch, step, sums, counted, seconds: (Date.now() - epochStart) / 1000, n, stepsPerEpoch };
              interrupted = new TrainingInterrupted(epoch + 1, step, stepsPerEpoch, lastEpoch - epoch);
              state = {
                ...this.progressState(epoch, firstEpoch, lastEpoch, step, stepsPerEpoch, sums, counted, t0),
                etaSec: NaN,
                status: `interrupted at epoch ${epoch + 1}, step ${step}/${stepsPerEpoch}: run fit again to continue`,
              };
              break epochs;
            }
            const lo = step * this.batchSize;
            const idx = order === null ? null : order.subarray(lo, Math.min(lo + this.batchSize, n));
            const size = idx === null ? this.batchSize : idx.length;
            const lr = this.schedule(this.globalStep);
            setLearningRate(this.optimizer, lr);
            const ctx = this.context(epoch, step, n, size, true);
            const { stacked, names } = this.step(train, idx, ctx, options.augment);
            pending.push({ stacked, names, step, globalStep: this.globalStep, size });
            this.globalStep++;
            if (pending.length >= syncEvery) {
              drain();
              state = this.progressState(epoch, firstEpoch, lastEpoch, step + 1, stepsPerEpoch, sums, counted, t0);
              sink?.update(state);
              await tf.nextFrame(); // let the kernel flush outputs between chunks
              lastYield = Date.now();
            } else if (Date.now() - lastYield >= Trainer.YIELD_MS) {
              await tf.nextFrame(); // lets a SIGINT handler run, so stopRequested() can see it
              lastYield = Date.now();
            }
          }
          drain();
        } finally {
          for (const p of pending) p.stacked.dispose();
        }

        // Epoch record: mean of each term over examples, plus validation terms and metrics.
        const h = this.history;
        // A series that first appears now gets NaN for the epochs before it, so every series keeps
        // one entry per epoch.
        const record = (name: string, v: number): void => {
          const series = h[name] ?? (h[name] = new Array<number>(h.epoch.length - 1).fill(NaN));
          series.push(v);
        };
        h.epoch.push(epoch + 1);
        let total = 0;
        for (const [name, s] of sums) {
          record(name, s / counted);
          total += s / counted;
        }
        if (!sums.has('loss')) record('loss', total);
        // Only models the optimiser updates have a learning rate here; trainStep models keep their own.
        if (this.model.loss) record('lr', this.schedule(Math.max(this.globalStep - 1, 0)));
        if (epoch === lastEpoch - 1 || (epoch - firstEpoch + 1) % evalEvery === 0) {
          if (options.validation) {
            for (const [name, v] of Object.entries(this.evaluate(options.validation, epoch))) record(`val_${name}`, v);
          }
          if (options.metrics) {
            for (const [name, v] of Object.entries(await options.metrics())) record(name, v);
          }
        }
        record('seconds', (Date.now() - epochStart) / 1000);
        // Series that were not computed this epoch get NaN, so all series keep the epoch's length.
        for (const key of Object.keys(h)) if (h[key]!.length < h.epoch.length) h[key]!.push(NaN);
        this.epochsDone = epoch + 1;

        state = this.progressState(epoch, firstEpoch, lastEpoch, stepsPerEpoch, stepsPerEpoch, sums, counted, t0);
        sink?.update(state);

        if (stopper?.observe(h, epoch) === true) break;
      }
      // Interrupted: keep the weights of the last step (not the best epoch's), so continuing is exact.
      if (interrupted !== null) throw interrupted;
      stopper?.finish(this.history);
    } finally {
      stopper?.dispose();
      if (state) sink?.done(state);
    }
    return this.history;
  }

  /**
   * What the model learns about a step: a training step's seeds derive from (trainer seed, epoch,
   * step), an evaluation pass's from their own labels, so evaluating never shifts training's numbers.
   */
  private context(epoch: number, step: number, n: number, size: number, training: boolean): StepContext {
    return {
      epoch,
      step,
      globalStep: this.globalStep,
      datasetSize: n,
      batchSize: size,
      rng: new Rng(`${this.baseSeed}/${training ? 'epoch' : 'eval'}${epoch}/step${step}`),
      training,
    };
  }

  /** One optimisation step; returns the term values stacked in one tensor (read later, in bulk). */
  private step(train: Dataset | null, idx: Int32Array | null, ctx: StepContext, augment?: Augmentation): { stacked: tf.Tensor1D; names: string[] } {
    let names: string[] = [];
    const stacked = tf.tidy(() => {
      let batch: Batch = {};
      if (train !== null && idx !== null) {
        const indices = tf.tensor1d(idx, 'int32');
        for (const [name, t] of Object.entries(train)) batch[name] = tf.gather(t, indices);
        // Its own stream, so switching augmentation on leaves the seeds the model draws from unchanged.
        if (augment !== undefined) batch = augment.apply(batch, new Rng(`${this.baseSeed}/augment/epoch${ctx.epoch}/step${ctx.step}`));
      }
      let terms: LossTerms;
      if (this.model.loss) {
        const loss = this.model.loss.bind(this.model);
        const vars = this.trainedVariables();
        let kept: tf.Tensor1D | null = null;
        const { grads } = tf.variableGrads(() => {
          const t = loss(batch, ctx);
          names = Object.keys(t);
          if (names.length === 0) throw new Error('model.loss returned no terms');
          kept = tf.keep(tf.stack(names.map((k) => t[k]!)) as tf.Tensor1D);
          return tf.addN(names.map((k) => t[k]!)) as tf.Scalar;
        }, vars);
        this.optimizer.applyGradients(this.clip(grads));
        this.updateAverages(vars);
        const out = kept as unknown as tf.Tensor1D;
        // `kept` escaped the gradient tape's tidy; hand it to this tidy's return path.
        const copy = out.clone();
        out.dispose();
        return copy;
      }
      terms = this.model.trainStep!(batch, ctx);
      if (this.ema !== null) this.updateAverages(this.trainedVariables());
      names = Object.keys(terms);
      return tf.stack(names.map((k) => terms[k]!)) as tf.Tensor1D;
    });
    return { stacked, names };
  }

  /** θ̄ ← d θ̄ + (1 − d) θ, with the warm-up of `TrainerConfig.ema` (called once per step, before the step count moves). */
  private updateAverages(vars: tf.Variable[]): void {
    if (this.ema === null) return;
    const { decay, averages } = this.ema;
    const t = this.globalStep;
    const d = Math.min(decay, (1 + t) / (10 + t));
    tf.tidy(() => averages.forEach((a, i) => a.assign(tf.add(a, tf.mul(tf.sub(vars[i]!, a), 1 - d)))));
  }

  private clip(grads: tf.NamedTensorMap): tf.NamedTensorMap {
    if (this.clipNorm === undefined) return grads;
    const list = Object.values(grads);
    const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(1, tf.div(this.clipNorm, tf.add(norm, 1e-12)));
    const out: tf.NamedTensorMap = {};
    for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, scale);
    return out;
  }

  /** Mean of each term over a dataset, without updating anything. */
  evaluate(data: Dataset, epoch = this.epochsDone): Record<string, number> {
    const n = datasetSize(data, 'Trainer.evaluate');
    const sums = new Map<string, number>();
    const fn = this.model.evalTerms ?? this.model.loss;
    if (!fn) return {};
    for (let lo = 0, step = 0; lo < n; lo += this.batchSize, step++) {
      const size = Math.min(this.batchSize, n - lo);
      const ctx = this.context(epoch, step, n, size, false);
      const { names, values } = tf.tidy(() => {
        const batch: Batch = {};
        for (const [name, t] of Object.entries(data)) batch[name] = tf.slice(t, lo, size);
        const terms = fn.call(this.model, batch, ctx);
        const names = Object.keys(terms);
        return { names, values: tf.stack(names.map((k) => terms[k]!)).dataSync() };
      });
      names.forEach((k, i) => sums.set(k, (sums.get(k) ?? 0) + values[i]! * size));
    }
    const out: Record<string, number> = {};
    let total = 0;
    for (const [k, s] of sums) {
      out[k] = s / n;
      total += s / n;
    }
    if (!('loss' in out)) out['loss'] = total;
    return out;
  }

  private progressState(
    epoch: number,
    firstEpoch: number,
    lastEpoch: number,
    step: number,
    steps: number,
    sums: Map<string, number>,
    counted: number,
    t0: number,
  ): ProgressState {
    const terms: Record<string, number> = {};
    for (const [k, s] of sums) terms[k] = counted > 0 ? s / counted : NaN;
    const done = epoch - firstEpoch + step / steps;
    const elapsedSec = (Date.now() - t0) / 1000;
    const total = lastEpoch - firstEpoch;
    return {
      epoch: epoch + 1,
      epochs: lastEpoch,
      step,
      steps,
      terms,
      elapsedSec,
      etaSec: done > 0 ? (elapsedSec * (total - done)) / done : NaN,
    };
  }

  /** Free the optimiser's state (the model is the caller's to dispose). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.optimizer.dispose();
    if (this.ema !== null) tf.dispose(this.ema.averages);
  }
}
