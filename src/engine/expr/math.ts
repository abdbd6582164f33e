import type { SqlType } from '../../sql/plan.ts';
import { SqlError } from '../../sql/SqlError.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { Scalar, Vec } from '../vec.ts';
import { bigScalar, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN } from '../vec.ts';
import { castVec } from './cast.ts';
import { mapScalar } from './VecWriter.ts';

/** Rounds half away from zero, as DuckDB's round() (std::round). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** A unary numeric function over doubles into `type`; exact bigints go through `big`. */
function unary(v: Vec, r: Rows, type: SqlType, f: (x: number) => number, big: (x: bigint) => bigint): Vec {
  if (v.kind === 'num') {
    const out = new Float64Array(r.n);
    const s = selOf(r);
    const a = v.v;
    const nulls = v.nulls;
    for (let k = 0; k < r.count; k++) {
      const i = s[k]!;
      if (nulls === null || nulls[i] === 0) out[i] = f(a[i]!);
    }
    return { kind: 'num', type: type as 'DOUBLE', v: out, nulls };
  }
  return mapScalar([v], r, type, (x) => (typeof x === 'bigint' ? bigScalar(big(x)) : f(Number(x))));
}

function checked(type: SqlType, what: string): (x: number) => number {
  if (type === 'INTEGER')
    return (x) => {
      if (x < INT32_MIN || x > INT32_MAX)
        throw new SqlError('OVERFLOW', `Overflow in ${what} of INT32 (${x})!`);
      return x;
    };
  if (type === 'BIGINT')
    return (x) => {
      if (!Number.isSafeInteger(x) && (x < -9223372036854775808 || x >= 9223372036854775808))
        throw new SqlError('OVERFLOW', `Overflow in ${what} of INT64 (${x})!`);
      return x;
    };
  return (x) => x;
}

function checkBig(x: bigint, what: string): bigint {
  if (x < INT64_MIN || x > INT64_MAX) throw new SqlError('OVERFLOW', `Overflow in ${what} of INT64 (${x})!`);
  return x;
}

export function abs(v: Vec, type: SqlType, r: Rows): Vec {
  const max = type === 'INTEGER' ? INT32_MAX : type === 'BIGINT' ? 2 ** 63 : Infinity;
  const fail = (x: number | bigint) => new SqlError('OVERFLOW', `Overflow on abs(${String(x)})`);
  return unary(
    v,
    r,
    type,
    (x) => {
      // As a double, INT64_MAX rounds up to 2^63, which abs of an int64 (doubles) can only reach from INT64_MIN.
      if (Math.abs(x) > max || (type === 'BIGINT' && Math.abs(x) >= 2 ** 63)) throw fail(x);
      return Math.abs(x);
    },
    (x) => {
      if (x === INT64_MIN) throw fail(x);
      return x < 0n ? -x : x;
    },
  );
}

export function floorCeil(fn: 'floor' | 'ceil', v: Vec, type: SqlType, r: Rows): Vec {
  if (v.type !== 'DOUBLE') return castVec(v, type, r);
  const f = fn === 'floor' ? Math.floor : Math.ceil;
  const out = unary(v, r, 'DOUBLE', f, (x) => x);
  return castVec(out, type, r);
}

/**
 * round(x[, d]) as DuckDB: doubles as round(x·10^d)/10^d (or round(x/10^-d)·10^-d for d < 0),
 * half away from zero, returning x itself when the scaled value overflows; integers round to a
 * multiple of 10^-d for d < 0 (DuckDB silently wraps on overflow there, we raise OVERFLOW).
 */
export function round(args: Vec[], type: SqlType, r: Rows): Vec {
  const [v, d] = args;
  if (!v) throw new Error('engine bug: round needs an argument');
  if (d && d.kind !== 'const')
    return mapScalar(args, r, type, (x, p) => roundScalar(x, v.type, Number(p), type));
  if (d && d.kind === 'const' && d.value === null) return { kind: 'const', type, value: null };
  const p = d && d.kind === 'const' ? Number(d.value) : 0;
  if (v.type === 'DOUBLE')
    return unary(
      v,
      r,
      type,
      (x) => roundDouble(x, p),
      (x) => x,
    );
  if (p >= 0) return castVec(v, type, r);
  const check = checked(type, 'ROUND');
  return unary(
    v,
    r,
    type,
    (x) => check(roundInt(x, p)),
    (x) => checkBig(roundBig(x, p), 'ROUND'),
  );
}

function roundScalar(x: Scalar, from: SqlType, p: number, type: SqlType): Scalar {
  if (from === 'DOUBLE') return roundDouble(Number(x), p);
  if (p >= 0) return x;
  if (typeof x === 'bigint') return bigScalar(checkBig(roundBig(x, p), 'ROUND'));
  return checked(type, 'ROUND')(roundInt(Number(x), p));
}

function roundDouble(x: number, p: number): number {
  if (p < 0) {
    const m = 10 ** -p;
    const y = roundHalfAway(x / m) * m;
    return Number.isFinite(y) ? y : x;
  }
  const m = 10 ** p;
  const y = roundHalfAway(x * m) / m;
  return Number.isFinite(y) ? y : x;
}

function roundInt(x: number, p: number): number {
  if (Number.isSafeInteger(x) && -p < 16) {
    const m = 10 ** -p;
    const q = Math.trunc(x / m);
    const rem = x - q * m;
    return (Math.abs(rem) * 2 >= m ? q + Math.sign(x) : q) * m;
  }
  return Number(roundBig(BigInt(x), p));
}

function roundBig(x: bigint, p: number): bigint {
  const m = 10n ** BigInt(-p);
  let q = x / m;
  const rem = x - q * m;
  if ((rem < 0n ? -rem : rem) * 2n >= m) q += x < 0n ? -1n : 1n;
  return q * m;
}
