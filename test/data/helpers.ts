/** Shared test helpers: temp folders and tiny IDX / tensor utilities (not a test file itself). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as tf from '@tensorflow/tfjs';

/** A fresh temp folder, removed when the process exits. */
export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `genlab-data-${label}-`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Encode a uint8 IDX file (type 0x08) with the given dims. */
export function idxUint8(dims: number[], values: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Uint8Array.from(values))]);
}

/** Write an IDX buffer, gzipped when the name ends in .gz. */
export function writeIdx(file: string, buf: Buffer): void {
  fs.writeFileSync(file, file.endsWith('.gz') ? zlib.gzipSync(buf) : buf);
}

/** Project root (tests run with cwd = root, but do not rely on it). */
export const ROOT = path.resolve(__dirname, '..', '..');

/** Mean and population std per column of a `[n, d]` tensor, as plain arrays. */
export function columnStats(x: tf.Tensor2D): { mean: number[]; std: number[] } {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 0);
    return { mean: Array.from(mean.dataSync()), std: Array.from(tf.sqrt(variance).dataSync()) };
  });
}
