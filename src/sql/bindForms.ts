import { child, children, nodeType, notSupported, text, type AstNode } from './ast.ts';
import * as ops from './bindOps.ts';
import { coerce, commonType, toBoolean } from './coerce.ts';
import { lit } from './exprUtil.ts';
import { castAllowed, castLiteral } from './literals.ts';
import type { Expr } from './plan.ts';
import { castTarget, typeError } from './sqlTypes.ts';

/** Binds a child node in the caller's context. */
type Sub = (x: AstNode | null) => Expr;

/**
 * A numeric literal as DuckDB types it: integers are INTEGER when they fit in 32 bits, else
 * BIGINT; decimals and exponents are DOUBLE here (DuckDB: DECIMAL / DOUBLE).
 */
export function numberLiteral(v: unknown): Expr {
  const s = String(v);
  if (/[.eE]/.test(s)) return lit(Number(s), 'DOUBLE');
  // The grammar turns negative literals into JS numbers, losing digits beyond 2^53.
  if (typeof v === 'number' && !Number.isSafeInteger(v))
    throw notSupported(`negative integer literals beyond ±2^53 (write -(n) instead)`);
  const b = BigInt(s);
  // DuckDB types -2147483648 as BIGINT: it is the negation of the BIGINT literal 2147483648.
  if (b >= -2147483647n && b <= 2147483647n) return lit(Number(b), 'INTEGER');
  if (b >= -(2n ** 63n) && b < 2n ** 63n) return lit(b.toString(), 'BIGINT');
  throw notSupported('integer literals beyond the BIGINT range (HUGEINT)');
}

/** CAST(x AS t) and x::t, also chained (`x::int::text` has two targets, applied in order). */
export function bindCast(n: AstNode, sub: Sub): Expr {
  const targets = children(n, 'target');
  if (targets.length === 0) throw notSupported('this CAST form');
  const argAst = child(n, 'expr');
  // DuckDB's decimal literals are DECIMAL, whose cast to integers rounds half away from zero.
  let decimal = argAst !== null && nodeType(argAst) === 'number' && /\./.test(String(argAst.value));
  let e = sub(argAst);
  for (const target of targets) {
    const to = castTarget(text(target, 'dataType') ?? '', target.length);
    const folded = e.kind === 'literal' ? castLiteral(e.value, e.type, to, decimal) : undefined;
    decimal = false;
    if (folded) e = lit(folded.value, to);
    else if (!castAllowed(e.type, to)) throw typeError(`Unimplemented type for cast (${e.type} -> ${to})`);
    else if (e.type !== to) e = { kind: 'cast', arg: e, type: to };
  }
  return e;
}

/** Searched `CASE WHEN c THEN v … END` and simple `CASE x WHEN v THEN …` (as x = v). */
export function bindCase(n: AstNode, sub: Sub): Expr {
  const operand = child(n, 'expr');
  const arms = children(n, 'args');
  const whens = arms.filter((a) => a.type === 'when');
  const elseArm = arms.find((a) => a.type === 'else');
  const subject = operand ? sub(operand) : null;
  const conds = whens.map((w) => {
    const c = sub(child(w, 'cond'));
    return subject ? ops.comparison('=', subject, c) : toBoolean(c, 'CASE WHEN condition');
  });
  const results = [
    ...whens.map((w) => sub(child(w, 'result'))),
    ...(elseArm ? [sub(child(elseArm, 'result'))] : []),
  ];
  let t = commonType(results, 'mix', 'CASE expression');
  if (t === 'NULL') t = 'INTEGER';
  return {
    kind: 'case',
    whens: conds.map((when, k) => ({ when, then: coerce(results[k]!, t) })),
    else: elseArm ? coerce(results[results.length - 1]!, t) : null,
    type: t,
  };
}
