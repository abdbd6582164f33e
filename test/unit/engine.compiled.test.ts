import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileScanAggregate, setCompiledKernels } from '../../src/engine/compiled/compileScanAggregate.ts';
import type { Expr, PlanNode, ScalarFn } from '../../src/sql/plan.ts';
import type { Value } from '../helpers/engineData.ts';
import { rng } from '../helpers/engineData.ts';
import { EngineOracle } from '../helpers/engineOracle.ts';
import { aggregate, call, col, filter, lit, scan } from '../helpers/planBuilder.ts';

// The generated-kernel path (global aggregate over a filtered scan) must give exactly what the
// interpreted kernels and DuckDB give, including chunks that fall back (a NULL in one chunk).
let o: EngineOracle;
beforeAll(async () => {
  const r = rng(3);
  const rows: Value[][] = [];
  for (let i = 0; i < 3000; i++)
    rows.push([
      i,
      Math.floor(r() * 63) + 18,
      Math.round(r() * 1e6) / 100,
      BigInt(Math.floor(r() * 1e12)),
      new Date(Math.floor(r() * 20000) * 86_400_000),
      new Date(Math.floor(r() * 1.6e12)),
      i === 2500 ? null : Math.floor(r() * 2e9) - 1e9,
    ]);
  o = await new EngineOracle().open([
    {
      name: 'nn',
      schema: [
        { name: 'id', type: 'INTEGER' },
        { name: 'age', type: 'INTEGER' },
        { name: 'sal', type: 'DOUBLE' },
        { name: 'b', type: 'BIGINT' },
        { name: 'dt', type: 'DATE' },
        { name: 'ts', type: 'TIMESTAMP' },
        // NULL only in the last chunk: that chunk takes the interpreted path.
        { name: 'big', type: 'INTEGER' },
      ],
      rows,
      chunkRows: 700,
    },
  ]);
});
afterAll(() => {
  setCompiledKernels(true);
  o.close();
});

const c = col;
const OPS: [ScalarFn, string][] = [
  ['gt', '>'],
  ['gte', '>='],
  ['lt', '<'],
  ['lte', '<='],
  ['eq', '='],
  ['neq', '<>'],
];

function plan(pred: (n: PlanNode) => Expr, viaFilter = false): PlanNode {
  const input = viaFilter ? filter(scan(o.get('nn')), pred) : scan(o.get('nn'), undefined, pred);
  return aggregate(
    input,
    () => ({}),
    (n) => ({
      cnt: ['count_star'],
      ca: ['count', c(n, 'age')],
      s: ['sum', c(n, 'sal')],
      si: ['sum', c(n, 'big')],
      a: ['avg', c(n, 'age')],
      mi: ['min', c(n, 'dt')],
      mx: ['max', c(n, 'ts')],
      mb: ['max', c(n, 'b')],
    }),
  );
}
const SQL = 'SELECT count(*), count(age), sum(sal), sum(big), avg(age), min(dt), max(ts), max(b) FROM nn';

describe('generated scan-aggregate kernels', () => {
  it('are used for the q1/q2 shape and not for others', () => {
    expect(compileScanAggregate(plan((n) => call('gt', c(n, 'age'), lit(30))))).not.toBeNull();
    const grouped = aggregate(
      scan(o.get('nn')),
      (n) => ({ a: c(n, 'age') }),
      () => ({ cnt: ['count_star'] }),
    );
    expect(compileScanAggregate(grouped)).toBeNull();
    const likePred = plan((n) => call('lt', c(n, 'age'), c(n, 'id')));
    expect(compileScanAggregate(likePred)).toBeNull();
  });

  for (const [fn, sym] of OPS)
    it(`age ${sym} 40 and 40 ${sym} age, pushed and as a filter, equal DuckDB and the interpreter`, async () => {
      for (const [pred, sql] of [
        [(n: PlanNode) => call(fn, c(n, 'age'), lit(40)), `age ${sym} 40`],
        [(n: PlanNode) => call(fn, lit(40), c(n, 'age')), `40 ${sym} age`],
      ] as const) {
        for (const viaFilter of [false, true]) {
          const compiled = await o.check(plan(pred, viaFilter), `${SQL} WHERE ${sql}`);
          setCompiledKernels(false);
          const interpreted = await o.ours(plan(pred, viaFilter));
          setCompiledKernels(true);
          expect(compiled).toEqual(interpreted);
        }
      }
    });

  it('conjunctions over several columns and types', async () => {
    const day = 10_000;
    const pred = (n: PlanNode) =>
      call(
        'and',
        call('gte', c(n, 'sal'), lit(1000.5)),
        call('and', call('lt', c(n, 'dt'), lit(day, 'DATE')), call('neq', c(n, 'b'), lit(5n))),
      );
    await o.check(plan(pred), `${SQL} WHERE sal >= 1000.5 AND dt < DATE '1997-05-19' AND b <> 5`);
    await o.check(
      plan(() => lit(true, 'BOOLEAN')),
      SQL,
    );
  });

  it('an empty result is one row with COUNT 0', async () => {
    const rows = await o.check(
      plan((n) => call('gt', c(n, 'age'), lit(1000))),
      `${SQL} WHERE age > 1000`,
    );
    expect(rows[0]![0]).toBe('0');
  });
});
