import { columnsOf, mapColumns } from './exprUtil.ts';
import type { Expr, PlanNode } from './plan.ts';

/** A pruned node and where each old output column went (-1: dropped). */
interface Pruned {
  node: PlanNode;
  map: number[];
}

/**
 * Projection pushdown: each node keeps only the columns something above it reads, so scans
 * decode only the needed columns. Aggregates, joins and DISTINCT keep what their semantics
 * need (all grouping keys, join keys, every column DISTINCT compares).
 */
export function pruneColumns(root: PlanNode): PlanNode {
  return prune(root, allOf(root)).node;
}

const allOf = (n: PlanNode) => new Set(n.schema.map((_, i) => i));

function remap(e: Expr, map: number[]): Expr {
  return mapColumns(e, (c) => ({ ...c, index: map[c.index]! }));
}

function needs(required: Set<number>, exprs: (Expr | null | undefined)[]): Set<number> {
  const out = new Set(required);
  for (const e of exprs) if (e) columnsOf(e, out);
  return out;
}

function identity(n: PlanNode): Pruned {
  return { node: n, map: n.schema.map((_, i) => i) };
}

function prune(n: PlanNode, required: Set<number>): Pruned {
  switch (n.kind) {
    case 'scan': {
      const keep = [...needs(required, [n.predicate])].sort((a, b) => a - b);
      const map = n.schema.map((_, i) => keep.indexOf(i));
      const node = {
        ...n,
        columns: keep.map((i) => n.columns[i]!),
        schema: keep.map((i) => n.schema[i]!),
        predicate: n.predicate && remap(n.predicate, map),
      };
      return { node, map };
    }
    case 'values':
      return identity(n);
    case 'filter': {
      const c = prune(n.input, needs(required, [n.predicate]));
      return {
        node: { ...n, input: c.node, predicate: remap(n.predicate, c.map), schema: c.node.schema },
        map: c.map,
      };
    }
    case 'project': {
      const keep = [...required].sort((a, b) => a - b);
      const c = prune(
        n.input,
        needs(
          new Set(),
          keep.map((i) => n.exprs[i]),
        ),
      );
      const exprs = keep.map((i) => remap(n.exprs[i]!, c.map));
      const node = { ...n, input: c.node, exprs, schema: keep.map((i) => n.schema[i]!) };
      return { node, map: n.schema.map((_, i) => keep.indexOf(i)) };
    }
    case 'aggregate': {
      const c = prune(n.input, needs(new Set(), [...n.groups, ...n.aggregates.map((a) => a.arg)]));
      const node = {
        ...n,
        input: c.node,
        groups: n.groups.map((g) => remap(g, c.map)),
        aggregates: n.aggregates.map((a) => (a.arg ? { ...a, arg: remap(a.arg, c.map) } : a)),
      };
      return identity(node);
    }
    case 'join': {
      const width = n.left.schema.length;
      const all = needs(required, [n.residual]);
      const leftNeed = needs(new Set([...all].filter((i) => i < width)), n.leftKeys);
      const rightNeed = needs(new Set([...all].filter((i) => i >= width).map((i) => i - width)), n.rightKeys);
      const l = prune(n.left, leftNeed);
      const r = prune(n.right, rightNeed);
      const newWidth = l.node.schema.length;
      const map = [...l.map, ...r.map.map((j) => (j < 0 ? -1 : j + newWidth))];
      const node = {
        ...n,
        left: l.node,
        right: r.node,
        leftKeys: n.leftKeys.map((k) => remap(k, l.map)),
        rightKeys: n.rightKeys.map((k) => remap(k, r.map)),
        residual: n.residual && remap(n.residual, map),
        schema: [...l.node.schema, ...r.node.schema],
      };
      return { node, map };
    }
    case 'sort':
    case 'topn': {
      const c = prune(
        n.input,
        needs(
          required,
          n.keys.map((k) => k.expr),
        ),
      );
      const keys = n.keys.map((k) => ({ ...k, expr: remap(k.expr, c.map) }));
      return { node: { ...n, input: c.node, keys, schema: c.node.schema }, map: c.map };
    }
    case 'limit': {
      const c = prune(n.input, required);
      return { node: { ...n, input: c.node, schema: c.node.schema }, map: c.map };
    }
    case 'distinct': {
      const c = prune(n.input, allOf(n.input));
      return { node: { ...n, input: c.node, schema: c.node.schema }, map: c.map };
    }
  }
}
