import type { Aggregate } from '../../sql/plan.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { KeyEncoder } from '../KeyEncoder.ts';
import type { Scalar, Vec } from '../vec.ts';
import type { Accumulator } from './Accumulator.ts';
import { Count } from './accumulators.ts';

/**
 * Integer keys take the code path when their chunk-local range is at most this, and not much
 * larger than the chunk (per-code arrays are allocated and merged per chunk).
 */
const SMALL_RANGE = 65_536;
const MIN_RANGE = 1024;

/** A chunk's group key as dense codes 0..d (d = NULL) and the key value of each code. */
export interface GroupCodes {
  codes: Int32Array;
  d: number;
  keyOf: (code: number) => Scalar;
}

/**
 * Codes for a single GROUP BY key when cheap: a dictionary's own codes, or value − min for an
 * integer key with a small range in this chunk. Null: use the hash path.
 */
export function groupCodes(key: Vec, r: Rows): GroupCodes | null {
  const s = selOf(r);
  if (key.kind === 'dict') {
    const d = key.dict.length;
    let codes = key.codes;
    if (key.nulls !== null) {
      codes = codes.slice();
      for (let k = 0; k < r.count; k++) if (key.nulls[s[k]!] === 1) codes[s[k]!] = d;
    }
    const dict = key.dict;
    return { codes, d, keyOf: (c) => (c === d ? null : dict[c]!) };
  }
  if (key.kind !== 'num' || !(key.v instanceof Int32Array) || r.count === 0) return null;
  const a = key.v;
  const nulls = key.nulls;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < r.count; k++) {
    const x = a[s[k]!]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const d = hi - lo + 1;
  if (d > Math.min(SMALL_RANGE, Math.max(MIN_RANGE, r.count))) return null;
  const codes = new Int32Array(r.n);
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    codes[i] = nulls !== null && nulls[i] === 1 ? d : a[i]! - lo;
  }
  return { codes, d, keyOf: (c) => (c === d ? null : c + lo) };
}

/**
 * One chunk of the code path: every accumulator aggregates into small per-code arrays, then the
 * codes that occurred are mapped to groups (one hash lookup per used code) and merged. The
 * per-code row counts come from an accumulator that already counted every row (SUM/AVG/COUNT of a
 * column without NULLs) when there is one, so `GROUP BY dept` with COUNT(*) and AVG(x) reads the
 * codes once.
 */
export function aggregateByCodes(
  g: GroupCodes,
  r: Rows,
  args: (Vec | null)[],
  accs: Accumulator[],
  aggs: readonly Aggregate[],
  enc: KeyEncoder,
): void {
  const { codes, d } = g;
  const locals = accs.map((acc) => acc.fresh());
  let used: Float64Array | null = null;
  aggs.forEach((a, j) => {
    if (a.fn === 'count_star') return;
    const local = locals[j]!;
    local.resize(d + 1);
    local.update(args[j]!, r, codes);
    const arg = args[j];
    const countsRows = arg && (arg.kind === 'const' ? arg.value !== null : arg.nulls === null);
    if (used === null && countsRows && 'c' in local && local.c instanceof Float64Array) used = local.c;
  });
  const rowCounts = new Count();
  if (used === null) {
    rowCounts.resize(d + 1);
    rowCounts.update(null, r, codes);
  } else rowCounts.c = used;
  const map = new Int32Array(d + 1).fill(-1);
  for (let c = 0; c <= d; c++) if (rowCounts.c[c]! > 0) map[c] = enc.idOf(g.keyOf(c), true);
  accs.forEach((acc, j) => {
    acc.resize(enc.size);
    acc.merge(aggs[j]!.fn === 'count_star' ? rowCounts : locals[j]!, map);
  });
}
