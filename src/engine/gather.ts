import type { Rows } from './Batch.ts';
import { selOf } from './Batch.ts';
import type { SqlType } from '../sql/plan.ts';
import { buildVec } from './buildVec.ts';
import type { Nulls, Scalar, Vec } from './vec.ts';
import { scalarAt } from './vec.ts';

/**
 * A new vector of length m whose row j is `v`'s row idx[j]. Negative indexes (the missing side
 * of a left join) give NULL, or, with `missing = 'ignore'`, garbage at rows the caller never
 * selects. Constants stay constants; dictionaries keep their dictionary.
 */
export function gather(
  v: Vec,
  idx: Uint32Array | Int32Array,
  m: number,
  missing: 'null' | 'ignore' = 'null',
): Vec {
  if (v.kind === 'const') return v;
  let nulls: Nulls = null;
  let at: Uint32Array;
  if (idx instanceof Int32Array) {
    // Out-of-bounds typed-array reads are slow in V8: clamp first, NULL-mark separately.
    at = new Uint32Array(m);
    let miss: Uint8Array | null = null;
    for (let j = 0; j < m; j++) {
      const i = idx[j]!;
      if (i >= 0) at[j] = i;
      else if (missing === 'null') (miss ??= new Uint8Array(m))[j] = 1;
    }
    nulls = miss;
  } else at = idx;
  const src = v.nulls;
  if (src !== null) {
    const out = nulls ?? new Uint8Array(m);
    let any = nulls !== null;
    for (let j = 0; j < m; j++)
      if (src[at[j]!] === 1) {
        out[j] = 1;
        any = true;
      }
    nulls = any ? out : null;
  }
  return pick(v, at, m, nulls);
}

function pick(v: Exclude<Vec, { kind: 'const' }>, at: Uint32Array, m: number, nulls: Nulls): Vec {
  switch (v.kind) {
    case 'num': {
      const out = v.v instanceof Int32Array ? new Int32Array(m) : new Float64Array(m);
      const a = v.v;
      for (let j = 0; j < m; j++) out[j] = a[at[j]!]!;
      return { kind: 'num', type: v.type, v: out, nulls };
    }
    case 'big': {
      const out = new BigInt64Array(m);
      const a = v.v;
      for (let j = 0; j < m; j++) out[j] = a[at[j]!]!;
      return { kind: 'big', type: v.type, v: out, nulls };
    }
    case 'bool': {
      const out = new Uint8Array(m);
      const a = v.v;
      for (let j = 0; j < m; j++) out[j] = a[at[j]!]!;
      return { kind: 'bool', type: v.type, v: out, nulls };
    }
    case 'str': {
      const out = new Array<string>(m);
      const a = v.v;
      for (let j = 0; j < m; j++) out[j] = a[at[j]!] ?? '';
      return { kind: 'str', type: v.type, v: out, nulls };
    }
    case 'dict': {
      const out = new Int32Array(m);
      const a = v.codes;
      for (let j = 0; j < m; j++) out[j] = a[at[j]!]!;
      return { kind: 'dict', type: v.type, codes: out, dict: v.dict, nulls };
    }
  }
}

/** The selected rows of `v`, compacted (identity when nothing is filtered). */
export function compact(v: Vec, r: Rows): Vec {
  if (r.sel === null || v.kind === 'const') return v;
  return gather(v, r.sel, r.count);
}

/**
 * Concatenates the selected rows of several vectors of one column into one vector. Dictionary
 * parts with different dictionaries are merged into one dictionary (codes remapped), so a sort or
 * group-by over the result still works on codes.
 */
export function concat(parts: readonly { v: Vec; rows: Rows }[], total: number): Vec {
  const first = parts[0];
  if (!first) throw new Error('engine bug: concat of nothing');
  if (parts.length === 1) return compact(first.v, first.rows);
  const kinds = new Set(parts.map((p) => p.v.kind));
  const kind =
    kinds.size === 1
      ? first.v.kind
      : kinds.has('big')
        ? 'big'
        : kinds.has('str') || kinds.has('dict')
          ? 'str'
          : 'mixed';
  if (kind === 'const' || kind === 'mixed' || (kind === 'str' && first.v.type !== 'VARCHAR'))
    return concatScalars(parts);
  const nulls = new Uint8Array(total);
  let anyNull = false;
  let o = 0;
  for (const { v, rows } of parts) {
    const s = selOf(rows);
    for (let k = 0; k < rows.count; k++) {
      const i = s[k]!;
      const isNull = v.kind === 'const' ? v.value === null : v.nulls !== null && v.nulls[i] === 1;
      if (isNull) {
        nulls[o] = 1;
        anyNull = true;
      }
      o++;
    }
  }
  const outNulls = anyNull ? nulls : null;
  if (kind === 'dict') return concatDict(parts, total, outNulls);
  const type = first.v.type;
  const get = (v: Vec, i: number) => {
    if (v.kind === 'const') return v.value;
    if (v.kind === 'dict') return v.dict[v.codes[i]!];
    return v.v[i];
  };
  o = 0;
  if (kind === 'num') {
    const isInt = parts.every((p) => p.v.kind === 'num' && p.v.v instanceof Int32Array);
    const out = isInt ? new Int32Array(total) : new Float64Array(total);
    for (const { v, rows } of parts) {
      const s = selOf(rows);
      for (let k = 0; k < rows.count; k++) out[o++] = Number(get(v, s[k]!) ?? 0);
    }
    return { kind: 'num', type: type as 'INTEGER', v: out, nulls: outNulls };
  }
  if (kind === 'big') {
    const out = new BigInt64Array(total);
    for (const { v, rows } of parts) {
      const s = selOf(rows);
      for (let k = 0; k < rows.count; k++) {
        const x = get(v, s[k]!);
        // NULL rows may hold garbage (NaN): only integers convert.
        out[o++] = typeof x === 'bigint' ? x : typeof x === 'number' && Number.isInteger(x) ? BigInt(x) : 0n;
      }
    }
    return { kind: 'big', type: 'BIGINT', v: out, nulls: outNulls };
  }
  if (kind === 'bool') {
    const out = new Uint8Array(total);
    for (const { v, rows } of parts) {
      const s = selOf(rows);
      for (let k = 0; k < rows.count; k++) out[o++] = get(v, s[k]!) ? 1 : 0;
    }
    return { kind: 'bool', type: 'BOOLEAN', v: out, nulls: outNulls };
  }
  const out = new Array<string>(total);
  for (const { v, rows } of parts) {
    const s = selOf(rows);
    for (let k = 0; k < rows.count; k++) {
      const x = get(v, s[k]!);
      out[o++] = typeof x === 'string' ? x : '';
    }
  }
  return { kind: 'str', type: 'VARCHAR', v: out, nulls: outNulls };
}

/** The general case (constants, mixed representations): through scalars. */
function concatScalars(parts: readonly { v: Vec; rows: Rows }[]): Vec {
  const values: Scalar[] = [];
  let type: SqlType = 'NULL';
  for (const { v, rows } of parts) {
    if (type === 'NULL') type = v.type;
    const s = selOf(rows);
    for (let k = 0; k < rows.count; k++) values.push(scalarAt(v, s[k]!));
  }
  const allSame = parts.every((p) => p.v.kind === 'const' && p.v.value === values[0]);
  const first = parts[0]!.v;
  if (allSame && first.kind === 'const') return first;
  return buildVec(type, values);
}

function concatDict(parts: readonly { v: Vec; rows: Rows }[], total: number, nulls: Nulls): Vec {
  const index = new Map<string, number>();
  const dict: string[] = [];
  const codes = new Int32Array(total);
  let o = 0;
  for (const { v, rows } of parts) {
    if (v.kind !== 'dict') throw new Error('engine bug: concatDict on non-dictionary');
    const remap = new Int32Array(v.dict.length);
    for (let c = 0; c < v.dict.length; c++) {
      const s = v.dict[c]!;
      let to = index.get(s);
      if (to === undefined) {
        to = dict.length;
        index.set(s, to);
        dict.push(s);
      }
      remap[c] = to;
    }
    const s = selOf(rows);
    for (let k = 0; k < rows.count; k++) codes[o++] = remap[v.codes[s[k]!]!] ?? 0;
  }
  return { kind: 'dict', type: 'VARCHAR', codes, dict, nulls };
}
