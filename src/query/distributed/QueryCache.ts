import type { DatasetId } from '../../types.ts';
import type { QueryOutput } from '../QueryEngine.ts';

interface Entry {
  output: QueryOutput;
  /** The committed snapshot of every dataset the query read, when it ran. */
  snapshots: Map<DatasetId, string>;
  bytes: number;
}

/** Whole result bytes kept, and the largest single result worth keeping. */
export const QUERY_CACHE_BYTES = 64 * 1024 * 1024;
export const QUERY_CACHE_ENTRY_BYTES = 8 * 1024 * 1024;

/**
 * Results of recent queries (config `queryCache`), keyed by the normalized query: the optimized
 * plan, which already spells out every table, column, predicate and the pruned chunk list, so
 * spacing, case and aliases do not matter. An entry is only served while every dataset it read
 * still has the committed snapshot it had (ChunkLocator.snapshot); a change drops it. LRU by bytes.
 * Partial results are never cached. Called by the coordinator.
 */
export class QueryCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  readonly #maxEntryBytes: number;
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(maxBytes = QUERY_CACHE_BYTES, maxEntryBytes = QUERY_CACHE_ENTRY_BYTES) {
    this.#maxBytes = maxBytes;
    this.#maxEntryBytes = maxEntryBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached output (a copy of its bytes), if every snapshot it read is still current. */
  get(key: string, snapshot: (d: DatasetId) => string | undefined): QueryOutput | undefined {
    const e = this.#entries.get(key);
    if (!e || ![...e.snapshots].every(([d, s]) => snapshot(d) === s)) {
      if (e) this.#delete(key, e);
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return { ...e.output, ipc: e.output.ipc.slice() };
  }

  put(key: string, snapshots: Map<DatasetId, string>, output: QueryOutput): void {
    const bytes = output.ipc.byteLength + key.length * 2;
    if (bytes > this.#maxEntryBytes) return;
    const old = this.#entries.get(key);
    if (old) this.#delete(key, old);
    this.#entries.set(key, { output: { ...output, ipc: output.ipc.slice() }, snapshots, bytes });
    this.#bytes += bytes;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#delete(k, e);
    }
  }

  /** Drops every entry that read a dataset whose snapshot changed (called on catalog changes). */
  invalidate(snapshot: (d: DatasetId) => string | undefined): void {
    for (const [k, e] of this.#entries) {
      if (![...e.snapshots].every(([d, s]) => snapshot(d) === s)) this.#delete(k, e);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #delete(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
  }
}
