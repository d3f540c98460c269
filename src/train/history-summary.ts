/**
 * What a notebook shows when a cell ends in `await trainer.fit(...)`: tslab prints the value of a
 * cell's last expression, and a whole history (every series, every epoch) is a wall of numbers. The
 * trainer's history prints as one line instead: its epochs, the last value of each series, the time.
 */
import { inspect } from 'util';
import type { History } from './types';

/** `History: 60 epochs · loss 24.65 · recon 24.65 · val_pnll 95.21 · 118 s` (last finite value of each series). */
export function summarizeHistory(h: History): string {
  const epochs = h.epoch.length;
  const parts = [`History: ${epochs} epoch${epochs === 1 ? '' : 's'}`];
  let seconds = 0;
  for (const [name, series] of Object.entries(h)) {
    if (name === 'epoch') continue;
    if (name === 'seconds') {
      for (const v of series) if (Number.isFinite(v)) seconds += v;
      continue;
    }
    const last = [...series].reverse().find((v) => Number.isFinite(v));
    if (last !== undefined) parts.push(`${name} ${Number.isInteger(last) ? last : last.toPrecision(4)}`);
  }
  if (seconds > 0) parts.push(`${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`);
  return parts.join(' · ');
}

/** Make `h` print as its summary (util.inspect, console.log, tslab's last-expression display). */
export function printAsSummary(h: History): History {
  Object.defineProperty(h, inspect.custom, { value: () => summarizeHistory(h), enumerable: false });
  return h;
}
