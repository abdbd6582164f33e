import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { BoolVec, Scalar, Vec } from '../vec.ts';
import { bigScalar, isNullAt, scalarAt } from '../vec.ts';
import { castScalar } from './cast.ts';
import { coerceTo, commonType } from './coerce.ts';
import { compareVec } from './compare.ts';

/** A boolean value at row i: 0 false, 1 true, 2 NULL. */
export function truthAt(v: Vec, i: number): 0 | 1 | 2 {
  if (v.kind === 'const') return v.value === null ? 2 : v.value ? 1 : 0;
  if (v.nulls !== null && v.nulls[i] === 1) return 2;
  if (v.kind === 'bool') return v.v[i] === 1 ? 1 : 0;
  return scalarAt(v, i) ? 1 : 0;
}

/**
 * Three-valued AND/OR of `a` (over `r`) and `b` (evaluated only where `a` did not decide: the
 * caller passes those rows as `rb`, so the right side never runs on rows it cannot affect).
 */
export function andOr(op: 'and' | 'or', a: Vec, b: Vec, r: Rows): BoolVec {
  const v = new Uint8Array(r.n);
  let nulls: Uint8Array | null = null;
  const s = selOf(r);
  const decisive = op === 'and' ? 0 : 1;
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    const x = truthAt(a, i);
    let z: number;
    if (x === decisive) z = decisive;
    else {
      const y = truthAt(b, i);
      z = y === decisive ? decisive : x === 2 || y === 2 ? 2 : 1 - decisive;
    }
    if (z === 2) {
      nulls ??= new Uint8Array(r.n);
      nulls[i] = 1;
    } else v[i] = z;
  }
  return { kind: 'bool', type: 'BOOLEAN', v, nulls };
}

/** Rows of `r` where `a` does not decide `op` on its own (where the right side must run). */
export function undecided(op: 'and' | 'or', a: Vec, r: Rows): Rows {
  const decisive = op === 'and' ? 0 : 1;
  const s = selOf(r);
  const out = new Uint32Array(r.count);
  let k = 0;
  for (let j = 0; j < r.count; j++) {
    const i = s[j]!;
    if (truthAt(a, i) !== decisive) out[k++] = i;
  }
  return { n: r.n, sel: out, count: k };
}

export function not(a: Vec, r: Rows): Vec {
  if (a.kind === 'const') return { ...a, value: a.value === null ? null : !a.value };
  const v = new Uint8Array(r.n);
  const s = selOf(r);
  for (let k = 0; k < r.count; k++) v[s[k]!] = truthAt(a, s[k]!) === 0 ? 1 : 0;
  return { kind: 'bool', type: 'BOOLEAN', v, nulls: a.nulls };
}

export function isNull(a: Vec, r: Rows, negated: boolean): Vec {
  if (a.kind === 'const') return { kind: 'const', type: 'BOOLEAN', value: (a.value === null) !== negated };
  const v = new Uint8Array(r.n);
  const s = selOf(r);
  const nulls = a.nulls;
  const yes = negated ? 0 : 1;
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    v[i] = nulls !== null && nulls[i] === 1 ? yes : 1 - yes;
  }
  return { kind: 'bool', type: 'BOOLEAN', v, nulls: null };
}

/**
 * `x [NOT] IN (list)` with SQL NULL semantics: TRUE if x equals an item, else NULL if x or any item
 * is NULL, else FALSE. A constant list becomes a Set (a dictionary is tested once per entry).
 */
export function inList(x0: Vec, items: Vec[], negated: boolean, r: Rows): Vec {
  const t = items.reduce((acc, v) => commonType(acc, v.type), x0.type);
  if (!items.every((v) => v.kind === 'const')) {
    let acc: Vec = { kind: 'const', type: 'BOOLEAN', value: false };
    for (const item of items) acc = andOr('or', acc, compareVec('eq', x0, item, r), r);
    return negated ? not(acc, r) : acc;
  }
  const x = coerceTo(x0, t, r);
  const set = new Set<Scalar>();
  let listNull = false;
  for (const item of items) {
    const c = item.kind === 'const' ? item.value : null;
    const val = c === null ? null : castScalar(c, item.type === 'NULL' ? t : item.type, t);
    if (val === null) listNull = true;
    else set.add(norm(val));
  }
  const decide = (val: Scalar): 0 | 1 | 2 => (val === null ? 2 : set.has(norm(val)) ? 1 : listNull ? 2 : 0);
  const yes = negated ? 0 : 1;
  const v = new Uint8Array(r.n);
  let nulls: Uint8Array | null = null;
  const s = selOf(r);
  let codeTruth: Uint8Array | null = null;
  if (x.kind === 'dict') {
    codeTruth = new Uint8Array(x.dict.length);
    for (let c = 0; c < x.dict.length; c++) codeTruth[c] = decide(x.dict[c]!);
  }
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    const d = isNullAt(x, i)
      ? 2
      : codeTruth && x.kind === 'dict'
        ? codeTruth[x.codes[i]!]!
        : decide(scalarAt(x, i));
    if (d === 2) {
      nulls ??= new Uint8Array(r.n);
      nulls[i] = 1;
    } else v[i] = d === 1 ? yes : 1 - yes;
  }
  return { kind: 'bool', type: 'BOOLEAN', v, nulls };
}

/** One key per value across number/bigint forms (1 and 1n must meet in a Set). */
function norm(x: Scalar): Scalar {
  return typeof x === 'bigint' ? bigScalar(x) : x;
}
