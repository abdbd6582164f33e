import { notSupported } from './ast.ts';
import type { Literal, SqlType } from './plan.ts';
import { isNumeric, isTemporal, typeError } from './sqlTypes.ts';

const DAY_MS = 86_400_000;
const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Result of folding a cast of a literal: `undefined` means "leave it to the engine at run time". */
export type Folded = { value: Literal } | undefined;

/** Whether DuckDB has a cast between the two types at all (DATE → INTEGER, say, it has not). */
export function castAllowed(from: SqlType, to: SqlType): boolean {
  if (from === to || from === 'NULL' || from === 'VARCHAR' || to === 'VARCHAR') return true;
  const scalar = (t: SqlType) => isNumeric(t) || t === 'BOOLEAN';
  return (scalar(from) && scalar(to)) || (isTemporal(from) && isTemporal(to));
}

/** Days since epoch for a valid calendar date, else undefined. */
export function daysFromCivil(y: number, m: number, d: number): number | undefined {
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return undefined;
  return Math.round(date.getTime() / DAY_MS);
}

export function formatDate(days: number): string | undefined {
  const d = new Date(days * DAY_MS);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) return undefined;
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

const DATE_RE = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/;
const TS_RE = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*$/;

function parseDate(s: string, to: SqlType): number | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  if (days === undefined)
    throw typeError(`Could not convert string '${s}' to ${to}: date field value out of range`);
  return days;
}

function parseTimestamp(s: string): number | undefined {
  const m = TS_RE.exec(s);
  if (!m) return undefined;
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  const [h, min, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (days === undefined || h > 23 || min > 59 || sec > 59)
    throw typeError(`Could not convert string '${s}' to TIMESTAMP: field value out of range`);
  const frac = m[7] ?? '';
  // Stored timestamps are milliseconds; a finer literal cannot be compared exactly with them.
  if (/[1-9]/.test(frac.slice(3))) throw notSupported('timestamps with sub-millisecond precision');
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  return days * DAY_MS + ((h * 60 + min) * 60 + sec) * 1000 + ms;
}

function parseInteger(s: string, to: 'INTEGER' | 'BIGINT'): Literal | undefined {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) {
    // Decimals, exponents and `1_000` are valid for DuckDB (with its rounding): leave them to the engine.
    if (/^[+-]?(\d[\d_]*)?(\.\d*)?(e[+-]?\d+)?$/i.test(t) && /\d/.test(t)) return undefined;
    throw typeError(`Could not convert string '${s}' to ${to}`);
  }
  const v = BigInt(t);
  const [lo, hi] = to === 'INTEGER' ? [INT32_MIN, INT32_MAX] : [INT64_MIN, INT64_MAX];
  if (v < lo || v > hi) throw typeError(`Could not convert string '${s}' to ${to}: out of range`);
  return to === 'INTEGER' ? Number(v) : v.toString();
}

function parseDouble(s: string): number | undefined {
  const t = s.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  if (/^[+-]?(inf|infinity|nan)$/i.test(t) || /^[+-]?[\d_.]+(e[+-]?\d+)?$/i.test(t)) return undefined;
  throw typeError(`Could not convert string '${s}' to DOUBLE`);
}

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0']);

function fromString(s: string, to: SqlType): Folded {
  switch (to) {
    case 'INTEGER':
    case 'BIGINT': {
      const v = parseInteger(s, to);
      return v === undefined ? undefined : { value: v };
    }
    case 'DOUBLE': {
      const v = parseDouble(s);
      return v === undefined ? undefined : { value: v };
    }
    case 'BOOLEAN': {
      const w = s.trim().toLowerCase();
      if (TRUE_WORDS.has(w)) return { value: true };
      if (FALSE_WORDS.has(w)) return { value: false };
      throw typeError(`Could not convert string '${s}' to BOOLEAN`);
    }
    case 'DATE': {
      const v = parseDate(s, to);
      if (v !== undefined) return { value: v };
      break;
    }
    case 'TIMESTAMP': {
      const v = parseTimestamp(s);
      if (v !== undefined) return { value: v };
      break;
    }
    default:
      return { value: s };
  }
  // Other date spellings (`2024-01-05 10:00` as DATE, 'epoch', …) are the engine's; plain junk is not.
  if (!/^\s*[+-]?\d/.test(s) && !/^\s*(epoch|infinity|-infinity)\s*$/i.test(s))
    throw typeError(`Could not convert string '${s}' to ${to}`);
  return undefined;
}

/**
 * Folds CAST(value AS to) at plan time when the result is certain to be DuckDB's; otherwise
 * returns undefined and the cast stays in the plan. `halfAwayFromZero`: the value came from a
 * decimal literal, which DuckDB (DECIMAL) rounds half away from zero, unlike DOUBLE (half to even).
 */
export function castLiteral(value: Literal, from: SqlType, to: SqlType, halfAwayFromZero = false): Folded {
  if (value === null || from === to) return { value };
  if (!castAllowed(from, to)) throw typeError(`Unimplemented type for cast (${from} -> ${to})`);
  if (typeof value === 'string' && from === 'VARCHAR') return fromString(value, to);
  switch (to) {
    case 'VARCHAR':
      if (from === 'INTEGER' || from === 'BIGINT' || from === 'BOOLEAN') return { value: String(value) };
      if (from === 'DATE' && typeof value === 'number') {
        const s = formatDate(value);
        return s === undefined ? undefined : { value: s };
      }
      return undefined;
    case 'DOUBLE':
      return { value: Number(value) };
    case 'INTEGER':
    case 'BIGINT': {
      let n: bigint;
      if (typeof value === 'boolean') n = value ? 1n : 0n;
      else if (typeof value === 'string') n = BigInt(value);
      else if (Number.isInteger(value)) n = BigInt(value);
      else if (halfAwayFromZero && Number.isFinite(value))
        n = BigInt(Math.sign(value) * Math.round(Math.abs(value)));
      else return undefined;
      const [lo, hi] = to === 'INTEGER' ? [INT32_MIN, INT32_MAX] : [INT64_MIN, INT64_MAX];
      if (n < lo || n > hi) return undefined; // DuckDB raises an overflow when it runs; so will the engine
      return { value: to === 'INTEGER' ? Number(n) : n.toString() };
    }
    case 'BOOLEAN':
      if (typeof value === 'number' && Number.isNaN(value)) return undefined;
      return { value: typeof value === 'string' ? BigInt(value) !== 0n : value !== 0 };
    case 'TIMESTAMP':
      return typeof value === 'number' ? { value: value * DAY_MS } : undefined;
    case 'DATE':
      return typeof value === 'number' ? { value: Math.floor(value / DAY_MS) } : undefined;
    default:
      return undefined;
  }
}
