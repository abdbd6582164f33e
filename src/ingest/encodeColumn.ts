import * as A from 'apache-arrow';
import type { ColumnStats, ColumnType } from '../storage/manifest.ts';
import {
  classify,
  parseBigInt,
  parseDate,
  parseDouble,
  parseIntFast,
  parseTimestamp,
  widen,
} from './infer.ts';

/** Thrown when a value does not fit the column's current type; the caller widens and re-encodes. */
export class NeedsWider extends Error {
  override name = 'NeedsWider';
  constructor(readonly type: ColumnType) {
    super(`column needs ${type}`);
  }
}

export interface EncodedColumn {
  data: A.Data;
  stats: ColumnStats;
}

const MS_PER_DAY = 86_400_000;
const TWO32 = 4294967296;
const encoder = new TextEncoder();

/** The Arrow type peerlake stores for a column type (see manifest.ts). */
export function arrowType(type: ColumnType | null, dictionary = false): A.DataType {
  switch (type) {
    case 'INTEGER':
      return new A.Int32();
    case 'BIGINT':
      return new A.Int64();
    case 'DOUBLE':
      return new A.Float64();
    case 'BOOLEAN':
      return new A.Bool();
    case 'DATE':
      return new A.DateDay();
    case 'TIMESTAMP':
      return new A.TimestampMillisecond();
    case 'VARCHAR':
      return dictionary ? new A.Dictionary(new A.Utf8(), new A.Int32()) : new A.Utf8();
    case null:
      return new A.Null();
  }
}

/**
 * Encodes one column of a chunk. `type === null` (nothing but nulls so far) yields an Arrow Null
 * column, which the finaliser casts once the real type is known.
 * @throws NeedsWider when a value does not fit `type`.
 */
export function encodeColumn(
  values: ArrayLike<unknown>,
  type: ColumnType | null,
  dictionary = false,
): EncodedColumn {
  const n = values.length;
  switch (type) {
    case null:
      for (let i = 0; i < n; i++)
        if (!isNull(values[i])) throw new NeedsWider(classify(values[i]) ?? 'VARCHAR');
      return { data: A.makeData({ type: new A.Null(), length: n, nullCount: n }), stats: nullStats(n) };
    case 'INTEGER':
      return encodeInt32(values, n);
    case 'BIGINT':
      return encodeInt64(values, n);
    case 'DOUBLE':
      return encodeFloat64(values, n);
    case 'BOOLEAN':
      return encodeBool(values, n);
    case 'DATE':
      return encodeDate(values, n);
    case 'TIMESTAMP':
      return encodeTimestamp(values, n);
    case 'VARCHAR':
      return dictionary ? encodeDictionary(values, n) : encodeUtf8(values, n);
  }
}

function isNull(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

function nullStats(n: number): ColumnStats {
  return { min: null, max: null, nulls: n };
}

/** Validity bitmap builder; allocated lazily because most columns have no nulls. */
class Validity {
  bitmap: Uint8Array | undefined;
  nulls = 0;
  constructor(readonly n: number) {}
  setNull(i: number): void {
    if (!this.bitmap) this.bitmap = new Uint8Array((this.n + 7) >>> 3).fill(0xff);
    this.bitmap[i >>> 3]! &= ~(1 << (i & 7));
    this.nulls++;
  }
}

function fail(v: unknown, current: ColumnType): never {
  throw new NeedsWider(widen(current, classify(v)) ?? current);
}

function encodeInt32(values: ArrayLike<unknown>, n: number): EncodedColumn {
  if (values instanceof Int32Array) return fixed(new A.Int32(), values, new Validity(n), minMax(values));
  const out = new Int32Array(n);
  const valid = new Validity(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let x: number;
    if (typeof v === 'string') {
      if (v.length === 0) {
        valid.setNull(i);
        continue;
      }
      x = parseIntFast(v);
    } else if (typeof v === 'number') x = Number.isInteger(v) ? v : NaN;
    else if (v === null || v === undefined) {
      valid.setNull(i);
      continue;
    } else if (typeof v === 'bigint') x = Number(v);
    else return fail(v, 'INTEGER');
    if (!(x >= -2147483648 && x <= 2147483647)) return fail(v, 'INTEGER');
    out[i] = x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return fixed(new A.Int32(), out, valid, {
    min: min === Infinity ? null : min,
    max: max === -Infinity ? null : max,
  });
}

function encodeInt64(values: ArrayLike<unknown>, n: number): EncodedColumn {
  if (values instanceof BigInt64Array) {
    let min = values[0];
    let max = values[0];
    for (const x of values) {
      if (x < min!) min = x;
      if (x > max!) max = x;
    }
    return fixed(new A.Int64(), values, new Validity(n), {
      min: min === undefined ? null : String(min),
      max: max === undefined ? null : String(max),
    });
  }
  const out = new BigInt64Array(n);
  // Safe integers are written as two 32-bit halves: no BigInt allocation per value.
  const halves = new Int32Array(out.buffer);
  const valid = new Validity(n);
  let min: bigint | undefined;
  let max: bigint | undefined;
  let minN = Infinity;
  let maxN = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let x = NaN;
    let big: bigint | undefined;
    if (typeof v === 'string') {
      if (v.length === 0) {
        valid.setNull(i);
        continue;
      }
      x = v.length <= 15 ? parseIntFast(v) : NaN;
      if (x !== x) big = parseBigInt(v);
    } else if (typeof v === 'number') x = Number.isSafeInteger(v) ? v : NaN;
    else if (typeof v === 'bigint') big = v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
    else if (v === null || v === undefined) {
      valid.setNull(i);
      continue;
    }
    if (x === x) {
      halves[2 * i] = (x % TWO32) | 0;
      halves[2 * i + 1] = Math.floor(x / TWO32);
      if (x < minN) minN = x;
      if (x > maxN) maxN = x;
    } else if (big !== undefined) {
      out[i] = big;
      if (min === undefined || big < min) min = big;
      if (max === undefined || big > max) max = big;
    } else return fail(v, 'BIGINT');
  }
  if (minN !== Infinity) {
    const a = BigInt(minN);
    const b = BigInt(maxN);
    if (min === undefined || a < min) min = a;
    if (max === undefined || b > max) max = b;
  }
  return fixed(new A.Int64(), out, valid, {
    min: min === undefined ? null : String(min),
    max: max === undefined ? null : String(max),
  });
}

function encodeFloat64(values: ArrayLike<unknown>, n: number): EncodedColumn {
  if (values instanceof Float64Array) return fixed(new A.Float64(), values, new Validity(n), minMax(values));
  const out = new Float64Array(n);
  const valid = new Validity(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let x: number;
    if (typeof v === 'string') {
      if (v.length === 0) {
        valid.setNull(i);
        continue;
      }
      x = parseDouble(v);
      if (x !== x) return fail(v, 'DOUBLE');
    } else if (typeof v === 'number') x = v;
    else if (v === null || v === undefined) {
      valid.setNull(i);
      continue;
    } else if (typeof v === 'bigint') x = Number(v);
    else return fail(v, 'DOUBLE');
    out[i] = x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return fixed(new A.Float64(), out, valid, {
    min: min === Infinity ? null : min,
    max: max === -Infinity ? null : max,
  });
}

function encodeBool(values: ArrayLike<unknown>, n: number): EncodedColumn {
  const bits = new Uint8Array((n + 7) >>> 3);
  const valid = new Validity(n);
  let seenTrue = false;
  let seenFalse = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let b: boolean;
    if (typeof v === 'boolean') b = v;
    else if (typeof v === 'string') {
      if (v.length === 0) {
        valid.setNull(i);
        continue;
      }
      const l = v.length <= 5 ? v.toLowerCase() : '';
      if (l === 'true') b = true;
      else if (l === 'false') b = false;
      else return fail(v, 'BOOLEAN');
    } else if (v === null || v === undefined) {
      valid.setNull(i);
      continue;
    } else return fail(v, 'BOOLEAN');
    if (b) {
      bits[i >>> 3]! |= 1 << (i & 7);
      seenTrue = true;
    } else seenFalse = true;
  }
  const data = A.makeData({
    type: new A.Bool(),
    length: n,
    nullCount: valid.nulls,
    data: bits,
    nullBitmap: valid.bitmap,
  });
  const any = seenTrue || seenFalse;
  return {
    data,
    stats: { min: any ? !seenFalse : null, max: any ? seenTrue : null, nulls: valid.nulls },
  };
}

function encodeDate(values: ArrayLike<unknown>, n: number): EncodedColumn {
  const out = new Int32Array(n);
  const valid = new Validity(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let d: number | undefined;
    if (typeof v === 'string') {
      if (v.length === 0) {
        valid.setNull(i);
        continue;
      }
      d = parseDate(v);
    } else if (v instanceof Date) {
      const ms = v.getTime();
      d = ms % MS_PER_DAY === 0 ? ms / MS_PER_DAY : undefined;
    } else if (v === null || v === undefined) {
      valid.setNull(i);
      continue;
    }
    if (d === undefined) return fail(v, 'DATE');
    out[i] = d;
    if (d < min) min = d;
    if (d > max) max = d;
  }
  return fixed(new A.DateDay(), out, valid, {
    min: min === Infinity ? null : min,
    max: max === -Infinity ? null : max,
  });
}

function encodeTimestamp(values: ArrayLike<unknown>, n: number): EncodedColumn {
  const out = new BigInt64Array(n);
  const halves = new Int32Array(out.buffer);
  const valid = new Validity(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let ms: number | undefined;
    if (typeof v === 'string') {
      if (v.length === 0) {
        valid.setNull(i);
        continue;
      }
      ms = parseTimestamp(v);
      if (ms === undefined) {
        const d = parseDate(v);
        ms = d === undefined ? undefined : d * MS_PER_DAY;
      }
    } else if (v instanceof Date) ms = v.getTime();
    else if (v === null || v === undefined) {
      valid.setNull(i);
      continue;
    }
    if (ms === undefined || ms !== ms) return fail(v, 'TIMESTAMP');
    halves[2 * i] = (ms % TWO32) | 0;
    halves[2 * i + 1] = Math.floor(ms / TWO32);
    if (ms < min) min = ms;
    if (ms > max) max = ms;
  }
  return fixed(new A.TimestampMillisecond(), out, valid, {
    min: min === Infinity ? null : min,
    max: max === -Infinity ? null : max,
  });
}

/** Any value as the text a user would expect in a VARCHAR column. */
export function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
}

function encodeUtf8(values: ArrayLike<unknown>, n: number): EncodedColumn {
  const valid = new Validity(n);
  const strs: string[] = new Array<string>(n);
  let min: string | undefined;
  let max: string | undefined;
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      valid.setNull(i);
      strs[i] = '';
      continue;
    }
    const s = toText(v);
    strs[i] = s;
    chars += s.length;
    if (min === undefined || s < min) min = s;
    if (max === undefined || s > max) max = s;
  }
  const { offsets, bytes } = utf8Buffers(strs, chars);
  const data = A.makeData({
    type: new A.Utf8(),
    length: n,
    nullCount: valid.nulls,
    valueOffsets: offsets,
    data: bytes,
    nullBitmap: valid.bitmap,
  });
  return { data, stats: { min: min ?? null, max: max ?? null, nulls: valid.nulls } };
}

function encodeDictionary(values: ArrayLike<unknown>, n: number): EncodedColumn {
  const valid = new Validity(n);
  const codes = new Int32Array(n);
  const index = new Map<string, number>();
  const dict: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      valid.setNull(i);
      continue;
    }
    const s = typeof v === 'string' ? v : toText(v);
    let code = index.get(s);
    if (code === undefined) {
      code = dict.length;
      index.set(s, code);
      dict.push(s);
    }
    codes[i] = code;
  }
  let min: string | undefined;
  let max: string | undefined;
  let chars = 0;
  for (const s of dict) {
    chars += s.length;
    if (min === undefined || s < min) min = s;
    if (max === undefined || s > max) max = s;
  }
  const { offsets, bytes } = utf8Buffers(dict, chars);
  const dictionary = A.makeVector(
    A.makeData({ type: new A.Utf8(), length: dict.length, nullCount: 0, valueOffsets: offsets, data: bytes }),
  );
  const data = A.makeData({
    type: new A.Dictionary(new A.Utf8(), new A.Int32()),
    length: n,
    nullCount: valid.nulls,
    data: codes,
    nullBitmap: valid.bitmap,
    dictionary,
  });
  return { data, stats: { min: min ?? null, max: max ?? null, nulls: valid.nulls } };
}

/**
 * UTF-8 bytes and offsets for a list of strings. Encodes everything in one call and, when the
 * text is ASCII (byte length = char length), derives offsets from string lengths; only non-ASCII
 * batches pay for per-string encoding.
 */
function utf8Buffers(strs: string[], chars: number): { offsets: Int32Array; bytes: Uint8Array } {
  const offsets = new Int32Array(strs.length + 1);
  const joined = strs.join('');
  const all = encoder.encode(joined);
  if (all.length === chars) {
    let o = 0;
    for (let i = 0; i < strs.length; i++) {
      o += strs[i]!.length;
      offsets[i + 1] = o;
    }
    return { offsets, bytes: all };
  }
  const bytes = new Uint8Array(all.length);
  let o = 0;
  for (let i = 0; i < strs.length; i++) {
    o += encoder.encodeInto(strs[i]!, bytes.subarray(o)).written;
    offsets[i + 1] = o;
  }
  return { offsets, bytes };
}

function minMax(values: Int32Array | Float64Array): { min: number | null; max: number | null } {
  // One loop per array type: a loop that sees both is slower on each.
  return values instanceof Int32Array ? minMaxInt32(values) : minMaxFloat64(values);
}

function minMaxInt32(values: Int32Array): { min: number | null; max: number | null } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { min: min === Infinity ? null : min, max: max === -Infinity ? null : max };
}

function minMaxFloat64(values: Float64Array): { min: number | null; max: number | null } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { min: min === Infinity ? null : min, max: max === -Infinity ? null : max };
}

function fixed(
  type: A.DataType,
  values: Int32Array | Float64Array | BigInt64Array,
  valid: Validity,
  mm: { min: number | string | null; max: number | string | null },
): EncodedColumn {
  const data = A.makeData({
    type: type as A.Int32,
    length: values.length,
    nullCount: valid.nulls,
    data: values as Int32Array,
    nullBitmap: valid.bitmap,
  });
  return { data, stats: { min: mm.min, max: mm.max, nulls: valid.nulls } };
}
