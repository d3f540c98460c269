/** Shared test helpers for the plot module (not a test file itself): PNG decoding, a fake tslab display. */
import assert from 'node:assert/strict';
import * as zlib from 'zlib';
import type { MimeBundle } from '../../src/tslab/display';

export interface Chunk { type: string; data: Buffer; crc: number }

/** Split a PNG into its chunks, checking the signature. */
export function readChunks(png: Buffer): Chunk[] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Chunk[] = [];
  let p = 8;
  while (p < png.length) {
    const len = png.readUInt32BE(p);
    const type = png.toString('ascii', p + 4, p + 8);
    const data = png.subarray(p + 8, p + 8 + len);
    const crc = png.readUInt32BE(p + 8 + len);
    chunks.push({ type, data, crc });
    p += 12 + len;
  }
  assert.equal(p, png.length, 'chunks end exactly at the end of the file');
  return chunks;
}

/** Decode a PNG written by encodePng (filter type 0 only) into its size, channels and pixels. */
export function decodePng(png: Buffer): { width: number; height: number; channels: number; pixels: Buffer } {
  const chunks = readChunks(png);
  const ihdr = chunks[0]!;
  assert.equal(ihdr.type, 'IHDR');
  const width = ihdr.data.readUInt32BE(0);
  const height = ihdr.data.readUInt32BE(4);
  const channels = ihdr.data[9] === 0 ? 1 : 3;
  const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
  const raw = zlib.inflateSync(idat);
  const rowBytes = width * channels;
  assert.equal(raw.length, (rowBytes + 1) * height);
  const pixels = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (rowBytes + 1)], 0, 'filter type none');
    raw.copy(pixels, y * rowBytes, y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
  }
  return { width, height, channels, pixels };
}


/** One display message as tslab's writer receives it. */
export interface Sent {
  data: MimeBundle;
  displayId: string | undefined;
  update: boolean;
}

interface TslabJupyter {
  lastWriteDisplayData: ((d: { data: MimeBundle; transient: { display_id?: string } }, update: boolean) => void) | null;
}

/**
 * Pretend a tslab kernel is executing a cell: set the writer that display.ts reaches through
 * `tslab/dist/jupyter` and record what is sent. Returns the record and a function that restores.
 */
export function fakeKernel(): { sent: Sent[]; restore: () => void } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const jupyter = require('tslab/dist/jupyter') as TslabJupyter;
  const before = jupyter.lastWriteDisplayData;
  const sent: Sent[] = [];
  jupyter.lastWriteDisplayData = (d, update) => {
    sent.push({ data: d.data, displayId: d.transient.display_id, update });
  };
  return { sent, restore: () => { jupyter.lastWriteDisplayData = before; } };
}
