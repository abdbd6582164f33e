import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { ByteSource } from '../ingest/ByteSource.ts';
import type { IngestRequest } from '../ingest/ingestFile.ts';
import type { IngestRunner } from '../ingest/IngestRunner.ts';
import { errorFromWorker, type IngestWorkerApi } from '../ingest/IngestWorkerApi.ts';
import type { Manifest } from '../storage/manifest.ts';

/**
 * Runs ingest in a Web Worker through comlink. The File is posted by reference (a Blob is
 * structured-cloned without copying its bytes); progress comes back through a proxied callback.
 * If the worker dies, every pending ingest is rejected rather than left hanging (EXAMPLES §5).
 */
export class WorkerIngestRunner implements IngestRunner {
  readonly #worker: Worker;
  readonly #api: Remote<IngestWorkerApi>;
  readonly #storeName: string;
  readonly #pending = new Set<(e: Error) => void>();

  constructor(worker: Worker, storeName: string) {
    this.#worker = worker;
    this.#api = wrap<IngestWorkerApi>(worker);
    this.#storeName = storeName;
    worker.addEventListener('error', (ev) => {
      const err = new Error(`The ingest worker crashed: ${ev.message || 'unknown error'}`);
      for (const reject of this.#pending) reject(err);
    });
  }

  async run(source: ByteSource, req: IngestRequest): Promise<Manifest> {
    const { signal, onProgress, ...plain } = req;
    const onAbort = () => void this.#api.cancel(req.datasetId);
    signal?.addEventListener('abort', onAbort);
    let rejectPending!: (e: Error) => void;
    const died = new Promise<never>((_, reject) => (rejectPending = reject));
    this.#pending.add(rejectPending);
    const progress = onProgress ? proxy(onProgress) : undefined;
    try {
      if (signal?.aborted) onAbort();
      const result = await Promise.race([
        this.#api.ingest(this.#storeName, source.blob, source.name, plain, progress),
        died,
      ]);
      if (!result.ok) throw errorFromWorker(result.error);
      return result.manifest;
    } finally {
      this.#pending.delete(rejectPending);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.#api[releaseProxy]();
    this.#worker.terminate();
  }
}
