import type { CatalogView } from '../../src/sql/CatalogView.ts';
import type { PlanNode, ScanNode } from '../../src/sql/plan.ts';
import { planQuery } from '../../src/sql/planQuery.ts';
import { isSqlError, type SqlError } from '../../src/sql/SqlError.ts';
import type { ColumnSchema, ColumnStats, Manifest } from '../../src/storage/manifest.ts';
import type { ChunkId, DatasetId, NodeId } from '../../src/types.ts';

type Stat = [min: ColumnStats['min'], max: ColumnStats['max'], nulls: number];

function manifest(name: string, schema: ColumnSchema[], chunks: { rows: number; stats: Stat[] }[]): Manifest {
  return {
    version: 1,
    id: `ds-${name}` as DatasetId,
    name,
    format: 'csv',
    source: { name: `${name}.csv`, bytes: 0 },
    schema,
    chunks: chunks.map((c, i) => ({
      id: `${name}-c${i}` as ChunkId,
      rows: c.rows,
      bytes: 0,
      stats: c.stats.map(([min, max, nulls]) => ({ min, max, nulls })),
    })),
    rows: chunks.reduce((s, c) => s + c.rows, 0),
    bytes: 0,
    root: '',
    createdBy: 'node' as NodeId,
    createdAt: 0,
  };
}

const day = (iso: string) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86_400_000;
const ms = (iso: string) => Date.parse(`${iso}Z`);

/**
 * emp: three chunks with disjoint ranges so pruning decisions are visible:
 * c0 ages 20–29 (2020), c1 ages 30–39 (2021), c2 ages all NULL, salaries only ±Infinity/NaN.
 */
export const emp = manifest(
  'emp',
  [
    { name: 'id', type: 'INTEGER' },
    { name: 'name', type: 'VARCHAR' },
    { name: 'dept', type: 'VARCHAR', dictionary: true },
    { name: 'age', type: 'INTEGER' },
    { name: 'salary', type: 'DOUBLE' },
    { name: 'hired', type: 'DATE' },
    { name: 'updated', type: 'TIMESTAMP' },
    { name: 'big', type: 'BIGINT' },
    { name: 'active', type: 'BOOLEAN' },
  ],
  [
    {
      rows: 100,
      stats: [
        [1, 100, 0],
        ['adam', 'mia', 5],
        ['eng', 'ops', 0],
        [20, 29, 0],
        [1000, 5000, 0],
        [day('2020-01-01'), day('2020-12-31'), 0],
        [ms('2020-01-01T00:00:00'), ms('2020-12-31T23:00:00'), 0],
        ['1', '100', 0],
        [false, true, 0],
      ],
    },
    {
      rows: 100,
      stats: [
        [101, 200, 0],
        ['nina', 'zoe', 0],
        ['eng', 'sales', 0],
        [30, 39, 0],
        [5000, 9000, 10],
        [day('2021-01-01'), day('2021-12-31'), 0],
        [ms('2021-01-01T00:00:00'), ms('2021-12-31T23:00:00'), 0],
        ['100', '9007199254740993', 0],
        [true, true, 0],
      ],
    },
    {
      rows: 50,
      stats: [
        [201, 250, 0],
        [null, null, 50],
        ['hr', 'hr', 0],
        [null, null, 50],
        [null, null, 0],
        [day('2022-01-01'), day('2022-01-31'), 0],
        [ms('2022-01-01T00:00:00'), ms('2022-01-31T00:00:00'), 0],
        ['-5', '-1', 0],
        [false, false, 0],
      ],
    },
  ],
);

export const dept = manifest(
  'dept',
  [
    { name: 'id', type: 'INTEGER' },
    { name: 'name', type: 'VARCHAR' },
    { name: 'budget', type: 'DOUBLE' },
  ],
  [
    {
      rows: 10,
      stats: [
        [1, 10, 0],
        ['eng', 'sales', 0],
        [10, 1000, 0],
      ],
    },
  ],
);

export const catalog: CatalogView = { tables: () => [emp, dept] };

export function plan(sql: string): PlanNode {
  const s = planQuery(sql, catalog);
  if (s.kind !== 'query' && s.kind !== 'explain') throw new Error(`not a query: ${s.kind}`);
  return s.plan;
}

/** The error planQuery throws for `sql` (fails the test if it does not throw a SqlError). */
export function planError(sql: string): SqlError {
  try {
    planQuery(sql, catalog);
  } catch (e) {
    if (isSqlError(e)) return e;
    throw e;
  }
  throw new Error(`expected an error for: ${sql}`);
}

/** Every scan in the plan, depth-first, left to right. */
export function scans(p: PlanNode): ScanNode[] {
  if (p.kind === 'scan') return [p];
  if (p.kind === 'values') return [];
  if (p.kind === 'join') return [...scans(p.left), ...scans(p.right)];
  return scans(p.input);
}

/** The chunk ids a query's (only) scan keeps, as short names: ['c0', 'c2']. */
export function keptChunks(sql: string): string[] {
  const [s] = scans(plan(sql));
  return (s?.chunks ?? []).map((c) => c.id.replace(/^\w+-/, ''));
}

/** The plan's node kinds as nested text: `project(filter(scan))`. */
export function shape(p: PlanNode): string {
  if (p.kind === 'scan') return 'scan';
  if (p.kind === 'values') return 'values';
  if (p.kind === 'join') return `join(${shape(p.left)}, ${shape(p.right)})`;
  return `${p.kind}(${shape(p.input)})`;
}
