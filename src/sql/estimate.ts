import type { Manifest } from '../storage/manifest.ts';
import type { Expr, PlanNode } from './plan.ts';
import { mapInputs } from './planWalk.ts';

/**
 * Row estimates, bottom-up: scans from the kept chunks' row counts (exact before filtering) and
 * textbook selectivity guesses; they only feed EXPLAIN and are never used for correctness.
 */
export function estimate(n: PlanNode, manifests: ReadonlyMap<string, Manifest>): PlanNode {
  const node = mapInputs(n, (c) => estimate(c, manifests));
  const rows = (x: PlanNode) => x.estRows;
  let est: number;
  switch (node.kind) {
    case 'scan': {
      const total = node.chunks.reduce((s, c) => s + c.rows, 0);
      const m = manifests.get(node.dataset);
      const nullFraction = (i: number) => {
        const at = node.columns[i];
        if (!m || at === undefined || m.rows === 0) return 0.1;
        return m.chunks.reduce((s, c) => s + (c.stats[at]?.nulls ?? 0), 0) / m.rows;
      };
      est = total * (node.predicate ? selectivity(node.predicate, nullFraction) : 1);
      break;
    }
    case 'filter':
      est = rows(node.input) * selectivity(node.predicate, () => 0.1);
      break;
    case 'aggregate':
      // No groups: one row. Otherwise a guess between "few groups" and "all distinct".
      est =
        node.groups.length === 0
          ? 1
          : Math.min(rows(node.input), Math.max(1, Math.sqrt(rows(node.input)) * node.groups.length));
      break;
    case 'join':
      est =
        node.joinType === 'left'
          ? Math.max(rows(node.left), rows(node.right))
          : Math.max(rows(node.left), rows(node.right)) * 0.9;
      break;
    case 'topn':
      est = Math.min(rows(node.input), node.limit);
      break;
    case 'limit':
      est = Math.max(0, rows(node.input) - node.offset);
      if (node.limit !== null) est = Math.min(est, node.limit);
      break;
    case 'distinct':
      est = rows(node.input) * 0.5;
      break;
    case 'values':
      est = node.rows.length;
      break;
    default:
      est = rows(node.input);
  }
  // Whole rows, and at least one while any row may remain.
  return { ...node, estRows: est > 0 ? Math.max(1, Math.round(est)) : 0 };
}

function selectivity(e: Expr, nullFraction: (column: number) => number): number {
  const s = (x: Expr) => selectivity(x, nullFraction);
  if (e.kind === 'literal') return e.value === true ? 1 : 0;
  if (e.kind === 'in') return e.negated ? 0.9 : Math.min(0.5, 0.1 * e.list.length);
  if (e.kind !== 'call') return 0.5;
  const arg = e.args[0];
  switch (e.fn) {
    case 'and':
      return e.args.reduce((p, x) => p * s(x), 1);
    case 'or':
      return e.args.reduce((p, x) => p + s(x) - p * s(x), 0);
    case 'not':
      return arg ? 1 - s(arg) : 0.5;
    case 'eq':
      return 0.1;
    case 'neq':
      return 0.9;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return 0.33;
    case 'is_null':
      return arg?.kind === 'column' ? nullFraction(arg.index) : 0.1;
    case 'is_not_null':
      return arg?.kind === 'column' ? 1 - nullFraction(arg.index) : 0.9;
    case 'like':
    case 'ilike':
      return 0.25;
    default:
      return 0.5;
  }
}
