import type { Expr, Literal, SqlType } from '../../sql/plan.ts';
import { SqlError } from '../../sql/SqlError.ts';
import type { Batch, Rows } from '../Batch.ts';
import { minus } from '../Batch.ts';
import { literalScalar } from '../buildVec.ts';
import type { Vec } from '../vec.ts';
import { constVec, isNullAt } from '../vec.ts';
import { arith, negate } from './arith.ts';
import { castVec } from './cast.ts';
import { coerceTo } from './coerce.ts';
import { compareVec } from './compare.ts';
import { datePart, dateTrunc } from './dates.ts';
import { evalFilter } from './evalFilter.ts';
import { like } from './like.ts';
import { andOr, inList, isNull, not, undecided } from './logic.ts';
import { abs, floorCeil, round } from './math.ts';
import { length, lower, substr, trim, upper } from './strings.ts';
import { VecWriter } from './VecWriter.ts';

/**
 * Evaluates an expression over the rows `r` of batch `b`, vector at a time: the result has b's
 * physical length and is only defined at the rows of `r`. Conditional parts (CASE branches,
 * COALESCE fallbacks, the right side of AND/OR) only run on the rows that reach them, so
 * `CASE WHEN x <> 0 THEN 10 % x END` never divides by zero.
 */
export function evalExpr(e: Expr, b: Batch, r: Rows): Vec {
  switch (e.kind) {
    case 'column':
      return b.col(e.index);
    case 'literal':
      return literal(e.value, e.type, r);
    case 'cast':
      return castVec(evalExpr(e.arg, b, r), e.type, r);
    case 'in':
      return inList(
        evalExpr(e.arg, b, r),
        e.list.map((x) => evalExpr(x, b, r)),
        e.negated,
        r,
      );
    case 'case':
      return caseWhen(e.whens, e.else, e.type, b, r);
    case 'call':
      return call(e, b, r);
  }
}

function literal(value: Literal, type: SqlType, r: Rows): Vec {
  // A DATE/TIMESTAMP literal should arrive as a number; accept text too and parse it like a CAST.
  if (typeof value === 'string' && type !== 'VARCHAR' && type !== 'BIGINT')
    return castVec(constVec('VARCHAR', value), type, r);
  return constVec(type, literalScalar(value, type));
}

function call(e: Expr & { kind: 'call' }, b: Batch, r: Rows): Vec {
  const arg = (i: number): Vec => {
    const a = e.args[i];
    if (!a) throw new SqlError('TYPE', `${e.fn} is missing argument ${i + 1}`);
    return evalExpr(a, b, r);
  };
  switch (e.fn) {
    case 'add':
    case 'subtract':
    case 'multiply':
    case 'divide':
    case 'modulo':
      return arith(e.fn, arg(0), arg(1), e.type, r);
    case 'negate':
      return negate(arg(0), e.type, r);
    case 'eq':
    case 'neq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return compareVec(e.fn, arg(0), arg(1), r);
    case 'and':
    case 'or': {
      const a = arg(0);
      const rest = undecided(e.fn, a, r);
      const right = e.args[1];
      if (!right) throw new SqlError('TYPE', `${e.fn} needs two arguments`);
      return andOr(e.fn, a, evalExpr(right, b, rest), r);
    }
    case 'not':
      return not(arg(0), r);
    case 'is_null':
    case 'is_not_null':
      return isNull(arg(0), r, e.fn === 'is_not_null');
    case 'like':
    case 'ilike':
    case 'not_like':
    case 'not_ilike':
      return like(arg(0), arg(1), e.fn.endsWith('ilike'), e.fn.startsWith('not_'), r);
    case 'lower':
      return lower(arg(0), r);
    case 'upper':
      return upper(arg(0), r);
    case 'length':
      return castVec(length(arg(0), r), e.type, r);
    case 'substr':
      return substr(
        e.args.map((_, i) => arg(i)),
        r,
      );
    case 'trim':
      return trim(arg(0), r);
    case 'round':
      return round(
        e.args.map((_, i) => arg(i)),
        e.type,
        r,
      );
    case 'abs':
      return abs(arg(0), e.type, r);
    case 'floor':
    case 'ceil':
      return floorCeil(e.fn, arg(0), e.type, r);
    case 'coalesce':
      return coalesce(e.args, e.type, b, r);
    case 'date_trunc':
      return dateTrunc(arg(0), arg(1), e.type, r);
    case 'date_part':
      return datePart(arg(0), arg(1), e.type, r);
  }
}

/** CASE: each WHEN runs on the rows no earlier WHEN took; each THEN only on its own rows. */
function caseWhen(
  whens: { when: Expr; then: Expr }[],
  otherwise: Expr | null,
  type: SqlType,
  b: Batch,
  r: Rows,
): Vec {
  const out = new VecWriter(type, r.n);
  let rest: Rows = r;
  for (const w of whens) {
    if (rest.count === 0) break;
    const hit = evalFilter(w.when, b, rest);
    if (hit.count > 0) out.copyFrom(coerceTo(evalExpr(w.then, b, hit), type, hit), hit);
    rest = minus(rest, hit);
  }
  if (rest.count > 0) {
    if (otherwise) out.copyFrom(coerceTo(evalExpr(otherwise, b, rest), type, rest), rest);
    else out.setNull(rest);
  }
  return out.finish();
}

/** COALESCE: each argument runs only on the rows still NULL. */
function coalesce(args: Expr[], type: SqlType, b: Batch, r: Rows): Vec {
  const out = new VecWriter(type, r.n);
  let rest: Rows = r;
  for (const a of args) {
    if (rest.count === 0) break;
    const v = coerceTo(evalExpr(a, b, rest), type, rest);
    out.copyFrom(v, rest);
    rest = nullRows(v, rest);
  }
  return out.finish();
}

function nullRows(v: Vec, r: Rows): Rows {
  if (v.kind === 'const') return v.value === null ? r : { n: r.n, sel: new Uint32Array(0), count: 0 };
  if (v.nulls === null) return { n: r.n, sel: new Uint32Array(0), count: 0 };
  const out = new Uint32Array(r.count);
  let k = 0;
  const s = r.sel;
  for (let j = 0; j < r.count; j++) {
    const i = s === null ? j : s[j]!;
    if (isNullAt(v, i)) out[k++] = i;
  }
  return { n: r.n, sel: out, count: k };
}
