import { transfer } from 'comlink';
import type { ChunkStore } from '../storage/ChunkStore.ts';
import type { Manifest } from '../storage/manifest.ts';
import { isSqlError, type SqlErrorCode } from '../sql/SqlError.ts';
import type { PlannedStatement, PlanNode } from '../sql/plan.ts';
import { QueryEngine, type ExchangeInputs, type QueryOutput } from './QueryEngine.ts';

export interface WorkerQueryOptions {
  deadline: number;
  memoryBudget: number;
}

/** An error as a value, so `code` and `position` survive comlink (see IngestWorkerApi). */
export interface WorkerError {
  code?: SqlErrorCode;
  name: string;
  message: string;
  position?: { line: number; column: number };
}

export type WorkerQueryResult = { ok: true; output: QueryOutput } | { ok: false; error: WorkerError };
export type WorkerPlanResult = { ok: true; statement: PlannedStatement } | { ok: false; error: WorkerError };

type Progress = (p: { chunksDone: number; chunksTotal: number; rowsScanned: number }) => void;

function errorValue(e: unknown): WorkerError {
  const err = e instanceof Error ? e : new Error(String(e));
  return isSqlError(err)
    ? { code: err.code, name: err.name, message: err.message, position: err.position }
    : { name: err.name, message: err.message };
}

/**
 * What `workers/query.worker.ts` exposes. The worker opens the node's own store for reads, so
 * chunk bytes never cross to the page; results come back as transferred IPC bytes.
 */
export class QueryWorkerApi {
  readonly #openStore: (name: string) => Promise<ChunkStore>;
  #engine: Promise<QueryEngine> | undefined;
  readonly #running = new Map<string, AbortController>();

  constructor(openStore: (name: string) => Promise<ChunkStore>) {
    this.#openStore = openStore;
  }

  init(storeName: string, cacheBytes: number): void {
    this.#engine = this.#openStore(storeName).then((store) => new QueryEngine(store, cacheBytes));
  }

  async setCatalog(manifests: Manifest[]): Promise<void> {
    (await this.#ready()).setCatalog(manifests);
  }

  async run(
    id: string,
    sql: string,
    opts: WorkerQueryOptions,
    onProgress?: Progress,
  ): Promise<WorkerQueryResult> {
    return this.#track(id, async (signal) => (await this.#ready()).run(sql, { ...opts, signal, onProgress }));
  }

  /** Plans a statement against the catalog (the coordinator's first step). */
  async plan(sql: string): Promise<WorkerPlanResult> {
    try {
      return { ok: true, statement: (await this.#ready()).plan(sql) };
    } catch (e) {
      return { ok: false, error: errorValue(e) };
    }
  }

  /** Runs a plan over stored chunks and the given exchange inputs (see QueryEngine.execute). */
  async execute(
    id: string,
    plan: PlanNode,
    inputs: ExchangeInputs,
    opts: WorkerQueryOptions,
    onProgress?: Progress,
  ): Promise<WorkerQueryResult> {
    return this.#track(id, async (signal) =>
      (await this.#ready()).execute(plan, inputs, { ...opts, signal, onProgress }),
    );
  }

  async #track(id: string, work: (signal: AbortSignal) => Promise<QueryOutput>): Promise<WorkerQueryResult> {
    const ctl = new AbortController();
    this.#running.set(id, ctl);
    try {
      const output = await work(ctl.signal);
      return transfer({ ok: true, output }, [output.ipc.buffer]);
    } catch (e) {
      return { ok: false, error: errorValue(e) };
    } finally {
      this.#running.delete(id);
    }
  }

  cancel(id: string): void {
    this.#running.get(id)?.abort();
  }

  async cacheStats(): Promise<ReturnType<QueryEngine['cacheStats']>> {
    return (await this.#ready()).cacheStats();
  }

  #ready(): Promise<QueryEngine> {
    if (!this.#engine) throw new Error('query worker used before init()');
    return this.#engine;
  }
}
