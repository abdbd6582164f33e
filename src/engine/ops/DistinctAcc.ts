import type { SqlType } from '../../sql/plan.ts';
import type { Rows } from '../Batch.ts';
import { selOf } from '../Batch.ts';
import { KeyEncoder } from '../KeyEncoder.ts';
import type { Vec } from '../vec.ts';
import type { Accumulator } from './Accumulator.ts';

/** COUNT/SUM/AVG(DISTINCT x): feeds the inner accumulator only the first row of each (group, x). */
export class DistinctAcc implements Accumulator {
  readonly #seen: KeyEncoder;
  constructor(
    argType: SqlType,
    readonly inner: Accumulator,
  ) {
    this.#seen = new KeyEncoder(['INTEGER', argType], false);
  }
  resize(n: number): void {
    this.inner.resize(n);
  }
  update(arg: Vec | null, r: Rows, g: Int32Array | null): void {
    if (!arg) return;
    const gv: Vec =
      g === null
        ? { kind: 'const', type: 'INTEGER', value: 0 }
        : { kind: 'num', type: 'INTEGER', v: g, nulls: null };
    let next = this.#seen.size;
    const ids = this.#seen.encode([gv, arg], r, true);
    const ss = selOf(r);
    const first = new Uint32Array(r.count);
    let k = 0;
    for (let j = 0; j < r.count; j++) {
      const i = ss[j]!;
      if (ids[i] === next) {
        first[k++] = i;
        next++;
      }
    }
    this.inner.update(arg, { n: r.n, sel: first, count: k }, g);
  }
  merge(): void {
    throw new Error('engine bug: DISTINCT aggregates take the generic path');
  }
  result(n: number): Vec {
    return this.inner.result(n);
  }
  bytes(): number {
    return this.inner.bytes() + this.#seen.bytes();
  }
  fresh(): Accumulator {
    throw new Error('engine bug: DISTINCT aggregates take the generic path');
  }
  state(): Vec[] {
    throw new Error(
      'engine bug: DISTINCT aggregates have no partial state (the planner groups by the argument)',
    );
  }
  mergeState(): void {
    throw new Error(
      'engine bug: DISTINCT aggregates have no partial state (the planner groups by the argument)',
    );
  }
}
