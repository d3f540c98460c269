/**
 * Colours: a categorical palette for traces and classes, and colour maps for images.
 */

/** Tableau 10 (matplotlib's and plotly's default cycle): distinct, colour-blind friendlier than most. */
export const PALETTE: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];

/** The i-th palette colour (cycling). */
export function paletteColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length] as string;
}

/** '#rrggbb' with an alpha, as 'rgba(r,g,b,a)' (for bands and overlaid histograms). */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h as string, 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/** Colour maps for image grids: 'gray' gives 8-bit grey; the others RGB. */
export type Colormap = 'gray' | 'viridis' | 'rdbu';

// Control points (t, r, g, b); linear interpolation between them is close enough for display.
const MAPS: Record<Exclude<Colormap, 'gray'>, ReadonlyArray<readonly [number, number, number, number]>> = {
  viridis: [
    [0, 68, 1, 84], [0.25, 59, 82, 139], [0.5, 33, 145, 140], [0.75, 94, 201, 98], [1, 253, 231, 37],
  ],
  // Diverging blue-white-red (ColorBrewer RdBu reversed so that negative is blue): filters centred on 0.
  rdbu: [
    [0, 5, 48, 97], [0.25, 67, 147, 195], [0.5, 247, 247, 247], [0.75, 214, 96, 77], [1, 103, 0, 31],
  ],
};

/** Writes the colour of t in [0, 1] under `map` into `out` (1 byte for gray, 3 for RGB). */
export function applyColormap(map: Colormap, t: number, out: Uint8Array, offset: number): void {
  const u = Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t));
  if (map === 'gray') {
    out[offset] = Math.round(u * 255);
    return;
  }
  const pts = MAPS[map];
  let k = 1;
  while (k < pts.length - 1 && (pts[k] as readonly number[])[0]! < u) k++;
  const [t0, r0, g0, b0] = pts[k - 1] as readonly [number, number, number, number];
  const [t1, r1, g1, b1] = pts[k] as readonly [number, number, number, number];
  const w = t1 === t0 ? 0 : (u - t0) / (t1 - t0);
  out[offset] = Math.round(r0 + w * (r1 - r0));
  out[offset + 1] = Math.round(g0 + w * (g1 - g0));
  out[offset + 2] = Math.round(b0 + w * (b1 - b0));
}
