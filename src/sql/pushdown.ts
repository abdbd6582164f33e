import { andAll, columnsOf, conjuncts, mapColumns, shiftColumns } from './exprUtil.ts';
import { fold } from './fold.ts';
import * as nodes from './nodes.ts';
import type { Expr, PlanNode } from './plan.ts';
import { mapInputs } from './planWalk.ts';

/**
 * Predicate pushdown: every filter conjunct moves as far down as it stays correct, ending in a
 * scan's `predicate` where possible (which is what zone-map pruning looks at).
 */
export function pushFilters(n: PlanNode): PlanNode {
  return push(n, []);
}

function wrap(n: PlanNode, preds: Expr[]): PlanNode {
  const p = andAll(preds);
  return p ? nodes.filter(n, p) : n;
}

function push(n: PlanNode, preds: Expr[]): PlanNode {
  switch (n.kind) {
    case 'filter':
      return push(n.input, [...preds, ...conjuncts(n.predicate)]);
    case 'scan': {
      const all = [...(n.predicate ? conjuncts(n.predicate) : []), ...preds];
      const p = andAll(all);
      return { ...n, predicate: p && fold(p) };
    }
    case 'project':
      // Outputs are deterministic expressions of the input: substitute them and keep going.
      return {
        ...n,
        input: push(
          n.input,
          preds.map((p) => mapColumns(p, (c) => n.exprs[c.index]!)),
        ),
      };
    case 'sort':
    case 'distinct':
      // A row filter commutes with sorting and with removing duplicate rows.
      return { ...n, input: push(n.input, preds) };
    case 'aggregate': {
      // Only conditions on group columns alone (and on at least one: HAVING false on a global
      // aggregate must still remove its one row) can filter the input instead.
      const down: Expr[] = [];
      const keep: Expr[] = [];
      for (const p of preds) {
        const cols = [...columnsOf(p)];
        if (cols.length > 0 && cols.every((c) => c < n.groups.length))
          down.push(mapColumns(p, (c) => n.groups[c.index]!));
        else keep.push(p);
      }
      return wrap({ ...n, input: push(n.input, down) }, keep);
    }
    case 'join':
      return pushJoin(n, preds);
    default:
      return wrap(
        mapInputs(n, (c) => push(c, [])),
        preds,
      );
  }
}

function pushJoin(n: Extract<PlanNode, { kind: 'join' }>, preds: Expr[]): PlanNode {
  const width = n.left.schema.length;
  const inner = n.joinType === 'inner';
  const side = (e: Expr) => {
    const cols = [...columnsOf(e)];
    if (cols.length === 0) return 'none';
    if (cols.every((c) => c < width)) return 'left';
    return cols.every((c) => c >= width) ? 'right' : 'both';
  };
  const toLeft: Expr[] = [];
  const toRight: Expr[] = [];
  const above: Expr[] = [];
  const residual: Expr[] = [];
  // WHERE above the join: left-side conditions go left for both join types (a left row that fails
  // them would be filtered out anyway); right-side ones only for inner joins, since a left join's
  // NULL-extended rows must meet them above the join.
  for (const p of preds) {
    const s = side(p);
    if (s === 'left' || s === 'none') toLeft.push(p);
    else if (s === 'right' && inner) toRight.push(shiftColumns(p, -width));
    else if (s === 'both' && inner) residual.push(p);
    else above.push(p);
  }
  // ON conditions: right-side ones filter the right input for both join types (such rows match
  // nothing); left-side ones only for inner joins (a left join keeps the left row regardless).
  for (const r of n.residual ? conjuncts(n.residual) : []) {
    const s = side(r);
    if (inner && (s === 'left' || s === 'none')) toLeft.push(r);
    else if (s === 'right' || s === 'none') toRight.push(shiftColumns(r, -width));
    else residual.push(r);
  }
  const joined = {
    ...n,
    left: push(n.left, toLeft),
    right: push(n.right, toRight),
    residual: andAll(residual),
  };
  return wrap(joined, above);
}
