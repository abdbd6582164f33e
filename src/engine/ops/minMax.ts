import type { SqlType } from '../../sql/plan.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import { buildVec } from '../buildVec.ts';
import { cmpScalar } from '../expr/coerce.ts';
import type { Scalar, Vec } from '../vec.ts';
import { scalarAt } from '../vec.ts';
import type { Accumulator } from './Accumulator.ts';
import { grow } from './Accumulator.ts';

/** MIN/MAX of INTEGER, DOUBLE, DATE, TIMESTAMP in doubles; NaN is the largest value (DuckDB). */
export class NumMinMax implements Accumulator {
  v = new Float64Array(0);
  has = new Uint8Array(0);
  constructor(
    readonly fn: 'min' | 'max',
    readonly type: SqlType,
  ) {}
  resize(n: number): void {
    this.v = grow(this.v, n);
    this.has = grow(this.has, n);
  }
  #put(gi: number, x: number): void {
    const cur = this.v[gi]!;
    const better =
      this.has[gi] === 0 ||
      (this.fn === 'min' ? x < cur || (cur !== cur && x === x) : x > cur || (x !== x && cur === cur));
    if (better) {
      this.v[gi] = x;
      this.has[gi] = 1;
    }
  }
  update(arg: Vec | null, r: Rows, g: Int32Array | null): void {
    if (!arg) return;
    const ss = selOf(r);
    if (arg.kind !== 'num') {
      for (let j = 0; j < r.count; j++) {
        const x = scalarAt(arg, ss[j]!);
        if (x !== null) this.#put(g === null ? 0 : g[ss[j]!]!, Number(x));
      }
      return;
    }
    const a = arg.v;
    const nulls = arg.nulls;
    for (let j = 0; j < r.count; j++) {
      const i = ss[j]!;
      if (nulls === null || nulls[i] === 0) this.#put(g === null ? 0 : g[i]!, a[i]!);
    }
  }
  merge(src: Accumulator, map: Int32Array): void {
    const o = src as NumMinMax;
    for (let j = 0; j < map.length; j++) if (map[j]! >= 0 && o.has[j] === 1) this.#put(map[j]!, o.v[j]!);
  }
  result(n: number): Vec {
    const nulls = new Uint8Array(n);
    let any = false;
    for (let gi = 0; gi < n; gi++)
      if (this.has[gi] === 0) {
        nulls[gi] = 1;
        any = true;
      }
    const v =
      this.type === 'INTEGER' || this.type === 'DATE'
        ? Int32Array.from(this.v.subarray(0, n))
        : this.v.slice(0, n);
    return { kind: 'num', type: this.type as 'DOUBLE', v, nulls: any ? nulls : null };
  }
  bytes(): number {
    return this.v.byteLength + this.has.byteLength;
  }
  fresh(): Accumulator {
    return new NumMinMax(this.fn, this.type);
  }
  state(n: number): Vec[] {
    return [this.result(n)];
  }
  /** MIN of MINs, MAX of MAXes: the states are plain values. */
  mergeState(state: readonly Vec[], r: Rows, g: Int32Array | null): void {
    this.update(state[0]!, r, g);
  }
}

/** MIN/MAX of VARCHAR (code point order), BOOLEAN and exact BIGINT, through scalars. */
export class ScalarMinMax implements Accumulator {
  v: Scalar[] = [];
  constructor(
    readonly fn: 'min' | 'max',
    readonly type: SqlType,
  ) {}
  resize(n: number): void {
    while (this.v.length < n) this.v.push(null);
  }
  #put(gi: number, x: Scalar): void {
    const cur = this.v[gi] ?? null;
    if (cur === null || (this.fn === 'min' ? cmpScalar(x, cur) < 0 : cmpScalar(x, cur) > 0)) this.v[gi] = x;
  }
  update(arg: Vec | null, r: Rows, g: Int32Array | null): void {
    if (!arg) return;
    const ss = selOf(r);
    if (arg.kind === 'dict' && g === null) {
      // Global MIN/MAX of a dictionary: compare each used entry once, not each row.
      const used = new Uint8Array(arg.dict.length);
      for (let j = 0; j < r.count; j++)
        if (arg.nulls === null || arg.nulls[ss[j]!] === 0) used[arg.codes[ss[j]!]!] = 1;
      for (let c = 0; c < used.length; c++) if (used[c] === 1) this.#put(0, arg.dict[c]!);
      return;
    }
    for (let j = 0; j < r.count; j++) {
      const i = ss[j]!;
      const x = scalarAt(arg, i);
      if (x !== null) this.#put(g === null ? 0 : g[i]!, x);
    }
  }
  merge(src: Accumulator, map: Int32Array): void {
    const o = src as ScalarMinMax;
    for (let j = 0; j < map.length; j++) {
      const x = o.v[j] ?? null;
      if (map[j]! >= 0 && x !== null) this.#put(map[j]!, x);
    }
  }
  result(n: number): Vec {
    return buildVec(this.type, this.v.slice(0, n));
  }
  bytes(): number {
    let b = this.v.length * 16;
    for (const x of this.v) if (typeof x === 'string') b += x.length * 2;
    return b;
  }
  fresh(): Accumulator {
    return new ScalarMinMax(this.fn, this.type);
  }
  state(n: number): Vec[] {
    return [this.result(n)];
  }
  mergeState(state: readonly Vec[], r: Rows, g: Int32Array | null): void {
    this.update(state[0]!, r, g);
  }
}
