// Compares a `lake.sql()` result with DuckDB's result for the same query. Values are first brought
// to one canonical form (see `Canon`), then compared as multisets, or in order when the query's
// ORDER BY determines it, with a relative tolerance for floating point.
import { DataType, tableFromIPC } from 'apache-arrow';
import type { QueryResult } from '../../src/lake/api.ts';
import type { DuckResult } from './tables.ts';

/**
 * One comparable form for both engines' values:
 * - `i`: an exact integer (ours: INTEGER, or BIGINT as number or decimal string; DuckDB: any
 *   integer type incl. HUGEINT as number or bigint);
 * - `n`: a floating-point number (DOUBLE; DuckDB DECIMAL arrives as a number too);
 * - `t`: an instant in epoch ms (DATE at midnight UTC, TIMESTAMP; ours arrive as ISO strings,
 *   DuckDB's as `Date`). DATE and TIMESTAMP compare equal when they denote the same instant,
 *   because DuckDB's `date_trunc(part, DATE)` returns TIMESTAMP;
 * - `s` string, `b` boolean, null;
 * - `?`: a value whose JS type does not match its column type, which never equals anything.
 */
export type Canon =
  null | { i: bigint } | { n: number } | { t: number } | { s: string } | { b: boolean } | { bad: string };

const INT_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

function bad(v: unknown, type: string): Canon {
  return { bad: `${typeof v} ${String(v)} in a ${type} column` };
}

/** Our values: `rows` from the public API (JSON-safe), or raw Arrow values (`fromArrow`). */
export function canonOurs(v: unknown, type: string, fromArrow = false): Canon {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'INTEGER':
    case 'BIGINT':
      if (typeof v === 'bigint') return fromArrow ? { i: v } : bad(v, type);
      if (typeof v === 'number' && Number.isSafeInteger(v)) return { i: BigInt(v) };
      if (typeof v === 'string' && /^-?\d+$/.test(v) && !fromArrow) {
        // The API promises a string only when the value is beyond 2^53.
        return Number.isSafeInteger(Number(v))
          ? bad(v, `${type} (string for a safe integer)`)
          : { i: BigInt(v) };
      }
      return bad(v, type);
    case 'DOUBLE':
      return typeof v === 'number' ? { n: v } : bad(v, type);
    case 'BOOLEAN':
      return typeof v === 'boolean' ? { b: v } : bad(v, type);
    case 'VARCHAR':
      return typeof v === 'string' ? { s: v } : bad(v, type);
    case 'DATE':
      if (fromArrow && typeof v === 'number') return { t: v };
      if (typeof v === 'string' && /^-?\d{4,}-\d\d-\d\d$/.test(v)) return { t: Date.parse(`${v}T00:00:00Z`) };
      return bad(v, type);
    case 'TIMESTAMP':
      if (fromArrow && (typeof v === 'number' || typeof v === 'bigint')) return { t: Number(v) };
      if (typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /Z$|[+-]\d\d:?\d\d$/.test(v))
        return { t: Date.parse(v) };
      return bad(v, `${type} (expected an ISO string with a zone)`);
    default:
      return bad(v, type);
  }
}

/** DuckDB's `getRowsJS()` values. */
export function canonDuck(v: unknown, type: string): Canon {
  if (v === null || v === undefined) return null;
  if (INT_TYPES.test(type)) {
    if (typeof v === 'bigint') return { i: v };
    if (typeof v === 'number') return { i: BigInt(v) };
    return bad(v, type);
  }
  if (type === 'DOUBLE' || type === 'FLOAT' || type.startsWith('DECIMAL')) {
    return typeof v === 'number' ? { n: v } : bad(v, type);
  }
  if (type === 'DATE' || type.startsWith('TIMESTAMP'))
    return v instanceof Date ? { t: v.getTime() } : bad(v, type);
  if (type === 'BOOLEAN') return typeof v === 'boolean' ? { b: v } : bad(v, type);
  if (type === 'VARCHAR') return typeof v === 'string' ? { s: v } : bad(v, type);
  return bad(v, type);
}

/** Relative tolerance for floating point, with an absolute floor for results near zero. */
export const REL_TOL = 1e-9;
export const ABS_TOL = 1e-9;

function numOf(c: Canon): number | undefined {
  if (c === null) return undefined;
  if ('i' in c) return Number(c.i);
  if ('n' in c) return c.n;
  return undefined;
}

export function closeEnough(a: number, b: number): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  const diff = Math.abs(a - b);
  return diff <= ABS_TOL || diff <= REL_TOL * Math.max(Math.abs(a), Math.abs(b));
}

export function canonEqual(a: Canon, b: Canon): boolean {
  if (a === null || b === null) return a === b;
  if ('i' in a && 'i' in b) return a.i === b.i;
  const x = numOf(a);
  const y = numOf(b);
  if (x !== undefined && y !== undefined) return closeEnough(x, y);
  if ('t' in a && 't' in b) return a.t === b.t;
  if ('s' in a && 's' in b) return a.s === b.s;
  if ('b' in a && 'b' in b) return a.b === b.b;
  return false;
}

function rank(c: Canon): number {
  if (c === null) return 0;
  if ('i' in c || 'n' in c) return 1;
  if ('t' in c) return 2;
  if ('s' in c) return 3;
  if ('b' in c) return 4;
  return 5;
}

/** A total order over canonical values, used only to line rows up before comparing them. */
function canonCmp(a: Canon, b: Canon): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb || a === null || b === null) return ra - rb;
  if ('i' in a && 'i' in b) return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  const x = numOf(a);
  const y = numOf(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  const sa = 't' in a ? a.t : 's' in a ? a.s : 'b' in a ? Number(a.b) : 'bad' in a ? a.bad : '';
  const sb = 't' in b ? b.t : 's' in b ? b.s : 'b' in b ? Number(b.b) : 'bad' in b ? b.bad : '';
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function rowCmp(a: Canon[], b: Canon[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = canonCmp(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

/** An exact text form of a row: equal keys mean equal rows (the converse needs the tolerance). */
function exactKey(row: Canon[]): string {
  let k = '';
  for (const c of row) {
    if (c === null) k += '\u0001N';
    else if ('i' in c) k += `\u0001i${c.i}`;
    else if ('n' in c) k += `\u0001n${c.n}`;
    else if ('t' in c) k += `\u0001t${c.t}`;
    else if ('s' in c) k += `\u0001s${c.s}`;
    else if ('b' in c) k += `\u0001b${c.b}`;
    else k += `\u0001?${c.bad}${Math.random()}`; // never equal: a mistyped value is a failure
  }
  return k;
}

const rowEqual = (a: Canon[], b: Canon[]) => a.length === b.length && a.every((v, i) => canonEqual(v, b[i]!));

export function showCanon(c: Canon): string {
  if (c === null) return 'NULL';
  if ('i' in c) return c.i.toString();
  if ('n' in c) return String(c.n);
  if ('t' in c) return new Date(c.t).toISOString();
  if ('s' in c) return JSON.stringify(c.s);
  if ('b' in c) return String(c.b);
  return `<${c.bad}>`;
}

const showRow = (r: Canon[]) => `(${r.map(showCanon).join(', ')})`;

/**
 * Multiset comparison: sort both sides, then match row by row; rows that differ only within the
 * float tolerance can sort differently, so unmatched rows look for a partner nearby.
 * Returns the unmatched rows of each side (empty arrays mean equal).
 */
function multisetDiff(ours: Canon[][], theirs: Canon[][]): { onlyOurs: Canon[][]; onlyTheirs: Canon[][] } {
  // Fast path: most results are exactly equal, which sorted exact keys show cheaply.
  if (ours.length === theirs.length) {
    const ka = ours.map(exactKey).sort();
    const kb = theirs.map(exactKey).sort();
    if (ka.every((k, i) => k === kb[i])) return { onlyOurs: [], onlyTheirs: [] };
  }
  const a = [...ours].sort(rowCmp);
  const b = [...theirs].sort(rowCmp);
  const used = new Uint8Array(b.length);
  const onlyOurs: Canon[][] = [];
  const WINDOW = 64;
  for (let i = 0; i < a.length; i++) {
    let found = -1;
    if (i < b.length && !used[i] && rowEqual(a[i]!, b[i]!)) found = i;
    for (let d = 1; found < 0 && d <= WINDOW; d++) {
      for (const j of [i - d, i + d]) {
        if (j >= 0 && j < b.length && !used[j] && rowEqual(a[i]!, b[j]!)) {
          found = j;
          break;
        }
      }
    }
    if (found >= 0) used[found] = 1;
    else onlyOurs.push(a[i]!);
  }
  return { onlyOurs, onlyTheirs: b.filter((_, j) => !used[j]) };
}

export interface CompareOptions {
  /**
   * Output positions of the ORDER BY keys, most significant first, when the query has an ORDER BY
   * whose keys are all in the output. Rows must then come in the same key order; rows whose keys
   * tie (within tolerance) may come in any order. Omit for order-insensitive comparison.
   */
  orderKeys?: number[];
  /**
   * Check output column names against DuckDB's. `'identifiers'` (default) checks only the columns
   * DuckDB names with a plain identifier (a column reference or an alias); expression names such
   * as `(a + 1)` or `count_star()` are DuckDB's own convention. `'none'` compares values only.
   */
  names?: 'identifiers' | 'none';
  /** Check that column types belong to the same family (integer, float, temporal, string, bool). */
  types?: boolean;
}

function family(type: string): string {
  if (INT_TYPES.test(type)) return 'integer';
  if (type === 'DOUBLE' || type === 'FLOAT') return 'float';
  if (type.startsWith('DECIMAL')) return 'decimal';
  if (type === 'DATE' || type.startsWith('TIMESTAMP')) return 'temporal';
  if (type === 'VARCHAR') return 'string';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'NULL') return 'null';
  return type;
}

function familiesMatch(ours: string, theirs: string): boolean {
  const a = family(ours);
  const b = family(theirs);
  // DuckDB types decimal literals (2.5) as DECIMAL; we use DOUBLE. A bare NULL has no family.
  return a === b || a === 'null' || (b === 'decimal' && a === 'float') || (a === 'null' && b === 'integer');
}

/** Our result's rows as arrays in output order, canonicalised. */
export function oursCanonRows(res: QueryResult): Canon[][] {
  const cols = res.columns;
  const unique = new Set(cols.map((c) => c.name)).size === cols.length;
  if (unique) {
    // The public, JSON-safe rows (BIGINT as number/string, DATE/TIMESTAMP as ISO strings).
    return res.rows.map((r) => cols.map((c) => canonOurs(r[c.name], c.type)));
  }
  // Duplicate names collide in row objects (SELECT * over a join): read Arrow positionally.
  const t = tableFromIPC(res.arrow());
  const vecs = cols.map((_, i) => t.getChildAt(i));
  const out: Canon[][] = [];
  for (let r = 0; r < t.numRows; r++) {
    out.push(
      cols.map((c, i) => {
        const vec = vecs[i];
        const raw: unknown = vec?.get(r);
        const dt: unknown = vec?.type;
        // Arrow hands DATE/TIMESTAMP back as epoch ms numbers and Int64 as bigint.
        const raw64 =
          dt instanceof DataType && (DataType.isInt(dt) || DataType.isDate(dt) || DataType.isTimestamp(dt));
        return canonOurs(raw, c.type, raw64);
      }),
    );
  }
  return out;
}

export function duckCanonRows(res: DuckResult): Canon[][] {
  return res.rows.map((r) => res.columns.map((c, i) => canonDuck(r[i], c.type)));
}

/**
 * Compares our result with DuckDB's. Returns null when they agree, else a readable description of
 * the first differences.
 */
export function compareResults(
  ours: QueryResult,
  theirs: DuckResult,
  opts: CompareOptions = {},
): string | null {
  const problems: string[] = [];
  const oc = ours.columns;
  const tc = theirs.columns;
  const header = `ours: ${oc.map((c) => `${c.name} ${c.type}`).join(', ')}\nduckdb: ${tc.map((c) => `${c.name} ${c.type}`).join(', ')}`;
  if (oc.length !== tc.length) return `column count ${oc.length} ≠ DuckDB's ${tc.length}\n${header}`;
  if ((opts.names ?? 'identifiers') === 'identifiers') {
    tc.forEach((c, i) => {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.name) && oc[i]!.name !== c.name)
        problems.push(`column ${i + 1} is named "${oc[i]!.name}", DuckDB: "${c.name}"`);
    });
  }
  if (opts.types) {
    tc.forEach((c, i) => {
      if (!familiesMatch(oc[i]!.type, c.type))
        problems.push(`column ${i + 1} (${c.name}) has type ${oc[i]!.type}, DuckDB: ${c.type}`);
    });
  }
  const a = oursCanonRows(ours);
  const b = duckCanonRows(theirs);
  if (ours.rowCount !== a.length) problems.push(`rowCount ${ours.rowCount} but ${a.length} rows`);
  if (a.length !== b.length) problems.push(`${a.length} rows, DuckDB: ${b.length}`);

  const sample = (label: string, rows: Canon[][]) =>
    rows.length
      ? `  ${label} (${rows.length}):\n${rows
          .slice(0, 8)
          .map((r) => `    ${showRow(r)}`)
          .join('\n')}`
      : '';
  if (opts.orderKeys === undefined || a.length !== b.length) {
    const { onlyOurs, onlyTheirs } = multisetDiff(a, b);
    if (onlyOurs.length || onlyTheirs.length) {
      problems.push(
        ['rows differ:', sample('only in ours', onlyOurs), sample('only in DuckDB', onlyTheirs)]
          .filter(Boolean)
          .join('\n'),
      );
    }
  } else {
    // Runs of rows whose ORDER BY keys tie in DuckDB's output may come in any order.
    const keys = opts.orderKeys;
    const exact = a.every((row, i) => exactKey(row) === exactKey(b[i]!));
    const tie = (x: Canon[], y: Canon[]) => keys.every((k) => canonEqual(x[k] ?? null, y[k] ?? null));
    for (let start = exact ? b.length : 0; start < b.length;) {
      let end = start + 1;
      while (end < b.length && tie(b[end - 1]!, b[end]!)) end++;
      const { onlyOurs, onlyTheirs } = multisetDiff(a.slice(start, end), b.slice(start, end));
      if (onlyOurs.length || onlyTheirs.length) {
        problems.push(
          [
            `order or rows differ at rows ${start + 1}..${end} (ORDER BY keys: columns ${keys.map((k) => k + 1).join(', ')}):`,
            `  ours:\n${a
              .slice(Math.max(0, start - 2), start + 6)
              .map((r) => `    ${showRow(r)}`)
              .join('\n')}`,
            `  DuckDB:\n${b
              .slice(Math.max(0, start - 2), start + 6)
              .map((r) => `    ${showRow(r)}`)
              .join('\n')}`,
          ].join('\n'),
        );
        break;
      }
      start = end;
    }
  }
  return problems.length ? `${problems.join('\n')}\n${header}` : null;
}
