import type { SortKey } from '../../sql/plan.ts';
import { Batch } from '../Batch.ts';
import type { ExecContext } from '../ExecContext.ts';
import { MemoryShare } from '../ExecContext.ts';
import { evalExpr } from '../expr/evalExpr.ts';
import { gather } from '../gather.ts';
import { vecBytes } from '../vec.ts';
import { Collector } from './Collector.ts';
import { rowComparator } from './compareRows.ts';
import type { BatchStream } from './stream.ts';

/**
 * Sort: buffers the whole input (charged to the memory budget), evaluates the keys once over the
 * buffer, sorts a permutation of row numbers and gathers every column through it.
 */
export async function* sort(
  input: BatchStream,
  keys: readonly SortKey[],
  width: number,
  ctx: ExecContext,
): BatchStream {
  const buf = new Collector(width, ctx.memory, 'ORDER BY (sort buffer)');
  const extra = new MemoryShare(ctx.memory, 'ORDER BY (sort keys)');
  try {
    for await (const b of input) buf.add(b);
    ctx.check();
    const n = buf.rows;
    if (n === 0) return;
    const cols = buf.finish();
    const all = new Batch(n, cols, null, n);
    const keyVecs = keys.map((k) => evalExpr(k.expr, all, all));
    extra.set(n * 4 + keyVecs.reduce((s, v) => s + vecBytes(v, n), 0));
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    perm.sort(rowComparator(keyVecs, keys));
    ctx.check();
    yield new Batch(
      n,
      cols.map((v) => gather(v, perm, n)),
      null,
      n,
    );
  } finally {
    buf.release();
    extra.release();
  }
}
