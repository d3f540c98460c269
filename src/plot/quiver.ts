/**
 * Vector fields (scores, velocities, gradients) as arrows. plotly has no 2-D quiver trace, so each
 * arrow is drawn as line segments, shaft and two barbs, all in one `scatter` trace separated by
 * nulls (one trace however many arrows).
 */
import { paletteColor } from './colors';
import { finiteExtent } from './data';
import { baseLayout, CommonOptions, Figure } from './figure';
import { PointsInput, readPoints } from './scatter';

/** Options for {@link quiver}. */
export interface QuiverOptions extends CommonOptions {
  /** Arrow length per unit of vector length. @default so that the longest arrow is 0.9 grid spacings */
  scale?: number;
  /** Draw directions only: every arrow 0.8 grid spacings long. @default false */
  normalize?: boolean;
  /** Barb length as a fraction of the arrow's length. @default 0.3 */
  headSize?: number;
  /** Angle between shaft and barb, in degrees. @default 25 */
  headAngle?: number;
  /** Line colour. @default the first palette colour */
  color?: string;
  /** Legend name. @default 'field' */
  name?: string;
  /** Same scale on both axes, so arrows point where the vectors do. @default true */
  equalAspect?: boolean;
}

/**
 * Arrows from each point along its vector.
 * @param points arrow tails, [n, 2] (e.g. `gridPoints(...).points` as a tensor) or `{ x, y }`.
 * @param vectors the vectors at those points, same shape (e.g. a score model's output).
 */
export function quiver(points: PointsInput, vectors: PointsInput, opts: QuiverOptions = {}): Figure {
  const p = readPoints(points, 'quiver: points');
  const v = readPoints(vectors, 'quiver: vectors');
  const n = p.x.length;
  if (v.x.length !== n) throw new Error(`quiver: ${n} points but ${v.x.length} vectors`);
  // Typical spacing between arrows: the side of the bounding box's area shared among the points.
  const ext = (a: number[]): number => {
    const [lo, hi] = finiteExtent(a);
    return hi - lo || 1; // NaN or 0 (a single row or column of points): fall back to 1
  };
  const w = ext(p.x);
  const h = ext(p.y);
  const spacing = Math.sqrt((w * h) / Math.max(1, n));
  const lengths = v.x.map((vx, i) => Math.hypot(vx, v.y[i] as number));
  const maxLen = Math.max(0, finiteExtent(lengths)[1] || 0);
  const scale = opts.scale ?? (maxLen > 0 ? (0.9 * spacing) / maxLen : 1);
  const head = opts.headSize ?? 0.3;
  const angle = ((opts.headAngle ?? 25) * Math.PI) / 180;
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const xs: Array<number | null> = [];
  const ys: Array<number | null> = [];
  for (let i = 0; i < n; i++) {
    const len = lengths[i] as number;
    if (!(len > 0) || !Number.isFinite(len)) continue;
    const k = opts.normalize ? (0.8 * spacing) / len : scale;
    const x0 = p.x[i] as number;
    const y0 = p.y[i] as number;
    const dx = (v.x[i] as number) * k;
    const dy = (v.y[i] as number) * k;
    const x1 = x0 + dx;
    const y1 = y0 + dy;
    // Barbs: the reversed shaft direction, shortened and rotated by ±angle.
    const bx = -dx * head;
    const by = -dy * head;
    xs.push(x0, x1, null, x1 + c * bx - s * by, x1, x1 + c * bx + s * by, null);
    ys.push(y0, y1, null, y1 + s * bx + c * by, y1, y1 - s * bx + c * by, null);
  }
  const layout = baseLayout(opts, { xTitle: 'x1', yTitle: 'x2' });
  if (opts.equalAspect ?? true) layout.yaxis = { ...layout.yaxis, scaleanchor: 'x', scaleratio: 1 };
  return {
    data: [{
      type: 'scatter', mode: 'lines', name: opts.name ?? 'field', x: xs, y: ys,
      line: { color: opts.color ?? paletteColor(0), width: 1.2 }, hoverinfo: 'skip',
    }],
    layout,
  };
}
