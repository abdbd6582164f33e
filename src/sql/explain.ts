import { formatDate } from './literals.ts';
import type { Expr, Literal, PlanNode, ScalarFn, SortKey } from './plan.ts';
import { inputsOf } from './nodes.ts';

const INFIX: Partial<Record<ScalarFn, string>> = {
  add: '+',
  subtract: '-',
  multiply: '*',
  divide: '/',
  modulo: '%',
  eq: '=',
  neq: '!=',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
  and: 'AND',
  or: 'OR',
  like: 'LIKE',
  ilike: 'ILIKE',
  not_like: 'NOT LIKE',
  not_ilike: 'NOT ILIKE',
};

/** An expression as SQL-like text; columns by name. */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'column':
      return e.name;
    case 'literal':
      return literalText(e.value, e.type);
    case 'cast':
      return `CAST(${exprText(e.arg)} AS ${e.type})`;
    case 'in':
      return `(${exprText(e.arg)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(exprText).join(', ')}))`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${exprText(w.when)} THEN ${exprText(w.then)}`).join(' ')}${e.else ? ` ELSE ${exprText(e.else)}` : ''} END`;
    case 'call': {
      const args = e.args.map(exprText);
      const op = INFIX[e.fn];
      if (op) return `(${args.join(` ${op} `)})`;
      if (e.fn === 'not') return `(NOT ${args[0]})`;
      if (e.fn === 'negate') return `-(${args[0]})`;
      if (e.fn === 'is_null') return `(${args[0]} IS NULL)`;
      if (e.fn === 'is_not_null') return `(${args[0]} IS NOT NULL)`;
      return `${e.fn}(${args.join(', ')})`;
    }
  }
}

function literalText(v: Literal, type: string): string {
  if (v === null) return 'NULL';
  if (type === 'VARCHAR') return `'${String(v).replace(/'/g, "''")}'`;
  if (type === 'DATE' && typeof v === 'number') return `DATE '${formatDate(v) ?? v}'`;
  if (type === 'TIMESTAMP' && typeof v === 'number') {
    const iso = new Date(v).toISOString();
    return `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 23).replace(/\.000$/, '')}'`;
  }
  return String(v);
}

function keysText(keys: SortKey[], names: string[]): string {
  return keys
    .map((k) => {
      const e = k.expr.kind === 'column' ? (names[k.expr.index] ?? k.expr.name) : exprText(k.expr);
      return `${e} ${k.desc ? 'DESC' : 'ASC'}${k.nullsFirst ? ' NULLS FIRST' : ''}`;
    })
    .join(', ');
}

function nodeLine(n: PlanNode): string {
  const names = (x: PlanNode) => x.schema.map((c) => c.name);
  switch (n.kind) {
    case 'scan': {
      if (n.exchange !== undefined) return `Exchange ${n.exchange} columns: [${names(n).join(', ')}]`;
      const filter = n.predicate ? ` filter: ${exprText(n.predicate)}` : '';
      return `Scan ${n.table} columns: [${names(n).join(', ')}]${filter} chunks: ${n.chunks.length}/${n.totalChunks}`;
    }
    case 'filter':
      return `Filter ${exprText(n.predicate)}`;
    case 'project':
      return `Project ${n.exprs
        .map((e, i) => {
          const t = exprText(e);
          return t === n.schema[i]!.name ? t : `${t} AS ${n.schema[i]!.name}`;
        })
        .join(', ')}`;
    case 'aggregate': {
      const groups = n.groups.length > 0 ? ` groups: [${n.groups.map(exprText).join(', ')}]` : '';
      const phase = n.aggregates.find((a) => a.phase)?.phase;
      return `Aggregate${phase ? ` ${phase}` : ''}${groups} aggregates: [${n.aggregates.map((a) => a.name).join(', ')}]`;
    }
    case 'join': {
      const keys = n.leftKeys.map((k, i) => `${exprText(k)} = ${exprText(n.rightKeys[i]!)}`).join(' AND ');
      return `HashJoin ${n.joinType.toUpperCase()} on: ${keys}${n.residual ? ` residual: ${exprText(n.residual)}` : ''}`;
    }
    case 'sort':
      return `Sort ${keysText(n.keys, names(n.input))}`;
    case 'topn':
      return `TopN ${n.limit}${n.offset ? ` offset ${n.offset}` : ''} by ${keysText(n.keys, names(n.input))}`;
    case 'limit':
      return `Limit ${n.limit ?? 'ALL'}${n.offset ? ` offset ${n.offset}` : ''}`;
    case 'distinct':
      return 'Distinct';
    case 'values':
      return `Values ${n.rows.length} row${n.rows.length === 1 ? '' : 's'}`;
  }
}

/** The plan as an indented tree, one node per line, each with its row estimate. */
export function explainText(plan: PlanNode): string {
  const lines: string[] = [];
  const walk = (n: PlanNode, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${nodeLine(n)} (estRows: ${n.estRows})`);
    for (const c of inputsOf(n)) walk(c, depth + 1);
  };
  walk(plan, 0);
  return lines.join('\n');
}
