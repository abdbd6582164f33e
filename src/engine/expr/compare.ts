import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { BoolVec, NumArray, Nulls, Vec } from '../vec.ts';
import { isNullAt, scalarAt } from '../vec.ts';
import { cmpStr } from './collate.ts';
import { cmpF, cmpScalar, unify } from './coerce.ts';

export type CmpOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';

const FLIP: Record<CmpOp, CmpOp> = { eq: 'eq', neq: 'neq', lt: 'gt', lte: 'gte', gt: 'lt', gte: 'lte' };

/** Whether a three-way comparison result satisfies `op`. */
export function holds(op: CmpOp, d: number): boolean {
  switch (op) {
    case 'eq':
      return d === 0;
    case 'neq':
      return d !== 0;
    case 'lt':
      return d < 0;
    case 'lte':
      return d <= 0;
    case 'gt':
      return d > 0;
    case 'gte':
      return d >= 0;
  }
}

/**
 * The rows where `a op b` is TRUE (NULL and FALSE rows dropped): what a filter needs. The common
 * shapes (column vs constant on numbers and dictionary strings) are straight typed-array loops;
 * a dictionary is compared once per entry and mapped through its codes.
 */
export function compareSel(op: CmpOp, a0: Vec, b0: Vec, r: Rows, out?: Uint32Array): Rows {
  const { a, b, domain } = unify(a0, b0, r);
  if (a.kind === 'const' && b.kind !== 'const') return compareSel(FLIP[op], b, a, r, out);
  if (b.kind === 'const') {
    if (b.value === null) return { n: r.n, sel: new Uint32Array(0), count: 0 };
    if (a.kind === 'const') {
      const yes = a.value !== null && holds(op, cmpScalar(a.value, b.value));
      return yes ? r : { n: r.n, sel: new Uint32Array(0), count: 0 };
    }
    if (a.kind === 'num' && typeof b.value === 'number' && b.value === b.value)
      return dropNulls(numConst(op, a.v, b.value, r, out), a.nulls);
    if (a.kind === 'dict' && typeof b.value === 'string') {
      const s = b.value;
      const table = new Uint8Array(a.dict.length);
      for (let c = 0; c < a.dict.length; c++) table[c] = holds(op, cmpStr(a.dict[c]!, s)) ? 1 : 0;
      return byCode(a.codes, table, a.nulls, r, out);
    }
    if (a.kind === 'str' && typeof b.value === 'string') {
      const s = b.value;
      const v = a.v;
      return generic(
        r,
        a.nulls,
        null,
        (i) => holds(op, op === 'eq' || op === 'neq' ? (v[i] === s ? 0 : 1) : cmpStr(v[i]!, s)),
        out,
      );
    }
  }
  if (domain === 'f' && a.kind === 'num' && b.kind === 'num') {
    const x = a.v;
    const y = b.v;
    if (a.type !== 'DOUBLE' && b.type !== 'DOUBLE')
      return generic(r, a.nulls, b.nulls, numTest(op, x, y), out);
    return generic(r, a.nulls, b.nulls, (i) => holds(op, cmpF(x[i]!, y[i]!)), out);
  }
  if (domain === 's' && a.kind !== 'const' && b.kind !== 'const') {
    const ga = stringAt(a);
    const gb = stringAt(b);
    return generic(r, a.nulls, b.nulls, (i) => holds(op, cmpStr(ga(i), gb(i))), out);
  }
  return generic(
    r,
    null,
    null,
    (i) => !isNullAt(a, i) && !isNullAt(b, i) && holds(op, cmpScalar(scalarAt(a, i), scalarAt(b, i))),
    out,
  );
}

/** `a op b` as a BOOLEAN vector with NULLs (for projections, CASE, AND/OR over values). */
export function compareVec(op: CmpOp, a: Vec, b: Vec, r: Rows): BoolVec {
  const t = compareSel(op, a, b, r);
  return selToBool(t, r, mergeNulls(a, b, r));
}

/** A BOOLEAN vector that is true exactly on `trues`, with the given NULL mask. */
export function selToBool(trues: Rows, r: Rows, nulls: Nulls): BoolVec {
  const v = new Uint8Array(r.n);
  const s = selOf(trues);
  for (let k = 0; k < trues.count; k++) v[s[k]!] = 1;
  return { kind: 'bool', type: 'BOOLEAN', v, nulls };
}

/** Union of the NULL masks of some vectors over the selected rows (null when none is NULL). */
export function mergeNulls(a: Vec, b: Vec | null, r: Rows): Nulls {
  const parts = [a, b].filter((v): v is Vec => v !== null);
  if (parts.some((v) => v.kind === 'const' && v.value === null)) return new Uint8Array(r.n).fill(1);
  const masks = parts
    .map((v) => (v.kind === 'const' ? null : v.nulls))
    .filter((m): m is Uint8Array => m !== null);
  if (masks.length === 0) return null;
  if (masks.length === 1) return masks[0]!;
  const out = new Uint8Array(r.n);
  const s = selOf(r);
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    out[i] = masks[0]![i]! | masks[1]![i]!;
  }
  return out;
}

function stringAt(v: Vec): (i: number) => string {
  if (v.kind === 'dict') return (i) => v.dict[v.codes[i]!]!;
  if (v.kind === 'str') return (i) => v.v[i]!;
  return (i) => String(scalarAt(v, i));
}

/**
 * A selection buffer for the result over `r`: the caller's `out` when big enough. Selection
 * kernels only ever write position k after reading position j ≥ k, so `out` may even be r's own
 * selection (AND narrows in place), and a scan reuses one buffer for all its chunks.
 */
export function selBuffer(r: Rows, out: Uint32Array | undefined): Uint32Array {
  return out !== undefined && out.length >= r.count ? out : new Uint32Array(r.count);
}

/** Selected rows where `test` holds and neither mask marks NULL. */
function generic(r: Rows, na: Nulls, nb: Nulls, test: (i: number) => boolean, buf?: Uint32Array): Rows {
  const s = selOf(r);
  const out = selBuffer(r, buf);
  let k = 0;
  for (let j = 0; j < r.count; j++) {
    const i = s[j]!;
    if ((na !== null && na[i] === 1) || (nb !== null && nb[i] === 1)) continue;
    if (test(i)) out[k++] = i;
  }
  return { n: r.n, sel: out, count: k };
}

function numTest(op: CmpOp, x: NumArray, y: NumArray): (i: number) => boolean {
  switch (op) {
    case 'eq':
      return (i) => x[i] === y[i];
    case 'neq':
      return (i) => x[i] !== y[i];
    case 'lt':
      return (i) => x[i]! < y[i]!;
    case 'lte':
      return (i) => x[i]! <= y[i]!;
    case 'gt':
      return (i) => x[i]! > y[i]!;
    case 'gte':
      return (i) => x[i]! >= y[i]!;
  }
}

function dropNulls(t: Rows, nulls: Nulls): Rows {
  if (nulls === null || t.count === 0) return t;
  const s = t.sel!;
  let k = 0;
  for (let j = 0; j < t.count; j++) {
    const i = s[j]!;
    s[k] = i;
    k += nulls[i]! ^ 1;
  }
  return { n: t.n, sel: s, count: k };
}

/** Rows whose dictionary code maps to 1 in `table`. */
export function byCode(codes: Int32Array, table: Uint8Array, nulls: Nulls, r: Rows, buf?: Uint32Array): Rows {
  const out = selBuffer(r, buf);
  let k = 0;
  const sel = r.sel;
  if (sel === null)
    for (let i = 0; i < r.n; i++) {
      out[k] = i;
      k += table[codes[i]!]!;
    }
  else
    for (let j = 0; j < r.count; j++) {
      const i = sel[j]!;
      out[k] = i;
      k += table[codes[i]!]!;
    }
  return dropNulls({ n: r.n, sel: out, count: k }, nulls);
}

/**
 * Column vs constant on doubles/ints: branch-free selection loops (write the index, advance by
 * the comparison), the engine's hottest kernel. `!(x <= c)` for `>` makes NaN count as larger than
 * any number, as DuckDB does (c itself is never NaN here).
 */
function numConst(op: CmpOp, v: NumArray, c: number, r: Rows, buf?: Uint32Array): Rows {
  const out = selBuffer(r, buf);
  let k = 0;
  const sel = r.sel;
  const n = sel === null ? r.n : r.count;
  switch (op) {
    case 'gt':
      if (sel === null)
        for (let i = 0; i < n; i++) {
          out[k] = i;
          k += v[i]! <= c ? 0 : 1;
        }
      else
        for (let j = 0; j < n; j++) {
          const i = sel[j]!;
          out[k] = i;
          k += v[i]! <= c ? 0 : 1;
        }
      break;
    case 'gte':
      if (sel === null)
        for (let i = 0; i < n; i++) {
          out[k] = i;
          k += v[i]! < c ? 0 : 1;
        }
      else
        for (let j = 0; j < n; j++) {
          const i = sel[j]!;
          out[k] = i;
          k += v[i]! < c ? 0 : 1;
        }
      break;
    case 'lt':
      if (sel === null)
        for (let i = 0; i < n; i++) {
          out[k] = i;
          k += v[i]! < c ? 1 : 0;
        }
      else
        for (let j = 0; j < n; j++) {
          const i = sel[j]!;
          out[k] = i;
          k += v[i]! < c ? 1 : 0;
        }
      break;
    case 'lte':
      if (sel === null)
        for (let i = 0; i < n; i++) {
          out[k] = i;
          k += v[i]! <= c ? 1 : 0;
        }
      else
        for (let j = 0; j < n; j++) {
          const i = sel[j]!;
          out[k] = i;
          k += v[i]! <= c ? 1 : 0;
        }
      break;
    case 'eq':
      if (sel === null)
        for (let i = 0; i < n; i++) {
          out[k] = i;
          k += v[i] === c ? 1 : 0;
        }
      else
        for (let j = 0; j < n; j++) {
          const i = sel[j]!;
          out[k] = i;
          k += v[i] === c ? 1 : 0;
        }
      break;
    case 'neq':
      if (sel === null)
        for (let i = 0; i < n; i++) {
          out[k] = i;
          k += v[i] === c ? 0 : 1;
        }
      else
        for (let j = 0; j < n; j++) {
          const i = sel[j]!;
          out[k] = i;
          k += v[i] === c ? 0 : 1;
        }
      break;
  }
  return { n: r.n, sel: out, count: k };
}
