import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planQuery } from '../../src/sql/planQuery.ts';
import { catalog, dept, emp } from './sql.fixtures.ts';

/**
 * Output column names and types of planned queries against native DuckDB on empty tables with
 * the same schemas (DESIGN §6: DuckDB is the oracle). Our types differ by design in two places:
 * SUM of integers is BIGINT (DuckDB: HUGEINT) and decimal literals are DOUBLE (DuckDB: DECIMAL).
 */
let db: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', {
    extension_directory: mkdtempSync(join(tmpdir(), 'duck-ext-')),
  });
  conn = await db.connect();
  for (const m of [emp, dept])
    await conn.run(`CREATE TABLE ${m.name} (${m.schema.map((c) => `"${c.name}" ${c.type}`).join(', ')})`);
  // One row each: DuckDB raises some conversion errors only when a row is converted.
  await conn.run(
    "INSERT INTO emp VALUES (1, 'a', 'eng', 30, 1.5, '2024-01-01', '2024-01-01 00:00:00', 5, true)",
  );
  await conn.run("INSERT INTO dept VALUES (1, 'eng', 10)");
});

afterAll(() => {
  conn.closeSync();
  db.closeSync();
});

async function duckColumns(sql: string): Promise<string[]> {
  const r = await conn.runAndReadAll(sql);
  return r.columnNames().map((n, i) => {
    const t = r.columnTypes()[i]!.toString();
    return `${n}:${t === 'HUGEINT' ? 'BIGINT' : t.startsWith('DECIMAL') ? 'DOUBLE' : t}`;
  });
}

function ourColumns(sql: string): string[] {
  const s = planQuery(sql, catalog);
  if (s.kind !== 'query') throw new Error(s.kind);
  return s.plan.schema.map((c) => `${c.name}:${c.type}`);
}

const QUERIES = [
  'SELECT * FROM emp',
  'SELECT e.*, d.name FROM emp e JOIN dept d ON e.dept = d.name',
  'SELECT ID, e.NAME AS who FROM emp e',
  'SELECT id + 1, id + big, age * 2.5, age / 2, age % 3, big % 2, -age, -(5), salary - 1, id - -1 FROM emp',
  'SELECT age = 1, age <> 1, age != 1, age >= 1, age IS NULL, age IS NOT NULL, NOT active FROM emp',
  "SELECT age IN (1, 2), age NOT IN (1), age BETWEEN 1 AND 2, age NOT BETWEEN 1 AND 2, name LIKE 'a%', name NOT ILIKE 'a' FROM emp",
  'SELECT active AND active, active OR active AND active FROM emp',
  'SELECT count(*), count(age), count(DISTINCT dept), sum(age), sum(big), sum(salary), avg(age), min(name), max(hired) FROM emp',
  'SELECT sum(DISTINCT age), avg(DISTINCT salary) FROM emp',
  'SELECT dept, count(*) AS n FROM emp GROUP BY dept',
  'SELECT lower(name), upper(name), length(name), substr(name, 1, 2), trim(name), abs(age), round(salary, 1), round(age), floor(age), ceil(salary) FROM emp',
  "SELECT coalesce(age, 0), coalesce(age, big, salary), coalesce(name, 'x') FROM emp",
  "SELECT CAST(age AS BIGINT), age::DOUBLE, age::VARCHAR, CAST('2024-01-01' AS DATE), hired::TIMESTAMP FROM emp",
  "SELECT date_trunc('month', hired), date_trunc('day', updated), date_part('year', hired), extract(month FROM updated), extract(epoch FROM updated) FROM emp",
  "SELECT 1, 2147483648, 'x', NULL, 1.5, DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00'",
  'SELECT 1 + 2 AS three, 7 % 2',
  "SELECT CASE WHEN age > 1 THEN 'a' ELSE 'b' END, CASE age WHEN 1 THEN 2 WHEN 3 THEN 4 END, CASE WHEN active THEN salary END FROM emp",
  'SELECT dept AS d, count(*) c FROM emp GROUP BY d HAVING c > 1 ORDER BY c DESC',
  'SELECT age + 1 AS x, x * 2, count(1), count(DISTINCT name) FROM emp GROUP BY age',
  'SELECT name FROM emp ORDER BY salary DESC NULLS FIRST LIMIT 3 OFFSET 1',
  'SELECT DISTINCT dept, age % 10 FROM emp ORDER BY 1, 2 DESC',
  'SELECT e.id, d.id, d.budget + e.salary FROM emp e LEFT JOIN dept d ON e.dept = d.name AND d.id > 1',
  'SELECT max(age) - min(age), sum(salary) / count(*) FROM emp WHERE active',
  "SELECT hired = '2024-01-01', hired < updated, big > 1, salary > age FROM emp",
];

describe('output names and types match DuckDB', () => {
  it.each(QUERIES)('%s', async (sql) => {
    expect(ourColumns(sql)).toEqual(await duckColumns(sql));
  });
});

describe('DuckDB agrees on what is an error', () => {
  it.each([
    'SELECT name > 1 FROM emp',
    'SELECT name + 1 FROM emp',
    'SELECT lower(age) FROM emp',
    'SELECT sum(name) FROM emp',
    "SELECT age = 'abc' FROM emp",
    'SELECT hired = 5 FROM emp',
    'SELECT count(count(*)) FROM emp',
    'SELECT age FROM emp WHERE count(*) > 1',
    'SELECT name, count(*) FROM emp',
    'SELECT coalesce(name, 1) FROM emp',
    'SELECT id FROM emp JOIN dept ON emp.dept = dept.name',
  ])('%s', async (sql) => {
    expect(() => planQuery(sql, catalog)).toThrow();
    await expect(duckColumns(sql)).rejects.toThrow();
  });
});
