import type { ChunkId, DatasetId } from '../types.ts';
import type { Manifest } from './manifest.ts';

export interface StoredChunk {
  id: ChunkId;
  bytes: Uint8Array;
}

export interface StoreUsage {
  chunks: number;
  bytes: number;
  manifests: number;
}

/**
 * Durable storage of one node: immutable chunks, dataset manifests and small metadata.
 *
 * Ingest is crash-safe by construction: chunks are written under an ingest id and stay "pending"
 * until {@link ChunkStore.commit} stores the manifest in the same transaction that clears the
 * pending record. Anything still pending at startup belonged to an ingest that died, and
 * {@link ChunkStore.sweepPending} removes it. Garbage collection never deletes a chunk that a
 * manifest or a live pending ingest references.
 *
 * Implementations: {@link IdbChunkStore} (IndexedDB, the browser) and {@link MemoryChunkStore}.
 * Both pass `test/contracts/chunkStore.contract.ts`.
 */
export interface ChunkStore {
  /**
   * Called by ingest for each batch of encoded chunks. Stores them and records them as pending
   * under `ingestId`, in one transaction.
   * @remarks Rejects with a DOMException named `QuotaExceededError` when storage is full.
   */
  writeChunks(ingestId: string, chunks: readonly StoredChunk[]): Promise<void>;
  /** Called by ingest when every chunk is written: stores the manifest and clears the pending record atomically. */
  commit(ingestId: string, manifest: Manifest): Promise<void>;
  /** Called when an ingest fails or is cancelled: deletes its unreferenced chunks. Returns how many were deleted. */
  abort(ingestId: string): Promise<number>;
  /** Called once at startup, while this node holds its lock: aborts every ingest left pending by a crash. */
  sweepPending(): Promise<number>;
  /** Stores chunks that are referenced elsewhere (replication). Idempotent. */
  putChunks(chunks: readonly StoredChunk[]): Promise<void>;
  getChunk(id: ChunkId): Promise<Uint8Array | undefined>;
  hasChunk(id: ChunkId): Promise<boolean>;
  listManifests(): Promise<Manifest[]>;
  getManifest(id: DatasetId): Promise<Manifest | undefined>;
  /** Removes a manifest and, in the same transaction, every chunk nothing else references. Returns chunks deleted. */
  deleteManifest(id: DatasetId): Promise<number>;
  getMeta<T>(key: string): Promise<T | undefined>;
  putMeta(key: string, value: unknown): Promise<void>;
  usage(): Promise<StoreUsage>;
  /** Best-effort; the store must not be used afterwards. */
  close(): Promise<void>;
}
