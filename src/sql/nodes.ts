import type { Aggregate, Expr, Literal, OutputColumn, PlanNode, ScanNode, SortKey } from './plan.ts';
import type { Manifest } from '../storage/manifest.ts';

/**
 * Plan node constructors: each computes its output schema. Row estimates are filled in by the
 * estimate pass once the plan is final, so they start at 0.
 */
export function scan(m: Manifest, table: string): ScanNode {
  return {
    kind: 'scan',
    table,
    dataset: m.id,
    columns: m.schema.map((_, i) => i),
    schema: m.schema.map((c) => ({ name: c.name, type: c.type })),
    predicate: null,
    chunks: m.chunks.map((c) => ({ id: c.id, rows: c.rows })),
    totalChunks: m.chunks.length,
    estRows: 0,
  };
}

export function filter(input: PlanNode, predicate: Expr): PlanNode {
  return { kind: 'filter', input, predicate, schema: input.schema, estRows: 0 };
}

export function project(input: PlanNode, exprs: Expr[], names: string[]): PlanNode {
  const schema = exprs.map((e, i) => ({ name: names[i] ?? `#${i}`, type: e.type }));
  return { kind: 'project', input, exprs, schema, estRows: 0 };
}

export function aggregateNode(
  input: PlanNode,
  groups: Expr[],
  groupNames: string[],
  aggregates: Aggregate[],
): PlanNode {
  const schema: OutputColumn[] = [
    ...groups.map((g, i) => ({ name: groupNames[i] ?? `#${i}`, type: g.type })),
    ...aggregates.map((a) => ({ name: a.name, type: a.type })),
  ];
  return { kind: 'aggregate', input, groups, aggregates, schema, estRows: 0 };
}

export function join(
  joinType: 'inner' | 'left',
  left: PlanNode,
  right: PlanNode,
  leftKeys: Expr[],
  rightKeys: Expr[],
  residual: Expr | null,
): PlanNode {
  const schema = [...left.schema, ...right.schema];
  return { kind: 'join', joinType, left, right, leftKeys, rightKeys, residual, schema, estRows: 0 };
}

export function sort(input: PlanNode, keys: SortKey[]): PlanNode {
  return { kind: 'sort', input, keys, schema: input.schema, estRows: 0 };
}

export function limit(input: PlanNode, count: number | null, offset: number): PlanNode {
  return { kind: 'limit', input, limit: count, offset, schema: input.schema, estRows: 0 };
}

export function distinct(input: PlanNode): PlanNode {
  return { kind: 'distinct', input, schema: input.schema, estRows: 0 };
}

export function values(rows: Literal[][], schema: OutputColumn[]): PlanNode {
  return { kind: 'values', rows, schema, estRows: rows.length };
}

/** The inputs of a node, for passes that walk the tree. */
export function inputsOf(n: PlanNode): PlanNode[] {
  switch (n.kind) {
    case 'scan':
    case 'values':
      return [];
    case 'join':
      return [n.left, n.right];
    default:
      return [n.input];
  }
}
