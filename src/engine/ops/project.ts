import type { Expr } from '../../sql/plan.ts';
import { Batch } from '../Batch.ts';
import { evalExpr } from '../expr/evalExpr.ts';
import type { BatchStream } from './stream.ts';

/** Project: evaluates the output expressions over the selected rows; the selection is kept. */
export async function* project(input: BatchStream, exprs: readonly Expr[]): BatchStream {
  for await (const b of input) {
    const cols = exprs.map((e) => evalExpr(e, b, b));
    yield new Batch(b.n, cols, b.sel, b.count);
  }
}
