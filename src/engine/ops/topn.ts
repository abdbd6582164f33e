import type { OutputColumn, SortKey } from '../../sql/plan.ts';
import { Batch, selOf } from '../Batch.ts';
import { buildVec } from '../buildVec.ts';
import type { ExecContext } from '../ExecContext.ts';
import { MemoryShare } from '../ExecContext.ts';
import { evalExpr } from '../expr/evalExpr.ts';
import type { Scalar, Vec } from '../vec.ts';
import { scalarAt } from '../vec.ts';
import { tupleCmp } from './compareRows.ts';
import { limit as limitOp } from './limit.ts';
import { sort } from './sort.ts';
import type { BatchStream } from './stream.ts';

/** Above this many kept rows a full sort is cheaper than a heap of scalar rows. */
const HEAP_MAX = 50_000;

/**
 * ORDER BY … LIMIT: keeps the best `limit + offset` rows in a bounded binary heap whose root is
 * the worst kept row. Each incoming row is first tested against the root on the first key with a
 * typed-array read (most rows lose there); only rows that may enter the heap are read as scalars.
 * The result equals sort + limit.
 */
export async function* topN(
  input: BatchStream,
  keys: readonly SortKey[],
  limit: number,
  offset: number,
  schema: readonly OutputColumn[],
  ctx: ExecContext,
): BatchStream {
  const k = limit + offset;
  if (limit <= 0) return;
  if (k > HEAP_MAX) {
    yield* limitOp(sort(input, keys, schema.length, ctx), limit, offset);
    return;
  }
  const rowsKept: Scalar[][] = [];
  const keysKept: Scalar[][] = [];
  /** heap[0] is the slot of the worst kept row. */
  const heap: number[] = [];
  const worse = (a: number, b: number) => tupleCmp(keysKept[a]!, keysKept[b]!, keys) > 0;
  const siftDown = (p: number) => {
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
      if (m === p) return;
      [heap[p], heap[m]] = [heap[m]!, heap[p]!];
      p = m;
    }
  };
  const siftUp = (c: number) => {
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!worse(heap[c]!, heap[p]!)) return;
      [heap[p], heap[c]] = [heap[c]!, heap[p]!];
      c = p;
    }
  };
  const mem = new MemoryShare(ctx.memory, 'ORDER BY … LIMIT (heap)');
  const first = keys[0]!;
  try {
    for await (const b of input) {
      const kv = keys.map((key) => evalExpr(key.expr, b, b));
      const cols = b.cols();
      const s = selOf(b);
      const k0 = kv[0]!;
      const fast = k0.kind === 'num' && k0.nulls === null ? k0.v : null;
      const tuple = (i: number) => kv.map((v) => scalarAt(v, i));
      const offer = (i: number): void => {
        if (heap.length < k) {
          const slot = heap.length;
          keysKept.push(tuple(i));
          rowsKept.push(cols.map((v) => scalarAt(v, i)));
          heap.push(slot);
          siftUp(heap.length - 1);
          return;
        }
        const t = tuple(i);
        if (tupleCmp(t, keysKept[heap[0]!]!, keys) >= 0) return;
        const slot = heap[0]!;
        keysKept[slot] = t;
        rowsKept[slot] = cols.map((v) => scalarAt(v, i));
        siftDown(0);
      };
      /** The worst kept first key as a number, when rows can be rejected on it alone. */
      const bound = (): number => {
        const x = heap.length === k ? keysKept[heap[0]!]![0] : undefined;
        return typeof x === 'number' && x === x ? x : NaN;
      };
      let j = 0;
      while (j < b.count && heap.length < k) offer(s[j++]!);
      if (fast === null) while (j < b.count) offer(s[j++]!);
      else {
        // Hot loop: a row strictly worse than the bound on the first key cannot enter the heap.
        // NaN never compares, so NaN rows and a NaN bound always take the full comparison.
        let t = bound();
        const desc = first.desc;
        for (; j < b.count; j++) {
          const i = s[j]!;
          const x = fast[i]!;
          if (desc ? x < t : x > t) continue;
          offer(i);
          t = bound();
        }
      }
      mem.set(heap.length * (schema.length + keys.length) * 24);
    }
    ctx.check();
    const order = heap.slice().sort((a, b) => tupleCmp(keysKept[a]!, keysKept[b]!, keys));
    const out = order.slice(offset);
    const vecs: Vec[] = schema.map((c, j) =>
      buildVec(
        c.type,
        out.map((slot) => rowsKept[slot]![j]!),
      ),
    );
    if (out.length > 0) yield new Batch(out.length, vecs, null, out.length);
  } finally {
    mem.release();
  }
}
