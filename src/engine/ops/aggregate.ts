import type { Aggregate, Expr, OutputColumn } from '../../sql/plan.ts';
import { Batch } from '../Batch.ts';
import type { ExecContext } from '../ExecContext.ts';
import { MemoryShare } from '../ExecContext.ts';
import { evalExpr } from '../expr/evalExpr.ts';
import { KeyEncoder } from '../KeyEncoder.ts';
import type { Vec } from '../vec.ts';
import { makeAccumulator } from './accumulators.ts';
import { aggregateByCodes, groupCodes } from './groupCodes.ts';
import type { BatchStream } from './stream.ts';

export interface AggregateSpec {
  groups: readonly Expr[];
  aggregates: readonly Aggregate[];
  schema: readonly OutputColumn[];
}

/**
 * HashAggregate. Without GROUP BY every accumulator updates one global slot (plain loops over the
 * selection). With groups, rows are mapped to dense group ids by a KeyEncoder and accumulators
 * index typed arrays by id. A single dictionary-encoded or small-range integer key takes the fast
 * path (groupCodes.ts): aggregate on per-chunk codes into small arrays, then map the codes that
 * occurred to groups (one hash lookup per dictionary entry per chunk instead of per row).
 * Output: group keys first, then aggregates; one row for a global aggregate even on empty input.
 * A `partial` aggregate outputs its state columns instead of its value, and a `final` one merges
 * such states (two-phase aggregation of distributed queries, src/sql/aggState.ts).
 */
export async function* aggregate(input: BatchStream, spec: AggregateSpec, ctx: ExecContext): BatchStream {
  const enc = new KeyEncoder(
    spec.groups.map((g) => g.type),
    true,
  );
  const accs = spec.aggregates.map(makeAccumulator);
  const global = spec.groups.length === 0;
  const merging = spec.aggregates.some((a) => a.phase === 'final');
  const codePath = spec.groups.length === 1 && !merging && spec.aggregates.every((a) => !a.distinct);
  if (global) for (const a of accs) a.resize(1);
  const mem = new MemoryShare(ctx.memory, 'GROUP BY (hash aggregate)');
  // Final phase of a distributed aggregate: accumulators fold partial states instead of values.
  const feed = (b: Batch, ids: Int32Array | null, args: (Vec | null)[]) =>
    accs.forEach((acc, j) => {
      const a = spec.aggregates[j]!;
      if (a.phase === 'final')
        acc.mergeState(
          (a.state ?? []).map((e) => evalExpr(e, b, b)),
          b,
          ids,
        );
      else acc.update(args[j]!, b, ids);
    });
  try {
    for await (const b of input) {
      const args = spec.aggregates.map((a) => (a.arg ? evalExpr(a.arg, b, b) : null));
      if (global) {
        // Still charged: COUNT(DISTINCT x) without GROUP BY keeps every distinct x.
        feed(b, null, args);
      } else {
        const keys = spec.groups.map((g) => evalExpr(g, b, b));
        const coded = codePath ? groupCodes(keys[0]!, b) : null;
        if (coded) aggregateByCodes(coded, b, args, accs, spec.aggregates, enc);
        else {
          const ids = enc.encode(keys, b, true);
          for (const a of accs) a.resize(enc.size);
          feed(b, ids, args);
        }
      }
      mem.set(enc.bytes() + accs.reduce((s, a) => s + a.bytes(), 0));
    }
    ctx.check();
    const n = global ? 1 : enc.size;
    const cols: Vec[] = [
      ...spec.groups.map((_, j) => enc.keyVec(j)),
      ...accs.flatMap((a, j) => (spec.aggregates[j]!.phase === 'partial' ? a.state(n) : [a.result(n)])),
    ];
    yield new Batch(n, cols, null, n);
  } finally {
    mem.release();
  }
}
