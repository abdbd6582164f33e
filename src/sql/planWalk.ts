import type { Expr, PlanNode } from './plan.ts';

/** The node with its inputs replaced by `f(input)` (schema unchanged). */
export function mapInputs(n: PlanNode, f: (input: PlanNode) => PlanNode): PlanNode {
  switch (n.kind) {
    case 'scan':
    case 'values':
      return n;
    case 'join':
      return { ...n, left: f(n.left), right: f(n.right) };
    default:
      return { ...n, input: f(n.input) };
  }
}

/** The node with every expression it holds (not its inputs') replaced by `f(expr)`. */
export function mapExprs(n: PlanNode, f: (e: Expr) => Expr): PlanNode {
  switch (n.kind) {
    case 'scan':
      return n.predicate ? { ...n, predicate: f(n.predicate) } : n;
    case 'filter':
      return { ...n, predicate: f(n.predicate) };
    case 'project':
      return { ...n, exprs: n.exprs.map(f) };
    case 'aggregate':
      return {
        ...n,
        groups: n.groups.map(f),
        aggregates: n.aggregates.map((a) => (a.arg ? { ...a, arg: f(a.arg) } : a)),
      };
    case 'join':
      return {
        ...n,
        leftKeys: n.leftKeys.map(f),
        rightKeys: n.rightKeys.map(f),
        residual: n.residual ? f(n.residual) : null,
      };
    case 'sort':
    case 'topn':
      return { ...n, keys: n.keys.map((k) => ({ ...k, expr: f(k.expr) })) };
    default:
      return n;
  }
}

/** Applies `f` bottom-up to every node. */
export function transformPlan(n: PlanNode, f: (n: PlanNode) => PlanNode): PlanNode {
  return f(mapInputs(n, (c) => transformPlan(c, f)));
}
