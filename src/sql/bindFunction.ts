import { notSupported } from './ast.ts';
import { coerce, commonType } from './coerce.ts';
import { call, lit } from './exprUtil.ts';
import type { AggFn, Aggregate, Expr, ScalarFn, SqlType } from './plan.ts';
import { isInteger, isNumeric, isTemporal, typeError } from './sqlTypes.ts';

const ALIASES: Record<string, ScalarFn> = {
  lower: 'lower',
  lcase: 'lower',
  upper: 'upper',
  ucase: 'upper',
  length: 'length',
  len: 'length',
  char_length: 'length',
  character_length: 'length',
  substr: 'substr',
  substring: 'substr',
  trim: 'trim',
  round: 'round',
  abs: 'abs',
  floor: 'floor',
  ceil: 'ceil',
  ceiling: 'ceil',
  coalesce: 'coalesce',
  date_trunc: 'date_trunc',
  datetrunc: 'date_trunc',
  date_part: 'date_part',
  datepart: 'date_part',
};

/** Parts the engine implements, with DuckDB's synonyms folded to one spelling. */
const PART_SYNONYMS: Record<string, string> = {
  years: 'year',
  months: 'month',
  days: 'day',
  hours: 'hour',
  minutes: 'minute',
  seconds: 'second',
  milliseconds: 'millisecond',
  weeks: 'week',
  dayofweek: 'dow',
  weekday: 'dow',
  dayofyear: 'doy',
};
const DATE_PART_PARTS = new Set([
  'year', 'quarter', 'month', 'week', 'day', 'dow', 'isodow', 'doy', 'hour', 'minute', 'second', 'millisecond', 'epoch',
]); // prettier-ignore
const DATE_TRUNC_PARTS = new Set(['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second']);

/** Canonical names, for "did you mean" on unknown functions. */
export const SCALAR_FUNCTIONS = [...new Set(Object.values(ALIASES))];

export function isScalarFunction(name: string): boolean {
  return name in ALIASES;
}

function noMatch(name: string, args: Expr[]): never {
  throw typeError(
    `No function matches the given name and argument types '${name}(${args.map((a) => a.type).join(', ')})'. You might need to add explicit type casts.`,
  );
}

function expectArgs(name: string, args: Expr[], min: number, max: number): void {
  if (args.length < min || args.length > max) noMatch(name, args);
}

/** Integer arguments (substr positions, round digits) keep their type; a NULL one becomes INTEGER. */
const intArg = (e: Expr) => coerce(e, e.type === 'NULL' ? 'INTEGER' : e.type);

const nullOr = (e: Expr, ok: (t: SqlType) => boolean) => e.type === 'NULL' || ok(e.type);

/** A date part argument: a string literal, normalised. */
export function datePart(e: Expr, allowed: Set<string>, fn: string): string {
  if (e.kind !== 'literal' || typeof e.value !== 'string')
    throw notSupported(`${fn} with a part that is not a string literal`);
  const raw = e.value.trim().toLowerCase();
  const part = PART_SYNONYMS[raw] ?? raw;
  if (!allowed.has(part)) throw notSupported(`${fn} part '${e.value}'`);
  return part;
}

/** Binds a scalar function call over already-bound arguments (DuckDB's overloads and result types). */
export function scalarFunction(name: string, args: Expr[]): Expr {
  const fn = ALIASES[name];
  if (fn === undefined) throw notSupported(`function ${name}()`);
  const isVarchar = (t: SqlType) => t === 'VARCHAR';
  switch (fn) {
    case 'lower':
    case 'upper':
    case 'trim':
    case 'length': {
      if (fn === 'trim' && args.length === 2) throw notSupported('trim() with characters to remove');
      expectArgs(name, args, 1, 1);
      if (!nullOr(args[0]!, isVarchar)) noMatch(name, args);
      return call(fn, [coerce(args[0]!, 'VARCHAR')], fn === 'length' ? 'BIGINT' : 'VARCHAR');
    }
    case 'substr': {
      expectArgs(name, args, 2, 3);
      if (!nullOr(args[0]!, isVarchar) || !args.slice(1).every((a) => nullOr(a, isInteger)))
        noMatch(name, args);
      return call(fn, [coerce(args[0]!, 'VARCHAR'), ...args.slice(1).map(intArg)], 'VARCHAR');
    }
    case 'round':
    case 'abs':
    case 'floor':
    case 'ceil': {
      expectArgs(name, args, 1, fn === 'round' ? 2 : 1);
      if (!nullOr(args[0]!, isNumeric) || (args[1] && !nullOr(args[1], isInteger))) noMatch(name, args);
      // DuckDB: round/abs keep the argument's type; floor/ceil return DOUBLE even for integers.
      const t: SqlType =
        fn === 'floor' || fn === 'ceil' ? 'DOUBLE' : args[0]!.type === 'NULL' ? 'DOUBLE' : args[0]!.type;
      return call(fn, [coerce(args[0]!, t), ...args.slice(1).map(intArg)], t);
    }
    case 'coalesce': {
      if (args.length === 0) noMatch(name, args);
      let t = commonType(args, 'mix', 'COALESCE operator');
      if (t === 'NULL') t = 'INTEGER';
      return call(
        fn,
        args.map((a) => coerce(a, t)),
        t,
      );
    }
    case 'date_trunc':
    case 'date_part': {
      expectArgs(name, args, 2, 2);
      const part = datePart(args[0]!, fn === 'date_trunc' ? DATE_TRUNC_PARTS : DATE_PART_PARTS, fn);
      return datePartCall(fn, part, args[1]!);
    }
    default:
      throw notSupported(`function ${name}()`);
  }
}

/** date_trunc → TIMESTAMP (DuckDB 1.x, also for DATE input); date_part → BIGINT, epoch → DOUBLE. */
export function datePartCall(fn: 'date_trunc' | 'date_part', part: string, x: Expr): Expr {
  if (!nullOr(x, isTemporal)) noMatch(fn, [lit(part, 'VARCHAR'), x]);
  const arg = x.type === 'NULL' ? lit(null, 'TIMESTAMP') : x;
  const type: SqlType = fn === 'date_trunc' ? 'TIMESTAMP' : part === 'epoch' ? 'DOUBLE' : 'BIGINT';
  return call(fn, [lit(part, 'VARCHAR'), arg], type);
}

export const DATE_PARTS = DATE_PART_PARTS;

/** Types an aggregate over its bound argument (name is set by the caller). */
export function aggregate(fn: AggFn, arg: Expr | undefined, distinct: boolean): Omit<Aggregate, 'name'> {
  if (fn === 'count_star' || !arg) return { fn: 'count_star', distinct: false, type: 'BIGINT' };
  const bad = () => noMatch(fn, [arg]);
  switch (fn) {
    case 'count':
      // COUNT of a non-null constant counts rows: the cheaper count_star (same result).
      if (arg.kind === 'literal' && arg.value !== null && !distinct)
        return { fn: 'count_star', distinct: false, type: 'BIGINT' };
      return { fn, arg: coerce(arg, arg.type === 'NULL' ? 'INTEGER' : arg.type), distinct, type: 'BIGINT' };
    case 'sum': {
      // SUM is HUGEINT in DuckDB; BIGINT here with overflow as an error (plan.ts), BOOLEAN counts trues.
      if (arg.type === 'DOUBLE') return { fn, arg, distinct, type: 'DOUBLE' };
      if (!nullOr(arg, (t) => isInteger(t) || t === 'BOOLEAN')) bad();
      const a = arg.type === 'BIGINT' ? arg : coerce(arg, 'INTEGER');
      return { fn, arg: a, distinct, type: 'BIGINT' };
    }
    case 'avg':
      if (isTemporal(arg.type)) throw notSupported(`AVG of ${arg.type}`);
      if (!nullOr(arg, isNumeric)) bad();
      return { fn, arg: coerce(arg, arg.type === 'NULL' ? 'DOUBLE' : arg.type), distinct, type: 'DOUBLE' };
    case 'min':
    case 'max': {
      const a = coerce(arg, arg.type === 'NULL' ? 'INTEGER' : arg.type);
      return { fn, arg: a, distinct: false, type: a.type };
    }
  }
}
