import {
  argList,
  child,
  children,
  columnRef,
  functionName,
  locOf,
  nodeType,
  notSupported,
  text,
  type AstNode,
  type Loc,
} from './ast.ts';
import { checkNodeKeys } from './astKeys.ts';
import { bindCase, bindCast, numberLiteral } from './bindForms.ts';
import {
  aggregate,
  datePart,
  datePartCall,
  DATE_PARTS,
  isScalarFunction,
  scalarFunction,
  SCALAR_FUNCTIONS,
} from './bindFunction.ts';
import * as ops from './bindOps.ts';
import { coerce } from './coerce.ts';
import { col, exprKey, lit } from './exprUtil.ts';
import { exprName } from './names.ts';
import type { AggFn, Aggregate, Expr } from './plan.ts';
import type { Scope } from './scope.ts';
import type { SourceText } from './source.ts';
import { SqlError, type SqlErrorCode } from './SqlError.ts';
import { typeError } from './sqlTypes.ts';
import { didYouMean } from './suggest.ts';

/** A select-list item a bare name can fall back to (DuckDB resolves real columns first). */
export interface SelectAlias {
  name: string;
  ast: AstNode;
  position: number;
}

/**
 * Aggregates met while binding, deduplicated. Each one is returned as a placeholder column with
 * a negative index (-1 for the first); the planner rewrites placeholders to aggregate outputs.
 */
export class AggCollector {
  readonly list: Aggregate[] = [];
  readonly #keys: string[] = [];

  add(a: Aggregate): Expr {
    const key = `${a.fn}|${a.distinct}|${a.arg ? exprKey(a.arg) : ''}`;
    let k = this.#keys.indexOf(key);
    if (k < 0) {
      k = this.list.push(a) - 1;
      this.#keys.push(key);
    }
    return col(-(k + 1), a.type, a.name);
  }
}

export interface BindContext {
  src: SourceText;
  distinctAggs: ReadonlyMap<number, string>;
  scope: Scope;
  /** For messages: "WHERE", "GROUP BY", "JOIN condition", … */
  clause: string;
  aliases: SelectAlias[];
  /** Null where aggregates are not allowed. */
  aggs: AggCollector | null;
  inAggregate?: boolean;
  /** The nearest enclosing node with a source location, to place errors. */
  loc?: Loc | null;
}

const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max']);

export function bindExpr(n: AstNode, ctx: BindContext): Expr {
  const loc = locOf(n);
  const c = loc ? { ...ctx, loc } : ctx;
  if (nodeType(n) === 'aggr_func' && !AGGREGATES.has(String(n.name).toLowerCase()))
    throw notSupported(`aggregate ${String(n.name).toLowerCase()}()`);
  checkNodeKeys(n);
  try {
    return bindNode(n, c);
  } catch (e) {
    // Type errors are raised far from the text; give them the innermost located node's position.
    if (loc && e instanceof SqlError && !e.position && e.code === 'TYPE')
      throw new SqlError(e.code, e.message, ctx.src.position(loc.from));
    throw e;
  }
}

export function bindError(
  ctx: BindContext,
  code: SqlErrorCode,
  message: string,
  name?: string,
  qualifier?: string | null,
): SqlError {
  const pos = name
    ? ctx.src.locate(name, qualifier, ctx.loc ?? undefined)
    : ctx.loc
      ? ctx.src.position(ctx.loc.from)
      : undefined;
  return new SqlError(code, message, pos);
}

function bindNode(n: AstNode, ctx: BindContext): Expr {
  const sub = (x: AstNode | null): Expr => {
    if (!x) throw notSupported('this expression');
    return bindExpr(x, ctx);
  };
  switch (nodeType(n)) {
    case 'column_ref':
      return bindColumn(n, ctx);
    case 'number':
    case 'bigint':
      return numberLiteral(n.value);
    case 'single_quote_string':
      return lit(String(n.value).replace(/''/g, "'"), 'VARCHAR');
    case 'bool':
      return lit(n.value === true, 'BOOLEAN');
    case 'null':
      return lit(null, 'NULL');
    case 'date':
    case 'timestamp':
      return coerce(lit(String(n.value), 'VARCHAR'), n.type === 'date' ? 'DATE' : 'TIMESTAMP');
    case 'binary_expr':
      return bindBinary(n, ctx, sub);
    case 'unary_expr': {
      const arg = sub(child(n, 'expr'));
      if (n.operator === '-') return ops.negate(arg);
      if (n.operator === '+') {
        ops.negate(arg); // unary plus takes the same operands as minus
        return arg;
      }
      if (String(n.operator).toUpperCase() === 'NOT') return ops.not(arg);
      throw notSupported(`operator ${String(n.operator)}`);
    }
    case 'function':
      return bindFunctionCall(n, ctx, sub);
    case 'aggr_func': {
      const name = String(n.name).toLowerCase();
      const args = child(n, 'args');
      const arg = argList(n)[0] ?? null;
      const star = arg !== null && nodeType(arg) === 'star';
      return bindAggregate(
        n,
        (star ? 'count_star' : name) as AggFn,
        star ? null : arg,
        Boolean(args?.distinct),
        ctx,
      );
    }
    case 'cast':
      return bindCast(n, sub);
    case 'extract': {
      const args = child(n, 'args');
      const field = lit(args ? (text(args, 'field') ?? '') : '', 'VARCHAR');
      return datePartCall(
        'date_part',
        datePart(field, DATE_PARTS, 'extract'),
        sub(args ? child(args, 'source') : null),
      );
    }
    case 'case':
      return bindCase(n, sub);
    case 'window_func':
      throw notSupported('window functions');
    case 'interval':
      throw notSupported('INTERVAL');
    case 'star':
      throw typeError('* is only allowed in the SELECT list and in COUNT(*)');
    default:
      if ('ast' in n) throw notSupported('subqueries');
      throw notSupported(`expression ${nodeType(n) || JSON.stringify(n).slice(0, 40)}`);
  }
}

function bindColumn(n: AstNode, ctx: BindContext): Expr {
  const ref = columnRef(n);
  if (ref.column === '*') throw typeError('* is only allowed in the SELECT list and in COUNT(*)');
  const found = ctx.scope.lookup(ref.table, ref.column);
  switch (found.kind) {
    case 'found': {
      const c = ctx.scope.columns[found.index]!;
      return col(found.index, c.type, c.name);
    }
    case 'ambiguous':
      throw bindError(
        ctx,
        'AMBIGUOUS_COLUMN',
        `Ambiguous reference to column name "${ref.column}" (use: ${found.tables.map((t) => `"${t}.${ref.column}"`).join(' or ')})`,
        ref.column,
      );
    case 'no_table':
      throw bindError(
        ctx,
        'UNKNOWN_TABLE',
        `Table "${ref.table}" is not in the FROM clause.${didYouMean(ref.table!, found.tables)}`,
        ref.column,
        ref.table,
      );
    case 'missing': {
      const alias = ref.table
        ? undefined
        : ctx.aliases.find((a) => a.name.toLowerCase() === ref.column.toLowerCase());
      // An alias is bound where it is used, seeing only earlier aliases: no cycles.
      if (alias)
        return bindExpr(alias.ast, {
          ...ctx,
          aliases: ctx.aliases.filter((a) => a.position < alias.position),
          loc: null,
        });
      const where = ref.table
        ? `Table "${ref.table}" does not have a column named "${ref.column}".`
        : `Column "${ref.column}" not found.`;
      const names = [...found.candidates, ...(ref.table ? [] : ctx.aliases.map((a) => a.name))];
      throw bindError(ctx, 'UNKNOWN_COLUMN', where + didYouMean(ref.column, names), ref.column, ref.table);
    }
  }
}

function bindBinary(n: AstNode, ctx: BindContext, sub: (x: AstNode | null) => Expr): Expr {
  const op = String(n.operator).toUpperCase();
  const right = child(n, 'right');
  const list = () => {
    if (!right || nodeType(right) !== 'expr_list') throw notSupported(`${op} with a subquery`);
    return children(right, 'value').map((x) => sub(x));
  };
  if (op === 'AND' || op === 'OR')
    return ops.logic(op === 'AND' ? 'and' : 'or', sub(child(n, 'left')), sub(right));
  if (ops.isComparisonOp(op)) return ops.comparison(op, sub(child(n, 'left')), sub(right));
  if (ops.isArithmeticOp(op)) return ops.arithmetic(op, sub(child(n, 'left')), sub(right));
  switch (op) {
    case 'IN':
    case 'NOT IN':
      return ops.inList(sub(child(n, 'left')), list(), op === 'NOT IN');
    case 'BETWEEN':
    case 'NOT BETWEEN': {
      const [lo, hi] = list();
      if (!lo || !hi) throw notSupported('this BETWEEN form');
      return ops.between(sub(child(n, 'left')), lo, hi, op === 'NOT BETWEEN');
    }
    case 'LIKE':
    case 'NOT LIKE':
    case 'ILIKE':
    case 'NOT ILIKE':
      if (right?.escape) throw notSupported('LIKE … ESCAPE');
      return ops.like(op, sub(child(n, 'left')), sub(right));
    case 'IS':
    case 'IS NOT':
      if (right && nodeType(right) === 'null') return ops.isNull(sub(child(n, 'left')), op === 'IS NOT');
      throw notSupported(right && nodeType(right) === 'bool' ? `${op} TRUE/FALSE` : `${op} DISTINCT FROM`);
    case '||':
      throw notSupported('string concatenation (||)');
    default:
      throw notSupported(`operator ${op}`);
  }
}

function bindFunctionCall(n: AstNode, ctx: BindContext, sub: (x: AstNode | null) => Expr): Expr {
  if (n.over) throw notSupported('window functions');
  const name = functionName(n);
  const distinctAgg = ctx.distinctAggs.get(locOf(n)?.from ?? -1);
  const args = argList(n);
  if (distinctAgg !== undefined || AGGREGATES.has(name)) {
    if (args.length !== 1) throw typeError(`${distinctAgg ?? name}() takes exactly one argument`);
    return bindAggregate(n, (distinctAgg ?? name) as AggFn, args[0]!, distinctAgg !== undefined, ctx);
  }
  if (name === 'not' && args.length === 1) return ops.not(sub(args[0]!));
  if (!isScalarFunction(name)) {
    throw notSupported(`function ${name}()${didYouMean(name, SCALAR_FUNCTIONS)}`);
  }
  return scalarFunction(
    name,
    args.map((a) => sub(a)),
  );
}

function bindAggregate(
  n: AstNode,
  fn: AggFn,
  argAst: AstNode | null,
  distinct: boolean,
  ctx: BindContext,
): Expr {
  // Some aggregate nodes have no location: point at the function's name instead.
  const word = fn === 'count_star' ? 'count' : fn;
  if (!ctx.aggs) throw bindError(ctx, 'TYPE', `${ctx.clause} cannot contain aggregates`, word);
  if (ctx.inAggregate) throw bindError(ctx, 'TYPE', 'aggregate function calls cannot be nested', word);
  const arg = argAst ? bindExpr(argAst, { ...ctx, inAggregate: true }) : undefined;
  return ctx.aggs.add({ ...aggregate(fn, arg, distinct), name: exprName(n, ctx.distinctAggs) });
}
