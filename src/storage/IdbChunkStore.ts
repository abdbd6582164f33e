import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { ChunkId, DatasetId } from '../types.ts';
import type { ChunkStore, StoreUsage, StoredChunk } from './ChunkStore.ts';
import { unreferenced } from './gc.ts';
import type { Manifest } from './manifest.ts';

/** Bumped when the object stores change; `upgrade` below migrates from every older version. */
const DB_VERSION = 1;
/** Every IndexedDB database a node owns starts with this; identity looks for them by prefix. */
export const NODE_DB_PREFIX = 'peerlake-node-';

interface PendingRecord {
  startedAt: number;
  chunks: { id: ChunkId; bytes: number }[];
}

interface UsageRecord {
  chunks: number;
  bytes: number;
}

interface LakeDB extends DBSchema {
  chunks: { key: ChunkId; value: Uint8Array };
  manifests: { key: DatasetId; value: Manifest };
  pending: { key: string; value: PendingRecord };
  /** Reserved for the CRDT catalog (catalog issue). */
  catalog: { key: string; value: unknown };
  meta: { key: string; value: unknown };
}

type WriteTx = IDBPTransaction<LakeDB, StoreNames<LakeDB>[], 'readwrite'>;

const USAGE_KEY = 'usage';

/**
 * {@link ChunkStore} on IndexedDB through `idb`. Each write is one transaction: batched puts are
 * about 2× faster than a transaction per chunk (DESIGN §11), and a transaction is all-or-nothing,
 * so a quota error leaves no half-written batch.
 * @remarks Usage (chunk count and bytes) is kept in `meta` and updated in the same transaction as
 * every write and delete, so it never needs a scan of the chunk bytes.
 */
export class IdbChunkStore implements ChunkStore {
  readonly #db: IDBPDatabase<LakeDB>;

  private constructor(db: IDBPDatabase<LakeDB>) {
    this.#db = db;
  }

  static async open(name: string): Promise<IdbChunkStore> {
    const db = await openDB<LakeDB>(name, DB_VERSION, {
      upgrade(db) {
        db.createObjectStore('chunks');
        db.createObjectStore('manifests', { keyPath: 'id' });
        db.createObjectStore('pending');
        db.createObjectStore('catalog');
        db.createObjectStore('meta');
      },
      blocking() {
        // Another connection wants to upgrade; closing lets it proceed instead of hanging.
        db.close();
      },
    });
    return new IdbChunkStore(db);
  }

  async writeChunks(ingestId: string, chunks: readonly StoredChunk[]): Promise<void> {
    const tx = this.#db.transaction(['chunks', 'pending', 'meta'], 'readwrite');
    await settle(tx, async () => {
      const added = await putNew(tx, chunks);
      const rec = (await tx.objectStore('pending').get(ingestId)) ?? { startedAt: Date.now(), chunks: [] };
      for (const c of chunks) rec.chunks.push({ id: c.id, bytes: c.bytes.byteLength });
      await tx.objectStore('pending').put(rec, ingestId);
      await addUsage(tx, added.count, added.bytes);
    });
  }

  async commit(ingestId: string, manifest: Manifest): Promise<void> {
    const tx = this.#db.transaction(['manifests', 'pending'], 'readwrite');
    await settle(tx, async () => {
      await tx.objectStore('manifests').put(manifest);
      await tx.objectStore('pending').delete(ingestId);
    });
  }

  async abort(ingestId: string): Promise<number> {
    const tx = this.#db.transaction(['chunks', 'manifests', 'pending', 'meta'], 'readwrite');
    return settle(tx, async () => {
      const rec = await tx.objectStore('pending').get(ingestId);
      if (!rec) return 0;
      await tx.objectStore('pending').delete(ingestId);
      return collect(tx, rec.chunks);
    });
  }

  async sweepPending(): Promise<number> {
    let n = 0;
    for (const id of await this.#db.getAllKeys('pending')) n += await this.abort(id);
    return n;
  }

  async putChunks(chunks: readonly StoredChunk[]): Promise<void> {
    const tx = this.#db.transaction(['chunks', 'meta'], 'readwrite');
    await settle(tx, async () => {
      const added = await putNew(tx, chunks);
      await addUsage(tx, added.count, added.bytes);
    });
  }

  getChunk(id: ChunkId): Promise<Uint8Array | undefined> {
    return this.#db.get('chunks', id);
  }

  async hasChunk(id: ChunkId): Promise<boolean> {
    return (await this.#db.getKey('chunks', id)) !== undefined;
  }

  listManifests(): Promise<Manifest[]> {
    return this.#db.getAll('manifests');
  }

  getManifest(id: DatasetId): Promise<Manifest | undefined> {
    return this.#db.get('manifests', id);
  }

  async deleteManifest(id: DatasetId): Promise<number> {
    const tx = this.#db.transaction(['chunks', 'manifests', 'pending', 'meta'], 'readwrite');
    return settle(tx, async () => {
      const m = await tx.objectStore('manifests').get(id);
      if (!m) return 0;
      await tx.objectStore('manifests').delete(id);
      return collect(tx, m.chunks);
    });
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.#db.get('meta', key)) as T | undefined;
  }

  async putMeta(key: string, value: unknown): Promise<void> {
    await this.#db.put('meta', value, key);
  }

  async usage(): Promise<StoreUsage> {
    const [u, manifests] = await Promise.all([
      this.#db.get('meta', USAGE_KEY) as Promise<UsageRecord | undefined>,
      this.#db.count('manifests'),
    ]);
    return { chunks: u?.chunks ?? 0, bytes: u?.bytes ?? 0, manifests };
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}

/**
 * Runs `body` inside `tx` and waits for the commit. If the body throws, the transaction is
 * aborted so nothing of it is kept; if the commit fails (e.g. QuotaExceededError), that error wins.
 */
async function settle<T>(tx: WriteTx, body: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted by the failing request; tx.done reports the real cause.
    }
    await tx.done.catch(() => undefined);
    throw e;
  }
  await tx.done;
  return result;
}

async function putNew(
  tx: WriteTx,
  chunks: readonly StoredChunk[],
): Promise<{ count: number; bytes: number }> {
  const store = tx.objectStore('chunks');
  const existing = await Promise.all(chunks.map((c) => store.getKey(c.id)));
  const fresh = chunks.filter((_, i) => existing[i] === undefined);
  const unique = new Map(fresh.map((c) => [c.id, c]));
  await Promise.all([...unique.values()].map((c) => store.put(c.bytes, c.id)));
  let bytes = 0;
  for (const c of unique.values()) bytes += c.bytes.byteLength;
  return { count: unique.size, bytes };
}

async function collect(tx: WriteTx, candidates: { id: ChunkId; bytes: number }[]): Promise<number> {
  const [manifests, pending] = await Promise.all([
    tx.objectStore('manifests').getAll(),
    tx.objectStore('pending').getAll(),
  ]);
  const dead = unreferenced(
    candidates.map((c) => c.id),
    manifests,
    pending.map((p) => p.chunks.map((c) => c.id)),
  );
  const size = new Map(candidates.map((c) => [c.id, c.bytes]));
  const store = tx.objectStore('chunks');
  const present = await Promise.all(dead.map((id) => store.getKey(id)));
  const gone = dead.filter((_, i) => present[i] !== undefined);
  await Promise.all(gone.map((id) => store.delete(id)));
  await addUsage(tx, -gone.length, -gone.reduce((s, id) => s + (size.get(id) ?? 0), 0));
  return gone.length;
}

async function addUsage(tx: WriteTx, chunks: number, bytes: number): Promise<void> {
  if (chunks === 0 && bytes === 0) return;
  const meta = tx.objectStore('meta');
  const u = ((await meta.get(USAGE_KEY)) as UsageRecord | undefined) ?? { chunks: 0, bytes: 0 };
  await meta.put({ chunks: u.chunks + chunks, bytes: u.bytes + bytes }, USAGE_KEY);
}
