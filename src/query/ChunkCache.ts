import { tableFromIPC, type Table } from 'apache-arrow';
import type { ChunkSource } from '../engine/ChunkSource.ts';
import type { ChunkStore } from '../storage/ChunkStore.ts';
import type { ChunkId } from '../types.ts';
import { SqlError } from '../sql/SqlError.ts';

/**
 * Matches the messages of this node's own chunk faults (a chunk missing here or corrupt), as
 * opposed to DATA errors of the query itself (a failed conversion): a distributed query retries
 * the former on another holder and fails on the latter.
 */
export const CHUNK_FAULT = /^Chunk [0-9a-f]{12}… (is not stored on this node|is corrupt)/;

/**
 * The "memory" tier of DESIGN §4: decoded chunks kept in an LRU bounded by bytes (`cacheSize`).
 * Decoding an IPC chunk is zero-copy, so the cache mostly saves the IndexedDB read. Concurrent
 * loads of one chunk share a single read.
 */
export class ChunkCache implements ChunkSource {
  readonly #store: ChunkStore;
  readonly #maxBytes: number;
  /** Map iteration order is insertion order: the first entry is the least recently used. */
  readonly #entries = new Map<ChunkId, { table: Table; bytes: number }>();
  readonly #loading = new Map<ChunkId, Promise<Table>>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(store: ChunkStore, maxBytes: number) {
    this.#store = store;
    this.#maxBytes = maxBytes;
  }

  load(id: ChunkId): Promise<Table> {
    const hit = this.#entries.get(id);
    if (hit) {
      this.hits++;
      this.#entries.delete(id);
      this.#entries.set(id, hit);
      return Promise.resolve(hit.table);
    }
    let pending = this.#loading.get(id);
    if (!pending) {
      this.misses++;
      pending = this.#read(id).finally(() => this.#loading.delete(id));
      this.#loading.set(id, pending);
    }
    return pending;
  }

  /** Bytes of decoded chunks held. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  async #read(id: ChunkId): Promise<Table> {
    const bytes = await this.#store.getChunk(id);
    if (!bytes) {
      throw new SqlError(
        'DATA',
        `Chunk ${id.slice(0, 12)}… is not stored on this node; run verify on its dataset.`,
      );
    }
    let table: Table;
    try {
      table = tableFromIPC(bytes);
    } catch (e) {
      throw new SqlError(
        'DATA',
        `Chunk ${id.slice(0, 12)}… is corrupt (${(e as Error).message}); run verify on its dataset.`,
      );
    }
    this.#entries.set(id, { table, bytes: bytes.byteLength });
    this.#bytes += bytes.byteLength;
    for (const [key, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes || key === id) break;
      this.#entries.delete(key);
      this.#bytes -= entry.bytes;
    }
    return table;
  }
}
