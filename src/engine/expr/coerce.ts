import type { SqlType } from '../../sql/plan.ts';
import { SqlError } from '../../sql/SqlError.ts';
import type { Rows } from '../Batch.ts';
import type { Scalar, Vec } from '../vec.ts';
import { castVec } from './cast.ts';
import { cmpStr } from './collate.ts';

/** How two coerced operands compare: as doubles, as exact bigints, or as strings. */
export type Domain = 'f' | 'big' | 's';

const NUMERIC = new Set<SqlType>(['INTEGER', 'BIGINT', 'DOUBLE']);

/**
 * The type both sides of a comparison (or IN, join key, CASE branch) are brought to, following
 * DuckDB's implicit casts: INTEGER < BIGINT < DOUBLE, DATE → TIMESTAMP, a VARCHAR side is cast to
 * the other side's type (string literals compare as the column's type), NULL adopts the other.
 */
export function commonType(a: SqlType, b: SqlType): SqlType {
  if (a === b) return a;
  if (a === 'NULL') return b;
  if (b === 'NULL') return a;
  if (a === 'VARCHAR') return b;
  if (b === 'VARCHAR') return a;
  if (NUMERIC.has(a) && NUMERIC.has(b)) return a === 'DOUBLE' || b === 'DOUBLE' ? 'DOUBLE' : 'BIGINT';
  if ((a === 'DATE' && b === 'TIMESTAMP') || (a === 'TIMESTAMP' && b === 'DATE')) return 'TIMESTAMP';
  if (a === 'BOOLEAN' && NUMERIC.has(b)) return b;
  if (b === 'BOOLEAN' && NUMERIC.has(a)) return a;
  throw new SqlError('TYPE', `cannot compare ${a} with ${b}`);
}

/**
 * Casts `v` so it compares in type `t`. INTEGER/BIGINT/DOUBLE vectors of doubles already compare
 * correctly as numbers, so widening them is free; only exact bigints, dates, strings and booleans
 * are converted.
 */
export function coerceTo(v: Vec, t: SqlType, r: Rows): Vec {
  if (v.type === t || v.type === 'NULL') return v;
  if (
    NUMERIC.has(v.type) &&
    NUMERIC.has(t) &&
    v.kind !== 'big' &&
    !(v.kind === 'const' && typeof v.value === 'bigint')
  )
    return v;
  if (v.type === 'BOOLEAN') {
    if (v.kind === 'const')
      return { kind: 'const', type: t, value: v.value === null ? null : v.value ? 1 : 0 };
    if (v.kind === 'bool') return { kind: 'num', type: 'INTEGER', v: Int32Array.from(v.v), nulls: v.nulls };
  }
  return castVec(v, t, r);
}

/** Coerces both operands; the domain says which kernel family compares them. */
export function unify(a: Vec, b: Vec, r: Rows): { a: Vec; b: Vec; domain: Domain; type: SqlType } {
  const t = commonType(a.type, b.type);
  const x = coerceTo(a, t, r);
  const y = coerceTo(b, t, r);
  if (t === 'VARCHAR') return { a: x, b: y, domain: 's', type: t };
  const big = (v: Vec) => v.kind === 'big' || (v.kind === 'const' && typeof v.value === 'bigint');
  return { a: x, b: y, domain: big(x) || big(y) ? 'big' : 'f', type: t };
}

/**
 * Total order on doubles as DuckDB sorts and compares them: NaN equals NaN and is larger than
 * everything, including Infinity (`'nan'::double > 1e308` is true).
 */
export function cmpF(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  const xn = x !== x;
  const yn = y !== y;
  return xn === yn ? 0 : xn ? 1 : -1;
}

/** Compares two non-null scalars of one (coerced) type: the slow path for sorts, heaps, min/max. */
export function cmpScalar(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return cmpF(a, b);
  if (typeof a === 'string' && typeof b === 'string') return cmpStr(a, b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (typeof a === 'number' && !Number.isInteger(a)) return cmpF(a, Number(b));
    if (typeof b === 'number' && !Number.isInteger(b)) return cmpF(Number(a), b);
    const x = BigInt(a as number | bigint);
    const y = BigInt(b as number | bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return cmpStr(String(a), String(b));
}
