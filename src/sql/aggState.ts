import type { AggFn, Aggregate, Expr, OutputColumn, SqlType } from './plan.ts';

/**
 * Which accumulator an aggregate uses, from its function, argument type and result type. The
 * engine (src/engine/ops/accumulators.ts) builds accumulators from it, and the distributed
 * planner derives the partial state's columns from it, so the two can never disagree.
 */
export type AccumulatorKind =
  'count' | 'double-sum' | 'int-sum' | 'double-avg' | 'int-avg' | 'num-minmax' | 'scalar-minmax';

export function accumulatorKind(fn: AggFn, argType: SqlType, type: SqlType): AccumulatorKind {
  switch (fn) {
    case 'count_star':
    case 'count':
      return 'count';
    case 'sum':
      return argType === 'DOUBLE' || type === 'DOUBLE' ? 'double-sum' : 'int-sum';
    case 'avg':
      return argType === 'DOUBLE' ? 'double-avg' : 'int-avg';
    case 'min':
    case 'max':
      return argType === 'VARCHAR' || argType === 'BOOLEAN' || argType === 'BIGINT' || argType === 'NULL'
        ? 'scalar-minmax'
        : 'num-minmax';
  }
}

/** The argument type of an aggregate in either phase (`argType` in the final phase). */
export function aggArgType(a: Aggregate): SqlType {
  return a.phase === 'final' ? (a.argType ?? 'NULL') : (a.arg?.type ?? 'NULL');
}

/**
 * The columns of an aggregate's partial state, in order:
 * - COUNT: the count (BIGINT);
 * - SUM of DOUBLE: the sum, NULL for a group without values;
 * - SUM of integers: the exact sum as `lo` = its value modulo 2^64 (signed) and `hi` = the rest
 *   divided by 2^64, both BIGINT, NULL without values. A partial sum may leave int64 where the
 *   total does not (DuckDB sums into HUGEINT), so only the final phase checks the range;
 * - AVG of DOUBLE: sum (DOUBLE), count (BIGINT); AVG of integers: lo, hi, count;
 * - MIN/MAX: the value (the aggregate's type), NULL without values.
 */
export function aggStateTypes(a: Pick<Aggregate, 'fn' | 'type'>, argType: SqlType): SqlType[] {
  switch (accumulatorKind(a.fn, argType, a.type)) {
    case 'count':
      return ['BIGINT'];
    case 'double-sum':
      return ['DOUBLE'];
    case 'int-sum':
      return ['BIGINT', 'BIGINT'];
    case 'double-avg':
      return ['DOUBLE', 'BIGINT'];
    case 'int-avg':
      return ['BIGINT', 'BIGINT', 'BIGINT'];
    case 'num-minmax':
    case 'scalar-minmax':
      return [a.type];
  }
}

/**
 * The output schema of an aggregate node: group columns, then per aggregate its value, or in the
 * partial phase its state columns (named `name`, `name#1`, …). Shared by the distributed planner
 * and the fragment decoder, which derives schemas instead of trusting them.
 */
export function aggregateSchema(
  groups: readonly Expr[],
  groupNames: readonly string[],
  aggregates: readonly Aggregate[],
): OutputColumn[] {
  return [
    ...groups.map((g, i) => ({ name: groupNames[i] ?? `#${i}`, type: g.type })),
    ...aggregates.flatMap((a) =>
      a.phase === 'partial'
        ? aggStateTypes(a, aggArgType(a)).map((type, k) => ({
            name: k === 0 ? a.name : `${a.name}#${k}`,
            type,
          }))
        : [{ name: a.name, type: a.type }],
    ),
  ];
}
