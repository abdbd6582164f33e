import type { SqlType } from '../../sql/plan.ts';
import { SqlError } from '../../sql/SqlError.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { Nulls, Vec } from '../vec.ts';
import {
  bigScalar,
  INT32_MAX,
  INT32_MIN,
  INT64_MAX,
  INT64_MIN,
  isNullAt,
  MAX_SAFE,
  scalarAt,
} from '../vec.ts';
import { castVec } from './cast.ts';
import { mergeNulls } from './compare.ts';

export type ArithOp = 'add' | 'subtract' | 'multiply' | 'divide' | 'modulo';

const VERB: Record<ArithOp, string> = {
  add: 'addition',
  subtract: 'subtraction',
  multiply: 'multiplication',
  divide: 'division',
  modulo: 'division',
};
const SYMBOL: Record<ArithOp, string> = { add: '+', subtract: '-', multiply: '*', divide: '/', modulo: '/' };

/**
 * Binary arithmetic with DuckDB semantics for result type `type`:
 * - computed in doubles, which is exact for INTEGER and for BIGINT below 2^53; a BIGINT batch
 *   that leaves that range is recomputed exactly with BigInt;
 * - INTEGER/BIGINT results that leave int32/int64 are SqlError OVERFLOW with DuckDB's message;
 * - `/` is always DOUBLE and IEEE (1/0 = Infinity, 0/0 = NaN: DuckDB 1.5 does the same);
 * - integer `%` by zero is NULL, INT_MIN % -1 is OVERFLOW (both as DuckDB); DOUBLE `%` is fmod.
 */
export function arith(op: ArithOp, a0: Vec, b0: Vec, type: SqlType, r: Rows): Vec {
  if (op === 'divide' && type !== 'DOUBLE') return castVec(arith(op, a0, b0, 'DOUBLE', r), type, r);
  const a = toNumeric(a0, r);
  const b = toNumeric(b0, r);
  if ((a.kind === 'const' && a.value === null) || (b.kind === 'const' && b.value === null))
    return { kind: 'const', type, value: null };
  const nulls = mergeNulls(a, b, r);
  const integral = type !== 'DOUBLE';
  if (
    a.kind === 'big' ||
    b.kind === 'big' ||
    typeof constOf(a) === 'bigint' ||
    typeof constOf(b) === 'bigint'
  ) {
    if (integral) return bigArith(op, a, b, type, nulls, r);
  }
  const x = asDoubles(a, r.n);
  const y = asDoubles(b, r.n);
  const out = new Float64Array(r.n);
  const s = selOf(r);
  const m = r.count;
  switch (op) {
    case 'add':
      for (let k = 0; k < m; k++) out[s[k]!] = x[s[k]!]! + y[s[k]!]!;
      break;
    case 'subtract':
      for (let k = 0; k < m; k++) out[s[k]!] = x[s[k]!]! - y[s[k]!]!;
      break;
    case 'multiply':
      for (let k = 0; k < m; k++) out[s[k]!] = x[s[k]!]! * y[s[k]!]!;
      break;
    case 'divide':
      for (let k = 0; k < m; k++) out[s[k]!] = x[s[k]!]! / y[s[k]!]!;
      break;
    case 'modulo':
      for (let k = 0; k < m; k++) out[s[k]!] = x[s[k]!]! % y[s[k]!]!;
      break;
  }
  let outNulls = nulls;
  if (op === 'modulo' && integral) outNulls = moduloNulls(x, y, nulls, r, type);
  if (!integral) return { kind: 'num', type: 'DOUBLE', v: out, nulls: outNulls };
  const lim = type === 'INTEGER' ? null : MAX_SAFE;
  for (let k = 0; k < m; k++) {
    const i = s[k]!;
    const z = out[i]!;
    const bad = lim === null ? z < INT32_MIN || z > INT32_MAX : z < -lim || z > lim;
    if (bad && (outNulls === null || outNulls[i] === 0)) {
      if (type === 'INTEGER') throw overflow(op, 'INT32', x[i]!, y[i]!);
      return bigArith(op, a, b, type, nulls, r);
    }
  }
  return { kind: 'num', type: type as 'INTEGER', v: out, nulls: outNulls };
}

/** -x: negating INT_MIN overflows, like DuckDB. */
export function negate(v0: Vec, type: SqlType, r: Rows): Vec {
  const v = toNumeric(v0, r);
  if (v.kind === 'const') {
    if (v.value === null) return v;
    const x = v.value as number | bigint;
    const neg = typeof x === 'bigint' ? -x : -x;
    checkNeg(x, type);
    return { kind: 'const', type, value: typeof neg === 'bigint' ? bigScalar(neg) : neg };
  }
  const s = selOf(r);
  if (v.kind === 'big') {
    const out = new BigInt64Array(r.n);
    for (let k = 0; k < r.count; k++) {
      const i = s[k]!;
      if (!isNullAt(v, i)) checkNeg(v.v[i]!, type);
      out[i] = -v.v[i]!;
    }
    return { kind: 'big', type: 'BIGINT', v: out, nulls: v.nulls };
  }
  if (v.kind !== 'num') throw new SqlError('TYPE', `cannot negate ${v.type}`);
  const out = new Float64Array(r.n);
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    if (type === 'INTEGER' && v.v[i] === INT32_MIN && !isNullAt(v, i)) checkNeg(INT32_MIN, type);
    out[i] = -v.v[i]!;
  }
  return { kind: 'num', type: v.type === 'DATE' ? 'INTEGER' : v.type, v: out, nulls: v.nulls };
}

function checkNeg(x: number | bigint, type: SqlType): void {
  if ((type === 'INTEGER' && x === INT32_MIN) || (type === 'BIGINT' && x === INT64_MIN))
    throw new SqlError('OVERFLOW', 'Overflow in negation of numeric value!');
}

/** DuckDB's messages: "Overflow in addition of INT32 (1 + 2)!", "Overflow in division of -8 / -1". */
function overflow(op: ArithOp, name: string, x: number | bigint, y: number | bigint): SqlError {
  if (op === 'modulo' || op === 'divide')
    return new SqlError('OVERFLOW', `Overflow in division of ${String(x)} / ${String(y)}`);
  return new SqlError(
    'OVERFLOW',
    `Overflow in ${VERB[op]} of ${name} (${String(x)} ${SYMBOL[op]} ${String(y)})!`,
  );
}

/** Booleans and strings are not arithmetic operands; anything else passes through. */
function toNumeric(v: Vec, r: Rows): Vec {
  if (v.type === 'VARCHAR') return castVec(v, 'DOUBLE', r);
  if (v.type === 'BOOLEAN') return castVec(v, 'INTEGER', r);
  return v;
}

function constOf(v: Vec): unknown {
  return v.kind === 'const' ? v.value : undefined;
}

/** An operand as an array indexable by physical row (constants filled; exact bigints rounded). */
function asDoubles(v: Vec, n: number): ArrayLike<number> {
  if (v.kind === 'num') return v.v;
  if (v.kind === 'const') return new Float64Array(n).fill(Number(v.value));
  if (v.kind === 'big') return Float64Array.from(v.v, (x) => Number(x));
  throw new SqlError('TYPE', `cannot do arithmetic on ${v.type}`);
}

function moduloNulls(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  nulls: Nulls,
  r: Rows,
  type: SqlType,
): Nulls {
  let out = nulls;
  const s = selOf(r);
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    if (y[i] === 0) {
      if (out === nulls) out = nulls ? nulls.slice() : new Uint8Array(r.n);
      out![i] = 1;
    } else if (y[i] === -1 && type === 'INTEGER' && x[i] === INT32_MIN && (nulls === null || nulls[i] === 0))
      throw overflow('modulo', 'INT32', INT32_MIN, -1);
  }
  return out;
}

/** Exact BIGINT arithmetic for batches that leave ±2^53. */
function bigArith(op: ArithOp, a: Vec, b: Vec, type: SqlType, nulls: Nulls, r: Rows): Vec {
  const out = new BigInt64Array(r.n);
  let outNulls = nulls;
  const s = selOf(r);
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    if (nulls !== null && nulls[i] === 1) continue;
    const x = BigInt(scalarAt(a, i) as number | bigint);
    const y = BigInt(scalarAt(b, i) as number | bigint);
    let z: bigint;
    if (op === 'add') z = x + y;
    else if (op === 'subtract') z = x - y;
    else if (op === 'multiply') z = x * y;
    else {
      if (y === 0n) {
        if (outNulls === nulls) outNulls = nulls ? nulls.slice() : new Uint8Array(r.n);
        outNulls![i] = 1;
        continue;
      }
      if (x === INT64_MIN && y === -1n) throw overflow(op, 'INT64', x, y);
      z = x % y;
    }
    if (z < INT64_MIN || z > INT64_MAX || (type === 'INTEGER' && (z < -2147483648n || z > 2147483647n)))
      throw overflow(op, type === 'INTEGER' ? 'INT32' : 'INT64', x, y);
    out[i] = z;
  }
  return { kind: 'big', type: 'BIGINT', v: out, nulls: outNulls };
}
