import type { SortKey } from '../../sql/plan.ts';
import { cmpStr } from '../expr/collate.ts';
import { cmpF, cmpScalar } from '../expr/coerce.ts';
import type { Scalar, Vec } from '../vec.ts';
import { scalarAt } from '../vec.ts';

export type RowCmp = (i: number, j: number) => number;

/**
 * A comparator over physical rows for ORDER BY keys evaluated into `keys`: NULLs placed by
 * `nullsFirst` whatever the direction (the front end resolves DuckDB's default, NULLS LAST),
 * doubles with NaN largest, strings in code point order, dictionary keys through a rank per
 * entry so rows compare as integers.
 */
export function rowComparator(keys: readonly Vec[], spec: readonly SortKey[]): RowCmp {
  const parts = keys.map((v, k) => keyCmp(v, spec[k]!));
  if (parts.length === 1) return parts[0]!;
  return (i, j) => {
    for (const p of parts) {
      const d = p(i, j);
      if (d !== 0) return d;
    }
    return 0;
  };
}

function keyCmp(v: Vec, key: SortKey): RowCmp {
  const dir = key.desc ? -1 : 1;
  const nullDir = key.nullsFirst ? -1 : 1;
  const values = valueCmp(v);
  if (v.kind === 'const') return () => 0;
  const nulls = v.nulls;
  if (nulls === null) return dir === 1 ? values : (i, j) => -values(i, j);
  return (i, j) => {
    const a = nulls[i] === 1;
    const b = nulls[j] === 1;
    if (a || b) return a === b ? 0 : a ? nullDir : -nullDir;
    return dir * values(i, j);
  };
}

function valueCmp(v: Vec): RowCmp {
  switch (v.kind) {
    case 'num': {
      const a = v.v;
      if (v.type === 'DOUBLE') return (i, j) => cmpF(a[i]!, a[j]!);
      return (i, j) => a[i]! - a[j]!;
    }
    case 'bool': {
      const a = v.v;
      return (i, j) => a[i]! - a[j]!;
    }
    case 'dict': {
      const rank = dictRanks(v.dict);
      const c = v.codes;
      return (i, j) => rank[c[i]!]! - rank[c[j]!]!;
    }
    case 'str': {
      const a = v.v;
      return (i, j) => cmpStr(a[i]!, a[j]!);
    }
    case 'big': {
      const a = v.v;
      return (i, j) => (a[i]! < a[j]! ? -1 : a[i]! > a[j]! ? 1 : 0);
    }
    case 'const':
      return () => 0;
  }
}

/** Rank of each dictionary entry in string order (equal strings share a rank). */
export function dictRanks(dict: readonly string[]): Int32Array {
  const order = Array.from(dict.keys()).sort((a, b) => cmpStr(dict[a]!, dict[b]!));
  const rank = new Int32Array(dict.length);
  let r = 0;
  for (let k = 0; k < order.length; k++) {
    if (k > 0 && dict[order[k]!] !== dict[order[k - 1]!]) r++;
    rank[order[k]!] = r;
  }
  return rank;
}

/** Compares two key tuples of scalars under ORDER BY keys (TopN heap entries). */
export function tupleCmp(a: readonly Scalar[], b: readonly Scalar[], spec: readonly SortKey[]): number {
  for (let k = 0; k < spec.length; k++) {
    const d = scalarKeyCmp(a[k] ?? null, b[k] ?? null, spec[k]!);
    if (d !== 0) return d;
  }
  return 0;
}

export function scalarKeyCmp(x: Scalar, y: Scalar, key: SortKey): number {
  if (x === null || y === null) {
    if (x === y) return 0;
    return (x === null ? 1 : -1) * (key.nullsFirst ? -1 : 1);
  }
  const d = cmpScalar(x, y);
  return key.desc ? -d : d;
}

/** Key k of physical row i as a scalar. */
export function keyAt(keys: readonly Vec[], k: number, i: number): Scalar {
  return scalarAt(keys[k]!, i);
}
