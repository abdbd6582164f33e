import type { Table } from 'apache-arrow';
import type { ChunkId } from '../types.ts';

/**
 * Where the engine's scans get chunk data: decoded Arrow tables by chunk id. The query worker's
 * implementation reads IndexedDB through an LRU cache of decoded chunks bounded by `cacheSize`
 * (DESIGN §4 tiers); Node tests use one over a MemoryChunkStore.
 */
export interface ChunkSource {
  /** Resolves with the decoded chunk; rejects with a clear error if it is missing or corrupt. */
  load(id: ChunkId): Promise<Table>;
}

/** Per-query execution limits, checked between batches. */
export interface ExecLimits {
  signal?: AbortSignal;
  /** Absolute deadline, ms since epoch (Date.now()). */
  deadline: number;
  /** Bytes the query may hold in operator state (hash tables, sort buffers) before it fails cleanly. */
  memoryBudget: number;
  /** Called as chunks are scanned. */
  onProgress?: (p: { chunksDone: number; chunksTotal: number; rowsScanned: number }) => void;
}
