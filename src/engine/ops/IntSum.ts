import type { SqlType } from '../../sql/plan.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import type { Vec } from '../vec.ts';
import { buildVec } from '../buildVec.ts';
import type { Scalar } from '../vec.ts';
import { bigScalar, scalarAt } from '../vec.ts';
import type { Accumulator } from './Accumulator.ts';
import { checkInt64, grow } from './Accumulator.ts';

/**
 * Above this a partial double sum is moved into an exact bigint: with |sum| ≤ 2^52 and each addend
 * ≤ 2^52, every double addition is exact, so integer sums never lose a unit and BigInt is only
 * touched about once per 2^21 INTEGER rows per group.
 */
const SPILL = 2 ** 52;

/** SUM and AVG of INTEGER/BIGINT, exact: doubles while small, BigInt beyond. */
export class IntSum implements Accumulator {
  f = new Float64Array(0);
  c = new Float64Array(0);
  big: (bigint | undefined)[] | null = null;

  constructor(
    readonly avg: boolean,
    readonly type: SqlType,
  ) {}

  resize(n: number): void {
    this.f = grow(this.f, n);
    this.c = grow(this.c, n);
  }

  #spill(gi: number, x: number | bigint): void {
    this.big ??= [];
    this.big[gi] = (this.big[gi] ?? 0n) + (typeof x === 'bigint' ? x : BigInt(x));
  }

  update(arg: Vec | null, r: Rows, g: Int32Array | null): void {
    if (!arg || (arg.kind === 'const' && arg.value === null)) return;
    const f = this.f;
    const c = this.c;
    const ss = selOf(r);
    if (arg.kind !== 'num') {
      for (let j = 0; j < r.count; j++) {
        const i = ss[j]!;
        const x = scalarAt(arg, i);
        if (x === null) continue;
        const gi = g === null ? 0 : g[i]!;
        this.#add(gi, typeof x === 'bigint' ? x : Number(x));
        c[gi]!++;
      }
      return;
    }
    const a = arg.v;
    const nulls = arg.nulls;
    if (g === null) {
      let s = f[0]!;
      let k = 0;
      for (let j = 0; j < r.count; j++) {
        const i = ss[j]!;
        if (nulls !== null && nulls[i] === 1) continue;
        const x = a[i]!;
        k++;
        if (x > SPILL || x < -SPILL) {
          this.#spill(0, x);
          continue;
        }
        s += x;
        if (s > SPILL || s < -SPILL) {
          this.#spill(0, s);
          s = 0;
        }
      }
      f[0] = s;
      c[0]! += k;
      return;
    }
    for (let j = 0; j < r.count; j++) {
      const i = ss[j]!;
      if (nulls !== null && nulls[i] === 1) continue;
      const gi = g[i]!;
      const x = a[i]!;
      c[gi]!++;
      if (x > SPILL || x < -SPILL) {
        this.#spill(gi, x);
        continue;
      }
      const s = f[gi]! + x;
      if (s > SPILL || s < -SPILL) {
        this.#spill(gi, s);
        f[gi] = 0;
      } else f[gi] = s;
    }
  }

  #add(gi: number, x: number | bigint): void {
    if (typeof x === 'bigint' || x > SPILL || x < -SPILL) {
      this.#spill(gi, x);
      return;
    }
    const s = this.f[gi]! + x;
    if (s > SPILL || s < -SPILL) {
      this.#spill(gi, s);
      this.f[gi] = 0;
    } else this.f[gi] = s;
  }

  merge(src: Accumulator, map: Int32Array): void {
    const o = src as IntSum;
    for (let j = 0; j < map.length; j++) {
      const t = map[j]!;
      if (t < 0 || o.c[j] === 0) continue;
      this.c[t]! += o.c[j]!;
      this.#add(t, o.f[j]!);
      const b = o.big?.[j];
      if (b !== undefined) this.#spill(t, b);
    }
  }

  /** The exact sum of group gi. */
  total(gi: number): number | bigint {
    const b = this.big?.[gi];
    return b === undefined ? this.f[gi]! : b + BigInt(this.f[gi]!);
  }

  result(n: number): Vec {
    const nulls = new Uint8Array(n);
    let any = false;
    let exact = false;
    const v = new Float64Array(n);
    const bigs = new Array<bigint | number>(n);
    for (let gi = 0; gi < n; gi++) {
      if (this.c[gi] === 0) {
        nulls[gi] = 1;
        any = true;
        bigs[gi] = 0;
        continue;
      }
      const t = this.total(gi);
      if (this.avg) v[gi] = Number(t) / this.c[gi]!;
      else {
        const x = typeof t === 'bigint' ? bigScalar(checkInt64(t)) : t;
        bigs[gi] = x;
        v[gi] = Number(x);
        if (typeof x === 'bigint') exact = true;
      }
    }
    const outNulls = any ? nulls : null;
    if (this.avg || this.type === 'DOUBLE') return { kind: 'num', type: 'DOUBLE', v, nulls: outNulls };
    if (!exact) return { kind: 'num', type: 'BIGINT', v, nulls: outNulls };
    return { kind: 'big', type: 'BIGINT', v: BigInt64Array.from(bigs, (x) => BigInt(x)), nulls: outNulls };
  }

  bytes(): number {
    return this.f.byteLength * 2 + (this.big ? this.big.length * 24 : 0);
  }

  fresh(): Accumulator {
    return new IntSum(this.avg, this.type);
  }

  /** [lo, hi] (+ count for AVG): the exact sum as lo + hi·2^64, NULL for groups without values. */
  state(n: number): Vec[] {
    const lo: Scalar[] = new Array<Scalar>(n);
    const hi: Scalar[] = new Array<Scalar>(n);
    for (let gi = 0; gi < n; gi++) {
      if (this.c[gi] === 0) {
        lo[gi] = hi[gi] = null;
        continue;
      }
      const t = this.total(gi);
      if (typeof t === 'number') {
        lo[gi] = t;
        hi[gi] = 0;
      } else {
        const low = BigInt.asIntN(64, t);
        lo[gi] = bigScalar(low);
        hi[gi] = bigScalar((t - low) >> 64n);
      }
    }
    const out = [buildVec('BIGINT', lo), buildVec('BIGINT', hi)];
    if (this.avg) out.push({ kind: 'num', type: 'BIGINT', v: this.c.slice(0, n), nulls: null });
    return out;
  }

  mergeState(state: readonly Vec[], r: Rows, g: Int32Array | null): void {
    const [lo, hi, count] = state as [Vec, Vec, Vec | undefined];
    const ss = selOf(r);
    for (let j = 0; j < r.count; j++) {
      const i = ss[j]!;
      const l = scalarAt(lo, i);
      if (l === null) continue;
      const gi = g === null ? 0 : g[i]!;
      this.#add(gi, typeof l === 'bigint' ? l : Number(l));
      const h = scalarAt(hi, i);
      if (h !== null && h !== 0) this.#spill(gi, BigInt(h) << 64n);
      this.c[gi]! += this.avg && count ? Number(scalarAt(count, i) ?? 0) : 1;
    }
  }
}
