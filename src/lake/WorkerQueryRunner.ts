import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { QueryOptions, QueryOutput } from '../query/QueryEngine.ts';
import type { CacheStats, QueryRunner } from '../query/QueryRunner.ts';
import type { QueryWorkerApi } from '../query/QueryWorkerApi.ts';
import { SqlError } from '../sql/SqlError.ts';
import type { Manifest } from '../storage/manifest.ts';

/**
 * Runs queries in the query worker through comlink. Abort reaches the worker as a cancel call;
 * if the worker dies, every pending query is rejected rather than left hanging (EXAMPLES §5).
 */
export class WorkerQueryRunner implements QueryRunner {
  readonly #worker: Worker;
  readonly #api: Remote<QueryWorkerApi>;
  readonly #pending = new Set<(e: Error) => void>();
  #seq = 0;

  constructor(worker: Worker, storeName: string, cacheBytes: number) {
    this.#worker = worker;
    this.#api = wrap<QueryWorkerApi>(worker);
    void this.#api.init(storeName, cacheBytes);
    worker.addEventListener('error', (ev) => {
      const err = new Error(`The query worker crashed: ${ev.message || 'unknown error'}`);
      for (const reject of this.#pending) reject(err);
    });
  }

  setCatalog(manifests: Manifest[]): Promise<void> {
    return this.#api.setCatalog(manifests);
  }

  async run(sql: string, opts: QueryOptions): Promise<QueryOutput> {
    const id = `q${++this.#seq}`;
    const onAbort = () => void this.#api.cancel(id);
    opts.signal?.addEventListener('abort', onAbort);
    let rejectPending!: (e: Error) => void;
    const died = new Promise<never>((_, reject) => (rejectPending = reject));
    this.#pending.add(rejectPending);
    try {
      const result = await Promise.race([
        this.#api.run(
          id,
          sql,
          { deadline: opts.deadline, memoryBudget: opts.memoryBudget },
          opts.onProgress ? proxy(opts.onProgress) : undefined,
        ),
        died,
      ]);
      if (result.ok) return result.output;
      const { code, message, name, position } = result.error;
      if (code) throw new SqlError(code, message, position);
      const err = new Error(message);
      err.name = name;
      throw err;
    } finally {
      this.#pending.delete(rejectPending);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  cacheStats(): Promise<CacheStats> {
    return this.#api.cacheStats();
  }

  close(): void {
    this.#api[releaseProxy]();
    this.#worker.terminate();
  }
}
