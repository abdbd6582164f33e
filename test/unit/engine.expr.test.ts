import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Expr, PlanNode } from '../../src/sql/plan.ts';
import { tableT } from '../helpers/engineData.ts';
import { EngineOracle } from '../helpers/engineOracle.ts';
import {
  call,
  callT,
  caseWhen,
  cast,
  col,
  filter,
  inList,
  lit,
  project,
  scan,
} from '../helpers/planBuilder.ts';

// Operators and predicates over every column type, against DuckDB: each expression is checked
// as a projected value (vector kernels, NULL propagation) and, when boolean, as a filter
// (selection kernels, three-valued logic: only TRUE rows pass).
let o: EngineOracle;
beforeAll(async () => {
  o = await new EngineOracle().open([{ name: 't', ...tableT(), chunkRows: 600 }]);
});
afterAll(() => o.close());

type Case = [sql: string, expr: (n: PlanNode) => Expr];
const c = col;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

async function checkValue([sql, f]: Case): Promise<void> {
  const plan = project(scan(o.get('t')), (n) => ({ id: c(n, 'id'), v: f(n) }));
  await o.check(plan, `SELECT id, ${sql} AS v FROM t`);
}

async function checkFilter([sql, f]: Case): Promise<void> {
  const plan = project(filter(scan(o.get('t')), f), (n) => ({ id: c(n, 'id') }));
  await o.check(plan, `SELECT id FROM t WHERE ${sql}`);
  // The same predicate pushed into the scan takes the scan's filter path.
  const pushed = project(scan(o.get('t'), undefined, f), (n) => ({ id: c(n, 'id') }));
  await o.check(pushed, `SELECT id FROM t WHERE ${sql}`);
}

const ARITH: Case[] = [
  ['i + id', (n) => call('add', c(n, 'i'), c(n, 'id'))],
  ['i - 7', (n) => call('subtract', c(n, 'i'), lit(7))],
  ['7 - i', (n) => call('subtract', lit(7), c(n, 'i'))],
  ['i * i', (n) => call('multiply', c(n, 'i'), c(n, 'i'))],
  ['i * (b % 100000)', (n) => call('multiply', c(n, 'i'), call('modulo', c(n, 'b'), lit(100000)))],
  ['b + b', (n) => call('add', c(n, 'b'), c(n, 'b'))],
  ['b - i', (n) => call('subtract', c(n, 'b'), c(n, 'i'))],
  ['b * 3', (n) => call('multiply', c(n, 'b'), lit(3))],
  ['d + i', (n) => call('add', c(n, 'd'), c(n, 'i'))],
  ['d * d', (n) => call('multiply', c(n, 'd'), c(n, 'd'))],
  ['i / 7', (n) => call('divide', c(n, 'i'), lit(7))],
  ['i / 0', (n) => call('divide', c(n, 'i'), lit(0))],
  ['d / i', (n) => call('divide', c(n, 'd'), c(n, 'i'))],
  ['b / i', (n) => call('divide', c(n, 'b'), c(n, 'i'))],
  ['i % 7', (n) => call('modulo', c(n, 'i'), lit(7))],
  ['i % 0', (n) => call('modulo', c(n, 'i'), lit(0))],
  ['id % (i % 5)', (n) => call('modulo', c(n, 'id'), call('modulo', c(n, 'i'), lit(5)))],
  ['b % 13', (n) => call('modulo', c(n, 'b'), lit(13))],
  ['b % 0', (n) => call('modulo', c(n, 'b'), lit(0n))],
  ['d % 3.5', (n) => call('modulo', c(n, 'd'), lit(3.5))],
  ['-i', (n) => call('negate', c(n, 'i'))],
  ['-b', (n) => call('negate', c(n, 'b'))],
  ['-d', (n) => call('negate', c(n, 'd'))],
  ['dt + 5', (n) => call('add', c(n, 'dt'), lit(5))],
  ["dt - DATE '2000-01-01'", (n) => callT('subtract', 'BIGINT', c(n, 'dt'), lit(day('2000-01-01'), 'DATE'))],
  ['i + NULL', (n) => call('add', c(n, 'i'), lit(null, 'INTEGER'))],
];

const COMPARE: Case[] = [
  ['i > 30', (n) => call('gt', c(n, 'i'), lit(30))],
  ['30 > i', (n) => call('gt', lit(30), c(n, 'i'))],
  ['i = id', (n) => call('eq', c(n, 'i'), c(n, 'id'))],
  ['i <> 5', (n) => call('neq', c(n, 'i'), lit(5))],
  ['i >= -20', (n) => call('gte', c(n, 'i'), lit(-20))],
  ['i <= 2.5', (n) => call('lte', c(n, 'i'), lit(2.5))],
  ['d <= 12.5', (n) => call('lte', c(n, 'd'), lit(12.5))],
  ['d < i', (n) => call('lt', c(n, 'd'), c(n, 'i'))],
  ['b >= 100000', (n) => call('gte', c(n, 'b'), lit(100000))],
  ['b > d', (n) => call('gt', c(n, 'b'), c(n, 'd'))],
  ['b = i', (n) => call('eq', c(n, 'b'), c(n, 'i'))],
  ['b < 9007199254740993', (n) => call('lt', c(n, 'b'), lit(9007199254740993n))],
  ["s < 'gamma'", (n) => call('lt', c(n, 's'), lit('gamma'))],
  ["s = 'alpha'", (n) => call('eq', c(n, 's'), lit('alpha'))],
  ["s >= '🦆'", (n) => call('gte', c(n, 's'), lit('🦆'))],
  ["dept = 'eng'", (n) => call('eq', c(n, 'dept'), lit('eng'))],
  ["dept <> 'ops'", (n) => call('neq', c(n, 'dept'), lit('ops'))],
  ["dept < 'f'", (n) => call('lt', c(n, 'dept'), lit('f'))],
  ["'f' <= dept", (n) => call('lte', lit('f'), c(n, 'dept'))],
  ['dept >= s', (n) => call('gte', c(n, 'dept'), c(n, 's'))],
  ["dt < DATE '2000-01-01'", (n) => call('lt', c(n, 'dt'), lit(day('2000-01-01'), 'DATE'))],
  [
    "ts > TIMESTAMP '2000-01-01 12:00:00'",
    (n) => call('gt', c(n, 'ts'), lit(Date.parse('2000-01-01T12:00:00Z'), 'TIMESTAMP')),
  ],
  ['dt < ts', (n) => call('lt', c(n, 'dt'), c(n, 'ts'))],
  ["dt = '1999-03-04'", (n) => call('eq', c(n, 'dt'), lit('1999-03-04'))],
  ['flag = true', (n) => call('eq', c(n, 'flag'), lit(true))],
  ['i <> NULL', (n) => call('neq', c(n, 'i'), lit(null))],
];

const LOGIC: Case[] = [
  ['i > 0 AND d > 0', (n) => call('and', call('gt', c(n, 'i'), lit(0)), call('gt', c(n, 'd'), lit(0)))],
  ['i > 0 OR flag', (n) => call('or', call('gt', c(n, 'i'), lit(0)), c(n, 'flag'))],
  ['NOT flag', (n) => call('not', c(n, 'flag'))],
  ['NOT (i > 0)', (n) => call('not', call('gt', c(n, 'i'), lit(0)))],
  ['flag AND NULL', (n) => call('and', c(n, 'flag'), lit(null, 'BOOLEAN'))],
  ['flag OR NULL', (n) => call('or', c(n, 'flag'), lit(null, 'BOOLEAN'))],
  ['i IS NULL', (n) => call('is_null', c(n, 'i'))],
  ['s IS NOT NULL', (n) => call('is_not_null', c(n, 's'))],
  ['dept IS NULL', (n) => call('is_null', c(n, 'dept'))],
  [
    "(i > 0 OR d > 0) AND NOT (dept = 'eng')",
    (n) =>
      call(
        'and',
        call('or', call('gt', c(n, 'i'), lit(0)), call('gt', c(n, 'd'), lit(0))),
        call('not', call('eq', c(n, 'dept'), lit('eng'))),
      ),
  ],
  [
    "lower(dept) >= 'o' AND lower(dept) <= 'r'",
    (n) =>
      call(
        'and',
        call('gte', call('lower', c(n, 'dept')), lit('o')),
        call('lte', call('lower', c(n, 'dept')), lit('r')),
      ),
  ],
  ['i IN (1, 2, 3, 500)', (n) => inList(c(n, 'i'), [lit(1), lit(2), lit(3), lit(500)])],
  ['i IN (1, NULL)', (n) => inList(c(n, 'i'), [lit(1), lit(null)])],
  ['i NOT IN (5, 6)', (n) => inList(c(n, 'i'), [lit(5), lit(6)], true)],
  ['i NOT IN (5, NULL)', (n) => inList(c(n, 'i'), [lit(5), lit(null)], true)],
  ["dept IN ('eng', 'HR')", (n) => inList(c(n, 'dept'), [lit('eng'), lit('HR')])],
  ["s NOT IN ('alpha', 'Beta')", (n) => inList(c(n, 's'), [lit('alpha'), lit('Beta')], true)],
  ['b IN (i, 5)', (n) => inList(c(n, 'b'), [c(n, 'i'), lit(5)])],
  ['d IN (1.5, i)', (n) => inList(c(n, 'd'), [lit(1.5), c(n, 'i')])],
  ["dt IN (DATE '2000-01-01', dt)", (n) => inList(c(n, 'dt'), [lit(day('2000-01-01'), 'DATE'), c(n, 'dt')])],
];

const LIKE: Case[] = [
  ["s LIKE 'a%'", (n) => call('like', c(n, 's'), lit('a%'))],
  ["s LIKE '%a'", (n) => call('like', c(n, 's'), lit('%a'))],
  ["s LIKE '%et%'", (n) => call('like', c(n, 's'), lit('%et%'))],
  ["s LIKE '_eta%'", (n) => call('like', c(n, 's'), lit('_eta%'))],
  ["s LIKE 'a\\_b'", (n) => call('like', c(n, 's'), lit('a\\_b'))],
  ["s LIKE 'a_b%'", (n) => call('like', c(n, 's'), lit('a_b%'))],
  ["s LIKE 'x_y'", (n) => call('like', c(n, 's'), lit('x_y'))],
  ["s LIKE '_duck%'", (n) => call('like', c(n, 's'), lit('_duck%'))],
  ["s LIKE 'a.c'", (n) => call('like', c(n, 's'), lit('a.c'))],
  ["s LIKE 'gamma'", (n) => call('like', c(n, 's'), lit('gamma'))],
  ["dept LIKE 'S%'", (n) => call('like', c(n, 'dept'), lit('S%'))],
  ["dept ILIKE 's%'", (n) => call('ilike', c(n, 'dept'), lit('s%'))],
  ["s ILIKE '%STRASSE%'", (n) => call('ilike', c(n, 's'), lit('%STRASSE%'))],
  ["s ILIKE 'ẞ%'", (n) => call('ilike', c(n, 's'), lit('ẞ%'))],
  ["s ILIKE 'i%'", (n) => call('ilike', c(n, 's'), lit('i%'))],
  ["s NOT LIKE '%a%'", (n) => call('not_like', c(n, 's'), lit('%a%'))],
  ["dept NOT ILIKE 'e%'", (n) => call('not_ilike', c(n, 'dept'), lit('e%'))],
  ['s LIKE dept', (n) => call('like', c(n, 's'), c(n, 'dept'))],
];

const CASES: Case[] = [
  [
    "CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN 'neg' ELSE 'zero' END",
    (n) =>
      caseWhen(
        [
          [call('gt', c(n, 'i'), lit(0)), lit('pos')],
          [call('lt', c(n, 'i'), lit(0)), lit('neg')],
        ],
        lit('zero'),
        'VARCHAR',
      ),
  ],
  [
    'CASE WHEN d > 0 THEN d END',
    (n) => caseWhen([[call('gt', c(n, 'd'), lit(0)), c(n, 'd')]], null, 'DOUBLE'),
  ],
  ['CASE WHEN flag THEN i ELSE b END', (n) => caseWhen([[c(n, 'flag'), c(n, 'i')]], c(n, 'b'), 'BIGINT')],
  [
    'CASE WHEN i <> 0 THEN 1000 / i ELSE -1 END',
    (n) =>
      caseWhen([[call('neq', c(n, 'i'), lit(0)), call('divide', lit(1000), c(n, 'i'))]], lit(-1), 'DOUBLE'),
  ],
  [
    "CASE WHEN dept = 'eng' THEN s ELSE dept END",
    (n) => caseWhen([[call('eq', c(n, 'dept'), lit('eng')), c(n, 's')]], c(n, 'dept'), 'VARCHAR'),
  ],
  ['CAST(i AS DOUBLE) > d', (n) => call('gt', cast(c(n, 'i'), 'DOUBLE'), c(n, 'd'))],
];

describe('expressions as values', () => {
  for (const group of [ARITH, COMPARE, LOGIC, LIKE, CASES])
    for (const k of group) it(k[0], () => checkValue(k));
});

describe('expressions as filters', () => {
  for (const group of [COMPARE, LOGIC, LIKE]) for (const k of group) it(k[0], () => checkFilter(k));
});
