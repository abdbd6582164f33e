import type { ScanNode } from '../../sql/plan.ts';
import { SqlError } from '../../sql/SqlError.ts';
import { fromArrow } from '../arrowIn.ts';
import { Batch } from '../Batch.ts';
import type { ExecContext } from '../ExecContext.ts';
import { castVec } from '../expr/cast.ts';
import { evalFilter } from '../expr/evalFilter.ts';
import type { Vec } from '../vec.ts';
import type { BatchStream } from './stream.ts';

/**
 * Scan: loads the plan's (already pruned) chunks one at a time through the ChunkSource, picks the
 * projected columns (converted to vectors lazily, on first use), applies the pushed-down
 * predicate, and reports progress. Cancellation and the deadline are checked before every chunk
 * load, and a load that hangs is abandoned at the deadline.
 */
export async function* scan(node: ScanNode, ctx: ExecContext): BatchStream {
  const total = node.chunks.length;
  let rowsScanned = 0;
  // One selection buffer for all chunks: a batch is only valid until the next pull (stream.ts).
  let buf = new Uint32Array(0);
  for (let c = 0; c < total; c++) {
    const ref = node.chunks[c]!;
    const table = await ctx.guard(ctx.source.load(ref.id));
    for (const rb of table.batches) {
      const n = rb.numRows;
      const children = rb.data.children;
      const make = (j: number): Vec => {
        const data = children[node.columns[j]!];
        const want = node.schema[j]!.type;
        if (!data)
          throw new SqlError('DATA', `chunk ${ref.id} of ${node.table} has no column ${node.columns[j]}`);
        const v = fromArrow(data);
        return v.type === want ? v : castVec(v, want, { n, sel: null, count: n });
      };
      const b = new Batch(n, new Array<Vec | undefined>(node.columns.length), null, n, make);
      rowsScanned += n;
      if (!node.predicate) {
        yield b;
        continue;
      }
      if (buf.length < n) buf = new Uint32Array(n);
      const r = evalFilter(node.predicate, b, b, buf);
      if (r.count > 0) yield b.select(r);
    }
    ctx.limits.onProgress?.({ chunksDone: c + 1, chunksTotal: total, rowsScanned });
    await ctx.pause();
  }
}
