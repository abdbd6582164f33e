import type { SqlType } from '../../sql/plan.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { Scalar, Vec } from '../vec.ts';
import { nullConst, scalarAt } from '../vec.ts';

/**
 * Writes scalars at physical rows into a vector of one SQL type: the generic, row-at-a-time path
 * for functions that are not worth a typed kernel (date parts with odd units, substr, casts
 * from strings). BIGINT starts as doubles and switches to exact bigints on the first unsafe value.
 */
export class VecWriter {
  readonly #type: SqlType;
  readonly #n: number;
  #num: Int32Array | Float64Array | undefined;
  #big: BigInt64Array | undefined;
  #bool: Uint8Array | undefined;
  #str: string[] | undefined;
  #nulls: Uint8Array | null = null;

  constructor(type: SqlType, n: number) {
    this.#type = type;
    this.#n = n;
    if (type === 'INTEGER' || type === 'DATE') this.#num = new Int32Array(n);
    else if (type === 'DOUBLE' || type === 'TIMESTAMP' || type === 'BIGINT') this.#num = new Float64Array(n);
    else if (type === 'BOOLEAN') this.#bool = new Uint8Array(n);
    else if (type === 'VARCHAR') this.#str = new Array<string>(n);
  }

  set(i: number, x: Scalar): void {
    if (x === null) {
      this.#nulls ??= new Uint8Array(this.#n);
      this.#nulls[i] = 1;
      return;
    }
    if (this.#nulls !== null) this.#nulls[i] = 0;
    if (this.#num) {
      if (typeof x === 'bigint') {
        this.#toBig();
        this.#big![i] = x;
      } else this.#num[i] = Number(x);
    } else if (this.#big) this.#big[i] = typeof x === 'bigint' ? x : BigInt(x);
    else if (this.#bool) this.#bool[i] = x ? 1 : 0;
    else if (this.#str) this.#str[i] = String(x);
  }

  /** Copies `src`'s values at the rows of `r` (typed fast paths for matching representations). */
  copyFrom(src: Vec, r: Rows): void {
    const s = selOf(r);
    const m = r.count;
    const sn = src.kind === 'const' ? null : src.nulls;
    if (
      src.kind === 'num' &&
      this.#num &&
      (this.#num instanceof Float64Array || src.v instanceof Int32Array)
    ) {
      const out = this.#num;
      const v = src.v;
      for (let k = 0; k < m; k++) out[s[k]!] = v[s[k]!]!;
    } else if (src.kind === 'bool' && this.#bool) {
      const out = this.#bool;
      for (let k = 0; k < m; k++) out[s[k]!] = src.v[s[k]!]!;
    } else if ((src.kind === 'str' || src.kind === 'dict') && this.#str) {
      const out = this.#str;
      if (src.kind === 'str') for (let k = 0; k < m; k++) out[s[k]!] = src.v[s[k]!]!;
      else for (let k = 0; k < m; k++) out[s[k]!] = src.dict[src.codes[s[k]!]!]!;
    } else {
      for (let k = 0; k < m; k++) this.set(s[k]!, scalarAt(src, s[k]!));
      return;
    }
    // Rows written before (a CASE branch, an earlier COALESCE argument) may be marked NULL.
    const nulls = this.#nulls;
    if (nulls !== null) for (let k = 0; k < m; k++) nulls[s[k]!] = 0;
    if (sn !== null)
      for (let k = 0; k < m; k++) {
        const i = s[k]!;
        if (sn[i] === 1) this.set(i, null);
      }
  }

  /** Marks the rows of `r` NULL. */
  setNull(r: Rows): void {
    const s = selOf(r);
    for (let k = 0; k < r.count; k++) this.set(s[k]!, null);
  }

  #toBig(): void {
    const num = this.#num!;
    this.#big = new BigInt64Array(this.#n);
    for (let i = 0; i < this.#n; i++) {
      const x = num[i]!;
      this.#big[i] = Number.isInteger(x) ? BigInt(x) : 0n;
    }
    this.#num = undefined;
  }

  finish(): Vec {
    const nulls = this.#nulls;
    const t = this.#type;
    if (this.#num) return { kind: 'num', type: t as 'INTEGER', v: this.#num, nulls };
    if (this.#big) return { kind: 'big', type: 'BIGINT', v: this.#big, nulls };
    if (this.#bool) return { kind: 'bool', type: 'BOOLEAN', v: this.#bool, nulls };
    if (this.#str) return { kind: 'str', type: 'VARCHAR', v: this.#str, nulls };
    return nullConst(t);
  }
}

/**
 * Applies a scalar function row by row over the selected rows. NULL in any argument gives NULL
 * unless `nullSafe`. All-constant arguments give a constant.
 */
export function mapScalar(
  args: readonly Vec[],
  r: Rows,
  type: SqlType,
  f: (...xs: Scalar[]) => Scalar,
  nullSafe = false,
): Vec {
  if (args.every((a) => a.kind === 'const')) {
    const xs = args.map((a) => (a.kind === 'const' ? a.value : null));
    return { kind: 'const', type, value: !nullSafe && xs.includes(null) ? null : f(...xs) };
  }
  const w = new VecWriter(type, r.n);
  const s = selOf(r);
  const xs = new Array<Scalar>(args.length);
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    let anyNull = false;
    for (let j = 0; j < args.length; j++) {
      const x = scalarAt(args[j]!, i);
      if (x === null) anyNull = true;
      xs[j] = x;
    }
    w.set(i, anyNull && !nullSafe ? null : f(...xs));
  }
  return w.finish();
}

/**
 * Applies a string function to a VARCHAR vector. On a dictionary it runs once per dictionary
 * entry actually referenced by a selected row (lazily, so an entry that would fail a cast only
 * fails if a live row uses it); a VARCHAR result stays a dictionary over the same codes.
 */
export function mapString(v: Vec, r: Rows, type: SqlType, f: (s: string) => Scalar): Vec {
  if (v.kind === 'const') return { kind: 'const', type, value: v.value === null ? null : f(String(v.value)) };
  if (v.kind === 'dict') {
    // Filled, not sparse: map() below skips holes.
    const memo = new Array<Scalar | undefined>(v.dict.length).fill(undefined);
    const s = selOf(r);
    const nulls = v.nulls;
    for (let k = 0; k < r.count; k++) {
      const i = s[k]!;
      if (nulls !== null && nulls[i] === 1) continue;
      const c = v.codes[i]!;
      if (memo[c] === undefined) memo[c] = f(v.dict[c]!);
    }
    if (type === 'VARCHAR' && memo.every((x) => x !== null)) {
      const dict = memo.map((x) => (x === undefined ? '' : String(x)));
      return { kind: 'dict', type: 'VARCHAR', codes: v.codes, dict, nulls };
    }
    const w = new VecWriter(type, r.n);
    for (let k = 0; k < r.count; k++) {
      const i = s[k]!;
      w.set(i, nulls !== null && nulls[i] === 1 ? null : memo[v.codes[i]!]!);
    }
    return w.finish();
  }
  if (v.kind !== 'str') throw new Error(`engine bug: string function on ${v.type}`);
  const w = new VecWriter(type, r.n);
  const s = selOf(r);
  for (let k = 0; k < r.count; k++) {
    const i = s[k]!;
    w.set(i, v.nulls !== null && v.nulls[i] === 1 ? null : f(v.v[i]!));
  }
  return w.finish();
}
