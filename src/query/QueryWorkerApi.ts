import { transfer } from 'comlink';
import type { ChunkStore } from '../storage/ChunkStore.ts';
import type { Manifest } from '../storage/manifest.ts';
import { isSqlError, type SqlErrorCode } from '../sql/SqlError.ts';
import { QueryEngine, type QueryOutput } from './QueryEngine.ts';

export interface WorkerQueryOptions {
  deadline: number;
  memoryBudget: number;
}

/** Errors travel as values so `code` and `position` survive comlink (see IngestWorkerApi). */
export type WorkerQueryResult =
  | { ok: true; output: QueryOutput }
  | {
      ok: false;
      error: {
        code?: SqlErrorCode;
        name: string;
        message: string;
        position?: { line: number; column: number };
      };
    };

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
    onProgress?: (p: { chunksDone: number; chunksTotal: number; rowsScanned: number }) => void,
  ): Promise<WorkerQueryResult> {
    const ctl = new AbortController();
    this.#running.set(id, ctl);
    try {
      const engine = await this.#ready();
      const output = await engine.run(sql, { ...opts, signal: ctl.signal, onProgress });
      return transfer({ ok: true, output }, [output.ipc.buffer]);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      return isSqlError(err)
        ? {
            ok: false,
            error: { code: err.code, name: err.name, message: err.message, position: err.position },
          }
        : { ok: false, error: { name: err.name, message: err.message } };
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
