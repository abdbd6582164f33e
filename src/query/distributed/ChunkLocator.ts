import type { Manifest } from '../../storage/manifest.ts';
import type { ChunkId, DatasetId, NodeId } from '../../types.ts';

/**
 * The distributed query's view of the catalog and replication (issue #5): which datasets a query
 * may read and which live nodes hold each of their chunks. The coordinator binds against
 * {@link datasets}, assigns every chunk it reads to one of its {@link holders}, and keys its result
 * cache by {@link snapshot}.
 *
 * Implementations: {@link LocalChunkLocator} (a node alone: its own manifests, every chunk held
 * here), {@link StaticChunkLocator} (a fixed layout, for tests and the E2E placement hook), and,
 * once the catalog lands, one backed by the CRDT catalog's `dataset/<id>/*` and
 * `holds/<nodeId>/<datasetId>` keys with liveness from membership.
 */
export interface ChunkLocator {
  /**
   * Called by the LakeNode (to give the query worker its catalog) and by the coordinator for every
   * query: the room's **committed** datasets. Pending, aborted and deleted datasets are absent, so
   * a query can never see them.
   */
  datasets(): readonly Manifest[];
  /**
   * Called by the coordinator for each chunk a query reads, and again when an executor fails: the
   * **live** nodes holding `chunk`, this node included when it holds it. Empty when no live node
   * holds it (the query then fails naming the dataset, or returns a flagged partial result).
   * @remarks The coordinator also drops holders that membership does not report alive, so a stale
   * answer costs a retry, not a wrong result.
   */
  holders(chunk: ChunkId): readonly NodeId[];
  /**
   * Called by the query cache: a token for the dataset's committed state that changes whenever
   * that state changes (recommitted, deleted, replaced). Undefined when the dataset is not visible.
   */
  snapshot(dataset: DatasetId): string | undefined;
  /**
   * Called by the LakeNode and the query cache: `handler` runs after any change of
   * {@link datasets} or a {@link snapshot} (not on mere holder changes). Returns an unsubscribe.
   */
  onChange(handler: () => void): () => void;
}

/** Listeners of a locator, with a guard so one failing listener does not stop the others. */
export class ChangeListeners {
  readonly #handlers = new Set<() => void>();

  add(handler: () => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  emit(): void {
    for (const h of [...this.#handlers]) {
      try {
        h();
      } catch (err) {
        console.error('peerlake: a chunk locator change listener failed', err);
      }
    }
  }
}

/** The snapshot token of a manifest that never changes once committed (id and Merkle root). */
export const manifestSnapshot = (m: Manifest): string => `${m.id}:${m.root}`;

/**
 * A node alone, or in a room without a catalog yet: the datasets are this node's own committed
 * manifests (a live map owned by the LakeNode) and every chunk is held here.
 */
export class LocalChunkLocator implements ChunkLocator {
  readonly #self: NodeId;
  readonly #manifests: () => Iterable<Manifest>;
  readonly #listeners = new ChangeListeners();
  #chunks: Set<string> | undefined;

  constructor(self: NodeId, manifests: () => Iterable<Manifest>) {
    this.#self = self;
    this.#manifests = manifests;
  }

  datasets(): readonly Manifest[] {
    return [...this.#manifests()];
  }

  holders(chunk: ChunkId): readonly NodeId[] {
    this.#chunks ??= new Set([...this.#manifests()].flatMap((m) => m.chunks.map((c) => c.id)));
    return this.#chunks.has(chunk) ? [this.#self] : [];
  }

  snapshot(dataset: DatasetId): string | undefined {
    for (const m of this.#manifests()) if (m.id === dataset) return manifestSnapshot(m);
    return undefined;
  }

  onChange(handler: () => void): () => void {
    return this.#listeners.add(handler);
  }

  /** Called by the LakeNode after an ingest or a drop. */
  changed(): void {
    this.#chunks = undefined;
    this.#listeners.emit();
  }
}

/** Where each chunk lives in a {@link StaticChunkLocator}: every holder, alive or not. */
export type ChunkLayout = ReadonlyMap<ChunkId, readonly NodeId[]>;

/**
 * A fixed placement: these manifests, these holders per chunk, and a liveness test (membership's
 * view). Used by the multi-node tests, which copy chunks to nodes themselves, and by the
 * test-only placement hook of the E2E suite and the benchmark (`lake.setChunkLocator`), until the
 * catalog and replication (issue #5) provide the real locator.
 */
export class StaticChunkLocator implements ChunkLocator {
  readonly #manifests: Manifest[];
  readonly #layout: ChunkLayout;
  readonly #isLive: (node: NodeId) => boolean;
  readonly #listeners = new ChangeListeners();

  constructor(manifests: readonly Manifest[], layout: ChunkLayout, isLive: (node: NodeId) => boolean) {
    this.#manifests = [...manifests];
    this.#layout = layout;
    this.#isLive = isLive;
  }

  datasets(): readonly Manifest[] {
    return this.#manifests;
  }

  holders(chunk: ChunkId): readonly NodeId[] {
    return (this.#layout.get(chunk) ?? []).filter((n) => this.#isLive(n));
  }

  snapshot(dataset: DatasetId): string | undefined {
    const m = this.#manifests.find((x) => x.id === dataset);
    return m ? manifestSnapshot(m) : undefined;
  }

  onChange(handler: () => void): () => void {
    return this.#listeners.add(handler);
  }

  /** Replaces the visible datasets (a test commits or deletes one); fires onChange. */
  setDatasets(manifests: readonly Manifest[]): void {
    this.#manifests.splice(0, this.#manifests.length, ...manifests);
    this.#listeners.emit();
  }
}
