import { describe, expect, it } from 'vitest';
import type { Expr, PlanNode } from '../../src/sql/plan.ts';
import { keptChunks, plan, scans, shape } from './sql.fixtures.ts';

function projected(sql: string): Expr[] {
  const p = plan(sql);
  if (p.kind !== 'project') throw new Error(`expected a project, got ${p.kind}`);
  return p.exprs;
}

const predicate = (p: PlanNode) => scans(p).map((s) => s.predicate);

describe('constant folding', () => {
  it('folds arithmetic, comparisons, logic, IN, CASE and COALESCE on constants', () => {
    expect(
      projected(
        "SELECT 1 + 2 * 3, 7 % 2, 10 / 4, -(5), 2 > 1 AND NULL, NULL OR true, 3 IN (1, 2, 3), 3 NOT IN (1, NULL), coalesce(NULL, age), CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END FROM emp",
      ),
    ).toEqual([
      { kind: 'literal', value: 7, type: 'INTEGER' },
      { kind: 'literal', value: 1, type: 'INTEGER' },
      { kind: 'literal', value: 2.5, type: 'DOUBLE' },
      { kind: 'literal', value: -5, type: 'INTEGER' },
      { kind: 'literal', value: null, type: 'BOOLEAN' },
      { kind: 'literal', value: true, type: 'BOOLEAN' },
      { kind: 'literal', value: true, type: 'BOOLEAN' },
      { kind: 'literal', value: null, type: 'BOOLEAN' },
      { kind: 'column', index: 0, type: 'INTEGER', name: 'age' },
      { kind: 'literal', value: 'b', type: 'VARCHAR' },
    ]);
  });

  it('BIGINT folds exactly, beyond 2^53', () => {
    expect(projected('SELECT 9007199254740993 + 1, -(9223372036854775807)')).toEqual([
      { kind: 'literal', value: '9007199254740994', type: 'BIGINT' },
      { kind: 'literal', value: '-9223372036854775807', type: 'BIGINT' },
    ]);
  });

  it('leaves overflow and division by zero to the engine (they fail or not as in DuckDB)', () => {
    expect(projected('SELECT 2147483647 + 1, 1 / 0, 5 % 0, 9223372036854775807 * 2')).toMatchObject([
      { kind: 'call', fn: 'add' },
      { kind: 'call', fn: 'divide' },
      { kind: 'call', fn: 'modulo' },
      { kind: 'call', fn: 'multiply' },
    ]);
  });

  it('simplifies conditions: TRUE drops out, FALSE/NULL empties the scan, NOT becomes the inverse operator', () => {
    expect(predicate(plan('SELECT id FROM emp WHERE 1 = 1 AND age > 1 + 1'))).toEqual([
      {
        kind: 'call',
        fn: 'gt',
        type: 'BOOLEAN',
        args: [
          { kind: 'column', index: 1, type: 'INTEGER', name: 'age' },
          { kind: 'literal', value: 2, type: 'INTEGER' },
        ],
      },
    ]);
    expect(predicate(plan('SELECT id FROM emp WHERE 1 = 1'))).toEqual([null]);
    expect(keptChunks('SELECT id FROM emp WHERE 1 = 2')).toEqual([]);
    expect(keptChunks('SELECT id FROM emp WHERE age = NULL')).toEqual([]);
    expect(
      predicate(plan("SELECT id FROM emp WHERE NOT (age > 25) AND NOT name LIKE 'a%' AND NOT (age IS NULL)")),
    ).toMatchObject([
      { fn: 'and', args: [{ fn: 'and', args: [{ fn: 'lte' }, { fn: 'not_like' }] }, { fn: 'is_not_null' }] },
    ]);
  });
});

describe('predicate pushdown', () => {
  it('WHERE goes into the scan', () => {
    const p = plan('SELECT name FROM emp WHERE age > 30');
    expect(shape(p)).toBe('project(scan)');
    expect(predicate(p)[0]).toMatchObject({ fn: 'gt' });
  });

  it('through an inner join to both sides; conditions on both sides join the residual', () => {
    const p = plan(
      'SELECT e.id FROM emp e JOIN dept d ON e.dept = d.name AND d.id > 2 WHERE d.budget > 5 AND e.age > 30 AND e.salary > d.budget',
    );
    expect(shape(p)).toBe('project(join(scan, scan))');
    const [left, right] = predicate(p);
    expect(left).toMatchObject({ fn: 'gt', args: [{ name: 'age' }, {}] });
    expect(right).toMatchObject({
      fn: 'and',
      args: [{ args: [{ name: 'budget' }, {}] }, { args: [{ name: 'id' }, {}] }],
    });
    const join = p.kind === 'project' && p.input.kind === 'join' ? p.input : null;
    expect(join?.residual).toMatchObject({ fn: 'gt', args: [{ name: 'salary' }, { name: 'budget' }] });
  });

  it('LEFT JOIN: left-side WHERE and right-side ON go down; right-side WHERE and left-side ON stay', () => {
    const p = plan(
      'SELECT e.id FROM emp e LEFT JOIN dept d ON e.dept = d.name AND e.age > 3 AND d.budget > 100 WHERE e.salary > 10 AND d.id IS NULL',
    );
    expect(shape(p)).toBe('project(filter(join(scan, scan)))');
    const [left, right] = predicate(p);
    expect(left).toMatchObject({ fn: 'gt', args: [{ name: 'salary' }, {}] });
    expect(right).toMatchObject({ fn: 'gt', args: [{ name: 'budget' }, {}] });
    const filter = p.kind === 'project' && p.input.kind === 'filter' ? p.input : null;
    expect(filter?.predicate).toMatchObject({ fn: 'is_null', args: [{ name: 'id' }] });
    expect(filter?.input.kind === 'join' && filter.input.residual).toMatchObject({
      fn: 'gt',
      args: [{ name: 'age' }, {}],
    });
  });

  it('HAVING on group columns filters the input; on aggregates, or HAVING false on a global aggregate, it stays', () => {
    const p = plan("SELECT dept, count(*) FROM emp GROUP BY dept HAVING dept = 'hr' AND count(*) > 1");
    expect(shape(p)).toBe('filter(aggregate(scan))');
    expect(predicate(p)[0]).toMatchObject({ fn: 'eq', args: [{ name: 'dept' }, { value: 'hr' }] });
    expect(shape(plan('SELECT count(*) FROM emp HAVING false'))).toBe('filter(aggregate(scan))');
  });
});

describe('projection pushdown', () => {
  it('scans read only the columns used, in schema order', () => {
    const [s] = scans(plan('SELECT salary, name FROM emp WHERE age > 1 ORDER BY hired'));
    expect(s?.columns).toEqual([1, 3, 4, 5]);
    expect(s?.schema.map((c) => c.name)).toEqual(['name', 'age', 'salary', 'hired']);
  });

  it('COUNT(*) reads no column at all', () => {
    const [s] = scans(plan('SELECT count(*) FROM emp'));
    expect(s?.columns).toEqual([]);
    expect(s?.schema).toEqual([]);
  });

  it('joins read their keys and residual columns; DISTINCT keeps what it compares', () => {
    const [l, r] = scans(
      plan('SELECT e.name FROM emp e JOIN dept d ON e.dept = d.name AND e.salary > d.budget'),
    );
    expect(l?.schema.map((c) => c.name)).toEqual(['name', 'dept', 'salary']);
    expect(r?.schema.map((c) => c.name)).toEqual(['name', 'budget']);
    expect(scans(plan('SELECT DISTINCT dept, age FROM emp'))[0]?.columns).toEqual([2, 3]);
  });
});

describe('zone-map chunk pruning (c0: age 20–29, c1: age 30–39, c2: age all NULL)', () => {
  it.each([
    ['age > 30', ['c1']],
    ['age >= 29', ['c0', 'c1']],
    ['age < 20', []],
    ['age <= 20', ['c0']],
    ['age = 35', ['c1']],
    ['age != 25', ['c0', 'c1']],
    ['age BETWEEN 25 AND 32', ['c0', 'c1']],
    ['age IN (1, 35, NULL)', ['c1']],
    ['age NOT IN (20, 21)', ['c0', 'c1']],
    ['age IS NULL', ['c2']],
    ['age IS NOT NULL', ['c0', 'c1']],
    ['age > 35.5', ['c1']],
    ['30 < age', ['c1']],
    ['age > 35 OR age < 21', ['c0', 'c1']],
    ['age > 35 OR id > 220', ['c1', 'c2']],
    ['age > 35 AND id < 150', ['c1']],
    ["hired >= '2021-06-01'", ['c1', 'c2']],
    ["hired < DATE '2020-01-01'", []],
    ["updated > TIMESTAMP '2022-01-31 00:00:00'", []],
    ["updated >= '2022-01-31'", ['c2']],
    ['big > 100', ['c1']],
    ['big = 9007199254740993', ['c1']],
    ['big > 9007199254740992', ['c1']],
    ['big < 0', ['c2']],
    ['big > 99.5', ['c0', 'c1']],
    ["name > 'n'", ['c1']],
    ["name < 'b'", ['c0']],
    ["dept = 'pa'", ['c1']],
    ["name LIKE 'x%'", ['c0', 'c1']],
    ['active', ['c0', 'c1']],
    ['NOT active', ['c0', 'c2']],
    ['active = false', ['c0', 'c2']],
  ])('%s → %j', (where, kept) => {
    expect(keptChunks(`SELECT id FROM emp WHERE ${where}`)).toEqual(kept);
  });

  it('DOUBLE: stats leave out NaN (largest in DuckDB), so only lower bounds prune', () => {
    expect(keptChunks('SELECT id FROM emp WHERE salary < 4000')).toEqual(['c0', 'c2']);
    expect(keptChunks('SELECT id FROM emp WHERE salary > 100000')).toEqual(['c0', 'c1', 'c2']);
    expect(keptChunks('SELECT id FROM emp WHERE salary != 5000')).toEqual(['c0', 'c1', 'c2']);
    // c2 has no min/max but no nulls either (only ±Infinity/NaN): unknown, kept.
    expect(keptChunks('SELECT id FROM emp WHERE salary = 1')).toEqual(['c2']);
  });

  it('VARCHAR: a literal with characters at or above U+D800 never prunes (UTF-16 vs code point order)', () => {
    expect(keptChunks("SELECT id FROM emp WHERE name = 'ｚ'")).toEqual(['c0', 'c1']);
    expect(keptChunks("SELECT id FROM emp WHERE name = 'zz'")).toEqual([]);
  });

  it('a scan without a predicate keeps every chunk; totals are reported', () => {
    const [s] = scans(plan('SELECT id FROM emp WHERE age > 30'));
    expect(s?.chunks).toEqual([{ id: 'emp-c1', rows: 100 }]);
    expect(s?.totalChunks).toBe(3);
    expect(keptChunks('SELECT id FROM emp')).toEqual(['c0', 'c1', 'c2']);
  });
});

describe('TopN and estimates', () => {
  it('ORDER BY … LIMIT becomes topn; LIMIT alone stays a limit', () => {
    const p = plan('SELECT name FROM emp ORDER BY age DESC LIMIT 3 OFFSET 2');
    expect(shape(p)).toBe('project(topn(project(scan)))');
    expect(p.kind === 'project' && p.input).toMatchObject({ kind: 'topn', limit: 3, offset: 2, estRows: 3 });
    expect(shape(plan('SELECT age FROM emp ORDER BY age LIMIT 10'))).toBe('topn(scan)');
    expect(shape(plan('SELECT age FROM emp LIMIT 10'))).toBe('limit(scan)');
    expect(shape(plan('SELECT age FROM emp ORDER BY age'))).toBe('sort(scan)');
  });

  it('estimates: kept chunk rows times a selectivity guess; one row for a global aggregate', () => {
    expect(scans(plan('SELECT id FROM emp'))[0]?.estRows).toBe(250);
    expect(scans(plan('SELECT id FROM emp WHERE age > 30'))[0]?.estRows).toBe(33);
    expect(scans(plan('SELECT id FROM emp WHERE age IS NULL'))[0]?.estRows).toBe(10);
    expect(plan('SELECT count(*) FROM emp').estRows).toBe(1);
    expect(plan('SELECT id FROM emp WHERE false').estRows).toBe(0);
  });
});
