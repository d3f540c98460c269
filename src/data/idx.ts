/**
 * Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
 *
 * Layout: two zero bytes, a type code, the number of dimensions k, then k big-endian uint32 sizes, then
 * the values (big-endian for multi-byte types). Files may be gzip-compressed; that is detected from the
 * gzip magic bytes 1f 8b, not from the name. Every inconsistency (bad magic, a size that does not match
 * the file length) is an error: a truncated download must never become a tensor of zeros.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** The contents of one IDX file. */
export interface IdxArray {
  dtype: IdxDtype;
  /** Sizes of each dimension, e.g. `[10000, 28, 28]`. */
  dims: number[];
  /** The values in row-major order; length = product of `dims`. */
  data: IdxValues;
}

const TYPES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decode an (uncompressed) IDX buffer. `source` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, source = '<idx>'): IdxArray {
  if (bytes.length < 4) throw new Error(`${source}: not an IDX file: only ${bytes.length} bytes (the header alone is at least 8)`);
  const type = TYPES[bytes[2]!];
  const k = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || k === 0) {
    throw new Error(`${source}: not an IDX file: bad magic bytes ${hex(bytes.subarray(0, 4))} ` +
      `(expected 00 00, a type code 08/09/0b/0c/0d/0e, and a dimension count >= 1)`);
  }
  const headerBytes = 4 + 4 * k;
  if (bytes.length < headerBytes) {
    throw new Error(`${source}: truncated IDX header: ${k} dimensions need ${headerBytes} bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: k }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    const why = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    throw new Error(`${source}: IDX file ${why}: header says ${type.dtype} [${dims.join(' x ')}] = ` +
      `${expected} bytes in all, the file has ${bytes.length}`);
  }
  let data: IdxValues;
  if (type.bytes === 1) {
    // A view, no copy: these files are read once and owned by the caller.
    data = type.dtype === 'uint8'
      ? new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, count)
      : new Int8Array(bytes.buffer, bytes.byteOffset + headerBytes, count);
  } else {
    const read = {
      int16: (o: number) => view.getInt16(o, false),
      int32: (o: number) => view.getInt32(o, false),
      float32: (o: number) => view.getFloat32(o, false),
      float64: (o: number) => view.getFloat64(o, false),
    }[type.dtype as 'int16' | 'int32' | 'float32' | 'float64'];
    const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[
      type.dtype as 'int16' | 'int32' | 'float32' | 'float64'
    ];
    const out = new Ctor(count);
    for (let i = 0; i < count; i++) out[i] = read(headerBytes + i * type.bytes);
    data = out;
  }
  return { dtype: type.dtype, dims, data };
}

/** Read an IDX file, gzip-compressed or raw. */
export function readIdx(file: string): IdxArray {
  let bytes: Uint8Array = fs.readFileSync(file);
  if (isGzip(bytes)) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${file}: could not decompress (gzip data truncated or corrupt: ${(e as Error).message}); ` +
        're-download or re-copy the file');
    }
  }
  return parseIdx(bytes, file);
}
