/**
 * Training progress: one line (a small bar and the numbers) that updates in place in a notebook, and
 * a few plain log lines elsewhere.
 *
 * In a notebook, every update replaces the same output (`update_display_data`), so the saved notebook
 * keeps one line, not thousands; updates are throttled (each is a message to the front end). Outside
 * a notebook the log stays short: the first update, then one line per tenth of the run, then the final
 * state from `done()`, so at most `maxLogLines + 2` lines per fit however often `update` is called.
 *
 * The training loop calls `update(state)` a few times per epoch and `done()` once at the end:
 * ```ts
 * const progress = new ProgressDisplay();
 * for (...) progress.update({ epoch, epochs, step, steps, terms: { loss, kl }, elapsedSec, etaSec });
 * progress.done();
 * ```
 */
import { inNotebook, liveDisplay, LiveDisplay, MimeBundle } from '../tslab/display';
import { escapeHtml } from './html';

/** A snapshot of a run. */
export interface ProgressUpdate {
  /** The epoch being trained, 1-based (it may start above 1 when training resumes). */
  epoch: number;
  /** The epoch this run stops at. */
  epochs: number;
  /** Steps done in the current epoch; without it, an update means the epoch is complete. */
  step?: number;
  /** Steps per epoch. */
  steps?: number;
  /** Named numbers to show (losses, metrics), in this order. */
  terms: Readonly<Record<string, number>>;
  /** Seconds since the run started. */
  elapsedSec: number;
  /** Estimated seconds left. @default not shown */
  etaSec?: number;
  /**
   * How the run ended when it did not simply finish, e.g. `interrupted at epoch 5, step 17/63`: shown
   * first, and the bar is then drawn in a warning colour. @default none
   */
  status?: string;
}

/** Options for {@link ProgressDisplay}. */
export interface ProgressOptions {
  /** Text before the numbers (e.g. the model's name). @default none */
  title?: string;
  /**
   * 'notebook': one output updated in place; 'log': sparse lines through `log`; 'silent': nothing.
   * @default 'auto': 'notebook' inside a tslab kernel, else 'log'
   */
  mode?: 'auto' | 'notebook' | 'log' | 'silent';
  /** Least time between two notebook renders, in ms (the last state is always rendered by `done`). @default 250 */
  minIntervalMs?: number;
  /** Log lines between the first and the final one: one per 1/maxLogLines of the run. @default 10 */
  maxLogLines?: number;
  /** Where log lines go. @default console.log */
  log?: (line: string) => void;
  /** Clock in ms, for tests. @default Date.now */
  now?: () => number;
}

/** A number in at most ~9 characters: 4 significant digits, exponent form when very small or large. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

/** Seconds as '8.2s', '42s', '3m05s' or '1h02m'. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  if (sec < 10) return `${sec.toFixed(1)}s`;
  if (sec < 60) return `${Math.round(sec)}s`;
  const s = Math.round(sec);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Fraction of the run done, counted from `firstEpoch` (the run's first epoch). */
export function progressFraction(s: ProgressUpdate, firstEpoch = 1): number {
  const total = s.epochs - firstEpoch + 1;
  if (!(total > 0)) return 1;
  const within = s.step !== undefined && s.steps !== undefined && s.steps > 0 ? s.step / s.steps : 1;
  return Math.min(1, Math.max(0, (s.epoch - firstEpoch + within) / total));
}

function parts(s: ProgressUpdate, title: string | undefined): string[] {
  const out: string[] = [];
  if (s.status) out.push(s.status);
  if (title) out.push(title);
  out.push(`epoch ${s.epoch}/${s.epochs}`);
  if (s.step !== undefined && s.steps !== undefined) out.push(`step ${s.step}/${s.steps}`);
  for (const [k, v] of Object.entries(s.terms)) out.push(`${k} ${formatNumber(v)}`);
  out.push(formatDuration(s.elapsedSec));
  if (s.etaSec !== undefined) out.push(`eta ${formatDuration(s.etaSec)}`);
  return out;
}

/** The plain-text line: `[#####-----] epoch 3/10 step 20/50 loss 0.1234 12s eta 30s`. */
export function progressText(s: ProgressUpdate, fraction: number, title?: string, width = 20): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${parts(s, title).join('  ')}`;
}

/** The HTML line: a small bar and the same numbers. */
export function progressHtml(s: ProgressUpdate, fraction: number, title?: string): string {
  const pct = (100 * fraction).toFixed(1);
  return '<div style="font:12px monospace;white-space:nowrap;">' +
    '<span style="display:inline-block;width:120px;height:9px;border:1px solid #999;vertical-align:middle;margin-right:8px;">' +
    `<span style="display:block;height:100%;width:${pct}%;background:${s.status ? '#d62728' : '#1f77b4'};"></span></span>` +
    `${parts(s, title).map(escapeHtml).join(' &middot; ')}</div>`;
}

/** Progress of one training run; see the module comment. Reusable: after `done()` the next `update` starts a new run. */
export class ProgressDisplay {
  private readonly opts: ProgressOptions;
  private readonly mode: 'notebook' | 'log' | 'silent';
  private out: LiveDisplay | undefined;
  private firstEpoch: number | undefined;
  private last: ProgressUpdate | undefined;
  private lastRenderMs = -Infinity;
  private rendered = true; // whether `last` is on screen (notebook) or in the log (log mode)
  private bucket = -1; // log mode: the last tenth of the run logged

  constructor(opts: ProgressOptions = {}) {
    this.opts = opts;
    const mode = opts.mode ?? 'auto';
    this.mode = mode === 'auto' ? (inNotebook() ? 'notebook' : 'log') : mode;
  }

  /** Record the latest state; shown now or at the next render slot. */
  update(state: ProgressUpdate): void {
    if (this.firstEpoch === undefined) this.firstEpoch = state.epoch;
    this.last = { ...state, terms: { ...state.terms } };
    this.rendered = false;
    const f = progressFraction(state, this.firstEpoch);
    if (this.mode === 'notebook') {
      const now = (this.opts.now ?? Date.now)();
      if (now - this.lastRenderMs >= (this.opts.minIntervalMs ?? 250)) {
        this.lastRenderMs = now;
        this.render(f);
      }
    } else if (this.mode === 'log') {
      const tenths = this.opts.maxLogLines ?? 10;
      const b = Math.floor(f * tenths);
      if (this.bucket < 0 || b > this.bucket) {
        this.bucket = Math.max(b, 0);
        this.render(f);
      }
    }
  }

  /** The run is over: show the last state (if not already shown) and reset for the next run. */
  done(final?: ProgressUpdate): void {
    if (final !== undefined) {
      if (this.firstEpoch === undefined) this.firstEpoch = final.epoch;
      this.last = { ...final, terms: { ...final.terms } };
      this.rendered = false;
    }
    if (this.last !== undefined && !this.rendered && this.mode !== 'silent') {
      this.render(progressFraction(this.last, this.firstEpoch));
    }
    this.out = undefined;
    this.firstEpoch = undefined;
    this.last = undefined;
    this.lastRenderMs = -Infinity;
    this.rendered = true;
    this.bucket = -1;
  }

  /** The bundle that the notebook output shows for `state`. */
  bundle(state: ProgressUpdate, fraction: number): MimeBundle {
    return {
      'text/html': progressHtml(state, fraction, this.opts.title),
      'text/plain': progressText(state, fraction, this.opts.title),
    };
  }

  private render(fraction: number): void {
    const s = this.last;
    if (s === undefined) return;
    this.rendered = true;
    if (this.mode === 'notebook') {
      this.out ??= liveDisplay();
      this.out.update(this.bundle(s, fraction));
    } else if (this.mode === 'log') {
      // eslint-disable-next-line no-console
      (this.opts.log ?? console.log)(progressText(s, fraction, this.opts.title));
    }
  }
}

/** A new {@link ProgressDisplay}. */
export function progressBar(opts: ProgressOptions = {}): ProgressDisplay {
  return new ProgressDisplay(opts);
}
