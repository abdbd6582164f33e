import * as A from 'apache-arrow';
import type { OutputColumn, SqlType } from '../sql/plan.ts';
import type { Rows } from './Batch.ts';
import { selOf } from './Batch.ts';
import type { Vec } from './vec.ts';
import { scalarAt } from './vec.ts';

const TWO32 = 4294967296;
const encoder = new TextEncoder();

/**
 * The Arrow type of a result column: the storage mapping of manifest.ts, VARCHAR always as plain
 * Utf8 (result batches never share a dictionary), and SqlType NULL (a bare NULL literal) as the
 * Arrow Null type, which carries no buffers and reads back as null everywhere.
 */
export function resultArrowType(type: SqlType): A.DataType {
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
      return new A.Utf8();
    case 'NULL':
      return new A.Null();
  }
}

/**
 * One result table from compacted columns (all of length `n`). Duplicate column names (`SELECT a,
 * a`, a join's two `id`s) get `_1`, `_2`… suffixes as DuckDB's Arrow export does: apache-arrow
 * merges fields by name and would otherwise drop a column.
 */
export function toTable(schema: readonly OutputColumn[], cols: readonly Vec[], n: number): A.Table {
  const names = uniqueNames(schema.map((c) => c.name));
  const fields = schema.map((c, i) => new A.Field(names[i]!, resultArrowType(c.type), true));
  const arrowSchema = new A.Schema(fields);
  const all: Rows = { n, sel: null, count: n };
  const children = schema.map((c, i) => toArrowData(cols[i]!, c.type, all));
  const data = A.makeData({ type: new A.Struct(fields), length: n, nullCount: 0, children });
  return new A.Table(arrowSchema, [new A.RecordBatch(arrowSchema, data)]);
}

export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let k = 1;
    while (taken.has(`${name}_${k}`)) k++;
    const alt = `${name}_${k}`;
    taken.add(alt);
    return alt;
  });
}

/** The selected rows of `v` as Arrow data of SQL type `type`. */
export function toArrowData(v: Vec, type: SqlType, r: Rows): A.Data {
  const n = r.count;
  const s = selOf(r);
  if (type === 'NULL') return A.makeData({ type: new A.Null(), length: n });
  let nullCount = 0;
  let bitmap: Uint8Array | undefined;
  for (let k = 0; k < n; k++) {
    const isNull = v.kind === 'const' ? v.value === null : v.nulls !== null && v.nulls[s[k]!] === 1;
    if (isNull) {
      bitmap ??= new Uint8Array((n + 7) >>> 3).fill(0xff);
      bitmap[k >>> 3]! &= ~(1 << (k & 7));
      nullCount++;
    }
  }
  const base = { length: n, nullCount, nullBitmap: bitmap };
  switch (type) {
    case 'INTEGER':
    case 'DATE': {
      const out = new Int32Array(n);
      if (v.kind === 'num') for (let k = 0; k < n; k++) out[k] = v.v[s[k]!]!;
      else for (let k = 0; k < n; k++) out[k] = Number(scalarAt(v, s[k]!) ?? 0);
      return type === 'DATE'
        ? A.makeData({ type: new A.DateDay(), data: out, ...base })
        : A.makeData({ type: new A.Int32(), data: out, ...base });
    }
    case 'DOUBLE': {
      const out = new Float64Array(n);
      if (v.kind === 'num') for (let k = 0; k < n; k++) out[k] = v.v[s[k]!]!;
      else for (let k = 0; k < n; k++) out[k] = Number(scalarAt(v, s[k]!) ?? 0);
      return A.makeData({ type: new A.Float64(), data: out, ...base });
    }
    case 'BIGINT':
    case 'TIMESTAMP': {
      const out = new BigInt64Array(n);
      if (v.kind === 'big') for (let k = 0; k < n; k++) out[k] = v.v[s[k]!]!;
      else {
        // Exact doubles are written as two 32-bit halves: no BigInt per value.
        const halves = new Int32Array(out.buffer);
        for (let k = 0; k < n; k++) {
          const x = v.kind === 'num' ? v.v[s[k]!]! : Number(scalarAt(v, s[k]!) ?? 0);
          halves[2 * k] = (x % TWO32) | 0;
          halves[2 * k + 1] = Math.floor(x / TWO32);
        }
      }
      return type === 'TIMESTAMP'
        ? A.makeData({ type: new A.TimestampMillisecond(), data: out, ...base })
        : A.makeData({ type: new A.Int64(), data: out, ...base });
    }
    case 'BOOLEAN': {
      const bits = new Uint8Array((n + 7) >>> 3);
      for (let k = 0; k < n; k++) {
        const b = v.kind === 'bool' ? v.v[s[k]!] === 1 : scalarAt(v, s[k]!) === true;
        if (b) bits[k >>> 3]! |= 1 << (k & 7);
      }
      return A.makeData({ type: new A.Bool(), data: bits, ...base });
    }
    case 'VARCHAR': {
      const strs = new Array<string>(n);
      for (let k = 0; k < n; k++) {
        const i = s[k]!;
        if (v.kind === 'str') strs[k] = v.v[i]!;
        else if (v.kind === 'dict') strs[k] = v.dict[v.codes[i]!] ?? '';
        else {
          const x = scalarAt(v, i);
          strs[k] = x === null ? '' : String(x);
        }
        if (bitmap && (bitmap[k >>> 3]! & (1 << (k & 7))) === 0) strs[k] = '';
      }
      const { offsets, bytes } = utf8Buffers(strs);
      return A.makeData({ type: new A.Utf8(), valueOffsets: offsets, data: bytes, ...base });
    }
  }
}

/** UTF-8 bytes and offsets in one encode call; only non-ASCII text pays per-string encoding. */
function utf8Buffers(strs: string[]): { offsets: Int32Array; bytes: Uint8Array } {
  const offsets = new Int32Array(strs.length + 1);
  const joined = strs.join('');
  const all = encoder.encode(joined);
  if (all.length === joined.length) {
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
