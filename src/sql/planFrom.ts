import { child, notSupported, text, type AstNode } from './ast.ts';
import { bindExpr, type BindContext } from './bindExpr.ts';
import type { CatalogView } from './CatalogView.ts';
import { toBoolean } from './coerce.ts';
import { andAll, columnsOf, conjuncts, shiftColumns } from './exprUtil.ts';
import * as nodes from './nodes.ts';
import type { Expr, PlanNode } from './plan.ts';
import { Scope } from './scope.ts';
import { SqlError } from './SqlError.ts';
import { typeError } from './sqlTypes.ts';
import { didYouMean } from './suggest.ts';

export interface FromResult {
  node: PlanNode;
  scope: Scope;
}

/** Keys a FROM item may carry; anything else (TABLESAMPLE, USING, a subquery, …) is refused. */
const ITEM_KEYS = new Set(['db', 'table', 'as', 'join', 'on', 'loc']);

/** FROM t [AS a] [INNER|LEFT JOIN u [AS b] ON …]…: scans of every column (pruned later) and joins. */
export function planFrom(
  items: AstNode[],
  catalog: CatalogView,
  ctx: Omit<BindContext, 'scope'>,
): FromResult {
  let result: FromResult | null = null;
  const aliases = new Set<string>();
  items.forEach((item, k) => {
    for (const [key, v] of Object.entries(item)) {
      if (v === null || v === undefined || ITEM_KEYS.has(key)) continue;
      if (key === 'expr') throw notSupported('subqueries in FROM');
      if (key === 'using') throw notSupported('JOIN … USING');
      throw notSupported(`FROM clause with ${key.toUpperCase()}`);
    }
    const prev = items[k - 1];
    const prevAlias = (prev ? (text(prev, 'as') ?? '') : '').toLowerCase();
    if (k > 0 && (prevAlias === 'cross' || prevAlias === 'natural'))
      throw notSupported(`${prevAlias.toUpperCase()} JOIN`);
    const right = planTable(item, catalog, ctx, aliases);
    if (!result) {
      if (item.join) throw notSupported('this FROM clause');
      result = right;
      return;
    }
    if (!item.join) throw notSupported('comma-separated FROM lists (implicit CROSS JOIN)');
    const joinType =
      item.join === 'INNER JOIN' || item.join === 'JOIN'
        ? 'inner'
        : item.join === 'LEFT JOIN'
          ? 'left'
          : null;
    if (!joinType) throw notSupported(text(item, 'join') ?? 'this join');
    const on = child(item, 'on');
    if (!on) throw notSupported('JOIN without ON');
    result = planJoin(joinType, result, right, on, ctx);
  });
  if (!result) throw notSupported('an empty FROM clause');
  return result;
}

function planTable(
  item: AstNode,
  catalog: CatalogView,
  ctx: Omit<BindContext, 'scope'>,
  aliases: Set<string>,
): FromResult {
  if (item.db !== null && item.db !== undefined) throw notSupported('schema-qualified table names');
  const name = String(item.table);
  const tables = catalog.tables();
  const m = tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (!m) {
    throw new SqlError(
      'UNKNOWN_TABLE',
      `Table "${name}" does not exist.${didYouMean(
        name,
        tables.map((t) => t.name),
      )}`,
      ctx.src.locateTable(name),
    );
  }
  const alias = typeof item.as === 'string' ? item.as : name;
  if (aliases.has(alias.toLowerCase()))
    throw typeError(`Duplicate alias "${alias}" in query: give each table its own alias`);
  aliases.add(alias.toLowerCase());
  const node = nodes.scan(m, m.name);
  return { node, scope: new Scope(m.schema.map((c) => ({ name: c.name, type: c.type, table: alias }))) };
}

/**
 * Splits the ON condition into equi-join keys (`left expr = right expr`) and a residual over the
 * joined row. Conditions on one side stay in the residual; the optimizer pushes them down where
 * that is valid (both sides of an inner join, the right side of a left join).
 */
function planJoin(
  joinType: 'inner' | 'left',
  left: FromResult,
  right: FromResult,
  on: AstNode,
  ctx: Omit<BindContext, 'scope'>,
): FromResult {
  const scope = left.scope.concat(right.scope);
  const cond = toBoolean(
    bindExpr(on, { ...ctx, scope, clause: 'JOIN condition', aggs: null, aliases: [] }),
    'JOIN condition',
  );
  const width = left.scope.columns.length;
  const side = (e: Expr) => {
    const cols = [...columnsOf(e)];
    if (cols.length === 0) return 'none';
    if (cols.every((c) => c < width)) return 'left';
    return cols.every((c) => c >= width) ? 'right' : 'both';
  };
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const residual: Expr[] = [];
  for (const c of conjuncts(cond)) {
    if (c.kind === 'call' && c.fn === 'eq') {
      const [a, b] = c.args as [Expr, Expr];
      const [sa, sb] = [side(a), side(b)];
      if (sa === 'left' && sb === 'right') {
        leftKeys.push(a);
        rightKeys.push(shiftColumns(b, -width));
        continue;
      }
      if (sa === 'right' && sb === 'left') {
        leftKeys.push(b);
        rightKeys.push(shiftColumns(a, -width));
        continue;
      }
    }
    residual.push(c);
  }
  // Without an equality the join is a filtered cross product, which the hash join does not do.
  if (leftKeys.length === 0) throw notSupported('JOIN … ON without an equality between the two sides');
  return { node: nodes.join(joinType, left.node, right.node, leftKeys, rightKeys, andAll(residual)), scope };
}
