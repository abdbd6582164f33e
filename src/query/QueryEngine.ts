import { tableFromArrays, tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import type { ChunkSource, ExecLimits } from '../engine/ChunkSource.ts';
import { executePlan } from '../engine/executePlan.ts';
import { explainText } from '../sql/explain.ts';
import type { OutputColumn, PlannedStatement, PlanNode } from '../sql/plan.ts';
import type { ChunkId } from '../types.ts';
import { planQuery } from '../sql/planQuery.ts';
import { SqlError } from '../sql/SqlError.ts';
import type { ChunkStore } from '../storage/ChunkStore.ts';
import type { Manifest } from '../storage/manifest.ts';
import { ChunkCache } from './ChunkCache.ts';

export interface QueryOptions {
  /** Absolute deadline, ms since epoch. */
  deadline: number;
  memoryBudget: number;
  signal?: AbortSignal;
  onProgress?: ExecLimits['onProgress'];
}

/**
 * Results a plan reads through its exchange scans (src/sql/plan.ts `ScanNode.exchange`): per
 * exchange id, Arrow IPC streams, e.g. each fragment's partial result of a stage, or a broadcast.
 */
export type ExchangeInputs = Record<string, Uint8Array[]>;

/** A finished query, ready to cross the worker boundary: the result travels as Arrow IPC bytes. */
export interface QueryOutput {
  ipc: Uint8Array;
  columns: OutputColumn[];
  rowCount: number;
  /** ms, measured where the query ran. */
  executionTime: number;
  /** EXPLAIN text of the plan that ran (absent for SHOW TABLES / DESCRIBE). */
  plan?: string;
}

/**
 * Plans and runs SQL over one node's stored chunks. Runs inside workers/query.worker.ts in the
 * browser and in-process in Node; it only needs a ChunkStore and the manifests of the queryable
 * datasets, which the LakeNode pushes on every catalog change.
 */
export class QueryEngine {
  readonly #cache: ChunkCache;
  #manifests: Manifest[] = [];

  constructor(store: ChunkStore, cacheBytes: number) {
    this.#cache = new ChunkCache(store, cacheBytes);
  }

  setCatalog(manifests: Manifest[]): void {
    this.#manifests = manifests;
  }

  cacheStats(): { bytes: number; entries: number; hits: number; misses: number } {
    return {
      bytes: this.#cache.bytes,
      entries: this.#cache.size,
      hits: this.#cache.hits,
      misses: this.#cache.misses,
    };
  }

  /** Parses, binds (against the catalog set last) and optimizes one statement; throws SqlError. */
  plan(sql: string): PlannedStatement {
    return planQuery(sql, { tables: () => this.#manifests });
  }

  /**
   * Runs a plan: a fragment of a distributed query, the coordinator's merge over gathered
   * partial results, or a whole query. Exchange scans read `inputs`; other scans read this node's
   * chunks through the decoded-chunk cache.
   */
  async execute(plan: PlanNode, inputs: ExchangeInputs, opts: QueryOptions): Promise<QueryOutput> {
    const t0 = performance.now();
    const tables = new Map<string, Table>();
    const parts = new Map<string, { id: ChunkId; rows: number }[]>();
    for (const [ex, list] of Object.entries(inputs)) {
      parts.set(
        ex,
        list.map((bytes, k) => {
          let t: Table;
          try {
            t = tableFromIPC(bytes);
          } catch (e) {
            throw new SqlError(
              'DATA',
              `a partial result (${ex}) is not valid Arrow IPC: ${(e as Error).message}`,
            );
          }
          const id = `${ex}/${k}` as ChunkId;
          tables.set(id, t);
          return { id, rows: t.numRows };
        }),
      );
    }
    const filled = fillExchanges(plan, parts);
    const source: ChunkSource = { load: (id) => Promise.resolve(tables.get(id) ?? this.#cache.load(id)) };
    const table = await executePlan(filled, source, {
      deadline: opts.deadline,
      memoryBudget: opts.memoryBudget,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    return {
      ipc: tableToIPC(table, 'stream'),
      columns: plan.schema,
      rowCount: table.numRows,
      executionTime: performance.now() - t0,
    };
  }

  async run(sql: string, opts: QueryOptions): Promise<QueryOutput> {
    const t0 = performance.now();
    const stmt = planQuery(sql, { tables: () => this.#manifests });
    const done = (table: Table, columns: OutputColumn[], plan?: string): QueryOutput => ({
      ipc: tableToIPC(table, 'stream'),
      columns,
      rowCount: table.numRows,
      executionTime: performance.now() - t0,
      plan,
    });
    switch (stmt.kind) {
      case 'query': {
        const table = await executePlan(stmt.plan, this.#cache, {
          deadline: opts.deadline,
          memoryBudget: opts.memoryBudget,
          signal: opts.signal,
          onProgress: opts.onProgress,
        });
        return done(table, stmt.plan.schema, explainText(stmt.plan));
      }
      case 'explain': {
        const lines = stmt.text.split('\n');
        return done(tableFromArrays({ plan: lines }), [{ name: 'plan', type: 'VARCHAR' }], stmt.text);
      }
      case 'show_tables': {
        const names = this.#manifests.map((m) => m.name).sort();
        return done(tableFromArrays({ name: names }), [{ name: 'name', type: 'VARCHAR' }]);
      }
      case 'describe': {
        const m = this.#manifests.find((x) => x.name.toLowerCase() === stmt.table.toLowerCase());
        if (!m) throw new SqlError('UNKNOWN_TABLE', `Table "${stmt.table}" does not exist.`);
        return done(
          tableFromArrays({
            column_name: m.schema.map((c) => c.name),
            column_type: m.schema.map((c) => c.type),
            null: m.schema.map(() => 'YES'),
          }),
          [
            { name: 'column_name', type: 'VARCHAR' },
            { name: 'column_type', type: 'VARCHAR' },
            { name: 'null', type: 'VARCHAR' },
          ],
        );
      }
    }
  }
}

/** The plan with every exchange scan listing the parts that arrived for it. */
function fillExchanges(n: PlanNode, parts: ReadonlyMap<string, { id: ChunkId; rows: number }[]>): PlanNode {
  switch (n.kind) {
    case 'scan': {
      if (n.exchange === undefined) return n;
      const chunks = parts.get(n.exchange);
      if (!chunks) throw new SqlError('DATA', `no input for exchange ${n.exchange}`);
      return { ...n, chunks, totalChunks: chunks.length };
    }
    case 'values':
      return n;
    case 'join':
      return { ...n, left: fillExchanges(n.left, parts), right: fillExchanges(n.right, parts) };
    default:
      return { ...n, input: fillExchanges(n.input, parts) };
  }
}
