import { child, children, nodeType } from './ast.ts';
import { AggCollector, bindExpr, type BindContext } from './bindExpr.ts';
import type { CatalogView } from './CatalogView.ts';
import { coerce, toBoolean } from './coerce.ts';
import { col } from './exprUtil.ts';
import * as nodes from './nodes.ts';
import type { ParsedStatement } from './parse.ts';
import type { Expr, PlanNode } from './plan.ts';
import { bindGroups, overAggregate } from './planAggregate.ts';
import { planFrom, type FromResult } from './planFrom.ts';
import { bindOrderBy, constantCount, placeSortKeys } from './planOrder.ts';
import { Scope } from './scope.ts';
import { aliasesOf, checkSelectShape, selectItems } from './selectItems.ts';

/**
 * SELECT → logical plan, in SQL's evaluation order:
 * FROM/JOIN → WHERE → GROUP BY/aggregates → HAVING → SELECT list → DISTINCT → ORDER BY → LIMIT.
 * Everything is bound before the aggregate node is built, because aggregates may appear in the
 * SELECT list, HAVING and ORDER BY alike. The optimizer then pushes filters and projections down.
 */
export function planSelect(
  stmt: Extract<ParsedStatement, { kind: 'select' }>,
  catalog: CatalogView,
): PlanNode {
  const { ast, src } = stmt;
  checkSelectShape(ast);
  const base: Omit<BindContext, 'scope'> = {
    src,
    distinctAggs: stmt.rewrites.distinctAggs,
    clause: '',
    aliases: [],
    aggs: null,
  };
  const fromItems = children(ast, 'from');
  const from: FromResult =
    fromItems.length > 0
      ? planFrom(fromItems, catalog, base)
      : { node: nodes.values([[]], []), scope: new Scope([]) };
  const items = selectItems(children(ast, 'columns'), from.scope, src, stmt.rewrites.distinctAggs);
  const aliases = aliasesOf(items);
  const aggs = new AggCollector();
  const ctx = (clause: string, withAggs: boolean, visible = aliases): BindContext => ({
    ...base,
    scope: from.scope,
    clause,
    aliases: visible,
    aggs: withAggs ? aggs : null,
  });

  let node = from.node;
  const where = child(ast, 'where');
  if (where)
    node = nodes.filter(node, toBoolean(bindExpr(where, ctx('WHERE clause', false)), 'WHERE clause'));

  // SELECT items see only the aliases defined before them (DuckDB's lateral aliases).
  let outputs: Expr[] = items.map((it, i) => {
    if (it.kind === 'star') {
      const c = from.scope.columns[it.index]!;
      return col(it.index, c.type, c.name);
    }
    return bindExpr(
      it.ast,
      ctx(
        'SELECT list',
        true,
        aliases.filter((a) => a.position < i),
      ),
    );
  });
  const preAgg = outputs;
  const havingAst = child(ast, 'having');
  let having = havingAst ? toBoolean(bindExpr(havingAst, ctx('HAVING clause', true)), 'HAVING clause') : null;
  let order = bindOrderBy(children(ast, 'orderby'), items, ctx('ORDER BY clause', true));

  const groupTerms = children(child(ast, 'groupby') ?? {}, 'columns');
  if (groupTerms.length > 0 || aggs.list.length > 0 || having) {
    const groups = bindGroups(groupTerms, items, ctx('GROUP BY clause', false));
    const post = (e: Expr) => overAggregate(e, groups, { src });
    outputs = outputs.map(post);
    having = having && post(having);
    order = order.map((t) =>
      t.target.kind === 'expr' ? { ...t, target: { kind: 'expr', expr: post(t.target.expr) } } : t,
    );
    node = nodes.aggregateNode(node, groups.exprs, groups.names, aggs.list);
    if (having) node = nodes.filter(node, having);
  }

  // DuckDB reports a bare NULL column as INTEGER.
  outputs = outputs.map((e) => (e.type === 'NULL' ? coerce(e, 'INTEGER') : e));
  // A bare column is named as stored (DuckDB), whatever case the query wrote it in.
  const names = items.map((it, i) => {
    const e = preAgg[i]!;
    return it.kind === 'expr' &&
      !it.alias &&
      nodeType(it.ast) === 'column_ref' &&
      e.kind === 'column' &&
      e.index >= 0
      ? from.scope.columns[e.index]!.name
      : it.name;
  });
  const distinct = child(ast, 'distinct')?.type === 'DISTINCT';
  const { keys, hidden } = placeSortKeys(order, outputs, names, distinct);
  node = nodes.project(node, [...outputs, ...hidden], [...names, ...hidden.map((_, k) => `#hidden${k}`)]);
  if (distinct) node = nodes.distinct(node);
  if (keys.length > 0) node = nodes.sort(node, keys);

  const limitAst = child(ast, 'limit');
  const values = children(limitAst ?? {}, 'value');
  const constCtx = { ...base, scope: new Scope([]), clause: 'LIMIT', aliases: [] };
  const offsetOnly = limitAst?.seperator === 'offset' && values.length === 1;
  const count = offsetOnly ? null : constantCount(values[0], 'LIMIT', constCtx);
  const offset = constantCount(offsetOnly ? values[0] : values[1], 'OFFSET', constCtx) ?? 0;
  if (count !== null || offset > 0) node = nodes.limit(node, count, offset);

  if (hidden.length > 0)
    node = nodes.project(
      node,
      outputs.map((e, i) => col(i, e.type, names[i]!)),
      names,
    );
  return node;
}
