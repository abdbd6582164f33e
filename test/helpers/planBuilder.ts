import type {
  AggFn,
  Aggregate,
  Expr,
  Literal,
  OutputColumn,
  PlanNode,
  ScalarFn,
  ScanNode,
  SortKey,
  SqlType,
} from '../../src/sql/plan.ts';
import type { Dataset } from './engineData.ts';
import { datasetId } from './engineData.ts';

/**
 * A tiny DSL for writing engine plans by hand in tests (the SQL front end is tested on its own).
 * Result types of calls follow DuckDB's rules for the cases the tests use.
 */
export function scan(ds: Dataset, names?: string[], predicate?: (n: PlanNode) => Expr): ScanNode {
  const cols = (names ?? ds.schema.map((c) => c.name)).map((name) => {
    const idx = ds.schema.findIndex((c) => c.name === name);
    if (idx < 0) throw new Error(`no column ${name}`);
    return idx;
  });
  const node: ScanNode = {
    kind: 'scan',
    table: ds.name,
    dataset: datasetId(ds.name),
    columns: cols,
    schema: cols.map((i) => ({ name: ds.schema[i]!.name, type: ds.schema[i]!.type })),
    predicate: null,
    chunks: ds.chunks,
    totalChunks: ds.chunks.length,
    estRows: ds.rows.length,
  };
  if (predicate) node.predicate = predicate(node);
  return node;
}

/** Column `name` (or the index-th column) of a node's output. */
export function col(node: PlanNode, name: string | number): Expr {
  const index = typeof name === 'number' ? name : node.schema.findIndex((c) => c.name === name);
  const c = node.schema[index];
  if (!c) throw new Error(`no column ${name}`);
  return { kind: 'column', index, type: c.type, name: c.name };
}

export function lit(value: Literal | bigint, type?: SqlType): Expr {
  if (typeof value === 'bigint') return { kind: 'literal', value: String(value), type: 'BIGINT' };
  const t: SqlType =
    type ??
    (value === null
      ? 'NULL'
      : typeof value === 'string'
        ? 'VARCHAR'
        : typeof value === 'boolean'
          ? 'BOOLEAN'
          : Number.isInteger(value) && Math.abs(value) < 2 ** 31
            ? 'INTEGER'
            : 'DOUBLE');
  return { kind: 'literal', value, type: t };
}

const BOOL_FNS = new Set<ScalarFn>([
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'and',
  'or',
  'not',
  'is_null',
  'is_not_null',
  'like',
  'ilike',
  'not_like',
  'not_ilike',
]);

function numeric(types: SqlType[]): SqlType {
  if (types.includes('DOUBLE')) return 'DOUBLE';
  if (types.includes('BIGINT')) return 'BIGINT';
  if (types.includes('INTEGER')) return 'INTEGER';
  return types.find((t) => t !== 'NULL') ?? 'INTEGER';
}

export function call(fn: ScalarFn, ...args: Expr[]): Expr {
  return { kind: 'call', fn, args, type: resultType(fn, args) };
}

/** A call with an explicit result type. */
export function callT(fn: ScalarFn, type: SqlType, ...args: Expr[]): Expr {
  return { kind: 'call', fn, args, type };
}

function resultType(fn: ScalarFn, args: Expr[]): SqlType {
  const types = args.map((a) => a.type);
  if (BOOL_FNS.has(fn)) return 'BOOLEAN';
  switch (fn) {
    case 'divide':
      return 'DOUBLE';
    case 'add':
    case 'subtract':
      if (types[0] === 'DATE' && types[1] === 'DATE') return 'BIGINT';
      if (types.includes('DATE')) return 'DATE';
      return numeric(types);
    case 'multiply':
    case 'modulo':
      return numeric(types);
    case 'negate':
    case 'abs':
    case 'round':
      return types[0]!;
    case 'floor':
    case 'ceil':
      return 'DOUBLE';
    case 'lower':
    case 'upper':
    case 'trim':
    case 'substr':
      return 'VARCHAR';
    case 'length':
      return 'BIGINT';
    case 'coalesce':
      return types.every((t) => t === 'VARCHAR' || t === 'NULL') ? 'VARCHAR' : numeric(types);
    case 'date_trunc':
      return 'TIMESTAMP';
    case 'date_part': {
      const part = args[0]?.kind === 'literal' ? args[0].value : null;
      return part === 'epoch' ? 'DOUBLE' : 'BIGINT';
    }
    default:
      return 'BOOLEAN';
  }
}

export function cast(arg: Expr, type: SqlType): Expr {
  return { kind: 'cast', arg, type };
}

export function inList(arg: Expr, list: Expr[], negated = false): Expr {
  return { kind: 'in', arg, list, negated, type: 'BOOLEAN' };
}

export function caseWhen(whens: [Expr, Expr][], otherwise: Expr | null, type: SqlType): Expr {
  return { kind: 'case', whens: whens.map(([when, then]) => ({ when, then })), else: otherwise, type };
}

export function filter(input: PlanNode, predicate: (n: PlanNode) => Expr): PlanNode {
  return { kind: 'filter', input, predicate: predicate(input), schema: input.schema, estRows: input.estRows };
}

export function project(input: PlanNode, exprs: (n: PlanNode) => Record<string, Expr>): PlanNode {
  const named = Object.entries(exprs(input));
  return {
    kind: 'project',
    input,
    exprs: named.map(([, e]) => e),
    schema: named.map(([name, e]) => ({ name, type: e.type })),
    estRows: input.estRows,
  };
}

export type AggSpec = [fn: AggFn, arg?: Expr, distinct?: boolean];

export function aggregate(
  input: PlanNode,
  groups: (n: PlanNode) => Record<string, Expr>,
  aggs: (n: PlanNode) => Record<string, AggSpec>,
): PlanNode {
  const g = Object.entries(groups(input));
  const a: Aggregate[] = Object.entries(aggs(input)).map(([name, [fn, arg, distinct]]) => ({
    fn,
    arg,
    distinct: distinct ?? false,
    name,
    type: aggType(fn, arg),
  }));
  const schema: OutputColumn[] = [
    ...g.map(([name, e]) => ({ name, type: e.type })),
    ...a.map((x) => ({ name: x.name, type: x.type })),
  ];
  return { kind: 'aggregate', input, groups: g.map(([, e]) => e), aggregates: a, schema, estRows: 1 };
}

function aggType(fn: AggFn, arg?: Expr): SqlType {
  if (fn === 'count' || fn === 'count_star') return 'BIGINT';
  if (fn === 'avg') return 'DOUBLE';
  if (fn === 'sum') return arg?.type === 'DOUBLE' ? 'DOUBLE' : 'BIGINT';
  return arg?.type ?? 'NULL';
}

export type KeySpec = [expr: Expr, desc?: boolean, nullsFirst?: boolean];

function sortKeys(keys: KeySpec[]): SortKey[] {
  return keys.map(([expr, desc, nullsFirst]) => ({
    expr,
    desc: desc ?? false,
    nullsFirst: nullsFirst ?? false,
  }));
}

export function sort(input: PlanNode, keys: (n: PlanNode) => KeySpec[]): PlanNode {
  return { kind: 'sort', input, keys: sortKeys(keys(input)), schema: input.schema, estRows: input.estRows };
}

export function topn(input: PlanNode, keys: (n: PlanNode) => KeySpec[], limit: number, offset = 0): PlanNode {
  return {
    kind: 'topn',
    input,
    keys: sortKeys(keys(input)),
    limit,
    offset,
    schema: input.schema,
    estRows: limit,
  };
}

export function limit(input: PlanNode, limit: number | null, offset = 0): PlanNode {
  return { kind: 'limit', input, limit, offset, schema: input.schema, estRows: limit ?? input.estRows };
}

export function distinct(input: PlanNode): PlanNode {
  return { kind: 'distinct', input, schema: input.schema, estRows: input.estRows };
}

export function join(
  joinType: 'inner' | 'left',
  left: PlanNode,
  right: PlanNode,
  keys: [string, string][],
  residual?: (n: PlanNode) => Expr,
): PlanNode {
  const schema = [...left.schema, ...right.schema];
  const node: PlanNode = {
    kind: 'join',
    joinType,
    left,
    right,
    leftKeys: keys.map(([l]) => col(left, l)),
    rightKeys: keys.map(([, r]) => col(right, r)),
    residual: null,
    schema,
    estRows: left.estRows,
  };
  if (residual) node.residual = residual(node);
  return node;
}

export function values(rows: Literal[][], schema: OutputColumn[]): PlanNode {
  return { kind: 'values', rows, schema, estRows: rows.length };
}
