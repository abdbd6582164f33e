import type { Expr, SqlType } from '../../sql/plan.ts';
import { Batch, selOf } from '../Batch.ts';
import type { ExecContext } from '../ExecContext.ts';
import { MemoryShare } from '../ExecContext.ts';
import { coerceTo, commonType } from '../expr/coerce.ts';
import { evalExpr } from '../expr/evalExpr.ts';
import { evalFilter } from '../expr/evalFilter.ts';
import { gather } from '../gather.ts';
import type { Vec } from '../vec.ts';
import { Collector } from './Collector.ts';
import { JoinTable } from './JoinTable.ts';
import type { BatchStream } from './stream.ts';

/** Output batches are cut at this many joined rows, so a key with many matches streams. */
const OUT_ROWS = 65_536;

export interface JoinSpec {
  joinType: 'inner' | 'left';
  leftKeys: readonly Expr[];
  rightKeys: readonly Expr[];
  residual: Expr | null;
  rightWidth: number;
}

/**
 * Hash join, building on the right input: the right rows are buffered (charged to the memory
 * budget) and chained by key in a JoinTable; left batches probe it. Keys compare in their common
 * type (INTEGER = BIGINT = DOUBLE by value, DATE as TIMESTAMP); NULL keys never match. Output
 * columns are gathered lazily, so columns nobody reads (a join feeding COUNT(*)) cost nothing.
 * The residual runs on the joined rows; a LEFT join emits a NULL-extended row for each left row
 * with no surviving match. No keys = cross join.
 */
export async function* hashJoin(
  left: BatchStream,
  right: BatchStream,
  spec: JoinSpec,
  ctx: ExecContext,
): BatchStream {
  const build = new Collector(spec.rightWidth, ctx.memory, 'JOIN (build side, the right input)');
  const tableMem = new MemoryShare(ctx.memory, 'JOIN (hash table)');
  try {
    for await (const b of right) build.add(b);
    ctx.check();
    const rn = build.rows;
    const rb = new Batch(rn, build.finish(), null, rn);
    const types: SqlType[] = spec.leftKeys.map((e, i) => commonType(e.type, spec.rightKeys[i]!.type));
    const rkeys = spec.rightKeys.map((e, i) => coerceTo(evalExpr(e, rb, rb), types[i]!, rb));
    const table = new JoinTable(rkeys, types, rn);
    tableMem.set(table.bytes());
    const rcols = rb.cols();
    const next = table.next;
    // Reused for every output batch: a batch is only read before the next pull (stream.ts).
    const li = new Uint32Array(OUT_ROWS);
    const ri = new Uint32Array(OUT_ROWS);

    for await (const lb of left) {
      const lkeys = spec.leftKeys.map((e, i) => coerceTo(evalExpr(e, lb, lb), types[i]!, lb));
      const heads = table.probe(lkeys, lb);
      if (table.unique) {
        const out = uniqueMatches(lb, heads, rcols, spec);
        if (out) yield out;
        continue;
      }
      const lcols = lb.cols();
      const matched = spec.joinType === 'left' ? new Uint8Array(lb.n) : null;
      const s = selOf(lb);
      let m = 0;
      const emit = (): Batch | null => {
        const out = joined(lcols, rcols, li, ri, m);
        m = 0;
        const r = spec.residual ? evalFilter(spec.residual, out, out) : out;
        if (matched) {
          const rs = selOf(r);
          for (let k = 0; k < r.count; k++) matched[li[rs[k]!]!] = 1;
        }
        return r.count > 0 ? out.select(r) : null;
      };
      const cursor = { j: 0, x: -1 };
      while (cursor.j < lb.count || cursor.x >= 0) {
        m = pairs(heads, next, s, lb.count, cursor, li, ri);
        if (m === 0) break;
        await ctx.pause();
        const out = emit();
        if (out) yield out;
      }
      if (matched) {
        const miss = new Uint32Array(lb.count);
        let k = 0;
        for (let j = 0; j < lb.count; j++) if (matched[s[j]!] === 0) miss[k++] = s[j]!;
        if (k > 0) yield joined(lcols, rcols, miss, new Int32Array(k).fill(-1), k);
      }
    }
  } finally {
    build.release();
    tableMem.release();
  }
}

/**
 * The join of one probe batch when every build key is unique (the usual foreign-key join): the
 * result keeps the probe batch's physical layout, so its columns pass through untouched and only
 * the build columns that are read are gathered (by each row's matching build row). An inner join
 * selects the matched rows; a left join keeps all rows, with -1 (NULLs) where nothing matched or
 * the residual failed.
 */
function uniqueMatches(lb: Batch, heads: Int32Array, rcols: Vec[], spec: JoinSpec): Batch | null {
  const s = selOf(lb);
  const hit = new Uint32Array(lb.count);
  let k = 0;
  for (let j = 0; j < lb.count; j++) {
    const i = s[j]!;
    hit[k] = i;
    k += heads[i]! >= 0 ? 1 : 0;
  }
  const lw = lb.width;
  const make = (idx: Int32Array, missing: 'null' | 'ignore') => (j: number) =>
    j < lw ? lb.col(j) : gather(rcols[j - lw]!, idx, lb.n, missing);
  const width = lw + rcols.length;
  // Unmatched rows are not selected here, so their build side need not be NULL-marked.
  let matched = new Batch(lb.n, new Array<Vec | undefined>(width), hit, k, make(heads, 'ignore'));
  if (spec.residual && k > 0) matched = matched.select(evalFilter(spec.residual, matched, matched));
  if (spec.joinType === 'inner') return matched.count > 0 ? matched : null;
  let idx = heads;
  if (matched.count < k) {
    // Matches the residual rejected become NULL-extended rows.
    idx = new Int32Array(lb.n).fill(-1);
    const ms = selOf(matched);
    for (let j = 0; j < matched.count; j++) idx[ms[j]!] = heads[ms[j]!]!;
  }
  return lb.count > 0
    ? new Batch(lb.n, new Array<Vec | undefined>(width), lb.sel, lb.count, make(idx, 'null'))
    : null;
}

/**
 * Fills li/ri with up to OUT_ROWS (left row, right row) pairs, resuming at `cursor` (the next
 * selected left row, and the next right row of its chain or -1). A plain function: the hot loop
 * runs much faster outside the async generator.
 */
function pairs(
  heads: Int32Array,
  next: Int32Array,
  s: Uint32Array,
  count: number,
  cursor: { j: number; x: number },
  li: Uint32Array,
  ri: Uint32Array,
): number {
  let m = 0;
  let { j, x } = cursor;
  for (;;) {
    if (x < 0) {
      if (j >= count) break;
      x = heads[s[j]!]!;
      j++;
      continue;
    }
    li[m] = s[j - 1]!;
    ri[m] = x;
    x = next[x]!;
    if (++m === OUT_ROWS) break;
  }
  cursor.j = j;
  cursor.x = x;
  return m;
}

/** Row t of the result is left row li[t] next to right row ri[t] (ri < 0: NULLs), gathered on use. */
function joined(lcols: Vec[], rcols: Vec[], li: Uint32Array, ri: Uint32Array | Int32Array, m: number): Batch {
  const width = lcols.length + rcols.length;
  return new Batch(m, new Array<Vec | undefined>(width), null, m, (j) =>
    j < lcols.length ? gather(lcols[j]!, li, m) : gather(rcols[j - lcols.length]!, ri, m),
  );
}
