import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { BatchStream } from './stream.ts';

/**
 * LIMIT/OFFSET: trims selections and returns as soon as the limit is reached, which closes the
 * upstream generators (the scan stops loading chunks).
 */
export async function* limit(input: BatchStream, count: number | null, offset: number): BatchStream {
  let skip = offset;
  let left = count ?? Infinity;
  if (left <= 0) return;
  for await (const b of input) {
    let r: Rows = b;
    if (skip > 0) {
      if (r.count <= skip) {
        skip -= r.count;
        continue;
      }
      r = slice(r, skip, r.count);
      skip = 0;
    }
    if (r.count > left) r = slice(r, 0, left);
    left -= r.count;
    yield b.select(r);
    if (left <= 0) return;
  }
}

/** Selected rows [from, to) of a selection. */
export function slice(r: Rows, from: number, to: number): Rows {
  return { n: r.n, sel: selOf(r).slice(from, to), count: to - from };
}
