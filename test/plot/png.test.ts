/**
 * The PNG encoder, checked by decoding: chunk layout, CRCs (against zlib's own CRC-32 and the
 * standard check value), IHDR fields, and the inflated rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'zlib';
import { crc32, encodePng } from '../../src/plot/png';
import { decodePng, readChunks } from './helpers';

test('crc32 matches the standard check value and zlib', () => {
  assert.equal(crc32(Buffer.from('123456789', 'ascii')), 0xcbf43926);
  assert.equal(crc32(Buffer.from('IEND', 'ascii')), 0xae426082);
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff));
  assert.equal(crc32(bytes), zlib.crc32(bytes));
  // Incremental use: crc of a then b equals crc of a+b.
  assert.equal(crc32(bytes.subarray(500), crc32(bytes.subarray(0, 500))), crc32(bytes));
});

test('grey PNG: header fields, chunk CRCs and pixels round-trip', () => {
  const w = 5;
  const h = 3;
  const pixels = Uint8Array.from({ length: w * h }, (_, i) => (i * 17) & 0xff);
  const png = encodePng(w, h, pixels, 1);
  const chunks = readChunks(png);
  assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  for (const c of chunks) {
    const typeAndData = Buffer.concat([Buffer.from(c.type, 'ascii'), c.data]);
    assert.equal(c.crc, zlib.crc32(typeAndData), `CRC of ${c.type}`);
  }
  const ihdr = chunks[0]!.data;
  assert.equal(ihdr.length, 13);
  assert.equal(ihdr.readUInt32BE(0), w);
  assert.equal(ihdr.readUInt32BE(4), h);
  assert.deepEqual([...ihdr.subarray(8)], [8, 0, 0, 0, 0], 'bit depth 8, greyscale, deflate, filter 0, no interlace');
  assert.equal(chunks[2]!.data.length, 0);
  const decoded = decodePng(png);
  assert.deepEqual([...decoded.pixels], [...pixels]);
});

test('RGB PNG: colour type 2 and pixels round-trip', () => {
  const pixels = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
  const png = encodePng(2, 2, pixels, 3);
  const ihdr = readChunks(png)[0]!.data;
  assert.equal(ihdr[9], 2);
  const decoded = decodePng(png);
  assert.equal(decoded.channels, 3);
  assert.deepEqual([...decoded.pixels], [...pixels]);
});

test('encodePng rejects a pixel buffer of the wrong size', () => {
  assert.throws(() => encodePng(2, 2, new Uint8Array(3), 1), /expected 4 bytes/);
  assert.throws(() => encodePng(0, 2, new Uint8Array(0), 1), /bad size/);
});
