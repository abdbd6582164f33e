import { child, columnRef, nodeType, notSupported, text, type AstNode } from './ast.ts';
import { bindExpr, type BindContext } from './bindExpr.ts';
import { col, exprKey, mapChildren } from './exprUtil.ts';
import { fold } from './fold.ts';
import { castLiteral } from './literals.ts';
import type { Expr, SortKey } from './plan.ts';
import type { SelectItem } from './selectItems.ts';
import { typeError } from './sqlTypes.ts';

/** An ORDER BY term: a select-list output (ordinal or alias) or an expression over the input. */
export interface OrderTerm {
  target: { kind: 'output'; index: number } | { kind: 'expr'; expr: Expr };
  desc: boolean;
  nullsFirst: boolean;
}

const LITERALS = new Set(['number', 'bigint', 'single_quote_string', 'bool', 'null']);

export function bindOrderBy(terms: AstNode[], items: SelectItem[], ctx: BindContext): OrderTerm[] {
  return terms.map((t) => {
    const e = child(t, 'expr');
    if (!e) throw notSupported('this ORDER BY term');
    const desc = text(t, 'type')?.toUpperCase() === 'DESC';
    // DuckDB's default is NULLS LAST for ASC and DESC alike.
    const nullsFirst = /first/i.test(text(t, 'nulls') ?? '');
    const term = (target: OrderTerm['target']): OrderTerm => ({ target, desc, nullsFirst });
    if (LITERALS.has(nodeType(e))) {
      const k = Number(e.value);
      if (nodeType(e) !== 'number' || !Number.isInteger(k))
        throw typeError('ORDER BY non-integer literal has no effect.');
      if (k < 1 || k > items.length)
        throw typeError(`ORDER term out of range - should be between 1 and ${items.length}`);
      return term({ kind: 'output', index: k - 1 });
    }
    // A bare name that is a select alias means that output, before any input column (DuckDB).
    if (nodeType(e) === 'column_ref' && !columnRef(e).table) {
      const name = columnRef(e).column.toLowerCase();
      const k = items.findIndex((it) => it.alias?.toLowerCase() === name);
      if (k >= 0) return term({ kind: 'output', index: k });
    }
    return term({ kind: 'expr', expr: bindExpr(e, ctx) });
  });
}

/**
 * Sort keys over the projection's output. An expression that can be computed from the outputs
 * uses them; otherwise it becomes a hidden output column (projected away after sorting), which
 * SELECT DISTINCT cannot have since it would change which rows are distinct.
 */
export function placeSortKeys(
  terms: OrderTerm[],
  outputs: Expr[],
  names: string[],
  distinct: boolean,
): { keys: SortKey[]; hidden: Expr[] } {
  const keys: SortKey[] = [];
  const hidden: Expr[] = [];
  const outKeys = outputs.map(exprKey);
  for (const t of terms) {
    let expr: Expr;
    if (t.target.kind === 'output') {
      const o = outputs[t.target.index]!;
      expr = col(t.target.index, o.type, names[t.target.index]!);
    } else {
      const over = overOutputs(t.target.expr, outKeys, names);
      if (over) expr = over;
      else if (distinct) throw notSupported('ORDER BY an expression that is not in the SELECT DISTINCT list');
      else {
        const k = outputs.length + hidden.length;
        hidden.push(t.target.expr);
        expr = col(k, t.target.expr.type, `#hidden${hidden.length - 1}`);
      }
    }
    keys.push({ expr, desc: t.desc, nullsFirst: t.nullsFirst });
  }
  return { keys, hidden };
}

function overOutputs(e: Expr, outKeys: string[], names: string[]): Expr | null {
  const k = outKeys.indexOf(exprKey(e));
  if (k >= 0) return col(k, e.type, names[k]!);
  if (e.kind === 'column') return null;
  let ok = true;
  const r = mapChildren(e, (c) => {
    const x = overOutputs(c, outKeys, names);
    if (!x) ok = false;
    return x ?? c;
  });
  return ok ? r : null;
}

/** LIMIT/OFFSET: a constant; NULL means none; decimals round as DuckDB's cast to BIGINT does. */
export function constantCount(ast: AstNode | undefined, what: string, ctx: BindContext): number | null {
  if (!ast) return null;
  if (nodeType(ast) === 'origin' && String(ast.value).toLowerCase() === 'all') return null;
  const e = fold(bindExpr(ast, { ...ctx, aggs: null, clause: what }));
  if (e.kind !== 'literal') throw notSupported(`a ${what} that is not a constant`);
  if (e.value === null) return null;
  const n = castLiteral(e.value, e.type, 'BIGINT', true)?.value;
  if (n === undefined || n === null) throw typeError(`${what} must be an integer`);
  const v = Number(n);
  if (v < 0) throw typeError('LIMIT/OFFSET cannot be negative');
  return v;
}
