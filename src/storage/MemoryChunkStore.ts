import type { ChunkId, DatasetId } from '../types.ts';
import type { ChunkStore, StoreUsage, StoredChunk } from './ChunkStore.ts';
import { unreferenced } from './gc.ts';
import type { Manifest } from './manifest.ts';

export interface MemoryChunkStoreOptions {
  /**
   * Bytes of chunk data this store accepts before it rejects writes with a `QuotaExceededError`,
   * the same DOMException IndexedDB throws; lets a memory-only node run with a bounded budget.
   */
  quotaBytes?: number;
}

/** An in-process {@link ChunkStore}: for Node, tests and nodes that should not persist. */
export class MemoryChunkStore implements ChunkStore {
  #chunks = new Map<ChunkId, Uint8Array>();
  #manifests = new Map<DatasetId, Manifest>();
  #pending = new Map<string, ChunkId[]>();
  #meta = new Map<string, unknown>();
  #bytes = 0;
  #quota: number;
  #closed = false;

  constructor(opts: MemoryChunkStoreOptions = {}) {
    this.#quota = opts.quotaBytes ?? Infinity;
  }

  writeChunks(ingestId: string, chunks: readonly StoredChunk[]): Promise<void> {
    return this.#run(() => {
      this.#put(chunks);
      const ids = this.#pending.get(ingestId) ?? [];
      for (const c of chunks) ids.push(c.id);
      this.#pending.set(ingestId, ids);
    });
  }

  commit(ingestId: string, manifest: Manifest): Promise<void> {
    this.#open();
    this.#manifests.set(manifest.id, structuredClone(manifest));
    this.#pending.delete(ingestId);
    return Promise.resolve();
  }

  abort(ingestId: string): Promise<number> {
    this.#open();
    const ids = this.#pending.get(ingestId) ?? [];
    this.#pending.delete(ingestId);
    return Promise.resolve(this.#collect(ids));
  }

  async sweepPending(): Promise<number> {
    let n = 0;
    for (const id of [...this.#pending.keys()]) n += await this.abort(id);
    return n;
  }

  putChunks(chunks: readonly StoredChunk[]): Promise<void> {
    return this.#run(() => this.#put(chunks));
  }

  getChunk(id: ChunkId): Promise<Uint8Array | undefined> {
    this.#open();
    return Promise.resolve(this.#chunks.get(id));
  }

  hasChunk(id: ChunkId): Promise<boolean> {
    this.#open();
    return Promise.resolve(this.#chunks.has(id));
  }

  listManifests(): Promise<Manifest[]> {
    this.#open();
    return Promise.resolve([...this.#manifests.values()].map((m) => structuredClone(m)));
  }

  getManifest(id: DatasetId): Promise<Manifest | undefined> {
    this.#open();
    const m = this.#manifests.get(id);
    return Promise.resolve(m && structuredClone(m));
  }

  deleteManifest(id: DatasetId): Promise<number> {
    this.#open();
    const m = this.#manifests.get(id);
    if (!m) return Promise.resolve(0);
    this.#manifests.delete(id);
    return Promise.resolve(this.#collect(m.chunks.map((c) => c.id)));
  }

  getMeta<T>(key: string): Promise<T | undefined> {
    this.#open();
    return Promise.resolve(structuredClone(this.#meta.get(key)) as T | undefined);
  }

  putMeta(key: string, value: unknown): Promise<void> {
    this.#open();
    this.#meta.set(key, structuredClone(value));
    return Promise.resolve();
  }

  usage(): Promise<StoreUsage> {
    return Promise.resolve({
      chunks: this.#chunks.size,
      bytes: this.#bytes,
      manifests: this.#manifests.size,
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #open(): void {
    if (this.#closed) throw new Error('MemoryChunkStore is closed');
  }

  /** Runs a synchronous body as an async store call: its throw becomes a rejection, as in IndexedDB. */
  #run<T>(body: () => T): Promise<T> {
    try {
      this.#open();
      return Promise.resolve(body());
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** All-or-nothing, like one IndexedDB transaction: the quota is checked before anything is stored. */
  #put(chunks: readonly StoredChunk[]): void {
    let added = 0;
    for (const c of chunks) if (!this.#chunks.has(c.id)) added += c.bytes.byteLength;
    if (this.#bytes + added > this.#quota) {
      throw new DOMException(
        `Storage quota of ${this.#quota} bytes exceeded (${this.#bytes} used, ${added} requested)`,
        'QuotaExceededError',
      );
    }
    for (const c of chunks) {
      if (this.#chunks.has(c.id)) continue;
      // Copy: the caller may transfer or reuse its buffer.
      this.#chunks.set(c.id, c.bytes.slice());
      this.#bytes += c.bytes.byteLength;
    }
  }

  #collect(candidates: ChunkId[]): number {
    let deleted = 0;
    for (const id of unreferenced(candidates, this.#manifests.values(), this.#pending.values())) {
      const b = this.#chunks.get(id);
      if (!b) continue;
      this.#bytes -= b.byteLength;
      this.#chunks.delete(id);
      deleted++;
    }
    return deleted;
  }
}
