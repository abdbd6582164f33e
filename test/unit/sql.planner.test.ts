import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../../src/sql/plan.ts';
import { plan, planError, shape } from './sql.fixtures.ts';

function node<K extends PlanNode['kind']>(p: PlanNode, kind: K): Extract<PlanNode, { kind: K }> {
  if (p.kind === kind) return p as Extract<PlanNode, { kind: K }>;
  if (p.kind === 'scan' || p.kind === 'values') throw new Error(`no ${kind} node`);
  if (p.kind === 'join') return node(p.left, kind);
  return node(p.input, kind);
}

describe('SELECT without FROM', () => {
  it('projects over a one-row, no-column relation', () => {
    const p = plan('SELECT 1 + 1 AS two');
    expect(shape(p)).toBe('project(values)');
    expect(node(p, 'values')).toMatchObject({ rows: [[]], schema: [], estRows: 1 });
    expect(shape(plan('SELECT count(*)'))).toBe('aggregate(values)');
  });
});

describe('GROUP BY and aggregates', () => {
  it('groups by columns, ordinals, aliases and expressions; outputs group columns then aggregates', () => {
    for (const sql of [
      'SELECT dept, count(*) FROM emp GROUP BY dept',
      'SELECT dept, count(*) FROM emp GROUP BY 1',
      'SELECT dept AS d, count(*) FROM emp GROUP BY d',
    ]) {
      const p = plan(sql);
      expect(shape(p), sql).toMatch(/^(project\()?aggregate\(scan\)\)?$/);
      const agg = node(p, 'aggregate');
      expect(agg.groups).toEqual([{ kind: 'column', index: 0, type: 'VARCHAR', name: 'dept' }]);
      expect(agg.aggregates).toEqual([
        { fn: 'count_star', distinct: false, type: 'BIGINT', name: 'count_star()' },
      ]);
    }
    const p = plan('SELECT age + 1, count(*) FROM emp GROUP BY age + 1');
    expect(node(p, 'aggregate').groups).toMatchObject([{ fn: 'add' }]);
    expect(p.schema.map((c) => c.name)).toEqual(['(age + 1)', 'count_star()']);
  });

  it('a select expression over a grouped column is computed above the aggregate', () => {
    const p = plan('SELECT age + 1 AS next FROM emp GROUP BY age');
    expect(shape(p)).toBe('project(aggregate(scan))');
    expect(node(p, 'project').exprs).toMatchObject([
      { fn: 'add', args: [{ kind: 'column', index: 0 }, { value: 1 }] },
    ]);
    expect(node(p, 'aggregate').aggregates).toEqual([]);
  });

  it('a column neither grouped nor aggregated is an error, as in DuckDB', () => {
    const e = planError('SELECT dept, age FROM emp GROUP BY dept');
    expect(e.code).toBe('TYPE');
    expect(e.message).toBe(
      'column "age" must appear in the GROUP BY clause or must be part of an aggregate function.',
    );
    expect(e.position).toEqual({ line: 1, column: 14 });
    expect(planError('SELECT name, count(*) FROM emp').code).toBe('TYPE');
    expect(planError('SELECT dept FROM emp GROUP BY 2').message).toBe(
      'GROUP BY term out of range - should be between 1 and 1',
    );
  });

  it('identical aggregates are computed once; DISTINCT aggregates are kept apart', () => {
    const agg = node(
      plan('SELECT count(*), count(*) + 1, count(age), count(DISTINCT age) FROM emp HAVING count(*) > 0'),
      'aggregate',
    );
    expect(agg.aggregates.map((a) => [a.fn, a.distinct])).toEqual([
      ['count_star', false],
      ['count', false],
      ['count', true],
    ]);
  });

  it('COUNT of a constant counts rows (count_star), keeping its DuckDB name', () => {
    expect(node(plan('SELECT count(1) FROM emp'), 'aggregate').aggregates).toEqual([
      { fn: 'count_star', distinct: false, type: 'BIGINT', name: 'count(1)' },
    ]);
  });
});

describe('HAVING', () => {
  it('filters above the aggregate and may use aggregates that are not selected, and aliases', () => {
    const p = plan('SELECT dept, count(*) AS c FROM emp GROUP BY dept HAVING max(age) > 30 AND c > 2');
    expect(shape(p)).toBe('project(filter(aggregate(scan)))');
    expect(node(p, 'aggregate').aggregates.map((a) => a.name)).toEqual(['count_star()', 'max(age)']);
    expect(node(p, 'filter').predicate).toMatchObject({
      fn: 'and',
      args: [
        { fn: 'gt', args: [{ index: 2 }, {}] },
        { fn: 'gt', args: [{ index: 1 }, {}] },
      ],
    });
    expect(p.schema.map((c) => c.name)).toEqual(['dept', 'c']);
  });

  it('HAVING without GROUP BY makes a global aggregate; plain columns are errors there', () => {
    expect(shape(plan('SELECT count(*) FROM emp HAVING count(*) > 1'))).toBe('filter(aggregate(scan))');
    expect(planError('SELECT count(*) FROM emp HAVING age > 1').code).toBe('TYPE');
  });
});

describe('ORDER BY', () => {
  it('by alias (before an input column of that name), ordinal, or select expression', () => {
    const byAlias = node(plan('SELECT age AS name FROM emp ORDER BY name'), 'sort');
    expect(byAlias.keys).toEqual([
      { expr: { kind: 'column', index: 0, type: 'INTEGER', name: 'name' }, desc: false, nullsFirst: false },
    ]);
    const byOrdinal = node(plan('SELECT name, age FROM emp ORDER BY 2 DESC, 1 NULLS FIRST'), 'sort');
    expect(byOrdinal.keys.map((k) => [k.expr, k.desc, k.nullsFirst])).toEqual([
      [{ kind: 'column', index: 1, type: 'INTEGER', name: 'age' }, true, false],
      [{ kind: 'column', index: 0, type: 'VARCHAR', name: 'name' }, false, true],
    ]);
    expect(shape(plan('SELECT age + 1 FROM emp ORDER BY age + 1'))).toBe('sort(project(scan))');
    expect(planError('SELECT age FROM emp ORDER BY 2').message).toBe(
      'ORDER term out of range - should be between 1 and 1',
    );
    expect(planError("SELECT age FROM emp ORDER BY 'x'").message).toBe(
      'ORDER BY non-integer literal has no effect.',
    );
  });

  it('expressions computable from the outputs sort on them; others become hidden columns', () => {
    const computed = node(plan('SELECT age AS a FROM emp ORDER BY a * 2'), 'sort');
    expect(computed.keys[0]!.expr).toMatchObject({
      fn: 'multiply',
      args: [{ kind: 'column', index: 0 }, {}],
    });
    const p = plan('SELECT name FROM emp ORDER BY salary DESC');
    expect(shape(p)).toBe('project(sort(project(scan)))');
    expect(node(p, 'sort').input.schema.map((c) => c.name)).toEqual(['name', '#hidden0']);
    expect(p.schema).toEqual([{ name: 'name', type: 'VARCHAR' }]);
  });

  it('aggregate queries sort by outputs or by hidden aggregates', () => {
    const p = plan('SELECT dept FROM emp GROUP BY dept ORDER BY avg(salary) DESC, dept');
    expect(shape(p)).toBe('project(sort(project(aggregate(scan))))');
    expect(node(p, 'aggregate').aggregates.map((a) => a.name)).toEqual(['avg(salary)']);
    expect(node(p, 'sort').keys.map((k) => k.expr)).toMatchObject([{ index: 1 }, { index: 0 }]);
  });

  it('DISTINCT sorts after de-duplicating, by outputs only', () => {
    expect(shape(plan('SELECT DISTINCT dept FROM emp ORDER BY dept DESC'))).toBe('sort(distinct(scan))');
    expect(shape(plan('SELECT DISTINCT age + 1 AS x FROM emp ORDER BY x + 1'))).toBe(
      'sort(distinct(project(scan)))',
    );
  });
});

describe('LIMIT and OFFSET', () => {
  it.each([
    ['SELECT age FROM emp LIMIT 5', 5, 0],
    ['SELECT age FROM emp LIMIT 5 OFFSET 10', 5, 10],
    ['SELECT age FROM emp OFFSET 3', null, 3],
    ['SELECT age FROM emp LIMIT ALL OFFSET 3', null, 3],
    ['SELECT age FROM emp LIMIT 2.5', 3, 0],
  ])('%s', (sql, limit, offset) => {
    expect(node(plan(sql), 'limit')).toMatchObject({ limit, offset });
  });

  it('negative counts are errors; the grammar takes only literals', () => {
    expect(planError('SELECT age FROM emp LIMIT -1').message).toBe('LIMIT/OFFSET cannot be negative');
    expect(planError('SELECT age FROM emp LIMIT 1 + age').code).toBe('SYNTAX');
  });
});

describe('joins', () => {
  it('INNER JOIN: equality conjuncts become keys (either side order), the rest a residual', () => {
    const p = plan(
      'SELECT e.id FROM emp e JOIN dept d ON d.name = e.dept AND e.age + 1 = d.id AND e.salary > d.budget',
    );
    const j = node(p, 'join');
    expect(j.joinType).toBe('inner');
    expect(j.leftKeys).toMatchObject([{ name: 'dept' }, { fn: 'add' }]);
    expect(j.rightKeys).toMatchObject([{ name: 'name' }, { name: 'id' }]);
    expect(j.residual).toMatchObject({ fn: 'gt', args: [{ name: 'salary' }, { name: 'budget' }] });
    // Residual columns index the joined row: left columns first, then right.
    const width = j.left.schema.length;
    expect(j.residual).toMatchObject({
      args: [
        { index: j.left.schema.findIndex((c) => c.name === 'salary') },
        { index: width + j.right.schema.findIndex((c) => c.name === 'budget') },
      ],
    });
  });

  it('keys of different types meet in the wider type', () => {
    const j = node(plan('SELECT 1 FROM emp e JOIN dept d ON e.big = d.id'), 'join');
    expect(j.leftKeys).toMatchObject([{ name: 'big', type: 'BIGINT' }]);
    expect(j.rightKeys).toMatchObject([{ kind: 'cast', type: 'BIGINT', arg: { name: 'id' } }]);
  });

  it('LEFT JOIN and chains of joins', () => {
    const p = plan(
      'SELECT e.id, d.name, x.budget FROM emp e LEFT JOIN dept d ON e.dept = d.name JOIN dept x ON x.id = e.id',
    );
    expect(shape(p)).toBe('project(join(join(scan, scan), scan))');
    const outer = p.kind === 'project' && p.input.kind === 'join' ? p.input : null;
    expect(outer?.joinType).toBe('inner');
    expect(outer?.left.kind === 'join' && outer.left.joinType).toBe('left');
  });
});

describe('SELECT DISTINCT and star', () => {
  it('DISTINCT over the projection; identity projections disappear', () => {
    expect(shape(plan('SELECT DISTINCT dept, age FROM emp'))).toBe('distinct(scan)');
    expect(shape(plan('SELECT * FROM emp'))).toBe('scan');
    expect(shape(plan('SELECT id AS ident FROM emp'))).toBe('project(scan)');
  });
});
