import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSqlError } from '../../src/sql/SqlError.ts';
import type { Value } from '../helpers/engineData.ts';
import { tableT } from '../helpers/engineData.ts';
import { EngineOracle, rowsOf } from '../helpers/engineOracle.ts';
import type { AggSpec } from '../helpers/planBuilder.ts';
import { aggregate, call, col, filter, lit, project, scan } from '../helpers/planBuilder.ts';
import type { PlanNode } from '../../src/sql/plan.ts';

// HashAggregate against DuckDB: global and grouped, every aggregate function (and DISTINCT),
// dictionary keys whose dictionaries differ per chunk, multi-column and NULL keys, empty input.
let o: EngineOracle;
beforeAll(async () => {
  const huge: Value[][] = [[9223372036854775807n], [1n], [null]];
  o = await new EngineOracle().open([
    { name: 't', ...tableT(), chunkRows: 600 },
    { name: 'huge', schema: [{ name: 'x', type: 'BIGINT' }], rows: huge, chunkRows: 2 },
    {
      name: 'nums',
      schema: [
        { name: 'x', type: 'DOUBLE' },
        { name: 'g', type: 'VARCHAR', dictionary: true },
      ],
      rows: [
        [NaN, 'a'],
        [1, 'a'],
        [-0, 'b'],
        [0, 'b'],
        [NaN, 'c'],
        [Infinity, 'c'],
        [null, 'd'],
      ],
      chunkRows: 3,
    },
  ]);
});
afterAll(() => o.close());

const c = col;
type Aggs = (n: PlanNode) => Record<string, AggSpec>;

const ALL: Aggs = (n) => ({
  cnt: ['count_star'],
  ci: ['count', c(n, 'i')],
  cd: ['count', c(n, 'dept')],
  si: ['sum', c(n, 'i')],
  sb: ['sum', c(n, 'b')],
  sd: ['sum', c(n, 'd')],
  ai: ['avg', c(n, 'i')],
  ab: ['avg', c(n, 'b')],
  ad: ['avg', c(n, 'd')],
  mi: ['min', c(n, 'i')],
  xb: ['max', c(n, 'b')],
  md: ['min', c(n, 'd')],
  xd: ['max', c(n, 'd')],
  ms: ['min', c(n, 's')],
  xs: ['max', c(n, 's')],
  mdept: ['min', c(n, 'dept')],
  xdept: ['max', c(n, 'dept')],
  mdt: ['min', c(n, 'dt')],
  xts: ['max', c(n, 'ts')],
  mf: ['min', c(n, 'flag')],
  xf: ['max', c(n, 'flag')],
});
const ALL_SQL = `count(*), count(i), count(dept), sum(i), sum(b), sum(d), avg(i), avg(b), avg(d), min(i), max(b),
  min(d), max(d), min(s), max(s), min(dept), max(dept), min(dt), max(ts), min(flag), max(flag)`;

describe('global aggregates', () => {
  it('every function over all rows', async () => {
    await o.check(
      aggregate(scan(o.get('t')), () => ({}), ALL),
      `SELECT ${ALL_SQL} FROM t`,
    );
  });

  it('over a filtered scan (the q1/q2 shape)', async () => {
    const s = scan(o.get('t'), ['i', 'd'], (n) => call('gt', c(n, 'i'), lit(30)));
    const plan = aggregate(
      s,
      () => ({}),
      (n) => ({ cnt: ['count_star'], sd: ['sum', c(n, 'd')] }),
    );
    await o.check(plan, 'SELECT count(*), sum(d) FROM t WHERE i > 30');
  });

  it('on empty input: one row, COUNT 0, the rest NULL', async () => {
    const none = filter(scan(o.get('t')), (n) => call('lt', c(n, 'id'), lit(0)));
    const rows = await o.check(
      aggregate(none, () => ({}), ALL),
      `SELECT ${ALL_SQL} FROM t WHERE id < 0`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]![0]).toBe('0');
  });

  it('DISTINCT aggregates', async () => {
    const plan = aggregate(
      scan(o.get('t')),
      () => ({}),
      (n) => ({
        a: ['count', c(n, 'dept'), true],
        b: ['count', c(n, 'i'), true],
        s: ['sum', call('modulo', c(n, 'i'), lit(10)), true],
        v: ['avg', c(n, 'flag'), false],
        d: ['count', c(n, 's'), true],
      }),
    );
    await o.check(
      plan,
      'SELECT count(DISTINCT dept), count(DISTINCT i), sum(DISTINCT i % 10), avg(flag::INTEGER), count(DISTINCT s) FROM t',
    );
  });

  it('SUM of BIGINT beyond 2^53 is exact, beyond int64 an OVERFLOW (DuckDB widens to HUGEINT)', async () => {
    const within = filter(scan(o.get('huge')), (n) => call('lt', c(n, 'x'), lit(10)));
    await o.check(
      aggregate(
        within,
        () => ({}),
        (n) => ({ s: ['sum', c(n, 'x')], a: ['avg', c(n, 'x')] }),
      ),
      'SELECT sum(x), avg(x) FROM huge WHERE x < 10',
    );
    const big = aggregate(
      scan(o.get('huge')),
      () => ({}),
      (n) => ({ s: ['sum', c(n, 'x')] }),
    );
    const err: unknown = await o.run(big).catch((e: unknown) => e);
    expect(isSqlError(err) && err.code).toBe('OVERFLOW');
    // AVG still works: DuckDB computes it from the wide sum.
    await o.check(
      aggregate(
        scan(o.get('huge')),
        () => ({}),
        (n) => ({ a: ['avg', c(n, 'x')] }),
      ),
      'SELECT avg(x) FROM huge',
    );
    const sumOfBig = aggregate(
      scan(o.get('t')),
      () => ({}),
      (n) => ({ s: ['sum', call('multiply', c(n, 'b'), lit(10))] }),
    );
    await o.check(sumOfBig, 'SELECT sum(b * 10) FROM t');
  });
});

describe('grouped aggregates', () => {
  it('one dictionary key across chunks with different dictionaries (code fast path)', async () => {
    await o.check(
      aggregate(scan(o.get('t')), (n) => ({ dept: c(n, 'dept') }), ALL),
      `SELECT dept, ${ALL_SQL} FROM t GROUP BY dept`,
    );
  });

  it('dictionary key after a filter: only groups that occur', async () => {
    const f = scan(o.get('t'), undefined, (n) => call('eq', c(n, 'flag'), lit(true)));
    const plan = aggregate(
      f,
      (n) => ({ dept: c(n, 'dept') }),
      (n) => ({ cnt: ['count_star'], a: ['avg', c(n, 'd')] }),
    );
    await o.check(plan, 'SELECT dept, count(*), avg(d) FROM t WHERE flag GROUP BY dept');
  });

  it('a dictionary expression key (lower(dept) merges groups)', async () => {
    const plan = aggregate(
      scan(o.get('t')),
      (n) => ({ l: call('lower', c(n, 'dept')) }),
      (n) => ({ cnt: ['count_star'], s: ['sum', c(n, 'i')] }),
    );
    await o.check(plan, 'SELECT lower(dept), count(*), sum(i) FROM t GROUP BY 1');
  });

  it('small-int, string, double, date, boolean and BIGINT keys (with NULL groups)', async () => {
    for (const k of ['i', 's', 'd', 'dt', 'ts', 'flag', 'b']) {
      const plan = aggregate(
        scan(o.get('t')),
        (n) => ({ k: c(n, k) }),
        (n) => ({ cnt: ['count_star'], s: ['sum', c(n, 'id')] }),
      );
      await o.check(plan, `SELECT ${k}, count(*), sum(id) FROM t GROUP BY ${k}`);
    }
    const mod = aggregate(scan(o.get('t')), (n) => ({ k: call('modulo', c(n, 'i'), lit(7)) }), ALL);
    await o.check(mod, `SELECT i % 7, ${ALL_SQL} FROM t GROUP BY 1`);
  });

  it('multi-column keys', async () => {
    const plan = aggregate(
      scan(o.get('t')),
      (n) => ({ dept: c(n, 'dept'), flag: c(n, 'flag'), m: call('modulo', c(n, 'id'), lit(3)) }),
      (n) => ({ cnt: ['count_star'], xs: ['max', c(n, 's')], cd: ['count', c(n, 'd'), true] }),
    );
    await o.check(plan, 'SELECT dept, flag, id % 3, count(*), max(s), count(DISTINCT d) FROM t GROUP BY ALL');
  });

  it('DISTINCT aggregates per group', async () => {
    const plan = aggregate(
      scan(o.get('t')),
      (n) => ({ dept: c(n, 'dept') }),
      (n) => ({
        a: ['count', c(n, 'i'), true],
        s: ['sum', call('modulo', c(n, 'i'), lit(10)), true],
        v: ['avg', call('modulo', c(n, 'b'), lit(100)), true],
      }),
    );
    await o.check(
      plan,
      'SELECT dept, count(DISTINCT i), sum(DISTINCT i % 10), avg(DISTINCT b % 100) FROM t GROUP BY dept',
    );
  });

  it('HAVING over the aggregate output', async () => {
    const agg = aggregate(
      scan(o.get('t')),
      (n) => ({ dept: c(n, 'dept') }),
      (n) => ({ cnt: ['count_star'], a: ['avg', c(n, 'i')] }),
    );
    const plan = filter(agg, (n) => call('gt', c(n, 'cnt'), lit(200)));
    await o.check(plan, 'SELECT dept, count(*) AS cnt, avg(i) FROM t GROUP BY dept HAVING count(*) > 200');
  });

  it('grouped on empty input gives no rows', async () => {
    const none = filter(scan(o.get('t')), (n) => call('lt', c(n, 'id'), lit(0)));
    const plan = aggregate(none, (n) => ({ dept: c(n, 'dept') }), ALL);
    expect(
      rowsOf(
        await o.run(plan),
        plan.schema.map((x) => x.type),
      ),
    ).toEqual([]);
  });

  it('NaN and -0.0 group like DuckDB (NaN = NaN, -0.0 = 0.0), NaN is the largest', async () => {
    const n0 = scan(o.get('nums'));
    await o.check(
      aggregate(
        n0,
        (n) => ({ x: c(n, 'x') }),
        () => ({ cnt: ['count_star'] }),
      ),
      'SELECT x, count(*) FROM nums GROUP BY x',
    );
    await o.check(
      aggregate(
        n0,
        (n) => ({ g: c(n, 'g') }),
        (n) => ({ mn: ['min', c(n, 'x')], mx: ['max', c(n, 'x')], s: ['sum', c(n, 'x')] }),
      ),
      'SELECT g, min(x), max(x), sum(x) FROM nums GROUP BY g',
    );
  });

  it('aggregates over a projection of aggregates', async () => {
    const agg = aggregate(
      scan(o.get('t')),
      (n) => ({ dept: c(n, 'dept') }),
      (n) => ({ s: ['sum', c(n, 'i')], cnt: ['count_star'] }),
    );
    const plan = project(agg, (n) => ({ dept: c(n, 'dept'), r: call('divide', c(n, 's'), c(n, 'cnt')) }));
    await o.check(plan, 'SELECT dept, sum(i) / count(*) FROM t GROUP BY dept');
  });
});
