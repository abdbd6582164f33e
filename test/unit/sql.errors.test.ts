// Error behaviour of `lake.sql()` (issue #3): clear SqlErrors with a code, a position for front-end
// errors, "did you mean" suggestions, honest NOT_SUPPORTED, and the limits: deadline, cancellation
// and the per-query memory budget. Where an error is about the query itself, DuckDB (the oracle)
// must reject the same query, so these tests never demand an error for valid SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import type { LakeNode } from '../../src/lake/LakeNode.ts';
import type { QueryResult } from '../../src/lake/api.ts';
import { isSqlError, SqlError, type SqlErrorCode } from '../../src/sql/SqlError.ts';
import { DuckOracle, prng } from '../helpers/tables.ts';

const PEOPLE = [
  'name,age,born,city,score',
  'ann,31,1993-04-01,Oslo,7.5',
  'bob,42,1982-11-30,Bergen,',
  'cid,,2001-01-01,Oslo,3.25',
  'dee,27,1997-06-15,,9',
].join('\n');

/** `big`: 200k rows (id unique, g with 4 values, x, s), in many chunks, for the limits. */
function bigCsv(rows: number): string {
  const r = prng(7);
  const lines = ['id,g,x,s'];
  for (let i = 0; i < rows; i++)
    lines.push(`${i},g${i % 4},${Math.floor(r() * 1e6)},s${Math.floor(r() * 1e9)}`);
  return lines.join('\n') + '\n';
}
const BIG_ROWS = 200_000;

let lake: LakeNode;
let oracle: DuckOracle;
let big: string;

beforeAll(async () => {
  big = bigCsv(BIG_ROWS);
  // No result cache: the limit tests run the baseline query again and must see it run.
  lake = createLakeNode({ config: { chunkSize: 256 * 1024, queryCache: false } });
  oracle = await DuckOracle.create();
  const people = await lake.ingest({ name: 'people.csv', text: PEOPLE });
  await oracle.loadText('people', people.schema, { name: 'people.csv', text: PEOPLE, format: 'csv' });
  await lake.ingest({ name: 'big.csv', text: big });
}, 120_000);

afterAll(async () => {
  await lake?.close();
  oracle?.close();
});

/** The SqlError a query rejects with (fails the test when it resolves or throws something else). */
async function sqlError(
  query: string,
  opts?: Parameters<LakeNode['sql']>[1],
  on: LakeNode = lake,
): Promise<SqlError> {
  let result: QueryResult;
  try {
    result = await on.sql(query, opts);
  } catch (e) {
    if (!isSqlError(e)) throw new Error(`expected a SqlError, got ${String(e)}`, { cause: e });
    expect(e).toBeInstanceOf(SqlError);
    return e;
  }
  throw new Error(`expected "${query}" to fail, but it returned ${result.rowCount} rows`);
}

/** Asserts DuckDB rejects the query too, so our error is about the query and not a missing feature. */
async function duckRejects(query: string): Promise<string> {
  const res = await oracle.query(query);
  if (!('error' in res))
    throw new Error(`DuckDB accepts "${query}" (${res.rows.length} rows): not an error case`);
  return res.error;
}

async function expectError(query: string, code: SqlErrorCode, message?: RegExp): Promise<SqlError> {
  await duckRejects(query);
  const e = await sqlError(query);
  expect(e.code, e.message).toBe(code);
  if (message) expect(e.message).toMatch(message);
  return e;
}

describe('syntax errors carry line and column', () => {
  it.each([
    // [query, line, columns (1-based) it may point at: the offending token, or where input ended]
    ['SELEC * FROM people', 1, [1]],
    ['SELECT name FROM people WHERE', 1, [30]],
    ['SELECT name FROM people WHERE age IN 3', 1, [38]],
    ['SELECT name\nFROM people\nWHERE age = = 3', 3, [13]],
    ['SELECT name FROM people ORDER name', 1, [31]],
    ['SELECT (age + 1 FROM people', 1, [17]],
    ["SELECT 'unterminated FROM people", 1, [8, 33]],
  ] as const)('%s', async (query, line, columns) => {
    await duckRejects(query);
    const e = await sqlError(query);
    expect(e.code, e.message).toBe('SYNTAX');
    expect(e.position, e.message).toBeDefined();
    expect(e.position!.line, e.message).toBe(line);
    // Parsers may point at the token or just before it; allow a couple of characters either way.
    const off = Math.min(...columns.map((c) => Math.abs(e.position!.column - c)));
    expect(off, `${e.message} (column ${e.position!.column})`).toBeLessThanOrEqual(2);
    expect(e.message).toMatch(new RegExp(`line ${line}`, 'i'));
    expect(e.message).toMatch(/column \d+/i);
  });

  it('an empty query is EMPTY, an overlong one is refused before parsing', async () => {
    expect((await sqlError('   ')).code).toBe('EMPTY');
    expect((await sqlError(';')).code).toBe('EMPTY');
    expect((await sqlError(`SELECT ${'1 + '.repeat(40_000)}1`)).code).toBe('SYNTAX');
  });
});

describe('unknown names suggest the closest one', () => {
  it('unknown table', async () => {
    const e = await expectError('SELECT * FROM peple', 'UNKNOWN_TABLE', /peple/);
    expect(e.message).toMatch(/did you mean "?people"?/i);
    expect(e.position).toMatchObject({ line: 1, column: 15 });
  });

  it('unknown table without a close match lists no bogus suggestion', async () => {
    const e = await expectError('SELECT * FROM zzzzzzzz', 'UNKNOWN_TABLE', /zzzzzzzz/);
    expect(e.message).not.toMatch(/did you mean/i);
  });

  it('unknown column, with its position', async () => {
    const e = await expectError('SELECT nmae, age FROM people', 'UNKNOWN_COLUMN', /nmae/);
    expect(e.message).toMatch(/did you mean "?name"?/i);
    expect(e.position).toMatchObject({ line: 1, column: 8 });
  });

  it('unknown column on a later line, in WHERE', async () => {
    const e = await expectError('SELECT name\nFROM people\nWHERE agee > 3', 'UNKNOWN_COLUMN', /agee/);
    expect(e.message).toMatch(/did you mean "?age"?/i);
    expect(e.position).toMatchObject({ line: 3, column: 7 });
  });

  it('unknown qualified column and unknown table alias', async () => {
    await expectError('SELECT p.ages FROM people p', 'UNKNOWN_COLUMN', /did you mean "?age"?/i);
    await expectError('SELECT q.age FROM people p', 'UNKNOWN_TABLE');
  });

  it('ambiguous column in a join', async () => {
    await expectError(
      'SELECT name FROM people a JOIN people b ON a.name = b.name',
      'AMBIGUOUS_COLUMN',
      /name/,
    );
  });

  it('unknown function suggests a known one', async () => {
    const e = await sqlError('SELECT lowr(name) FROM people');
    await duckRejects('SELECT lowr(name) FROM people');
    expect(['UNKNOWN_COLUMN', 'NOT_SUPPORTED', 'TYPE']).toContain(e.code);
    expect(e.message).toMatch(/lowr/);
    expect(e.message).toMatch(/did you mean "?lower"?/i);
  });
});

describe('type errors', () => {
  it.each([
    ['SELECT name + 1 FROM people', /name|VARCHAR/i],
    ['SELECT SUM(name) FROM people', /sum|VARCHAR/i],
    ['SELECT AVG(name) FROM people', /avg|VARCHAR/i],
    ['SELECT lower(age) FROM people', /lower|INTEGER/i],
    ["SELECT date_trunc('month', name) FROM people", /date_trunc|VARCHAR/i],
    ['SELECT substr(age, 1, 2) FROM people', /substr|INTEGER/i],
    ["SELECT name FROM people WHERE age LIKE '3%'", /LIKE|INTEGER/i],
  ])('%s', async (query, message) => {
    await expectError(query, 'TYPE', message);
  });

  it('DATE + DATE (no such operator in DuckDB either)', async () => {
    // Date arithmetic is outside the scope, so NOT_SUPPORTED is honest too; TYPE would be exact.
    await duckRejects('SELECT born + born FROM people');
    const e = await sqlError('SELECT born + born FROM people');
    expect(['TYPE', 'NOT_SUPPORTED']).toContain(e.code);
  });

  it('a column outside GROUP BY is refused, naming it', async () => {
    const query = 'SELECT name, COUNT(*) FROM people GROUP BY city';
    await duckRejects(query);
    const e = await sqlError(query);
    expect(['TYPE', 'UNKNOWN_COLUMN']).toContain(e.code);
    expect(e.message).toMatch(/name/);
    expect(e.message).toMatch(/GROUP BY|aggregate/i);
  });

  it('aggregates are refused in WHERE', async () => {
    await duckRejects('SELECT name FROM people WHERE COUNT(*) > 1');
    const e = await sqlError('SELECT name FROM people WHERE COUNT(*) > 1');
    expect(['TYPE', 'NOT_SUPPORTED']).toContain(e.code);
    expect(e.message).toMatch(/WHERE|aggregate/i);
  });

  it('an ORDER BY ordinal out of range', async () => {
    await duckRejects('SELECT name FROM people ORDER BY 3');
    const e = await sqlError('SELECT name FROM people ORDER BY 3');
    expect(['TYPE', 'SYNTAX', 'UNKNOWN_COLUMN']).toContain(e.code);
    expect(e.message).toMatch(/ORDER BY|ORDER term/i);
    expect(e.message).toMatch(/range|ordinal/i);
  });
});

describe('outside the scope: an honest NOT_SUPPORTED naming the feature', () => {
  it.each([
    ['SELECT * FROM (SELECT name FROM people) p', /subquer/i],
    ['SELECT name FROM people WHERE age IN (SELECT age FROM people)', /subquer/i],
    ['SELECT name FROM people WHERE EXISTS (SELECT 1 FROM people)', /subquer|EXISTS/i],
    ['SELECT name, (SELECT MAX(age) FROM people) AS m FROM people', /subquer/i],
    ['SELECT name, ROW_NUMBER() OVER (ORDER BY age) AS r FROM people', /window/i],
    ['SELECT name, SUM(age) OVER (PARTITION BY city) AS s FROM people', /window/i],
    ['SELECT name FROM people UNION SELECT city FROM people', /UNION/i],
    ['SELECT name FROM people UNION ALL SELECT city FROM people', /UNION/i],
    ['SELECT name FROM people INTERSECT SELECT city FROM people', /INTERSECT/i],
    ['SELECT name FROM people EXCEPT SELECT city FROM people', /EXCEPT/i],
    ['WITH x AS (SELECT name FROM people) SELECT * FROM x', /WITH|CTE|common table/i],
    ['SELECT 1; SELECT 2', /statements/i],
    ["INSERT INTO people VALUES ('eve', 1, NULL, NULL, NULL)", /INSERT/i],
    ['DELETE FROM people', /DELETE/i],
    ['UPDATE people SET age = 1', /UPDATE/i],
    ['DROP TABLE people', /DROP/i],
    ['CREATE TABLE x (a INTEGER)', /CREATE/i],
  ])('%s', async (query, feature) => {
    const e = await sqlError(query);
    expect(e.code, e.message).toBe('NOT_SUPPORTED');
    expect(e.message).toMatch(/not supported/i);
    expect(e.message).toMatch(feature);
  });

  it('statements that would change data leave it untouched', async () => {
    expect((await lake.sql('SELECT COUNT(*) AS n FROM people')).rows).toEqual([{ n: 4 }]);
    expect(lake.datasets().map((d) => d.name)).toEqual(['big', 'people']);
  });
});

describe('limits', () => {
  const slow = 'SELECT g, COUNT(DISTINCT s) AS n, SUM(x) AS total FROM big GROUP BY g';

  it('the query runs to completion without limits (the baseline for the tests below)', async () => {
    const r = await lake.sql(slow);
    expect(r.rowCount).toBe(4);
    expect(r.rows.reduce((n, row) => n + Number(row.n), 0)).toBeGreaterThan(BIG_ROWS * 0.99);
  });

  it('timeoutMs: 1 → TIMEOUT, and the lake keeps working', async () => {
    const e = await sqlError(slow, { timeoutMs: 1 });
    expect(e.code, e.message).toBe('TIMEOUT');
    expect(e.message).toMatch(/1 ms|time limit|deadline/i);
    expect((await lake.sql('SELECT COUNT(*) AS n FROM big')).rows).toEqual([{ n: BIG_ROWS }]);
  });

  it('config.maxQueryTime is the default deadline', async () => {
    const strict = createLakeNode({ config: { maxQueryTime: 100, chunkSize: 256 * 1024 } });
    try {
      await strict.ingest({ name: 'big.csv', text: big });
      // About 10^10 joined rows: far beyond 100 ms, whatever the engine's speed.
      const e = await sqlError('SELECT COUNT(*) AS n FROM big a JOIN big b ON a.g = b.g', undefined, strict);
      expect(e.code, e.message).toBe('TIMEOUT');
    } finally {
      await strict.close();
    }
  });

  it('an already aborted signal → CANCELLED without running', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const e = await sqlError(slow, { signal: ctl.signal });
    expect(e.code).toBe('CANCELLED');
  });

  it('aborting a running query → CANCELLED promptly, and the engine stops scanning', async () => {
    const ctl = new AbortController();
    let progressAfterAbort = 0;
    let aborted = false;
    const started = performance.now();
    const pending = sqlError('SELECT COUNT(*) AS n FROM big a JOIN big b ON a.g = b.g', {
      signal: ctl.signal,
      // A failure to cancel shows up as TIMEOUT after 5 s rather than a hung test.
      timeoutMs: 5_000,
      onProgress: () => {
        if (aborted) progressAfterAbort++;
      },
    });
    setTimeout(() => {
      aborted = true;
      ctl.abort();
    }, 50);
    const e = await pending;
    expect(e.code).toBe('CANCELLED');
    expect(performance.now() - started).toBeLessThan(5_000);
    // The deterministic version of "let a still-running engine show itself": a few macrotasks.
    progressAfterAbort = 0;
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
    expect(progressAfterAbort, 'progress events after cancellation: the engine kept running').toBe(0);
    expect((await lake.sql('SELECT COUNT(*) AS n FROM people')).rows).toEqual([{ n: 4 }]);
  });

  describe('memory budget (config.queryMemory = 1 MiB)', () => {
    let small: LakeNode;
    beforeAll(async () => {
      small = createLakeNode({ config: { queryMemory: 1024 * 1024, chunkSize: 256 * 1024 } });
      await small.ingest({ name: 'big.csv', text: big });
    }, 60_000);
    afterAll(async () => {
      await small?.close();
    });

    it.each([
      [
        'a cross-product-like join on a 4-value key',
        'SELECT COUNT(*) AS n FROM big a JOIN big b ON a.g = b.g',
      ],
      ['a GROUP BY with 200k groups', 'SELECT id, COUNT(*) AS n FROM big GROUP BY id'],
      ['COUNT(DISTINCT) over 200k values', 'SELECT COUNT(DISTINCT s) AS n FROM big'],
      ['a full sort of 200k rows', 'SELECT id, s FROM big ORDER BY s'],
    ])('%s → MEMORY, cleanly', async (_what, query) => {
      const e = await sqlError(query, { timeoutMs: 60_000 }, small);
      expect(e.code, e.message).toBe('MEMORY');
      expect(e.message).toMatch(/memory|queryMemory/i);
      // The node is still usable afterwards.
      expect((await small.sql('SELECT COUNT(*) AS n FROM big')).rows).toEqual([{ n: BIG_ROWS }]);
    });

    it('the same group-by fits the default budget', async () => {
      const r = await lake.sql('SELECT id, COUNT(*) AS n FROM big GROUP BY id');
      expect(r.rowCount).toBe(BIG_ROWS);
    });
  });
});

describe('integer overflow is never silent', () => {
  it('BIGINT arithmetic overflow → OVERFLOW', async () => {
    const text = 'v\n9223372036854775000\n9223372036854775001\n-5\n';
    const l = createLakeNode();
    try {
      await l.ingest({ name: 'huge.csv', text });
      const e = await sqlError('SELECT v + 1000 AS w FROM huge', undefined, l);
      expect(e.code, e.message).toBe('OVERFLOW');
      // SUM of int64 beyond int64: DuckDB answers exactly (HUGEINT); we answer exactly too, or refuse.
      try {
        const r = await l.sql('SELECT SUM(v) AS s FROM huge');
        expect(String(r.rows[0]!.s)).toBe('18446744073709549996');
      } catch (err) {
        expect(isSqlError(err) && err.code).toBe('OVERFLOW');
      }
    } finally {
      await l.close();
    }
  });
});
