// A fast-check generator of random, type-correct queries in the SQL scope of issue #3, over the
// generated tables t, u and e (tables.ts). Every query is deterministic: without an ORDER BY the
// result is compared as a multiset; with LIMIT, the ORDER BY covers every output column.
//
// Grammar (depth-bounded; every binary operation is parenthesised):
//   query     := filter | project | aggregate | order | join
//   filter    := SELECT (* | col, …) FROM tbl [AS x] WHERE pred
//   project   := SELECT expr AS c0, … FROM tbl [AS x] [WHERE pred]
//   aggregate := SELECT [key AS c0, …,] agg AS cN, … FROM tbl [WHERE pred]
//                [GROUP BY (key, … | 1, 2, …) [HAVING hpred]] [ORDER BY 1, 2, … [LIMIT n]]
//   order     := SELECT [DISTINCT] expr AS c0, … FROM tbl [WHERE pred]
//                ORDER BY okey, … (every column, then optionally LIMIT n [OFFSET m]; or a prefix)
//   join      := SELECT … FROM tbl [AS a] [LEFT] JOIN tbl [AS b] ON a.k = b.k [AND a.cat = b.grp]
//                [WHERE pred] [GROUP BY …]
//   okey      := (cN | ordinal | expr) [ASC | DESC] [NULLS FIRST | NULLS LAST]
//   expr:int   := col | lit | (int + - int) | (int * small) | (int % lit) | -(int) | abs | round
//               | length(str) | extract(part FROM date|ts) | date_part('part', date|ts)
//               | CAST(float AS INTEGER) | coalesce(int, int)
//   expr:float := col | lit | (float + - * num) | (num / num) | round(float[, n]) | floor | ceil
//               | abs | CAST(int AS DOUBLE) | coalesce(float, lit)
//   expr:str   := col | lit | lower | upper | trim | substr(str, a[, b]) | CAST(int|date AS VARCHAR)
//               | coalesce(str, lit)
//   expr:date  := col | CAST('…' AS DATE) | CAST(ts AS DATE) | coalesce(date, lit)
//   expr:ts    := col | CAST('…' AS TIMESTAMP) | date_trunc('part', ts|date) | CAST(date AS TIMESTAMP)
//   pred       := bool col | cmp(T, T) | T [NOT] BETWEEN lit AND lit | T [NOT] IN (lit, … [, NULL])
//               | str [NOT] [I]LIKE pattern | expr IS [NOT] NULL | NOT pred | pred AND|OR pred
//   agg        := COUNT(*) | COUNT(expr) | COUNT(DISTINCT expr) | SUM(int|float) | AVG(num)
//               | MIN(expr) | MAX(expr)
import fc from 'fast-check';
import type { DatasetInfo } from '../../src/lake/api.ts';
import type { ColumnType } from '../../src/storage/manifest.ts';
import { CATEGORIES, GROUPS, TAGS } from './tables.ts';

export type Ty = 'int' | 'float' | 'str' | 'bool' | 'date' | 'ts';
const TYPES: Ty[] = ['int', 'float', 'str', 'bool', 'date', 'ts'];

export interface GenColumn {
  name: string;
  ty: Ty;
  /** BIGINT: arithmetic on it may leave int64, so SUM only takes the bare column. */
  wide: boolean;
}
export interface GenTable {
  name: string;
  columns: GenColumn[];
}

/** A generated query and how to compare it (see CompareOptions.orderKeys). */
export interface GenQuery {
  sql: string;
  orderKeys?: number[];
}

interface E {
  sql: string;
  ty: Ty;
}
/** A column as the query refers to it (bare or qualified). */
interface Ref {
  sql: string;
  ty: Ty;
  wide: boolean;
}

const TY_OF: Record<ColumnType, Ty> = {
  INTEGER: 'int',
  BIGINT: 'int',
  DOUBLE: 'float',
  VARCHAR: 'str',
  BOOLEAN: 'bool',
  DATE: 'date',
  TIMESTAMP: 'ts',
};

/** The generator's view of the generated tables t, u and e, from the schemas our ingest inferred. */
export function schemaOf(tables: Map<string, DatasetInfo>): GenTable[] {
  return ['t', 'u', 'e'].map((name) => {
    const info = tables.get(name);
    if (!info) throw new Error(`table ${name} is missing`);
    return {
      name,
      columns: info.schema.map((c) => ({ name: c.name, ty: TY_OF[c.type], wide: c.type === 'BIGINT' })),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Literals

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAY = 86_400_000;
const MIN_DAY = Date.UTC(1959, 6, 1) / DAY;
const MAX_DAY = Date.UTC(2031, 5, 1) / DAY;

function dateText(day: number): string {
  const d = new Date(day * DAY);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const intLit = fc
  .oneof(
    fc.integer({ min: -10, max: 10 }),
    fc.integer({ min: -60, max: 1500 }),
    fc.integer({ min: 0, max: 15_000 }),
  )
  .map((n) => String(n));
const smallInt = fc.integer({ min: -12, max: 12 }).map(String);
const floatLit = fc.constantFrom('0.5', '2.5', '-1.25', '12.5', '100.75', '-990.5', '0.25', '3.0', '-0.75');
const STRINGS = [
  ...new Set([...CATEGORIES, ...GROUPS, ...TAGS, 'ka', 'Ko', 'kalo', 'zu', 'é', '', 'zzz', 'name_5']),
];
const strLit = fc.constantFrom(...STRINGS).map(sqlString);
const dateLit = fc.integer({ min: MIN_DAY, max: MAX_DAY }).map((d) => `CAST('${dateText(d)}' AS DATE)`);
const tsLit = fc.integer({ min: MIN_DAY * 86_400, max: MAX_DAY * 86_400 }).map((s) => {
  const d = new Date(s * 1000);
  return `CAST('${dateText(Math.floor(s / 86_400))} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}' AS TIMESTAMP)`;
});
const boolLit = fc.constantFrom('true', 'false');

function literal(ty: Ty): fc.Arbitrary<string> {
  switch (ty) {
    case 'int':
      return intLit;
    case 'float':
      return floatLit;
    case 'str':
      return strLit;
    case 'date':
      return dateLit;
    case 'ts':
      return tsLit;
    case 'bool':
      return boolLit;
  }
}

const LIKE_PATTERNS = [
  '%a%',
  'a%',
  '%a',
  '_e%',
  'Beta',
  '%ta%',
  '%',
  '',
  'ka%',
  '%lo%',
  'K%',
  '%_%',
  '__',
  'theta_1',
  'iota%',
  '%🦆%',
  'é%',
  '%ü%',
  'red',
  '%E%',
];
const EXTRACT_PARTS = ['year', 'quarter', 'month', 'day', 'hour', 'minute', 'second', 'dow', 'doy', 'week'];
const TRUNC_PARTS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'];
const CMP = ['=', '!=', '<>', '<', '<=', '>', '>='];

// ---------------------------------------------------------------------------------------------
// Expressions

const w = <T>(arbitrary: fc.Arbitrary<T>, weight: number) => ({ arbitrary, weight });
const e =
  (ty: Ty) =>
  (sql: string): E => ({ sql, ty });

/** Type-directed expression arbitraries over a set of column references, memoised by (type, depth). */
class ExprGen {
  readonly #refs: Ref[];
  readonly #memo = new Map<string, fc.Arbitrary<E>>();
  #narrow: ExprGen | undefined;

  constructor(refs: Ref[]) {
    this.#refs = refs;
  }

  get refs(): Ref[] {
    return this.#refs;
  }

  /** The same generator without BIGINT columns (for SUM arguments that must stay inside int64). */
  narrow(): ExprGen {
    return (this.#narrow ??= new ExprGen(this.#refs.filter((r) => !r.wide)));
  }

  column(ty: Ty): fc.Arbitrary<E> | undefined {
    const cols = this.#refs.filter((r) => r.ty === ty);
    return cols.length ? fc.constantFrom(...cols).map((c) => ({ sql: c.sql, ty })) : undefined;
  }

  anyColumn(): fc.Arbitrary<E> {
    return fc.constantFrom(...this.#refs).map((c) => ({ sql: c.sql, ty: c.ty }));
  }

  expr(ty: Ty, depth: number): fc.Arbitrary<E> {
    const key = `${ty}/${depth}`;
    let arb = this.#memo.get(key);
    if (!arb) {
      arb = this.#build(ty, depth);
      this.#memo.set(key, arb);
    }
    return arb;
  }

  num(depth: number): fc.Arbitrary<E> {
    return fc.oneof(this.expr('int', depth), this.expr('float', depth));
  }

  /** Any type except boolean (for IS NULL, COUNT, MIN/MAX and projections). */
  any(depth: number): fc.Arbitrary<E> {
    return fc.oneof(...(['int', 'float', 'str', 'date', 'ts'] as const).map((t) => this.expr(t, depth)));
  }

  #build(ty: Ty, depth: number): fc.Arbitrary<E> {
    const col = this.column(ty);
    const lit = literal(ty).map(e(ty));
    if (ty === 'bool') return this.#pred(depth);
    const leaf = col ? fc.oneof(w(col, 4), w(lit, 1)) : lit;
    if (depth === 0) return leaf;
    const sub = (t: Ty) => this.expr(t, depth - 1);
    const temporal = fc.oneof(sub('date'), sub('ts'));
    let composite: fc.Arbitrary<E>[];
    switch (ty) {
      case 'int':
        composite = [
          fc
            .tuple(sub('int'), fc.constantFrom('+', '-'), sub('int'))
            .map(([a, op, b]) => `(${a.sql} ${op} ${b.sql})`),
          fc.tuple(sub('int'), smallInt).map(([a, b]) => `(${a.sql} * ${b})`),
          fc
            .tuple(sub('int'), fc.oneof(w(fc.integer({ min: 1, max: 9 }), 9), w(fc.constantFrom(0, -3), 1)))
            .map(([a, b]) => `(${a.sql} % ${b})`),
          sub('int').map((a) => `-(${a.sql})`),
          sub('int').map((a) => `abs(${a.sql})`),
          sub('int').map((a) => `round(${a.sql})`),
          sub('str').map((a) => `length(${a.sql})`),
          fc
            .tuple(fc.constantFrom(...EXTRACT_PARTS), temporal)
            .map(([p, a]) => `extract(${p} FROM ${a.sql})`),
          fc
            .tuple(fc.constantFrom(...EXTRACT_PARTS), temporal)
            .map(([p, a]) => `date_part('${p}', ${a.sql})`),
          sub('float').map((a) => `CAST(${a.sql} AS INTEGER)`),
          fc.tuple(sub('int'), sub('int')).map(([a, b]) => `coalesce(${a.sql}, ${b.sql})`),
        ].map((a) => a.map(e('int')));
        break;
      case 'float':
        composite = [
          fc
            .tuple(sub('float'), fc.constantFrom('+', '-', '*'), this.num(depth - 1))
            .map(([a, op, b]) => `(${a.sql} ${op} ${b.sql})`),
          fc.tuple(this.num(depth - 1), this.num(depth - 1)).map(([a, b]) => `(${a.sql} / ${b.sql})`),
          fc
            .tuple(sub('float'), fc.constantFrom('', ', 0', ', 1', ', 2'))
            .map(([a, n]) => `round(${a.sql}${n})`),
          this.num(depth - 1).map((a) => `floor(${a.sql})`),
          this.num(depth - 1).map((a) => `ceil(${a.sql})`),
          sub('float').map((a) => `abs(${a.sql})`),
          sub('int').map((a) => `CAST(${a.sql} AS DOUBLE)`),
          fc.tuple(sub('float'), floatLit).map(([a, b]) => `coalesce(${a.sql}, ${b})`),
        ].map((a) => a.map(e('float')));
        break;
      case 'str':
        composite = [
          fc.tuple(fc.constantFrom('lower', 'upper', 'trim'), sub('str')).map(([f, a]) => `${f}(${a.sql})`),
          fc
            .tuple(sub('str'), fc.integer({ min: -3, max: 6 }), fc.option(fc.integer({ min: 0, max: 6 })))
            .map(([a, s, l]) => `substr(${a.sql}, ${s}${l === null ? '' : `, ${l}`})`),
          sub('int').map((a) => `CAST(${a.sql} AS VARCHAR)`),
          sub('date').map((a) => `CAST(${a.sql} AS VARCHAR)`),
          fc.tuple(sub('str'), strLit).map(([a, b]) => `coalesce(${a.sql}, ${b})`),
        ].map((a) => a.map(e('str')));
        break;
      case 'date':
        composite = [
          sub('ts').map((a) => `CAST(${a.sql} AS DATE)`),
          fc.tuple(sub('date'), dateLit).map(([a, b]) => `coalesce(${a.sql}, ${b})`),
        ].map((a) => a.map(e('date')));
        break;
      case 'ts':
        composite = [
          fc.tuple(fc.constantFrom(...TRUNC_PARTS), temporal).map(([p, a]) => `date_trunc('${p}', ${a.sql})`),
          sub('date').map((a) => `CAST(${a.sql} AS TIMESTAMP)`),
        ].map((a) => a.map(e('ts')));
        break;
    }
    return fc.oneof(w(leaf, 3 * composite.length), ...composite.map((a) => w(a, 1)));
  }

  /** Predicates: comparisons of depth-1 operands, combined with AND/OR/NOT up to `depth`. */
  #pred(depth: number): fc.Arbitrary<E> {
    const d = Math.max(0, depth - 1);
    const bool = this.column('bool');
    const cmpOf = (arb: fc.Arbitrary<E>, rhs: fc.Arbitrary<E>) =>
      fc.tuple(arb, fc.constantFrom(...CMP), rhs).map(([a, op, b]) => `(${a.sql} ${op} ${b.sql})`);
    const lit = (ty: Ty) => literal(ty).map(e(ty));
    const atoms: fc.Arbitrary<string>[] = [
      cmpOf(this.num(d), fc.oneof(this.num(d), lit('int'), lit('float'))),
      cmpOf(this.expr('str', d), fc.oneof(this.expr('str', d), lit('str'))),
      cmpOf(this.expr('date', d), lit('date')),
      cmpOf(this.expr('ts', d), lit('ts')),
      fc
        .tuple(fc.constantFrom('int', 'float', 'str', 'date') as fc.Arbitrary<Ty>, fc.boolean())
        .chain(([ty, not]) =>
          fc
            .tuple(this.expr(ty, d), literal(ty), literal(ty))
            .map(([a, lo, hi]) => `(${a.sql} ${not ? 'NOT ' : ''}BETWEEN ${lo} AND ${hi})`),
        ),
      fc
        .tuple(fc.constantFrom('int', 'str', 'date') as fc.Arbitrary<Ty>, fc.boolean(), fc.boolean())
        .chain(([ty, not, withNull]) =>
          fc
            .tuple(this.expr(ty, d), fc.array(literal(ty), { minLength: 1, maxLength: 4 }))
            .map(
              ([a, list]) =>
                `(${a.sql} ${not ? 'NOT ' : ''}IN (${[...list, ...(withNull ? ['NULL'] : [])].join(', ')}))`,
            ),
        ),
      fc
        .tuple(
          this.expr('str', d),
          fc.constantFrom('LIKE', 'NOT LIKE', 'ILIKE', 'NOT ILIKE'),
          fc.constantFrom(...LIKE_PATTERNS),
        )
        .map(([a, op, p]) => `(${a.sql} ${op} ${sqlString(p)})`),
      fc
        .tuple(fc.oneof(this.any(d), ...(bool ? [bool] : [])), fc.constantFrom('IS NULL', 'IS NOT NULL'))
        .map(([a, op]) => `(${a.sql} ${op})`),
    ];
    if (bool)
      atoms.push(
        bool.map((b) => b.sql),
        fc.tuple(bool, boolLit).map(([b, l]) => `(${b.sql} = ${l})`),
      );
    const atom = fc.oneof(...atoms);
    if (depth <= 1) return atom.map(e('bool'));
    const sub = this.#pred(depth - 1);
    return fc
      .oneof(
        w(atom, 4),
        w(
          sub.map((a) => `(NOT ${a.sql})`),
          1,
        ),
        w(
          fc.tuple(sub, fc.constantFrom('AND', 'OR'), sub).map(([a, op, b]) => `(${a.sql} ${op} ${b.sql})`),
          3,
        ),
      )
      .map(e('bool'));
  }

  /** Aggregate calls over this generator's columns. */
  aggregate(): fc.Arbitrary<E> {
    const narrow = this.narrow();
    const wide = this.#refs.filter((r) => r.wide);
    const sumInt = wide.length
      ? fc.oneof(
          narrow.expr('int', 1),
          fc.constantFrom(...wide).map((c): E => ({ sql: c.sql, ty: 'int' })),
        )
      : narrow.expr('int', 1);
    return fc.oneof(
      fc.constant<E>({ sql: 'COUNT(*)', ty: 'int' }),
      this.any(0).map((a): E => ({ sql: `COUNT(${a.sql})`, ty: 'int' })),
      this.any(1).map((a): E => ({ sql: `COUNT(DISTINCT ${a.sql})`, ty: 'int' })),
      sumInt.map((a): E => ({ sql: `SUM(${a.sql})`, ty: 'int' })),
      this.expr('float', 1).map((a): E => ({ sql: `SUM(${a.sql})`, ty: 'float' })),
      this.num(1).map((a): E => ({ sql: `AVG(${a.sql})`, ty: 'float' })),
      fc
        .tuple(fc.constantFrom('MIN', 'MAX'), this.any(1))
        .map(([f, a]): E => ({ sql: `${f}(${a.sql})`, ty: a.ty })),
    );
  }

  /** Grouping keys: a column, or a simple expression of one. */
  groupKey(): fc.Arbitrary<E> {
    const of = (ty: Ty) => this.column(ty);
    const keys: fc.Arbitrary<E>[] = [this.anyColumn()];
    const int = of('int');
    const str = of('str');
    const float = of('float');
    const temporal = [of('date'), of('ts')].filter((a): a is fc.Arbitrary<E> => a !== undefined);
    if (int)
      keys.push(fc.tuple(int, fc.integer({ min: 2, max: 7 })).map(([c, m]) => e('int')(`(${c.sql} % ${m})`)));
    if (str) {
      keys.push(fc.tuple(fc.constantFrom('lower', 'upper'), str).map(([f, c]) => e('str')(`${f}(${c.sql})`)));
      keys.push(str.map((c) => e('str')(`substr(${c.sql}, 1, 2)`)));
    }
    if (float) keys.push(float.map((c) => e('float')(`round(${c.sql} / 100)`)));
    if (temporal.length) {
      const t = fc.oneof(...temporal);
      keys.push(
        fc
          .tuple(fc.constantFrom(...TRUNC_PARTS.slice(0, 5)), t)
          .map(([p, c]) => e('ts')(`date_trunc('${p}', ${c.sql})`)),
      );
      keys.push(
        fc
          .tuple(fc.constantFrom('year', 'month', 'dow', 'quarter'), t)
          .map(([p, c]) => e('int')(`extract(${p} FROM ${c.sql})`)),
      );
    }
    return fc.oneof(...keys);
  }
}

// ---------------------------------------------------------------------------------------------
// Queries

function refsOf(table: GenTable, qualifier: string | null): Ref[] {
  return table.columns.map((c) => ({
    sql: qualifier ? `${qualifier}.${c.name}` : c.name,
    ty: c.ty,
    wide: c.wide,
  }));
}

/** `FROM t`, `FROM t AS x` or `FROM t x`, with the matching column references. */
function fromClause(table: GenTable): fc.Arbitrary<{ from: string; gen: ExprGen }> {
  return fc.constantFrom('bare', 'qualified', 'alias', 'alias-no-as').map((style) => {
    switch (style) {
      case 'bare':
        return { from: table.name, gen: new ExprGen(refsOf(table, null)) };
      case 'qualified':
        return { from: table.name, gen: new ExprGen(refsOf(table, table.name)) };
      case 'alias':
        return { from: `${table.name} AS x`, gen: new ExprGen(refsOf(table, 'x')) };
      default:
        return { from: `${table.name} x`, gen: new ExprGen(refsOf(table, 'x')) };
    }
  });
}

const aliased = (exprs: E[], from = 0) => exprs.map((x, i) => `${x.sql} AS c${i + from}`).join(', ');

function filterQuery(table: GenTable): fc.Arbitrary<GenQuery> {
  const gen = new ExprGen(refsOf(table, null));
  return fc
    .tuple(
      fc.oneof(
        w(fc.constant(['*']), 1),
        w(
          fc.subarray(
            table.columns.map((c) => c.name),
            { minLength: 1 },
          ),
          3,
        ),
      ),
      gen.expr('bool', 3),
    )
    .map(([cols, where]) => ({ sql: `SELECT ${cols.join(', ')} FROM ${table.name} WHERE ${where.sql}` }));
}

function projectQuery(table: GenTable): fc.Arbitrary<GenQuery> {
  return fromClause(table).chain(({ from, gen }) =>
    fc
      .tuple(
        fc.array(fc.oneof(...TYPES.map((t) => gen.expr(t, 2))), { minLength: 1, maxLength: 4 }),
        fc.option(gen.expr('bool', 2), { freq: 2 }),
      )
      .map(([exprs, where]) => ({
        sql: `SELECT ${aliased(exprs)} FROM ${from}${where ? ` WHERE ${where.sql}` : ''}`,
      })),
  );
}

/** Shared by single-table and join aggregates. */
function aggregateOver(from: string, gen: ExprGen, where: fc.Arbitrary<E | null>): fc.Arbitrary<GenQuery> {
  return fc
    .record({
      keys: fc.array(gen.groupKey(), { minLength: 0, maxLength: 3 }),
      aggs: fc.array(gen.aggregate(), { minLength: 1, maxLength: 4 }),
      where,
      byOrdinal: fc.boolean(),
      having: fc.option(
        fc.tuple(gen.aggregate(), fc.constantFrom(...CMP), fc.integer({ min: -5, max: 400 })),
        { freq: 3 },
      ),
      orderLimit: fc.option(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 30 })), { freq: 3 }),
    })
    .map(({ keys, aggs, where, byOrdinal, having, orderLimit }) => {
      const select = [...keys, ...aggs];
      let sql = `SELECT ${aliased(select)} FROM ${from}${where ? ` WHERE ${where.sql}` : ''}`;
      if (keys.length) {
        sql += ` GROUP BY ${keys.map((k, i) => (byOrdinal ? String(i + 1) : k.sql)).join(', ')}`;
      }
      if (having) {
        const [agg, op, n] = having;
        // Compare with a literal of the aggregate's own type family.
        const lit =
          agg.ty === 'int' || agg.ty === 'float'
            ? String(n)
            : agg.ty === 'str'
              ? "'m'"
              : agg.ty === 'date'
                ? "CAST('1995-06-15' AS DATE)"
                : "CAST('1995-06-15 12:00:00' AS TIMESTAMP)";
        sql += ` HAVING ${agg.sql} ${op} ${lit}`;
      }
      if (orderLimit) {
        const [desc, limit] = orderLimit;
        sql += ` ORDER BY ${select.map((_, i) => `${i + 1}${desc ? ' DESC' : ''}`).join(', ')} LIMIT ${limit}`;
        return { sql, orderKeys: select.map((_, i) => i) };
      }
      return { sql };
    });
}

function aggregateQuery(table: GenTable): fc.Arbitrary<GenQuery> {
  return fromClause(table).chain(({ from, gen }) =>
    aggregateOver(from, gen, fc.option(gen.expr('bool', 2), { freq: 2 })),
  );
}

function orderQuery(table: GenTable): fc.Arbitrary<GenQuery> {
  return fromClause(table).chain(({ from, gen }) =>
    fc
      .record({
        exprs: fc.array(
          fc.oneof(w(gen.anyColumn(), 3), w(fc.oneof(...TYPES.map((t) => gen.expr(t, 1))), 2)),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        distinct: fc.boolean(),
        where: fc.option(gen.expr('bool', 2), { freq: 2 }),
        perm: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
        keyStyle: fc.array(
          fc.record({
            ref: fc.constantFrom('alias', 'ordinal', 'expr'),
            dir: fc.constantFrom('', ' ASC', ' DESC'),
            nulls: fc.constantFrom('', '', ' NULLS FIRST', ' NULLS LAST'),
          }),
          { minLength: 3, maxLength: 3 },
        ),
        tail: fc.oneof(
          fc.record({
            kind: fc.constant('limit' as const),
            limit: fc.integer({ min: 0, max: 60 }),
            offset: fc.option(fc.integer({ min: 0, max: 40 })),
          }),
          fc.record({ kind: fc.constant('none' as const) }),
          fc.record({ kind: fc.constant('prefix' as const), n: fc.integer({ min: 1, max: 2 }) }),
        ),
      })
      .map(({ exprs, distinct, where, perm, keyStyle, tail }) => {
        // A permutation of the output columns, decided by `perm`'s values (shrinks to identity).
        const order = exprs.map((_, i) => i).sort((a, b) => (perm[a] ?? 0) - (perm[b] ?? 0) || a - b);
        const keyCount = tail.kind === 'prefix' && !distinct ? Math.min(tail.n, order.length) : order.length;
        const keys = order.slice(0, keyCount);
        const okeys = keys.map((i, j) => {
          const st = keyStyle[j]!;
          const ref = st.ref === 'alias' ? `c${i}` : st.ref === 'ordinal' ? String(i + 1) : exprs[i]!.sql;
          return `${ref}${st.dir}${st.nulls}`;
        });
        let sql = `SELECT ${distinct ? 'DISTINCT ' : ''}${aliased(exprs)} FROM ${from}${where ? ` WHERE ${where.sql}` : ''} ORDER BY ${okeys.join(', ')}`;
        if (tail.kind === 'limit' && keyCount === exprs.length) {
          sql += ` LIMIT ${tail.limit}${tail.offset === null ? '' : ` OFFSET ${tail.offset}`}`;
        }
        return { sql, orderKeys: keys };
      }),
  );
}

interface JoinSpec {
  left: string;
  right: string;
  on: [string, string][];
  /** Many rows per key on both sides: keep projections small with a filter on the left id. */
  limitLeft?: string;
}

const JOINS: JoinSpec[] = [
  { left: 't', right: 'u', on: [['k', 'k']] },
  {
    left: 't',
    right: 'u',
    on: [
      ['k', 'k'],
      ['cat', 'grp'],
    ],
  },
  { left: 'u', right: 't', on: [['k', 'k']] },
  { left: 't', right: 'e', on: [['k', 'k']], limitLeft: 'id < 4000' },
  { left: 'e', right: 'u', on: [['k', 'k']] },
  { left: 'u', right: 'e', on: [['k', 'k']] },
];

function joinQuery(tables: GenTable[]): fc.Arbitrary<GenQuery> {
  const byName = new Map(tables.map((t) => [t.name, t]));
  return fc
    .record({
      spec: fc.constantFrom(...JOINS),
      type: fc.constantFrom('JOIN', 'INNER JOIN', 'LEFT JOIN'),
      aliases: fc.boolean(),
      flip: fc.boolean(),
    })
    .chain(({ spec, type, aliases, flip }) => {
      const L = byName.get(spec.left)!;
      const R = byName.get(spec.right)!;
      const [lq, rq] = aliases ? ['a', 'b'] : [L.name, R.name];
      const gen = new ExprGen([...refsOf(L, lq), ...refsOf(R, rq)]);
      const on = spec.on
        .map(([l, r]) => (flip ? `${rq}.${r} = ${lq}.${l}` : `${lq}.${l} = ${rq}.${r}`))
        .join(' AND ');
      const from = `${L.name}${aliases ? ' AS a' : ''} ${type} ${R.name}${aliases ? ' AS b' : ''} ON ${on}`;
      const guard = spec.limitLeft ? `(${lq}.${spec.limitLeft})` : null;
      const where = fc
        .option(gen.expr('bool', 2), { freq: 2 })
        .map((p): E | null => (guard ? { sql: p ? `${guard} AND ${p.sql}` : guard, ty: 'bool' } : p));
      const project = fc
        .tuple(
          fc.array(fc.oneof(w(gen.anyColumn(), 3), w(fc.oneof(...TYPES.map((t) => gen.expr(t, 1))), 1)), {
            minLength: 1,
            maxLength: 4,
          }),
          where,
        )
        .map(([exprs, p]) => ({ sql: `SELECT ${aliased(exprs)} FROM ${from}${p ? ` WHERE ${p.sql}` : ''}` }));
      return fc.oneof(project, aggregateOver(from, gen, where));
    });
}

/** One arbitrary per property of the differential suite. */
export function queryArbitraries(
  tables: GenTable[],
): Record<'filter' | 'project' | 'aggregate' | 'order' | 'join', fc.Arbitrary<GenQuery>> {
  const [t, u, ev] = tables as [GenTable, GenTable, GenTable];
  const pick = (f: (tb: GenTable) => fc.Arbitrary<GenQuery>) => fc.oneof(w(f(t), 4), w(f(u), 1), w(f(ev), 2));
  return {
    filter: pick(filterQuery),
    project: pick(projectQuery),
    aggregate: pick(aggregateQuery),
    order: pick(orderQuery),
    join: joinQuery(tables),
  };
}
