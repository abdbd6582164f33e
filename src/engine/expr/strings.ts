import type { Rows } from '../Batch.ts';
import type { Scalar, Vec } from '../vec.ts';
import { codePointLength, isBmp } from './collate.ts';
import { mapScalar, mapString } from './VecWriter.ts';

// eslint-disable-next-line no-control-regex -- ASCII is 0x00-0x7f, control characters included
const ASCII = /^[\x00-\x7f]*$/;

/**
 * String functions on code points, as DuckDB (checked against 1.5): length('🦆') = 1, substr
 * counts characters, lower/upper map each code point on its own (simple case mapping:
 * upper('ß') = 'ẞ', lower('İ') = 'i', no final-sigma rule), trim removes spaces only.
 * On a dictionary vector each runs once per dictionary entry.
 */
export function lower(v: Vec, r: Rows): Vec {
  return mapString(v, r, 'VARCHAR', duckLower);
}

export function upper(v: Vec, r: Rows): Vec {
  return mapString(v, r, 'VARCHAR', duckUpper);
}

export function trim(v: Vec, r: Rows): Vec {
  return mapString(v, r, 'VARCHAR', trimSpaces);
}

export function length(v: Vec, r: Rows): Vec {
  return mapString(v, r, 'BIGINT', codePointLength);
}

export function substr(args: Vec[], r: Rows): Vec {
  const [s, start, len] = args;
  if (!s || !start) throw new Error('engine bug: substr needs two arguments');
  if (start.kind === 'const' && (!len || len.kind === 'const')) {
    const a = start.value;
    const b = len ? len.value : null;
    if (a === null || (len && b === null)) return { kind: 'const', type: 'VARCHAR', value: null };
    return mapString(s, r, 'VARCHAR', (x) => substring(x, Number(a), len ? Number(b) : undefined));
  }
  return mapScalar(args, r, 'VARCHAR', (x: Scalar, a: Scalar, b?: Scalar) =>
    substring(String(x), Number(a), b === undefined ? undefined : Number(b)),
  );
}

/**
 * DuckDB's substring on characters: 1-based start, 0 starts before the first character, a
 * negative start counts from the end, a negative length takes the characters before the start;
 * the range is clamped to the string after adding the length, so substr('héllo', -8, 2) = ''.
 * @remarks DuckDB 1.5 itself is inconsistent here: when every string in a 2048-row vector is
 * ASCII it clamps the start first (substr('hello', -8, 2) = 'he'), so one row's result depends on
 * its neighbours. We always use the general (non-ASCII) rule.
 */
export function substring(s: string, offset: number, length?: number): string {
  const chars = isBmp(s) ? null : Array.from(s);
  const size = chars ? chars.length : s.length;
  let len = length ?? Number.MAX_SAFE_INTEGER;
  if (len === 0) return '';
  let start = offset > 0 ? offset - 1 : offset < 0 ? size + offset : 0;
  if (offset === 0) {
    len--;
    if (len <= 0) return '';
  }
  let end = start + len;
  if (len < 0) [start, end] = [start + len, start];
  start = Math.max(0, Math.min(size, start));
  end = Math.max(0, Math.min(size, end));
  if (start >= end) return '';
  return chars ? chars.slice(start, end).join('') : s.slice(start, end);
}

function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

export function duckLower(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const l = ch.toLowerCase();
    // toLowerCase is the full mapping; DuckDB maps single code points (İ → i, not i + U+0307).
    out += l.length === ch.length || codePointLength(l) === 1 ? l : ch === '\u0130' ? 'i' : ch;
  }
  return out;
}

export function duckUpper(s: string): string {
  if (ASCII.test(s)) return s.toUpperCase();
  let out = '';
  for (const ch of s) {
    const u = ch.toUpperCase();
    // Full mappings that expand (ß → SS, ﬁ → FI) are not applied by DuckDB; ß becomes ẞ.
    out += codePointLength(u) === 1 ? u : ch === '\u00df' ? '\u1e9e' : ch;
  }
  return out;
}
