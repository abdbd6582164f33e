import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { expect } from 'vitest';
import type { ExecLimits } from '../../src/engine/ChunkSource.ts';
import { executePlan } from '../../src/engine/executePlan.ts';
import type { PlanNode, SqlType } from '../../src/sql/plan.ts';
import type { ColDef, Dataset, Value } from './engineData.ts';
import { duckTableSql, MemSource } from './engineData.ts';
import { tempDir } from './duckdb.ts';

/** One comparable cell: DOUBLEs stay numbers (compared with tolerance), everything else is text. */
type Cell = string | number | null;

const MS_PER_DAY = 86_400_000;

/**
 * Runs hand-built plans through our engine and the equivalent SQL through native DuckDB over the
 * same data, and compares the results (order-insensitively unless asked, doubles with a relative
 * tolerance of 1e-9).
 */
export class EngineOracle {
  readonly source = new MemSource();
  readonly ds: Record<string, Dataset> = {};
  #db: DuckDBInstance | undefined;
  #conn: DuckDBConnection | undefined;

  async open(
    tables: { name: string; schema: ColDef[]; rows: Value[][]; chunkRows: number }[],
  ): Promise<this> {
    this.#db = await DuckDBInstance.create(':memory:', { extension_directory: tempDir('duck-ext-') });
    this.#conn = await this.#db.connect();
    for (const t of tables) {
      const ds = this.source.add(t.name, t.schema, t.rows, t.chunkRows);
      this.ds[t.name] = ds;
      await this.#conn.run(duckTableSql(ds));
    }
    return this;
  }

  close(): void {
    this.#conn?.closeSync();
    this.#db?.closeSync();
  }

  get(name: string): Dataset {
    const d = this.ds[name];
    if (!d) throw new Error(`no dataset ${name}`);
    return d;
  }

  run(plan: PlanNode, limits: Partial<ExecLimits> = {}): Promise<Table> {
    return executePlan(plan, this.source, {
      deadline: Date.now() + 20_000,
      memoryBudget: 512 * 2 ** 20,
      ...limits,
    });
  }

  async duck(sql: string, types: SqlType[]): Promise<Cell[][]> {
    const reader = await this.#conn!.runAndReadAll(sql);
    return reader.getRowsJson().map((row) => row.map((v, j) => canon(v, types[j] ?? 'VARCHAR', 'duck')));
  }

  /** DuckDB's error message for `sql`, or undefined when it succeeds. */
  async duckError(sql: string): Promise<string | undefined> {
    try {
      await this.#conn!.runAndReadAll(sql);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  async ours(plan: PlanNode): Promise<Cell[][]> {
    return rowsOf(
      await this.run(plan),
      plan.schema.map((c) => c.type),
    );
  }

  /** Asserts our result for `plan` equals DuckDB's for `sql`. */
  async check(plan: PlanNode, sql: string, opts: { ordered?: boolean } = {}): Promise<Cell[][]> {
    const types = plan.schema.map((c) => c.type);
    const ours = await this.ours(plan);
    const theirs = await this.duck(sql, types);
    expectSameRows(ours, theirs, opts.ordered ?? false, sql);
    return ours;
  }
}

export function rowsOf(t: Table, types: SqlType[]): Cell[][] {
  const cols = types.map((_, j) => t.getChildAt(j));
  const out: Cell[][] = [];
  for (let i = 0; i < t.numRows; i++) out.push(types.map((ty, j) => canon(cols[j]?.get(i), ty, 'ours')));
  return out;
}

function canon(v: unknown, type: SqlType, from: 'ours' | 'duck'): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return JSON.stringify(v);
  switch (type) {
    case 'DOUBLE':
      return typeof v === 'number' ? v : Number(v);
    case 'DATE':
      if (from === 'ours') return String(Math.round(Number(v) / MS_PER_DAY));
      return String(Math.round(Date.parse(`${v as string}T00:00:00Z`) / MS_PER_DAY));
    case 'TIMESTAMP':
      if (from === 'ours') return String(Number(v));
      return String(Math.floor(Date.parse(`${(v as string).replace(' ', 'T').slice(0, 23)}Z`)));
    default:
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

function close(a: Cell, b: Cell): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1e-300);
  }
  return a === b;
}

function sortKey(row: Cell[]): string {
  return JSON.stringify(row.map((c) => (typeof c === 'number' ? Number(c.toPrecision(8)) : c)));
}

export function expectSameRows(ours: Cell[][], theirs: Cell[][], ordered: boolean, label: string): void {
  const a = ordered ? ours : [...ours].sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : 1));
  const b = ordered ? theirs : [...theirs].sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : 1));
  const same =
    a.length === b.length &&
    a.every((row, i) => row.length === b[i]!.length && row.every((c, j) => close(c, b[i]![j]!)));
  if (same) return;
  // Show only the rows that differ: the multiset differences by row key.
  const diff = (x: Cell[][], y: Cell[][]) => {
    const left = new Map<string, number>();
    for (const r of y) left.set(sortKey(r), (left.get(sortKey(r)) ?? 0) + 1);
    return x.filter((r) => {
      const c = left.get(sortKey(r)) ?? 0;
      left.set(sortKey(r), c - 1);
      return c <= 0;
    });
  };
  expect({ label, rows: a.length, only: diff(a, b).slice(0, 8) }).toEqual({
    label,
    rows: b.length,
    only: diff(b, a).slice(0, 8),
  });
}
