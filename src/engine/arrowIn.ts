import * as A from 'apache-arrow';
import { SqlError } from '../sql/SqlError.ts';
import type { Nulls, Vec } from './vec.ts';
import { MS_PER_DAY, nullConst } from './vec.ts';

const TWO32 = 4294967296;
/** High 32-bit halves in this range mean |value| < 2^53: exact as a double. */
const SAFE_HI = 2097152;
const utf8 = new TextDecoder();
const latin1 = new TextDecoder('latin1');
/** Decoded dictionaries by Arrow vector: a warm query over cached chunks decodes nothing twice. */
const dictCache = new WeakMap<object, string[]>();

/**
 * Converts one Arrow column (a Data of the types peerlake stores, plus a few neighbours that
 * foreign Arrow files bring) to a Vec. Int32/Float64/DateDay/dictionary codes are zero-copy;
 * Int64 and timestamps become doubles when exact; Bool and validity bitmaps unpack to bytes.
 */
export function fromArrow(data: A.Data): Vec {
  const n = data.length;
  const nulls = unpackNulls(data);
  const t: A.DataType = data.type;
  switch (t.typeId) {
    case A.Type.Null:
      return nullConst('NULL');
    case A.Type.Int: {
      const it = t as A.Int;
      if (it.bitWidth === 64) return int64(data.values as BigInt64Array | BigUint64Array, n, nulls);
      const v = data.values as Int32Array;
      if (it.bitWidth === 32 && it.isSigned) return { kind: 'num', type: 'INTEGER', v, nulls };
      if (it.bitWidth === 32) return { kind: 'num', type: 'BIGINT', v: Float64Array.from(v), nulls };
      return { kind: 'num', type: 'INTEGER', v: Int32Array.from(v), nulls };
    }
    case A.Type.Float: {
      const v = data.values as Float64Array | Float32Array;
      return { kind: 'num', type: 'DOUBLE', v: v instanceof Float64Array ? v : Float64Array.from(v), nulls };
    }
    case A.Type.Bool:
      return {
        kind: 'bool',
        type: 'BOOLEAN',
        v: unpackBits(data.values as Uint8Array, data.offset, n),
        nulls,
      };
    case A.Type.Date: {
      if ((t as A.Date_).unit === A.DateUnit.DAY)
        return { kind: 'num', type: 'DATE', v: data.values as Int32Array, nulls };
      const ms = toDoubles(data.values as BigInt64Array, n);
      const days = new Int32Array(n);
      for (let i = 0; i < n; i++) days[i] = Math.floor(ms[i]! / MS_PER_DAY);
      return { kind: 'num', type: 'DATE', v: days, nulls };
    }
    case A.Type.Timestamp:
      return { kind: 'num', type: 'TIMESTAMP', v: timestampMs(data, t as A.Timestamp), nulls };
    case A.Type.Utf8:
    case A.Type.LargeUtf8:
      return { kind: 'str', type: 'VARCHAR', v: utf8Column(data), nulls };
    case A.Type.Dictionary: {
      const raw = data.values as Int32Array;
      const codes = raw instanceof Int32Array ? raw : Int32Array.from(raw);
      return { kind: 'dict', type: 'VARCHAR', codes, dict: dictionaryStrings(data), nulls };
    }
    default:
      throw new SqlError('DATA', `unsupported Arrow column type in chunk: ${A.Type[t.typeId]}`);
  }
}

function int64(values: BigInt64Array | BigUint64Array, n: number, nulls: Nulls): Vec {
  const halves = new Int32Array(values.buffer, values.byteOffset, n * 2);
  const unsigned = values instanceof BigUint64Array;
  for (let i = 0; i < n; i++) {
    const hi = halves[2 * i + 1]!;
    if ((hi >= SAFE_HI || hi < -SAFE_HI || (unsigned && hi < 0)) && (nulls === null || nulls[i] === 0)) {
      if (unsigned)
        return { kind: 'big', type: 'BIGINT', v: BigInt64Array.from(values, (x) => BigInt(x)), nulls };
      return { kind: 'big', type: 'BIGINT', v: values, nulls };
    }
  }
  return { kind: 'num', type: 'BIGINT', v: toDoubles(values, n), nulls };
}

/** Int64 values as doubles without allocating a BigInt per value (exact below 2^53). */
function toDoubles(values: BigInt64Array | BigUint64Array, n: number): Float64Array {
  const halves = new Int32Array(values.buffer, values.byteOffset, n * 2);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = halves[2 * i + 1]! * TWO32 + (halves[2 * i]! >>> 0);
  return out;
}

function timestampMs(data: A.Data, t: A.Timestamp): Float64Array {
  const v = toDoubles(data.values as BigInt64Array, data.length);
  const div =
    t.unit === A.TimeUnit.SECOND
      ? 1e-3
      : t.unit === A.TimeUnit.MILLISECOND
        ? 1
        : t.unit === A.TimeUnit.MICROSECOND
          ? 1e3
          : 1e6;
  if (div !== 1) for (let i = 0; i < v.length; i++) v[i] = Math.floor(v[i]! / div);
  return v;
}

/** The validity bitmap as one byte per row, 1 = NULL; null when the column has no NULLs. */
export function unpackNulls(data: A.Data): Nulls {
  if (data.nullCount <= 0 || !data.nullBitmap) return null;
  const bm = data.nullBitmap;
  const n = data.length;
  const off = data.offset;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = off + i;
    out[i] = ((bm[j >>> 3]! >>> (j & 7)) & 1) ^ 1;
  }
  return out;
}

function unpackBits(bits: Uint8Array, off: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = off + i;
    out[i] = (bits[j >>> 3]! >>> (j & 7)) & 1;
  }
  return out;
}

function utf8Column(d: A.Data): string[] {
  return decodeStrings(d.valueOffsets as Int32Array, d.values as Uint8Array, d.length);
}

function dictionaryStrings(data: A.Data): string[] {
  const dv = data.dictionary;
  if (!dv) return [];
  const hit = dictCache.get(dv);
  if (hit) return hit;
  const out: string[] = [];
  for (const d of dv.data as A.Data[]) {
    const s = utf8Column(d);
    for (const x of s) out.push(x);
  }
  dictCache.set(dv, out);
  return out;
}

/**
 * Decodes a Utf8 column to JS strings with one TextDecoder call: ASCII text (the common case) is
 * sliced by byte offsets directly; otherwise byte offsets are mapped to UTF-16 offsets in one pass.
 * Per-value TextDecoder calls cost ~10× more.
 */
export function decodeStrings(offsets: Int32Array | BigInt64Array, bytes: Uint8Array, n: number): string[] {
  const out = new Array<string>(n);
  if (n === 0) return out;
  const off = offsets instanceof Int32Array ? offsets : Int32Array.from(offsets, (x) => Number(x));
  const start = off[0]!;
  const end = off[n]!;
  let hi = 0;
  for (let i = start; i < end; i++) hi |= bytes[i]!;
  if (hi < 0x80) {
    const whole = latin1.decode(bytes.subarray(start, end));
    for (let i = 0; i < n; i++) out[i] = whole.substring(off[i]! - start, off[i + 1]! - start);
    return out;
  }
  const whole = utf8.decode(bytes.subarray(start, end));
  let u = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const a = u;
    for (let j = off[i]!; j < off[i + 1]!; j++) {
      const b = bytes[j]!;
      if ((b & 0xc0) !== 0x80) u += b >= 0xf0 ? 2 : 1;
    }
    out[i] = whole.substring(a, u);
    prev = u;
  }
  // Invalid UTF-8 decodes to U+FFFD and breaks the offset mapping: decode value by value instead.
  if (prev !== whole.length)
    for (let i = 0; i < n; i++) out[i] = utf8.decode(bytes.subarray(off[i], off[i + 1]));
  return out;
}
