import type { SqlType } from '../../sql/plan.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import { KeyEncoder } from '../KeyEncoder.ts';
import type { NumArray, Vec } from '../vec.ts';

/** Direct addressing is used when the build keys' range is at most this many slots per row… */
const DENSE_SLOTS_PER_ROW = 4;
/** …and at most this many slots overall (16 MiB of Int32). */
const DENSE_MAX = 1 << 22;

/**
 * The build side of a hash join: right rows chained by key (`first` row of a key, then `next`).
 * A single integer key with a compact range (ids, small codes, foreign keys) is addressed
 * directly by value, with no hashing at all; anything else goes through a KeyEncoder.
 * NULL keys are never inserted, so they never match.
 */
export class JoinTable {
  readonly next: Int32Array;
  /** No key has two build rows (a foreign-key join): each probe row matches at most once. */
  unique = true;
  #first: Int32Array;
  #dense: { min: number; size: number } | null = null;
  #enc: KeyEncoder | null = null;

  constructor(keys: readonly Vec[], types: readonly SqlType[], rows: number) {
    this.next = new Int32Array(rows).fill(-1);
    const all: Rows = { n: rows, sel: null, count: rows };
    const k0 = keys[0];
    const dense = keys.length === 1 && k0 ? denseRange(k0, rows) : null;
    let ids: ArrayLike<number>;
    if (dense && k0?.kind === 'num') {
      this.#dense = dense;
      const a = k0.v;
      const nulls = k0.nulls;
      const out = new Int32Array(rows);
      for (let i = 0; i < rows; i++) out[i] = nulls !== null && nulls[i] === 1 ? -1 : a[i]! - dense.min;
      ids = out;
      this.#first = new Int32Array(dense.size).fill(-1);
    } else {
      this.#enc = new KeyEncoder(types, false);
      ids = this.#enc.encode(keys, all, true);
      this.#first = new Int32Array(this.#enc.size).fill(-1);
    }
    // Chained back to front so each key's chain lists its rows in input order.
    for (let i = rows - 1; i >= 0; i--) {
      const g = ids[i]!;
      if (g >= 0) {
        if (this.#first[g]! >= 0) this.unique = false;
        this.next[i] = this.#first[g]!;
        this.#first[g] = i;
      }
    }
  }

  bytes(): number {
    return this.next.byteLength + this.#first.byteLength + (this.#enc?.bytes() ?? 0);
  }

  /** For each selected probe row, the first matching build row or -1 (indexed by physical row). */
  probe(keys: readonly Vec[], r: Rows): Int32Array {
    const out = new Int32Array(r.n);
    const s = selOf(r);
    const first = this.#first;
    const k0 = keys[0];
    if (this.#dense && k0?.kind === 'num') {
      const { min, size } = this.#dense;
      const a = k0.v;
      const nulls = k0.nulls;
      for (let j = 0; j < r.count; j++) {
        const i = s[j]!;
        const o = a[i]! - min;
        // Out of range, fractional (a DOUBLE key) and NaN all miss.
        out[i] =
          o >= 0 && o < size && o === Math.floor(o) && (nulls === null || nulls[i] === 0) ? first[o]! : -1;
      }
      return out;
    }
    let enc = this.#enc;
    if (!enc) {
      // A dense table probed with keys it cannot address directly (exact bigints, constants).
      enc = this.#enc = new KeyEncoder(['BIGINT'], false);
      const { min, size } = this.#dense!;
      const byId = new Int32Array(size).fill(-1);
      for (let o = 0; o < size; o++) if (first[o]! >= 0) byId[enc.idOf(o + min, true)] = first[o]!;
      this.#dense = null;
      this.#first = byId.slice(0, enc.size);
    }
    if (keys.length === 1 && k0?.kind === 'dict') {
      // A dictionary probe key is looked up once per dictionary entry, then mapped by code.
      const byCode = new Int32Array(k0.dict.length);
      for (let c = 0; c < byCode.length; c++) {
        const g = enc.idOf(k0.dict[c]!, false);
        byCode[c] = g >= 0 ? this.#first[g]! : -1;
      }
      const codes = k0.codes;
      const nulls = k0.nulls;
      for (let j = 0; j < r.count; j++) {
        const i = s[j]!;
        out[i] = nulls !== null && nulls[i] === 1 ? -1 : byCode[codes[i]!]!;
      }
      return out;
    }
    const ids = enc.encode(keys, r, false);
    for (let j = 0; j < r.count; j++) {
      const i = s[j]!;
      const g = ids[i]!;
      out[i] = g >= 0 ? this.#first[g]! : -1;
    }
    return out;
  }
}

/** The [min, min + size) range of an integer key column when direct addressing pays off. */
function denseRange(v: Vec, rows: number): { min: number; size: number } | null {
  if (v.kind !== 'num' || v.type === 'DOUBLE' || v.type === 'TIMESTAMP' || rows === 0) return null;
  const a: NumArray = v.v;
  const nulls = v.nulls;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < rows; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const x = a[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (lo === Infinity) return null;
  const size = hi - lo + 1;
  return size <= DENSE_MAX && size <= rows * DENSE_SLOTS_PER_ROW + 1024 ? { min: lo, size } : null;
}
