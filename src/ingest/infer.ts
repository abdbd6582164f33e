import type { ColumnType } from '../storage/manifest.ts';

/**
 * Value classification and type widening for schema inference.
 *
 * Types form three families that widen within themselves (INTEGER → BIGINT → DOUBLE,
 * DATE → TIMESTAMP) plus BOOLEAN; anything that mixes families is VARCHAR, as in DuckDB's sniffer.
 * `null` means "only nulls seen so far".
 */
export type Inferred = ColumnType | null;

const RANK: Record<ColumnType, number> = {
  INTEGER: 0,
  BIGINT: 1,
  DOUBLE: 2,
  DATE: 0,
  TIMESTAMP: 1,
  BOOLEAN: 0,
  VARCHAR: 0,
};
const FAMILY: Record<ColumnType, string> = {
  INTEGER: 'num',
  BIGINT: 'num',
  DOUBLE: 'num',
  DATE: 'time',
  TIMESTAMP: 'time',
  BOOLEAN: 'bool',
  VARCHAR: 'str',
};

export function widen(a: Inferred, b: Inferred): Inferred {
  if (a === null) return b;
  if (b === null || a === b) return a;
  if (FAMILY[a] !== FAMILY[b]) return 'VARCHAR';
  return RANK[a] >= RANK[b] ? a : b;
}

/** True when values stored as `from` convert to `to` without losing anything a user could see. */
export function isLosslessWidening(from: Inferred, to: ColumnType): boolean {
  if (from === null || from === to) return true;
  return to !== 'VARCHAR' && widen(from, to) === to;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MS_PER_DAY = 86_400_000;

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TS_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** The narrowest type that holds `v`. Strings are parsed; '' is NULL. */
export function classify(v: unknown): Inferred {
  switch (typeof v) {
    case 'string':
      return classifyString(v);
    case 'number':
      if (!Number.isInteger(v)) return 'DOUBLE';
      if (v >= INT32_MIN && v <= INT32_MAX) return 'INTEGER';
      return Number.isSafeInteger(v) ? 'BIGINT' : 'DOUBLE';
    case 'bigint':
      if (v >= INT32_MIN && v <= INT32_MAX) return 'INTEGER';
      return v >= INT64_MIN && v <= INT64_MAX ? 'BIGINT' : 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'undefined':
      return null;
    default:
      if (v === null) return null;
      if (v instanceof Date) return v.getTime() % MS_PER_DAY === 0 ? 'DATE' : 'TIMESTAMP';
      return 'VARCHAR';
  }
}

function classifyString(s: string): Inferred {
  if (s.length === 0) return null;
  if (INT_RE.test(s)) {
    const n = Number(s);
    if (n >= INT32_MIN && n <= INT32_MAX) return 'INTEGER';
    const b = BigInt(s);
    return b >= INT64_MIN && b <= INT64_MAX ? 'BIGINT' : 'DOUBLE';
  }
  if (FLOAT_RE.test(s)) return 'DOUBLE';
  const lower = s.length <= 5 ? s.toLowerCase() : '';
  if (lower === 'true' || lower === 'false') return 'BOOLEAN';
  if (parseDate(s) !== undefined) return 'DATE';
  if (parseTimestamp(s) !== undefined) return 'TIMESTAMP';
  return 'VARCHAR';
}

/**
 * Parses an integer without allocating; NaN when `s` is not a plain decimal integer. Exact up to
 * 15 digits, which covers every INTEGER and most BIGINT values.
 */
export function parseIntFast(s: string): number {
  const n = s.length;
  if (n === 0 || n > 16) return NaN;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45) {
    neg = true;
    i = 1;
  } else if (c0 === 43) i = 1;
  if (i === n) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** A JS number for a decimal string, or NaN. Rejects what `+s` accepts but SQL does not (hex, spaces). */
export function parseDouble(s: string): number {
  const v = +s;
  if (v !== v) return NaN;
  const c0 = s.charCodeAt(0);
  const cl = s.charCodeAt(s.length - 1);
  // '', ' 1', '1 ', '0x1F', 'Infinity': JS accepts them, DuckDB's CSV reader does not.
  if (s.length === 0 || c0 <= 32 || cl <= 32) return NaN;
  if (s.length > 1 && c0 === 48 && (s.charCodeAt(1) | 32) >= 98 && (s.charCodeAt(1) | 32) <= 120) return NaN;
  if (cl > 57 && cl !== 46) return FLOAT_RE.test(s) ? v : NaN;
  return v;
}

export function parseBigInt(s: string): bigint | undefined {
  if (!INT_RE.test(s)) return undefined;
  const b = BigInt(s);
  return b >= INT64_MIN && b <= INT64_MAX ? b : undefined;
}

/** 'YYYY-MM-DD' → days since 1970-01-01, or undefined when it is not a real calendar date. */
export function parseDate(s: string): number | undefined {
  if (s.length !== 10) return undefined;
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return ms / MS_PER_DAY;
}

/**
 * ISO 8601 date-time → epoch milliseconds (UTC). A value without a zone is read as UTC, like
 * DuckDB's TIMESTAMP; `Date.parse` alone would read it as local time.
 */
export function parseTimestamp(s: string): number | undefined {
  const m = TS_RE.exec(s);
  if (!m) return undefined;
  if (parseDate(`${m[1]}-${m[2]}-${m[3]}`) === undefined) return undefined;
  const hh = +m[4]!;
  const mm = +m[5]!;
  const ss = m[6] ? +m[6] : 0;
  if (hh > 23 || mm > 59 || ss > 59) return undefined;
  const frac = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  let ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, hh, mm, ss, frac);
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = (+digits.slice(0, 2) * 60 + (digits.length > 2 ? +digits.slice(2) : 0)) * 60_000;
    ms -= sign * offset;
  }
  return ms;
}

/** Infers a column type from a sample of its values. */
export function inferSample(values: ArrayLike<unknown>, limit = 2048): Inferred {
  let t: Inferred = null;
  let seen = 0;
  for (let i = 0; i < values.length && seen < limit; i++) {
    const c = classify(values[i]);
    if (c === null) continue;
    seen++;
    t = widen(t, c);
    if (t === 'VARCHAR') break;
  }
  return t;
}
