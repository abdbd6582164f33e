import type { SqlType } from '../sql/plan.ts';

/**
 * The engine's column vector: one column of one batch, indexed by *physical* row. Operators never
 * compact on filter; they carry a selection vector (see Rows) and kernels only read and write the
 * selected positions, so values at unselected positions are garbage.
 *
 * Representation (chosen so the hot kernels are plain typed-array loops):
 * - `num`: INTEGER and DATE (days) usually in an Int32Array; DOUBLE, TIMESTAMP (epoch ms, exact
 *   below 2^53) and BIGINT whose values are all safe integers in a Float64Array. Kernels index
 *   either array type, so an INTEGER result may also live in a Float64Array.
 * - `big`: BIGINT with values beyond ±2^53, exact in a BigInt64Array (the rare, slow path).
 * - `bool`: one byte per row (0/1); Arrow's bit-packing is unpacked once per chunk.
 * - `str`: decoded JS strings. `dict`: Arrow dictionary codes plus the decoded dictionary, so
 *   string predicates and functions run once per dictionary entry instead of once per row.
 * - `const`: one value for every row (literals), so `col > 30` never materialises the 30.
 *
 * NULLs: `nulls` has one byte per row, 1 = NULL; `null` means the vector has no NULLs, which keeps
 * the common case free of null checks.
 */
export type Nulls = Uint8Array | null;
export type NumType = 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'DATE' | 'TIMESTAMP';
export type NumArray = Int32Array | Float64Array;

/**
 * One SQL value outside a vector. INTEGER/DOUBLE → number, DATE → days, TIMESTAMP → epoch ms,
 * BIGINT → number when safe else bigint, BOOLEAN → boolean, VARCHAR → string, NULL → null.
 */
export type Scalar = number | bigint | string | boolean | null;

export interface NumVec {
  kind: 'num';
  type: NumType;
  v: NumArray;
  nulls: Nulls;
}
export interface BigVec {
  kind: 'big';
  type: 'BIGINT';
  v: BigInt64Array;
  nulls: Nulls;
}
export interface BoolVec {
  kind: 'bool';
  type: 'BOOLEAN';
  v: Uint8Array;
  nulls: Nulls;
}
export interface StrVec {
  kind: 'str';
  type: 'VARCHAR';
  v: string[];
  nulls: Nulls;
}
export interface DictVec {
  kind: 'dict';
  type: 'VARCHAR';
  codes: Int32Array;
  dict: string[];
  nulls: Nulls;
}
export interface ConstVec {
  kind: 'const';
  type: SqlType;
  value: Scalar;
}
export type Vec = NumVec | BigVec | BoolVec | StrVec | DictVec | ConstVec;

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const MS_PER_DAY = 86_400_000;

export function isNumType(t: SqlType): t is NumType {
  return t === 'INTEGER' || t === 'BIGINT' || t === 'DOUBLE' || t === 'DATE' || t === 'TIMESTAMP';
}

export function constVec(type: SqlType, value: Scalar): ConstVec {
  return { kind: 'const', type, value };
}

export function nullConst(type: SqlType): ConstVec {
  return { kind: 'const', type, value: null };
}

export function numVec(type: NumType, v: NumArray, nulls: Nulls): NumVec {
  return { kind: 'num', type, v, nulls };
}

export function boolVec(v: Uint8Array, nulls: Nulls): BoolVec {
  return { kind: 'bool', type: 'BOOLEAN', v, nulls };
}

export function strVec(v: string[], nulls: Nulls): StrVec {
  return { kind: 'str', type: 'VARCHAR', v, nulls };
}

/** The null mask of a vector (null = no NULLs); a NULL constant has no mask, check `value`. */
export function nullsOf(v: Vec): Nulls {
  return v.kind === 'const' ? null : v.nulls;
}

export function isNullAt(v: Vec, i: number): boolean {
  if (v.kind === 'const') return v.value === null;
  return v.nulls !== null && v.nulls[i] === 1;
}

/** A BIGINT as a Scalar: a number while exact, else the bigint itself. */
export function bigScalar(x: bigint): number | bigint {
  return x >= -9007199254740991n && x <= 9007199254740991n ? Number(x) : x;
}

/** The value at physical row i (slow path: sorting heaps, group keys, fallbacks). */
export function scalarAt(v: Vec, i: number): Scalar {
  switch (v.kind) {
    case 'const':
      return v.value;
    case 'num':
      return v.nulls !== null && v.nulls[i] === 1 ? null : v.v[i]!;
    case 'big':
      return v.nulls !== null && v.nulls[i] === 1 ? null : bigScalar(v.v[i]!);
    case 'bool':
      return v.nulls !== null && v.nulls[i] === 1 ? null : v.v[i] === 1;
    case 'str':
      return v.nulls !== null && v.nulls[i] === 1 ? null : v.v[i]!;
    case 'dict':
      return v.nulls !== null && v.nulls[i] === 1 ? null : v.dict[v.codes[i]!]!;
  }
}

/** Byte size of a vector's buffers, for memory accounting (strings counted as 2 bytes/char + 32). */
export function vecBytes(v: Vec, rows: number): number {
  const nb = v.kind !== 'const' && v.nulls ? v.nulls.byteLength : 0;
  switch (v.kind) {
    case 'const':
      return 0;
    case 'num':
    case 'big':
    case 'bool':
      return v.v.byteLength + nb;
    case 'dict':
      return v.codes.byteLength + nb + stringsBytes(v.dict, v.dict.length);
    case 'str':
      return nb + stringsBytes(v.v, rows);
  }
}

function stringsBytes(a: string[], n: number): number {
  let b = 0;
  // Sample long arrays: exact sizes do not matter, the order of magnitude does.
  const step = n > 4096 ? Math.floor(n / 1024) : 1;
  let seen = 0;
  for (let i = 0; i < n; i += step) {
    b += (a[i]?.length ?? 0) * 2 + 32;
    seen++;
  }
  return seen === 0 ? 0 : Math.round((b / seen) * n);
}
