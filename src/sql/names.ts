import {
  argList,
  child,
  children,
  columnRef,
  functionName,
  identName,
  locOf,
  nodeType,
  text,
  type AstNode,
} from './ast.ts';
import { DUCKDB_KEYWORDS } from './duckdbKeywords.ts';
import { castTarget, typeNameInSql } from './sqlTypes.ts';

const LIKE_OPS: Record<string, string> = { LIKE: '~~', 'NOT LIKE': '!~~', ILIKE: '~~*', 'NOT ILIKE': '!~~*' };

/**
 * The output column name DuckDB gives an unaliased select expression: its SQL text as DuckDB
 * prints it, e.g. `(a + b)`, `count_star()`, `CAST(x AS "DOUBLE")`. Only the common shapes are
 * matched exactly; `distinctAggs` is the set of offsets where `SUM(DISTINCT` was rewritten.
 */
export function exprName(n: AstNode, distinctAggs: ReadonlyMap<number, string>): string {
  const name = (x: AstNode | null | undefined): string => (x ? exprName(x, distinctAggs) : '?');
  switch (nodeType(n)) {
    case 'column_ref': {
      const ref = columnRef(n);
      return ref.table ? `${quoteIdent(ref.table)}.${quoteIdent(ref.column)}` : quoteIdent(ref.column);
    }
    case 'number':
    case 'bigint':
      return String(n.value);
    case 'single_quote_string':
      return `'${String(n.value)}'`;
    case 'bool':
      return `CAST('${n.value === true ? 't' : 'f'}' AS BOOLEAN)`;
    case 'null':
      return 'NULL';
    case 'date':
      return `CAST('${String(n.value)}' AS "DATE")`;
    case 'timestamp':
      return `CAST('${String(n.value)}' AS TIMESTAMP)`;
    case 'unary_expr': {
      const arg = child(n, 'expr');
      const op = text(n, 'operator') ?? '';
      // DuckDB folds a minus on a number into the literal: `-(5)` is named -5.
      if (op === '-' && arg && nodeType(arg) === 'number') return `-${String(arg.value)}`;
      return op === '-' || op === '+' ? `${op}(${name(arg)})` : `(NOT ${name(arg)})`;
    }
    case 'binary_expr':
      return binaryName(n, name);
    case 'function': {
      const fn = functionName(n);
      const args = argList(n).map(name).join(', ');
      if (fn === 'not') return `(NOT ${args})`;
      if (distinctAggs.has(locOf(n)?.from ?? -1))
        return `${fn.slice(0, -'distinct'.length)}(DISTINCT ${args})`;
      if (fn === 'coalesce') return `COALESCE(${args})`;
      // DuckDB prints functions it also parses as special syntax with their schema.
      return fn === 'trim' || fn === 'substring' ? `main."${fn}"(${args})` : `${fn}(${args})`;
    }
    case 'aggr_func': {
      const fn = String(n.name).toLowerCase();
      const arg = argList(n)[0];
      if (fn === 'count' && arg && nodeType(arg) === 'star') return 'count_star()';
      const distinct = child(n, 'args')?.distinct ? 'DISTINCT ' : '';
      return `${fn}(${distinct}${name(arg)})`;
    }
    case 'cast':
      return children(n, 'target').reduce(
        (inner, target) => {
          let t = text(target, 'dataType') ?? '?';
          try {
            t = typeNameInSql(castTarget(t, target.length));
          } catch {
            // an unsupported type fails in the binder with a clear error; the name does not matter
          }
          return `CAST(${inner} AS ${t})`;
        },
        name(child(n, 'expr')),
      );
    case 'extract': {
      const args = child(n, 'args');
      const field = (args && text(args, 'field')) ?? '';
      return `main.date_part('${field.toLowerCase()}', ${name(args ? child(args, 'source') : null)})`;
    }
    case 'case': {
      // DuckDB's spelling: CASE  WHEN (c) THEN (v) … ELSE e END, a simple CASE as x = v.
      const subject = child(n, 'expr');
      const arms = children(n, 'args');
      const whens = arms
        .filter((a) => a.type === 'when')
        .map((a) => {
          const cond = subject ? `(${name(subject)} = ${name(child(a, 'cond'))})` : name(child(a, 'cond'));
          return `WHEN (${cond}) THEN (${name(child(a, 'result'))})`;
        });
      const elseArm = arms.find((a) => a.type === 'else');
      return `CASE  ${whens.join(' ')} ELSE ${elseArm ? name(child(elseArm, 'result')) : 'NULL'} END`;
    }
    default:
      return text(n, 'value') ?? identName(n) ?? '?';
  }
}

/** An identifier as DuckDB prints it: quoted when it is a keyword or not a plain word. */
export function quoteIdent(id: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(id) && !DUCKDB_KEYWORDS.has(id.toLowerCase())
    ? id
    : `"${id.replace(/"/g, '""')}"`;
}

function binaryName(n: AstNode, name: (x: AstNode | null) => string): string {
  const op = String(n.operator);
  const l = child(n, 'left');
  const r = child(n, 'right');
  if (op === 'AND' || op === 'OR') {
    const flat = (x: AstNode | null): string[] =>
      x && nodeType(x) === 'binary_expr' && x.operator === op && !x.parentheses
        ? [...flat(child(x, 'left')), ...flat(child(x, 'right'))]
        : [name(x)];
    return `(${[...flat(l), ...flat(r)].join(` ${op} `)})`;
  }
  const list = r && nodeType(r) === 'expr_list' ? ((r.value as AstNode[] | undefined) ?? []).map(name) : [];
  switch (op) {
    case 'IN':
    case 'NOT IN':
      return `(${name(l)} ${op} (${list.join(', ')}))`;
    case 'BETWEEN':
      return `(${name(l)} BETWEEN ${list[0]} AND ${list[1]})`;
    case 'NOT BETWEEN':
      return `(NOT (${name(l)} BETWEEN ${list[0]} AND ${list[1]}))`;
    case 'IS':
    case 'IS NOT':
      return `(${name(l)} ${op} ${name(r)})`;
    case '<>':
      return `(${name(l)} != ${name(r)})`;
    default:
      return `(${name(l)} ${LIKE_OPS[op] ?? op} ${name(r)})`;
  }
}
