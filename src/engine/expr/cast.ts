import type { SqlType } from '../../sql/plan.ts';
import { SqlError } from '../../sql/SqlError.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { NumArray, Scalar, Vec } from '../vec.ts';
import { bigScalar, INT32_MAX, INT32_MIN, isNumType, MS_PER_DAY, nullConst } from '../vec.ts';
import { mapScalar, mapString } from './VecWriter.ts';
import {
  duckTypeName,
  formatDate,
  formatDouble,
  formatTimestamp,
  parseBoolText,
  parseDateText,
  parseDoubleText,
  parseIntText,
  parseTimestampText,
} from './text.ts';

/**
 * CAST with DuckDB's behaviour: DOUBLE → integer rounds half to even (nearbyint: 2.5 → 2,
 * 3.5 → 4) with DuckDB's range check; VARCHAR → integer accepts `1_000`, `0x1F`, `1e2` and rounds
 * a fraction half away from zero; failures are SqlError DATA ("Could not convert string 'x' to
 * INT32") and out-of-range values OVERFLOW. DATE/TIMESTAMP ⇄ numbers is an error, as in DuckDB.
 */
export function castVec(v: Vec, to: SqlType, r: Rows): Vec {
  const from = v.type;
  if (from === to) return v;
  if (to === 'NULL') return nullConst('NULL');
  if (from === 'NULL' || (v.kind === 'const' && v.value === null)) return nullConst(to);
  if (v.kind === 'num' && isNumType(to)) {
    const fast = castNum(v.v, from, to, v.nulls, r);
    if (fast) return fast;
  }
  if (v.kind === 'dict' || v.kind === 'str' || (v.kind === 'const' && from === 'VARCHAR'))
    return mapString(v, r, to, (s) => fromText(s, to));
  return mapScalar([v], r, to, (x) => castScalar(x, from, to));
}

/** Numeric casts as typed loops; undefined when the scalar path must handle them. */
function castNum(
  a: NumArray,
  from: SqlType,
  to: SqlType,
  nulls: Uint8Array | null,
  r: Rows,
): Vec | undefined {
  const int = from === 'INTEGER' || from === 'BIGINT';
  if (int && (to === 'BIGINT' || to === 'DOUBLE')) return { kind: 'num', type: to, v: a, nulls };
  if (from === 'DATE' && to === 'TIMESTAMP') {
    const out = new Float64Array(a.length);
    const s = selOf(r);
    for (let k = 0; k < r.count; k++) out[s[k]!] = a[s[k]!]! * MS_PER_DAY;
    return { kind: 'num', type: to, v: out, nulls };
  }
  if (from === 'TIMESTAMP' && to === 'DATE') {
    const out = new Int32Array(a.length);
    const s = selOf(r);
    for (let k = 0; k < r.count; k++) out[s[k]!] = Math.floor(a[s[k]!]! / MS_PER_DAY);
    return { kind: 'num', type: to, v: out, nulls };
  }
  if (to === 'INTEGER' && (from === 'BIGINT' || from === 'DOUBLE')) {
    const out = new Int32Array(a.length);
    const s = selOf(r);
    for (let k = 0; k < r.count; k++) {
      const i = s[k]!;
      if (nulls !== null && nulls[i] === 1) continue;
      out[i] = toInt(a[i]!, from, 'INTEGER') as number;
    }
    return { kind: 'num', type: to, v: out, nulls };
  }
  return undefined;
}

/** One value of `from` as `to`. */
export function castScalar(x: Scalar, from: SqlType, to: SqlType): Scalar {
  if (x === null) return null;
  if (from === to) return x;
  if (from === 'VARCHAR') return fromText(String(x), to);
  if (to === 'VARCHAR') return toText(x, from);
  if (to === 'BOOLEAN') {
    if (from === 'INTEGER' || from === 'BIGINT' || from === 'DOUBLE') return x !== 0 && x !== 0n;
    throw unimplemented(from, to);
  }
  if (from === 'BOOLEAN') {
    if (to === 'INTEGER' || to === 'BIGINT' || to === 'DOUBLE') return x ? 1 : 0;
    throw unimplemented(from, to);
  }
  if (from === 'DATE' && to === 'TIMESTAMP') return Number(x) * MS_PER_DAY;
  if (from === 'TIMESTAMP' && to === 'DATE') return Math.floor(Number(x) / MS_PER_DAY);
  if (from === 'DATE' || from === 'TIMESTAMP' || to === 'DATE' || to === 'TIMESTAMP')
    throw unimplemented(from, to);
  if (to === 'DOUBLE') return Number(x);
  if (to === 'INTEGER' || to === 'BIGINT') return toInt(x as number | bigint, from, to);
  throw unimplemented(from, to);
}

function unimplemented(from: SqlType, to: SqlType): SqlError {
  return new SqlError('TYPE', `Unimplemented type for cast (${from} -> ${to})`);
}

/** BIGINT/DOUBLE → INTEGER/BIGINT with DuckDB's rounding and range messages. */
function toInt(x: number | bigint, from: SqlType, to: 'INTEGER' | 'BIGINT'): number | bigint {
  if (typeof x === 'bigint') {
    if (to === 'BIGINT') return x;
    if (x >= -2147483648n && x <= 2147483647n) return Number(x);
    throw outOfRange(String(x), 'INT64', to);
  }
  if (from === 'DOUBLE') {
    // DuckDB checks the range before rounding: [min, max + 1) for the unrounded value.
    const lo = to === 'INTEGER' ? INT32_MIN : -9223372036854775808;
    const hi = to === 'INTEGER' ? INT32_MAX + 1 : 9223372036854775808;
    const rounded = roundHalfEven(x);
    if (
      !(x >= lo && x < hi) ||
      (to === 'INTEGER' && rounded > INT32_MAX) ||
      (to === 'BIGINT' && rounded >= hi)
    )
      throw outOfRange(formatDouble(x), 'DOUBLE', to);
    return to === 'BIGINT' && !Number.isSafeInteger(rounded) ? bigScalar(BigInt(rounded)) : rounded;
  }
  if (to === 'INTEGER' && (x < INT32_MIN || x > INT32_MAX))
    throw outOfRange(String(x), duckTypeName('BIGINT'), to);
  return x;
}

function outOfRange(value: string, fromName: string, to: 'INTEGER' | 'BIGINT'): SqlError {
  return new SqlError(
    'OVERFLOW',
    `Type ${fromName} with value ${value} can't be cast because the value is out of range for the destination type ${duckTypeName(to)}`,
  );
}

/** nearbyint(): round half to even, what DuckDB does for DOUBLE → integer casts. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function fromText(s: string, to: SqlType): Scalar {
  switch (to) {
    case 'VARCHAR':
      return s;
    case 'INTEGER':
    case 'BIGINT':
      return parseIntText(s, to);
    case 'DOUBLE':
      return parseDoubleText(s);
    case 'BOOLEAN':
      return parseBoolText(s);
    case 'DATE':
      return parseDateText(s);
    case 'TIMESTAMP':
      return parseTimestampText(s);
    case 'NULL':
      return null;
  }
}

export function toText(x: Scalar, from: SqlType): string {
  switch (from) {
    case 'DOUBLE':
      return formatDouble(Number(x));
    case 'DATE':
      return formatDate(Number(x));
    case 'TIMESTAMP':
      return formatTimestamp(Number(x));
    case 'BOOLEAN':
      return x ? 'true' : 'false';
    default:
      return String(x);
  }
}
