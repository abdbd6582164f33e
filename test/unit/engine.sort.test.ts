import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanNode } from '../../src/sql/plan.ts';
import { tableT } from '../helpers/engineData.ts';
import { EngineOracle } from '../helpers/engineOracle.ts';
import type { KeySpec } from '../helpers/planBuilder.ts';
import {
  call,
  col,
  distinct,
  filter,
  limit,
  lit,
  project,
  scan,
  sort,
  topn,
  values,
} from '../helpers/planBuilder.ts';

// Sort, TopN, Limit/Offset, Distinct and Values against DuckDB. Sort keys include a unique
// tie-breaker (id) so the expected order is total and the comparison can be ordered.
let o: EngineOracle;
beforeAll(async () => {
  o = await new EngineOracle().open([{ name: 't', ...tableT(), chunkRows: 600 }]);
});
afterAll(() => o.close());

const c = col;
const COLS = ['id', 'i', 'd', 'b', 's', 'dept', 'dt', 'ts', 'flag'];
const SEL = COLS.join(', ');
const dir = (desc?: boolean, nf?: boolean) => `${desc ? 'DESC' : 'ASC'} NULLS ${nf ? 'FIRST' : 'LAST'}`;

const ORDERS: { sql: string; keys: (n: PlanNode) => KeySpec[] }[] = [];
for (const k of ['i', 'd', 'b', 's', 'dept', 'dt', 'ts', 'flag'])
  for (const [desc, nf] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const)
    ORDERS.push({ sql: `${k} ${dir(desc, nf)}, id`, keys: (n) => [[c(n, k), desc, nf], [c(n, 'id')]] });
ORDERS.push({
  sql: 'dept DESC NULLS LAST, i ASC NULLS FIRST, id DESC',
  keys: (n) => [
    [c(n, 'dept'), true, false],
    [c(n, 'i'), false, true],
    [c(n, 'id'), true],
  ],
});
ORDERS.push({ sql: 'lower(s) ASC NULLS LAST, id', keys: (n) => [[call('lower', c(n, 's'))], [c(n, 'id')]] });

describe('sort', () => {
  for (const ord of ORDERS)
    it(`ORDER BY ${ord.sql}`, async () => {
      await o.check(sort(scan(o.get('t'), COLS), ord.keys), `SELECT ${SEL} FROM t ORDER BY ${ord.sql}`, {
        ordered: true,
      });
    });

  it('sorts an empty input', async () => {
    const none = filter(scan(o.get('t'), COLS), (n) => call('lt', c(n, 'id'), lit(0)));
    expect(await o.ours(sort(none, (n) => [[c(n, 'i')]]))).toEqual([]);
  });
});

describe('topn = sort + limit', () => {
  for (const ord of ORDERS.filter((_, k) => k % 3 === 0))
    for (const [lim, off] of [
      [10, 0],
      [7, 5],
      [1, 0],
      [3000, 0],
      [5, 2490],
    ] as const)
      it(`ORDER BY ${ord.sql} LIMIT ${lim} OFFSET ${off}`, async () => {
        const sql = `SELECT ${SEL} FROM t ORDER BY ${ord.sql} LIMIT ${lim} OFFSET ${off}`;
        const top = await o.check(topn(scan(o.get('t'), COLS), ord.keys, lim, off), sql, { ordered: true });
        const viaSort = await o.ours(limit(sort(scan(o.get('t'), COLS), ord.keys), lim, off));
        expect(top).toEqual(viaSort);
      });

  it('ties on the first key are broken by later keys', async () => {
    const plan = topn(
      scan(o.get('t'), COLS),
      (n) => [[c(n, 'flag'), true], [c(n, 'dept')], [c(n, 'id'), true]],
      25,
    );
    await o.check(
      plan,
      `SELECT ${SEL} FROM t ORDER BY flag DESC NULLS LAST, dept NULLS LAST, id DESC LIMIT 25`,
      { ordered: true },
    );
  });

  it('LIMIT 0 gives nothing', async () => {
    expect(await o.ours(topn(scan(o.get('t'), COLS), (n) => [[c(n, 'd')]], 0))).toEqual([]);
  });
});

describe('limit, distinct, values', () => {
  it('LIMIT/OFFSET in scan order, across chunk boundaries', async () => {
    for (const [lim, off] of [
      [10, 0],
      [700, 550],
      [null, 2400],
      [5, 5000],
    ] as const) {
      const plan = limit(scan(o.get('t'), ['id', 's']), lim, off);
      const sql = `SELECT id, s FROM (SELECT id, s FROM t ORDER BY id) LIMIT ${lim ?? 'ALL'} OFFSET ${off}`;
      await o.check(plan, sql, { ordered: true });
    }
  });

  it('LIMIT stops the scan early', async () => {
    const before = o.source.loads;
    await o.run(limit(scan(o.get('t'), ['id']), 10));
    expect(o.source.loads - before).toBe(1);
  });

  it('DISTINCT over single and multiple columns, NULLs equal', async () => {
    for (const cols of [['dept'], ['i'], ['flag', 'dept'], ['s', 'dt'], ['d']]) {
      const plan = distinct(scan(o.get('t'), cols));
      await o.check(plan, `SELECT DISTINCT ${cols.join(', ')} FROM t`);
    }
    const expr = distinct(
      project(scan(o.get('t')), (n) => ({
        m: call('modulo', c(n, 'i'), lit(4)),
        l: call('lower', c(n, 'dept')),
      })),
    );
    await o.check(expr, 'SELECT DISTINCT i % 4, lower(dept) FROM t');
  });

  it('VALUES and a FROM-less SELECT', async () => {
    const v = values(
      [
        [1, 'a', 2.5, true, null],
        [2, null, -1, false, 'x'],
      ],
      [
        { name: 'n', type: 'INTEGER' },
        { name: 's', type: 'VARCHAR' },
        { name: 'd', type: 'DOUBLE' },
        { name: 'f', type: 'BOOLEAN' },
        { name: 'z', type: 'VARCHAR' },
      ],
    );
    await o.check(
      v,
      "SELECT * FROM (VALUES (1, 'a', 2.5::DOUBLE, true, NULL), (2, NULL, -1::DOUBLE, false, 'x'))",
    );
    const one = project(values([[]], []), () => ({ x: call('add', lit(1), lit(1)), y: lit(null) }));
    const t = await o.run(one);
    expect(t.numRows).toBe(1);
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Int32', 'Null']);
    expect(await o.ours(one)).toEqual([['2', null]]);
  });
});
