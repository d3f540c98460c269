/**
 * Image grids (samples, reconstructions, filters) as one PNG.
 *
 * A PNG is far smaller in the saved notebook than a plotly heatmap per image, and every front end
 * shows `image/png`. Pixels are upscaled by nearest neighbour so that 28x28 digits are not thumbnails.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { applyColormap, Colormap } from './colors';
import { isTensor, TypedArray } from './data';
import { escapeHtml } from './html';
import { MimeBundle } from '../tslab/display';
import { encodePng } from './png';

/** Images: a tensor [n,h,w], [n,h,w,1], [n,h,w,3] or [n,h*w] (square, or give height/width); or plain arrays. */
export type ImagesInput =
  | Tensor
  | readonly (readonly number[])[] // [n][h*w]
  | readonly (readonly (readonly number[])[])[]; // [n][h][w]

/** Options for {@link imageGrid}. */
export interface ImageGridOptions {
  /** Grid rows. @default ceil(n / cols) */
  rows?: number;
  /** Grid columns. @default ceil(sqrt(n)), or ceil(n / rows) when rows is given */
  cols?: number;
  /** Image height, for flat images [n, h*w]. @default sqrt(h*w) when square */
  height?: number;
  /** Image width, for flat images [n, h*w]. @default (h*w) / height */
  width?: number;
  /** Nearest-neighbour upscale factor. @default the smallest integer making a tile at least 56 px */
  scale?: number;
  /**
   * How values map to [0, 1]: 'none' clamps values already in [0, 1]; 'global' stretches the whole
   * batch's min..max; 'per-image' stretches each image on its own (filters, e.g. RBM weights).
   * @default 'global'
   */
  normalize?: 'none' | 'global' | 'per-image';
  /** Map [-m, m] (m = largest |value|) so that 0 is mid-grey / white: for signed weights. @default false */
  symmetric?: boolean;
  /** A fixed value range mapped to [0, 1] (overrides `normalize`). @default none */
  range?: [number, number];
  /** Colour map for single-channel images ('gray' gives a grey PNG). @default 'gray' */
  colormap?: Colormap;
  /** One label per image, drawn over its top-left corner in the HTML rendering. @default none */
  labels?: readonly (string | number)[];
  /** Gap between tiles and around the grid, in output pixels. @default 1 */
  padding?: number;
  /** Grey level of the gaps (0-255). @default 255 */
  padValue?: number;
  /** A caption, shown above the grid when there are labels and in the text summary. @default none */
  title?: string;
}

/** An encoded image grid; `show(grid)` displays it. */
export interface ImageGrid {
  readonly kind: 'image-grid';
  /** PNG width and height in pixels. */
  width: number;
  height: number;
  channels: 1 | 3;
  /** Row-major pixels, `channels` bytes each. */
  pixels: Uint8Array;
  /** The PNG file. */
  png: Buffer;
  rows: number;
  cols: number;
  /** Images drawn (at most rows * cols). */
  count: number;
  /** Source image size, and the tile size after scaling. */
  imageHeight: number;
  imageWidth: number;
  scale: number;
  padding: number;
  labels?: string[];
  title?: string;
}

export function isImageGrid(x: unknown): x is ImageGrid {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'image-grid';
}

interface Images {
  n: number;
  h: number;
  w: number;
  c: 1 | 3;
  data: ArrayLike<number>;
}

function squareSide(size: number, opts: ImageGridOptions): [number, number] {
  if (opts.height !== undefined || opts.width !== undefined) {
    const h = opts.height ?? size / (opts.width as number);
    const w = opts.width ?? size / h;
    if (!Number.isInteger(h) || !Number.isInteger(w) || h * w !== size) {
      throw new Error(`imageGrid: height ${opts.height} x width ${opts.width} does not match ${size} values per image`);
    }
    return [h, w];
  }
  const s = Math.round(Math.sqrt(size));
  if (s * s !== size) throw new Error(`imageGrid: images of ${size} values are not square: give { height, width }`);
  return [s, s];
}

function readImages(images: ImagesInput, opts: ImageGridOptions): Images {
  if (isTensor(images)) {
    if (images.isDisposed) throw new Error('imageGrid: the tensor was already disposed');
    const s = images.shape;
    const data = images.dataSync() as TypedArray;
    if (s.length === 2) {
      // [n, h*w] (flattened images, the MNIST case); a single image is [1, h, w].
      const [h, w] = squareSide(s[1] as number, opts);
      return { n: s[0] as number, h, w, c: 1, data };
    }
    if (s.length === 3) return { n: s[0] as number, h: s[1] as number, w: s[2] as number, c: 1, data };
    if (s.length === 4 && (s[3] === 1 || s[3] === 3)) {
      return { n: s[0] as number, h: s[1] as number, w: s[2] as number, c: s[3] as 1 | 3, data };
    }
    throw new Error(`imageGrid: expected a tensor [n,h,w], [n,h,w,1|3] or [n,h*w], got [${s.join(', ')}]`);
  }
  if (!Array.isArray(images) || images.length === 0) throw new Error('imageGrid: no images');
  const first = images[0] as readonly unknown[];
  if (Array.isArray(first[0])) {
    const imgs = images as readonly (readonly (readonly number[])[])[];
    const h = first.length;
    const w = (first[0] as readonly number[]).length;
    const data = new Float64Array(imgs.length * h * w);
    imgs.forEach((img, k) => {
      if (img.length !== h) throw new Error(`imageGrid: image ${k} has ${img.length} rows, image 0 has ${h}`);
      img.forEach((row, i) => {
        if (row.length !== w) throw new Error(`imageGrid: image ${k} row ${i} has ${row.length} values, expected ${w}`);
        data.set(row, (k * h + i) * w);
      });
    });
    return { n: imgs.length, h, w, c: 1, data };
  }
  const flat = images as readonly (readonly number[])[];
  const size = first.length;
  const [h, w] = squareSide(size, opts);
  const data = new Float64Array(flat.length * size);
  flat.forEach((img, k) => {
    if (img.length !== size) throw new Error(`imageGrid: image ${k} has ${img.length} values, image 0 has ${size}`);
    data.set(img, k * size);
  });
  return { n: flat.length, h, w, c: 1, data };
}

function extent(data: ArrayLike<number>, from: number, to: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = data[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** The affine map value -> [0, 1] for one image (or the batch), as [offset, slope]. */
function mapping(data: ArrayLike<number>, from: number, to: number, opts: ImageGridOptions): [number, number] {
  if (opts.range) return [opts.range[0], 1 / (opts.range[1] - opts.range[0])];
  const normalize = opts.normalize ?? 'global';
  let [lo, hi] = extent(data, from, to);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1]; // all NaN: draws black
  if (opts.symmetric) {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    if (normalize === 'none') return [-1, 0.5]; // values in [-1, 1]
    return m === 0 ? [-1, 0.5] : [-m, 1 / (2 * m)];
  }
  if (normalize === 'none') return [0, 1];
  // A constant image keeps its value when it is already in [0, 1] (a blank white sample stays white).
  if (hi === lo) return lo >= 0 && lo <= 1 ? [0, 1] : [lo - 0.5, 1];
  return [lo, 1 / (hi - lo)];
}

/**
 * Tile images into one PNG: `rows * cols` tiles of `h*scale` by `w*scale` pixels with `padding` pixels
 * between them and around the edge, so the PNG is `cols*w*scale + (cols+1)*padding` pixels wide.
 * Images beyond `rows * cols` are left out; empty tiles keep the padding grey.
 */
export function imageGrid(images: ImagesInput, opts: ImageGridOptions = {}): ImageGrid {
  const im = readImages(images, opts);
  if (im.n === 0) throw new Error('imageGrid: no images');
  const cols = opts.cols ?? (opts.rows !== undefined ? Math.ceil(im.n / opts.rows) : Math.ceil(Math.sqrt(im.n)));
  const rows = opts.rows ?? Math.ceil(im.n / cols);
  if (!(rows >= 1 && cols >= 1)) throw new Error(`imageGrid: bad grid ${rows} x ${cols}`);
  const scale = opts.scale ?? Math.max(1, Math.ceil(56 / Math.max(im.h, im.w)));
  if (!(Number.isInteger(scale) && scale >= 1)) throw new Error(`imageGrid: scale must be a positive integer, got ${scale}`);
  const pad = opts.padding ?? 1;
  const count = Math.min(im.n, rows * cols);
  const colormap = opts.colormap ?? 'gray';
  const outC: 1 | 3 = im.c === 3 || colormap !== 'gray' ? 3 : 1;
  const tileW = im.w * scale;
  const tileH = im.h * scale;
  const width = cols * tileW + (cols + 1) * pad;
  const height = rows * tileH + (rows + 1) * pad;
  const pixels = new Uint8Array(width * height * outC).fill(opts.padValue ?? 255);
  const imgSize = im.h * im.w * im.c;
  const global = opts.normalize !== 'per-image' ? mapping(im.data, 0, count * imgSize, opts) : undefined;
  const px = new Uint8Array(3);
  for (let k = 0; k < count; k++) {
    const [offset, slope] = global ?? mapping(im.data, k * imgSize, (k + 1) * imgSize, opts);
    const x0 = pad + (k % cols) * (tileW + pad);
    const y0 = pad + Math.floor(k / cols) * (tileH + pad);
    for (let i = 0; i < im.h; i++) {
      for (let j = 0; j < im.w; j++) {
        const src = k * imgSize + (i * im.w + j) * im.c;
        if (im.c === 3) {
          for (let ch = 0; ch < 3; ch++) applyColormap('gray', ((im.data[src + ch] as number) - offset) * slope, px, ch);
        } else {
          const t = ((im.data[src] as number) - offset) * slope;
          if (outC === 1) applyColormap('gray', t, px, 0);
          else if (colormap === 'gray') { applyColormap('gray', t, px, 0); px[1] = px[0] as number; px[2] = px[0] as number; }
          else applyColormap(colormap, t, px, 0);
        }
        // Nearest-neighbour upscale: one source pixel fills a scale x scale block.
        for (let dy = 0; dy < scale; dy++) {
          const rowStart = ((y0 + i * scale + dy) * width + x0 + j * scale) * outC;
          for (let dx = 0; dx < scale; dx++) {
            for (let ch = 0; ch < outC; ch++) pixels[rowStart + dx * outC + ch] = px[ch] as number;
          }
        }
      }
    }
  }
  const grid: ImageGrid = {
    kind: 'image-grid', width, height, channels: outC, pixels, png: encodePng(width, height, pixels, outC),
    rows, cols, count, imageHeight: im.h, imageWidth: im.w, scale, padding: pad,
  };
  if (opts.labels) grid.labels = opts.labels.slice(0, count).map(String);
  if (opts.title !== undefined) grid.title = opts.title;
  return grid;
}

/** A one-line description, the `text/plain` alternative. */
export function imageGridSummary(grid: ImageGrid): string {
  const title = grid.title ? ` "${grid.title}"` : '';
  return `<ImageGrid${title}: ${grid.count} images ${grid.imageHeight}x${grid.imageWidth} in ${grid.rows}x${grid.cols}, ` +
    `${grid.width}x${grid.height} px PNG>`;
}

/**
 * The MIME bundle: `image/png` and `text/plain`; with labels also `text/html` (the same PNG with
 * captions laid over the tiles), which front ends prefer to the bare image.
 */
export function imageGridBundle(grid: ImageGrid): MimeBundle {
  const b64 = grid.png.toString('base64');
  const bundle: MimeBundle = { 'image/png': b64, 'text/plain': imageGridSummary(grid) };
  if (grid.labels && grid.labels.length > 0) {
    const tileW = grid.imageWidth * grid.scale;
    const tileH = grid.imageHeight * grid.scale;
    const captions = grid.labels.map((label, k) => {
      const x = grid.padding + (k % grid.cols) * (tileW + grid.padding);
      const y = grid.padding + Math.floor(k / grid.cols) * (tileH + grid.padding);
      return `<span style="position:absolute;left:${x}px;top:${y}px;font:10px/1.2 monospace;color:#fff;` +
        `background:rgba(0,0,0,0.55);padding:0 2px;">${escapeHtml(label)}</span>`;
    });
    const caption = grid.title ? `<div style="font:12px sans-serif;margin:2px 0;">${escapeHtml(grid.title)}</div>` : '';
    bundle['text/html'] = `${caption}<div style="position:relative;display:inline-block;line-height:0;">` +
      `<img src="data:image/png;base64,${b64}" width="${grid.width}" height="${grid.height}" ` +
      `style="image-rendering:pixelated;" alt="${escapeHtml(imageGridSummary(grid))}"/>${captions.join('')}</div>`;
  }
  return bundle;
}
