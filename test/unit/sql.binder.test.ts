import { describe, expect, it } from 'vitest';
import type { Expr, PlanNode } from '../../src/sql/plan.ts';
import { plan, planError } from './sql.fixtures.ts';

/** The expressions of the plan's top projection (or the filter of its only scan). */
function selectExprs(sql: string): Expr[] {
  const p = plan(sql);
  if (p.kind !== 'project') throw new Error(`expected a project, got ${p.kind}`);
  return p.exprs;
}

function scanPredicate(p: PlanNode): Expr | null {
  if (p.kind === 'scan') return p.predicate;
  if (p.kind === 'values' || p.kind === 'join') throw new Error('no single scan');
  return scanPredicate(p.input);
}

describe('name resolution', () => {
  it('table and column names are case-insensitive (quoted too); outputs keep the stored name', () => {
    expect(plan('SELECT ID, E.NAME, "Dept" FROM EMP e').schema.map((c) => c.name)).toEqual([
      'id',
      'name',
      'dept',
    ]);
  });

  it('unknown column: suggestion from the visible columns and select aliases, position of the name', () => {
    const e = planError('SELECT id,\n  nmae\nFROM emp');
    expect(e.code).toBe('UNKNOWN_COLUMN');
    expect(e.message).toBe('Column "nmae" not found. Did you mean "name"?');
    expect(e.position).toEqual({ line: 2, column: 3 });
    expect(planError('SELECT age * 2 AS twice FROM emp ORDER BY twise').message).toBe(
      'Column "twise" not found. Did you mean "twice"?',
    );
    expect(planError('SELECT zzzzzz FROM emp').message).toBe('Column "zzzzzz" not found.');
  });

  it('the position is the occurrence inside the failing expression, not an earlier one', () => {
    expect(planError('SELECT bogus FROM emp WHERE age > 1 AND bogus = 2').position).toEqual({
      line: 1,
      column: 41,
    });
  });

  it('qualified names: unknown column of a table, unknown qualifier', () => {
    const e1 = planError('SELECT e.salery FROM emp e');
    expect(e1.code).toBe('UNKNOWN_COLUMN');
    expect(e1.message).toBe('Table "e" does not have a column named "salery". Did you mean "salary"?');
    expect(e1.position).toEqual({ line: 1, column: 8 });
    const e2 = planError('SELECT emp.id FROM emp e');
    expect(e2.code).toBe('UNKNOWN_TABLE');
    expect(e2.message).toBe('Table "emp" is not in the FROM clause. Did you mean "e"?');
  });

  it('unknown table in FROM or JOIN', () => {
    const e = planError('SELECT 1 FROM emp JOIN depts ON emp.id = depts.id');
    expect(e.code).toBe('UNKNOWN_TABLE');
    expect(e.message).toBe('Table "depts" does not exist. Did you mean "dept"?');
    expect(e.position).toEqual({ line: 1, column: 24 });
  });

  it('ambiguous names across joined tables; qualified names resolve', () => {
    const e = planError('SELECT name FROM emp e JOIN dept d ON e.dept = d.name');
    expect(e.code).toBe('AMBIGUOUS_COLUMN');
    expect(e.message).toBe('Ambiguous reference to column name "name" (use: "e.name" or "d.name")');
    expect(e.position).toEqual({ line: 1, column: 8 });
    expect(plan('SELECT d.name, e.name FROM emp e JOIN dept d ON e.dept = d.name').schema).toEqual([
      { name: 'name', type: 'VARCHAR' },
      { name: 'name', type: 'VARCHAR' },
    ]);
  });

  it('a self-join needs distinct aliases', () => {
    expect(planError('SELECT 1 FROM emp JOIN emp ON emp.id = emp.id').message).toMatch(
      /Duplicate alias "emp"/,
    );
    expect(plan('SELECT a.id, b.id FROM emp a JOIN emp b ON a.id = b.id').schema.length).toBe(2);
  });

  it('select aliases: usable later in the SELECT list, in WHERE, GROUP BY, HAVING, ORDER BY (DuckDB)', () => {
    expect(selectExprs('SELECT age + 1 AS x, x * 2 AS y FROM emp')[1]).toMatchObject({
      kind: 'call',
      fn: 'multiply',
      args: [
        { kind: 'call', fn: 'add' },
        { kind: 'literal', value: 2 },
      ],
    });
    expect(planError('SELECT x * 2, age AS x FROM emp').code).toBe('UNKNOWN_COLUMN');
    expect(scanPredicate(plan('SELECT age * 2 AS a2 FROM emp WHERE a2 > 50'))).toMatchObject({
      fn: 'gt',
      args: [{ fn: 'multiply' }, { value: 50 }],
    });
    // A real column wins over an alias of the same name.
    expect(scanPredicate(plan('SELECT age AS id FROM emp WHERE id = 3'))).toMatchObject({
      args: [{ kind: 'column', name: 'id' }, { value: 3 }],
    });
    expect(planError('SELECT count(*) AS c FROM emp WHERE c > 1').message).toBe(
      'WHERE clause cannot contain aggregates',
    );
  });

  it('* and t.*, in FROM order; SELECT * without FROM is an error', () => {
    expect(
      plan('SELECT d.*, e.id FROM emp e JOIN dept d ON e.dept = d.name').schema.map((c) => c.name),
    ).toEqual(['id', 'name', 'budget', 'id']);
    expect(planError('SELECT x.* FROM emp').code).toBe('UNKNOWN_TABLE');
    expect(planError('SELECT *').message).toBe('SELECT * with no tables specified is not valid');
  });
});

describe('types and implicit casts (DuckDB rules)', () => {
  it('literals: INTEGER if it fits 32 bits, else BIGINT (decimal string); decimals DOUBLE', () => {
    expect(
      selectExprs("SELECT 1, 2147483648, -2147483648, 9223372036854775807, 1.5, 1e3, 'x', true, NULL"),
    ).toEqual([
      { kind: 'literal', value: 1, type: 'INTEGER' },
      { kind: 'literal', value: '2147483648', type: 'BIGINT' },
      { kind: 'literal', value: '-2147483648', type: 'BIGINT' },
      { kind: 'literal', value: '9223372036854775807', type: 'BIGINT' },
      { kind: 'literal', value: 1.5, type: 'DOUBLE' },
      { kind: 'literal', value: 1000, type: 'DOUBLE' },
      { kind: 'literal', value: 'x', type: 'VARCHAR' },
      { kind: 'literal', value: true, type: 'BOOLEAN' },
      { kind: 'literal', value: null, type: 'INTEGER' },
    ]);
    expect(selectExprs("SELECT DATE '2024-03-01', TIMESTAMP '1970-01-02 00:00:01.5', 'it''s'")).toEqual([
      { kind: 'literal', value: 19783, type: 'DATE' },
      { kind: 'literal', value: 86_401_500, type: 'TIMESTAMP' },
      { kind: 'literal', value: "it's", type: 'VARCHAR' },
    ]);
  });

  it('arithmetic: operands cast to one type; / is DOUBLE; % keeps integers', () => {
    const [add, mixed, div, mod, neg] = selectExprs(
      'SELECT age + 1, age + big, age / 2, big % 2, -salary FROM emp',
    );
    expect(add).toMatchObject({
      fn: 'add',
      type: 'INTEGER',
      args: [{ type: 'INTEGER' }, { type: 'INTEGER' }],
    });
    expect(mixed).toMatchObject({
      fn: 'add',
      type: 'BIGINT',
      args: [{ kind: 'cast', type: 'BIGINT', arg: { name: 'age' } }, { name: 'big' }],
    });
    expect(div).toMatchObject({
      fn: 'divide',
      type: 'DOUBLE',
      args: [
        { kind: 'cast', type: 'DOUBLE' },
        { kind: 'literal', value: 2, type: 'DOUBLE' },
      ],
    });
    expect(mod).toMatchObject({
      fn: 'modulo',
      type: 'BIGINT',
      args: [{ name: 'big' }, { value: '2', type: 'BIGINT' }],
    });
    expect(neg).toMatchObject({ fn: 'negate', type: 'DOUBLE' });
  });

  it('comparisons: string literals adapt to the column type (folded), numbers widen', () => {
    expect(scanPredicate(plan("SELECT 1 FROM emp WHERE hired >= '2021-01-01'"))).toEqual({
      kind: 'call',
      fn: 'gte',
      type: 'BOOLEAN',
      args: [
        { kind: 'column', index: 0, type: 'DATE', name: 'hired' },
        { kind: 'literal', value: 18628, type: 'DATE' },
      ],
    });
    expect(scanPredicate(plan("SELECT 1 FROM emp WHERE updated < '2021-01-01'"))).toMatchObject({
      args: [{ type: 'TIMESTAMP' }, { value: Date.UTC(2021, 0, 1), type: 'TIMESTAMP' }],
    });
    expect(scanPredicate(plan("SELECT 1 FROM emp WHERE age = '30' AND active = 'true'"))).toMatchObject({
      args: [{ args: [{ name: 'age' }, { value: 30, type: 'INTEGER' }] }, { args: [{}, { value: true }] }],
    });
    expect(scanPredicate(plan('SELECT 1 FROM emp WHERE age > 35.5'))).toMatchObject({
      args: [{ kind: 'cast', type: 'DOUBLE', arg: { name: 'age' } }, { value: 35.5 }],
    });
    expect(scanPredicate(plan('SELECT 1 FROM emp WHERE hired < updated'))).toMatchObject({
      args: [{ kind: 'cast', type: 'TIMESTAMP' }, { name: 'updated' }],
    });
  });

  it('VARCHAR against another type: = casts the string (DuckDB), ordering is an error', () => {
    expect(scanPredicate(plan('SELECT 1 FROM emp WHERE name = 1'))).toMatchObject({
      args: [{ kind: 'cast', type: 'INTEGER', arg: { name: 'name' } }, { value: 1 }],
    });
    const e = planError('SELECT 1 FROM emp WHERE name > 1');
    expect(e.code).toBe('TYPE');
    expect(e.message).toBe(
      'Cannot compare values of type VARCHAR and type INTEGER - an explicit cast is required',
    );
    expect(e.position).toEqual({ line: 1, column: 25 });
    expect(planError('SELECT 1 FROM emp WHERE hired = 5').message).toMatch(
      /Cannot compare values of type DATE/,
    );
    expect(planError("SELECT 1 FROM emp WHERE age = 'abc'").message).toBe(
      "Could not convert string 'abc' to INTEGER",
    );
    expect(planError("SELECT 1 FROM emp WHERE hired = '2024-02-30'").message).toMatch(/out of range/);
  });

  it('IN, BETWEEN and COALESCE pick one common type', () => {
    const [inList, between, coalesce] = selectExprs(
      "SELECT age IN (1, 2.5), hired BETWEEN '2020-01-01' AND updated, coalesce(age, big, 0) FROM emp",
    );
    expect(inList).toMatchObject({
      kind: 'in',
      arg: { kind: 'cast', type: 'DOUBLE' },
      list: [{ value: 1 }, { value: 2.5 }],
    });
    expect(between).toMatchObject({
      fn: 'and',
      args: [
        {
          fn: 'gte',
          args: [
            { kind: 'cast', type: 'TIMESTAMP' },
            { type: 'TIMESTAMP', value: Date.UTC(2020, 0, 1) },
          ],
        },
        { fn: 'lte', args: [{ kind: 'cast' }, { name: 'updated' }] },
      ],
    });
    expect(coalesce).toMatchObject({
      fn: 'coalesce',
      type: 'BIGINT',
      args: [{ kind: 'cast' }, { name: 'big' }, { value: '0' }],
    });
    expect(planError('SELECT coalesce(name, 1) FROM emp').message).toBe(
      'Cannot mix values of type VARCHAR and INTEGER in COALESCE operator - an explicit cast is required',
    );
    expect(planError('SELECT name BETWEEN 1 AND 2 FROM emp').message).toMatch(/in BETWEEN clause/);
  });

  it('conditions: numbers and strings are cast to BOOLEAN as in DuckDB; dates are an error', () => {
    expect(scanPredicate(plan('SELECT 1 FROM emp WHERE age AND active'))).toMatchObject({
      fn: 'and',
      args: [{ kind: 'cast', type: 'BOOLEAN' }, { name: 'active' }],
    });
    expect(planError('SELECT 1 FROM emp WHERE hired').code).toBe('TYPE');
  });

  it('function overloads and result types', () => {
    const types = plan(
      "SELECT length(name), substr(name, 2), round(salary, 1), round(age), abs(big), floor(age), ceil(salary), date_trunc('month', hired), extract(year FROM updated), date_part('epoch', updated) FROM emp",
    ).schema.map((c) => c.type);
    expect(types).toEqual([
      'BIGINT',
      'VARCHAR',
      'DOUBLE',
      'INTEGER',
      'BIGINT',
      'DOUBLE',
      'DOUBLE',
      'TIMESTAMP',
      'BIGINT',
      'DOUBLE',
    ]);
    expect(planError('SELECT lower(age) FROM emp').message).toBe(
      "No function matches the given name and argument types 'lower(INTEGER)'. You might need to add explicit type casts.",
    );
    expect(planError('SELECT name + 1 FROM emp').code).toBe('TYPE');
    expect(planError('SELECT substr(name, 1.5) FROM emp').code).toBe('TYPE');
  });

  it('date parts are normalised string literals', () => {
    expect(
      selectExprs("SELECT extract(DOW FROM hired), date_part('dayofweek', hired) FROM emp"),
    ).toMatchObject([
      { fn: 'date_part', args: [{ value: 'dow' }, { name: 'hired' }] },
      { fn: 'date_part', args: [{ value: 'dow' }, { name: 'hired' }] },
    ]);
    expect(planError('SELECT date_part(name, hired) FROM emp').code).toBe('NOT_SUPPORTED');
  });

  it('aggregates: COUNT BIGINT, SUM of integers BIGINT, AVG DOUBLE, MIN/MAX keep the type', () => {
    expect(
      plan('SELECT count(*), count(name), sum(age), sum(active), sum(salary), avg(big), max(hired) FROM emp')
        .schema,
    ).toEqual([
      { name: 'count_star()', type: 'BIGINT' },
      { name: 'count("name")', type: 'BIGINT' },
      { name: 'sum(age)', type: 'BIGINT' },
      { name: 'sum(active)', type: 'BIGINT' },
      { name: 'sum(salary)', type: 'DOUBLE' },
      { name: 'avg(big)', type: 'DOUBLE' },
      { name: 'max(hired)', type: 'DATE' },
    ]);
    expect(planError('SELECT sum(name) FROM emp').code).toBe('TYPE');
    expect(planError('SELECT count(count(*)) FROM emp').message).toBe(
      'aggregate function calls cannot be nested',
    );
    expect(planError('SELECT 1 FROM emp GROUP BY count(*)').message).toBe(
      'GROUP BY clause cannot contain aggregates',
    );
    expect(planError('SELECT 1 FROM emp e JOIN dept d ON count(*) = d.id').message).toBe(
      'JOIN condition cannot contain aggregates',
    );
  });

  it('CAST and ::, chained; literal casts fold with DuckDB rounding', () => {
    expect(
      selectExprs(
        "SELECT 2.5::int, (-2.5)::INTEGER, '7'::bigint, age::int8::double, CAST(hired AS TIMESTAMP) FROM emp",
      ),
    ).toEqual([
      { kind: 'literal', value: 3, type: 'INTEGER' },
      { kind: 'literal', value: -3, type: 'INTEGER' },
      { kind: 'literal', value: '7', type: 'BIGINT' },
      {
        kind: 'cast',
        type: 'DOUBLE',
        arg: {
          kind: 'cast',
          type: 'BIGINT',
          arg: { kind: 'column', index: 0, type: 'INTEGER', name: 'age' },
        },
      },
      { kind: 'cast', type: 'TIMESTAMP', arg: { kind: 'column', index: 1, type: 'DATE', name: 'hired' } },
    ]);
    expect(planError('SELECT hired::INTEGER FROM emp').message).toBe(
      'Unimplemented type for cast (DATE -> INTEGER)',
    );
  });
});

describe('output names follow DuckDB (more in sql.duckdb.test.ts)', () => {
  it('expressions print as DuckDB prints them, keywords quoted; aliases win', () => {
    expect(
      plan(
        'SELECT age + 1, -age, name LIKE \'a%\', age NOT BETWEEN 1 AND 2, CAST(age AS DOUBLE), trim(name), extract(year FROM hired), age AS "Age" FROM emp',
      ).schema.map((c) => c.name),
    ).toEqual([
      '(age + 1)',
      '-(age)',
      '("name" ~~ \'a%\')',
      '(NOT (age BETWEEN 1 AND 2))',
      'CAST(age AS "DOUBLE")',
      'main."trim"("name")',
      "main.date_part('year', hired)",
      'Age',
    ]);
  });
});
