import type { Expr } from '../../sql/plan.ts';
import { evalFilter } from '../expr/evalFilter.ts';
import type { BatchStream } from './stream.ts';

/** Filter: narrows each batch's selection; batches with no rows left are dropped. */
export async function* filter(input: BatchStream, predicate: Expr): BatchStream {
  let buf = new Uint32Array(0);
  for await (const b of input) {
    if (buf.length < b.count) buf = new Uint32Array(Math.max(b.count, 1024));
    const r = evalFilter(predicate, b, b, buf);
    if (r.count > 0) yield b.select(r);
  }
}
