import { LocalIngestRunner, type IngestRunner } from '../ingest/IngestRunner.ts';
import type { ChunkStore } from '../storage/ChunkStore.ts';
import { MemoryChunkStore } from '../storage/MemoryChunkStore.ts';
import { LocalQueryRunner, type QueryRunner } from '../query/QueryRunner.ts';
import type { DeviceId, NodeId } from '../types.ts';
import { resolveConfig, type LakeConfig } from './config.ts';
import { LakeNode, type LakeNodeParts } from './LakeNode.ts';

export interface CreateLakeNodeOptions {
  nodeId?: string;
  deviceId?: string;
  config?: Partial<LakeConfig>;
  /** Default: a MemoryChunkStore (nothing persists). The browser passes an IdbChunkStore. */
  store?: ChunkStore;
  /** Default: in-process ingest on `store`. The browser passes a worker-backed runner. */
  ingest?: IngestRunner;
  /** Default: the query engine in-process on `store`. The browser passes a worker-backed runner. */
  query?: QueryRunner;
  storageEstimate?: LakeNodeParts['storageEstimate'];
  /** The room and mesh (src/lake/Mesh.ts, built on this node's id); default: none, a node alone. */
  mesh?: LakeNodeParts['mesh'];
  /** Where chunks live (distributed query); default: this node's own datasets. */
  locator?: LakeNodeParts['locator'];
  distributed?: LakeNodeParts['distributed'];
}

/** Builds a LakeNode; usable from Node and tests as well as the browser (DESIGN §13). */
export function createLakeNode(opts: CreateLakeNodeOptions = {}): LakeNode {
  const store = opts.store ?? new MemoryChunkStore();
  const config = resolveConfig(opts.config ?? {});
  return new LakeNode({
    nodeId: (opts.nodeId ?? crypto.randomUUID()) as NodeId,
    deviceId: (opts.deviceId ?? crypto.randomUUID()) as DeviceId,
    config,
    store,
    ingest: opts.ingest ?? new LocalIngestRunner(store),
    query: opts.query ?? new LocalQueryRunner(store, config.cacheSize),
    storageEstimate: opts.storageEstimate,
    mesh: opts.mesh,
    locator: opts.locator,
    distributed: opts.distributed,
  });
}
