import { accumulatorKind, aggArgType } from '../../sql/aggState.ts';
import type { Aggregate } from '../../sql/plan.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { Vec } from '../vec.ts';
import { scalarAt } from '../vec.ts';
import type { Accumulator } from './Accumulator.ts';
import { grow } from './Accumulator.ts';
import { DistinctAcc } from './DistinctAcc.ts';
import { IntSum } from './IntSum.ts';
import { NumMinMax, ScalarMinMax } from './minMax.ts';

export function makeAccumulator(agg: Aggregate): Accumulator {
  const argType = aggArgType(agg);
  const inner = base(agg);
  return agg.distinct && agg.fn !== 'min' && agg.fn !== 'max' ? new DistinctAcc(argType, inner) : inner;
}

function base(agg: Aggregate): Accumulator {
  const minMax = agg.fn === 'min' ? 'min' : 'max';
  switch (accumulatorKind(agg.fn, aggArgType(agg), agg.type)) {
    case 'count':
      return new Count();
    case 'double-sum':
      return new DoubleSum(false);
    case 'int-sum':
      return new IntSum(false, agg.type);
    case 'double-avg':
      return new DoubleSum(true);
    case 'int-avg':
      return new IntSum(true, 'DOUBLE');
    case 'scalar-minmax':
      return new ScalarMinMax(minMax, agg.type);
    case 'num-minmax':
      return new NumMinMax(minMax, agg.type);
  }
}

/** Calls `f(i, x)` for every selected row whose value is not NULL, x as a number (counts, sums). */
export function eachNumber(v: Vec, r: Rows, f: (i: number, x: number) => void): void {
  const ss = selOf(r);
  if (v.kind === 'num') {
    const a = v.v;
    const nulls = v.nulls;
    for (let j = 0; j < r.count; j++) {
      const i = ss[j]!;
      if (nulls === null || nulls[i] === 0) f(i, a[i]!);
    }
    return;
  }
  for (let j = 0; j < r.count; j++) {
    const i = ss[j]!;
    const x = scalarAt(v, i);
    if (x !== null) f(i, Number(x));
  }
}

/** COUNT(*) (arg null) and COUNT(x) (NULLs skipped). */
export class Count implements Accumulator {
  c = new Float64Array(0);
  resize(n: number): void {
    this.c = grow(this.c, n);
  }
  update(arg: Vec | null, r: Rows, g: Int32Array | null): void {
    const c = this.c;
    const nulls =
      arg === null ? null : arg.kind === 'const' ? (arg.value === null ? 'all' : null) : arg.nulls;
    if (nulls === 'all') return;
    const s = r.sel;
    if (g === null) {
      if (nulls === null) c[0]! += r.count;
      else {
        let k = 0;
        const ss = selOf(r);
        for (let j = 0; j < r.count; j++) k += nulls[ss[j]!]! ^ 1;
        c[0]! += k;
      }
      return;
    }
    if (nulls === null && s === null) for (let i = 0; i < r.n; i++) c[g[i]!]!++;
    else {
      const ss = selOf(r);
      for (let j = 0; j < r.count; j++) {
        const i = ss[j]!;
        if (nulls === null || nulls[i] === 0) c[g[i]!]!++;
      }
    }
  }
  merge(src: Accumulator, map: Int32Array): void {
    const from = (src as Count).c;
    for (let j = 0; j < map.length; j++) if (map[j]! >= 0) this.c[map[j]!]! += from[j]!;
  }
  result(n: number): Vec {
    return { kind: 'num', type: 'BIGINT', v: this.c.slice(0, n), nulls: null };
  }
  bytes(): number {
    return this.c.byteLength;
  }
  fresh(): Accumulator {
    return new Count();
  }
  state(n: number): Vec[] {
    return [this.result(n)];
  }
  /** COUNT → SUM of counts. */
  mergeState(state: readonly Vec[], r: Rows, g: Int32Array | null): void {
    const c = this.c;
    eachNumber(state[0]!, r, (i, x) => (c[g === null ? 0 : g[i]!]! += x));
  }
}

/** SUM/AVG of DOUBLE: plain double addition (DuckDB's sum is not compensated either). */
export class DoubleSum implements Accumulator {
  s = new Float64Array(0);
  c = new Float64Array(0);
  constructor(readonly avg: boolean) {}
  resize(n: number): void {
    this.s = grow(this.s, n);
    this.c = grow(this.c, n);
  }
  update(arg: Vec | null, r: Rows, g: Int32Array | null): void {
    if (!arg || (arg.kind === 'const' && arg.value === null)) return;
    const sums = this.s;
    const cnt = this.c;
    if (arg.kind !== 'num') {
      const ss = selOf(r);
      for (let j = 0; j < r.count; j++) {
        const i = ss[j]!;
        const x = scalarAt(arg, i);
        if (x === null) continue;
        const gi = g === null ? 0 : g[i]!;
        sums[gi]! += Number(x);
        cnt[gi]!++;
      }
      return;
    }
    const a = arg.v;
    const nulls = arg.nulls;
    const s = r.sel;
    if (g === null) {
      let acc = 0;
      let k = 0;
      if (nulls === null) {
        if (s === null) for (let i = 0; i < r.n; i++) acc += a[i]!;
        else for (let j = 0; j < r.count; j++) acc += a[s[j]!]!;
        k = r.count;
      } else {
        const ss = selOf(r);
        for (let j = 0; j < r.count; j++) {
          const i = ss[j]!;
          if (nulls[i] === 0) {
            acc += a[i]!;
            k++;
          }
        }
      }
      sums[0]! += acc;
      cnt[0]! += k;
      return;
    }
    if (nulls === null && s === null)
      for (let i = 0; i < r.n; i++) {
        const gi = g[i]!;
        sums[gi]! += a[i]!;
        cnt[gi]!++;
      }
    else {
      const ss = selOf(r);
      for (let j = 0; j < r.count; j++) {
        const i = ss[j]!;
        if (nulls !== null && nulls[i] === 1) continue;
        const gi = g[i]!;
        sums[gi]! += a[i]!;
        cnt[gi]!++;
      }
    }
  }
  merge(src: Accumulator, map: Int32Array): void {
    const o = src as DoubleSum;
    for (let j = 0; j < map.length; j++) {
      const t = map[j]!;
      if (t < 0) continue;
      this.s[t]! += o.s[j]!;
      this.c[t]! += o.c[j]!;
    }
  }
  result(n: number): Vec {
    const v = new Float64Array(n);
    const nulls = new Uint8Array(n);
    let any = false;
    for (let gi = 0; gi < n; gi++) {
      if (this.c[gi] === 0) {
        nulls[gi] = 1;
        any = true;
      } else v[gi] = this.avg ? this.s[gi]! / this.c[gi]! : this.s[gi]!;
    }
    return { kind: 'num', type: 'DOUBLE', v, nulls: any ? nulls : null };
  }
  bytes(): number {
    return this.s.byteLength * 2;
  }
  fresh(): Accumulator {
    return new DoubleSum(this.avg);
  }
  state(n: number): Vec[] {
    const sums = new Float64Array(n);
    const nulls = new Uint8Array(n);
    let any = false;
    for (let gi = 0; gi < n; gi++) {
      if (this.c[gi] === 0) {
        nulls[gi] = 1;
        any = true;
      } else sums[gi] = this.s[gi]!;
    }
    const sum: Vec = { kind: 'num', type: 'DOUBLE', v: sums, nulls: any ? nulls : null };
    if (!this.avg) return [sum];
    return [sum, { kind: 'num', type: 'BIGINT', v: this.c.slice(0, n), nulls: null }];
  }
  /** SUM → SUM of sums (NULL where no partial had a value); AVG → SUM of sums / SUM of counts. */
  mergeState(state: readonly Vec[], r: Rows, g: Int32Array | null): void {
    const s = this.s;
    const c = this.c;
    eachNumber(state[0]!, r, (i, x) => (s[g === null ? 0 : g[i]!]! += x));
    if (this.avg) eachNumber(state[1]!, r, (i, x) => (c[g === null ? 0 : g[i]!]! += x));
    else eachNumber(state[0]!, r, (i) => c[g === null ? 0 : g[i]!]!++);
  }
}
