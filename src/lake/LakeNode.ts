import type { ByteSource, IngestInput } from '../ingest/ByteSource.ts';
import { toByteSource } from '../ingest/ByteSource.ts';
import type { IngestRunner } from '../ingest/IngestRunner.ts';
import type { ChunkStore } from '../storage/ChunkStore.ts';
import type { Manifest } from '../storage/manifest.ts';
import { verifyDataset } from '../storage/verify.ts';
import type { DatasetId, DeviceId, NodeId } from '../types.ts';
import type {
  DatasetInfo,
  IngestOptions,
  LakeEvents,
  PeerInfo,
  QueryResult,
  RoomInfo,
  SqlOptions,
  StorageInfo,
  VerifyReport,
} from './api.ts';
import type { LakeConfig } from './config.ts';
import { Emitter } from './Emitter.ts';
import type { Mesh } from './Mesh.ts';
import type { QueryRunner } from '../query/QueryRunner.ts';
import { LocalChunkLocator, type ChunkLocator } from '../query/distributed/ChunkLocator.ts';
import {
  Coordinator,
  type CoordinatorStats,
  type CoordinatorTuning,
} from '../query/distributed/Coordinator.ts';
import { FragmentServer, type FragmentStats } from '../query/distributed/FragmentServer.ts';
import { WorkQueue, type WorkQueueOptions } from '../query/distributed/WorkQueue.ts';
import { SqlError } from '../sql/SqlError.ts';
import { queryNetwork } from './queryNetwork.ts';
import { queryResult } from './queryResult.ts';
import { checkTableName, tableNameFromFile, uniqueName } from './naming.ts';

/** Longer SQL text is refused before parsing (network and UI input is untrusted). */
const MAX_QUERY_CHARS = 100_000;

export interface LakeNodeParts {
  nodeId: NodeId;
  deviceId: DeviceId;
  config: LakeConfig;
  store: ChunkStore;
  ingest: IngestRunner;
  query: QueryRunner;
  /** The room and its mesh (src/lake/Mesh.ts); absent for a node alone (Node tools and tests). */
  mesh?: Mesh;
  /** navigator.storage in the browser; absent in Node. */
  storageEstimate?: () => Promise<{ usage?: number; quota?: number; persisted?: boolean }>;
  /**
   * Which datasets the room has and which live nodes hold their chunks (src/query/distributed/
   * ChunkLocator.ts). Default: this node's own manifests, all held here. The catalog and
   * replication (issue #5) provide the room-wide one.
   */
  locator?: ChunkLocator;
  /** Distributed-query tunables; tests shrink the timings. */
  distributed?: DistributedTuning;
}

export interface DistributedTuning {
  coordinator?: Partial<CoordinatorTuning>;
  queue?: Partial<WorkQueueOptions>;
  /** ms between an executor's keepalive messages (FragmentServer). */
  keepaliveMs?: number;
}

/**
 * One node of the lake: the composition root that owns the subsystems (EXAMPLES §1) and the
 * public API behind `window.lake` (DESIGN §13). The mesh, catalog, replication and query
 * subsystems are wired in here as their issues land.
 */
export class LakeNode {
  readonly nodeId: NodeId;
  readonly deviceId: DeviceId;
  readonly config: LakeConfig;
  /** Resolves when storage is open and manifests are loaded. */
  readonly ready: Promise<void>;

  // STORAGE
  readonly #store: ChunkStore;
  readonly #manifests = new Map<DatasetId, Manifest>();
  // INGEST
  readonly #ingest: IngestRunner;
  /** Names of ingests still running, so two concurrent uploads of `sales.csv` get distinct names. */
  readonly #reserved = new Set<string>();
  // QUERY
  readonly #query: QueryRunner;
  #querySeq = 0;
  readonly #ownLocator: LocalChunkLocator;
  #locator: ChunkLocator;
  #offLocator: () => void;
  readonly #queue: WorkQueue;
  readonly #coordinator: Coordinator;
  readonly #fragments: FragmentServer | undefined;
  // MESH
  readonly #mesh: Mesh | undefined;
  // EVENTS
  readonly #events = new Emitter<LakeEvents>();
  readonly #estimate: LakeNodeParts['storageEstimate'];
  #closed = false;

  constructor(parts: LakeNodeParts) {
    this.nodeId = parts.nodeId;
    this.deviceId = parts.deviceId;
    this.config = parts.config;
    this.#store = parts.store;
    this.#ingest = parts.ingest;
    this.#query = parts.query;
    this.#estimate = parts.storageEstimate;
    this.#mesh = parts.mesh;
    if (this.#mesh && this.#mesh.membership.nodeId !== parts.nodeId) {
      throw new Error(`The mesh was built for node ${this.#mesh.membership.nodeId}, not ${parts.nodeId}.`);
    }
    this.#mesh?.on('peer-joined', (e) => this.#events.emit('peer-joined', e));
    this.#mesh?.on('peer-left', (e) => this.#events.emit('peer-left', e));
    // QUERY: coordinator for this tab's SQL; executor for peers' fragments when in a room.
    this.#ownLocator = new LocalChunkLocator(this.nodeId, () => this.#manifests.values());
    this.#locator = parts.locator ?? this.#ownLocator;
    this.#offLocator = this.#locator.onChange(() => this.#republish());
    const tuning = parts.distributed ?? {};
    this.#queue = new WorkQueue(tuning.queue);
    const net = this.#mesh ? queryNetwork(this.#mesh.membership) : undefined;
    this.#coordinator = new Coordinator({
      self: this.nodeId,
      runner: this.#query,
      locator: () => this.#locator,
      net,
      queue: this.#queue,
      cacheEnabled: () => this.config.queryCache,
      tuning: tuning.coordinator,
    });
    if (net) {
      this.#fragments = new FragmentServer({
        net,
        runner: this.#query,
        queue: this.#queue,
        limits: () => ({ maxQueryTime: this.config.maxQueryTime, queryMemory: this.config.queryMemory }),
        keepaliveMs: tuning.keepaliveMs,
      });
    }
    this.ready = this.#start();
  }

  async #start(): Promise<void> {
    // Anything pending belonged to an ingest that died with its tab; this node holds the lock now.
    await this.#store.sweepPending();
    for (const m of await this.#store.listManifests()) this.#manifests.set(m.id, m);
    await this.#publishCatalog();
  }

  /** Ingests a file (CSV, TSV, JSON, NDJSON, TXT, Parquet, Arrow) into a new dataset. */
  async ingest(input: IngestInput, opts: IngestOptions = {}): Promise<DatasetInfo> {
    await this.ready;
    this.#open();
    const source: ByteSource = toByteSource(input);
    const taken = new Set([...this.#names(), ...this.#reserved]);
    const name =
      opts.table !== undefined
        ? checkTableName(opts.table, taken)
        : uniqueName(tableNameFromFile(source.name), taken);
    const format =
      opts.format ?? (!(input instanceof Blob) ? (input.format as IngestOptions['format']) : undefined);
    this.#reserved.add(name);
    try {
      const manifest = await this.#ingest.run(source, {
        datasetId: crypto.randomUUID() as DatasetId,
        name,
        format,
        nodeId: this.nodeId,
        chunkBytes: this.config.chunkSize,
        maxRowBytes: this.config.maxRowBytes,
        maxFileBytes: this.config.maxFileBytes,
        raggedRows: this.config.raggedRows,
        signal: opts.signal,
        onProgress: (p) => {
          opts.onProgress?.(p);
          this.#events.emit('ingest-progress', { ...p, file: source.name, table: name });
        },
      });
      this.#manifests.set(manifest.id, manifest);
      this.#ownLocator.changed();
      await this.#publishCatalog();
      const info = this.#info(manifest);
      this.#events.emit('dataset-added', info);
      return info;
    } finally {
      this.#reserved.delete(name);
    }
  }

  /** Every dataset this node knows, sorted by name. */
  datasets(): DatasetInfo[] {
    return [...this.#manifests.values()]
      .map((m) => this.#info(m))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Re-hashes every stored chunk of a dataset and its root. */
  async verify(name: string): Promise<VerifyReport> {
    await this.ready;
    return verifyDataset(this.#store, this.#byName(name));
  }

  /** Removes a dataset and garbage-collects chunks nothing else references. */
  async drop(name: string): Promise<void> {
    await this.ready;
    const m = this.#byName(name);
    await this.#store.deleteManifest(m.id);
    this.#manifests.delete(m.id);
    this.#ownLocator.changed();
    await this.#publishCatalog();
    this.#events.emit('dataset-removed', { id: m.id, name: m.name });
  }

  /**
   * Runs SQL in the query worker. Every query has a deadline (`timeoutMs`, default
   * `maxQueryTime`) and can be cancelled with `signal`; both reject with SqlError (TIMEOUT,
   * CANCELLED). The deadline is also enforced here, so a query settles on time even if the worker
   * is busy in one long kernel.
   */
  async sql(query: string, opts: SqlOptions = {}): Promise<QueryResult> {
    await this.ready;
    this.#open();
    if (typeof query !== 'string' || query.trim() === '')
      throw new SqlError('EMPTY', 'Empty query: type some SQL.');
    if (query.length > MAX_QUERY_CHARS) {
      throw new SqlError('SYNTAX', `Query is ${query.length} characters; the limit is ${MAX_QUERY_CHARS}.`);
    }
    const timeoutMs = opts.timeoutMs ?? this.config.maxQueryTime;
    if (!(timeoutMs > 0))
      throw new SqlError('TIMEOUT', `A query needs a positive time limit; got timeoutMs ${timeoutMs}.`);
    const id = `q${++this.#querySeq}`;
    const ctl = new AbortController();
    let stop: (e: SqlError) => void = () => undefined;
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    const cancel = () => {
      ctl.abort();
      stop(new SqlError('CANCELLED', 'Query cancelled.'));
    };
    if (opts.signal?.aborted) cancel();
    opts.signal?.addEventListener('abort', cancel);
    const timer = setTimeout(() => {
      ctl.abort();
      stop(
        new SqlError(
          'TIMEOUT',
          `Query exceeded its time limit of ${timeoutMs} ms (timeoutMs / maxQueryTime).`,
        ),
      );
    }, timeoutMs);
    try {
      const done = await Promise.race([
        this.#coordinator.run(query, {
          deadline: Date.now() + timeoutMs,
          memoryBudget: this.config.queryMemory,
          signal: ctl.signal,
          allowPartial: opts.allowPartial ?? false,
          onProgress: (p) => {
            const progress = { query: id, ...p };
            opts.onProgress?.(progress);
            this.#events.emit('query-progress', progress);
          },
        }),
        stopped,
      ]);
      const result = queryResult(done.output);
      if (done.partial) result.partial = done.partial;
      if (done.cached) result.cached = true;
      return result;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', cancel);
    }
  }

  /** The room this node is in (`undefined` without a mesh): id, shareable link, member count. */
  get room(): RoomInfo | undefined {
    return this.#mesh?.room;
  }

  /** Peers being connected to or authenticated, with their heartbeat RTT (DESIGN §13). */
  peers(): PeerInfo[] {
    return this.#mesh?.peers() ?? [];
  }

  /**
   * Replaces the chunk locator (which datasets the room has, who holds their chunks).
   * @remarks The composition root passes the catalog-backed locator through LakeNodeParts; this
   * setter exists for the E2E suite and the benchmark, which place chunks on tabs by hand until
   * replication (issue #5) does it. Not part of the public `window.lake` API.
   */
  setChunkLocator(locator: ChunkLocator): void {
    this.#offLocator();
    this.#locator = locator;
    this.#offLocator = locator.onChange(() => this.#republish());
    this.#republish();
  }

  /** Fragments this node runs for other tabs' queries (executor side): counts, and queries active now. */
  fragments(): FragmentStats {
    return (
      this.#fragments?.stats() ?? {
        received: 0,
        queued: 0,
        running: 0,
        done: 0,
        failed: 0,
        cancelled: 0,
        rejected: 0,
        active: [],
      }
    );
  }

  /** Queries this node coordinated (local or distributed), fragments, retries and the result cache (config `queryCache`). */
  queryStats(): CoordinatorStats {
    return this.#coordinator.stats();
  }

  /** Decoded-chunk cache of the query engine. */
  cacheStats(): Promise<{ bytes: number; entries: number; hits: number; misses: number }> {
    return this.#query.cacheStats();
  }

  /** Storage used by this node, and the browser's usage and quota where available. */
  async storage(): Promise<StorageInfo> {
    await this.ready;
    const [own, est] = await Promise.all([
      this.#store.usage(),
      this.#estimate?.() ?? Promise.resolve(undefined),
    ]);
    return { ...est, chunks: own.chunks, bytes: own.bytes, datasets: own.manifests };
  }

  on<K extends keyof LakeEvents>(event: K, handler: (e: LakeEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  /** Best-effort shutdown: each step is guarded so one failure does not skip the rest. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#fragments?.close();
      this.#coordinator.close();
      this.#offLocator();
    } catch (e) {
      console.error('peerlake: stopping distributed query failed', e);
    }
    try {
      // First, so peers see peer-left at once instead of after three missed heartbeats.
      this.#mesh?.close();
    } catch (e) {
      console.error('peerlake: leaving the room failed', e);
    }
    for (const runner of [this.#ingest, this.#query]) {
      try {
        runner.close?.();
      } catch (e) {
        console.error('peerlake: closing a worker failed', e);
      }
    }
    await this.#store.close().catch((e: unknown) => console.error('peerlake: closing storage failed', e));
  }

  /** {@link #publishCatalog} on a locator change; a failure is logged (the next change retries). */
  #republish(): void {
    this.#publishCatalog().catch((e: unknown) =>
      console.error('peerlake: updating the query catalog failed', e),
    );
  }

  /** Tells the query engine which datasets exist: the locator's committed ones. */
  async #publishCatalog(): Promise<void> {
    await this.#query.setCatalog([...this.#locator.datasets()]);
  }

  #open(): void {
    if (this.#closed) throw new Error('This lake node is closed.');
  }

  #names(): string[] {
    return [...this.#manifests.values()].map((m) => m.name);
  }

  #byName(name: string): Manifest {
    for (const m of this.#manifests.values()) if (m.name === name) return m;
    const names = this.#names();
    throw new Error(`No dataset named "${name}".${names.length ? ` Datasets: ${names.join(', ')}` : ''}`);
  }

  #info(m: Manifest): DatasetInfo {
    const target = this.config.replicationFactor;
    // Alone in the room (no mesh yet): one holder is all min(target, live nodes) can ask for.
    const holders = 1;
    return {
      id: m.id,
      name: m.name,
      format: m.format,
      source: m.source,
      rows: m.rows,
      bytes: m.bytes,
      chunks: m.chunks.length,
      checksum: m.root,
      schema: m.schema,
      status: 'committed',
      createdAt: m.createdAt,
      replication: { target, holders, state: 'healthy' },
    };
  }
}
