import type { Aggregate } from '../../sql/plan.ts';
import { Batch } from '../Batch.ts';
import type { ExecContext } from '../ExecContext.ts';
import { evalExpr } from '../expr/evalExpr.ts';
import { evalFilter } from '../expr/evalFilter.ts';
import type { Accumulator } from '../ops/Accumulator.ts';
import { Count, DoubleSum, makeAccumulator } from '../ops/accumulators.ts';
import { NumMinMax, ScalarMinMax } from '../ops/minMax.ts';
import { IntSum } from '../ops/IntSum.ts';
import { scan } from '../ops/scan.ts';
import type { BatchStream } from '../ops/stream.ts';
import type { ScanAggregatePlan } from './compileScanAggregate.ts';

/** Per-chunk INTEGER sums stay exact in a double up to 2^21 rows (2^21 · 2^31 = 2^52). */
const MAX_ROWS = 2 ** 21;
const ONE = new Int32Array([0]);

/**
 * Global aggregate over a scan through a generated kernel (see compileScanAggregate): each chunk
 * whose columns have no NULLs runs one fused loop; other chunks take the interpreted kernels.
 * Partials go into the same accumulators the interpreted path uses, so results are identical.
 */
export async function* fusedAggregate(
  aggregates: readonly Aggregate[],
  plan: ScanAggregatePlan,
  ctx: ExecContext,
): BatchStream {
  const accs = aggregates.map(makeAccumulator);
  for (const a of accs) a.resize(1);
  const out = new Float64Array(aggregates.length + 1);
  let buf = new Uint32Array(0);
  for await (const b of scan({ ...plan.scan, predicate: null }, ctx)) {
    const vecs = plan.columns.map((j) => b.col(j));
    const arrays: ArrayLike<number>[] = [];
    for (const v of vecs) if (v.kind === 'num' && v.nulls === null) arrays.push(v.v);
    if (arrays.length === vecs.length && b.n <= MAX_ROWS) {
      plan.kernel(arrays, b.n, out);
      accs.forEach((acc, j) => addPartial(acc, out[0]!, out[plan.slots[j]!]!));
      continue;
    }
    if (buf.length < b.n) buf = new Uint32Array(b.n);
    const r = plan.predicate ? evalFilter(plan.predicate, b, b, buf) : b;
    if (r.count === 0) continue;
    const rb = b.select(r);
    aggregates.forEach((a, j) => accs[j]!.update(a.arg ? evalExpr(a.arg, rb, rb) : null, rb, null));
  }
  ctx.check();
  const cols = accs.flatMap((a, j) => (aggregates[j]!.phase === 'partial' ? a.state(1) : [a.result(1)]));
  yield new Batch(1, cols, null, 1);
}

/** Folds one chunk's partial (rows counted, sum/min/max) into an accumulator. */
function addPartial(acc: Accumulator, cnt: number, value: number): void {
  if (cnt === 0) return;
  const local = acc.fresh();
  local.resize(1);
  if (local instanceof Count) local.c[0] = cnt;
  else if (local instanceof DoubleSum) {
    local.s[0] = value;
    local.c[0] = cnt;
  } else if (local instanceof IntSum) {
    local.f[0] = value;
    local.c[0] = cnt;
  } else if (local instanceof NumMinMax) {
    local.v[0] = value;
    local.has[0] = 1;
  } else if (local instanceof ScalarMinMax) local.v[0] = value;
  acc.merge(local, ONE);
}
