import { afterAll, beforeAll, describe, it } from 'vitest';
import { tableT, tableU } from '../helpers/engineData.ts';
import { EngineOracle } from '../helpers/engineOracle.ts';
import { call, col, filter, lit, project, scan } from '../helpers/planBuilder.ts';

let o: EngineOracle;
beforeAll(async () => {
  o = await new EngineOracle().open([
    { name: 't', ...tableT(), chunkRows: 600 },
    { name: 'u', ...tableU(), chunkRows: 170 },
  ]);
});
afterAll(() => o.close());

describe('scan, filter, project', () => {
  it('reads every column type across chunks', async () => {
    const t = o.get('t');
    await o.check(scan(t), 'SELECT * FROM t');
  });

  it('applies a pushed-down predicate and projection', async () => {
    const t = o.get('t');
    const plan = scan(t, ['id', 'i', 'dept'], (n) => call('gt', col(n, 'i'), lit(30)));
    await o.check(plan, 'SELECT id, i, dept FROM t WHERE i > 30');
  });

  it('filters and projects expressions', async () => {
    const t = o.get('t');
    const f = filter(scan(t), (n) =>
      call('and', call('eq', col(n, 'dept'), lit('eng')), call('lt', col(n, 'd'), lit(0))),
    );
    const p = project(f, (n) => ({
      id: col(n, 'id'),
      x: call('add', col(n, 'i'), lit(1)),
      s: call('upper', col(n, 's')),
    }));
    await o.check(p, "SELECT id, i + 1 AS x, upper(s) AS s FROM t WHERE dept = 'eng' AND d < 0");
  });
});
