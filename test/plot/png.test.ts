/**
 * The PNG encoder, checked by decoding: chunk layout, CRCs (against zlib's own CRC-32 and the
 * standard check value), IHDR fields, and the inflated rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'zlib';
import { compactPng, crc32, decodePng, encodePng } from '../../src/plot/png';
// The helper reads unfiltered PNGs only: an independent oracle for what encodePng writes by default.
import { decodePng as decodeUnfiltered, readChunks } from './helpers';

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
  const decoded = decodeUnfiltered(png);
  assert.deepEqual([...decoded.pixels], [...pixels]);
});

test('RGB PNG: colour type 2 and pixels round-trip', () => {
  const pixels = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
  const png = encodePng(2, 2, pixels, 3);
  const ihdr = readChunks(png)[0]!.data;
  assert.equal(ihdr[9], 2);
  const decoded = decodeUnfiltered(png);
  assert.equal(decoded.channels, 3);
  assert.deepEqual([...decoded.pixels], [...pixels]);
});

test('encodePng rejects a pixel buffer of the wrong size', () => {
  assert.throws(() => encodePng(2, 2, new Uint8Array(3), 1), /expected 4 bytes/);
  assert.throws(() => encodePng(0, 2, new Uint8Array(0), 1), /bad size/);
});

/** A deterministic picture with smooth gradients, edges and noise, so that every row filter has a use. */
function picture(w: number, h: number, channels: 1 | 2 | 3 | 4, opaque = true): Uint8Array {
  const px = new Uint8Array(w * h * channels);
  let state = 12345;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      state = (state * 1103515245 + 12345) >>> 0;
      for (let c = 0; c < channels; c++) {
        const i = (y * w + x) * channels + c;
        const alpha = (channels === 2 || channels === 4) && c === channels - 1;
        if (alpha) px[i] = opaque ? 255 : (x * 7 + y) & 0xff;
        else if (y < h / 3) px[i] = (x * 3 + c * 40) & 0xff; // horizontal gradient: Sub
        else if (y < (2 * h) / 3) px[i] = x % 9 < 4 ? 30 : 220; // vertical stripes repeated down: Up
        else px[i] = (x + y + (state >>> 28)) & 0xff; // noisy diagonal
      }
    }
  }
  return px;
}

/** The filter type byte of each row, from the inflated image data. */
function rowFilters(png: Buffer, rowBytes: number, height: number): number[] {
  let p = 8;
  const idat: Buffer[] = [];
  while (p < png.length) {
    const len = png.readUInt32BE(p);
    if (png.toString('ascii', p + 4, p + 8) === 'IDAT') idat.push(png.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  return Array.from({ length: height }, (_, y) => raw[y * (rowBytes + 1)] as number);
}

test('decodePng inverts encodePng for every pixel format, with no filter and with adaptive filters', () => {
  const w = 37;
  const h = 24;
  for (const channels of [1, 2, 3, 4] as const) {
    const px = picture(w, h, channels, false);
    for (const filter of ['none', 'adaptive'] as const) {
      const png = encodePng(w, h, px, channels, { filter });
      const d = decodePng(png);
      assert.deepEqual([d.width, d.height, d.channels], [w, h, channels]);
      assert.deepEqual(Buffer.from(d.pixels), Buffer.from(px), `${channels} channels, filter ${filter}`);
      const used = new Set(rowFilters(png, w * channels, h));
      if (filter === 'none') assert.deepEqual([...used], [0]);
      else assert.ok(used.size >= 2, `adaptive filtering used filters ${[...used]}`);
    }
  }
});

test('decodePng reconstructs each filter type as the spec defines it (a hand-filtered image)', () => {
  // 3x2 grey image; row 0 stored with Sub, row 1 with Paeth. Pixels: [10, 20, 40], [15, 25, 30].
  // Sub: x - left -> 10, 10, 20. Paeth for row 1: predictors (a=left, b=up, c=upper-left):
  // x=0: a=0,b=10,c=0 -> p=10, picks b=10: 15-10=5; x=1: a=15,b=20,c=10 -> p=25, |p-a|=10,|p-b|=5,|p-c|=15 -> b=20: 5;
  // x=2: a=25,b=40,c=20 -> p=45, |p-a|=20,|p-b|=5,|p-c|=25 -> b=40: 30-40 = -10 = 246.
  const raw = Buffer.from([1, 10, 10, 20, 4, 5, 5, 246]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(3, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8;
  const chunkOf = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunkOf('IHDR', ihdr), chunkOf('IDAT', zlib.deflateSync(raw)), chunkOf('IEND', Buffer.alloc(0))]);
  assert.deepEqual([...decodePng(png).pixels], [10, 20, 40, 15, 25, 30]);
  assert.throws(() => decodePng(Buffer.from('GIF89a')), /not a PNG file/);
  const interlaced = Buffer.from(png);
  interlaced[8 + 8 + 12] = 1; // IHDR interlace byte (its CRC is not checked)
  assert.throws(() => decodePng(interlaced), /non-interlaced .* interlace 1/);
});

test('compactPng: same pixels in fewer bytes; an opaque alpha channel is dropped, a real one kept', () => {
  const w = 120;
  const h = 60;
  const rgba = picture(w, h, 4, true);
  const loose = encodePng(w, h, rgba, 4); // unfiltered, as a quick encoder would write it
  const tight = compactPng(loose);
  assert.ok(tight.length < loose.length, `${tight.length} < ${loose.length}`);
  const d = decodePng(tight);
  assert.equal(d.channels, 3);
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) rgb.set(rgba.subarray(i, i + 3), j);
  assert.deepEqual(Buffer.from(d.pixels), rgb);
  const translucent = picture(w, h, 4, false);
  const kept = decodePng(compactPng(encodePng(w, h, translucent, 4)));
  assert.equal(kept.channels, 4);
  assert.deepEqual(Buffer.from(kept.pixels), Buffer.from(translucent));
  // Not a PNG it can read: returned as is.
  const odd = Buffer.from('not a png');
  assert.equal(compactPng(odd), odd);
});
