import type { ChunkStore } from '../storage/ChunkStore.ts';
import type { Manifest } from '../storage/manifest.ts';
import type { ByteSource } from './ByteSource.ts';
import { ingestFile, type IngestRequest } from './ingestFile.ts';

/**
 * Where ingest runs. The browser uses a Web Worker (src/lake/WorkerIngestRunner.ts) so parsing
 * never blocks the page; Node and tests run it in-process with {@link LocalIngestRunner}.
 */
export interface IngestRunner {
  /** Called by the LakeNode for each upload; resolves with the committed manifest. */
  run(source: ByteSource, req: IngestRequest): Promise<Manifest>;
  /** Best-effort teardown. */
  close?(): void;
}

export class LocalIngestRunner implements IngestRunner {
  constructor(readonly store: ChunkStore) {}

  run(source: ByteSource, req: IngestRequest): Promise<Manifest> {
    return ingestFile(this.store, source, req);
  }
}
