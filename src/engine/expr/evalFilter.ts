import type { Expr } from '../../sql/plan.ts';
import type { Batch, Rows } from '../Batch.ts';
import { minus, selOf, union } from '../Batch.ts';
import { compareSel, selBuffer } from './compare.ts';
import { evalExpr } from './evalExpr.ts';
import { likeSel } from './like.ts';
import { truthAt } from './logic.ts';

const NONE = new Uint32Array(0);

/**
 * The rows of `r` where predicate `e` is TRUE: a filter works on selections, not on boolean
 * vectors. AND narrows the selection conjunct by conjunct (later conjuncts only see survivors),
 * OR evaluates its right side only on rows the left side rejected, and comparisons and LIKE go
 * straight to selection kernels (dictionary columns: once per entry).
 *
 * The result may be written into `out` (when it is large enough), which lets a scan or filter
 * reuse one selection buffer for every batch instead of allocating one per chunk.
 */
export function evalFilter(e: Expr, b: Batch, r: Rows, out?: Uint32Array): Rows {
  if (r.count === 0) return r;
  if (e.kind === 'literal') return e.value === true ? r : { n: r.n, sel: NONE, count: 0 };
  if (e.kind === 'call') {
    const [x, y] = e.args;
    switch (e.fn) {
      case 'and': {
        let cur = r;
        for (const c of e.args) {
          cur = evalFilter(c, b, cur, out);
          if (cur.count === 0) break;
        }
        return cur;
      }
      case 'or': {
        let hit: Rows = { n: r.n, sel: NONE, count: 0 };
        let rest = r;
        for (const c of e.args) {
          if (rest.count === 0) break;
          const h = evalFilter(c, b, rest);
          hit = union(hit, h);
          rest = minus(rest, h);
        }
        return hit;
      }
      case 'eq':
      case 'neq':
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        if (x && y) return compareSel(e.fn, evalExpr(x, b, r), evalExpr(y, b, r), r, out);
        break;
      case 'like':
      case 'ilike':
      case 'not_like':
      case 'not_ilike':
        if (x && y)
          return likeSel(
            evalExpr(x, b, r),
            evalExpr(y, b, r),
            e.fn.endsWith('ilike'),
            e.fn.startsWith('not_'),
            r,
            out,
          );
        break;
      case 'not':
        if (x) return truthRows(evalExpr(x, b, r), r, 0, out);
        break;
      default:
        break;
    }
  }
  return truthRows(evalExpr(e, b, r), r, 1, out);
}

/** Rows of `r` where boolean vector `v` has truth value `want` (1 TRUE, 0 FALSE). */
export function truthRows(v: ReturnType<typeof evalExpr>, r: Rows, want: 0 | 1, buf?: Uint32Array): Rows {
  if (v.kind === 'const') {
    const t = v.value === null ? 2 : v.value ? 1 : 0;
    return t === want ? r : { n: r.n, sel: NONE, count: 0 };
  }
  const s = selOf(r);
  const out = selBuffer(r, buf);
  let k = 0;
  if (v.kind === 'bool') {
    const a = v.v;
    const nulls = v.nulls;
    for (let j = 0; j < r.count; j++) {
      const i = s[j]!;
      out[k] = i;
      k += a[i] === want && (nulls === null || nulls[i] === 0) ? 1 : 0;
    }
  } else
    for (let j = 0; j < r.count; j++) {
      const i = s[j]!;
      if (truthAt(v, i) === want) out[k++] = i;
    }
  return { n: r.n, sel: out, count: k };
}
