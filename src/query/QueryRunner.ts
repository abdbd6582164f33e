import type { ChunkStore } from '../storage/ChunkStore.ts';
import type { Manifest } from '../storage/manifest.ts';
import type { PlannedStatement, PlanNode } from '../sql/plan.ts';
import { QueryEngine, type ExchangeInputs, type QueryOptions, type QueryOutput } from './QueryEngine.ts';

export interface CacheStats {
  bytes: number;
  entries: number;
  hits: number;
  misses: number;
}

/**
 * Where queries run. The browser uses the query worker (src/lake/WorkerQueryRunner.ts) so the
 * page never blocks; Node and tests run the engine in-process with {@link LocalQueryRunner}.
 */
export interface QueryRunner {
  /** Called by the LakeNode at start and whenever the queryable datasets change. */
  setCatalog(manifests: Manifest[]): Promise<void>;
  /** Rejects with SqlError (codes in src/sql/SqlError.ts). */
  run(sql: string, opts: QueryOptions): Promise<QueryOutput>;
  /**
   * Called by the coordinator (src/query/distributed/Coordinator.ts) for every statement:
   * parse, bind against the catalog, optimize. Rejects with SqlError.
   */
  plan(sql: string): Promise<PlannedStatement>;
  /**
   * Called by the coordinator (its own fragments, the merge, whole local queries) and by the
   * executor (FragmentServer, fragments from peers): runs a plan over this node's chunks and the
   * given exchange inputs (transferred, not copied, across the worker boundary). Rejects with SqlError.
   */
  execute(plan: PlanNode, inputs: ExchangeInputs, opts: QueryOptions): Promise<QueryOutput>;
  cacheStats(): Promise<CacheStats>;
  close?(): void;
}

export class LocalQueryRunner implements QueryRunner {
  readonly #engine: QueryEngine;

  constructor(store: ChunkStore, cacheBytes: number) {
    this.#engine = new QueryEngine(store, cacheBytes);
  }

  setCatalog(manifests: Manifest[]): Promise<void> {
    this.#engine.setCatalog(manifests);
    return Promise.resolve();
  }

  run(sql: string, opts: QueryOptions): Promise<QueryOutput> {
    return this.#engine.run(sql, opts);
  }

  async plan(sql: string): Promise<PlannedStatement> {
    await Promise.resolve(); // settle like the worker does: never synchronously
    return this.#engine.plan(sql);
  }

  execute(plan: PlanNode, inputs: ExchangeInputs, opts: QueryOptions): Promise<QueryOutput> {
    return this.#engine.execute(plan, inputs, opts);
  }

  cacheStats(): Promise<CacheStats> {
    return Promise.resolve(this.#engine.cacheStats());
  }
}
