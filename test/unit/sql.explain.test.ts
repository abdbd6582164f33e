import { describe, expect, it } from 'vitest';
import { explainText } from '../../src/sql/explain.ts';
import { planQuery } from '../../src/sql/planQuery.ts';
import { catalog, plan } from './sql.fixtures.ts';

describe('EXPLAIN', () => {
  it('prints the optimized tree, one node per line, with pushed predicates, kept/total chunks and estimates', () => {
    const s = planQuery(
      `EXPLAIN SELECT d.name, count(*) AS n, avg(e.salary)
       FROM emp e JOIN dept d ON e.dept = d.name
       WHERE e.age >= 30 AND e.hired < DATE '2022-01-01'
       GROUP BY d.name HAVING count(*) > 1 ORDER BY n DESC LIMIT 5`,
      catalog,
    );
    expect(s.kind).toBe('explain');
    if (s.kind !== 'explain') return;
    expect(s.text).toBe(
      [
        'TopN 5 by n DESC (estRows: 1)',
        '  Project name, count_star() AS n, avg(e.salary) (estRows: 1)',
        '    Filter (count_star() > 1) (estRows: 1)',
        '      Aggregate groups: [name] aggregates: [count_star(), avg(e.salary)] (estRows: 3)',
        '        HashJoin INNER on: dept = name (estRows: 10)',
        "          Scan emp columns: [dept, age, salary, hired] filter: ((age >= 30) AND (hired < DATE '2022-01-01')) chunks: 1/3 (estRows: 11)",
        '          Scan dept columns: [name] chunks: 1/1 (estRows: 10)',
      ].join('\n'),
    );
    expect(explainText(s.plan)).toBe(s.text);
  });

  it('shows DISTINCT, TopN offsets, hidden sort columns, limits, literals and SELECT without FROM', () => {
    expect(
      explainText(
        plan(
          "SELECT DISTINCT upper(name) AS u FROM emp WHERE updated > '2021-06-01 12:00:00.5' ORDER BY u LIMIT 10 OFFSET 5",
        ),
      ),
    ).toBe(
      [
        'TopN 10 offset 5 by u ASC (estRows: 10)',
        '  Distinct (estRows: 25)',
        '    Project upper(name) AS u (estRows: 50)',
        "      Scan emp columns: [name, updated] filter: (updated > TIMESTAMP '2021-06-01 12:00:00.500') chunks: 2/3 (estRows: 50)",
      ].join('\n'),
    );
    expect(explainText(plan('SELECT name FROM emp ORDER BY age NULLS FIRST'))).toBe(
      [
        'Project name (estRows: 250)',
        '  Sort #hidden0 ASC NULLS FIRST (estRows: 250)',
        '    Project name, age AS #hidden0 (estRows: 250)',
        '      Scan emp columns: [name, age] chunks: 3/3 (estRows: 250)',
      ].join('\n'),
    );
    expect(explainText(plan('SELECT age FROM emp OFFSET 7'))).toBe(
      ['Limit ALL offset 7 (estRows: 243)', '  Scan emp columns: [age] chunks: 3/3 (estRows: 250)'].join(
        '\n',
      ),
    );
    expect(explainText(plan("SELECT 1 AS one, 'a' AS s, NULL AS n"))).toBe(
      ["Project 1 AS one, 'a' AS s, NULL AS n (estRows: 1)", '  Values 1 row (estRows: 1)'].join('\n'),
    );
  });
});
