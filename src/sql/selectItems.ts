import { child, columnRef, nodeType, notSupported, text, type AstNode } from './ast.ts';
import type { SelectAlias } from './bindExpr.ts';
import { exprName } from './names.ts';
import type { Scope } from './scope.ts';
import type { SourceText } from './source.ts';
import { SqlError } from './SqlError.ts';
import { typeError } from './sqlTypes.ts';
import { didYouMean } from './suggest.ts';

/** One output column of the SELECT list: an expression, or one column of an expanded `*`. */
export type SelectItem =
  | { kind: 'expr'; ast: AstNode; name: string; alias: string | null }
  | { kind: 'star'; index: number; name: string; alias: null };

/** Expands `*` and `t.*` against the FROM scope and names every item as DuckDB would. */
export function selectItems(
  columns: AstNode[],
  scope: Scope,
  src: SourceText,
  distinctAggs: ReadonlyMap<number, string>,
): SelectItem[] {
  const items: SelectItem[] = [];
  for (const c of columns) {
    const e = child(c, 'expr');
    if (!e) throw notSupported('this SELECT item');
    if (nodeType(e) === 'column_ref' && columnRef(e).column === '*') {
      const table = columnRef(e).table;
      if (scope.columns.length === 0) throw typeError('SELECT * with no tables specified is not valid');
      const t = table?.toLowerCase();
      if (t !== undefined && !scope.columns.some((x) => x.table.toLowerCase() === t))
        throw new SqlError(
          'UNKNOWN_TABLE',
          `Table "${table}" is not in the FROM clause.${didYouMean(table!, scope.tables)}`,
          src.locate(table!),
        );
      scope.columns.forEach((x, index) => {
        if (t === undefined || x.table.toLowerCase() === t)
          items.push({ kind: 'star', index, name: x.name, alias: null });
      });
      continue;
    }
    const alias = typeof c.as === 'string' ? c.as : null;
    const name = alias ?? (nodeType(e) === 'column_ref' ? columnRef(e).column : exprName(e, distinctAggs));
    items.push({ kind: 'expr', ast: e, name, alias });
  }
  return items;
}

export function aliasesOf(items: SelectItem[]): SelectAlias[] {
  return items.flatMap((it, position) =>
    it.kind === 'expr' && it.alias ? [{ name: it.alias, ast: it.ast, position }] : [],
  );
}

/** Clauses of a SELECT we plan; any other clause that is present is refused by name. */
export function checkSelectShape(ast: AstNode): void {
  const named: Record<string, string> = {
    with: 'WITH (common table expressions)',
    _next: (text(ast, 'set_op') ?? 'UNION').toUpperCase(),
    window: 'WINDOW clauses',
    qualify: 'QUALIFY',
    options: 'SELECT options',
  };
  const planned = new Set([
    'type',
    'columns',
    'from',
    'where',
    'groupby',
    'having',
    'orderby',
    'limit',
    'distinct',
    'into',
    'loc',
    'set_op',
  ]);
  for (const [key, v] of Object.entries(ast)) {
    if (
      planned.has(key) ||
      v === null ||
      v === undefined ||
      v === false ||
      (Array.isArray(v) && v.length === 0)
    )
      continue;
    throw notSupported(named[key] ?? `SELECT … ${key.toUpperCase()}`);
  }
  const distinct = child(ast, 'distinct');
  const kind = distinct && text(distinct, 'type');
  if (kind && kind !== 'DISTINCT') throw notSupported(kind);
  const into = child(ast, 'into');
  if (into && Object.values(into).some((v) => v !== null && v !== undefined))
    throw notSupported('SELECT INTO');
  const groupby = child(ast, 'groupby');
  if (groupby && Array.isArray(groupby.modifiers) && groupby.modifiers.length > 0)
    throw notSupported('GROUP BY modifiers');
}
