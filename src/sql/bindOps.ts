import { notSupported } from './ast.ts';
import { coerce, commonType, toBoolean } from './coerce.ts';
import { call, lit } from './exprUtil.ts';
import type { Expr, ScalarFn, SqlType } from './plan.ts';
import { isNumeric, isTemporal, typeError, widerNumeric } from './sqlTypes.ts';

const COMPARE: Record<string, ScalarFn> = {
  '=': 'eq',
  '!=': 'neq',
  '<>': 'neq',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
};
const ARITH: Record<string, ScalarFn> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '/': 'divide',
  '%': 'modulo',
};

export function isComparisonOp(op: string): boolean {
  return op in COMPARE;
}

export function isArithmeticOp(op: string): boolean {
  return op in ARITH;
}

/** Both operands end up with one type (casts inserted), so the engine compares like with like. */
export function comparison(op: string, l: Expr, r: Expr): Expr {
  const fn = COMPARE[op]!;
  const t = commonType([l, r], fn === 'eq' || fn === 'neq' ? 'eq' : 'order', 'comparison');
  if (t === 'NULL') return lit(null, 'BOOLEAN');
  return call(fn, [coerce(l, t), coerce(r, t)], 'BOOLEAN');
}

/** INTEGER op INTEGER stays INTEGER (overflow is a run-time error), `/` is always DOUBLE. */
export function arithmetic(op: string, l: Expr, r: Expr): Expr {
  const fn = ARITH[op]!;
  const lt = l.type === 'NULL' ? r.type : l.type;
  const rt = r.type === 'NULL' ? l.type : r.type;
  if (isTemporal(lt) || isTemporal(rt)) throw notSupported('date/time arithmetic');
  const ok = (t: SqlType) => isNumeric(t) || t === 'NULL';
  if (!ok(lt) || !ok(rt))
    throw typeError(
      `No function matches the given name and argument types '${op}(${l.type}, ${r.type})'. You might need to add explicit type casts.`,
    );
  let t: SqlType = lt === 'NULL' ? 'INTEGER' : widerNumeric(lt, rt);
  if (fn === 'divide') t = 'DOUBLE';
  return call(fn, [coerce(l, t), coerce(r, t)], t);
}

export function negate(e: Expr): Expr {
  if (e.type === 'NULL') return lit(null, 'INTEGER');
  if (!isNumeric(e.type))
    throw typeError(
      `No function matches the given name and argument types '-(${e.type})'. You might need to add explicit type casts.`,
    );
  return call('negate', [e], e.type);
}

export function logic(fn: 'and' | 'or', l: Expr, r: Expr): Expr {
  const what = fn.toUpperCase() + ' operand';
  return call(fn, [toBoolean(l, what), toBoolean(r, what)], 'BOOLEAN');
}

export function not(e: Expr): Expr {
  return call('not', [toBoolean(e, 'NOT operand')], 'BOOLEAN');
}

export function inList(arg: Expr, list: Expr[], negated: boolean): Expr {
  const t = commonType([arg, ...list], 'eq', 'IN list');
  if (t === 'NULL') return lit(null, 'BOOLEAN');
  return { kind: 'in', arg: coerce(arg, t), list: list.map((e) => coerce(e, t)), negated, type: 'BOOLEAN' };
}

/** `x BETWEEN lo AND hi` is `x >= lo AND x <= hi` (three-valued logic agrees), in one common type. */
export function between(x: Expr, lo: Expr, hi: Expr, negated: boolean): Expr {
  let t: SqlType;
  try {
    t = commonType([x, lo, hi], 'order', 'BETWEEN');
  } catch {
    throw typeError(
      `Cannot mix values of type ${x.type} and ${lo.type === x.type ? hi.type : lo.type} in BETWEEN clause - an explicit cast is required`,
    );
  }
  if (t === 'NULL') return lit(null, 'BOOLEAN');
  const [cx, clo, chi] = [coerce(x, t), coerce(lo, t), coerce(hi, t)];
  const both = call('and', [call('gte', [cx, clo], 'BOOLEAN'), call('lte', [cx, chi], 'BOOLEAN')], 'BOOLEAN');
  return negated ? call('not', [both], 'BOOLEAN') : both;
}

export function like(op: string, value: Expr, pattern: Expr): Expr {
  const fn: ScalarFn = (
    { LIKE: 'like', 'NOT LIKE': 'not_like', ILIKE: 'ilike', 'NOT ILIKE': 'not_ilike' } as const
  )[op as 'LIKE'];
  for (const e of [value, pattern])
    if (e.type !== 'VARCHAR' && e.type !== 'NULL')
      throw typeError(
        `No function matches the given name and argument types '${op}(${value.type}, ${pattern.type})'. You might need to add explicit type casts.`,
      );
  return call(fn, [coerce(value, 'VARCHAR'), coerce(pattern, 'VARCHAR')], 'BOOLEAN');
}

export function isNull(e: Expr, negated: boolean): Expr {
  return call(negated ? 'is_not_null' : 'is_null', [e], 'BOOLEAN');
}
