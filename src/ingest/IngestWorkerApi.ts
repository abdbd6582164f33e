import type { ChunkStore } from '../storage/ChunkStore.ts';
import type { Manifest } from '../storage/manifest.ts';
import { ingestFile, type IngestProgress, type IngestRequest } from './ingestFile.ts';
import { IngestError, isIngestError, type IngestErrorCode } from './IngestError.ts';

/** The request as it crosses the worker boundary: functions and AbortSignals cannot be cloned. */
export type WorkerIngestRequest = Omit<IngestRequest, 'signal' | 'onProgress'>;

/**
 * Errors travel as values: comlink's error transfer keeps name and message but drops `code`,
 * and callers branch on the code.
 */
export type WorkerResult =
  | { ok: true; manifest: Manifest }
  | { ok: false; error: { code: IngestErrorCode | undefined; name: string; message: string } };

/**
 * What `workers/ingest.worker.ts` exposes with comlink. It opens the node's own store in the
 * worker, so chunk bytes go straight from the parser to IndexedDB and never cross to the page.
 * Testable without a Worker (comlink over a MessageChannel).
 */
export class IngestWorkerApi {
  readonly #openStore: (name: string) => Promise<ChunkStore>;
  readonly #stores = new Map<string, Promise<ChunkStore>>();
  readonly #running = new Map<string, AbortController>();

  constructor(openStore: (name: string) => Promise<ChunkStore>) {
    this.#openStore = openStore;
  }

  async ingest(
    storeName: string,
    blob: Blob,
    fileName: string,
    req: WorkerIngestRequest,
    onProgress?: (p: IngestProgress) => void,
  ): Promise<WorkerResult> {
    const ctl = new AbortController();
    this.#running.set(req.datasetId, ctl);
    try {
      const store = await this.#store(storeName);
      const manifest = await ingestFile(
        store,
        { name: fileName, blob },
        { ...req, signal: ctl.signal, onProgress },
      );
      return { ok: true, manifest };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      return {
        ok: false,
        error: { code: isIngestError(err) ? err.code : undefined, name: err.name, message: err.message },
      };
    } finally {
      this.#running.delete(req.datasetId);
    }
  }

  /** Cancels a running ingest; its chunks are removed before `ingest` resolves. */
  cancel(datasetId: string): void {
    this.#running.get(datasetId)?.abort();
  }

  #store(name: string): Promise<ChunkStore> {
    let s = this.#stores.get(name);
    if (!s) this.#stores.set(name, (s = this.#openStore(name)));
    return s;
  }
}

/** Rebuilds the error a worker reported, as the same class the in-process path throws. */
export function errorFromWorker(error: Extract<WorkerResult, { ok: false }>['error']): Error {
  if (error.code) return new IngestError(error.code, error.message);
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}
