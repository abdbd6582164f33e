import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { ExchangeInputs, QueryOptions, QueryOutput } from '../query/QueryEngine.ts';
import type { CacheStats, QueryRunner } from '../query/QueryRunner.ts';
import type {
  QueryWorkerApi,
  WorkerError,
  WorkerPlanResult,
  WorkerQueryResult,
} from '../query/QueryWorkerApi.ts';
import type { PlannedStatement, PlanNode } from '../sql/plan.ts';
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

  run(sql: string, opts: QueryOptions): Promise<QueryOutput> {
    return this.#call(opts, (id, limits, progress) => this.#api.run(id, sql, limits, progress));
  }

  async plan(sql: string): Promise<PlannedStatement> {
    const result: WorkerPlanResult = await this.#guard<WorkerPlanResult>(this.#api.plan(sql));
    if (result.ok) return result.statement;
    throw rebuild(result.error);
  }

  execute(plan: PlanNode, inputs: ExchangeInputs, opts: QueryOptions): Promise<QueryOutput> {
    // The partial results move to the worker rather than being copied (EXAMPLES §2).
    const buffers = Object.values(inputs).flatMap((parts) => parts.map((p) => p.buffer as ArrayBuffer));
    const moved = transfer(inputs, [...new Set(buffers)]);
    return this.#call(opts, (id, limits, progress) => this.#api.execute(id, plan, moved, limits, progress));
  }

  async #call(
    opts: QueryOptions,
    start: (
      id: string,
      limits: { deadline: number; memoryBudget: number },
      progress: QueryOptions['onProgress'],
    ) => Promise<WorkerQueryResult>,
  ): Promise<QueryOutput> {
    const id = `q${++this.#seq}`;
    const onAbort = () => void this.#api.cancel(id);
    opts.signal?.addEventListener('abort', onAbort);
    try {
      const result = await this.#guard(
        start(
          id,
          { deadline: opts.deadline, memoryBudget: opts.memoryBudget },
          opts.onProgress ? proxy(opts.onProgress) : undefined,
        ),
      );
      if (result.ok) return result.output;
      throw rebuild(result.error);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Races a worker call against the worker dying, so no caller is left hanging. */
  async #guard<T>(call: Promise<T>): Promise<T> {
    let rejectPending!: (e: Error) => void;
    const died = new Promise<never>((_, reject) => (rejectPending = reject));
    this.#pending.add(rejectPending);
    try {
      return await Promise.race([call, died]);
    } finally {
      this.#pending.delete(rejectPending);
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

function rebuild({ code, message, name, position }: WorkerError): Error {
  if (code) return new SqlError(code, message, position);
  const err = new Error(message);
  err.name = name;
  return err;
}
