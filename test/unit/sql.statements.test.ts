import { describe, expect, it } from 'vitest';
import { planQuery } from '../../src/sql/planQuery.ts';
import { catalog, planError } from './sql.fixtures.ts';

describe('statement kinds', () => {
  it('SHOW TABLES, DESCRIBE (case-insensitive, canonical name), EXPLAIN', () => {
    expect(planQuery('SHOW TABLES', catalog)).toEqual({ kind: 'show_tables' });
    expect(planQuery('show tables;', catalog)).toEqual({ kind: 'show_tables' });
    expect(planQuery('DESCRIBE EMP', catalog)).toEqual({ kind: 'describe', table: 'emp' });
    expect(planQuery('describe "dept";', catalog)).toEqual({ kind: 'describe', table: 'dept' });
    const ex = planQuery('-- a comment first\nEXPLAIN SELECT count(*) FROM emp', catalog);
    expect(ex.kind).toBe('explain');
    if (ex.kind === 'explain') expect(ex.text).toContain('Scan emp');
    expect(planQuery('SELECT 1', catalog).kind).toBe('query');
  });

  it('DESCRIBE of an unknown table suggests and points at the name', () => {
    const e = planError('DESCRIBE empp');
    expect(e.code).toBe('UNKNOWN_TABLE');
    expect(e.message).toBe('Table "empp" does not exist. Did you mean "emp"?');
    expect(e.position).toEqual({ line: 1, column: 10 });
  });

  it('empty input', () => {
    expect(planError('   ').code).toBe('EMPTY');
    expect(planError(' ; ').code).toBe('EMPTY');
    expect(planError('-- nothing').code).toBe('EMPTY');
  });
});

describe('syntax errors: short messages with line and column', () => {
  it.each([
    ['SELECT * FROM emp WHERE', 'Syntax error at line 1, column 24: unexpected end of query', 1, 24],
    ['SELECT a,, b FROM emp', 'Syntax error at line 1, column 10: unexpected ","', 1, 10],
    [
      'SELECT *\nFROM emp\nORDER age',
      'Syntax error at line 3, column 7: unexpected "age" (expected BY)',
      3,
      7,
    ],
    [
      "SELECT * FROM emp WHERE name = 'abc",
      'Syntax error at line 1, column 36: unterminated quoted string',
      1,
      36,
    ],
    [
      '  selec * from emp',
      'Syntax error at line 1, column 3: unknown statement "selec" (expected SELECT, EXPLAIN, DESCRIBE or SHOW TABLES)',
      1,
      3,
    ],
    ['DESCRIBE emp extra', 'Syntax error at line 1, column 14: expected DESCRIBE <table>', 1, 14],
  ])('%s', (sql, message, line, column) => {
    const e = planError(sql);
    expect(e.code).toBe('SYNTAX');
    expect(e.message).toBe(message);
    expect(e.position).toEqual({ line, column });
  });

  it('EXPLAIN keeps the positions of the query after it', () => {
    expect(planError('EXPLAIN SELECT * FROM emp WHERE').position).toEqual({ line: 1, column: 32 });
  });
});

describe('anything outside the supported SQL is refused, never answered differently', () => {
  it.each([
    ['SELECT * FROM emp WHERE age IN (SELECT id FROM dept)', 'subqueries'],
    ['SELECT * FROM (SELECT 1) t', 'subqueries in FROM'],
    ['WITH a AS (SELECT 1) SELECT * FROM a', 'WITH (common table expressions)'],
    ['SELECT 1 UNION SELECT 2', 'UNION'],
    ['SELECT row_number() OVER () FROM emp', 'window functions'],
    ['SELECT sum(age) OVER () FROM emp', 'window functions'],
    ['SELECT * FROM emp RIGHT JOIN dept ON emp.id = dept.id', 'RIGHT JOIN'],
    ['SELECT * FROM emp FULL JOIN dept ON emp.id = dept.id', 'FULL JOIN'],
    ['SELECT * FROM emp CROSS JOIN dept', 'CROSS JOIN'],
    ['SELECT * FROM emp NATURAL JOIN dept', 'NATURAL JOIN'],
    ['SELECT * FROM emp, dept', 'comma-separated FROM lists (implicit CROSS JOIN)'],
    ['SELECT * FROM emp JOIN dept USING (id)', 'JOIN … USING'],
    [
      'SELECT * FROM emp JOIN dept ON emp.age > dept.id',
      'JOIN … ON without an equality between the two sides',
    ],
    ['SELECT count(*) FILTER (WHERE age > 1) FROM emp', 'FILTER (WHERE …) on aggregates'],
    ['SELECT name COLLATE "C" FROM emp', 'COLLATE'],
    ['SELECT DISTINCT ON (age) age FROM emp', 'DISTINCT ON'],
    ["SELECT string_agg(name, ',') FROM emp", 'aggregate string_agg()'],
    ['SELECT now()', 'function now()'],
    ["SELECT 'a' || 'b'", 'string concatenation (||)'],
    ['SELECT age IS TRUE FROM emp', 'IS TRUE/FALSE'],
    ['SELECT age IS DISTINCT FROM id FROM emp', 'IS DISTINCT FROM'],
    ['SELECT hired + 1 FROM emp', 'date/time arithmetic'],
    ["SELECT INTERVAL '1 day'", 'INTERVAL'],
    [
      'SELECT CAST(salary AS DECIMAL(10,2)) FROM emp',
      'type DECIMAL (exact decimals; cast to DOUBLE instead)',
    ],
    ['SELECT age::SMALLINT FROM emp', 'type SMALLINT'],
    ['SELECT avg(hired) FROM emp', 'AVG of DATE'],
    ["SELECT date_trunc('decade', hired) FROM emp", "date_trunc part 'decade'"],
    ['SELECT 99999999999999999999', 'integer literals beyond the BIGINT range (HUGEINT)'],
    [
      "SELECT * FROM emp WHERE updated > '2022-01-15 10:00:00.1234'",
      'timestamps with sub-millisecond precision',
    ],
    ['SELECT age FROM emp OFFSET 1 LIMIT 2', 'OFFSET before LIMIT (write LIMIT … OFFSET …)'],
    ['SELECT 1; SELECT 2', 'several statements in one query'],
    ['INSERT INTO emp VALUES (1)', 'INSERT statements'],
    ['EXPLAIN ANALYZE SELECT 1', 'EXPLAIN ANALYZE'],
    ['DESCRIBE SELECT 1', 'DESCRIBE of a query'],
    ['SELECT * FROM main.emp', 'schema-qualified table names'],
    [
      'SELECT DISTINCT dept FROM emp ORDER BY age',
      'ORDER BY an expression that is not in the SELECT DISTINCT list',
    ],
  ])('%s', (sql, feature) => {
    const e = planError(sql);
    expect(e.code).toBe('NOT_SUPPORTED');
    expect(e.message).toBe(`not supported yet: ${feature}`);
  });

  it('unknown functions get a suggestion', () => {
    expect(planError('SELECT lenght(name) FROM emp').message).toBe(
      'not supported yet: function lenght() Did you mean "length"?',
    );
  });
});

describe('what the grammar cannot parse but DuckDB accepts', () => {
  it('SUM/AVG/MIN/MAX (DISTINCT x), with the DuckDB name', () => {
    const s = planQuery(
      'SELECT sum( DISTINCT age), AVG(distinct salary), min(DISTINCT name) FROM emp',
      catalog,
    );
    if (s.kind !== 'query' || s.plan.kind !== 'aggregate') throw new Error('expected an aggregate');
    expect(s.plan.aggregates.map((a) => [a.fn, a.distinct, a.name])).toEqual([
      ['sum', true, 'sum(DISTINCT age)'],
      ['avg', true, 'avg(DISTINCT salary)'],
      ['min', false, 'min(DISTINCT "name")'],
    ]);
  });

  it('a function the user calls sumdistinct() is not mistaken for SUM(DISTINCT)', () => {
    expect(planError('SELECT sumdistinct(age) FROM emp').code).toBe('NOT_SUPPORTED');
  });

  it("the type name STRING in casts, but not an alias named string; and a 'sum(distinct' string stays text", () => {
    const s = planQuery(
      "SELECT CAST(age AS STRING), age::string, name AS string, 'sum(distinct x)' FROM emp",
      catalog,
    );
    if (s.kind !== 'query') throw new Error('expected a query');
    expect(s.plan.schema).toEqual([
      { name: 'CAST(age AS VARCHAR)', type: 'VARCHAR' },
      { name: 'CAST(age AS VARCHAR)', type: 'VARCHAR' },
      { name: 'string', type: 'VARCHAR' },
      { name: "'sum(distinct x)'", type: 'VARCHAR' },
    ]);
  });
});
