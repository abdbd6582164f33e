// Differential tests of the SQL engine: the same data and queries through `lake.sql()` and native
// DuckDB (the oracle, DESIGN §6 and issue #3), results compared as described in
// test/helpers/sqlCompare.ts. Hand-written queries cover every construct of the scope; a seeded
// fast-check generator adds random type-correct queries (test/helpers/queryGen.ts).
//
// Reproduce a generator failure: SQL_FUZZ_SEED=<seed> [SQL_FUZZ_PATH=<path>] npx vitest run --project node test/unit/sql.differential.test.ts
// More queries: SQL_FUZZ_RUNS=<runs per property> (default keeps the whole file well under 3 minutes).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryResult } from '../../src/lake/api.ts';
import { queryArbitraries, schemaOf, type GenQuery } from '../helpers/queryGen.ts';
import { compareResults } from '../helpers/sqlCompare.ts';
import {
  compareStoredData,
  differential,
  ORACLE_BUGS,
  sqlFixture,
  type SqlFixture,
} from '../helpers/sqlFixture.ts';
import { HAND_QUERIES, VEGA_QUERIES } from '../helpers/sqlQueries.ts';
import type { DuckResult } from '../helpers/tables.ts';

const DATA_SEED = 20_260_301;
const FUZZ_SEED = Number(process.env.SQL_FUZZ_SEED ?? 424_242);
const FUZZ_PATH = process.env.SQL_FUZZ_PATH;
/** Per property; five properties, so at least 300 random queries per run. */
const FUZZ_RUNS = Number(process.env.SQL_FUZZ_RUNS ?? 80);

let fx: SqlFixture;

beforeAll(async () => {
  fx = await sqlFixture(DATA_SEED, [
    { file: 'airports.csv', format: 'csv' },
    { file: 'movies.json', format: 'json' },
    { file: 'flights-200k.json', format: 'json' },
    { file: 'flights-3m.parquet', format: 'parquet' },
  ]);
}, 240_000);

afterAll(async () => {
  await fx?.close();
  if (ORACLE_BUGS.length) {
    console.warn(
      `DuckDB's optimized plan was wrong (its unoptimized plan agreed with us) for:\n${ORACLE_BUGS.join('\n')}`,
    );
  }
});

describe('harness: DuckDB holds exactly the values our ingest stored', () => {
  it('the generated tables span several chunks and cover every column type', () => {
    const t = fx.tables.get('t')!;
    expect(t.chunks).toBeGreaterThanOrEqual(8);
    expect(fx.tables.get('e')!.chunks).toBeGreaterThanOrEqual(3);
    expect(t.schema).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'i', type: 'INTEGER' },
      { name: 'big', type: 'BIGINT' },
      { name: 'f', type: 'DOUBLE' },
      { name: 'cat', type: 'VARCHAR', dictionary: true },
      { name: 's', type: 'VARCHAR' },
      { name: 'd', type: 'DATE' },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'b', type: 'BOOLEAN' },
      { name: 'k', type: 'INTEGER' },
    ]);
  });

  it.each(['t', 'u', 'e', 'airports', 'movies', 'flights_200k', 'flights_3m'])('%s', async (table) => {
    expect(await compareStoredData(fx, table)).toBeNull();
  });
});

describe('harness: the comparison catches what it must and forgives what it may', () => {
  const ours = (columns: [string, string][], rows: Record<string, unknown>[]): QueryResult => ({
    columns: columns.map(([name, type]) => ({ name, type })),
    rows,
    rowCount: rows.length,
    executionTime: 0,
    arrow: () => {
      throw new Error('not used: the names are unique');
    },
  });
  const duck = (columns: [string, string][], rows: unknown[][]): DuckResult => ({
    columns: columns.map(([name, type]) => ({ name, type })),
    rows,
  });
  const cols: [string, string][] = [
    ['k', 'INTEGER'],
    ['x', 'DOUBLE'],
  ];

  it('rows in another order, floats within 1e-9, HUGEINT vs BIGINT, DATE/TIMESTAMP forms', () => {
    const a = ours(
      [...cols, ['s', 'BIGINT'], ['d', 'DATE'], ['t', 'TIMESTAMP']],
      [
        {
          k: 2,
          x: 0.30000000000000004,
          s: '36028797018963968',
          d: '1969-12-31',
          t: '2001-02-03T04:05:06.007Z',
        },
        { k: 1, x: null, s: 5, d: null, t: null },
      ],
    );
    const b = duck(
      [...cols, ['s', 'HUGEINT'], ['d', 'DATE'], ['t', 'TIMESTAMP']],
      [
        [1, null, 5n, null, null],
        [2, 0.3, 36028797018963968n, new Date('1969-12-31T00:00:00Z'), new Date('2001-02-03T04:05:06.007Z')],
      ],
    );
    expect(compareResults(a, b, { types: true })).toBeNull();
  });

  it.each([
    ['a different value', [{ k: 1, x: 2.5 }], [[1, 2.25]], {}],
    ['NULL vs 0', [{ k: 1, x: null }], [[1, 0]], {}],
    ['a float off by 1e-6', [{ k: 1, x: 1 }], [[1, 1.000001]], {}],
    [
      'a missing row',
      [{ k: 1, x: 1 }],
      [
        [1, 1],
        [1, 1],
      ],
      {},
    ],
    [
      'a duplicate instead of another row',
      [
        { k: 1, x: 1 },
        { k: 1, x: 1 },
      ],
      [
        [1, 1],
        [2, 1],
      ],
      {},
    ],
    [
      'wrong order under ORDER BY',
      [
        { k: 2, x: 1 },
        { k: 1, x: 1 },
      ],
      [
        [1, 1],
        [2, 1],
      ],
      { orderKeys: [0] },
    ],
    ['a safe BIGINT sent as a string', [{ k: '7', x: 1 }], [[7, 1]], {}],
  ] as const)('%s', (_what, a, b, opts) => {
    expect(
      compareResults(
        ours(cols, [...a]),
        duck(
          cols,
          b.map((r) => [...r]),
        ),
        { orderKeys: 'orderKeys' in opts ? [...opts.orderKeys] : undefined },
      ),
    ).not.toBeNull();
  });

  it('ties under ORDER BY may come in any order', () => {
    const a = ours(cols, [
      { k: 1, x: 2 },
      { k: 1, x: 1 },
      { k: 2, x: 0 },
    ]);
    const b = duck(cols, [
      [1, 1],
      [1, 2],
      [2, 0],
    ]);
    expect(compareResults(a, b, { orderKeys: [0] })).toBeNull();
    expect(compareResults(a, b, { orderKeys: [0, 1] })).not.toBeNull();
  });

  it('names: aliases and columns must match, DuckDB expression names are its own', () => {
    const b = duck(
      [
        ['k', 'INTEGER'],
        ['(k + 1)', 'INTEGER'],
      ],
      [[1, 2]],
    );
    const named = (second: string, first = 'k') =>
      ours(
        [
          [first, 'INTEGER'],
          [second, 'INTEGER'],
        ],
        [{ [first]: 1, [second]: 2 }],
      );
    expect(compareResults(named('k_plus_1'), b)).toBeNull();
    expect(compareResults(named('x', 'K'), b)).not.toBeNull();
    expect(compareResults(named('x', 'K'), b, { names: 'none' })).toBeNull();
  });

  it('types: integer vs floating point is a difference, DECIMAL vs DOUBLE is not', () => {
    const a = ours([['v', 'INTEGER']], [{ v: 3 }]);
    expect(compareResults(a, duck([['v', 'DOUBLE']], [[3]]), { types: true })).not.toBeNull();
    expect(
      compareResults(ours([['v', 'DOUBLE']], [{ v: 3 }]), duck([['v', 'DECIMAL(12,1)']], [[3]]), {
        types: true,
      }),
    ).toBeNull();
  });
});

for (const [group, queries] of Object.entries(HAND_QUERIES)) {
  describe(`hand-written: ${group}`, () => {
    it.each(queries.map((q) => [q.sql, q] as const))('%s', async (_sql, q) => {
      const problem = await differential(fx, { types: true, ...q });
      expect(problem, problem ?? '').toBeNull();
    });
  });
}

describe('vega-datasets', () => {
  it.each(VEGA_QUERIES.map((q) => [q.sql, q] as const))('%s', async (_sql, q) => {
    const problem = await differential(fx, { types: true, ...q });
    expect(problem, problem ?? '').toBeNull();
  });
});

describe(`generated queries (fast-check, seed ${FUZZ_SEED}, ${FUZZ_RUNS} runs per property)`, () => {
  const properties = ['filter', 'project', 'aggregate', 'order', 'join'] as const;
  it.each(properties)(
    '%s',
    async (kind) => {
      const arb = queryArbitraries(schemaOf(fx.tables))[kind];
      const rejected: string[] = [];
      const property = fc.asyncProperty(arb, async (g: GenQuery) => {
        // The generator aims at queries DuckDB accepts; a binder error means the generator slipped,
        // not the engine, so the case is skipped (and counted below). Runtime errors (overflow,
        // conversion) stay: we must reject those queries as well.
        const oracle = await fx.oracle.query(g.sql);
        if ('error' in oracle && /^(Binder|Parser|Catalog) Error/.test(oracle.error)) {
          rejected.push(`${g.sql}\n  ${oracle.error.split('\n')[0]}`);
          fc.pre(false);
        }
        const problem = await differential(fx, {
          sql: g.sql,
          orderKeys: g.orderKeys,
          names: 'identifiers',
          types: true,
        });
        if (problem) throw new Error(problem);
      });
      const result = await fc.check(property, {
        seed: FUZZ_SEED,
        numRuns: FUZZ_RUNS,
        ...(FUZZ_PATH ? { path: FUZZ_PATH } : {}),
      });
      // A generator that drifts outside DuckDB's grammar would quietly test less: keep that rare.
      expect(
        rejected.length,
        `queries DuckDB rejected:\n${rejected.slice(0, 5).join('\n')}`,
      ).toBeLessThanOrEqual(Math.ceil(FUZZ_RUNS * 0.05));
      if (result.failed) {
        const shrunk = result.counterexample?.[0];
        const error =
          result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
        throw new Error(
          [
            `generated query failed (property "${kind}", after ${result.numRuns} runs, shrunk ${result.numShrinks} times)`,
            `reproduce: SQL_FUZZ_SEED=${result.seed} SQL_FUZZ_PATH=${result.counterexamplePath ?? ''} npx vitest run --project node test/unit/sql.differential.test.ts -t "${kind}"`,
            `shrunk query: ${shrunk?.sql ?? '(none)'}`,
            error,
          ].join('\n'),
        );
      }
    },
    120_000,
  );
});
