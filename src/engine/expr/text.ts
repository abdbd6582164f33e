import { SqlError } from '../../sql/SqlError.ts';
import type { NumType } from '../vec.ts';
import { bigScalar } from '../vec.ts';
import { civilFromDays, daysFromCivil, daysInMonth, MS_PER_DAY } from './civil.ts';

/**
 * Text ⇄ value conversions with DuckDB's rules and messages (checked against DuckDB 1.5):
 * DOUBLE prints like Python's repr (`1.0`, `1e+20`, `1e-05`), integers parse with `_` separators,
 * hex/binary prefixes and a rounded (half away from zero) fraction, dates print `(BC)`.
 */
export function formatDouble(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant = '', e = '0'] = x.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let s: string;
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    s = `${int}.${digits.slice(exp + 1) || '0'}`;
  } else s = `0.${'0'.repeat(-exp - 1)}${digits}`;
  return neg ? `-${s}` : s;
}

const ymd = new Int32Array(3);

export function formatDate(days: number): string {
  civilFromDays(days, ymd);
  const [y = 0, m = 0, d = 0] = ymd;
  const date = `${String(y <= 0 ? 1 - y : y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
  return y <= 0 ? `${date} (BC)` : date;
}

export function formatTimestamp(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  let t = ms - days * MS_PER_DAY;
  const h = Math.floor(t / 3_600_000);
  t -= h * 3_600_000;
  const mi = Math.floor(t / 60_000);
  t -= mi * 60_000;
  const sec = Math.floor(t / 1000);
  const frac = t - sec * 1000;
  const date = formatDate(days);
  const bc = date.endsWith(' (BC)');
  let time = `${pad2(h)}:${pad2(mi)}:${pad2(sec)}`;
  if (frac > 0)
    time += `.${String(Math.round(frac * 1000))
      .padStart(6, '0')
      .replace(/0+$/, '')}`;
  return bc ? `${date.slice(0, -5)} ${time} (BC)` : `${date} ${time}`;
}

function pad2(x: number): string {
  return x < 10 ? `0${x}` : String(x);
}

function conversion(s: string, target: string): SqlError {
  return new SqlError('DATA', `Could not convert string '${s}' to ${target}`);
}

const INT_RE = /^([+-])?(0[xX][0-9a-fA-F]+|0[bB][01]+|(?:\d+(?:_\d+)*)?(?:\.\d*)?(?:[eE][+-]?\d+)?)$/;

/** VARCHAR → INTEGER/BIGINT: a number, or a bigint beyond 2^53 (BIGINT only). */
export function parseIntText(s: string, type: 'INTEGER' | 'BIGINT'): number | bigint {
  const target = type === 'INTEGER' ? 'INT32' : 'INT64';
  const t = s.trim();
  const m = INT_RE.exec(t);
  const body = m?.[2];
  if (!m || !body || body === '.' || /^\.?[eE]/.test(body) || body.startsWith('.e'))
    throw conversion(s, target);
  const neg = m[1] === '-';
  let v: bigint;
  if (/^0[xXbB]/.test(body)) v = BigInt(body);
  else {
    const [mant = '', expPart] = body.replace(/_/g, '').split(/[eE]/);
    let [int = '', frac = ''] = mant.split('.');
    if (int === '' && frac === '') throw conversion(s, target);
    const exp = expPart === undefined ? 0 : Number(expPart);
    if (exp > 0) {
      int += frac.slice(0, exp).padEnd(exp, '0');
      frac = frac.slice(exp);
    } else if (exp < 0) {
      frac = int.slice(Math.max(0, int.length + exp)).padStart(-exp, '0') + frac;
      int = int.slice(0, Math.max(0, int.length + exp));
    }
    if (int.length > 40) throw conversion(s, target);
    v = BigInt(int || '0');
    if (frac !== '' && frac.charCodeAt(0) >= 53) v += 1n;
  }
  if (neg) v = -v;
  const ok = type === 'INTEGER' ? v >= -2147483648n && v <= 2147483647n : v >= -(2n ** 63n) && v < 2n ** 63n;
  if (!ok) throw conversion(s, target);
  return bigScalar(v);
}

const DOUBLE_RE = /^[+-]?(?:(?:\d+(?:_\d+)*)(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?$/;

export function parseDoubleText(s: string): number {
  const t = s.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!DOUBLE_RE.test(t)) throw conversion(s, 'DOUBLE');
  return Number(t.replace(/_/g, ''));
}

const TRUE = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE = new Set(['false', 'f', '0', 'no', 'n']);

export function parseBoolText(s: string): boolean {
  const l = s.toLowerCase();
  if (TRUE.has(l)) return true;
  if (FALSE.has(l)) return false;
  throw conversion(s, 'BOOL');
}

const DATE_RE = /^\s*(-?\d+)([-/ ])(\d{1,2})\2(\d{1,2})/;
/** After the date: optional time (hours and minutes at least), then `Z`, an offset or ` UTC`. */
const TIME_RE =
  /^(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?(?:Z|[+-]\d{1,2}(?::?\d{2})?)?(?:\s+UTC)?\s*)?$/i;

function parseDateHead(s: string, what: 'date' | 'timestamp'): { days: number; rest: string } {
  const m = DATE_RE.exec(s);
  // A run of digits too long for a year is a range error in DuckDB, not a format error.
  if (!m && /^\s*-?\d{7,}/.test(s)) throw new SqlError('DATA', `${what} field value out of range: "${s}"`);
  if (!m)
    throw new SqlError(
      'DATA',
      what === 'date'
        ? `invalid date field format: "${s}", expected format is (YYYY-MM-DD)`
        : `invalid timestamp field format: "${s}", expected format is (YYYY-MM-DD HH:MM:SS[.US][±HH[:MM[:SS]]| ZONE])`,
    );
  let rest = s.slice(m[0].length);
  let y = Number(m[1]);
  const mo = Number(m[3]);
  const d = Number(m[4]);
  const bc = /^\s*\(BC\)/i.exec(rest);
  if (bc) {
    y = 1 - y;
    rest = rest.slice(bc[0].length);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo))
    throw new SqlError('DATA', `${what} field value out of range: "${s}"`);
  return { days: daysFromCivil(y, mo, d), rest };
}

/** VARCHAR → DATE (days). DuckDB ignores whatever follows the day (a time, a zone). */
export function parseDateText(s: string): number {
  return parseDateHead(s, 'date').days;
}

/**
 * VARCHAR → TIMESTAMP (epoch ms, sub-millisecond digits truncated). Like DuckDB 1.5, an offset
 * right after the time is accepted and ignored, and a date followed by blanks only is rejected.
 */
export function parseTimestampText(s: string): number {
  const { days, rest } = parseDateHead(s, 'timestamp');
  const m = TIME_RE.exec(rest);
  if (!m)
    throw new SqlError(
      'DATA',
      `invalid timestamp field format: "${s}", expected format is (YYYY-MM-DD HH:MM:SS[.US][±HH[:MM[:SS]]| ZONE])`,
    );
  const h = Number(m[1] ?? 0);
  const mi = Number(m[2] ?? 0);
  const sec = Number(m[3] ?? 0);
  const ms = Number((m[4] ?? '').slice(0, 3).padEnd(3, '0'));
  if (h > 24 || mi > 59 || sec > 59 || (h === 24 && (mi > 0 || sec > 0 || ms > 0)))
    throw new SqlError('DATA', `timestamp field value out of range: "${s}"`);
  return days * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

/** DuckDB's name of a storage type in conversion messages. */
export function duckTypeName(t: NumType | 'BOOLEAN' | 'VARCHAR'): string {
  switch (t) {
    case 'INTEGER':
      return 'INT32';
    case 'BIGINT':
      return 'INT64';
    default:
      return t;
  }
}
