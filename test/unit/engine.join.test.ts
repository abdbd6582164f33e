import { afterAll, beforeAll, describe, it } from 'vitest';
import { tableT, tableU } from '../helpers/engineData.ts';
import { EngineOracle } from '../helpers/engineOracle.ts';
import { aggregate, call, cast, col, filter, join, lit, project, scan } from '../helpers/planBuilder.ts';

// HashJoin against DuckDB: duplicate keys on both sides, NULL keys (never match), left misses,
// multi-column keys, keys of different types (INTEGER = BIGINT, dictionary = plain VARCHAR),
// residual predicates (which for LEFT joins NULL-extend rows whose matches all fail), cross join.
let o: EngineOracle;
beforeAll(async () => {
  o = await new EngineOracle().open([
    { name: 't', ...tableT(), chunkRows: 600 },
    { name: 'u', ...tableU(), chunkRows: 170 },
    { name: 'e', schema: [{ name: 'k', type: 'INTEGER' }], rows: [], chunkRows: 10 },
    {
      // Unique keys (a dimension table): the probe batch passes through, build columns are gathered.
      name: 'dim',
      schema: [
        { name: 'dk', type: 'INTEGER' },
        { name: 'dname', type: 'VARCHAR' },
        { name: 'dd', type: 'VARCHAR', dictionary: true },
      ],
      rows: [
        ...Array.from({ length: 300 }, (_, x) => [x * 3 - 450, `n${x}`, ['a', 'b', 'c'][x % 3]!]),
        [null, 'nullkey', 'a'],
      ],
      chunkRows: 120,
    },
    {
      name: 'dstr',
      schema: [
        { name: 'sk', type: 'VARCHAR' },
        { name: 'region', type: 'VARCHAR', dictionary: true },
      ],
      rows: ['eng', 'Sales', 'ops', 'HR', 'legal', 'Ops', 'émea', 'nowhere'].map((d, x) => [
        d,
        ['north', 'south'][x % 2]!,
      ]),
      chunkRows: 3,
    },
  ]);
});
afterAll(() => o.close());

const c = col;
const T = 'id, i, dept, s';
const tCols = ['id', 'i', 'dept', 's'];
const uCols = ['k', 'kb', 'ud', 'up', 'w'];
const U = 'k, kb, ud, up, w';

describe('hash join', () => {
  it('inner on INTEGER with duplicates and NULLs', async () => {
    const plan = join('inner', scan(o.get('t'), tCols), scan(o.get('u'), uCols), [['i', 'k']]);
    await o.check(plan, `SELECT ${T}, ${U} FROM t JOIN u ON i = k`);
  });

  it('left on INTEGER keeps misses with NULLs', async () => {
    const plan = join('left', scan(o.get('t'), tCols), scan(o.get('u'), uCols), [['i', 'k']]);
    await o.check(plan, `SELECT ${T}, ${U} FROM t LEFT JOIN u ON i = k`);
  });

  it('INTEGER = BIGINT keys compare by value', async () => {
    const plan = join('inner', scan(o.get('t'), tCols), scan(o.get('u'), uCols), [['i', 'kb']]);
    await o.check(plan, `SELECT ${T}, ${U} FROM t JOIN u ON i = kb`);
  });

  it('unique build keys (dimension join): inner, left, residual, then grouped', async () => {
    const dim = () => scan(o.get('dim'));
    const l = () => scan(o.get('t'), tCols);
    for (const type of ['inner', 'left'] as const) {
      const kw = type === 'inner' ? 'JOIN' : 'LEFT JOIN';
      await o.check(
        join(type, l(), dim(), [['i', 'dk']]),
        `SELECT ${T}, dk, dname, dd FROM t ${kw} dim ON i = dk`,
      );
      const res = join(type, l(), dim(), [['i', 'dk']], (n) => call('neq', c(n, 'dd'), lit('b')));
      await o.check(res, `SELECT ${T}, dk, dname, dd FROM t ${kw} dim ON i = dk AND dd <> 'b'`);
      const byRegion = aggregate(
        join(type, l(), scan(o.get('dstr')), [['dept', 'sk']]),
        (n) => ({ region: c(n, 'region') }),
        (n) => ({ cnt: ['count_star'], a: ['avg', c(n, 'i')] }),
      );
      await o.check(
        byRegion,
        `SELECT region, count(*), avg(i) FROM t ${kw} dstr ON dept = sk GROUP BY region`,
      );
    }
  });

  it('BIGINT keys beyond 2^53 probing a directly addressed INTEGER build side', async () => {
    const plan = join('left', scan(o.get('t'), ['id', 'b']), scan(o.get('u'), uCols), [['b', 'k']]);
    await o.check(plan, `SELECT id, b, ${U} FROM t LEFT JOIN u ON b = k`);
    const dbl = project(scan(o.get('t'), ['id', 'd']), (n) => ({
      id: c(n, 'id'),
      h: call('divide', c(n, 'd'), lit(2)),
    }));
    await o.check(
      join('inner', dbl, scan(o.get('u'), uCols), [['h', 'k']]),
      `SELECT id, d / 2, ${U} FROM t JOIN u ON d / 2 = k`,
    );
  });

  it('dictionary = plain VARCHAR keys, both directions', async () => {
    const a = join('inner', scan(o.get('t'), tCols), scan(o.get('u'), uCols), [['dept', 'up']]);
    await o.check(a, `SELECT ${T}, ${U} FROM t JOIN u ON dept = up`);
    const b = join('left', scan(o.get('u'), uCols), scan(o.get('t'), tCols), [['ud', 'dept']]);
    await o.check(b, `SELECT ${U}, ${T} FROM u LEFT JOIN t ON ud = dept`);
  });

  it('multi-column keys', async () => {
    const plan = join('left', scan(o.get('t'), tCols), scan(o.get('u'), uCols), [
      ['dept', 'ud'],
      ['i', 'k'],
    ]);
    await o.check(plan, `SELECT ${T}, ${U} FROM t LEFT JOIN u ON dept = ud AND i = k`);
  });

  it('residual predicate, inner and left', async () => {
    const res = (inner: boolean) =>
      join(
        inner ? 'inner' : 'left',
        scan(o.get('t'), tCols),
        scan(o.get('u'), uCols),
        [['dept', 'ud']],
        (n) => call('lt', c(n, 'i'), c(n, 'k')),
      );
    await o.check(res(true), `SELECT ${T}, ${U} FROM t JOIN u ON dept = ud AND i < k`);
    await o.check(res(false), `SELECT ${T}, ${U} FROM t LEFT JOIN u ON dept = ud AND i < k`);
  });

  it('join keys that are expressions', async () => {
    const l = project(scan(o.get('t'), tCols), (n) => ({
      id: c(n, 'id'),
      key: call('modulo', c(n, 'id'), lit(50)),
    }));
    const r = project(scan(o.get('u'), uCols), (n) => ({
      k: c(n, 'k'),
      key2: cast(call('abs', c(n, 'k')), 'BIGINT'),
    }));
    const plan = join('inner', l, r, [['key', 'key2']]);
    await o.check(plan, 'SELECT id, id % 50, k, abs(k)::BIGINT FROM t JOIN u ON id % 50 = abs(k)');
  });

  it('empty build side: inner gives nothing, left gives NULL-extended rows', async () => {
    const l = scan(o.get('u'), ['k', 'w']);
    await o.check(
      join('inner', l, scan(o.get('e')), [['k', 'k']]),
      'SELECT u.k, w, e.k FROM u JOIN e ON u.k = e.k',
    );
    await o.check(
      join('left', l, scan(o.get('e')), [['k', 'k']]),
      'SELECT u.k, w, e.k FROM u LEFT JOIN e ON u.k = e.k',
    );
  });

  it('cross join (no keys) with a residual, then aggregated', async () => {
    const l = filter(scan(o.get('t'), ['id', 'i']), (n) => call('lt', c(n, 'id'), lit(200)));
    const plan = aggregate(
      join('inner', l, scan(o.get('u'), ['k', 'w']), [], (n) => call('gt', c(n, 'i'), c(n, 'k'))),
      () => ({}),
      (n) => ({ cnt: ['count_star'], s: ['sum', c(n, 'w')] }),
    );
    await o.check(plan, 'SELECT count(*), sum(w) FROM (SELECT id, i FROM t WHERE id < 200) a, u WHERE i > k');
  });

  it('a key with many matches streams in several output batches', async () => {
    // 2500 × 2500 rows on one key = 6.25M joined rows, counted without materialising them.
    const l = project(scan(o.get('t'), ['id']), (n) => ({ id: c(n, 'id'), one: lit(1) }));
    const r = project(scan(o.get('t'), ['id']), (n) => ({ id2: c(n, 'id'), one2: lit(1) }));
    const plan = aggregate(
      join('inner', l, r, [['one', 'one2']]),
      () => ({}),
      (n) => ({ cnt: ['count_star'], s: ['sum', c(n, 'id2')] }),
    );
    await o.check(plan, 'SELECT count(*), sum(b.id) FROM t a JOIN t b ON 1 = 1');
  });
});
