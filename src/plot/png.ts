/**
 * A minimal PNG codec (8-bit grey or RGB, with or without alpha, no interlace): enough for image grids,
 * and for re-compressing the figure snapshots a browser writes.
 *
 * Format (PNG spec, ISO/IEC 15948): the 8-byte signature, then chunks `length | type | data | CRC-32`
 * where the CRC covers type and data. IHDR holds the size and pixel format; IDAT the zlib stream of
 * the rows, each row prefixed by its filter type (0 = none by default: grids are small and compress well
 * as is; 1-4 predict each byte from its left, upper and upper-left neighbours); IEND closes the file.
 *
 * Written here rather than taken from a package: the kit writes 8-bit grey or RGB(A) and reads back the
 * browser's snapshots, which is the few dozen lines below over Node's own zlib; `pngjs` would add
 * stream machinery we do not use, and `sharp` a native library whose prebuilt binaries are downloaded
 * at install time, which the offline machines this kit targets cannot do. The tests decode what it writes.
 */
import * as zlib from 'zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, polynomial 0xEDB88320, as in PNG and zlib), over the bytes given. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (crcTable[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4, 8))), 0);
  return Buffer.concat([head, data, crc]);
}

/** Bytes per pixel by PNG colour type (8-bit samples): greyscale, truecolour, grey + alpha, truecolour + alpha. */
const CHANNELS_OF_COLOUR_TYPE: Readonly<Record<number, 1 | 2 | 3 | 4>> = { 0: 1, 2: 3, 4: 2, 6: 4 };
const COLOUR_TYPE_OF_CHANNELS: Readonly<Record<number, number>> = { 1: 0, 3: 2, 2: 4, 4: 6 };

/** The Paeth predictor (PNG spec, section 9.4): whichever of left, up, upper-left is closest to left + up - upper-left. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The prediction filter `type` (0 none, 1 sub, 2 up, 3 average, 4 Paeth) makes for byte `i` of a row. */
function predict(type: number, cur: Uint8Array, prev: Uint8Array, i: number, bpp: number): number {
  const a = i >= bpp ? (cur[i - bpp] as number) : 0;
  const b = prev[i] as number;
  switch (type) {
    case 0:
      return 0;
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    case 4:
      return paeth(a, b, i >= bpp ? (prev[i - bpp] as number) : 0);
    default:
      throw new Error(`PNG: unknown filter type ${type}`);
  }
}

/** Options of {@link encodePng}. */
export interface EncodePngOptions {
  /**
   * Row filters: 'none' (fine for flat image grids), or 'adaptive', the PNG spec's heuristic (section
   * 12.8): per row, the filter whose output has the least sum of absolute values, which compresses
   * anti-aliased plots much better. @default 'none'
   */
  filter?: 'none' | 'adaptive';
}

/**
 * Encode pixels as a PNG file.
 * @param pixels row-major, `channels` bytes per pixel (grey; grey, alpha; R G B; R G B A),
 *   `width * height * channels` bytes.
 */
export function encodePng(width: number, height: number, pixels: Uint8Array, channels: 1 | 2 | 3 | 4, options: EncodePngOptions = {}): Buffer {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`encodePng: bad size ${width} x ${height}`);
  }
  const colourType = COLOUR_TYPE_OF_CHANNELS[channels];
  if (colourType === undefined) throw new Error(`encodePng: channels must be 1, 2, 3 or 4, got ${channels}`);
  const rowBytes = width * channels;
  if (pixels.length !== rowBytes * height) {
    throw new Error(`encodePng: expected ${rowBytes * height} bytes for ${width}x${height}x${channels}, got ${pixels.length}`);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colourType;
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  const raw = Buffer.alloc((rowBytes + 1) * height);
  const adaptive = options.filter === 'adaptive';
  const zero = new Uint8Array(rowBytes);
  const candidate = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const cur = pixels.subarray(y * rowBytes, (y + 1) * rowBytes);
    const at = y * (rowBytes + 1);
    if (!adaptive) {
      raw[at] = 0; // filter type: none
      raw.set(cur, at + 1);
      continue;
    }
    const prev = y === 0 ? zero : pixels.subarray((y - 1) * rowBytes, y * rowBytes);
    let bestSum = Infinity;
    for (let type = 0; type <= 4; type++) {
      let sum = 0;
      for (let i = 0; i < rowBytes; i++) {
        const v = ((cur[i] as number) - predict(type, cur, prev, i, channels)) & 0xff;
        candidate[i] = v;
        sum += v < 128 ? v : 256 - v;
      }
      if (sum < bestSum) {
        bestSum = sum;
        raw[at] = type;
        raw.set(candidate, at + 1);
      }
    }
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9, memLevel: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** A decoded PNG: 8-bit samples, `channels` per pixel, rows top to bottom. */
export interface DecodedPng {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  pixels: Uint8Array;
}

/**
 * Decode a PNG of 8-bit greyscale or truecolour samples, with or without alpha, not interlaced (what
 * browsers' canvases and {@link encodePng} write). Throws naming what is not supported otherwise.
 */
export function decodePng(png: Uint8Array): DecodedPng {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('decodePng: not a PNG file (bad signature)');
  let ihdr: Buffer | null = null;
  const idat: Buffer[] = [];
  for (let p = 8; p + 8 <= buf.length; ) {
    const length = buf.readUInt32BE(p);
    const type = buf.toString('ascii', p + 4, p + 8);
    if (p + 12 + length > buf.length) throw new Error(`decodePng: chunk ${type} runs past the end of the file`);
    const data = buf.subarray(p + 8, p + 8 + length);
    if (type === 'IHDR') ihdr = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    p += 12 + length;
  }
  if (ihdr === null || ihdr.length < 13) throw new Error('decodePng: no IHDR chunk');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const channels = CHANNELS_OF_COLOUR_TYPE[ihdr[9] as number];
  if (ihdr[8] !== 8 || channels === undefined || ihdr[12] !== 0) {
    throw new Error(`decodePng: only 8-bit, non-interlaced grey or truecolour (with or without alpha) is supported; got bit depth ${ihdr[8]}, colour type ${ihdr[9]}, interlace ${ihdr[12]}`);
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const rowBytes = width * channels;
  if (raw.length < (rowBytes + 1) * height) throw new Error(`decodePng: ${raw.length} bytes of image data, expected ${(rowBytes + 1) * height}`);
  const pixels = new Uint8Array(rowBytes * height);
  const zero = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (rowBytes + 1)] as number;
    const line = raw.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    const cur = pixels.subarray(y * rowBytes, (y + 1) * rowBytes);
    const prev = y === 0 ? zero : pixels.subarray((y - 1) * rowBytes, y * rowBytes);
    // In order: each byte's prediction reads bytes already reconstructed.
    for (let i = 0; i < rowBytes; i++) cur[i] = ((line[i] as number) + predict(type, cur, prev, i, channels)) & 0xff;
  }
  return { width, height, channels, pixels };
}

/**
 * The same picture in fewer bytes, losslessly: an opaque alpha channel dropped, rows filtered
 * adaptively, deflate at its highest level. Browsers encode canvases for speed; a saved figure is
 * written once and read many times. Returns the input when it is not smaller or cannot be decoded.
 */
export function compactPng(png: Buffer): Buffer {
  let d: DecodedPng;
  try {
    d = decodePng(png);
  } catch {
    return png;
  }
  let { pixels, channels } = d;
  if (channels === 4 || channels === 2) {
    let opaque = true;
    for (let i = channels - 1; i < pixels.length && opaque; i += channels) opaque = pixels[i] === 255;
    if (opaque) {
      const colour = channels - 1;
      const out = new Uint8Array(d.width * d.height * colour);
      for (let i = 0, j = 0; i < pixels.length; i += channels, j += colour) out.set(pixels.subarray(i, i + colour), j);
      pixels = out;
      channels = colour as 1 | 3;
    }
  }
  const smaller = encodePng(d.width, d.height, pixels, channels, { filter: 'adaptive' });
  return smaller.length < png.length ? smaller : png;
}
