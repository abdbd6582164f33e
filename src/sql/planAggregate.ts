import { nodeType, type AstNode } from './ast.ts';
import { bindExpr, type BindContext } from './bindExpr.ts';
import { exprText } from './explain.ts';
import { col, exprKey, mapChildren } from './exprUtil.ts';
import type { Expr } from './plan.ts';
import type { SelectItem } from './selectItems.ts';
import { SqlError } from './SqlError.ts';
import { typeError } from './sqlTypes.ts';

export interface Groups {
  exprs: Expr[];
  names: string[];
}

/**
 * GROUP BY terms: an integer literal is a 1-based select-list ordinal; a name resolves to a FROM
 * column first and to a select alias otherwise (DuckDB). Duplicates are dropped.
 */
export function bindGroups(terms: AstNode[], items: SelectItem[], ctx: BindContext): Groups {
  const out: Groups = { exprs: [], names: [] };
  const seen = new Set<string>();
  for (const t of terms) {
    let e: Expr;
    let name: string;
    if (nodeType(t) === 'number' && Number.isInteger(Number(t.value))) {
      const k = Number(t.value);
      const item = items[k - 1];
      if (!item) throw typeError(`GROUP BY term out of range - should be between 1 and ${items.length}`);
      if (item.kind === 'star') {
        const c = ctx.scope.columns[item.index]!;
        e = col(item.index, c.type, c.name);
      } else e = bindExpr(item.ast, { ...ctx, aliases: ctx.aliases.filter((a) => a.position < k - 1) });
      name = item.name;
    } else {
      e = bindExpr(t, ctx);
      name = exprText(e);
    }
    const key = exprKey(e);
    if (seen.has(key)) continue;
    seen.add(key);
    out.exprs.push(e);
    out.names.push(name);
  }
  return out;
}

/**
 * Rewrites an expression bound over the aggregate's input into one over its output (groups, then
 * aggregates): group expressions become group columns, aggregate placeholders (negative column
 * indexes from AggCollector) become aggregate columns, and any other input column is an error.
 */
export function overAggregate(e: Expr, groups: Groups, ctx: Pick<BindContext, 'src'>): Expr {
  const keys = groups.exprs.map(exprKey);
  const walk = (x: Expr): Expr => {
    const g = keys.indexOf(exprKey(x));
    if (g >= 0) return col(g, x.type, groups.names[g]!);
    if (x.kind !== 'column') return mapChildren(x, walk);
    if (x.index < 0) return col(groups.exprs.length - x.index - 1, x.type, x.name);
    throw new SqlError(
      'TYPE',
      `column "${x.name}" must appear in the GROUP BY clause or must be part of an aggregate function.`,
      ctx.src.locate(x.name),
    );
  };
  return walk(e);
}
