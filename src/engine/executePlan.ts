import type { Table } from 'apache-arrow';
import type { PlanNode } from '../sql/plan.ts';
import { toTable } from './arrowOut.ts';
import type { ChunkSource, ExecLimits } from './ChunkSource.ts';
import { ExecContext } from './ExecContext.ts';
import { buildOperator } from './ops/buildOperator.ts';
import { Collector } from './ops/Collector.ts';

/**
 * Runs a plan to completion and returns the whole result as one Arrow table whose fields follow
 * `plan.schema` (names and types: INTEGER Int32, BIGINT Int64, DOUBLE Float64, BOOLEAN Bool, DATE
 * DateDay, TIMESTAMP TimestampMillisecond, VARCHAR plain Utf8, and the SqlType NULL of a bare NULL
 * literal as Arrow's Null type).
 *
 * Rejects with SqlError: CANCELLED / TIMEOUT (checked between batches and while a chunk loads),
 * MEMORY (operator state or the result past `limits.memoryBudget`), OVERFLOW, DATA, TYPE.
 */
export async function executePlan(plan: PlanNode, source: ChunkSource, limits: ExecLimits): Promise<Table> {
  const ctx = new ExecContext(source, limits);
  try {
    ctx.check();
    const out = new Collector(plan.schema.length, ctx.memory, 'the query result');
    for await (const b of buildOperator(plan, ctx)) {
      out.add(b);
      ctx.check();
    }
    return toTable(plan.schema, out.finish(), out.rows);
  } finally {
    ctx.dispose();
  }
}
