import type { ChunkStore } from '../storage/ChunkStore.ts';
import type { Manifest } from '../storage/manifest.ts';
import { QueryEngine, type QueryOptions, type QueryOutput } from './QueryEngine.ts';

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

  cacheStats(): Promise<CacheStats> {
    return Promise.resolve(this.#engine.cacheStats());
  }
}
