import { call, isLit, isNullLit, lit, mapChildren } from './exprUtil.ts';
import { castLiteral } from './literals.ts';
import type { Expr, Literal, ScalarFn, SqlType } from './plan.ts';

/** Functions whose result is NULL whenever an argument is NULL (so `x + NULL` folds to NULL). */
const STRICT = new Set<ScalarFn>([
  'add', 'subtract', 'multiply', 'divide', 'modulo', 'negate', 'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'not',
  'like', 'ilike', 'not_like', 'not_ilike', 'lower', 'upper', 'length', 'substr', 'trim', 'round', 'abs',
  'floor', 'ceil', 'date_trunc', 'date_part',
]); // prettier-ignore

/**
 * Constant folding, bottom-up. Only folds what is certain to equal DuckDB's result: integer
 * overflow, division by zero and pattern matching are left to the engine (which raises or
 * computes them exactly as at run time).
 */
export function fold(e: Expr): Expr {
  const f = mapChildren(e, fold);
  switch (f.kind) {
    case 'cast':
      if (isLit(f.arg)) {
        try {
          const r = castLiteral(f.arg.value, f.arg.type, f.type);
          if (r) return lit(r.value, f.type);
        } catch {
          // an invalid literal cast fails when it runs, as in DuckDB (e.g. in a branch never taken)
        }
      }
      return f;
    case 'in': {
      if (isNullLit(f.arg)) return lit(null, 'BOOLEAN');
      if (!isLit(f.arg) || !f.list.every(isLit)) return f;
      const arg = f.arg;
      let sawNull = false;
      for (const x of f.list) {
        if (x.value === null) sawNull = true;
        else if (compare(arg.value, x.value, arg.type) === 0) return lit(!f.negated, 'BOOLEAN');
      }
      return lit(sawNull ? null : f.negated, 'BOOLEAN');
    }
    case 'case': {
      const whens = f.whens.filter((w) => !(isLit(w.when) && w.when.value !== true));
      const first = whens[0];
      if (first && isLit(first.when)) return first.then;
      if (whens.length === 0) return f.else ?? lit(null, f.type);
      return { ...f, whens };
    }
    case 'call':
      return foldCall(f);
    default:
      return f;
  }
}

function foldCall(f: Extract<Expr, { kind: 'call' }>): Expr {
  const args = f.args;
  if (STRICT.has(f.fn) && args.some(isNullLit)) return lit(null, f.type);
  const [a, b] = args as [Expr, Expr | undefined];
  switch (f.fn) {
    case 'and':
    case 'or': {
      // FALSE dominates AND, TRUE dominates OR; the neutral value drops out (three-valued logic).
      const dominant = f.fn === 'or';
      if (args.some((x) => isLit(x) && x.value === dominant)) return lit(dominant, 'BOOLEAN');
      const rest = args.filter((x) => !(isLit(x) && x.value === !dominant));
      if (rest.length === 0) return lit(!dominant, 'BOOLEAN');
      if (rest.length === 1) return rest[0]!;
      if (rest.every(isNullLit)) return lit(null, 'BOOLEAN');
      return rest.length === args.length ? f : call(f.fn, rest, 'BOOLEAN');
    }
    case 'not':
      return isLit(a) ? lit(!a.value, 'BOOLEAN') : (pushNot(a) ?? f);
    case 'is_null':
    case 'is_not_null':
      return isLit(a) ? lit((a.value === null) === (f.fn === 'is_null'), 'BOOLEAN') : f;
    case 'coalesce': {
      const rest = args.filter((x, i) => !isNullLit(x) || i === args.length - 1);
      if (rest[0] && (isLit(rest[0]) || rest.length === 1)) return rest[0];
      return rest.length === args.length ? f : call('coalesce', rest, f.type);
    }
    case 'eq':
    case 'neq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      if (!isLit(a) || !b || !isLit(b)) return f;
      const c = compare(a.value, b.value, a.type);
      const r = { eq: c === 0, neq: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 }[f.fn];
      return lit(r, 'BOOLEAN');
    }
    case 'add':
    case 'subtract':
    case 'multiply':
    case 'divide':
    case 'modulo':
    case 'negate': {
      if (!args.every(isLit)) return f;
      const v = arithmetic(
        f.fn,
        args.map((x) => (x as { value: Literal }).value),
        f.type,
      );
      return v === undefined ? f : lit(v, f.type);
    }
    default:
      return f;
  }
}

const INVERSE: Partial<Record<ScalarFn, ScalarFn>> = {
  eq: 'neq', neq: 'eq', lt: 'gte', gte: 'lt', gt: 'lte', lte: 'gt',
  is_null: 'is_not_null', is_not_null: 'is_null',
  like: 'not_like', not_like: 'like', ilike: 'not_ilike', not_ilike: 'ilike',
}; // prettier-ignore

/**
 * NOT over a comparison, null test, pattern or IN becomes the inverse operator, which is equal
 * under three-valued logic (NULL stays NULL) and DuckDB's total order (NaN is largest), and gives
 * zone-map pruning a plain comparison to work with.
 */
function pushNot(a: Expr): Expr | undefined {
  if (a.kind === 'in') return { ...a, negated: !a.negated };
  if (a.kind !== 'call') return undefined;
  if (a.fn === 'not') return a.args[0];
  const inv = INVERSE[a.fn];
  return inv ? { ...a, fn: inv } : undefined;
}

const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;

function arithmetic(fn: ScalarFn, vals: Literal[], type: SqlType): Literal | undefined {
  if (type === 'BIGINT') {
    const [x, y] = vals.map((v) => BigInt(v as string | number));
    let r: bigint;
    if (fn === 'negate') r = -x!;
    else if ((fn === 'divide' || fn === 'modulo') && y === 0n) return undefined;
    else r = { add: x! + y!, subtract: x! - y!, multiply: x! * y!, modulo: y ? x! % y : 0n }[fn as 'add'];
    return r < INT64[0] || r > INT64[1] ? undefined : r.toString();
  }
  const [x, y] = vals as number[];
  if ((fn === 'divide' || fn === 'modulo') && y === 0) return undefined;
  const r =
    fn === 'negate'
      ? -x!
      : { add: x! + y!, subtract: x! - y!, multiply: x! * y!, divide: x! / y!, modulo: x! % y! }[fn as 'add'];
  if (type === 'INTEGER' && (r < INT32[0] || r > INT32[1])) return undefined;
  return Object.is(r, -0) && type === 'INTEGER' ? 0 : r;
}

/** Three-way comparison of two non-null values of one type, in DuckDB's order. */
export function compare(x: Literal, y: Literal, type: SqlType): number {
  if (type === 'BIGINT') {
    const [a, b] = [BigInt(x as string), BigInt(y as string)];
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (type === 'VARCHAR') return compareStrings(String(x), String(y));
  const [a, b] = [Number(x), Number(y)];
  // DuckDB orders NaN above every number and equal to itself.
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-point order (= UTF-8 byte order, DuckDB's), not JavaScript's UTF-16 order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
}
