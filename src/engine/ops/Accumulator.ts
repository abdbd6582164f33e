import { SqlError } from '../../sql/SqlError.ts';
import type { Rows } from '../Batch.ts';
import type { Vec } from '../vec.ts';
import { INT64_MAX, INT64_MIN } from '../vec.ts';

/**
 * Per-group aggregate state in typed arrays indexed by group id. `g` maps a physical row to its
 * group (null: one global group, the fast path for aggregates without GROUP BY). `merge` folds
 * another accumulator's groups in, for the dictionary path that aggregates per code and then maps
 * codes to groups (and, later, for merging partial aggregates from other tabs).
 */
export interface Accumulator {
  resize(groups: number): void;
  update(arg: Vec | null, r: Rows, g: Int32Array | null): void;
  merge(src: Accumulator, map: Int32Array): void;
  result(groups: number): Vec;
  bytes(): number;
  /** A fresh accumulator of the same kind (the per-batch local state of the dictionary path). */
  fresh(): Accumulator;
  /**
   * Partial phase of a distributed aggregate: the state of groups 0..n-1 as columns, in the order
   * and types of `aggStateTypes` (src/sql/aggState.ts).
   */
  state(groups: number): Vec[];
  /** Final phase: folds partial states (one per input row, columns as {@link state} makes them) into groups. */
  mergeState(state: readonly Vec[], r: Rows, g: Int32Array | null): void;
}

export function grow<T extends Float64Array | Uint8Array>(a: T, n: number): T {
  if (a.length >= n) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2, 16));
  b.set(a);
  return b;
}

/** int64 range check of an exact sum (DuckDB would widen to HUGEINT; the plan asks for BIGINT). */
export function checkInt64(x: bigint): bigint {
  if (x < INT64_MIN || x > INT64_MAX)
    throw new SqlError(
      'OVERFLOW',
      `SUM is out of BIGINT range (${x}); DuckDB would return a HUGEINT here, cast the argument to DOUBLE for an approximate sum`,
    );
  return x;
}
