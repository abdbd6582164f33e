import { lit } from './exprUtil.ts';
import { castAllowed, castLiteral } from './literals.ts';
import type { Expr, SqlType } from './plan.ts';
import { isNumeric, isTemporal, typeError, widerNumeric } from './sqlTypes.ts';

/** A string literal adapts to the other side's type, as DuckDB's STRING_LITERAL does. */
export function isStringLiteral(e: Expr): boolean {
  return e.kind === 'literal' && e.type === 'VARCHAR';
}

/** `e` as type `to`: NULL literals retyped, other literals folded when exact, else a cast node. */
export function coerce(e: Expr, to: SqlType): Expr {
  if (e.type === to || to === 'NULL') return e;
  if (e.kind === 'literal') {
    const folded = castLiteral(e.value, e.type, to);
    if (folded) return lit(folded.value, to);
  }
  if (!castAllowed(e.type, to)) throw typeError(`Unimplemented type for cast (${e.type} -> ${to})`);
  return { kind: 'cast', arg: e, type: to };
}

/**
 * How DuckDB picks the type several values are compared or merged in:
 * - `eq` (=, <>, IN): a VARCHAR expression is cast to the other type (DuckDB does this at run time);
 * - `order` (<, >, BETWEEN): a VARCHAR expression against another type is an error;
 * - `mix` (COALESCE, CASE results): likewise an error.
 * String literals always adapt; INTEGER < BIGINT < DOUBLE widen; DATE meets TIMESTAMP as TIMESTAMP.
 */
export function commonType(exprs: Expr[], mode: 'eq' | 'order' | 'mix', what: string): SqlType {
  const typed = exprs.filter((e) => e.type !== 'NULL');
  if (typed.length === 0) return 'NULL';
  const fixed = typed.filter((e) => !isStringLiteral(e));
  if (fixed.length === 0) return 'VARCHAR';
  return fixed.slice(1).reduce<SqlType>((t, e) => pairType(t, e.type, mode, what), fixed[0]!.type);
}

function pairType(a: SqlType, b: SqlType, mode: 'eq' | 'order' | 'mix', what: string): SqlType {
  if (a === b) return a;
  if (isNumeric(a) && isNumeric(b)) return widerNumeric(a, b);
  if (isTemporal(a) && isTemporal(b)) return 'TIMESTAMP';
  if (mode !== 'mix' && (a === 'BOOLEAN' || b === 'BOOLEAN') && (isNumeric(a) || isNumeric(b)))
    return a === 'BOOLEAN' ? b : a;
  if (mode === 'eq' && (a === 'VARCHAR' || b === 'VARCHAR')) {
    const other = a === 'VARCHAR' ? b : a;
    if (castAllowed('VARCHAR', other)) return other;
  }
  if (mode === 'mix')
    throw typeError(`Cannot mix values of type ${a} and ${b} in ${what} - an explicit cast is required`);
  throw typeError(`Cannot compare values of type ${a} and type ${b} - an explicit cast is required`);
}

/** A condition (WHERE, ON, AND/OR/NOT operand): DuckDB casts numbers and strings to BOOLEAN. */
export function toBoolean(e: Expr, what: string): Expr {
  if (e.type === 'BOOLEAN') return e;
  if (e.type === 'NULL') return lit(null, 'BOOLEAN');
  if (isTemporal(e.type)) throw typeError(`${what} must be a BOOLEAN, not ${e.type}`);
  return coerce(e, 'BOOLEAN');
}
