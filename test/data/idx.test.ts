import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { isGzip, parseIdx, readIdx } from '../../src/data';
import { ROOT, idxUint8, tempDir, writeIdx } from './helpers';

test('uint8 round trip, raw and gzip (detected by magic bytes, not by name)', () => {
  const dir = tempDir('idx');
  const values = Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) % 256);
  const buf = idxUint8([2, 3, 4], values);
  const raw = path.join(dir, 'a-idx3-ubyte');
  const gz = path.join(dir, 'b-idx3-ubyte.gz');
  const gzNoSuffix = path.join(dir, 'c-idx3-ubyte');
  writeIdx(raw, buf);
  writeIdx(gz, buf);
  fs.writeFileSync(gzNoSuffix, zlib.gzipSync(buf));
  for (const f of [raw, gz, gzNoSuffix]) {
    const a = readIdx(f);
    assert.equal(a.dtype, 'uint8');
    assert.deepEqual(a.dims, [2, 3, 4]);
    assert.deepEqual(Array.from(a.data), values);
  }
});

test('multi-byte types are big-endian', () => {
  const header = Buffer.from([0, 0, 0x0c, 1, 0, 0, 0, 2]); // int32, 1 dim of size 2
  const body = Buffer.alloc(8);
  body.writeInt32BE(-5, 0);
  body.writeInt32BE(70000, 4);
  assert.deepEqual(Array.from(parseIdx(Buffer.concat([header, body])).data), [-5, 70000]);
  const fh = Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1]);
  const fb = Buffer.alloc(4);
  fb.writeFloatBE(1.5, 0);
  const f = parseIdx(Buffer.concat([fh, fb]));
  assert.equal(f.dtype, 'float32');
  assert.deepEqual(Array.from(f.data), [1.5]);
});

test('the shipped MNIST files parse with the documented header', () => {
  assert.ok(isGzip(fs.readFileSync(path.join(ROOT, 'data', 'mnist', 't10k-labels-idx1-ubyte.gz'))));
  const labels = readIdx(path.join(ROOT, 'data', 'mnist', 't10k-labels-idx1-ubyte.gz'));
  assert.deepEqual(labels.dims, [10000]);
  // The first test digits are 7, 2, 1, 0, 4 (LeCun's page / every MNIST tutorial).
  assert.deepEqual(Array.from(labels.data.subarray(0, 5)), [7, 2, 1, 0, 4]);
});

test('bad magic, truncation, trailing bytes and broken gzip are errors naming the file', () => {
  const good = idxUint8([3, 2], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => parseIdx(Buffer.from('PK\u0003\u0004 not idx at all'), 'x.idx'), /x\.idx: not an IDX file: bad magic bytes 50 4b 03 04/);
  assert.throws(() => parseIdx(Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 0]), 'x.idx'), /bad magic bytes 00 00 42 01/);
  assert.throws(() => parseIdx(Buffer.from([0, 0]), 'x.idx'), /only 2 bytes/);
  assert.throws(() => parseIdx(good.subarray(0, 10), 'x.idx'), /truncated IDX header: 2 dimensions need 12 bytes/);
  assert.throws(() => parseIdx(good.subarray(0, good.length - 1), 'x.idx'),
    /x\.idx: IDX file truncated: header says uint8 \[3 x 2\] = 18 bytes in all, the file has 17/);
  assert.throws(() => parseIdx(Buffer.concat([good, Buffer.from([0])]), 'x.idx'), /has trailing bytes/);
  const dir = tempDir('idx-bad');
  const gz = zlib.gzipSync(idxUint8([100, 10], new Array(1000).fill(7)));
  const cut = path.join(dir, 'cut-idx2-ubyte.gz');
  fs.writeFileSync(cut, gz.subarray(0, gz.length - 12));
  assert.throws(() => readIdx(cut), /cut-idx2-ubyte\.gz: could not decompress \(gzip data truncated or corrupt/);
});
