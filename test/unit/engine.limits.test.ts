import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanNode } from '../../src/sql/plan.ts';
import { isSqlError } from '../../src/sql/SqlError.ts';
import type { Value } from '../helpers/engineData.ts';
import { tableT } from '../helpers/engineData.ts';
import { EngineOracle } from '../helpers/engineOracle.ts';
import {
  aggregate,
  call,
  cast,
  col,
  join,
  lit,
  project,
  scan,
  sort,
  values,
} from '../helpers/planBuilder.ts';

// Limits (cancellation, deadline, memory budget), progress, and runtime errors with DuckDB's codes.
let o: EngineOracle;
beforeAll(async () => {
  const ext: Value[][] = [[2147483647, -2147483648, 9223372036854775807n, -9223372036854775808n, 'x']];
  o = await new EngineOracle().open([
    { name: 't', ...tableT(), chunkRows: 600 },
    {
      name: 'ext',
      schema: [
        { name: 'imax', type: 'INTEGER' },
        { name: 'imin', type: 'INTEGER' },
        { name: 'bmax', type: 'BIGINT' },
        { name: 'bmin', type: 'BIGINT' },
        { name: 's', type: 'VARCHAR' },
      ],
      rows: ext,
      chunkRows: 1,
    },
  ]);
});
afterAll(() => o.close());

const c = col;

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e: unknown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isSqlError(e)) throw new Error(`expected a SqlError, got ${String(e)}`);
  return { code: e.code, message: e.message };
}

describe('cancellation and deadline', () => {
  it('an already aborted signal rejects with CANCELLED before any chunk loads', async () => {
    const ac = new AbortController();
    ac.abort();
    const before = o.source.loads;
    expect((await codeOf(o.run(scan(o.get('t')), { signal: ac.signal }))).code).toBe('CANCELLED');
    expect(o.source.loads).toBe(before);
  });

  it('aborting between chunks rejects with CANCELLED and stops loading', async () => {
    o.source.delayMs = 20;
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 30);
      const before = o.source.loads;
      expect((await codeOf(o.run(scan(o.get('t')), { signal: ac.signal }))).code).toBe('CANCELLED');
      expect(o.source.loads - before).toBeLessThan(o.get('t').chunks.length);
    } finally {
      o.source.delayMs = 0;
    }
  });

  it('a passed deadline rejects with TIMEOUT, also while a chunk load hangs', async () => {
    expect((await codeOf(o.run(scan(o.get('t')), { deadline: Date.now() - 1 }))).code).toBe('TIMEOUT');
    o.source.hang = true;
    try {
      const t0 = Date.now();
      expect((await codeOf(o.run(scan(o.get('t')), { deadline: Date.now() + 100 }))).code).toBe('TIMEOUT');
      expect(Date.now() - t0).toBeLessThan(2000);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      expect((await codeOf(o.run(scan(o.get('t')), { signal: ac.signal }))).code).toBe('CANCELLED');
    } finally {
      o.source.hang = false;
    }
  });

  it('reports progress per chunk', async () => {
    const seen: { chunksDone: number; chunksTotal: number; rowsScanned: number }[] = [];
    await o.run(scan(o.get('t'), ['id']), { onProgress: (p) => seen.push(p) });
    const n = o.get('t').chunks.length;
    expect(seen.map((p) => p.chunksDone)).toEqual(Array.from({ length: n }, (_, k) => k + 1));
    expect(seen.every((p) => p.chunksTotal === n)).toBe(true);
    expect(seen.at(-1)?.rowsScanned).toBe(2500);
  });
});

describe('memory budget', () => {
  const tiny = { memoryBudget: 64 * 1024 };
  const cases: [string, () => PlanNode][] = [
    ['a sort buffer', () => sort(scan(o.get('t')), (n) => [[c(n, 's')]])],
    [
      'a hash aggregate with many groups',
      () =>
        aggregate(
          scan(o.get('t')),
          (n) => ({ id: c(n, 'id'), s: c(n, 's') }),
          () => ({ cnt: ['count_star'] }),
        ),
    ],
    ['a join build side', () => join('inner', scan(o.get('t'), ['i']), scan(o.get('t')), [['i', 'i']])],
    ['a huge cross join result', () => join('inner', scan(o.get('t'), ['id']), scan(o.get('t'), ['s']), [])],
  ];
  for (const [what, plan] of cases)
    it(`fails cleanly with MEMORY on ${what}`, async () => {
      const err = await codeOf(o.run(plan(), what.includes('cross') ? { memoryBudget: 8 * 2 ** 20 } : tiny));
      expect(err.code).toBe('MEMORY');
      expect(err.message).toMatch(/query needs more than \d+ MiB for .+ over the memory budget/);
    });

  it('the same queries pass with a normal budget', async () => {
    await o.run(sort(scan(o.get('t')), (n) => [[c(n, 's')]]));
  });
});

/** Our error code and DuckDB's message prefix for the same failing expression. */
async function sameError(plan: PlanNode, sql: string, code: string, prefix: string): Promise<void> {
  const duck = await o.duckError(sql);
  expect(duck, sql).toContain(prefix);
  const ours = await codeOf(o.run(plan));
  expect(ours.code, sql).toBe(code);
  expect(ours.message, sql).toContain(prefix);
}

describe('runtime errors like DuckDB', () => {
  const ext = () => scan(o.get('ext'));
  it('integer overflow in arithmetic is OVERFLOW', async () => {
    await sameError(
      project(ext(), (n) => ({ v: call('add', c(n, 'imax'), lit(1)) })),
      'SELECT imax + 1 FROM ext',
      'OVERFLOW',
      'Overflow in addition of INT32',
    );
    await sameError(
      project(ext(), (n) => ({ v: call('multiply', c(n, 'imin'), lit(2)) })),
      'SELECT imin * 2 FROM ext',
      'OVERFLOW',
      'Overflow in multiplication of INT32',
    );
    await sameError(
      project(ext(), (n) => ({ v: call('subtract', c(n, 'bmin'), lit(1n)) })),
      'SELECT bmin - 1::BIGINT FROM ext',
      'OVERFLOW',
      'Overflow in subtraction of INT64',
    );
    await sameError(
      project(ext(), (n) => ({ v: call('multiply', c(n, 'bmax'), c(n, 'bmax')) })),
      'SELECT bmax * bmax FROM ext',
      'OVERFLOW',
      'Overflow in multiplication of INT64',
    );
    await sameError(
      project(ext(), (n) => ({ v: call('modulo', c(n, 'imin'), lit(-1)) })),
      'SELECT imin % -1 FROM ext',
      'OVERFLOW',
      'Overflow in division of -2147483648 / -1',
    );
    const t = scan(o.get('t'));
    await sameError(
      project(t, (n) => ({ v: call('multiply', c(n, 'i'), lit(3000000)) })),
      'SELECT i * 3000000 FROM t',
      'OVERFLOW',
      'Overflow in multiplication of INT32',
    );
  });

  it('negation and abs of the minimum are OVERFLOW', async () => {
    await sameError(
      project(ext(), (n) => ({ v: call('negate', c(n, 'bmin')) })),
      'SELECT -bmin FROM ext',
      'OVERFLOW',
      'Overflow in negation of numeric value!',
    );
    await sameError(
      project(ext(), (n) => ({ v: call('negate', c(n, 'imin')) })),
      'SELECT -imin FROM ext',
      'OVERFLOW',
      'Overflow in negation of numeric value!',
    );
    await sameError(
      project(ext(), (n) => ({ v: call('abs', c(n, 'bmin')) })),
      'SELECT abs(bmin) FROM ext',
      'OVERFLOW',
      'Overflow on abs(-9223372036854775808)',
    );
    await sameError(
      project(ext(), (n) => ({ v: call('abs', c(n, 'imin')) })),
      'SELECT abs(imin) FROM ext',
      'OVERFLOW',
      'Overflow on abs(-2147483648)',
    );
    await sameError(
      project(ext(), (n) => ({ v: call('modulo', c(n, 'bmin'), lit(-1n)) })),
      'SELECT bmin % -1::BIGINT FROM ext',
      'OVERFLOW',
      'Overflow in division of -9223372036854775808 / -1',
    );
  });

  it('a string that is not a number is DATA, a value out of range OVERFLOW', async () => {
    await sameError(
      project(ext(), (n) => ({ v: cast(c(n, 's'), 'INTEGER') })),
      'SELECT CAST(s AS INTEGER) FROM ext',
      'DATA',
      "Could not convert string 'x' to INT32",
    );
    await sameError(
      project(ext(), (n) => ({ v: cast(c(n, 'bmax'), 'INTEGER') })),
      'SELECT CAST(bmax AS INTEGER) FROM ext',
      'OVERFLOW',
      "can't be cast because the value is out of range for the destination type INT32",
    );
  });

  it('a CASE guard keeps the failing branch from running', async () => {
    const plan = project(ext(), (n) => ({
      v: {
        kind: 'case',
        whens: [{ when: call('gt', c(n, 'imax'), lit(0)), then: lit(0) }],
        else: call('add', c(n, 'imax'), lit(1)),
        type: 'INTEGER',
      },
    }));
    await o.check(plan, 'SELECT CASE WHEN imax > 0 THEN 0 ELSE imax + 1 END FROM ext');
  });

  it('unsupported date parts say so', async () => {
    const plan = project(values([[]], []), () => ({
      v: call('date_part', lit('fortnight'), lit(0, 'DATE')),
    }));
    expect((await codeOf(o.run(plan))).code).toBe('NOT_SUPPORTED');
  });

  it('a chunk that cannot be loaded rejects the query', async () => {
    const t = scan(o.get('t'));
    const broken = { ...t, chunks: [...t.chunks, { id: 'nope' as (typeof t.chunks)[0]['id'], rows: 1 }] };
    await expect(o.run(broken)).rejects.toThrow('missing chunk nope');
  });
});
